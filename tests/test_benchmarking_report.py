"""The benchmarking report for any council: names, comparator fall-back, preflight, notes and A4 charts."""

import os
import subprocess
import sys

import pandas as pd
import pytest

from scrutiny.publishing.text import markdown_text

from conftest import ROOT
from scrutiny.benchmarking import analysis as bm
from scrutiny.benchmarking import charts
from scrutiny.benchmarking import report as br

PREPARED = ROOT / "data" / "processed" / "ascof_time_series.csv"
needs_national = pytest.mark.skipif(not PREPARED.exists(), reason="needs make data")
RAW = ROOT / "data" / "raw"
DERBYSHIRE = "E10000007"
ENV = {**os.environ, "PYTHONPATH": str(ROOT / "src")}  # this checkout's package, whatever is installed


@pytest.fixture(scope="module")
def leics_report():
    return br.build_benchmarking_report(RAW, "2025-26", 3, "E10000018")


@pytest.fixture(scope="module")
def derbyshire_report():
    return br.build_benchmarking_report(RAW, "2025-26", 3, DERBYSHIRE, "county_councils")


def _report_text(report) -> str:
    parts = [br.heading_markdown(report), br.availability_note(report), br.measures_html(report),
             br.themes_html(report), br.quadrant_note(report), br.needs_own_papers(report, "This section"),
             "\n".join(bm.summary_sentences(report.bench, report.year_label)), br.paper_comparison(report)]
    return "\n".join(parts)


@needs_national
def test_another_councils_report_names_only_that_council(derbyshire_report):
    text = _report_text(derbyshire_report)
    assert "Derbyshire" in text
    for host in ("Leicestershire", "Adults and Communities", "Overview and Scrutiny"):
        assert host not in text
    assert "national data published by 2 March 2026" in br.heading_markdown(derbyshire_report)
    assert br.sources_used(derbyshire_report) == set()
    assert derbyshire_report.local.empty and derbyshire_report.printed.empty


@needs_national
def test_another_councils_committee_comes_from_parameters():
    report = br.build_benchmarking_report(RAW, "2025-26", 3, DERBYSHIRE, "county_councils",
                                          committee="Improvement and Scrutiny Committee - People",
                                          committee_date="2026-03-09")
    heading = br.heading_markdown(report)
    # input text is escaped for Markdown (the hyphen would otherwise start a list)
    assert f"for the {markdown_text('Improvement and Scrutiny Committee - People')}, 09 March 2026" in heading
    with pytest.raises(ValueError, match="committee_date must be a date as YYYY-MM-DD"):
        br.build_benchmarking_report(RAW, "2025-26", 3, DERBYSHIRE, committee_date="9 March")


@needs_national
def test_the_reporting_councils_report_keeps_its_committee(leics_report):
    heading = br.heading_markdown(leics_report)
    assert "Leicestershire County Council" in heading
    assert "Adults and Communities Overview and Scrutiny Committee, 02 March 2026" in heading
    assert br.sources_used(leics_report)


@needs_national
def test_a_comparator_group_of_one_falls_back_to_a_stated_group():
    report = br.build_benchmarking_report(RAW, "2025-26", 3, "E09000001")  # City of London
    assert report.requested_comparator == "nearest_neighbours" and report.comparator == "region"
    assert "only 1 council" in report.group_note and "councils in the region instead (33 councils)" in report.group_note
    assert "Comparator group changed" in br.availability_note(report)
    assert report.bench.table["group_n"].max() > 1
    # the City is not a county council, so the quadrant shows its own comparator group and says so
    assert report.quadrant_group == "region" and "is not one of the county councils" in br.quadrant_note(report)


@needs_national
def test_preflight_stops_an_unknown_council_with_one_line():
    with pytest.raises(ValueError, match=r"unknown council code 'E10009999': not one of the 153 councils") as info:
        br.preflight(RAW, "2025-26", 3, "E10009999")
    assert "\n" not in str(info.value)
    with pytest.raises(ValueError, match="unknown comparator 'neighbours'"):
        br.preflight(RAW, "2025-26", 3, DERBYSHIRE, "neighbours")
    br.preflight(RAW, "2025-26", 3, DERBYSHIRE, "county_councils")  # any council in the lookup passes


