"""Which figures, benchmarks and verdicts the dashboard picks, on the shipped inputs."""

import pandas as pd
import pytest

from conftest import RAW, ROOT, edit_lines
from scrutiny.dashboard import narrative
from scrutiny.context import MissingInputsError, report_context
from scrutiny.dashboard.builder import MissingFigureWarning, build_dashboard, summary_counts
from scrutiny.inputs import load_inputs
from scrutiny.dashboard.report import build_quarterly_report, suppress_small_counts


@pytest.fixture(scope="module")
def q1():
    return build_dashboard(report_context(load_inputs(RAW), "2025-26", 1, "E10000018")).set_index("metric_id")


@pytest.fixture(scope="module")
def q3():
    return build_dashboard(report_context(load_inputs(RAW), "2025-26", 3, "E10000018")).set_index("metric_id")


def test_rows_follow_the_strategy_layers(q3):
    assert list(q3["layer"].unique()) == ["Prevent need", "Reduce need", "Delay need", "Meet need"]
    assert len(q3) == 25


def test_benchmark_is_the_latest_published_by_the_cut_off(q1, q3):
    assert q1.loc["ascof_2e", "benchmark_value"] == 81.6 and q1.loc["ascof_2e", "benchmark_label"] == "23/24 national average"
    assert q3.loc["ascof_2e", "benchmark_value"] == 81.4 and q3.loc["ascof_2e", "benchmark_label"] == "24/25 national average"
    assert q3.loc["ascof_3c2", "benchmark_label"] == "23/24 national average"  # biennial survey
    assert pd.isna(q1.loc["ascof_4b", "benchmark_value"])
    assert q1.loc["ascof_4b", "benchmark_label"] == "National data not yet published"


def test_figures_are_the_vintage_known_at_the_cut_off(q1, q3):
    # 2024/25 reablement: the council's own figure in September, DHSC's client level data in March
    assert (q1.loc["ascof_2a", "previous_numerator"], q1.loc["ascof_2a", "previous_denominator"]) == (3912, 4408)
    assert (q3.loc["ascof_2a", "previous_numerator"], q3.loc["ascof_2a", "previous_denominator"]) == (2067, 2805)


def test_direction_of_travel_is_not_compared_when_it_would_mislead(q1, q3):
    # F13: overlapping windows are tested as if independent; only a significant change is reported
    assert q3.loc["ascof_2a", "dot"] == "worsened"
    assert q3.loc["ascof_2a", "dot_reason"] == "periods overlap by 6 months; conservative test"
    assert (q3.loc["ascof_2c", "dot"], q3.loc["ascof_2c", "dot_reason"]) == ("not_compared", "overlapping periods")
    assert q3.loc["ascof_2c", "dot_change"] < 1  # the raw change (a rate ratio) is kept and printed
    assert q1.loc["ascof_2a", "dot_reason"] == "part-year figure against a full year"
    assert q1.loc["ascof_2b", "dot_reason"] == "forecast, not an actual"
    assert q1.loc["ascof_2b", "rating"] == "not_compared"
    assert q1.loc["library_visits", "dot_reason"].startswith("series break")
    assert q3.loc["community_library_issues", "rating_reason"] == "information only"


def test_verdicts_on_real_rows(q1, q3):
    assert (q1.loc["awaiting_assessment", "rating"], q1.loc["awaiting_assessment", "dot"]) == ("better", "improved")
    assert q1.loc["awaiting_assessment", "target_met"] == True  # noqa: E712 (numpy bool)
    assert (q1.loc["library_loans_junior", "rating"], q1.loc["library_loans_junior", "dot"]) == ("worse", "worsened")
    assert q3.loc["ascof_3c1", "rating"] == "worse" and q3.loc["ascof_3c1", "rating_basis"] == "published_moe"
    assert q1.loc["ascof_3c1", "rating_indicative"]  # no margin of error published by September
    assert q3.loc["ascof_3c1", "trend_test"] == "No significant change"
    assert q3.loc["ascof_2e", "trend_status"] == "No trend data available: change in data source to Client Level Data from 2024/25."


def test_narrative_sentence_from_the_data(q3):
    sentence = narrative.metric_sentence(q3.reset_index().set_index("metric_id", drop=False).loc["ascof_2e"])
    assert sentence == (
        "At the end of December 2025, the proportion of adults with a learning disability living at home or with family "
        "(ASCOF 2E(1)) was 87.6% (1,286 out of 1,468), similar to 87.3% (1,255 out of 1,437) in 2024/25 and "
        "better than the 24/25 national average of 81.4%."
    )


