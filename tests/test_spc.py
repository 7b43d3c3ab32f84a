"""XmR charts and the Making Data Count rules: fixture F15 of the statistical methods specification."""

import pytest

from scrutiny.methods import spc

F15 = [672, 690, 655, 701, 668, 684, 662, 695, 679, 671, 688, 660, 650, 641, 633, 628, 615, 599]


def months(series, direction):
    return [i + 1 for i, value in enumerate(series) if value == direction]


def test_f15_baseline_of_twelve_points():
    chart = spc.xmr_chart(F15, polarity="low", target=600, baseline_points=12)
    limits = chart.limits
    assert limits.centre == pytest.approx(677.08, abs=0.005)
    assert limits.mean_moving_range == pytest.approx(24.727, abs=0.0005)
    assert limits.upper == pytest.approx(742.86, abs=0.005)
    assert limits.lower == pytest.approx(611.31, abs=0.005)
    assert limits.lower_two_sigma == pytest.approx(633.23, abs=0.005)
    points = chart.points
    assert months(points["trend"], "down") == list(range(11, 19))
    assert months(points["shift"], "down") == list(range(12, 19))
    assert months(points["two_of_three"], "down") == [15, 16, 17, 18]
    assert months(points["astronomical"], "down") == [18]
    assert chart.variation == "improving_low"
    assert chart.assurance == "consistently_failing"


def test_f15_limits_from_all_points():
    chart = spc.xmr_chart(F15, polarity="low", target=600)
    limits = chart.limits
    assert limits.centre == pytest.approx(660.61, abs=0.005)
    assert limits.mean_moving_range == pytest.approx(19.588, abs=0.0005)
    assert limits.upper == pytest.approx(712.72, abs=0.005)
    assert limits.lower == pytest.approx(608.51, abs=0.005)
    assert limits.lower_two_sigma == pytest.approx(625.87, abs=0.005)
    points = chart.points
    assert months(points["shift"], "up") == list(range(4, 12))
    assert months(points["shift"], "down") == list(range(12, 19))
    assert months(points["astronomical"], "down") == [18]
    assert {17, 18} <= set(months(points["two_of_three"], "down"))
    # Month 11 is in the upward shift and the falling trend: the trend takes precedence.
    assert points.loc[10, "variation"] == "improving_low"
    assert points.loc[4, "variation"] == "concerning_high"
    assert chart.variation == "improving_low"
    assert chart.assurance == "consistently_failing"
    assert spc.xmr_limits(F15, screen_outliers=True) == spc.xmr_limits(F15)


def test_equal_neighbour_breaks_a_trend_and_centre_breaks_a_shift():
    rising = [1, 2, 3, 3, 4, 5, 6, 7, 8, 9, 10, 11]
    flags = spc.special_causes(rising, spc.xmr_limits([0, 100] * 6))
    assert months(flags["trend"], "up") == list(range(4, 13))
    limits = spc.xmr_limits([5, 15] * 6)  # centre 10
    flat = [11, 11, 11, 10, 11, 11, 11, 11, 11, 11, 11, 11]
    assert months(spc.special_causes(flat, limits)["shift"], "up") == list(range(5, 13))


def test_few_points_give_a_run_chart_and_trial_limits_no_assurance():
    assert spc.xmr_chart(F15[:11], polarity="low", target=600).variation == "run_chart"
    trial = spc.xmr_chart(F15[:13], polarity="low", target=600)
    assert trial.trial and trial.assurance is None and trial.limits is not None


def test_assurance_by_polarity_with_equality_hit_and_miss():
    limits = spc.XmrLimits(50, 5, 60, 40, 56.7, 43.3)
    assert spc.assurance(30, limits, "high") == "consistently_passing"
    assert spc.assurance(70, limits, "high") == "consistently_failing"
    assert spc.assurance(70, limits, "low") == "consistently_passing"
    assert spc.assurance(60, limits, "low") == "hit_and_miss"
    assert spc.assurance(None, limits, "low") is None
    with pytest.raises(ValueError):
        spc.xmr_chart(F15, baseline_points=8)