@needs_national
def test_summary_counts_use_each_measures_own_number_of_councils(leics_report):
    note = br.availability_note(leics_report)
    table = leics_report.bench.table
    assert f"{table['n_all'].min()} to {table['n_all'].max()} councils" in note
    bottom = [s for s in bm.summary_sentences(leics_report.bench, "2024/25") if s.startswith("In the bottom quartile")]
    for _, row in table[table["quartile_all"] == 4].iterrows():
        assert f"{row['measure']} {row['title']} ({row['rank_all']} of {row['n_all']})" in bottom[0]


@needs_national
def test_rounded_counts_are_flagged_wherever_they_are_printed(leics_report):
    html = br.measures_html(leics_report)
    assert "(650 out of 680; counts rounded to the nearest 5 by DHSC)" in html
    assert html.count("rounded to the nearest") == 1
    local = br.local_html(leics_report)
    assert "(650 out of 680; counts rounded to the nearest 5 by DHSC)" in local


def test_equal_printed_values_with_different_verdicts_get_more_decimals():
    row = pd.Series({"value": 95.34, "group_average": 95.31, "display_format": "pct1", "vs_group": "better"})
    assert br.unrounded_note(row) == "unrounded: council 95.34, average 95.31"
    assert br.unrounded_note(row.copy().replace({"better": "similar"})) == ""
    different = row.copy()
    different["group_average"] = 90.0
    assert br.unrounded_note(different) == ""


def test_trend_group_average_needs_half_the_group():
    table = pd.DataFrame({"measure": ["1A"], "theme": ["Adult Social Care - Perceptions"]})
    group = [f"C{i}" for i in range(6)]
    rows = []
    for year, reporting in (("2019-20", 6), ("2020-21", 1), ("2021-22", 3)):
        for code in group[:reporting]:
            rows.append({"measure": "1A", "year": year, "ons_code": code, "level": "Local authority",
                         "outcome": 18.0 + reporting, "margin_of_error": 0.4})
        rows.append({"measure": "1A", "year": year, "ons_code": "E92000001", "level": "England", "outcome": 19.0,
                     "margin_of_error": None})
    trend = bm.trend_table(pd.DataFrame(rows), table, "C0", group).set_index("year")
    assert trend.loc["2019-20", "group_average"] == 24.0 and trend.loc["2019-20", "group_councils"] == 6
    assert pd.isna(trend.loc["2020-21", "group_average"]) and trend.loc["2020-21", "group_councils"] == 1
    assert trend.loc["2021-22", "group_average"] == 21.0  # 3 of 6 is half the group
    assert trend.loc["2019-20", "council_margin_of_error"] == 0.4


@needs_national
def test_every_chart_prints_at_a_readable_size(leics_report):
    """Text at least 8 pt in figures no larger than the printed image, so nothing shrinks below 7 pt."""
    figures = []
    for section in (br.section_overview, br.section_all_councils, br.section_trends):
        figures += [image for image in section(leics_report)]
    assert len(figures) >= 8
    bench = leics_report.bench
    drawn = charts.spine_charts(bench.table, bench.all_councils, bench.council_name, leics_report.group_label)
    drawn += charts.all_councils_charts(bench.table, bench.all_councils, bench.council, bench.council_name,
                                        leics_report.group_label)
    drawn += charts.trend_charts(leics_report.trend, {}, bench.council_name, "group average")
    drawn.append(charts.quadrant_chart(leics_report.quadrant, bench.council, "imd_average_score", "IMD", "group"))
    for figure in drawn:
        width, height = figure.get_size_inches()
        assert width <= charts.PRINT_WIDTH_IN + 1e-9 and height <= charts.PRINT_HEIGHT_IN + 1e-9
        assert charts.smallest_text(figure) >= charts.CHART_FONT


def test_wrapping_never_cuts_a_word():
    text = "Carers included or consulted in discussions about the person they care for"
    wrapped = charts.wrap(text, 20)
    assert wrapped.replace("\n", " ") == text and all(len(line) <= 20 for line in wrapped.splitlines())


