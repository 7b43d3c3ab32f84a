"""Backtest: `make q1` and `make q3` reproduce every printed figure of the two published appendices.

The expected figures were transcribed independently from the committee papers into
tests/fixtures/published/. The test runs the real pipeline (papermill, nbconvert, Chromium) and
reads the CSV table written next to each report.
"""

import json
import re
import subprocess
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT

pytestmark = pytest.mark.slow
FIXTURES = ROOT / "tests" / "fixtures" / "published"


@pytest.fixture(scope="module")
def reports(built_reports) -> Path:
    return built_reports


def decimals_of(text: str) -> int:
    match = re.search(r"\d+(?:,\d{3})*(?:\.(\d+))?", text)
    return len(match.group(1) or "") if match else 0


def as_printed(value: float, text: str, thousands: bool) -> Decimal:
    """Our unrounded figure rounded the way the paper printed it."""
    scaled = Decimal(str(value)) / (1000 if thousands else 1)
    places = decimals_of(text)
    return scaled.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def printed(text) -> Decimal:
    return Decimal(str(text))


def rows_for(quarter: int, reports: Path) -> list[tuple[pd.Series, pd.Series]]:
    ours = pd.read_csv(reports / "2025-26" / f"q{quarter}" / "quarterly_dashboard.csv").set_index("metric_id")
    published = pd.read_csv(FIXTURES / f"appendix_2025-26_q{quarter}.csv", dtype=str, keep_default_na=False)
    assert len(ours) == len(published) == 25
    return [(row, ours.loc[row["metric_id"]]) for _, row in published.iterrows()]


@pytest.mark.parametrize("quarter", [1, 3])
def test_every_printed_value_numerator_and_denominator(reports, quarter):
    for paper, ours in rows_for(quarter, reports):
        thousands = ours["display_format"] == "thousands1"
        for which in ("current", "previous"):
            text = paper[f"{which}_text"]
            if paper[f"{which}_value"]:
                assert not pd.isna(ours[f"{which}_value"]), (paper["metric_id"], which)
                got = as_printed(ours[f"{which}_value"], paper[f"{which}_value"], thousands)
                assert got == printed(paper[f"{which}_value"]), (paper["metric_id"], which, text)
            else:
                assert pd.isna(ours[f"{which}_value"]), (paper["metric_id"], which)
                assert ours["current_note"] == text, paper["metric_id"]
            for part in ("numerator", "denominator"):
                expected = paper[f"{which}_{part}"]
                if not expected:
                    continue
                column = f"{which}_value" if ours["kind"] == "count" else f"{which}_{part}"
                assert ours[column] == float(expected), (paper["metric_id"], which, part)


@pytest.mark.parametrize("quarter", [1, 3])
def test_every_benchmark(reports, quarter):
    for paper, ours in rows_for(quarter, reports):
        if paper["benchmark_value"]:
            thousands = ours["display_format"] == "thousands1"
            got = as_printed(ours["benchmark_value"], paper["benchmark_value"], thousands)
            assert got == printed(paper["benchmark_value"]), paper["metric_id"]
            if paper["benchmark_label"].endswith(("Nat. Ave", "Nat. Ave.")):
                year = paper["benchmark_label"][:5]
                assert ours["benchmark_label"] == f"{year} national average", paper["metric_id"]
        else:
            assert pd.isna(ours["benchmark_value"]), paper["metric_id"]


@pytest.mark.parametrize("quarter", [1, 3])
def test_footnoted_rows_carry_their_footnotes(reports, quarter):
    for paper, ours in rows_for(quarter, reports):
        if paper["footnote_markers"]:
            assert isinstance(ours["footnotes"], str) and ours["footnotes"], paper["metric_id"]


@pytest.mark.parametrize("quarter", [1, 3])
def test_html_and_pdf_are_clean_a4_and_complete(reports, quarter):
    folder = reports / "2025-26" / f"q{quarter}"
    html = (folder / "quarterly_dashboard.html").read_text(encoding="utf-8")
    body = html.split("<body", 1)[1]
    for forbidden in ("Traceback", "papermill-error", "cdnjs", "require.min.js", "build_quarterly_report"):
        assert forbidden not in html, forbidden
    assert "jp-InputArea-editor" not in body  # no code cells shown
    published = pd.read_csv(FIXTURES / f"appendix_2025-26_q{quarter}.csv", dtype=str, keep_default_na=False)
    ours = pd.read_csv(folder / "quarterly_dashboard.csv")
    for description in ours["description"]:
        assert description.replace("'", "&#x27;") in html or description in html
    assert html.count('class="spark"') >= 3
    assert len(published) == len(ours)
    info = subprocess.run(["pdfinfo", str(folder / "quarterly_dashboard.pdf")], capture_output=True, text=True).stdout
    assert "(A4)" in info and "841.92 x 59" in info  # landscape
    pages = int(re.search(r"Pages:\s+(\d+)", info).group(1))
    assert 2 <= pages <= 30
    text = subprocess.run(["pdftotext", str(folder / "quarterly_dashboard.pdf"), "-"], capture_output=True, text=True).stdout
    assert "import " not in text and "def " not in text
    assert "Input files" in text and "sha256" in text


