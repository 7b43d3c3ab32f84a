"""Project paths that do not depend on the current working directory.

Notebooks run with their own folder as working directory in JupyterLab and nbval, and with the
caller's under papermill; resolving against the project root makes both behave the same.
"""

from __future__ import annotations

import os
from pathlib import Path


def project_root() -> Path:
    """The folder holding ``pyproject.toml``: ``$SCRUTINY_ROOT`` if set, else found by walking up
    from the working directory, else from this file (an editable install)."""
    if os.environ.get("SCRUTINY_ROOT"):
        return Path(os.environ["SCRUTINY_ROOT"]).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / "pyproject.toml").exists() and (folder / "src" / "scrutiny").exists():
                return folder
    raise FileNotFoundError("cannot find the scrutiny project root; set SCRUTINY_ROOT")


def resolve(path: str | Path) -> Path:
    """An absolute path: relative paths are taken from the project root."""
    path = Path(path)
    return path if path.is_absolute() else project_root() / path
