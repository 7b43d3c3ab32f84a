"""Checks on a printed report: which pages of a PDF are nearly blank.

A committee paper with a page that carries only a heading, a footer line or the last row of a
table wastes paper and reads as a printing fault. Chromium decides the page breaks, so the only
reliable check is on the PDF itself: the text on each page (poppler's ``pdftotext``) and the
images placed on it (``pdfimages -list``; every chart is a PNG image).
"""

from __future__ import annotations

import re
import shutil
import subprocess
from dataclasses import dataclass
from html import unescape
from pathlib import Path

#: A page with no image and fewer characters of text than this is nearly blank. A heading is
#: about 40 characters and a footer line about 80; three lines of a paragraph are about 250.
MIN_CHARACTERS = 200


@dataclass(frozen=True)
class PageContent:
    """What one printed page carries."""

    number: int
    characters: int
    images: int
    text: str

    def describe(self) -> str:
        first_words = " ".join(self.text.split())[:80]
        return (f"page {self.number}: {self.characters} characters of text, {self.images} image(s)"
                f" ({first_words!r})")


def _poppler(tool: str, *args: str) -> str:
    if shutil.which(tool) is None:
        raise RuntimeError(f"{tool} is not installed (it comes with Debian's poppler-utils: run 'make setup')")
    result = subprocess.run([tool, *args], capture_output=True, text=True)
    if result.returncode != 0:
        raise RuntimeError(f"{tool} {' '.join(args)} failed: {result.stderr.strip()}")
    return result.stdout


def images_per_page(pdf: Path) -> dict[int, int]:
    """Number of images drawn on each page (pages without images are absent)."""
    counts: dict[int, int] = {}
    lines = _poppler("pdfimages", "-list", str(pdf)).splitlines()
    for line in lines[2:]:  # two header lines: column names and a rule
        fields = line.split()
        if len(fields) > 2 and fields[0].isdigit() and fields[2] == "image":
            page = int(fields[0])
            counts[page] = counts.get(page, 0) + 1
    return counts


def page_contents(pdf: Path | str) -> list[PageContent]:
    """The text length and image count of every page of ``pdf``, in page order."""
    pdf = Path(pdf)
    if not pdf.is_file():
        raise FileNotFoundError(f"{pdf}: no such PDF")
    # pdftotext ends every page with a form feed, so the pages come out in one call.
    pages = _poppler("pdftotext", "-layout", "-enc", "UTF-8", str(pdf), "-").split("\f")
    if pages and not pages[-1].strip():
        pages = pages[:-1]
    images = images_per_page(pdf)
    return [
        PageContent(number=n, characters=sum(not c.isspace() for c in text), images=images.get(n, 0), text=text)
        for n, text in enumerate(pages, start=1)
    ]


def near_blank_pages(pdf: Path | str, min_characters: int = MIN_CHARACTERS) -> list[PageContent]:
    """The pages of ``pdf`` with no image and fewer than ``min_characters`` characters of text."""
    return [page for page in page_contents(pdf) if page.images == 0 and page.characters < min_characters]


_TAG = re.compile(r"<[^>]+>")
_HIDDEN = re.compile(r"<(style|script)\b.*?</\1>|<head\b.*?</head>", re.S | re.I)
_DATA_URI = re.compile(r"""(src|href)=["']data:[^"']*["']""", re.I)
_WORD = re.compile(r"[A-Za-z]+")


def _words_of_html(html_text: str) -> tuple[set[str], set[str], list[str]]:
    """(words, words joined across a hyphen, tokens containing digits) of the text an HTML page shows."""
    text = unescape(_TAG.sub(" ", _DATA_URI.sub(" ", _HIDDEN.sub(" ", html_text))))
    words = set(_WORD.findall(text))
    hyphen_joined = {a + b for a, b in re.findall(r"([A-Za-z]+)-\s*([A-Za-z]+)", text)}
    with_digits = [t for t in re.findall(r"[A-Za-z0-9]+", text) if any(c.isdigit() for c in t)]
    return words, hyphen_joined, with_digits


def broken_words(pdf: Path | str, html: Path | str) -> list[str]:
    """Words printed in ``pdf`` that are not words of the ``html`` it was printed from: the pieces of a
    word the printer broke across lines (e.g. "compendi" and "um").

    A word broken at its hyphen is fine (poppler joins it up again: "part-year" -> "partyear"), and so
    are pieces of hashes and other tokens with digits, which may break anywhere.
    """
    words, hyphen_joined, with_digits = _words_of_html(Path(html).read_text(encoding="utf-8"))
    printed = set(_WORD.findall(_poppler("pdftotext", "-enc", "UTF-8", str(pdf), "-")))
    return sorted(
        word for word in printed - words - hyphen_joined
        if not any(word in token for token in with_digits)
    )
