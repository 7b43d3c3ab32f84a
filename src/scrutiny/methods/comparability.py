"""One place that decides whether two figures may be compared, and how (``statistical-methods.md``
section 2 "Independence", 8.1 and 8.10).

Every report asks the same three questions before a direction of travel is tested:

* which rule applies (:func:`metric_rule` from a catalogue row, :func:`figure_of` from a figure);
* which earlier figure the change is measured against (:func:`choose_comparison`): the same period
  last year; for annual and biennial surveys the previous wave of the same survey; for a
  snapshot the position at the end of last year; or what the catalogue's ``dot_comparator`` says;
* whether the pair may be tested (:func:`assess_pair`): never across a series break, part-year
  against full-year or a forecast; overlapping windows of equal length are tested as if
  independent, which is conservative, and only a significant result is reported
  (:func:`direction_for`), with the raw change always kept.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from datetime import date, timedelta

import pandas as pd

from ..periods import FinancialYear, ReportPeriod, shift_years
from .rules import BAND_POLARITIES, Direction, Figure, MetricRule, direction_of_travel

SURVEY_BASES = ("annual_survey", "biennial_survey")
#: What a metric's change is measured against (catalogue column ``dot_comparator``; empty means
#: the default for its period basis).
DOT_COMPARATORS = ("same_period_last_year", "previous_wave", "previous_year_end", "none")

#: Status of a pair of figures.
COMPARABLE = "comparable"
OVERLAPPING = "overlapping"
NOT_COMPARABLE = "not_comparable"

OVERLAP_REASON = "overlapping periods"
PART_YEAR_REASON = "part-year figure against a full year"
FORECAST_REASON = "forecast, not an actual"


def _missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or value is pd.NaT


def _optional(row: pd.Series, name: str):
    value = row.get(name) if hasattr(row, "get") else None
    if _missing(value) or (isinstance(value, str) and not value.strip()):
        return None
    return value


def metric_rule(metric: pd.Series) -> MetricRule:
    """The rules' view of a catalogue row (``metrics.csv`` or ``ascof_measures.csv``).

    Optional columns: ``poisson``, ``tolerance``, ``materiality`` (default 5%) and
    ``band_polarity`` (default ``band_optimal``).
    """
    tolerance = _optional(metric, "tolerance")
    materiality = _optional(metric, "materiality")
    band_polarity = _optional(metric, "band_polarity")
    poisson = _optional(metric, "poisson")
    return MetricRule(
        kind=metric["kind"],
        polarity=metric["polarity"],
        multiplier=float(metric["multiplier"]),
        poisson=bool(poisson) if poisson is not None else False,
        tolerance=None if tolerance is None else float(tolerance),
        materiality=0.05 if materiality is None else float(materiality),
        band_polarity=band_polarity or BAND_POLARITIES[0],
    )


def figure_of(row: pd.Series | None, value_column: str = "value") -> Figure:
    """A rules :class:`Figure` from an observation row (``value_column`` holds the published figure:
    ``value`` in the council's inputs, ``outcome`` in the national tables)."""
    if row is None:
        return Figure(None)

    def get(name: str) -> float | None:
        value = _optional(row, name)
        return None if value is None else float(value)

    return Figure(get(value_column), get("numerator"), get("denominator"), get("margin_of_error"), get("respondents"))


def overlap_months(start_a: date, end_a: date, start_b: date, end_b: date) -> int:
    """Whole months two periods share (0 when they do not overlap)."""
    start, end = max(start_a, start_b), min(end_a, end_b)
    if start > end:
        return 0
    return round(((end - start).days + 1) / 30.4375)


def _same_length(start_a: date, end_a: date, start_b: date, end_b: date) -> bool:
    return abs(((end_a - start_a) - (end_b - start_b)).days) <= 3


@dataclass(frozen=True)
class Comparison:
    """The earlier figure a change is measured against, and whether and how it may be tested.

    ``status`` is :data:`COMPARABLE` (test normally), :data:`OVERLAPPING` (test as if independent,
    report only a significant result) or :data:`NOT_COMPARABLE` (do not test; ``reason`` says why).
    """

    row: pd.Series | None
    status: str
    reason: str = ""
    overlap_months: int = 0

    @property
    def comparable(self) -> bool:
        """True when a test of the change is run at all."""
        return self.status != NOT_COMPARABLE


def assess_pair(
    current_start: date,
    current_end: date,
    previous_start: date,
    previous_end: date,
    *,
    forecast: bool = False,
    break_from: date | None = None,
    break_reason: str = "",
) -> tuple[str, str, int]:
    """Whether figures for two periods may be compared: (status, reason, months of overlap)."""
    if forecast:
        return NOT_COMPARABLE, FORECAST_REASON, 0
    if break_from is not None and previous_start < break_from <= current_end:
        return NOT_COMPARABLE, f"series break: {break_reason}" if break_reason else "series break", 0
    if current_start == current_end:
        # a position at a date: compared with the position at an earlier date (a year-end
        # outturn of a snapshot measure is the position on its last day)
        previous_start = previous_end
    elif not _same_length(current_start, current_end, previous_start, previous_end):
        return NOT_COMPARABLE, PART_YEAR_REASON, 0
    months = overlap_months(current_start, current_end, previous_start, previous_end)
    if months:
        return OVERLAPPING, OVERLAP_REASON, months
    return COMPARABLE, "", 0


def _latest(frame: pd.DataFrame) -> pd.Series:
    return frame.sort_values(["period_end", "period_start"], kind="stable").iloc[-1]


def choose_comparison(rows: pd.DataFrame, current: pd.Series | None, metric: pd.Series, period: ReportPeriod) -> Comparison:
    """The earlier figure for ``current`` among ``rows`` (one metric's figures known at the cut-off).

    In order: the catalogue's ``dot_comparator`` if set; the previous wave for surveys; the same
    period last year; for a year-to-date or rolling figure with no such figure, the immediately
    preceding period of equal length; for a snapshot the position at the end of last year; else
    the figure starting on the same day last year or last year's outturn, which are then judged
    by :func:`assess_pair` (overlapping or part-year).
    """
    if current is None:
        return Comparison(None, NOT_COMPARABLE, "no figure for this period")
    valued = rows[rows["value"].notna()]
    valued = valued[~((valued["period_start"] == current["period_start"]) & (valued["period_end"] == current["period_end"]))]
    start, end = current["period_start"], current["period_end"]
    if _missing(current["value"]):
        earlier = valued[valued["period_end"] < start]
        if earlier.empty:
            return Comparison(None, NOT_COMPARABLE, "no earlier figure")
        return Comparison(_latest(earlier), NOT_COMPARABLE, "no figure for this period yet")
    comparator = _optional(metric, "dot_comparator")
    if comparator is None and metric["period_basis"] in SURVEY_BASES:
        comparator = "previous_wave"
    if comparator == "none":
        return Comparison(None, NOT_COMPARABLE, "no comparison set for this measure")

    same = valued[(valued["period_start"] == shift_years(start, -1)) & (valued["period_end"] == shift_years(end, -1))]
    chosen: pd.Series | None = None
    if comparator == "previous_wave":
        earlier = valued[(valued["period_end"] < start) & valued.apply(
            lambda r: _same_length(r["period_start"], r["period_end"], start, end), axis=1)] if not valued.empty else valued
        if earlier.empty:
            return Comparison(None, NOT_COMPARABLE, "no earlier wave of the survey")
        chosen = _latest(earlier)
    elif comparator == "same_period_last_year":
        if same.empty:
            return Comparison(None, NOT_COMPARABLE, "no figure for the same period last year")
        chosen = same.iloc[-1]
    elif comparator == "previous_year_end":
        year_end = period.year.start - timedelta(days=1)
        found = valued[valued["period_end"] == year_end]
        if found.empty:
            return Comparison(None, NOT_COMPARABLE, "no figure for the end of last year")
        chosen = found.sort_values("period_start").iloc[-1]
    elif not same.empty:
        chosen = same.iloc[-1]
    else:
        year_end = period.year.start - timedelta(days=1)
        length = end - start
        preceding = valued[(valued["period_end"] == start - timedelta(days=1))
                           & ((valued["period_end"] - valued["period_start"]) - length).abs().le(timedelta(days=3))]
        at_year_end = valued[valued["period_end"] == year_end]
        if start != end and not preceding.empty:
            chosen = preceding.iloc[-1]
        elif start == end and end > year_end and not at_year_end.empty:
            chosen = at_year_end.sort_values("period_start").iloc[-1]
        else:
            same_start = valued[valued["period_start"] == shift_years(start, -1)]
            previous_year = period.year.previous()
            full_year = valued[(valued["period_start"] == previous_year.start) & (valued["period_end"] == previous_year.end)]
            pool = same_start if not same_start.empty else full_year
            if pool.empty:
                return Comparison(None, NOT_COMPARABLE, "no figure for the same period last year")
            chosen = pool.assign(length=pool["period_end"] - pool["period_start"]).sort_values("length").iloc[-1]
    break_from = _optional(metric, "series_break_from")
    status, reason, months = assess_pair(
        start, end, chosen["period_start"], chosen["period_end"],
        forecast=current.get("estimate") == "forecast",
        break_from=break_from, break_reason=_optional(metric, "series_break_reason") or "",
    )
    return Comparison(chosen, status, reason, months)


def financial_year_period(label: str) -> tuple[date, date]:
    """(start, end) of a financial year written ``2024-25``."""
    year = FinancialYear.parse(label)
    return year.start, year.end


def direction_for(
    now: Figure,
    before: Figure,
    rule: MetricRule,
    comparison: Comparison,
    *,
    band: tuple[float, float] | None = None,
    confidence: float = 0.95,
) -> Direction:
    """The direction of travel for a pair judged by :func:`assess_pair`.

    Overlapping periods are tested as if independent (conservative, since the windows share
    people): a significant result keeps its verdict with the qualifier "periods overlap by N
    months; conservative test"; otherwise the verdict is not compared (overlapping periods). The
    raw change is kept in both cases so the reader sees its direction.
    """
    if comparison.status == NOT_COMPARABLE:
        return Direction("not_compared", reason=comparison.reason)
    direction = direction_of_travel(now, before, rule, band=band, confidence=confidence)
    if comparison.status == COMPARABLE or direction.verdict == "not_compared":
        return direction
    if direction.verdict == "no_significant_change":
        return replace(direction, verdict="not_compared", reason=OVERLAP_REASON)
    qualifier = f"periods overlap by {comparison.overlap_months} months; conservative test"
    return replace(direction, reason=qualifier)


__all__ = [
    "COMPARABLE", "OVERLAPPING", "NOT_COMPARABLE", "Comparison", "DOT_COMPARATORS", "SURVEY_BASES",
    "assess_pair", "choose_comparison", "figure_of", "financial_year_period", "metric_rule",
    "overlap_months", "direction_for",
]