def test_summary_counts_add_up(q3):
    counts = summary_counts(q3)
    assert sum(counts["rating"].values()) == 25 and sum(counts["dot"].values()) == 25
    text = narrative.summary_sentence(counts, 25)
    assert text.startswith(f"Of the 25 metrics, {25 - counts['rating']['not_compared']} could be rated")



def test_within_target_band_is_summarised_apart_from_better():
    """statistical-methods.md 8.7 and 8.11: a figure within its target band is "Within target band",
    not "Better"; whether a target was met is its own yes/no count (section 1, rule 2). The summary
    counts, the sentence and the chart all say so, as the table does."""
    from scrutiny.dashboard.charts import summary_chart

    table = pd.DataFrame({
        "rating": ["on_target", "better", "similar", "worse"],
        "target_met": [True, None, False, None],
        "dot": ["improved", "no_significant_change", "worsened", "improved"],
    })
    counts = summary_counts(table)
    assert counts["rating"] == {"better": 1, "similar": 1, "worse": 1, "on_target": 1, "not_compared": 0}
    assert counts["target"] == {"met": 1, "not_met": 1}
    text = narrative.summary_sentence(counts, 4)
    assert "4 could be rated against a national average or local target: 1 performed better, 1 similar, " \
        "1 below and 1 within their target band." in text
    assert "2 have a local target or milestone for the period: 1 met it and 1 did not." in text
    keys = [t.get_text() for t in summary_chart(table).axes[0].texts if "·" in t.get_text()]
    assert keys == ["Better 1  ·  Similar 1  ·  Worse 1  ·  Within band 1", "Met 1  ·  Not met 1",
                    "Improved 2  ·  No sig. change 1  ·  Worsened 1"]


def test_the_summary_counts_targets_as_the_table_flags_them(q3):
    counts = summary_counts(q3)
    assert counts["target"] == {"met": int((q3["target_met"] == True).sum()),  # noqa: E712
                                "not_met": int((q3["target_met"] == False).sum())}  # noqa: E712
    assert counts["target"] == {"met": 8, "not_met": 2}

def test_small_counts_are_suppressed():
    table = pd.DataFrame({
        "kind": ["proportion", "count"], "unit": ["%", "people"],
        "current_value": [75.0, 3.0], "current_numerator": [3.0, None], "current_denominator": [4.0, 416.0],
        "previous_value": [80.0, 61.0], "previous_numerator": [40.0, None], "previous_denominator": [50.0, 672.0],
    })
    result = suppress_small_counts(table)
    assert result.loc[0, ["current_numerator", "current_denominator"]].isna().all()
    assert pd.isna(result.loc[1, "current_value"]) and result.loc[1, "previous_value"] == 61
    assert "[c]" in result.loc[0, "suppressed"] and "[c]" in result.loc[1, "suppressed"]


def test_monthly_figures_are_summed_to_year_to_date(raw_copy):
    (raw_copy / "monthly_observations.csv").write_text(
        "council_code,metric_id,month,value,source,as_of\n"
        "E10000018,heritage_visits,2025-04,10000,lcc_osc_2025_09_01,2025-09-01\n"
        "E10000018,heritage_visits,2025-05,15000,lcc_osc_2025_09_01,2025-09-01\n"
        "E10000018,heritage_visits,2025-06,16030,lcc_osc_2025_09_01,2025-09-01\n"
        "E10000018,heritage_visits,2025-08,99999,lcc_osc_2025_09_01,2025-09-01\n",
        encoding="utf-8",
    )
    edit_lines(raw_copy / "observations.csv",
               lambda lines: [line for line in lines if not line.startswith("E10000018,heritage_visits,2025-04-01,2025-06-30")])
    report = build_quarterly_report(raw_copy, "2025-26", 1, "E10000018")
    row = report.table.set_index("metric_id").loc["heritage_visits"]
    assert row["current_value"] == 41030 and row["current_period"] == "Apr-Jun 2025"
    # July is missing, so no year-to-date total is made for August
    obs = report.context.inputs.observations
    assert not ((obs["metric_id"] == "heritage_visits") & (obs["period_end"].astype(str) == "2025-08-31")).any()


