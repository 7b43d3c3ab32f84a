"""The near-blank page check (publishing/pages.py) on tiny PDFs made here with matplotlib."""

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from scrutiny.publishing.pages import MIN_CHARACTERS, broken_words, near_blank_pages, page_contents

PARAGRAPH = ("Ratings compare the 95% confidence interval of the council's figure with the benchmark. " * 6).strip()


def _page(text: str = "", image: bool = False) -> Figure:
    figure = Figure(figsize=(8.27, 5.83))  # A5 landscape: small, still a page
    if text:
        figure.text(0.05, 0.9, text, fontsize=7, wrap=True, va="top")
    if image:
        axes = figure.add_axes((0.3, 0.1, 0.4, 0.4))
        axes.imshow(np.arange(16).reshape(4, 4))
        axes.set_axis_off()
    return figure


def write_pdf(path: Path, pages: list[Figure]) -> Path:
    # TrueType text, so pdftotext reads it back as a browser's PDF would be read.
    with matplotlib.rc_context({"pdf.fonttype": 42}), PdfPages(path) as pdf:
        for figure in pages:
            pdf.savefig(figure)
    return path


def test_a_page_with_only_a_heading_or_a_footer_line_is_near_blank(tmp_path):
    pdf = write_pdf(tmp_path / "report.pdf", [
        _page(PARAGRAPH), _page("Appendix A: Performance dashboard"), _page(), _page("Page 4 of 4  Leicestershire"),
    ])
    assert [page.number for page in near_blank_pages(pdf)] == [2, 3, 4]
    assert "Appendix A" in near_blank_pages(pdf)[0].describe()


def test_a_page_with_a_chart_or_a_paragraph_is_not_near_blank(tmp_path):
    pdf = write_pdf(tmp_path / "report.pdf", [_page(PARAGRAPH), _page("Figure 1", image=True), _page(image=True)])
    pages = page_contents(pdf)
    assert [page.images for page in pages] == [0, 1, 1]
    assert pages[0].characters >= MIN_CHARACTERS
    assert near_blank_pages(pdf) == []


def test_the_threshold_is_a_parameter(tmp_path):
    pdf = write_pdf(tmp_path / "report.pdf", [_page("A short closing note of about sixty characters in all.")])
    assert near_blank_pages(pdf) and not near_blank_pages(pdf, min_characters=20)


def test_a_missing_pdf_is_named(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing.pdf"):
        page_contents(tmp_path / "nothing.pdf")


def test_a_word_broken_across_lines_is_found(tmp_path):
    html = tmp_path / "report.html"
    html.write_text("<html><head><style>td{}</style></head><body><table><tr><td>Annual Performance Compendium"
                    "</td><td>part-year</td><td>4f3c2a1b</td></tr></table></body></html>", encoding="utf-8")
    whole = write_pdf(tmp_path / "whole.pdf", [_page("Annual Performance Compendium part-\nyear 4f3c\n2a1b")])
    assert broken_words(whole, html) == []  # a break at a hyphen or inside a hash is fine
    broken = write_pdf(tmp_path / "broken.pdf", [_page("Annual Performance Compendi\num part-year")])
    assert broken_words(broken, html) == ["Compendi", "um"]


REPORTS = ("quarterly_dashboard", "benchmarking", "use_of_resources", "waiting_list")


@pytest.mark.slow
@pytest.mark.parametrize("quarter", [1, 3])
@pytest.mark.parametrize("report", REPORTS)
def test_no_page_of_a_built_report_is_near_blank(built_reports, quarter, report):
    pdf = built_reports / "2025-26" / f"q{quarter}" / f"{report}.pdf"
    assert [page.describe() for page in near_blank_pages(pdf)] == []


@pytest.mark.slow
@pytest.mark.parametrize("report", REPORTS)
def test_no_word_of_a_built_report_is_broken_mid_word(built_reports, report):
    folder = built_reports / "2025-26" / "q3"
    assert broken_words(folder / f"{report}.pdf", folder / f"{report}.html") == []
