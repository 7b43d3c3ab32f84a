"""Rolling twelve-month figures published with a delay (e.g. "12 months to Sep-25" in the Q3 report):
printed with their own period, and compared like with like (statistical-methods.md, "Independence")."""

import pytest

from conftest import RAW, edit_lines
from scrutiny.dashboard import narrative, render
from scrutiny.dashboard.report import build_quarterly_report
from scrutiny.methods import comparability as cmp
from scrutiny.methods.rules import Figure
from test_comparability import PROPORTION, Q3, metric, observations

ROLLING = {"ascof_2a": "12 months to Sep-25", "ascof_2b": "12 months to Sep-25", "ascof_2c": "12 months to Sep-25",
           "ascof_2d": "12 months to Jun-25"}


@pytest.fixture(scope="module")
def q3():
    return build_quarterly_report(RAW, "2025-26", 3, "E10000018").table.set_index("metric_id")


def test_each_rolling_figure_is_printed_with_its_own_window_not_the_quarters(q3):
    for metric_id, window in ROLLING.items():
        row = q3.loc[metric_id]
        assert row["period_basis"] == "rolling_12_months"
        details = render.figure_text(row, "current")[1]
        assert window in details and "Apr-Dec 2025" not in details, (metric_id, details)
        assert render.figure_text(row, "previous")[1].endswith("2024/25")


def test_the_draft_sentence_names_the_window(q3):
    sentence = narrative.metric_sentence(q3.loc["ascof_2a"])
    assert sentence.startswith("In the 12 months to September 2025"), sentence
    assert "April and December 2025" not in sentence


def test_against_last_years_outturn_the_overlap_rule_applies(q3):
    # Oct-24 to Sep-25 against 2024/25 share six months: tested as if independent, qualified
    assert q3.loc["ascof_2a", "dot_reason"] == "periods overlap by 6 months; conservative test"
    assert q3.loc["ascof_2b", "dot_reason"] == "overlapping periods"


def test_the_same_window_one_year_earlier_is_preferred_when_published(raw_copy):
    edit_lines(raw_copy / "observations.csv", lambda lines: [
        *lines, "E10000018,ascof_2a,2023-10-01,2024-09-30,75.0,2100,2800,,,actual,,,lcc_osc_2025_09_01,2025-09-01"])
    row = build_quarterly_report(raw_copy, "2025-26", 3, "E10000018").table.set_index("metric_id").loc["ascof_2a"]
    assert (row["previous_period"], row["previous_value"]) == ("12 months to Sep-24", 75.0)
    # that window straddles 2A's series break (client level data from April 2024): never compared
    assert row["dot"] == "not_compared" and row["dot_reason"].startswith("series break")
    assert row["current_value"] == 69.7  # the published figure itself is unchanged


def test_without_a_break_the_same_window_is_tested_as_independent():
    rolling = metric(period_basis="rolling_12_months")
    rows = observations(("2024-10-01", "2025-09-30", 69.7, 1917, 2749), ("2023-10-01", "2024-09-30", 75.0, 2100, 2800),
                        ("2024-04-01", "2025-03-31", 73.7, 2067, 2805))
    chosen = cmp.choose_comparison(rows, rows.iloc[0], rolling, Q3)
    assert (chosen.status, chosen.row["value"], chosen.overlap_months) == (cmp.COMPARABLE, 75.0, 0)
    dot = cmp.direction_for(Figure(None, 1917, 2749), Figure(None, 2100, 2800), PROPORTION, chosen)
    assert dot.verdict == "worsened" and "overlap" not in dot.reason


def test_with_only_last_years_outturn_the_overlap_is_counted():
    rolling = metric(period_basis="rolling_12_months")
    rows = observations(("2024-10-01", "2025-09-30", 69.7, 1917, 2749), ("2024-04-01", "2025-03-31", 73.7, 2067, 2805))
    chosen = cmp.choose_comparison(rows, rows.iloc[0], rolling, Q3)
    assert (chosen.status, chosen.row["value"], chosen.overlap_months) == (cmp.OVERLAPPING, 73.7, 6)
