"""Statistical process control: XmR charts with the NHS England Making Data Count rules.

Follows section 6 of the statistical methods specification: limits from the mean moving range
(no outlier screening by default), the four special-cause rules, point classification by the
metric's polarity with the precedence astronomical > trend > two-of-three > shift, the variation
icon from the latest point and the assurance icon from the target against the process limits.
Fewer than 12 points give a run chart with no limits or icons; 12 to 14 give trial limits with a
variation icon only.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

#: Bias constant d2 for moving ranges of two points and the 3-sigma multiplier 3 / d2.
D2 = 1.128
LIMIT_FACTOR = 2.66
#: Moving ranges at least this multiple of the mean are outliers when screening is asked for.
SCREEN_FACTOR = 3.267
MIN_POINTS_FOR_LIMITS = 12
MIN_POINTS_FOR_ASSURANCE = 15
RULE_ORDER = ("astronomical", "trend", "two_of_three", "shift")


@dataclass(frozen=True)
class XmrLimits:
    centre: float
    mean_moving_range: float
    upper: float
    lower: float
    upper_two_sigma: float
    lower_two_sigma: float


@dataclass
class SpcResult:
    """An XmR chart: the points with their flags, the limits (None for a run chart) and the icons."""

    points: pd.DataFrame  # x, value, centre, upper, lower, the rule flags, direction, variation
    limits: XmrLimits | None
    trial: bool
    variation: str  # common_cause, improving_high, improving_low, concerning_high, ...
    assurance: str | None  # consistently_passing, consistently_failing, hit_and_miss or None

    @property
    def variation_label(self) -> str:
        return VARIATION_LABELS.get(self.variation, self.variation)

    @property
    def assurance_label(self) -> str:
        return ASSURANCE_LABELS.get(self.assurance, "no assurance (too few points or no target)")


VARIATION_LABELS = {
    "run_chart": "run chart only (fewer than 12 points)",
    "common_cause": "common cause variation",
    "improving_high": "special cause: improving (high)",
    "improving_low": "special cause: improving (low)",
    "concerning_high": "special cause: concerning (high)",
    "concerning_low": "special cause: concerning (low)",
    "neither_high": "special cause: neither (high)",
    "neither_low": "special cause: neither (low)",
}
ASSURANCE_LABELS = {
    "consistently_passing": "consistently passing the target",
    "consistently_failing": "consistently failing the target",
    "hit_and_miss": "hit and miss: the target lies within the process limits",
}


def xmr_limits(values, screen_outliers: bool = False) -> XmrLimits:
    """Centre line, process limits (±2.66 mean moving range) and the 2-sigma lines."""
    x = np.asarray(values, dtype=float)
    if len(x) < 2:
        raise ValueError("an XmR chart needs at least two points")
    moving = np.abs(np.diff(x))
    mean_range = moving.mean()
    if screen_outliers:
        kept = moving[moving < SCREEN_FACTOR * mean_range]
        mean_range = kept.mean() if len(kept) else mean_range
    centre = x.mean()
    spread = LIMIT_FACTOR * mean_range
    return XmrLimits(centre, mean_range, centre + spread, centre - spread,
                     centre + spread * 2 / 3, centre - spread * 2 / 3)


def _runs(flags_up: np.ndarray, flags_down: np.ndarray, length: int) -> tuple[np.ndarray, np.ndarray]:
    """Mark every point in a run of at least ``length`` consecutive True values."""
    marked = []
    for flags in (flags_up, flags_down):
        out = np.zeros(len(flags), dtype=bool)
        start = None
        for i, flag in enumerate([*flags, False]):
            if flag and start is None:
                start = i
            elif not flag and start is not None:
                if i - start >= length:
                    out[start:i] = True
                start = None
        marked.append(out)
    return marked[0], marked[1]


def special_causes(values, limits: XmrLimits, run_length: int = 7, trend_length: int = 7) -> pd.DataFrame:
    """The four rules' flags per point, each as 'up', 'down' or ''."""
    x = np.asarray(values, dtype=float)
    n = len(x)
    astronomical = np.where(x > limits.upper, "up", np.where(x < limits.lower, "down", ""))
    above, below = _runs(x > limits.centre, x < limits.centre, run_length)
    shift = np.where(above, "up", np.where(below, "down", ""))
    # A trend of k points is k - 1 successive strict rises (or falls); the first point counts too.
    rises = np.r_[False, np.diff(x) > 0]
    falls = np.r_[False, np.diff(x) < 0]
    rise_run, fall_run = _runs(rises, falls, trend_length - 1)
    rising = rise_run | np.r_[rise_run[1:], False] & ~rise_run
    falling = fall_run | np.r_[fall_run[1:], False] & ~fall_run
    trend = np.where(rising, "up", np.where(falling, "down", ""))
    two = np.array([""] * n, dtype=object)
    for start in range(n - 2):
        window = x[start:start + 3]
        for side, beyond in (("up", window > limits.upper_two_sigma), ("down", window < limits.lower_two_sigma)):
            same_side = np.all(window > limits.centre) if side == "up" else np.all(window < limits.centre)
            if same_side and beyond.sum() >= 2:
                for offset in np.flatnonzero(beyond):
                    two[start + offset] = side
    return pd.DataFrame({"astronomical": astronomical, "trend": trend, "two_of_three": two, "shift": shift})