@pytest.mark.skipif(not (RAW.parent / "processed" / "ascof_time_series.csv").exists(), reason="needs make data")
def test_past_trend_uses_the_national_series_once_loaded():
    report = build_quarterly_report(RAW, "2025-26", 3, "E10000018")
    series = report.series["ascof_3c1"].set_index("year")
    assert series.loc["2015/16", "council"] > 0 and series.loc["2015/16", "england"] > 0  # from DHSC's table
    assert series.loc["2023/24", "england"] == 67.9  # the newest release wins over the figure quoted in 2025
    assert report.national_files is not None
    # the Q1 paper's cut-off precedes that release, so its trend uses only the council's inputs
    early = build_quarterly_report(RAW, "2025-26", 1, "E10000018")
    assert "2015/16" not in set(early.series["ascof_3c1"]["year"]) and early.national_files is None


def test_activity_figures_of_the_quarter():
    q1 = build_quarterly_report(RAW, "2025-26", 1, "E10000018").activity.set_index("metric_id")
    q3 = build_quarterly_report(RAW, "2025-26", 3, "E10000018").activity.set_index("metric_id")
    assert q1.loc["contacts", "current_value"] == 12800 and q1.loc["contacts", "previous_value"] == 13867
    assert q1.loc["safeguarding_alerts", "dot"] == "increased"  # 984 against 523: information only
    assert "contacts" not in q3.index  # a Q1 figure is not repeated as current in Q3
    assert q3.loc["new_contacts", "previous_period"] == "Jan-Jun 2025"  # the preceding six months
    assert q3.loc["new_contacts", "dot"] == "no_significant_change"  # 4.9% is under the 5% threshold
    assert pd.isna(q3.loc["people_supported_65_plus", "previous_value"])
    text = narrative.sentences(q3.reset_index())
    assert "In 2024/25, the number of people aged 65 or over supported with care needs was 7,870." in text


def test_suppression_boundary_is_fewer_than_five():
    table = pd.DataFrame({
        "kind": ["proportion", "proportion", "count", "count"], "unit": ["%", "%", "people", "people"],
        "current_value": [80.0, 50.0, 4.0, 5.0], "current_numerator": [4.0, 5.0, None, None],
        "current_denominator": [5.0, 10.0, 9.0, 9.0],
        "previous_value": [None] * 4, "previous_numerator": [None] * 4, "previous_denominator": [None] * 4,
    })
    result = suppress_small_counts(table)
    assert pd.isna(result.loc[0, "current_numerator"]) and result.loc[1, "current_numerator"] == 5
    assert pd.isna(result.loc[2, "current_value"]) and result.loc[3, "current_value"] == 5
    assert result.loc[1, "suppressed"] == "" and result.loc[3, "suppressed"] == ""


Q3_VOLUNTEERING = "E10000018,volunteering_hours,2025-04-01,2025-12-31"


def _q3_volunteering(raw_copy):
    with pytest.warns(MissingFigureWarning) as caught:
        report = build_quarterly_report(raw_copy, "2025-26", 3, "E10000018")
    row = report.table.set_index("metric_id").loc["volunteering_hours"]
    return row, [str(w.message) for w in caught
                 if issubclass(w.category, MissingFigureWarning) and str(w.message).startswith("volunteering_hours")]


def test_a_missing_quarter_figure_is_shown_as_missing_never_an_earlier_one(raw_copy):
    edit_lines(raw_copy / "observations.csv", lambda lines: [x for x in lines if not x.startswith(Q3_VOLUNTEERING)])
    row, messages = _q3_volunteering(raw_copy)
    assert pd.isna(row["current_value"]) and row["current_period"] == ""  # not the April-June 6,520
    assert (row["rating"], row["dot"]) == ("not_compared", "not_compared")
    assert row["missing_reason"] == "no figure for Apr-Dec 2025 published by the cut-off (02 March 2026)"
    assert row["rating_reason"] == row["missing_reason"]
    assert messages == ["volunteering_hours: no figure for Apr-Dec 2025 published by the cut-off (02 March 2026); "
                        "observations.csv has none"]


def test_a_figure_published_after_the_cut_off_is_missing_with_its_reason(raw_copy):
    edit_lines(raw_copy / "observations.csv",
               lambda lines: [x.replace("2026-03-02", "2026-05-01") if x.startswith(Q3_VOLUNTEERING) else x for x in lines])
    row, messages = _q3_volunteering(raw_copy)
    assert pd.isna(row["current_value"])
    # the report says only what was known by the cut-off; the analyst's log says more
    assert row["missing_reason"] == "no figure for Apr-Dec 2025 published by the cut-off (02 March 2026)"
    assert messages == ["volunteering_hours: no figure for Apr-Dec 2025 published by the cut-off (02 March 2026); "
                        "observations.csv has one dated 01 May 2026"]


