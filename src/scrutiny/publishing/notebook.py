"""Set-up a report notebook's kernel needs: in JupyterLab, helpers reload when their source changes.

A build (``scrutiny.publishing.build``, which ``make`` runs) sets ``SCRUTINY_BATCH_BUILD`` for the
kernel it starts. Nothing changes under a build while it runs, and IPython's autoreload checks the
modification time of every loaded module (about 2,000 of them) before each cell: about 15 ms a
cell, a second or so over the four reports of a quarter.
"""

from __future__ import annotations

import os

#: Set, to any non-empty value, in the environment of a kernel started by a build.
BATCH_BUILD = "SCRUTINY_BATCH_BUILD"


def reload_helpers_on_change() -> bool:
    """Turn on IPython's autoreload (``%autoreload 2``) unless the notebook runs in a build.

    Returns whether it was turned on (never outside IPython, such as in a plain ``python`` run).
    """
    if os.environ.get(BATCH_BUILD):
        return False
    from IPython import get_ipython

    shell = get_ipython()
    if shell is None:
        return False
    shell.run_line_magic("load_ext", "autoreload")
    shell.run_line_magic("autoreload", "2")
    return True
