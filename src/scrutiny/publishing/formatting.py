"""Number and verdict formatting in the committee papers' style."""

from __future__ import annotations

import math

#: Plain-English labels for rating and direction-of-travel verdicts, with a glyph each so that
#: no verdict relies on colour alone.
RATING_TEXT = {
    "better": ("▲", "Better than"),
    "similar": ("●", "Similar to"),
    "worse": ("▼", "Worse than"),
    "higher": ("▲", "Higher than"),
    "lower": ("▼", "Lower than"),
    "on_target": ("●", "Within target band"),
    "not_compared": ("–", "Not compared"),
}
DOT_TEXT = {
    "improved": ("↑", "Improved"),
    "worsened": ("↓", "Worsened"),
    "no_significant_change": ("→", "No significant change"),
    "increased": ("↑", "Increased"),
    "decreased": ("↓", "Decreased"),
    "not_compared": ("–", "Not compared"),
}


def is_missing(value: object) -> bool:
    """True for None and NaN."""
    return value is None or (isinstance(value, float) and math.isnan(value))


def format_value(value: float | None, display_format: str, unit: str = "") -> str:
    """Format a figure: ``pct1`` 87.1%, ``thousands1`` 41.0k, ``rate1`` 14.3 per 100k, ``int`` 1,234."""
    if is_missing(value):
        return ""
    if display_format in ("pct1", "pct2"):
        return f"{value:.{display_format[-1]}f}%"
    if display_format == "thousands1":
        return f"{value / 1000:,.1f}k"
    if display_format == "rate1":
        return f"{value:,.1f} per 100k"
    if display_format == "int":
        return f"{value:,.0f}"
    if display_format == "number2":
        return f"{value:,.3f}"
    return f"{value:,.1f}"


def format_count(value: float | None) -> str:
    """A whole count with thousands separators."""
    return "" if is_missing(value) else f"{value:,.0f}"


def out_of(numerator: float | None, denominator: float | None, rounded_to: float | None = None) -> str:
    """``"(1,227 out of 1,408)"``, or an empty string when either is unknown.

    ``rounded_to``: the base DHSC rounded the two counts to (see ``inputs.national.counts_rounded_to``),
    said in the same brackets, so a reader does not take n/d for the published percentage.
    """
    if is_missing(numerator) or is_missing(denominator):
        return ""
    note = "" if is_missing(rounded_to) else f"; counts rounded to the nearest {int(rounded_to)} by DHSC"
    return f"({format_count(numerator)} out of {format_count(denominator)}{note})"


def signed(value: float, decimals: int = 1, suffix: str = "") -> str:
    """A number with an explicit sign, using a true minus sign."""
    rounded = round(value, decimals)  # the sign of what is printed: -0.02 is "±0.0", not "−0.0"
    text = f"{abs(rounded):,.{decimals}f}{suffix}"
    return ("+" if rounded > 0 else "−" if rounded < 0 else "±") + text


def describe_change(change: float | None, low: float | None, high: float | None, unit: str) -> str:
    """The change behind a direction of travel, e.g. ``+4.5 pp (95% CI +0.1 to +8.8)``."""
    if is_missing(change):
        return ""
    if unit == "pp":
        text = f"{signed(change, 1, ' pp')}"
        if not is_missing(low) and not is_missing(high):
            text += f" (95% CI {signed(low)} to {signed(high)})"
        return text
    if unit == "ratio":
        text = f"rate ratio {change:.2f}"
        if not is_missing(low) and not is_missing(high):
            text += f" (95% CI {low:.2f} to {high:.2f})"
        return text
    return signed(change * 100, 1, "%")


def similar_means(basis: str, materiality: float, tolerance: float, kind: str, is_target: bool) -> str:
    """What "similar" means for a rating basis, in words a committee member can check."""
    against = "the target" if is_target else "the benchmark"
    if basis == "materiality":
        return f"within {materiality:.0%} of {against}"
    if basis == "tolerance_band":
        band = f"{tolerance:.0%}" if kind in ("rate", "count") else f"{tolerance:g} percentage points"
        return f"within {band} of {against}"
    return f"{against} lies within the 95% confidence interval"


def published_count(value: float | None, display_format: str) -> str:
    """A count in a sentence with the precision it was published with: a figure printed as
    thousands to one decimal (a multiple of 100) stays "2,584.4k"; an exact count is written out."""
    if is_missing(value):
        return ""
    if display_format == "thousands1" and value % 100 == 0:
        return format_value(value, display_format)
    return format_count(value)


def raw_change(now: float | None, before: float | None, display_format: str) -> str:
    """The plain difference between two published figures, printed beside a change that was not
    tested (e.g. "−5.5 pp", "−5.1 per 100k", "+3.0%"), or "" if either is missing."""
    if is_missing(now) or is_missing(before):
        return ""
    if display_format in ("pct1", "pct2"):
        return signed(now - before, 1, " pp")
    if display_format == "rate1":
        return signed(now - before, 1, " per 100k")
    if before:
        return signed((now - before) / before * 100, 1, "%")
    return ""


def indicative_note(kind: str, tolerance: float) -> str:
    """Why a comparison is indicative (8.11), e.g. "no denominator; ±3 pp tolerance used"."""
    missing = {"proportion": "no denominator", "survey_pct": "no sample size or margin of error",
               "rate": "no count or population"}.get(kind, "no precision published")
    band = f"±{tolerance:.0%}" if kind in ("rate", "count") else f"±{tolerance:g} pp"
    return f"{missing}; {band} tolerance used"
