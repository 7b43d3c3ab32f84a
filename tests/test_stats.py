"""Confidence intervals and tests against the PHE reference values (statistical-methods.md 3.7, F11, F20)."""

import pytest

from scrutiny.methods import stats


@pytest.mark.parametrize(
    ("count", "confidence", "low", "high"),
    [
        (65, 0.95, 50.163188, 82.849139),
        (1045, 0.95, 982.593202, 1110.331213),
        (65, 0.998, 42.880261, 94.000291),
        (10, 0.998, 2.916318, 24.193725),
    ],
)
def test_byar_matches_phe_reference(count, confidence, low, high):
    assert stats.byar_interval(count, confidence) == pytest.approx((low, high), abs=1e-6)


@pytest.mark.parametrize(
    ("events", "trials", "confidence", "low", "high"),
    [
        (65, 100, 0.95, 0.552544, 0.736358),
        (1045, 5000, 0.95, 0.197955, 0.220491),
        (65, 100, 0.998, 0.495495, 0.778354),
    ],
)
def test_wilson_matches_phe_reference(events, trials, confidence, low, high):
    assert stats.wilson_interval(events, trials, confidence) == pytest.approx((low, high), abs=1e-6)


def test_exact_poisson_for_small_counts_f11():
    assert stats.count_interval(7) == pytest.approx((2.814, 14.423), abs=1e-3)
    assert stats.count_interval(0) == pytest.approx((0.0, 3.689), abs=1e-3)
    assert stats.count_interval(9) == pytest.approx((4.115, 17.085), abs=1e-3)
    # from 10 events PHE switches to Byar's
    assert stats.count_interval(10) == pytest.approx((4.787, 18.391), abs=1e-3)
    low, high = stats.count_interval(7)
    assert (low / 440_785 * 1e5, high / 440_785 * 1e5) == pytest.approx((0.6, 3.3), abs=0.05)


def test_wilson_edges_f20():
    low, high = stats.wilson_interval(0, 20)
    assert low == 0 and high * 100 == pytest.approx(16.1, abs=0.05)
    low, high = stats.wilson_interval(20, 20)
    assert low * 100 == pytest.approx(83.9, abs=0.05) and high == 1


def test_newcombe_f01():
    diff = stats.newcombe_difference(1201, 2007, 1201, 2046)
    assert (diff.change * 100, diff.low * 100, diff.high * 100) == pytest.approx((1.1, -1.9, 4.2), abs=0.05)
    assert not diff.significant


def test_exact_conditional_f03():
    result = stats.exact_conditional_rate_test(59, 440_785, 50, 440_785)
    assert result.change == pytest.approx(1.18, abs=0.005)
    assert (result.low, result.high) == pytest.approx((0.80, 1.76), abs=0.005)
    assert result.p_value == pytest.approx(0.444, abs=0.0005)
    assert not result.significant


def test_margin_of_error_difference_f06():
    diff = stats.margin_of_error_difference(61.1, 6.2, 59.3, 7.5)
    assert diff.p_value == pytest.approx(0.72, abs=0.005)
    assert (diff.low, diff.high) == pytest.approx((-7.9, 11.5), abs=0.05)


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="denominator"):
        stats.wilson_interval(1, 0)
    with pytest.raises(ValueError, match="events <= trials"):
        stats.wilson_interval(5, 4)
    with pytest.raises(ValueError, match="confidence"):
        stats.z_value(95)


@pytest.mark.parametrize(("x1", "n1", "x0", "n0"), [
    (1201, 2007, 1201, 2046),  # F01
    (560, 1000, 515, 1000),  # F14
    (3, 12, 9, 11),  # small and skewed: the two arms' interval widths differ a lot
    (19, 20, 2, 15),
    (1, 40, 0, 7),
])
def test_newcombe_agrees_with_statsmodels(x1, n1, x0, n0):
    from statsmodels.stats.proportion import confint_proportions_2indep

    diff = stats.newcombe_difference(x1, n1, x0, n0)
    low, high = confint_proportions_2indep(x1, n1, x0, n0, method="newcomb", compare="diff")
    assert diff.low == pytest.approx(low, abs=1e-9)
    assert diff.high == pytest.approx(high, abs=1e-9)
    assert diff.change == pytest.approx(x1 / n1 - x0 / n0, abs=1e-12)


def test_special_functions_give_scipy_stats_results_to_the_last_bit():
    """stats.py calls scipy.special directly (scipy.stats is slow to import): the same numbers."""
    from scipy import stats as sps

    for confidence in (0.8, 0.9, 0.95, 0.99, 0.998, 0.999):
        assert stats.z_value(confidence) == float(sps.norm.ppf(1 - (1 - confidence) / 2))
    for count in (0, 1, 2, 3, 7, 9, 9.5, 10, 65, 1045):
        for confidence in (0.95, 0.998):
            alpha = 1 - confidence
            low = 0.0 if count == 0 else float(sps.chi2.ppf(alpha / 2, 2 * count) / 2)
            high = float(sps.chi2.ppf(1 - alpha / 2, 2 * count + 2) / 2)
            assert stats.exact_poisson_interval(count, confidence) == (low, high)
    for now, moe_now, before, moe_before in ((61.2, 3.1, 57.0, 2.9), (40.0, 0.4, 40.1, 0.5), (88.0, 9.0, 20.0, 8.0)):
        se = ((moe_now / stats.Z_95) ** 2 + (moe_before / stats.Z_95) ** 2) ** 0.5
        expected = float(2 * sps.norm.sf(abs(now - before) / se))
        assert stats.margin_of_error_difference(now, moe_now, before, moe_before).p_value == expected


def test_importing_the_methods_does_not_import_scipy_stats():
    """Every report imports the methods; scipy.stats costs about 0.6 s, so only count tests load it."""
    import subprocess
    import sys

    code = "import sys, scrutiny.methods.rules, scrutiny.methods.stats; print('scipy.stats' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False"


@pytest.mark.parametrize("values", [
    [1217, 1220, 1210, 1215, 1201, 1199, 1190, 1188, 1195, 1180, 1176, 1178, 1170],
    [4.0, 4.0, 5.0, 7.5],
    [10.0, 8.0, 12.0],
    [3.0, 3.0, 3.0, 3.0, 3.0],
])
@pytest.mark.parametrize("confidence", [0.9, 0.95])
def test_straight_line_slope_agrees_with_statsmodels_ols(values, confidence):
    import numpy as np
    import statsmodels.api as sm

    fit = sm.OLS(np.asarray(values, dtype=float), sm.add_constant(np.arange(len(values), dtype=float))).fit()
    low, high = fit.conf_int(1 - confidence)[1]
    result = stats.straight_line_slope(values, confidence)
    assert (result.change, result.low, result.high) == pytest.approx((fit.params[1], low, high), rel=1e-9, abs=1e-9)


def test_straight_line_slope_needs_three_values():
    with pytest.raises(ValueError, match="at least three"):
        stats.straight_line_slope([1.0, 2.0])
