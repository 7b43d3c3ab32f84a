"""Draft sentences in the style of the improvement plan's "Progress" column."""

from __future__ import annotations

from datetime import date

import pandas as pd

from .extract import QUEUE_LABELS


def _d(day: date) -> str:
    return f"{day:%d/%m/%y}"


def _change(now: float, then: float, unit: str, then_day: date, peak: bool = False) -> str:
    if pd.isna(then) or then == now:
        return ""
    word = "down" if now < then else "up"
    return f" ({word} from {'peak of ' if peak else ''}{then:,.0f}{unit} on {_d(then_day)})"


def queue_progress(queue: str, snap: pd.Series, trends: pd.DataFrame, targets: pd.DataFrame) -> list[str]:
    """Sentences for one queue: the count against its peak, the median and the waits over target."""
    series = trends[trends["queue"] == queue].sort_values("week_end")
    day = snap["date"]
    sentences = []
    if len(series):
        peak = series.loc[series["waiting"].idxmax()]
        first = series.iloc[0]
        against, is_peak = (peak, True) if peak["waiting"] > snap["waiting"] and peak["week_end"] != first["week_end"] else (first, False)
        what = "awaiting their annual review" if queue == "annual_review" else "awaiting allocation"
        sentences.append(f"Count of individuals {what} on {_d(day)}: {snap['waiting']:,}"
                         + _change(snap["waiting"], against["waiting"], "", against["week_end"], is_peak) + ".")
        if series["median_wait"].notna().any() and pd.notna(snap["median_wait"]):
            start = series.iloc[0]
            sentences.append(f"Median wait duration: {snap['median_wait']:.0f} days"
                             + _change(snap["median_wait"], start["median_wait"], " days", start["week_end"]) + ".")
        recent = series.tail(8)
        arrivals, allocations = recent["new_requests"].mean(), recent["allocations"].mean()
        direction = ("falling" if allocations > arrivals else "rising" if allocations < arrivals else "steady")
        sentences.append(f"Over the last eight weeks an average of {arrivals:.0f} new requests a week against "
                         f"{allocations:.0f} allocated: the number waiting is {direction}."
                         if queue != "annual_review" else
                         f"Over the last eight weeks an average of {arrivals:.0f} reviews fell due a week and "
                         f"{allocations:.0f} were completed.")
    if pd.notna(snap["share_over_28_days"]) and queue != "annual_review":
        sentences.append(f"Duration over 28 days: {snap['share_over_28_days']:.0f}%; maximum wait {snap['max_wait']:.0f} days.")
    if queue == "annual_review" and pd.notna(snap["reviewed_within_12_months"]):
        sentences.append(f"{snap['reviewed_within_12_months']:.1f}% of people have a review completed within 12 months; "
                         f"maximum time overdue {snap['max_wait']:,.0f} days.")
    met = targets[(targets["queue"] == queue) & (targets["met"] != "no data")]
    if len(met):
        missed = met[met["met"] == "not met"]
        if missed.empty:
            sentences.append("Every improvement-plan target for this queue is met at this date.")
        else:
            sentences.append(f"{len(met) - len(missed)} of {len(met)} improvement-plan targets met; not yet: "
                             + "; ".join(missed["outcome"].str.lower()) + ".")
    return sentences


def progress_table(snap: pd.DataFrame, trends: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """One row per queue: the drafted Progress text."""
    rows = []
    for _, row in snap.iterrows():
        if row["waiting"] == 0 and row["allocated_in_period"] == 0:
            continue
        rows.append({"queue": row["queue"], "queue_label": QUEUE_LABELS[row["queue"]],
                     "progress": " ".join(queue_progress(row["queue"], row, trends, targets))})
    return pd.DataFrame(rows)
