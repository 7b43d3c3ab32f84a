"""The synthetic extract reproduces every published position at its date, deterministically."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from conftest import RAW
from scrutiny.waiting_list import analysis, synthetic
from scrutiny.waiting_list.extract import read_extract


@pytest.fixture(scope="module")
def positions():
    return analysis.read_reference(RAW / "waiting_list_positions.csv", analysis.POSITIONS_SCHEMA)


@pytest.fixture(scope="module")
def generated(tmp_path_factory, positions):
    path = tmp_path_factory.mktemp("synthetic") / "extract.csv"
    return synthetic.write_extract(path, RAW)


@pytest.fixture(scope="module")
def extract(generated):
    return read_extract(generated)


def test_every_published_position_is_reproduced_within_one_unit(extract, positions):
    assert len(positions) == 30
    for when, group in positions.groupby("snapshot_date"):
        snap = analysis.snapshot(extract, when.date(), when.date()).set_index("queue")
        for row in group.itertuples():
            value = snap.at[row.queue, row.measure]
            assert abs(value - row.value) <= 1, (when.date(), row.queue, row.measure, row.value, value)


def test_issue_figures_spot_checks(extract):
    snap = analysis.snapshot(extract, date(2025, 12, 31), date(2025, 10, 1))
    care = snap.set_index("queue")
    assert care.at["care_act_assessment", "waiting"] == 416
    assert care.at["care_act_assessment", "over_six_months"] == 8
    late = analysis.snapshot(extract, date(2026, 1, 29), date(2026, 1, 1)).set_index("queue")
    assert late.at["financial_assessment", "waiting"] == 102
    assert late.at["annual_review", "waiting"] == 1131
    assert round(late.at["annual_review", "reviewed_within_12_months"], 1) == 78.5
    assert analysis.dashboard_feed(snap) == {"awaiting_assessment": 416, "awaiting_assessment_6m": 8}


def test_the_same_seed_gives_the_same_file(generated, tmp_path, positions):
    again = synthetic.write_extract(tmp_path / "again.csv", RAW)
    assert again.read_bytes() == generated.read_bytes()
    other = synthetic.generate_extract(pd.read_csv(RAW / "waiting_list_positions.csv"), seed=1)
    assert not other.equals(pd.read_csv(generated, dtype=str))


def test_flows_are_plausible(extract):
    trends = analysis.weekly_trends(extract, date(2025, 12, 31))
    care = trends[trends["queue"] == "care_act_assessment"]
    assert len(care) == 53
    assert care["waiting"].between(350, 800).all()
    # Arrivals follow the weekly rate with its pattern; nothing is allocated at a weekend.
    assert 60 < care["new_requests"].median() < 130
    allocated = pd.to_datetime(extract.query("select allocated_date from requests where allocated_date is not null")["allocated_date"])
    assert (allocated.dt.day_of_week < 5).mean() > 0.99


def test_person_ids_are_pseudonyms_and_unique(extract):
    ids = extract.query("select person_id from requests")["person_id"]
    assert ids.is_unique and ids.str.fullmatch(r"S\d{8}").all()


def test_conflicting_figures_are_refused():
    point = synthetic.Point(date(2026, 1, 29), waiting=10, median=20, share_over_28=0.1, over_six_months=None,
                            max_wait=15)
    with pytest.raises(synthetic.CalibrationError):
        synthetic.design_waits(point, np.array([], dtype=int), np.random.default_rng(0))
    with pytest.raises(synthetic.CalibrationError, match="carried back"):
        synthetic.design_waits(synthetic.Point(date(2026, 1, 29), 2, 5, 0.0, None, None), np.array([1, 2, 3]),
                               np.random.default_rng(0))


def test_quarter_3_report_tables(generated, tmp_path):
    from scrutiny.waiting_list import report as wl

    report = wl.build_waiting_list_report(RAW, "2025-26", 3, "E10000018", extract=str(generated))
    assert report.day == date(2025, 12, 31) and not report.synthetic
    assert report.published_check["difference"].abs().max() <= 1
    assert len(report.published_check) == 15  # the positions dated up to 31 December 2025
    care = report.progress.set_index("queue").at["care_act_assessment", "progress"]
    assert care.startswith("Count of individuals awaiting allocation on 31/12/25: 416")
    assert set(report.count_charts) >= {"care_act_assessment", "annual_review", "financial_assessment"}
    html = wl.targets_html(report) + wl.projection_html(report) + wl.snapshot_html(report)
    assert "not met" in html and "Care Act assessment" in html
    ids = set(report.extract.query("select person_id from requests")["person_id"])
    for path in wl.write_tables(report, tmp_path):
        cells = set(pd.read_csv(path, dtype=str).to_numpy().ravel())
        assert not cells & ids, path.name
    with pytest.raises(ValueError, match="snapshot_date '31/12/2025'"):
        wl.build_waiting_list_report(RAW, "2025-26", 3, "E10000018", extract=str(generated), snapshot_date="31/12/2025")
