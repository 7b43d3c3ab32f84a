"""The dated metric catalogue: every year's appendix from one data/raw.

tests/fixtures/catalogue_2023_24/ is a synthetic year-end 2023/24 appendix (invented figures in
the shape of the council's): a metric rated against a target band, a metric retired after
2023/24, the 2014 framework's ASCOF 4B (a code that means another measure from 2024/25), an
earlier definition of 2D (91 days), a survey whose results were not yet published, a metric
with no figure at all and no activity figures. Merged into the shipped inputs it must change
no 2025/26 report, and the 2023/24 report built from the merged inputs must be the one built
from its own inputs alone.
"""

import io
import re
import shutil
import subprocess
import warnings
from pathlib import Path

import pandas as pd
import pytest

from conftest import ROOT
from scrutiny.dashboard import narrative, render
from scrutiny.dashboard.builder import ROW_COLUMNS, aim_text, build_row
from scrutiny.dashboard.report import build_quarterly_report, write_tables
from scrutiny.inputs import InputError, load_inputs
from scrutiny.methods.comparability import metric_rule
from scrutiny.methods.rules import Figure, MetricRule, band_polarity_of, rate_against

RAW = ROOT / "data" / "raw"
PAST_YEAR = ROOT / "tests" / "fixtures" / "catalogue_2023_24"


def merge_into(folder: Path, fixture: Path = PAST_YEAR) -> Path:
    """The shipped data/raw with every row of the fixture's tables appended (as an analyst adds a year)."""
    shutil.copytree(RAW, folder, ignore=shutil.ignore_patterns("national", "use_of_resources"))
    for path in sorted(fixture.glob("*.csv")):
        target = folder / path.name
        ours, theirs = target.read_text(encoding="utf-8"), path.read_text(encoding="utf-8")
        header, _, rows = theirs.partition("\n")
        assert ours.splitlines()[0] == header, f"{path.name}: the fixture's columns differ from data/raw's"
        target.write_text(ours.rstrip("\n") + "\n" + rows, encoding="utf-8")
    return folder


def alone(folder: Path, fixture: Path = PAST_YEAR) -> Path:
    """The fixture's year on its own (with the shipped list of councils)."""
    shutil.copytree(fixture, folder)
    shutil.copy(RAW / "councils.csv", folder / "councils.csv")
    return folder


