"""The client level data sections of the dashboard and the waiting-list report, on small generated extracts."""

import hashlib
from datetime import date

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from conftest import RAW, ROOT
from scrutiny.cld import api, synthetic
from scrutiny.cld.extract import ExtractError
from scrutiny.context import report_context
from scrutiny.dashboard import in_year
from scrutiny.inputs import cld_extract, load_inputs
from scrutiny.publishing import build
from scrutiny.waiting_list import cld_waits

SMALL = synthetic.Council("E10000018", "Leicestershire (synthetic, small)", 0.05)


@pytest.fixture(scope="module")
def small_extract(tmp_path_factory):
    path = tmp_path_factory.mktemp("cld") / "small.parquet"
    synthetic.write_extract(path, [SMALL], "2026-03-31")
    return path


@pytest.fixture(scope="module")
def inputs():
    return load_inputs(RAW)


@pytest.fixture(scope="module")
def q3(inputs):
    return report_context(inputs, "2025-26", 3, "E10000018")


@pytest.fixture(scope="module")
def q3_section(q3, small_extract):
    return in_year.build_in_year(q3, str(small_extract))


def as_synthetic(monkeypatch, path):
    """Make the synthetic default point at ``path``."""
    monkeypatch.setattr(cld_extract, "SYNTHETIC_EXTRACT", str(path))


# ---- the extract --------------------------------------------------------------------------------

def test_an_explicit_extract_must_exist_and_a_missing_synthetic_one_names_the_make_target(tmp_path, monkeypatch):
    with pytest.raises(ExtractError, match="cld_extract=.*nowhere.parquet: file not found"):
        cld_extract.locate(tmp_path / "nowhere.parquet")
    as_synthetic(monkeypatch, tmp_path / "missing.parquet")
    with pytest.raises(cld_extract.MissingExtractError, match="run `make .*missing.parquet`"):
        cld_extract.locate("")


def test_describe_gives_hash_events_dates_and_label(small_extract):
    described = cld_extract.describe(small_extract, synthetic=True)
    assert described.sha256 == hashlib.sha256(small_extract.read_bytes()).hexdigest()
    assert described.events == len(pd.read_parquet(small_extract))
    assert described.import_date == date(2026, 4, 20) and described.last_event == date(2026, 3, 31)
    assert described.covers(date(2025, 12, 31)) and not described.covers(date(2026, 6, 30))
    assert described.label == cld_extract.SYNTHETIC_LABEL
    assert cld_extract.describe(small_extract, synthetic=False).label != cld_extract.SYNTHETIC_LABEL


def test_the_synthetic_extract_covers_the_calendar(tmp_path):
    assert cld_extract.synthetic_period_end(RAW) == date(2026, 3, 31)
    assert [c.code for c in cld_extract.synthetic_councils(RAW)] == ["E10000018"]
    calendar = (RAW / "reporting_calendar.csv").read_text() + "E10000018,2026-27,1,2026-09-01,2026-09-01,x,\n"
    (tmp_path / "reporting_calendar.csv").write_text(calendar)
    (tmp_path / "councils.csv").write_text((RAW / "councils.csv").read_text())
    assert cld_extract.synthetic_period_end(tmp_path) == date(2027, 3, 31)


def test_provenance_lists_the_extract_hash_and_the_method_rules(small_extract):
    html = cld_extract.provenance_html(cld_extract.describe(small_extract, synthetic=True))
    assert cld_extract.describe(small_extract, True).sha256 in html
    assert "3.1" in html and "stated" in html and "cld-methods.md" in html
    assert "Synthetic extract" in html
    assert "No client level data extract was used: because" in cld_extract.provenance_html(None, "because")


# ---- the dashboard section -----------------------------------------------------------------------