def test_a_figure_under_a_mistyped_council_code_is_missing_with_its_reason(raw_copy):
    edit_lines(raw_copy / "observations.csv",
               lambda lines: [x.replace("E10000018", "E1000018", 1) if x.startswith(Q3_VOLUNTEERING) else x for x in lines])
    row, _ = _q3_volunteering(raw_copy)
    assert pd.isna(row["current_value"])
    assert "under council code 'E1000018', which is not in councils.csv" in row["missing_reason"]


@pytest.mark.filterwarnings("ignore::scrutiny.dashboard.builder.MissingFigureWarning")
def test_the_calendar_can_require_a_figure(raw_copy):
    edit_lines(raw_copy / "observations.csv", lambda lines: [x for x in lines if not x.startswith(Q3_VOLUNTEERING)])
    edit_lines(raw_copy / "reporting_calendar.csv",
               lambda lines: [x + "volunteering_hours;heritage_visits" if ",2025-26,3," in x else x for x in lines])
    with pytest.raises(MissingInputsError, match="volunteering_hours: no figure for Apr-Dec 2025"):
        build_quarterly_report(raw_copy, "2025-26", 3, "E10000018")
    edit_lines(raw_copy / "reporting_calendar.csv",
               lambda lines: [x.replace("volunteering_hours;heritage_visits", "volunteering_hourz") for x in lines])
    with pytest.raises(MissingInputsError, match="column 'required': unknown metric"):
        build_quarterly_report(raw_copy, "2025-26", 3, "E10000018")


def test_the_shipped_quarters_have_every_figure_they_need():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("error", MissingFigureWarning)
        for quarter in (1, 3):
            build_quarterly_report(RAW, "2025-26", quarter, "E10000018")


def test_sentences_a_member_reads(q1, q3):
    rows = q3.reset_index().set_index("metric_id", drop=False)
    overlap = narrative.metric_sentence(rows.loc["ascof_2c"])
    assert "(not compared: overlapping periods; a change of −5.1 per 100k)" in overlap  # F13: raw change printed
    worsened = narrative.metric_sentence(rows.loc["ascof_2a"])
    assert "a significant deterioration from 73.7%" in worsened and "(periods overlap by 6 months; conservative test)" in worsened
    volume = narrative.metric_sentence(rows.loc["volunteering_hours"])
    assert "a rise of at least 5% on 16,030" in volume and "significant" not in volume  # a volume, not a test
    learning = narrative.metric_sentence(rows.loc["lals_success_rate"])
    assert "Leicestershire Adult Learning Service (LALS)" in learning  # a proper noun keeps its capitals
    loans = narrative.metric_sentence(rows.loc["library_loans_total"])
    assert "1,939.7k" in loans and "1,939,700" not in loans  # printed with its published precision
    summary = narrative.summary_sentence(summary_counts(q3), 25, q3)
    assert "forecasts" not in summary  # no forecast in Q3: the reason is not listed
    assert "forecasts" in narrative.summary_sentence(summary_counts(q1), 25, q1)


def test_target_met_is_stated_apart_from_a_similar_rating(q3):
    from scrutiny.dashboard import render

    row = q3.reset_index().set_index("metric_id", drop=False).loc["library_loans_total"]
    assert row["rating"] == "similar" and row["target_met"]
    assert render.target_status(row) == "✔ Target met"
    assert render.rating_text(row) == ("● Similar", "within 5% of the target")
    junior = q3.reset_index().set_index("metric_id", drop=False).loc["library_loans_junior"]
    assert render.target_status(junior) == "✘ Target not met"
    learning = q3.reset_index().set_index("metric_id", drop=False).loc["lals_success_rate"]
    assert render.rating_text(learning) == ("▲ Better (indicative)", "no denominator; ±3 pp tolerance used")


