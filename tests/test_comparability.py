"""Which earlier figure a change is tested against, and whether (statistical-methods.md section 2
"Independence", 8.10 and fixture F13), decided in one place for every report."""

from datetime import date

import pandas as pd
import pytest

from scrutiny.methods import comparability as cmp
from scrutiny.methods.rules import Figure, MetricRule, rate_against
from scrutiny.periods import ReportPeriod

PROPORTION = MetricRule("proportion", "high")
RATE_LOW = MetricRule("rate", "low", multiplier=100_000, poisson=True)


def observations(*rows):
    """Observation rows (start, end, value, numerator, denominator[, estimate])."""
    records = []
    for row in rows:
        start, end, value, numerator, denominator, *rest = row
        records.append({"period_start": date.fromisoformat(start), "period_end": date.fromisoformat(end),
                        "value": value, "numerator": numerator, "denominator": denominator,
                        "margin_of_error": None, "respondents": None, "estimate": rest[0] if rest else "actual"})
    return pd.DataFrame(records)


def metric(**overrides):
    base = {"metric_id": "m", "kind": "proportion", "polarity": "high", "multiplier": 100, "poisson": False,
            "tolerance": None, "period_basis": "financial_ytd", "series_break_from": None, "series_break_reason": None}
    return pd.Series({**base, **overrides})


Q3 = ReportPeriod.from_params("2025-26", 3)
Q4 = ReportPeriod.from_params("2025-26", 4)


def test_same_period_last_year_is_comparable():
    rows = observations(("2025-04-01", "2025-12-31", 60.0, 600, 1000), ("2024-04-01", "2024-12-31", 55.0, 550, 1000))
    chosen = cmp.choose_comparison(rows, rows.iloc[0], metric(), Q3)
    assert chosen.status == cmp.COMPARABLE and chosen.row["value"] == 55.0


def test_overlapping_windows_are_tested_conservatively_f13():
    # 12 months to Sep-25 against 2024/25: they share October 2024 to March 2025
    status, reason, months = cmp.assess_pair(date(2024, 10, 1), date(2025, 9, 30), date(2024, 4, 1), date(2025, 3, 31))
    assert (status, reason, months) == (cmp.OVERLAPPING, "overlapping periods", 6)
    comparison = cmp.Comparison(None, status, reason, months)
    dot = cmp.direction_for(Figure(None, 1917, 2749), Figure(None, 2067, 2805), PROPORTION, comparison)
    assert dot.verdict == "worsened"
    assert dot.reason == "periods overlap by 6 months; conservative test"
    assert (dot.change, dot.low, dot.high) == pytest.approx((-4.0, -6.3, -1.6), abs=0.05)


def test_overlapping_change_not_significant_is_not_compared_but_keeps_the_raw_change_f13():
    comparison = cmp.Comparison(None, cmp.OVERLAPPING, cmp.OVERLAP_REASON, 6)
    now, before = Figure(521.8, None, 157_349), Figure(526.9, 829, 157_349)
    rating = rate_against(now, RATE_LOW, 592.5)
    assert rating.verdict == "better" and "count derived from rate and population" in rating.notes
    assert (rating.interval.low, rating.interval.high) == pytest.approx((486.7, 558.7), abs=0.1)
    dot = cmp.direction_for(now, before, RATE_LOW, comparison)
    assert (dot.verdict, dot.reason) == ("not_compared", "overlapping periods")
    assert dot.p_value == pytest.approx(0.863, abs=0.001)
    assert 521.8 - 526.9 == pytest.approx((dot.change - 1) * 526.9, abs=0.6)  # rate ratio 821/829


