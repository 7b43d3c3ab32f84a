"""DHSC rounding and suppression, and the reporting period."""

import pandas as pd
import pytest

from scrutiny.cld import measures
from scrutiny.cld.extract import connect
from scrutiny.cld.periods import Period


@pytest.mark.parametrize(("value", "places", "expected"), [
    (0.25, 1, 0.3), (0.35, 1, 0.4), (2.5, 0, 3.0), (-2.5, 0, -3.0), (66.66666, 1, 66.7), (50.005, 2, 50.01)])
def test_round_half_away_from_zero(value, places, expected):
    assert measures.round_half_up(value, places) == expected


def test_duckdb_rounds_like_tsql():
    assert connect().execute("SELECT round(0.25::DOUBLE, 1), round(2.5::DOUBLE, 0)").fetchall()[0] == (0.3, 3.0)


def test_outcome_is_zero_without_denominator():
    assert measures.outcome(3, 0) == 0.0
    assert measures.outcome(1, 40_000, 100_000) == 2.5


def test_suppression_withholds_small_counts_but_keeps_outcome():
    table = pd.DataFrame({"Numerator": [4, 10, 10], "Denominator": [10, 4, 20], "Outcome": [40.0, 250.0, 50.0]})
    published = measures.suppress(table)
    assert published["Suppressed"].tolist() == [True, True, False]
    assert published["Numerator"].isna().tolist() == [True, True, False]
    assert published["Denominator"].isna().tolist() == [True, True, False]
    assert published["Outcome"].tolist() == [40.0, 250.0, 50.0]
    rates = measures.suppress(pd.DataFrame({"Numerator": [3], "Denominator": [200_000], "Outcome": [1.5]}),
                              population_denominator=True)
    assert rates["Numerator"].isna().all() and rates["Denominator"].tolist() == [200_000]


def test_round_to_five():
    assert [measures.round_to_five(v) for v in (12, 12.5, 13, 2)] == [10, 15, 15, 0]


def test_period_is_twelve_months_to_a_quarter_end():
    period = Period.twelve_months_to("2025-12-31")
    assert (str(period.start.date()), str(period.end.date())) == ("2025-01-01", "2025-12-31")
    assert Period.twelve_months_to("2026-03-31").label == "1 Apr 25 - 31 Mar 26"
    with pytest.raises(ValueError, match="2025-11-30 is not the last day of a calendar quarter"):
        Period.twelve_months_to("2025-11-30")