def test_make_is_incremental(reports):
    target = reports / "2025-26" / "q3" / "quarterly_dashboard.pdf"
    before = target.stat().st_mtime_ns
    again = subprocess.run(["make", "q3", f"REPORTS={reports}"], cwd=ROOT, capture_output=True, text=True)
    assert again.returncode == 0, again.stderr
    assert "running the notebook" not in again.stderr
    assert target.stat().st_mtime_ns == before
    # the dashboard reads the national files too: a newer national table rebuilds both reports
    what_if = subprocess.run(["make", "-n", "q3", f"REPORTS={reports}", "-W", "data/processed/ascof_time_series.csv"],
                             cwd=ROOT, capture_output=True, text=True).stdout
    assert "report notebooks/quarterly_dashboard.ipynb" in what_if and "report notebooks/benchmarking.ipynb" in what_if


def test_each_report_folder_holds_one_build_listed_in_its_manifest(reports):
    q3 = reports / "2025-26" / "q3"
    manifests = sorted(q3.glob("*.manifest.json"))
    assert {"quarterly_dashboard", "benchmarking"} <= {m.name.removesuffix(".manifest.json") for m in manifests}
    listed = set()
    for path in manifests:
        name = path.name.removesuffix(".manifest.json")
        manifest = json.loads(path.read_text())
        assert manifest["parameters"]["council_code"] == "E10000018"
        assert {f"{name}.html", f"{name}.pdf", f"{name}.ipynb"} <= set(manifest["files"])
        listed |= set(manifest["files"])
    on_disk = {p.name for p in q3.iterdir() if not p.name.endswith(".manifest.json") and p.name != ".parameters"}
    assert on_disk == listed
    for csv_path in q3.glob("*.csv"):  # no cell of any published table can run as a formula
        cells = pd.read_csv(csv_path, dtype=str, keep_default_na=False).to_numpy().ravel()
        assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t", "\r")], csv_path.name


def test_make_q2_fails_cleanly_naming_missing_inputs(reports):
    result = subprocess.run(["make", "q2", f"REPORTS={reports}"], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode != 0
    assert "reporting_calendar.csv has no row for E10000018 2025-26 quarter 2" in result.stderr
    assert "observations.csv has no figures for 30 September 2025" in result.stderr
    assert not (reports / "2025-26" / "q2").exists()


def test_benchmarking_report_in_make_q3(reports):
    q3 = reports / "2025-26" / "q3"
    html = (q3 / "benchmarking.html").read_text(encoding="utf-8")
    if (ROOT / "data" / "processed" / "ascof_time_series.csv").exists():
        measures = pd.read_csv(q3 / "benchmarking_measures.csv").set_index("measure")
        assert len(measures) == 20
        assert (measures.loc["2A", ["value", "numerator", "denominator", "england"]].tolist() == [73.7, 2067, 2805, 77.1])
        assert (q3 / "benchmarking_all_councils.csv").exists() and (q3 / "benchmarking_trends.csv").exists()
        assert "National ASCOF tables loaded: 2024/25" in html
    else:
        assert "National ASCOF tables are not available" in html
    # the Q1 paper's cut-off (1 September 2025) precedes the 2024/25 release: the report says so
    q1 = (reports / "2025-26" / "q1" / "benchmarking.html").read_text(encoding="utf-8")
    assert "after this report" in q1 or "not available" in q1
    assert not (reports / "2025-26" / "q1" / "benchmarking_measures.csv").exists()


#: Words a missing value becomes when it is printed without care (pandas and Python).
MISSING_WORDS = re.compile(r"\b(nan|NaN|None|NaT)\b")


def visible_text(html: str) -> str:
    """The text of an HTML report a reader sees (no stylesheet, no tags or image data)."""
    return re.sub(r"<style.*?</style>|<script.*?</script>|<[^>]+>", " ", html, flags=re.S)


@pytest.mark.parametrize("quarter", [1, 3])
def test_no_report_prints_a_missing_value_as_a_word(reports, quarter):
    """No "nan", "None" or "NaT" in any report's HTML, PDF text or CSV tables (all four reports)."""
    folder = reports / "2025-26" / f"q{quarter}"
    checked = {}
    for path in sorted(folder.iterdir()):
        if path.suffix == ".html":
            checked[path.name] = visible_text(path.read_text(encoding="utf-8"))
        elif path.suffix == ".pdf":
            checked[path.name] = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True,
                                                check=True).stdout
        elif path.suffix == ".csv":
            checked[path.name] = path.read_text(encoding="utf-8")
    reports_seen = {name.split(".")[0] for name in checked if name.endswith(".pdf")}
    assert reports_seen >= {"quarterly_dashboard", "benchmarking", "use_of_resources", "waiting_list"}
    for name, text in checked.items():
        found = [text[max(m.start() - 60, 0):m.end() + 20] for m in MISSING_WORDS.finditer(text)]
        assert not found, f"{name}: {found[:3]}"


