"""Rating and direction-of-travel rules (``statistical-methods.md`` sections 1, 5 and 8).

A *rating* compares one period's figure with a benchmark (a national average, a comparator
average or a local target): the figure's confidence interval against the benchmark's point value,
boundaries counted as "similar". A *direction of travel* tests the change between two periods
directly (Newcombe, survey margin-of-error z-test, exact conditional test for counts, or a
materiality threshold for volume counts). When the precision needed is missing, both fall back
to a stated tolerance and are labelled "indicative".
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace

from . import stats

#: Metric kinds the rules understand.
KINDS = ("proportion", "survey_pct", "rate", "count")
#: Polarities: higher is better, lower is better, a target band, or information only.
POLARITIES = ("high", "low", "band", "info")
#: How a target band is read when a figure lies wholly outside it (section 8.7): outside either
#: way is worse, above is better, or below is better.
BAND_POLARITIES = ("band_optimal", "high_is_good", "low_is_good")
#: The names a catalogue may use for them: the specification's, and ``band_high`` and
#: ``band_low`` (above or below the band is better) as the council's analysts write them.
BAND_POLARITY_ALIASES = {"band_high": "high_is_good", "band_low": "low_is_good"}
BAND_POLARITY_NAMES = BAND_POLARITIES + tuple(BAND_POLARITY_ALIASES)


def band_polarity_of(name: str | None) -> str:
    """The specification's band polarity for a catalogue name (empty: ``band_optimal``)."""
    if name is None or name == "" or (isinstance(name, float) and math.isnan(name)):
        return BAND_POLARITIES[0]
    name = BAND_POLARITY_ALIASES.get(name, name)
    if name not in BAND_POLARITIES:
        raise ValueError(f"unknown band polarity {name!r}; expected one of {BAND_POLARITY_NAMES}")
    return name

#: Fallback tolerances when precision is unknown (section 8.8): absolute for percentages
#: (percentage points), relative for rates and counts.
DEFAULT_TOLERANCE = {"proportion": 3.0, "survey_pct": 5.0, "rate": 0.10, "count": 0.05}
RELATIVE_TOLERANCE_KINDS = ("rate", "count")


@dataclass(frozen=True)
class Figure:
    """One period's published figure.

    ``value`` is on the display scale (a percentage, a rate per ``multiplier`` or a count).
    ``numerator`` and ``denominator`` are the "n out of d" counts; for a rate the numerator is
    the event count and the denominator the population.
    """

    value: float | None
    numerator: float | None = None
    denominator: float | None = None
    margin_of_error: float | None = None
    respondents: float | None = None


@dataclass(frozen=True)
class MetricRule:
    """What the rules need to know about a metric (taken from the metric catalogue)."""

    kind: str
    polarity: str
    multiplier: float = 100.0
    poisson: bool = False
    tolerance: float | None = None
    materiality: float = 0.05
    band_polarity: str = "band_optimal"

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown metric kind {self.kind!r}; expected one of {KINDS}")
        if self.polarity not in POLARITIES:
            raise ValueError(f"unknown polarity {self.polarity!r}; expected one of {POLARITIES}")
        if self.band_polarity not in BAND_POLARITIES:
            raise ValueError(f"unknown band polarity {self.band_polarity!r}; expected one of {BAND_POLARITIES}")
        if not 0 <= self.materiality < 1:
            raise ValueError(f"materiality must be a fraction such as 0.05, got {self.materiality!r}")

    @property
    def fallback_tolerance(self) -> float:
        """Tolerance used when precision is missing (override, else the kind's default)."""
        if self.tolerance is not None and not math.isnan(self.tolerance):
            return float(self.tolerance)
        return DEFAULT_TOLERANCE[self.kind]


@dataclass(frozen=True)
class Interval:
    """A confidence interval on the display scale and how it was obtained."""

    low: float
    high: float
    basis: str


@dataclass(frozen=True)
class Rating:
    """The verdict of a figure against a benchmark."""

    verdict: str  # better, similar, worse, higher, lower, on_target, not_compared
    basis: str = ""
    interval: Interval | None = None
    target_met: bool | None = None
    indicative: bool = False
    reason: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class Direction:
    """The verdict on the change from an earlier period to this one."""

    verdict: str  # improved, worsened, no_significant_change, increased, decreased, not_compared
    basis: str = ""
    change: float | None = None
    low: float | None = None
    high: float | None = None
    p_value: float | None = None
    unit: str = ""  # "pp" (percentage points), "ratio" (rate ratio) or "relative"
    indicative: bool = False
    reason: str = ""
    notes: tuple[str, ...] = field(default_factory=tuple)