def _meaning(direction: str, polarity: str) -> str:
    if not direction:
        return "common_cause"
    if polarity not in ("high", "low"):
        return f"neither_{'high' if direction == 'up' else 'low'}"
    good = (direction == "up") == (polarity == "high")
    return f"{'improving' if good else 'concerning'}_{'high' if direction == 'up' else 'low'}"


def assurance(target: float | None, limits: XmrLimits, polarity: str) -> str | None:
    """Whether the process as it runs will meet the target (equality counts as hit and miss)."""
    if target is None or pd.isna(target) or polarity not in ("high", "low"):
        return None
    passing_side = limits.lower if polarity == "high" else limits.upper
    failing_side = limits.upper if polarity == "high" else limits.lower
    if (polarity == "high" and target < passing_side) or (polarity == "low" and target > passing_side):
        return "consistently_passing"
    if (polarity == "high" and target > failing_side) or (polarity == "low" and target < failing_side):
        return "consistently_failing"
    return "hit_and_miss"


def xmr_chart(values, polarity: str = "", target: float | None = None, x=None,
              baseline_points: int | None = None, screen_outliers: bool = False,
              run_length: int = 7) -> SpcResult:
    """An XmR chart of ``values`` (in time order) with the MDC icons.

    ``baseline_points`` fixes the limits on the first points (12 to 20, default all points);
    ``polarity`` is 'high' or 'low' (what is better) or '' for none.
    """
    x_values = np.asarray(values, dtype=float)
    labels = list(range(1, len(x_values) + 1)) if x is None else list(x)
    points = pd.DataFrame({"x": labels, "value": x_values})
    if len(x_values) < MIN_POINTS_FOR_LIMITS:
        for column in ("centre", "upper", "lower", *RULE_ORDER, "direction"):
            points[column] = np.nan if column in ("centre", "upper", "lower") else ""
        points["variation"] = "run_chart"
        return SpcResult(points, None, False, "run_chart", None)
    if baseline_points is not None and not 12 <= baseline_points <= 20:
        raise ValueError(f"baseline_points must be between 12 and 20, not {baseline_points}")
    baseline = x_values[:baseline_points] if baseline_points else x_values
    limits = xmr_limits(baseline, screen_outliers)
    flags = special_causes(x_values, limits, run_length=run_length)
    points = pd.concat([points, flags], axis=1)
    points["centre"], points["upper"], points["lower"] = limits.centre, limits.upper, limits.lower
    points["direction"] = [next((row[rule] for rule in RULE_ORDER if row[rule]), "") for _, row in flags.iterrows()]
    points["variation"] = [_meaning(d, polarity) for d in points["direction"]]
    trial = len(x_values) < MIN_POINTS_FOR_ASSURANCE
    icon_assurance = None if trial else assurance(target, limits, polarity)
    return SpcResult(points, limits, trial, points["variation"].iloc[-1], icon_assurance)
