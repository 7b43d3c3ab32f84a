"""Confidence intervals and two-period tests used by the rating and direction-of-travel rules.

The formulas follow ``statistical-methods.md`` sections 3 and 5 (the PHE/OHID methods): Wilson
score intervals for proportions, Byar's approximation (10 or more events) or the exact Poisson
interval (fewer than 10) for counts, Newcombe's hybrid score interval for a difference of two
proportions, a z-test on published survey margins of error, and the exact conditional (binomial)
test for two event counts. Every function works on unrounded inputs and returns plain floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

# scipy.special holds the functions scipy.stats' normal and chi-square distributions call (ndtri
# for norm.ppf, ndtr for norm.sf, gammaincinv for chi2.ppf), so the results are the same to the
# last bit; importing scipy.stats would add about 0.6 s to every report's start.
from scipy import special

#: Two-sided confidence levels the rules support, with their normal quantiles.
Z_95 = float(special.ndtri(0.975))
Z_998 = float(special.ndtri(0.999))


def z_value(confidence: float) -> float:
    """Return the two-sided standard normal quantile for a confidence level such as 0.95."""
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be between 0 and 1, got {confidence!r}")
    return float(special.ndtri(1 - (1 - confidence) / 2))


def wilson_interval(events: float, trials: float, confidence: float = 0.95) -> tuple[float, float]:
    """Wilson score interval for ``events`` out of ``trials``, as proportions in [0, 1].

    Non-integer ``events`` are allowed (a survey percentage times its respondents).
    """
    if trials <= 0:
        raise ValueError(f"Wilson interval needs a positive denominator, got {trials!r}")
    if events < 0 or events > trials:
        raise ValueError(f"Wilson interval needs 0 <= events <= trials, got {events!r} of {trials!r}")
    z = z_value(confidence)
    centre = 2 * events + z * z
    spread = z * math.sqrt(z * z + 4 * events * (1 - events / trials))
    scale = 2 * (trials + z * z)
    low = 0.0 if events == 0 else max(0.0, (centre - spread) / scale)
    high = 1.0 if events == trials else min(1.0, (centre + spread) / scale)
    return low, high


def byar_interval(observed: float, confidence: float = 0.95) -> tuple[float, float]:
    """Byar's approximation to the Poisson interval for an observed count (PHE, counts >= 10)."""
    if observed <= 0:
        raise ValueError("Byar's interval needs a positive count; use exact_poisson_interval")
    z = z_value(confidence)
    low = observed * (1 - 1 / (9 * observed) - z / (3 * math.sqrt(observed))) ** 3
    upper_count = observed + 1
    high = upper_count * (1 - 1 / (9 * upper_count) + z / (3 * math.sqrt(upper_count))) ** 3
    return low, high


def exact_poisson_interval(observed: float, confidence: float = 0.95) -> tuple[float, float]:
    """Exact (chi-square based) Poisson interval for an observed count."""
    if observed < 0:
        raise ValueError(f"a count cannot be negative, got {observed!r}")
    alpha = 1 - confidence
    # chi2.ppf(p, 2k) / 2 is the inverse regularised incomplete gamma function at (k, p)
    low = 0.0 if observed == 0 else float(special.gammaincinv(observed, alpha / 2))
    high = float(special.gammaincinv(observed + 1, 1 - alpha / 2))
    return low, high


def count_interval(observed: float, confidence: float = 0.95) -> tuple[float, float]:
    """PHE's choice for a count: Byar's from 10 events, exact below 10."""
    if observed >= 10:
        return byar_interval(observed, confidence)
    return exact_poisson_interval(observed, confidence)


@dataclass(frozen=True)
class Difference:
    """A change between two periods with its confidence interval and, where defined, a p-value."""

    change: float
    low: float
    high: float
    p_value: float | None = None

    @property
    def significant(self) -> bool:
        """True when the interval excludes zero."""
        return self.low > 0 or self.high < 0