@pytest.mark.slow
@needs_national
def test_make_benchmarking_for_another_council_builds_a_readable_pdf(tmp_path):
    """The build for Derbyshire: HTML, PDF and CSVs; no host council named; chart text >= 7 pt on A4."""
    out = tmp_path / "E10000007"
    result = subprocess.run(
        [sys.executable, "-m", "scrutiny.publishing.build", "report", str(ROOT / "notebooks" / "benchmarking.ipynb"),
         "--any-council", "--financial-year", "2025-26", "--quarter", "3", "--council", DERBYSHIRE,
         "--comparator", "county_councils",
         "--data", "data/raw", "--out", str(out)], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=600)
    assert result.returncode == 0, result.stderr[-3000:]
    assert {"benchmarking.html", "benchmarking.pdf", "benchmarking_measures.csv"} <= {p.name for p in out.iterdir()}
    text = subprocess.run(["pdftotext", str(out / "benchmarking.pdf"), "-"], capture_output=True, text=True).stdout
    assert "Derbyshire" in text and "Leicestershire" not in text
    # each chart is a PNG drawn at 150 dpi; its printed resolution gives the scale it prints at
    listing = subprocess.run(["pdfimages", "-list", str(out / "benchmarking.pdf")], capture_output=True, text=True).stdout
    resolutions = [int(line.split()[12]) for line in listing.splitlines()[2:] if line.split()]
    assert len(resolutions) >= 8
    smallest_printed = min(charts.CHART_FONT * 150 / ppi for ppi in resolutions)
    assert smallest_printed >= 7


@needs_national
def test_unknown_council_stops_before_the_notebook_with_one_clear_line(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "scrutiny.publishing.build", "report", str(ROOT / "notebooks" / "benchmarking.ipynb"),
         "--any-council", "--financial-year", "2025-26", "--quarter", "3", "--council", "E10009999", "--data", "data/raw",
         "--out", str(tmp_path / "out")], cwd=ROOT, env=ENV, capture_output=True, text=True, timeout=120)
    assert result.returncode == 1
    failures = [line for line in result.stderr.splitlines() if "FAILED" in line]
    assert len(failures) == 1 and "unknown council code 'E10009999'" in failures[0]
    assert "papermill" not in result.stderr and not (tmp_path / "out").exists()


def test_the_deprivation_vintage_is_explained_for_the_cut_off():
    from datetime import date

    assert "newest edition published by this report's cut-off" in br.deprivation_vintage_note(date(2025, 9, 1))
    later = br.deprivation_vintage_note(date(2026, 3, 2))
    assert "Indices of Deprivation 2025" in later and "so the 2019 edition is used" in later


HOSTILE = "Evil_*Council* <script>alert(1)</script> [link](target.html)"


def _as_html(markdown: str) -> str:
    """Markdown rendered as the HTML export renders it."""
    from nbconvert.filters.markdown_mistune import markdown2html_mistune

    return markdown2html_mistune(markdown)


@needs_national
def test_summary_and_availability_show_national_text_as_written(leics_report):
    import dataclasses

    table = leics_report.bench.table.copy()
    table.loc[table.index[0], "title"] = HOSTILE
    table.loc[table.index[0], "quartile_all"] = 4
    bench = dataclasses.replace(leics_report.bench, council_name=HOSTILE, table=table)
    report = dataclasses.replace(leics_report, bench=bench, group_note=HOSTILE)
    for markdown in (br.section_summary(report).data, br.availability_note(report)):
        html = _as_html(markdown)
        assert "<script>" not in html and "<em>" not in html and "<a " not in html
        assert "Evil_*Council* &lt;script&gt;alert(1)&lt;/script&gt; [link](target.html)" in html


def test_without_national_tables_the_reasons_are_shown_as_written():
    report = br.build_benchmarking_report(RAW, "2025-26", 3, "E10000018")
    import dataclasses

    report = dataclasses.replace(report, national=None, bench=None, national_reasons=[HOSTILE])
    html = _as_html(br.availability_note(report))
    assert "&lt;script&gt;" in html and "<script>" not in html and "<a " not in html
    assert "<code>make data</code>" in html
