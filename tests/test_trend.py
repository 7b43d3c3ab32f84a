"""Five-point trend test (statistical-methods.md 4.5, fixture F16)."""

import pandas as pd
import pytest

from scrutiny.methods import trend


def test_rising_proportions_f16():
    chi2, direction, slopes = trend.proportion_trend([520, 545, 560, 590, 612], [1000, 1010, 990, 1005, 1000])
    assert chi2 == pytest.approx(21.83, abs=0.01)
    assert slopes == pytest.approx([0.0945, 0.0979, 0.0932, 0.0945, 0.0951, 0.0921], abs=1e-4)
    assert trend.trend_label(chi2, direction, slopes, "high") == "Increasing and getting better"
    assert trend.trend_label(chi2, direction, slopes, "low") == "Increasing and getting worse"


def test_flat_proportions_f16():
    chi2, direction, slopes = trend.proportion_trend([580, 565, 590, 575, 585], [1000] * 5)
    assert chi2 == pytest.approx(0.16, abs=0.01)
    assert trend.trend_label(chi2, direction, slopes, "high") == "No significant change"


def test_leicestershire_3c1_survey_series_f16():
    moe = [6.5, 6.8, 5.9, 7.5, 6.2]
    chi2, slope, _ = trend.value_trend([61.5, 56.8, 61.8, 59.3, 61.1], [m / 1.959964 for m in moe])
    assert slope == pytest.approx(0.18, abs=0.005)
    assert chi2 == pytest.approx(0.03, abs=0.005)
    series = pd.DataFrame({"council": [61.5, 56.8, 61.8, 59.3, 61.1], "margin_of_error": moe,
                           "numerator": [None] * 5, "denominator": [None] * 5})
    metric = pd.Series({"kind": "survey_pct", "polarity": "high"})
    assert trend.five_point_trend(series, metric) == "No significant change"


def test_fewer_than_five_points_cannot_be_calculated_f20():
    series = pd.DataFrame({"council": [61.5, 56.8, 61.8, 59.3], "margin_of_error": [6.5, 6.8, 5.9, 7.5],
                           "numerator": [None] * 4, "denominator": [None] * 4})
    assert trend.five_point_trend(series, pd.Series({"kind": "survey_pct", "polarity": "high"})) == "Cannot be calculated"


def test_a_significant_trend_must_survive_dropping_each_point():
    # a single high first year makes the test significant (chi-square 31.9 > 9.55), but without
    # it the series rises: the leave-one-out slopes disagree, so no trend is called
    chi2, direction, slopes = trend.proportion_trend([700, 520, 530, 540, 550], [1000] * 5)
    assert chi2 > trend.CHI2_998 and direction < 0
    assert any(s > 0 for s in slopes) and any(s < 0 for s in slopes)
    assert trend.trend_label(chi2, direction, slopes, "high") == "No significant change"
    steady = trend.proportion_trend([400, 600, 610, 620, 630], [1000] * 5)
    assert trend.trend_label(*steady, "high") == "Increasing and getting better"
    assert trend.trend_label(*steady, "low") == "Increasing and getting worse"


def test_kinds_without_a_five_point_test_cannot_be_calculated():
    series = pd.DataFrame({"council": [1.0, 2, 3, 4, 5], "margin_of_error": [None] * 5,
                           "numerator": [None] * 5, "denominator": [None] * 5})
    assert trend.five_point_trend(series, pd.Series({"kind": "count", "polarity": "high"})) == "Cannot be calculated"
    assert trend.five_point_trend(series.iloc[0:0], pd.Series({"kind": "proportion", "polarity": "high"})) == "Cannot be calculated"
