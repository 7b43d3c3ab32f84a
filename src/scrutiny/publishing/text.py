"""Input text made safe for where it is shown: Markdown and HTML in reports, cells in spreadsheets.

Every piece of text that comes from an input file (a metric description, a council name, a note)
passes through one of these before it is rendered, so it is shown as the words it is and can never
run as script in a report or as a formula in a spreadsheet.
"""

from __future__ import annotations

import html
import re

#: Characters a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# Markdown's punctuation; < > & are left to html.escape (escaping them here would break entities).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]()#+\-.!|~])")
_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_DASHES_ONLY = re.compile(r"^[-\u2013\u2014]+$")


def markdown_text(text: object) -> str:
    """Text for a Markdown sentence or title, shown literally.

    HTML is escaped (so ``<script>`` is shown, not run) and Markdown's punctuation is backslash
    escaped (so ``*``, ``_`` or ``[link](...)`` in a name neither formats nor links). Line breaks
    become spaces, so a value cannot start a heading or a list.
    """
    flat = " ".join(str(text).split())
    return html.escape(_MARKDOWN_SPECIAL.sub(r"\\\1", flat), quote=False)


def html_text(text: object) -> str:
    """Text for an HTML element or attribute, shown literally."""
    return html.escape(str(text), quote=True)


def starts_like_formula(text: str) -> bool:
    """True if a spreadsheet would read ``text`` as a formula.

    A plain number ("-5", "+1.5") and a dash standing for "no value" ("-", "–") are not formulas.
    """
    if not text or not text.startswith(FORMULA_TRIGGERS):
        return False
    stripped = text.strip()
    return not (_PLAIN_NUMBER.match(stripped) or _DASHES_ONLY.match(stripped))


def spreadsheet_cell(value: object) -> object:
    """A CSV cell that no spreadsheet will run: formula-like text gets a leading apostrophe."""
    if isinstance(value, str) and starts_like_formula(value):
        return "'" + value
    return value
