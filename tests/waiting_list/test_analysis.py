"""Snapshot figures, targets (calendar and working days), suppression and projection on small extracts."""

from datetime import date, timedelta

import pandas as pd
import pytest

from conftest import RAW
from scrutiny.waiting_list import analysis
from scrutiny.waiting_list.extract import COLUMNS, read_extract

DAY = date(2026, 1, 2)


def extract_of(tmp_path, rows):
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    path = tmp_path / "extract.csv"
    frame.to_csv(path, index=False)
    return read_extract(path)


def request(i, queue, received, allocated="", team="Melton", priority="standard"):
    return (f"R{i}", f"P{i}", queue, team, priority, str(received), str(allocated))


@pytest.fixture()
def small(tmp_path):
    rows = [
        # Financial (residential): received 24 Dec 2025 -> 9 calendar days, 4 working days at 2 Jan 2026.
        request(1, "financial_residential", "2025-12-24"),
        request(2, "financial_residential", "2025-10-01"),  # 93 days; 64 working days (22 in October, 20, 21, 1)
        request(3, "financial_residential", "2025-12-01", "2025-12-10"),  # allocated in 9 days
        request(4, "care_act_assessment", "2025-06-01"),  # over six months
        request(5, "care_act_assessment", "2025-12-30"),
        request(6, "care_act_assessment", "2025-11-01", "2025-12-15"),  # allocated after 44 days
        request(7, "care_act_assessment", "2025-12-20", "2026-01-05"),  # still waiting on 2 Jan
        request(8, "annual_review", "2025-12-01"),  # 32 days overdue
        request(9, "annual_review", "2026-06-01"),  # not yet due
        request(10, "annual_review", "2026-03-01"),  # not yet due
        request(11, "annual_review", "2027-06-01"),  # due more than a year ahead: not in the cohort
    ]
    return extract_of(tmp_path, rows)


def test_snapshot_counts_waits_in_calendar_and_working_days(small):
    snap = analysis.snapshot(small, DAY, date(2025, 10, 1)).set_index("queue")
    fin = snap.loc["financial_residential"]
    assert fin["waiting"] == 2 and fin["max_wait"] == 93 and fin["median_wait"] == 51
    assert fin["max_wait_working_days"] == 64
    assert fin["allocated_in_period"] == 1 and fin["allocated_within_28_days"] == 100
    care = snap.loc["care_act_assessment"]
    assert care["waiting"] == 3 and care["over_six_months"] == 1
    assert care["share_over_28_days"] == pytest.approx(100 / 3)
    assert care["allocated_within_28_days"] == 0
    assert snap.loc["financial_assessment", "waiting"] == 2
    review = snap.loc["annual_review"]
    assert review["waiting"] == 1 and review["median_wait"] == 32
    assert review["reviewed_within_12_months"] == pytest.approx(200 / 3)


def test_targets_met_or_not_with_the_gap_and_working_days(small):
    targets = analysis.read_reference(RAW / "waiting_list_targets.csv", analysis.TARGETS_SCHEMA)
    snap = analysis.snapshot(small, DAY, date(2025, 10, 1))
    result = analysis.against_targets(snap, targets).set_index(["queue", "measure"])
    fin_max = result.loc[("financial_residential", "max_wait")]
    assert fin_max["value"] == 64 and fin_max["met"] == "not met" and fin_max["gap"] == 8  # 64 working days vs 56
    fin_median = result.loc[("financial_residential", "median_wait")]
    assert fin_median["value"] == 34 and fin_median["met"] == "not met" and fin_median["gap"] == 6
    assert result.loc[("care_act_assessment", "median_wait"), "met"] == "met"  # median of 3, 13 and 215 days
    assert result.loc[("financial_assessment", "waiting"), "met"] == "met"
    within = result.loc[("care_act_assessment", "allocated_within_28_days")]
    assert within["met"] == "not met" and within["gap"] == -100
    assert result.loc[("occupational_therapy", "median_wait"), "met"] == "no data"
    assert result.loc[("annual_review", "reviewed_within_12_months"), "met"] == "not met"


def test_breakdowns_suppress_counts_of_one_to_four(small):
    waiting = analysis.waiting_at(small, DAY)
    teams = analysis.breakdown(waiting, "team")
    assert set(teams["waiting"]) == {analysis.SUPPRESSED}
    assert set(teams["median_wait"]) == {analysis.SUPPRESSED}
    assert "person_id" not in waiting.columns
    bands = analysis.wait_distribution(waiting)
    assert set(bands["waiting"]) <= {0, analysis.SUPPRESSED}
    frame = pd.DataFrame({"n": [0, 1, 4, 5, 12]})
    assert analysis.suppress(frame, ["n"])["n"].tolist() == [0, "[c]", "[c]", 5, 12]


def test_projection_reaches_a_count_target_and_gives_the_extra_capacity():
    weeks = [date(2025, 10, 1) + timedelta(weeks=i) for i in range(12)]
    trends = pd.DataFrame({"queue": "financial_assessment", "week_end": weeks,
                           "waiting": [400 - 10 * i for i in range(12)], "new_requests": 30, "allocations": 40})
    targets = pd.DataFrame({"queue": ["financial_assessment"], "measure": ["waiting"], "target": [220.0],
                            "unit": ["people"], "delivery_date": [pd.Timestamp("2026-05-31")]})
    result = analysis.project(trends, targets, weeks[-1]).iloc[0]
    assert result["net_change_per_week"] == pytest.approx(-10)
    assert result["reached_at_current_rate"] == weeks[-1] + timedelta(weeks=7)
    assert result["extra_allocations_per_week"] == 0
    flat = trends.assign(waiting=[400 + (i % 2) for i in range(12)])
    stuck = analysis.project(flat, targets, weeks[-1]).iloc[0]
    assert stuck["reached_at_current_rate"] is None
    weeks_left = (date(2026, 5, 31) - weeks[-1]).days / 7
    assert stuck["extra_allocations_per_week"] == pytest.approx(stuck["net_change_per_week"] + (401 - 220) / weeks_left)


def test_reference_files_are_validated(tmp_path):
    bad = tmp_path / "targets.csv"
    text = (RAW / "waiting_list_targets.csv").read_text().replace("care_act_assessment,median_wait", "care_act,median_wait")
    bad.write_text(text)
    with pytest.raises(ValueError, match=r"targets.csv: row 3, column queue: 'care_act'"):
        analysis.read_reference(bad, analysis.TARGETS_SCHEMA)