def test_in_year_figures_are_the_engines_beside_dhscs_latest(q3_section, small_extract):
    table = q3_section.table.set_index("metric_id")
    assert list(table.index) == ["ascof_2a", "ascof_2b", "ascof_2c", "ascof_2d"]
    assert (q3_section.period_start, q3_section.period_end) == (date(2025, 1, 1), date(2025, 12, 31))
    engine = api.dashboard_figures(small_extract, "E10000018", "2025-12-31",
                                   population={"18 to 64": 440785, "65 and above": 157349}).set_index("metric_id")
    for metric_id in ("ascof_2a", "ascof_2b", "ascof_2c", "ascof_2d"):
        assert table.at[metric_id, "value"] == engine.at[metric_id, "value"]
        assert table.at[metric_id, "estimate"] == "provisional"
        assert table.at[metric_id, "method"] == "local calculation, DHSC method"
    # DHSC's 2024/25 figures (published 18 December 2025, before the Q3 cut-off) beside them
    assert table.loc["ascof_2a", ["dhsc_value", "dhsc_numerator", "dhsc_denominator"]].tolist() == [73.7, 2067, 2805]
    assert table.at["ascof_2d", "dhsc_value"] == 58.7
    # 2D from the synthetic discharges beside the extract, lagged a quarter as DHSC lags it
    assert table.at["ascof_2d", "period_end"] == date(2025, 9, 30) and table.at["ascof_2d", "reason"] == ""
    assert q3_section.source_ids == {"cld_local", "dhsc_ascof_2024_25"}


def test_small_counts_are_withheld_and_shown_as_c(q3_section):
    table = q3_section.table.set_index("metric_id")
    two_b = table.loc["ascof_2b"]  # a twentieth of a county: a handful of working-age admissions
    assert pd.isna(two_b["numerator"]) and not pd.isna(two_b["value"])
    assert "[c] admissions" in in_year.section_html(q3_section)


def test_synthetic_figures_say_so_in_the_title_and_beside_every_figure(q3, small_extract, monkeypatch):
    as_synthetic(monkeypatch, small_extract)
    section = in_year.build_in_year(q3, "")
    assert section.synthetic and section.title.endswith("synthetic demonstration data, not the council's figures")
    html = in_year.section_html(section).replace("&#39;", "'")
    computed = section.table["value"].notna().sum()
    assert computed == 4
    assert html.count(cld_extract.SYNTHETIC_LABEL) >= computed + 1
    assert "not the council's figures" not in in_year.section_html(in_year.build_in_year(q3, str(small_extract)))


def test_quarter_1_uses_the_later_population_and_says_so(inputs, small_extract):
    q1 = report_context(inputs, "2025-26", 1, "E10000018")
    section = in_year.build_in_year(q1, str(small_extract))
    assert section.period_end == date(2025, 6, 30)
    assert "after this report's cut-off" in section.population_note
    assert section.table["dhsc_value"].isna().all()  # nothing DHSC published by 1 September 2025
    assert "No DHSC figure published by the report's cut-off" in in_year.section_html(section)


def test_an_extract_taken_before_the_quarter_ends_gives_the_reason(q3, tmp_path):
    early = tmp_path / "early.csv"
    synthetic.write_extract(early, [synthetic.Council("E10000018", "early", 0.01)], "2025-06-30")
    section = in_year.build_in_year(q3, str(early))
    assert "taken on 2025-07-20, before the 12 months end" in section.reason
    assert section.table["value"].isna().all()


def test_without_the_synthetic_extract_the_section_says_how_to_make_it(q3, tmp_path, monkeypatch):
    as_synthetic(monkeypatch, tmp_path / "absent.parquet")
    section = in_year.build_in_year(q3, "")
    assert section.extract is None and "make" in section.reason
    assert section.table["value"].isna().all() and section.source_ids == {"dhsc_ascof_2024_25"}


def test_in_year_csv_holds_aggregates_only(q3_section, tmp_path):
    [path] = in_year.write_in_year(q3_section, tmp_path)
    written = pd.read_csv(path)
    assert path.name == "quarterly_dashboard_in_year.csv" and len(written) == 4
    assert not {"Person_ID", "NHS Number", "LA Person Unique Identifier"} & set(written.columns)


# ---- the waiting-list section ---------------------------------------------------------------------

@pytest.fixture(scope="module")
def waits(small_extract):
    return cld_waits.build_cld_waiting_times(str(small_extract), "E10000018", date(2025, 12, 31), date(2025, 12, 31))


def test_dhsc_measures_by_quarter_and_age_band_match_the_engine(waits, small_extract):
    table = cld_waits.dhsc_table(waits)
    assert list(table.columns) == ["quarter", "age_band", "First response: median days", "First response: waits",
                                   "First service: median days", "First service: waits"]
    assert len(table) == 2 * 7  # April 2024 to December 2025, two age bands
    engine = api.waiting_time_measures(small_extract, "E10000018", "2025-12-31")
    median = engine[(engine["statistic"] == "median days") & (engine["metric"] == "Wait time to first response")
                    & (engine["age_band"] == "65 and above") & (engine["quarter_end"] == date(2025, 12, 31))].iloc[0]
    row = table[(table["quarter"] == "Oct-Dec 2025") & (table["age_band"] == "65 and above")].iloc[0]
    assert row["First response: median days"] == ("[c]" if median["suppressed"] else f"{median['value']:,.1f}")


