"""The text a member reads: footnote markers, template sentences, and Markdown that shows file
names and input text as written."""

import re
from html import unescape

import pandas as pd
import pytest

from conftest import RAW, ROOT
from scrutiny.benchmarking import report as br
from scrutiny.dashboard import narrative, render
from scrutiny.dashboard.report import build_quarterly_report

FIXTURES = ROOT / "tests" / "fixtures" / "published"


@pytest.fixture(scope="module", params=[1, 3], ids=["q1", "q3"])
def quarter_report(request):
    return request.param, build_quarterly_report(RAW, "2025-26", request.param, "E10000018")


def _dashboard_html(report) -> str:
    return render.dashboard_html(report.table, report.series, report.this_year_label, report.last_year_label,
                                 plan=report.context.inputs.framing_text("plan"))


def _row_markers(report) -> list[tuple[str, list[int]]]:
    """(description, footnote numbers) of every row, in reading order (no numbers: unmarked)."""
    rows = re.findall(r"<tr><td>(?:(?!</td>).)*</td><td>([^<]*)(?:<sup>([^<]*)</sup>)?</td>", _dashboard_html(report))
    return [(unescape(description), [int(n) for n in numbers.split(",")] if numbers else [])
            for description, numbers in rows]


def _markers(report) -> list[tuple[str, list[int]]]:
    """(description, footnote numbers) of each marked row, in reading order."""
    return [(description, numbers) for description, numbers in _row_markers(report) if numbers]


def _printed_footnotes(report) -> list[str]:
    notes = _dashboard_html(report).split('<ol class="footnotes">', 1)
    return [unescape(note) for note in re.findall(r"<li>(.*?)</li>", notes[1])] if len(notes) == 2 else []


def _same_words(text: str) -> str:
    """The paper's typography aside: curly quotes and doubled spaces."""
    return " ".join(text.replace("‘", "'").replace("’", "'").split())


def test_footnote_markers_are_numbered_in_reading_order(quarter_report):
    _, report = quarter_report
    seen: list[int] = []
    for _, numbers in _markers(report):
        assert numbers == sorted(numbers)
        seen += [n for n in numbers if n not in seen]
    assert seen == list(range(1, len(seen) + 1))


def test_footnote_markers_are_exactly_the_papers(quarter_report):
    """Every row carries the numbers the published appendix prints against it, and no other row is
    marked: the paper's markers (tests/fixtures/published) are the ground truth, quarter by quarter."""
    quarter, report = quarter_report
    paper = pd.read_csv(FIXTURES / f"appendix_2025-26_q{quarter}.csv", dtype=str, keep_default_na=False)
    expected = {row.metric_id: [int(n) for n in row.footnote_markers.split(";")] if row.footnote_markers else []
                for row in paper.itertuples()}
    metric_of = dict(zip(report.table["description"], report.table["metric_id"], strict=True))
    ours = {metric_of[description]: numbers for description, numbers in _row_markers(report)
            if description in metric_of}  # the legend's rows are not metrics
    assert ours == expected


def test_footnotes_are_the_papers_text_in_its_order(quarter_report):
    quarter, report = quarter_report
    paper = pd.read_csv(FIXTURES / f"footnotes_2025-26_q{quarter}.csv", dtype=str, keep_default_na=False)
    assert [_same_words(note) for note in _printed_footnotes(report)] == \
        [_same_words(note) for note in paper["footnote"]]


_NOT_ENGLISH = [
    (re.compile(r"due to the [a-z]"), "a catalogue phrase dropped into 'due to the ...'"),
    (re.compile(r"\b(nan|None|NaT)\b"), "a missing value printed as text"),
    (re.compile(r"\s[.,;:]"), "a space before punctuation"),
    (re.compile(r"\.\.|  "), "a doubled full stop or space"),
    (re.compile(r"\b(\w+) \1\b", re.I), "a doubled word"),
    (re.compile(r"\(\s*\)"), "empty brackets"),
]


def assert_reads_as_english(text: str) -> None:
    for pattern, problem in _NOT_ENGLISH:
        assert not pattern.search(text), f"{problem}: {text!r}"


def test_template_sentences_read_as_english(quarter_report):
    _, report = quarter_report
    for _, row in report.table.iterrows():
        sentence = narrative.metric_sentence(row)
        assert sentence[0].isupper() and sentence.endswith("."), sentence
        assert_reads_as_english(sentence)
        for text in (row["trend_status"], *render.rating_text(row), *render.dot_text(row),
                     *render.figure_text(row, "current"), *render.figure_text(row, "previous")):
            assert_reads_as_english(str(text))
    for paragraph in narrative.layer_paragraphs(report.table).values():
        for sentence in paragraph:
            assert_reads_as_english(sentence)


def test_the_english_check_catches_the_old_template():
    with pytest.raises(AssertionError, match="due to"):
        assert_reads_as_english("No trend data available due to the visits to Market Harborough library counted "
                                "from 2025/26.")


def _rendered(markdown: str) -> str:
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(markdown)


def assert_shown_as_written(html: str) -> None:
    """No emphasis opened or closed inside a word (``file<em>name.csv``), no visible Markdown escapes."""
    assert not re.search(r"[A-Za-z0-9]<(em|strong)>|</(em|strong)>[A-Za-z0-9]", html), html
    visible = re.sub(r"<[^>]+>", "", html)
    assert not re.search(r"\\[_.\-*()\[\]#+!|`]", visible), visible


def test_file_names_in_italic_notes_are_not_mangled():
    report = br.build_benchmarking_report(RAW, "2025-26", 3, "E10000018")
    notes = [br._needs_data("The summary against the comparator group").data,
             br.needs_own_papers(report, "This section"), br.deprivation_vintage_note(pd.Timestamp("2026-03-02").date())]
    for note in notes:
        html = _rendered(note)
        assert_shown_as_written(html)
    assert "data/national_sources.csv" in _rendered(notes[2])


def test_the_markdown_check_catches_mangling():
    with pytest.raises(AssertionError):
        assert_shown_as_written(_rendered("*see national_sources.csv and use_of_resources_panel.csv*").replace(
            "national_sources", "national<em>sources"))
    with pytest.raises(AssertionError):
        assert_shown_as_written(_rendered("`national\\_sources.csv`"))


REPORTS = ("quarterly_dashboard", "benchmarking", "use_of_resources", "waiting_list")


@pytest.mark.slow
@pytest.mark.parametrize("report", REPORTS)
def test_built_reports_show_markdown_as_written(built_reports, report):
    for quarter in (1, 3):
        page = (built_reports / "2025-26" / f"q{quarter}" / f"{report}.html").read_text(encoding="utf-8")
        body = re.sub(r"<(style|script)\b.*?</\1>", "", page, flags=re.S)
        body = re.sub(r"""src=["']data:[^"']*["']""", "", body)
        assert_shown_as_written(body)


@pytest.mark.slow
def test_make_prints_one_progress_line_per_step_and_no_noise(built_reports):
    lines = (built_reports / "make-output.txt").read_text(encoding="utf-8").splitlines()
    # progress lines, the closing line, and make's echo of a prerequisite it rebuilt (python -m scrutiny...)
    noise = [line for line in lines
             if not (line.startswith(("[scrutiny] ", "[scrutiny data] ", "Reports for ")) or " -m scrutiny." in line)]
    assert noise == []
    assert not [line for line in lines if re.search(r"warning|transport|Traceback", line, re.I)]