def _present(x: float | None) -> bool:
    return x is not None and not (isinstance(x, float) and math.isnan(x))


def point_value(figure: Figure, rule: MetricRule) -> float | None:
    """The unrounded value used for decisions: x/n where both are known, else the published one."""
    if rule.kind in ("proportion", "rate") and _present(figure.numerator) and _present(figure.denominator):
        if figure.denominator > 0:
            return figure.numerator / figure.denominator * rule.multiplier
    return figure.value if _present(figure.value) else None


COUNT_DERIVED = "count derived from rate and population"
POPULATION_IMPLIED = "population implied from count and rate"
DENOMINATOR_IMPUTED = "denominator imputed from the other period"


def derived_count(figure: Figure, rule: MetricRule) -> tuple[float | None, str]:
    """A rate's event count: given, or x = round(R * N / M) from the rate and population (8.5,
    flagged "count derived")."""
    if _present(figure.numerator):
        return float(figure.numerator), ""
    if _present(figure.value) and _present(figure.denominator):
        return float(round(figure.value * figure.denominator / rule.multiplier)), COUNT_DERIVED
    return None, ""


def event_count(figure: Figure, rule: MetricRule) -> float | None:
    """The event count behind a rate (given or derived) or a Poisson count, if it is known."""
    if rule.kind == "rate":
        return derived_count(figure, rule)[0]
    if rule.kind == "count":
        return figure.value if _present(figure.value) else None
    return None


def exposure(figure: Figure, rule: MetricRule) -> tuple[float | None, str]:
    """The population behind a rate: given, or implied from the count and the rate (flagged)."""
    if _present(figure.denominator):
        return float(figure.denominator), ""
    count = event_count(figure, rule)
    if count is not None and _present(figure.value) and figure.value > 0:
        return count * rule.multiplier / figure.value, POPULATION_IMPLIED
    return None, ""


def confidence_interval(figure: Figure, rule: MetricRule, confidence: float = 0.95) -> Interval | None:
    """The figure's confidence interval on the display scale, or None if precision is unknown."""
    if rule.kind == "proportion":
        if _present(figure.numerator) and _present(figure.denominator) and figure.denominator > 0:
            low, high = stats.wilson_interval(figure.numerator, figure.denominator, confidence)
            return Interval(low * 100, high * 100, "wilson")
        return None
    if rule.kind == "survey_pct":
        if _present(figure.margin_of_error) and _present(figure.value):
            half = figure.margin_of_error * stats.z_value(confidence) / stats.Z_95
            return Interval(max(0.0, figure.value - half), min(100.0, figure.value + half), "published_moe")
        if _present(figure.respondents) and _present(figure.value):
            low, high = stats.wilson_interval(
                figure.value / 100 * figure.respondents, figure.respondents, confidence
            )
            return Interval(low * 100, high * 100, "wilson_on_respondents")
        return None
    count = event_count(figure, rule)
    if count is None:
        return None
    if rule.kind == "count" and not rule.poisson:
        return None
    low, high = stats.count_interval(count, confidence)
    basis = "byar" if count >= 10 else "exact_poisson"
    if rule.kind == "count":
        return Interval(low, high, basis)
    population, _ = exposure(figure, rule)
    if population is None:
        return None
    return Interval(low / population * rule.multiplier, high / population * rule.multiplier, basis)


def _orient(raw: str, polarity: str) -> str:
    """Turn higher/lower (or up/down) into better/worse for a polarity; info stays neutral."""
    if raw in ("similar", "on_target"):
        return raw
    if polarity == "high":
        return "better" if raw == "higher" else "worse"
    if polarity == "low":
        return "worse" if raw == "higher" else "better"
    return raw


def target_met(value: float, target: float, polarity: str, operator: str | None = None) -> bool:
    """Whether a point value meets a target, by the stated inequality or the metric's polarity."""
    op = operator or (">=" if polarity == "high" else "<=")
    checks = {
        "<": value < target,
        "<=": value <= target,
        ">": value > target,
        ">=": value >= target,
        "=": value == target,
    }
    if op not in checks:
        raise ValueError(f"unknown target operator {op!r}; expected one of {sorted(checks)}")
    return checks[op]