def test_client_level_data_sections_in_make_q3(reports, tmp_path):
    """The dashboard and the waiting-list report compute from the (synthetic) CLD extract, say so,
    and list the extract with its hash; Appendix A keeps the published figures (tests above)."""
    import hashlib

    q3 = reports / "2025-26" / "q3"
    digest = hashlib.sha256((ROOT / "data" / "processed" / "cld_synthetic.parquet").read_bytes()).hexdigest()
    label = "synthetic demonstration data, not the council"
    dashboard = (q3 / "quarterly_dashboard.html").read_text(encoding="utf-8")
    assert "In-year ASCOF from client level data" in dashboard and label in dashboard and digest in dashboard
    in_year = pd.read_csv(q3 / "quarterly_dashboard_in_year.csv").set_index("metric_id")
    assert list(in_year.index) == ["ascof_2a", "ascof_2b", "ascof_2c", "ascof_2d"]
    assert (in_year["estimate"] == "provisional").all() and in_year.loc["ascof_2a", "dhsc_value"] == 73.7
    assert in_year["value"].notna().all() and in_year.loc["ascof_2d", "period_end"] == "2025-09-30"
    text = subprocess.run(["pdftotext", str(q3 / "quarterly_dashboard.pdf"), "-"], capture_output=True, text=True).stdout
    assert "In-year ASCOF from client level data" in text
    waiting = (q3 / "waiting_list.html").read_text(encoding="utf-8")
    assert "DHSC waiting-time measures from client level data" in waiting and digest in waiting
    assert "not DHSC measures" in waiting and "Limits of the method" in waiting
    measures = pd.read_csv(q3 / "waiting_list_cld_waiting_times.csv")
    assert set(measures["method"]) == {"DHSC method", "project addition"}
    assert set(measures["data"]) == {"synthetic demonstration data, not the council's figures"}
    # a council's own extract (newer than the reports) rebuilds the two reports that read it, as their parameter
    own = tmp_path / "own_extract.parquet"
    own.write_bytes((ROOT / "data" / "processed" / "cld_synthetic.parquet").read_bytes())
    what_if = subprocess.run(["make", "-n", "q3", f"REPORTS={reports}", f"CLD_EXTRACT={own}"], cwd=ROOT,
                             capture_output=True, text=True).stdout
    runs = {line.split("notebooks/")[1].split(".ipynb")[0]: line for line in what_if.splitlines()
            if " report notebooks/" in line}
    assert {"quarterly_dashboard", "waiting_list"} <= set(runs)
    for name, line in runs.items():
        assert (f"--parameter cld_extract={own}" in line) == (name in ("quarterly_dashboard", "waiting_list"))


@pytest.mark.parametrize("quarter, expected", [
    (1, ["lga_use_of_resources_2024_25"]),  # the committee paper came out after Q1's cut-off
    (3, ["lga_use_of_resources_2024_25", "lcc_osc_2026_03_02_uor"]),
])
def test_use_of_resources_lists_the_sources_of_its_figures(reports, quarter, expected):
    html = (reports / "2025-26" / f"q{quarter}" / "use_of_resources.html").read_text(encoding="utf-8")
    section = html.split("Sources of the figures used", 1)[1].split("<h4>", 1)[0].replace("<wbr/>", "").replace("<wbr>", "")
    assert re.findall(r"<tr>\s*<td>([^<]*)</td>", section) == expected