def test_footnotes_only_for_the_periods_they_apply_to(q1, q3):
    # footnotes.csv windows: the proxy note from Q3, the Better Care Fund note on 2D in Q1, 2C in Q3
    assert q1.loc["awaiting_assessment", "footnotes"] == ""
    assert "proxy" in q3.loc["awaiting_assessment", "footnotes"]
    assert "Better Care Fund" in q1.loc["ascof_2d", "footnotes"] and "Better Care Fund" not in q1.loc["ascof_2c", "footnotes"]
    assert "Better Care Fund" in q3.loc["ascof_2c", "footnotes"] and "Better Care Fund" not in q3.loc["ascof_2d", "footnotes"]
    # the rounding note on DHSC's 2024/25 figure is for analysts: it stays in the CSV
    assert "rounds counts" not in q3.loc["ascof_4b", "footnotes"]
    assert "rounds counts" in q3.loc["ascof_4b", "previous_note"]


GOLDEN = pd.read_csv(ROOT / "tests" / "fixtures" / "golden_verdicts.csv", dtype=str, keep_default_na=False)


@pytest.mark.parametrize("quarter", [1, 3])
def test_golden_verdicts_derived_by_hand_from_the_spec(quarter):
    """Every Q1 and Q3 row's rating, target flag and direction of travel, with its reason, as derived
    by hand from statistical-methods.md (reasoning in the fixture's last column)."""
    table = build_quarterly_report(RAW, "2025-26", quarter, "E10000018").table.set_index("metric_id")
    expected = GOLDEN[GOLDEN["quarter"] == str(quarter)].set_index("metric_id")
    assert sorted(expected.index) == sorted(table.index)
    for metric_id, want in expected.iterrows():
        got = table.loc[metric_id]
        met = "" if got["target_met"] is None or pd.isna(got["target_met"]) else str(bool(got["target_met"])).lower()
        assert (got["rating"], met, str(bool(got["rating_indicative"])).lower(), got["dot"], got["dot_reason"]) == (
            want["rating"], want["target_met"], want["rating_indicative"], want["dot"], want["dot_reason"]), metric_id


@pytest.mark.filterwarnings("ignore::scrutiny.dashboard.builder.MissingFigureWarning")
def test_year_end_compares_the_carers_survey_with_its_previous_wave(raw_copy):
    edit_lines(raw_copy / "reporting_calendar.csv", lambda lines: lines + ["E10000018,2025-26,4,2026-06-01,2026-06-08,,"])
    edit_lines(raw_copy / "sources.csv", lambda lines: lines + [
        "year_end_test,Year-end figures entered for a test,Test council,2026-05-20,,test"])
    edit_lines(raw_copy / "observations.csv", lambda lines: lines + [
        "E10000018,volunteering_hours,2025-04-01,2026-03-31,26010,,,,,actual,,,year_end_test,2026-05-20",
        "E10000018,ascof_3c2,2025-04-01,2026-03-31,64.9,,,4.4,290,actual,,,year_end_test,2026-05-20",
    ])
    report = build_quarterly_report(raw_copy, "2025-26", 4, "E10000018")
    assert report.title.endswith("2025/26: year end")
    assert report.period_label == "Year end 2025/26 (April 2025 to March 2026)"
    carers = report.table.set_index("metric_id").loc["ascof_3c2"]
    assert carers["previous_period"] == "2023/24"  # the previous wave of a biennial survey
    assert (carers["dot"], carers["dot_basis"]) == ("improved", "moe_z")  # +8.8 pp, z about 2.5
    heritage = report.table.set_index("metric_id").loc["heritage_visits"]
    assert pd.isna(heritage["current_value"]) and "no figure for 2025/26" in heritage["missing_reason"]
    assert "heritage_visits" in set(report.missing_figures()["metric_id"])


def test_provenance_lists_only_sources_published_by_the_cut_off(q1):
    from scrutiny.publishing import provenance

    report = build_quarterly_report(RAW, "2025-26", 1, "E10000018")
    used = provenance.used_source_ids(report.table, report.context.inputs, report.context.cut_off)
    assert "lcc_osc_2025_09_01" in used
    assert not used & {"lcc_osc_2026_03_02", "dhsc_ascof_2024_25"}  # published after 1 September 2025


def test_sparkline_year_labels_never_crowd():
    from scrutiny.dashboard import charts

    years = [f"{y}/{(y + 1) % 100:02d}" for y in range(2015, 2025)]
    series = pd.DataFrame({"year": years, "council": [50.0 + i for i in range(10)], "england": [55.0] * 10})
    labels = [t.get_text() for t in charts.sparkline(series).axes[0].get_xticklabels()]
    assert len(labels) <= 5 and labels[-1] == "24/25"