def rate_against(
    figure: Figure,
    rule: MetricRule,
    benchmark: float | None,
    *,
    is_target: bool = False,
    operator: str | None = None,
    band: tuple[float, float] | None = None,
    confidence: float = 0.95,
    previous: Figure | None = None,
) -> Rating:
    """Rate a figure against a benchmark value (section 1.2, 8.3-8.7).

    ``is_target`` adds the plain "target met" flag on the point value; ``band`` rates against a
    target band [L, U] instead of a single value. ``previous`` (the comparison period's figure)
    lends its denominator to a proportion published without one (8.3, flagged).
    """
    notes: list[str] = []
    if (rule.kind == "proportion" and previous is not None and not _present(figure.denominator)
            and _present(figure.value) and _present(previous.denominator)):
        n = previous.denominator
        figure = Figure(figure.value, figure.value / 100 * n, n, figure.margin_of_error, figure.respondents)
        notes.append(DENOMINATOR_IMPUTED)
    if rule.kind == "rate":
        note = derived_count(figure, rule)[1] or exposure(figure, rule)[1]
        if note:
            notes.append(note)
    if rule.polarity == "info":
        return Rating("not_compared", reason="information only")
    value = point_value(figure, rule)
    if value is None:
        return Rating("not_compared", reason="no figure for this period")
    if band is not None:
        return replace(_rate_against_band(figure, rule, value, band, confidence), notes=tuple(notes))
    if benchmark is None or (isinstance(benchmark, float) and math.isnan(benchmark)):
        return Rating("not_compared", reason="no benchmark published")
    met = target_met(value, benchmark, rule.polarity, operator) if is_target else None

    if rule.kind == "count" and not rule.poisson:
        gap = (value - benchmark) / benchmark
        raw = "similar" if abs(gap) < rule.materiality else ("higher" if gap > 0 else "lower")
        return Rating(_orient(raw, rule.polarity), "materiality", None, met, False, "", tuple(notes))

    interval = confidence_interval(figure, rule, confidence)
    if interval is None:
        tolerance = rule.fallback_tolerance
        gap = value - benchmark
        size = abs(gap / benchmark) if rule.kind in RELATIVE_TOLERANCE_KINDS else abs(gap)
        raw = "similar" if size < tolerance else ("higher" if gap > 0 else "lower")
        return Rating(_orient(raw, rule.polarity), "tolerance_band", None, met, True, "", tuple(notes))

    if interval.low > benchmark:
        raw = "higher"
    elif interval.high < benchmark:
        raw = "lower"
    else:
        raw = "similar"
    if rule.kind == "count" and raw != "similar" and abs(value - benchmark) / benchmark < rule.materiality:
        raw = "similar"
        notes.append("significant but below the materiality threshold")
    return Rating(_orient(raw, rule.polarity), interval.basis, interval, met, False, "", tuple(notes))


def _rate_against_band(
    figure: Figure, rule: MetricRule, value: float, band: tuple[float, float], confidence: float
) -> Rating:
    low, high = band
    interval = confidence_interval(figure, rule, confidence)
    indicative = interval is None
    if interval is None:
        tolerance = rule.fallback_tolerance
        half = value * tolerance if rule.kind in RELATIVE_TOLERANCE_KINDS else tolerance
        interval = Interval(value - half, value + half, "tolerance_band")
    if low <= value <= high:
        return Rating("on_target", interval.basis, interval, True, indicative)
    if interval.high >= low and interval.low <= high:
        return Rating("similar", interval.basis, interval, False, indicative, "not significantly outside the band")
    above = interval.low > high
    if rule.band_polarity == "band_optimal":
        verdict = "worse"
    elif rule.band_polarity == "high_is_good":
        verdict = "better" if above else "worse"
    else:
        verdict = "worse" if above else "better"
    reason = "off target, above band" if above else "off target, below band"
    return Rating(verdict, interval.basis, interval, False, indicative, reason)