@pytest.mark.parametrize(("current", "previous", "kwargs", "reason"), [
    ((date(2025, 4, 1), date(2025, 6, 30)), (date(2024, 4, 1), date(2025, 3, 31)), {}, cmp.PART_YEAR_REASON),
    ((date(2025, 4, 1), date(2026, 3, 31)), (date(2024, 4, 1), date(2025, 3, 31)), {"forecast": True}, cmp.FORECAST_REASON),
    ((date(2025, 4, 1), date(2025, 12, 31)), (date(2024, 4, 1), date(2024, 12, 31)),
     {"break_from": date(2025, 4, 1), "break_reason": "new system"}, "series break: new system"),
])
def test_never_across_a_break_part_year_or_forecast(current, previous, kwargs, reason):
    status, got, _ = cmp.assess_pair(*current, *previous, **kwargs)
    assert (status, got) == (cmp.NOT_COMPARABLE, reason)
    assert cmp.direction_for(Figure(60.0, 600, 1000), Figure(50.0, 500, 1000), PROPORTION,
                             cmp.Comparison(None, status, got)).verdict == "not_compared"


def test_biennial_survey_compares_with_the_previous_wave():
    survey = metric(kind="survey_pct", period_basis="biennial_survey")
    rows = observations(("2021-04-01", "2022-03-31", 49.4, None, None), ("2023-04-01", "2024-03-31", 56.1, None, None),
                        ("2025-04-01", "2026-03-31", 60.2, None, None))
    chosen = cmp.choose_comparison(rows, rows.iloc[2], survey, Q4)
    assert chosen.status == cmp.COMPARABLE and chosen.row["period_start"] == date(2023, 4, 1)


def test_annual_survey_skips_a_year_without_a_wave():
    survey = metric(kind="survey_pct", period_basis="annual_survey")
    rows = observations(("2019-04-01", "2020-03-31", 61.5, None, None), ("2021-04-01", "2022-03-31", 56.8, None, None))
    chosen = cmp.choose_comparison(rows, rows.iloc[1], survey, ReportPeriod.from_params("2021-22", 4))
    assert chosen.comparable and chosen.row["value"] == 61.5


def test_snapshot_compares_with_the_position_at_last_year_end():
    snapshot = metric(period_basis="snapshot")
    rows = observations(("2025-12-31", "2025-12-31", 80.0, 800, 1000), ("2024-04-01", "2025-03-31", 78.0, 780, 1000))
    chosen = cmp.choose_comparison(rows, rows.iloc[0], snapshot, Q3)
    assert chosen.status == cmp.COMPARABLE and chosen.row["value"] == 78.0


def test_catalogue_comparator_overrides_the_default():
    rows = observations(("2025-04-01", "2025-12-31", 60.0, 600, 1000), ("2025-01-01", "2025-03-31", 50.0, 500, 1000),
                        ("2024-04-01", "2024-12-31", 55.0, 550, 1000))
    assert cmp.choose_comparison(rows, rows.iloc[0], metric(dot_comparator="none"), Q3).status == cmp.NOT_COMPARABLE
    chosen = cmp.choose_comparison(rows, rows.iloc[0], metric(dot_comparator="same_period_last_year"), Q3)
    assert chosen.row["value"] == 55.0


def test_rule_reads_materiality_and_band_polarity_from_the_catalogue():
    rule = cmp.metric_rule(metric(kind="count", polarity="band", multiplier=1, materiality=0.1,
                                  band_polarity="high_is_good"))
    assert (rule.materiality, rule.band_polarity) == (0.1, "high_is_good")
    default = cmp.metric_rule(metric())
    assert (default.materiality, default.band_polarity) == (0.05, "band_optimal")
    with pytest.raises(ValueError, match="band polarity"):
        cmp.metric_rule(metric(band_polarity="sideways"))


def test_figure_from_a_national_row_uses_its_outcome_column():
    row = pd.Series({"outcome": 61.1, "numerator": None, "denominator": None, "margin_of_error": 6.2, "respondents": 230})
    assert cmp.figure_of(row, value_column="outcome") == Figure(61.1, None, None, 6.2, 230.0)
