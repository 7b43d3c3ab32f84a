"""The Fingertips five-point trend test for annual series (``statistical-methods.md`` 4.5).

The five most recent valid points are tested at 99.8%: a chi-square test for trend for
proportions with counts, a weighted least-squares slope for values with confidence intervals
(survey percentages with a published margin of error). A trend is called only when the test is
significant and the slope keeps its sign when each point in turn is dropped.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

CHI2_998 = 9.549536
POINTS = 5
#: What the trend column says with fewer than five valid points or no test for the kind (F20).
CANNOT_BE_CALCULATED = "Cannot be calculated"


def _weighted_slope(values: np.ndarray, weights: np.ndarray, times: np.ndarray) -> tuple[float, float]:
    s1 = weights.sum()
    s2 = (weights * values * times).sum()
    s3 = (weights * times).sum()
    s4 = (weights * values).sum()
    s5 = (weights * times**2).sum()
    denominator = s1 * s5 - s3**2
    slope = (s1 * s2 - s3 * s4) / denominator
    return slope, math.sqrt(s1 / denominator)


def _ols_slope(values: np.ndarray, times: np.ndarray) -> float:
    return float(np.polyfit(times, values, 1)[0])


def proportion_trend(events: Sequence[float], trials: Sequence[float]) -> tuple[float, float, list[float]]:
    """Chi-square test for trend: (chi2, direction sign, leave-one-out logit slopes incl. all 5)."""
    x = np.asarray(events, float)
    n = np.asarray(trials, float)
    t = np.arange(1, len(x) + 1, dtype=float)
    big_n, big_x = n.sum(), x.sum()
    a, b, c = (x * t).sum(), (n * t).sum(), (n * t**2).sum()
    numerator = big_n * a - big_x * b
    chi2 = big_n * numerator**2 / (big_x * (big_n - big_x) * (big_n * c - b**2))
    logits = np.log(x / (n - x))
    slopes = [_ols_slope(logits, t)]
    for drop in range(len(x)):
        keep = np.arange(len(x)) != drop
        slopes.append(_ols_slope(logits[keep], t[keep]))
    return float(chi2), float(np.sign(numerator)), slopes


def value_trend(values: Sequence[float], standard_errors: Sequence[float]) -> tuple[float, float, list[float]]:
    """Weighted slope test: (chi2, slope, leave-one-out slopes incl. all 5)."""
    y = np.asarray(values, float)
    w = 1 / np.asarray(standard_errors, float) ** 2
    t = np.arange(1, len(y) + 1, dtype=float)
    slope, se = _weighted_slope(y, w, t)
    slopes = [slope]
    for drop in range(len(y)):
        keep = np.arange(len(y)) != drop
        slopes.append(_weighted_slope(y[keep], w[keep], t[keep])[0])
    return (slope / se) ** 2, slope, slopes


def trend_label(chi2: float, direction: float, slopes: list[float], polarity: str) -> str:
    """Fingertips wording: "Increasing and getting better", "No significant change", ..."""
    consistent = all(s > 0 for s in slopes) or all(s < 0 for s in slopes)
    if chi2 <= CHI2_998 or not consistent or direction == 0:
        return "No significant change"
    word = "Increasing" if direction > 0 else "Decreasing"
    if polarity == "high":
        return f"{word} and getting {'better' if direction > 0 else 'worse'}"
    if polarity == "low":
        return f"{word} and getting {'worse' if direction > 0 else 'better'}"
    return word


def five_point_trend(series: pd.DataFrame, metric: pd.Series) -> str:
    """The trend label for a metric's annual series, or "Cannot be calculated" (fewer than five
    valid points, or a kind without a five-point test).

    ``series`` has columns ``council``, ``numerator``, ``denominator`` and ``margin_of_error`` in
    year order (see :func:`scrutiny.dashboard.annual_series`).
    """
    if series.empty:
        return CANNOT_BE_CALCULATED
    valid = series[series["council"].notna()]
    if metric["kind"] == "proportion":
        valid = valid[valid["numerator"].notna() & valid["denominator"].notna()].tail(POINTS)
        if len(valid) < POINTS:
            return CANNOT_BE_CALCULATED
        chi2, direction, slopes = proportion_trend(valid["numerator"], valid["denominator"])
        return trend_label(chi2, direction, slopes, metric["polarity"])
    if metric["kind"] == "survey_pct":
        valid = valid[valid["margin_of_error"].notna()].tail(POINTS)
        if len(valid) < POINTS:
            return CANNOT_BE_CALCULATED
        chi2, slope, slopes = value_trend(valid["council"], valid["margin_of_error"] / 1.959964)
        return trend_label(chi2, float(np.sign(slope)), slopes, metric["polarity"])
    return CANNOT_BE_CALCULATED