def report_texts(data_dir: Path, financial_year: str, quarter: int, out: Path) -> dict[str, str]:
    """What a reader sees of the dashboard: its HTML sections, the drafted sentences and every CSV."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_quarterly_report(data_dir, financial_year, quarter, "E10000018")
    inputs = report.context.inputs
    texts = {
        "grouping": report.grouping_note(),
        "dashboard": render.dashboard_html(report.table, report.series, report.this_year_label,
                                           report.last_year_label, plan=inputs.framing_text("plan")),
        "activity": render.activity_html(report.activity),
        "summary": narrative.summary_sentence(report.counts, len(report.table), report.table),
        "commentary": repr(narrative.layer_paragraphs(report.table)) + repr(narrative.sentences(report.activity)),
    }
    for path in write_tables(report, out):
        texts[path.name] = path.read_text(encoding="utf-8")
    return texts


@pytest.fixture(scope="module")
def merged(tmp_path_factory) -> Path:
    return merge_into(tmp_path_factory.mktemp("merged") / "raw")


@pytest.fixture(scope="module")
def past_year(merged, tmp_path_factory) -> dict[str, str]:
    return report_texts(merged, "2023-24", 4, tmp_path_factory.mktemp("past"))


def test_past_year_report_is_the_one_built_from_its_own_inputs(merged, past_year, tmp_path):
    own = report_texts(alone(tmp_path / "alone"), "2023-24", 4, tmp_path / "out")
    assert own.keys() == past_year.keys()
    for name in own:
        assert own[name] == past_year[name], f"{name} differs when other years' inputs are present"


@pytest.mark.slow
@pytest.mark.parametrize("quarter", [1, 3])
def test_shipped_reports_do_not_change_when_a_past_year_is_added(merged, tmp_path, quarter):
    shipped = report_texts(RAW, "2025-26", quarter, tmp_path / "shipped")
    with_past = report_texts(merged, "2025-26", quarter, tmp_path / "merged")
    for name in shipped:
        assert shipped[name] == with_past[name], f"{name} changed when 2023/24 was added"


def test_past_year_prints_its_own_definitions_footnotes_bands_and_framing(past_year):
    table = pd.read_csv(io.StringIO(past_year["quarterly_dashboard.csv"]), dtype={"framework_version": str})
    assert list(table["metric_id"]) == ["ascof_3c1", "sequels_prevent_need", "ascof_5a1", "ascof_2d",
                                        "ascof_4b_2014", "carer_reviews"]
    html = past_year["dashboard"]
    assert "91 days" in html and "12 weeks" not in html
    assert "Adults and Communities Strategy 2020-2024" in past_year["grouping"]
    assert "2025-2029" not in past_year["grouping"] + html
    assert "Client Level Data" not in html  # the 2024/25 break is not this year's concern
    assert "Library Management System" not in html and "Market Harborough" not in html
    assert "the ASCOF 2023/24 handbook defines it" in html
    # the 2014 framework's 4B, not today's safeguarding 4B
    row = table.set_index("metric_id").loc["ascof_4b_2014"]
    assert (row["code"], str(row["framework_version"])) == ("4B", "2014")
    assert "ASCOF 4B<div class=\"small\">2014 framework</div>" in html
    # the band is printed, rated with its polarity and compared by distance to the band (F05c, e)
    band = table.set_index("metric_id").loc["sequels_prevent_need"]
    assert (band["band_low"], band["band_high"], band["band_polarity"]) == (55, 60, "band_optimal")
    assert (band["rating"], band["rating_reason"], band["dot"]) == ("worse", "off target, above band", "worsened")
    assert "55.0–60.0%" in html and "outside the band either way is worse" in html
    assert "above the 2023/24 target band of 55.0–60.0% (off target)" in past_year["commentary"]
    assert past_year["summary"].endswith("the other 2 were not compared (no earlier figure to compare with and "
                                         "figures not yet published).")


def test_metric_without_a_figure_shows_its_reason_and_no_activity_table_is_empty(past_year):
    table = pd.read_csv(io.StringIO(past_year["quarterly_dashboard.csv"])).set_index("metric_id")
    reason = "no figure for 2023/24 published by the cut-off (10 June 2024)"
    assert table.loc["ascof_5a1", "missing_reason"] == reason
    assert reason in past_year["commentary"]
    assert "<th>" not in past_year["activity"] and "No activity figures are recorded" in past_year["activity"]
    for name, text in past_year.items():
        visible = re.sub(r"<style.*?</style>|<[^>]+>", " ", text, flags=re.S)
        assert not re.search(r"\b(nan|NaN|None|NaT)\b", visible), f"{name}: {visible[:200]}"


def test_shipped_reports_hold_only_metrics_in_force(merged):
    inputs = load_inputs(merged)
    assert len(inputs.catalogue) == 36 + 6
    assert set(inputs.for_period(pd.Timestamp("2025-12-31").date()).metrics["metric_id"]).isdisjoint(
        {"sequels_prevent_need", "carer_reviews", "ascof_4b_2014"})
    past = inputs.for_period(pd.Timestamp("2024-03-31").date())
    assert past.metrics.loc["ascof_2d", "description"].startswith("Older people (65+) still at home 91 days")
    assert past.footnotes_for("ascof_2d")[0].startswith("In 2023/24")
    assert past.framing_text("plan") == "Strategic Plan 2022-26"
    # a year with no appendix in the catalogue
    assert inputs.for_period(pd.Timestamp("2024-12-31").date()).metrics.empty


# --- validation of the catalogue ------------------------------------------------------------------


def _append(path: Path, line: str) -> int:
    text = path.read_text(encoding="utf-8").rstrip("\n") + "\n"
    path.write_text(text + line + "\n", encoding="utf-8")
    return text.count("\n") + 1


def _metric_line(metric_id: str, valid_from: str, valid_until: str, code: str = "", version: str = "",
                 framework: str = "Local", kind: str = "count", multiplier: str = "1") -> str:
    return (f"{metric_id},{valid_from},{valid_until},{framework},{version},{code},A test metric,Prevent need,"
            f"Safe and Well,An outcome,high,{kind},people,{multiplier},financial_ytd,int,true,,none,,,999,true,,,")


def test_overlapping_versions_of_a_metric_are_rejected(raw_copy):
    line = _append(raw_copy / "metrics.csv", _metric_line("heritage_visits", "2025-10-01", "", kind="count"))
    with pytest.raises(InputError, match=r"metrics.csv:\n  line \d+, column 'metric_id': two versions of this metric "
                                         r"are in force on the same day"):
        load_inputs(raw_copy)
    assert line > 30


def test_a_code_meaning_two_measures_in_one_period_is_rejected(raw_copy):
    _append(raw_copy / "metrics.csv", _metric_line("ascof_4b_other", "2025-04-01", "2026-03-31", code="4B",
                                                   version="2014", framework="ASCOF", kind="proportion",
                                                   multiplier="100"))
    with pytest.raises(InputError, match=r"column 'code': this code means another metric in the same period"):
        load_inputs(raw_copy)


def test_a_reused_code_in_another_period_is_accepted(raw_copy):
    _append(raw_copy / "metrics.csv", _metric_line("ascof_4b_2014", "2023-04-01", "2024-03-31", code="4B",
                                                   version="2014", framework="ASCOF", kind="survey_pct",
                                                   multiplier="100"))
    assert len(load_inputs(raw_copy).catalogue.loc["ascof_4b_2014"].shape) == 1


def test_a_version_changing_the_kind_is_rejected(raw_copy):
    _append(raw_copy / "metrics.csv", _metric_line("ascof_2a", "2023-04-01", "2024-03-31", code="2A",
                                                   version="2023", framework="ASCOF"))
    with pytest.raises(InputError, match=r"column 'kind': a metric's versions must keep its kind and multiplier"):
        load_inputs(raw_copy)


def test_ascof_metric_needs_its_framework_version(raw_copy):
    _append(raw_copy / "metrics.csv", _metric_line("ascof_9z", "2025-04-01", "", code="9Z", framework="ASCOF"))
    with pytest.raises(InputError, match=r"column 'framework_version': an ASCOF metric needs its framework_version"):
        load_inputs(raw_copy)


def test_validity_in_the_wrong_order_is_rejected(raw_copy):
    line = _append(raw_copy / "metrics.csv", _metric_line("test_metric", "2025-04-01", "2024-03-31"))
    with pytest.raises(InputError, match=rf"line {line}, column 'valid_from': valid_from must not be after valid_until"):
        load_inputs(raw_copy)


def test_footnote_outside_its_metric_validity_is_rejected(raw_copy):
    line = _append(raw_copy / "footnotes.csv", "library_visits,2024-04-01,2025-03-31,A note for 2024/25")
    with pytest.raises(InputError, match=rf"footnotes.csv:\n  line {line}, column 'valid_from': the footnote's period "
                                         r"lies outside its metric's validity"):
        load_inputs(raw_copy)


def test_footnote_of_an_unknown_metric_is_rejected(raw_copy):
    line = _append(raw_copy / "footnotes.csv", "library_vists,2025-04-01,,A note")
    with pytest.raises(InputError, match=rf"line {line}, column 'metric_id': metric_id is not in metrics.csv"):
        load_inputs(raw_copy)


def test_overlapping_framing_is_rejected(raw_copy):
    _append(raw_copy / "framing.csv", "plan,Strategic Plan 2026-30,2026-01-01,,lcc_osc_2026_03_02")
    with pytest.raises(InputError, match=r"framing.csv:\n  line \d, column 'element': two rows for this element"):
        load_inputs(raw_copy)


def test_missing_framing_for_the_period_names_the_file(raw_copy):
    path = raw_copy / "framing.csv"
    path.write_text("\n".join(path.read_text().splitlines()[:2]) + "\n")  # the plan row removed
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_quarterly_report(raw_copy, "2025-26", 3, "E10000018")
    with pytest.raises(InputError, match=r"framing.csv:\n  no row for element 'plan' is in force on 2025-12-31"):
        report.grouping_note()


# --- target bands and their polarity (statistical-methods.md 8.7, fixture F05) -------------------


@pytest.mark.parametrize(("name", "spec"), [("band_high", "high_is_good"), ("band_low", "low_is_good"),
                                            ("band_optimal", "band_optimal"), ("", "band_optimal"),
                                            ("high_is_good", "high_is_good")])
def test_band_polarity_names(name, spec):
    assert band_polarity_of(name) == spec


def test_band_polarity_unknown_name():
    with pytest.raises(ValueError, match="unknown band polarity 'band_middle'"):
        band_polarity_of("band_middle")


@pytest.mark.parametrize(("band_polarity", "events", "trials", "verdict", "reason"), [
    ("band_optimal", 1250, 2000, "worse", "off target, above band"),  # F05c
    ("band_high", 1250, 2000, "better", "off target, above band"),  # F05c with above is better
    ("band_low", 1250, 2000, "worse", "off target, above band"),
    ("band_optimal", 480, 1000, "worse", "off target, below band"),  # F05d
    ("band_low", 480, 1000, "better", "off target, below band"),
    ("band_high", 123, 200, "similar", "not significantly outside the band"),  # F05b
    ("band_low", 350, 600, "on_target", ""),  # F05a
])
def test_catalogue_band_polarity_rates_the_spec_examples(raw_copy, band_polarity, events, trials, verdict, reason):
    metric = pd.Series({"kind": "proportion", "polarity": "band", "multiplier": 100, "poisson": False,
                        "tolerance": None, "materiality": None, "band_polarity": band_polarity_of(band_polarity)})
    rating = rate_against(Figure(None, events, trials), metric_rule(metric), None, band=(55, 60))
    assert (rating.verdict, rating.reason) == (verdict, reason)


def test_catalogue_band_polarity_is_read_from_metrics_csv(raw_copy):
    path = raw_copy / "metrics.csv"
    _append(path, _metric_line("sequels", "2025-04-01", "", kind="proportion", multiplier="100")
            .replace(",high,proportion,", ",band,proportion,").replace(",true,,,", ",true,,band_high,"))
    metric = load_inputs(raw_copy).catalogue.loc["sequels"]
    assert metric_rule(metric) == MetricRule("proportion", "band", 100.0, True, None, 0.05, "high_is_good")
    assert aim_text("band", "high_is_good") == "Within band; above is better"


def _band_row(**changes) -> pd.Series:
    row = {"rating": "on_target", "rating_reason": "", "rating_indicative": False, "rating_basis": "ci",
           "kind": "proportion", "tolerance": 3.0, "materiality": 0.05, "benchmark_is_target": True,
           "display_format": "pct1", "band_low": 55.0, "band_high": 60.0, "band_polarity": "band_optimal",
           "benchmark_value": None, "benchmark_label": "Target band", "benchmark_operator": None}
    return pd.Series({**row, **changes})


def test_band_printed_as_a_band():
    assert render.band_text(_band_row()) == "55.0–60.0%"
    assert render.benchmark_text(_band_row()) == ("55.0–60.0%", "Target band")
    assert render.rating_text(_band_row()) == ("● Within target band (55.0–60.0%)", "")
    worse = _band_row(rating="worse", rating_reason="off target, above band", band_polarity="high_is_good",
                      rating_indicative=False)
    assert render.rating_text(worse) == ("▼ Worse", "off target, above band; above the band is better")
    assert render.band_text(_band_row(band_low=None)) == ""


def test_row_columns_are_those_of_a_built_row():
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        report = build_quarterly_report(RAW, "2025-26", 1, "E10000018")
    metric = report.context.inputs.metrics.iloc[0]
    assert tuple(build_row(report.context, metric)) == ROW_COLUMNS


@pytest.mark.slow
def test_make_builds_the_past_year_from_the_merged_inputs(merged, tmp_path):
    """The whole chain (papermill, nbconvert, Chromium) for the year end 2023/24 from one data/raw."""
    from test_backtest import MISSING_WORDS, visible_text

    result = subprocess.run(["make", "q4-quarterly_dashboard", "FY=2023-24", f"DATA={merged}", f"REPORTS={tmp_path}"],
                            cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
    folder = tmp_path / "2023-24" / "q4"
    html = visible_text((folder / "quarterly_dashboard.html").read_text(encoding="utf-8"))
    pdf = subprocess.run(["pdftotext", str(folder / "quarterly_dashboard.pdf"), "-"], capture_output=True, text=True,
                         check=True).stdout
    for text in (html, pdf):
        assert "Adults and Communities Strategy 2020-2024" in text and "91 days" in text
        assert "55.0–60.0%" in text and "No activity figures are recorded for this period." in text
        assert not MISSING_WORDS.search(text)
    for path in folder.glob("*.csv"):
        assert not MISSING_WORDS.search(path.read_text(encoding="utf-8")), path.name