def test_additions_are_labelled_and_still_waiting_is_at_the_snapshot(waits):
    assert set(waits.table["method"]) == {"DHSC method", "project addition"}
    assert "90th percentile" in " ".join(cld_waits.additions_table(waits).columns)
    still = cld_waits.still_waiting_table(waits)
    assert set(still["waiting_for"]) == {"Still waiting for a first response", "Still waiting for a first service"}
    html = cld_waits.section_html(waits)
    assert "not DHSC measures" in html and "people still waiting at 31 Dec 2025 (a lower bound)" in html
    assert "3.11" in html and "right-censored" in html
    assert "synthetic demonstration data" not in html


def test_small_groups_are_withheld(waits):
    small = waits.table[waits.table["waits"] < 5]
    assert small["value"].isna().all() and small["suppressed"].all()


def test_chart_and_csv(waits, tmp_path):
    figure = cld_waits.median_chart(waits)
    assert [axis.get_title() for axis in figure.axes] == list(cld_waits.METRICS)
    assert len(figure.axes[0].lines) == 4  # median and 90th percentile for each age band
    plt.close(figure)
    [path] = cld_waits.write_cld_tables(waits, tmp_path)
    written = pd.read_csv(path)
    assert len(written) == len(waits.table) and set(written["data"]) == {"local calculation from the council's own extract"}


def test_synthetic_waits_are_labelled_and_a_missing_extract_gives_the_reason(small_extract, tmp_path, monkeypatch):
    as_synthetic(monkeypatch, small_extract)
    section = cld_waits.build_cld_waiting_times("", "E10000018", date(2025, 12, 31), date(2025, 12, 31))
    html = cld_waits.section_html(section).replace("&#39;", "'")
    assert section.title.endswith(cld_extract.SYNTHETIC_LABEL)
    assert html.count(cld_extract.SYNTHETIC_LABEL) >= 5  # the notice, the text and every table's caption
    assert cld_extract.SYNTHETIC_LABEL in cld_waits.median_chart(section)._suptitle.get_text()
    as_synthetic(monkeypatch, tmp_path / "absent.parquet")
    missing = cld_waits.build_cld_waiting_times("", "E10000018", date(2025, 12, 31), date(2025, 12, 31))
    assert missing.table.empty and cld_waits.median_chart(missing) is None
    assert "Not shown:" in cld_waits.section_html(missing)


def test_build_passes_other_notebook_parameters_as_name_value(capsys):
    with pytest.raises(SystemExit):
        build.main(["report", str(ROOT / "notebooks" / "waiting_list.ipynb"), "--financial-year", "2025-26",
                    "--quarter", "3", "--out", "x", "--parameter", "cld_extract"])
    assert "--parameter takes NAME=VALUE" in capsys.readouterr().err


def test_the_2d_row_is_shown_with_its_own_months(q3_section):
    """DHSC lags 2D by a quarter (12 weeks of follow-up): the row prints its own 12 months."""
    row = q3_section.table.set_index("metric_id").loc["ascof_2d"]
    assert row["period_start"] == date(2024, 10, 1) and row["period_end"] == date(2025, 9, 30)
    counts = f"({row['numerator']:,.0f} out of {row['denominator']:,.0f}) for the 12 months to Sep-25"
    assert counts in in_year.section_html(q3_section)


def test_2d_without_hospital_discharges_says_why_and_shows_no_figure(q3, tmp_path):
    path = tmp_path / "no_discharges.parquet"
    synthetic.write_extract(path, [SMALL], "2026-03-31", discharges=False)
    table = in_year.build_in_year(q3, str(path)).table.set_index("metric_id")
    assert pd.isna(table.at["ascof_2d", "value"]) and pd.isna(table.at["ascof_2d", "numerator"])
    assert "hospital discharge (SUS)" in table.at["ascof_2d", "reason"]
    assert table.loc[["ascof_2a", "ascof_2b", "ascof_2c"], "value"].notna().all()