def direction_of_travel(
    now: Figure,
    before: Figure,
    rule: MetricRule,
    *,
    band: tuple[float, float] | None = None,
    confidence: float = 0.95,
) -> Direction:
    """Test the change from ``before`` to ``now`` (section 5 and 8).

    The caller decides comparability (same definition, non-overlapping periods); this function
    only tests the change.
    """
    v1, v0 = point_value(now, rule), point_value(before, rule)
    if v1 is None or v0 is None:
        return Direction("not_compared", reason="no figure for one of the periods")
    alpha = 1 - confidence
    notes: list[str] = []
    indicative = False
    unit = "pp"

    if rule.kind == "proportion":
        n1, n0 = now.denominator, before.denominator
        if _present(n1) or _present(n0):
            if not _present(n1) or not _present(n0):
                notes.append(DENOMINATOR_IMPUTED)
                n1 = n1 if _present(n1) else n0
                n0 = n0 if _present(n0) else n1
            basis = "newcombe"
            change, low, high, p, significant = _newcombe_change(v1, n1, v0, n0, confidence)
        else:
            basis, (change, low, high, p, significant) = "tolerance_band", _tolerance_change(v1, v0, rule)
            indicative = True
    elif rule.kind == "survey_pct":
        if _present(now.margin_of_error) and _present(before.margin_of_error):
            diff = stats.margin_of_error_difference(
                v1, now.margin_of_error, v0, before.margin_of_error, confidence
            )
            basis, change, low, high, p = "moe_z", diff.change, diff.low, diff.high, diff.p_value
            significant = diff.significant
        elif _present(now.respondents) and _present(before.respondents):
            n1, n0 = now.respondents, before.respondents
            basis = "newcombe_on_respondents"
            change, low, high, p, significant = _newcombe_change(v1, n1, v0, n0, confidence)
        else:
            basis, (change, low, high, p, significant) = "tolerance_band", _tolerance_change(v1, v0, rule)
            indicative = True
    elif rule.kind == "rate":
        (x1, derived1), (x0, derived0) = derived_count(now, rule), derived_count(before, rule)
        e1, note1 = exposure(now, rule)
        e0, note0 = exposure(before, rule)
        if None not in (x1, x0, e1, e0):
            notes.extend(dict.fromkeys(n for n in (derived1, derived0, note1, note0) if n))
            diff = stats.exact_conditional_rate_test(x1, e1, x0, e0, confidence)
            basis, unit = "poisson_exact_conditional", "ratio"
            change, low, high, p = diff.change, diff.low, diff.high, diff.p_value
            significant = diff.significant
        else:
            unit = "relative"
            basis, (change, low, high, p, significant) = "tolerance_band", _tolerance_change(v1, v0, rule)
            indicative = True
    else:  # count
        unit = "relative"
        relative = (v1 - v0) / v0 if v0 else math.inf
        material = abs(relative) >= rule.materiality
        change, low, high = relative, None, None
        if rule.poisson:
            test = stats.exact_conditional_rate_test(v1, 1.0, v0, 1.0, confidence)
            basis, p = "poisson_exact_conditional", test.p_value
            significant = material and test.p_value < alpha
            if test.p_value < alpha and not material:
                notes.append("significant but below the materiality threshold")
        else:
            basis, p, significant = "materiality", None, material

    if not significant:
        verdict = "no_significant_change"
    elif rule.polarity == "band" and band is not None and rule.band_polarity == "band_optimal":
        d1, d0 = _band_distance(v1, band), _band_distance(v0, band)
        verdict = "no_significant_change" if d1 == d0 else ("improved" if d1 < d0 else "worsened")
    else:
        up = v1 > v0
        polarity = {"high_is_good": "high", "low_is_good": "low"}.get(rule.band_polarity, rule.polarity) \
            if rule.polarity == "band" else rule.polarity
        if polarity == "high":
            verdict = "improved" if up else "worsened"
        elif polarity == "low":
            verdict = "worsened" if up else "improved"
        else:
            verdict = "increased" if up else "decreased"
    return Direction(verdict, basis, change, low, high, p, unit, indicative, "", tuple(notes))


def _band_distance(value: float, band: tuple[float, float]) -> float:
    low, high = band
    return max(low - value, 0.0, value - high)


def _newcombe_change(v1: float, n1: float, v0: float, n0: float, confidence: float):
    """Newcombe's interval for a change of two percentages with their denominators, in percentage
    points: (change, low, high, p, significant); no p-value is defined."""
    diff = stats.newcombe_difference(v1 / 100 * n1, n1, v0 / 100 * n0, n0, confidence)
    return diff.change * 100, diff.low * 100, diff.high * 100, None, diff.significant


def _tolerance_change(v1: float, v0: float, rule: MetricRule):
    """Change judged against the fallback tolerance: (change, low, high, p, significant)."""
    tolerance = rule.fallback_tolerance
    if rule.kind in RELATIVE_TOLERANCE_KINDS:
        change = (v1 - v0) / v0 if v0 else math.inf
    else:
        change = v1 - v0
    return change, None, None, None, abs(change) >= tolerance