def newcombe_difference(
    events_now: float,
    trials_now: float,
    events_before: float,
    trials_before: float,
    confidence: float = 0.95,
) -> Difference:
    """Newcombe's hybrid score interval (method 10) for p_now - p_before, as proportions."""
    p1 = events_now / trials_now
    p0 = events_before / trials_before
    l1, u1 = wilson_interval(events_now, trials_now, confidence)
    l0, u0 = wilson_interval(events_before, trials_before, confidence)
    change = p1 - p0
    low = change - math.sqrt((p1 - l1) ** 2 + (u0 - p0) ** 2)
    high = change + math.sqrt((u1 - p1) ** 2 + (p0 - l0) ** 2)
    return Difference(change, low, high)


def margin_of_error_difference(
    value_now: float,
    moe_now: float,
    value_before: float,
    moe_before: float,
    confidence: float = 0.95,
) -> Difference:
    """z-test of two survey percentages from their published 95% margins of error."""
    se = math.sqrt((moe_now / Z_95) ** 2 + (moe_before / Z_95) ** 2)
    change = value_now - value_before
    z = z_value(confidence)
    p_value = float(2 * special.ndtr(-abs(change) / se)) if se > 0 else 0.0
    return Difference(change, change - z * se, change + z * se, p_value)


def exact_conditional_rate_test(
    events_now: int,
    exposure_now: float,
    events_before: int,
    exposure_before: float,
    confidence: float = 0.95,
) -> Difference:
    """Exact conditional test of two Poisson counts; the change is reported as a rate ratio.

    ``Difference.change`` is the rate ratio, ``low``/``high`` its Clopper-Pearson based interval
    and ``significant`` compares the interval with 1 (p < 1 - confidence).
    """
    total = int(round(events_now + events_before))
    share = exposure_now / (exposure_now + exposure_before)
    if total == 0:
        return RateRatio(float("nan"), float("nan"), float("nan"), 1.0, 1 - confidence)
    from scipy.stats import binomtest  # only count comparisons need it; scipy.stats is slow to import

    result = binomtest(int(round(events_now)), total, share)
    ci = result.proportion_ci(confidence_level=confidence, method="exact")
    ratio_scale = exposure_before / exposure_now

    def to_ratio(pi: float) -> float:
        return math.inf if pi >= 1 else pi / (1 - pi) * ratio_scale

    ratio = (events_now / exposure_now) / (events_before / exposure_before) if events_before else math.inf
    return RateRatio(ratio, to_ratio(ci.low), to_ratio(ci.high), float(result.pvalue), 1 - confidence)


@dataclass(frozen=True)
class RateRatio(Difference):
    """A rate ratio: significant when its p-value is below ``alpha`` (5% by default)."""

    alpha: float = 0.05

    @property
    def significant(self) -> bool:
        return self.p_value is not None and self.p_value < self.alpha


def straight_line_slope(values, confidence: float = 0.95) -> Difference:
    """Least-squares slope of equally spaced ``values`` (change per step) with its t interval.

    The ordinary least-squares fit of ``value = a + b * step`` (steps 0, 1, 2, ...), as
    statsmodels' OLS gives it: ``change`` is b, ``low``/``high`` its ``confidence`` interval from
    Student's t with n - 2 degrees of freedom. Needs at least three values.
    """
    y = np.asarray(values, dtype=float)
    if y.ndim != 1 or len(y) < 3 or not np.isfinite(y).all():
        raise ValueError(f"a straight-line fit needs at least three finite values, got {len(y)}")
    steps = np.arange(len(y), dtype=float)
    centred = steps - steps.mean()
    sxx = float(centred @ centred)
    slope = float(centred @ (y - y.mean())) / sxx
    residuals = y - (y.mean() + slope * centred)
    degrees = len(y) - 2
    se = math.sqrt(float(residuals @ residuals) / degrees / sxx)
    t = float(special.stdtrit(degrees, 1 - (1 - confidence) / 2))
    return Difference(slope, slope - t * se, slope + t * se)
