"""The national panel path: every statistic computed from all councils' figures, the same report for
any council, real ASCOF figures reproducing the published Step 7 columns, and clear errors."""

import json

import numpy as np
import pandas as pd
import papermill
import pytest

from conftest import RAW, ROOT
from scrutiny.inputs import InputError
from scrutiny.inputs.national import load_council_lookup
from scrutiny.use_of_resources import paper
from scrutiny.use_of_resources.pack import load_pack
from scrutiny.use_of_resources.panel import PANEL_FILE, panel_comparisons, read_panel
from scrutiny.use_of_resources.report import build_use_of_resources_report, compare_sources
from scrutiny.use_of_resources.statistics import compare, ranks, value_percentiles

NATIONAL = ROOT / "data" / "processed" / "ascof_time_series.csv"
needs_data = pytest.mark.skipif(not NATIONAL.exists(), reason="needs make data")
TREND = ROOT.parent / "shared" / "reference-data" / "acbockmuehl-ascof-repos" / "trend_data.csv"
if not TREND.exists():
    TREND = ROOT.parents[1] / "shared" / "reference-data" / "acbockmuehl-ascof-repos" / "trend_data.csv"
METRICS = ("11518", "11526", "11527", "11533", "11530", "11531", "11532", "11528", "11529", "12340", "11515", "11516",
           "11517", "12298", "11521", "11534")


def synthetic_panel(seed: int = 7) -> pd.DataFrame:
    """Made-up figures for all 153 councils and England, two years (not real data)."""
    lookup = load_council_lookup(RAW / "national" / "ons_codes.csv")
    rng = np.random.default_rng(seed)
    rows = []
    for year in ("2023-24", "2024-25"):
        for metric_id in METRICS:
            values = rng.normal(500, 120, len(lookup)).round(2)
            rows += [{"council_code": c, "year": year, "metric_id": metric_id, "value": v, "source": "synthetic"}
                     for c, v in zip(lookup.index, values, strict=True)]
            rows.append({"council_code": "E92000001", "year": year, "metric_id": metric_id,
                         "value": round(float(values.mean()) * 1.01, 2), "source": "synthetic"})
    return pd.DataFrame(rows)


def test_percentiles_ranks_and_quartiles():
    values = pd.Series([10.0, 20.0, 20.0, 40.0, np.nan], index=list("abcde"))
    assert value_percentiles(values) == pytest.approx((34.0, 13.0))
    assert ranks(values).tolist()[:4] == [4, 2, 2, 1]
    assert ranks(values, low_first=True).tolist()[:4] == [1, 2, 2, 4]
    result = compare(values, "11518", "b", ["a", "b"], england=25.0)
    assert result["county_mean"] == 15.0 and result["rank"] == 2 and result["quartile"] == 2 and result["councils"] == 4


@pytest.mark.skipif(not TREND.exists(), reason="needs ../shared/reference-data")
def test_real_ascof_2023_24_reproduces_the_published_step_7_columns():
    """Computed from every council's ASCOF 2023/24 figure, the panel path matches the LG Inform report exactly."""
    trend = pd.read_csv(TREND, dtype=str)
    codes = {"3D2A": "4277", "2E": "10674", "2B": "4281", "2C": "4282"}
    rows = trend[(trend["Year"] == "2023-24") & trend["Measure Group"].isin(codes)
                 & trend["Geographical Level"].isin(["Council", "England"])
                 & trend["Disaggregation Level"].fillna("").isin(["", "Total"])]
    panel = pd.DataFrame({"council_code": rows["ONS Code"], "year": "2023-24", "metric_id": rows["Measure Group"].map(codes),
                          "value": pd.to_numeric(rows["Measure_Value"], errors="coerce"), "source": "ASCOF 2023-24"})
    counties = sorted(c for c in panel["council_code"].unique() if c.startswith("E10"))
    computed = panel_comparisons(panel, "E10000018", counties, None)
    pack = load_pack(RAW / "use_of_resources").comparisons
    step7 = pack[pack["metric_id"].isin(codes.values())]
    assert compare_sources(step7, computed).empty
    assert computed.set_index("metric_id").loc["4281", ["rank", "low_end", "high_end"]].tolist() == [60, pytest.approx(6.74, abs=0.01), pytest.approx(22.49, abs=0.01)]


@pytest.fixture()
def panel_raw(raw_copy):
    """data/raw with a synthetic national panel."""
    synthetic_panel().to_csv(raw_copy / "national" / PANEL_FILE, index=False)
    return raw_copy


@needs_data
def test_another_council_from_the_panel(panel_raw):
    report = build_use_of_resources_report(panel_raw, "2025-26", 3, "E10000007", "county_councils")
    assert (report.origin, report.year, report.missing) == ("panel", "2024-25", [])
    panel = synthetic_panel()
    this = panel[(panel["metric_id"] == "11518") & (panel["year"] == "2024-25") & (panel["council_code"] != "E92000001")]
    values = this.set_index("council_code")["value"]
    row = report.comparisons.set_index(["metric_id", "year"]).loc[("11518", "2024-25")]
    assert row["council"] == values["E10000007"]
    assert row["high_end"] == pytest.approx(np.percentile(values, 90))
    assert row["rank"] == int((values > values["E10000007"]).sum()) + 1
    assert row["county_mean"] == pytest.approx(values[report.group].mean())
    assert row["councils"] == 153
    assert report.populations["population_65_plus"] > 0  # mid-2024 populations from the ASCOF table
    assert paper.headlines(report)[0].startswith("In Derbyshire, the total spend on adult social care in 2024/25")
    assert paper.discrepancies(report).empty  # no committee paper for Derbyshire
    league = paper.group_league(report)
    group_values = values[report.group].sort_values()
    place = list(group_values.index).index("E10000007") + 1
    assert f"Among the {len(group_values)} councils of its comparator group" in league[0]
    assert report.names[group_values.index[0]] + " spending the least" in league[0]
    assert report.names[group_values.index[-1]] + " spending the most" in league[0]
    assert f"{paper.ordinal(place) if place > 3 else ''}" in league[0]


@needs_data
def test_pack_and_panel_are_checked_against_each_other(panel_raw):
    report = build_use_of_resources_report(panel_raw, "2025-26", 3, "E10000018")
    assert report.origin == "pack"
    assert not report.differences.empty  # the synthetic panel disagrees with the published figures
    assert {"council", "rank"} <= set(report.differences["column"])


@pytest.mark.slow
def test_the_notebook_for_a_council_with_neither_pack_nor_panel_says_what_it_needs(raw_copy, tmp_path):
    output = tmp_path / "run.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "use_of_resources.ipynb"), str(output), kernel_name="python3",
        parameters={"council_code": "E10000007", "data_dir": str(raw_copy)}, cwd=str(ROOT / "notebooks"),
        progress_bar=False,
    )
    text = json.dumps(json.loads(output.read_text()))
    assert "Figures not available" in text and PANEL_FILE in text


def test_a_council_with_neither_pack_nor_panel_is_told_what_to_add(raw_copy):
    report = build_use_of_resources_report(raw_copy, "2025-26", 3, "E10000007")
    assert report.origin == "none"
    message = " ".join(report.missing)
    assert PANEL_FILE in message and "make data" in message and "pack.csv" in message


@needs_data
def test_a_council_missing_from_the_panel_is_named(tmp_path):
    panel = synthetic_panel()
    panel = panel[panel["council_code"] != "E10000007"]
    with pytest.raises(InputError, match=r"council 'E10000007' has no rows in the panel \(column 'council_code'\)"):
        panel_comparisons(panel, "E10000007", [], None, "panel.csv")


def test_bad_panel_rows_name_line_and_column(tmp_path):
    path = tmp_path / PANEL_FILE
    path.write_text("council_code,year,metric_id,value,source\n"
                    "E10000018,2024-25,11518,500.31,x\n"
                    "E10000018,2024-25,99999,1,x\n"
                    "E10000018,2024/25,11533,1,x\n"
                    "E10000018,2024-25,11530,12k,x\n", encoding="utf-8")
    with pytest.raises(InputError) as caught:
        read_panel(path)
    message = str(caught.value)
    assert "line 3, column 'metric_id': unknown metric '99999'" in message
    assert "line 4, column 'year': expected a financial year" in message
    assert "line 5, column 'value': expected a plain number or blank, found '12k'" in message


@pytest.mark.slow
@needs_data
def test_the_notebook_runs_for_another_council_from_the_panel(panel_raw, tmp_path):
    output = tmp_path / "run.ipynb"
    papermill.execute_notebook(
        str(ROOT / "notebooks" / "use_of_resources.ipynb"), str(output), kernel_name="python3",
        parameters={"council_code": "E10000007", "data_dir": str(panel_raw), "output_dir": str(tmp_path / "tables")},
        cwd=str(ROOT / "notebooks"), progress_bar=False,
    )
    text = json.dumps(json.loads(output.read_text()))
    assert "Derbyshire" in text and "national panel" in text
    assert (tmp_path / "tables" / "use_of_resources_step1a.csv").exists()
