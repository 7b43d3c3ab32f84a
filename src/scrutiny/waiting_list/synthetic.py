"""A deterministic synthetic work-tray extract calibrated to the council's published positions.

No real person-level data may ship, so the default report runs on records made here. The method:

1. **Calibration points.** Every published position of ``data/raw/waiting_list_positions.csv``
   (count waiting, median, share over 28 days, number over six months, maximum) becomes a
   calibration point of its queue. Where the papers print nothing for a queue or a date the
   report needs, ``ASSUMED_POSITIONS`` supplies an illustrative position, marked as assumed in
   the code and in the report. Missing statistics at a point are interpolated between the points
   that print them.
2. **Waiting populations built backwards.** Starting from the latest point, the people waiting at
   each point are constructed so that its published figures hold exactly. Anyone waiting at a
   point who was received before the previous point was necessarily waiting then too, so they are
   carried back (with their wait shortened by the gap) and the earlier population is completed
   around them.
3. **Flows around them.** Further requests arrive with a weekly and seasonal pattern
   (``WEEKLY_ARRIVALS``) and are allocated on a working day before the next point, sooner once
   temporary staff arrive (``TEMPORARY_STAFF``). People waiting at one point but not the next are
   allocated oldest first, on working days, at the pace that moves the number waiting steadily
   from one published count to the next.

The generator is seeded: the same seed gives the same file, byte for byte.
"""

from __future__ import annotations

import argparse
from itertools import pairwise
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from ..paths import resolve
from .calendar import working_day_mask
from .extract import COLUMNS, QUEUE_GROUPS, REVIEW_QUEUES

DEFAULT_SEED = 20260302
DEFAULT_PATH = "data/processed/waiting_list_extract.csv"
POSITIONS_FILE = "waiting_list_positions.csv"
#: Synthetic history starts at the first published position (the Care Act peak).
HISTORY_START = date(2024, 12, 29)

#: Positions the papers do not print, assumed so that every queue has a history covering the
#: report periods. Values are illustrative and never compared with a target as if published.
ASSUMED_POSITIONS = pd.DataFrame(
    [
        ("carer_assessment", "2024-12-29", "waiting", 240), ("carer_assessment", "2024-12-29", "median_wait", 38),
        ("carer_assessment", "2025-06-30", "waiting", 205), ("carer_assessment", "2025-06-30", "median_wait", 26),
        ("financial_residential", "2024-12-29", "waiting", 150), ("financial_residential", "2024-12-29", "median_wait", 70),
        ("financial_non_residential", "2024-12-29", "waiting", 215), ("financial_non_residential", "2024-12-29", "median_wait", 24),
        ("occupational_therapy", "2024-12-29", "waiting", 430), ("occupational_therapy", "2024-12-29", "median_wait", 62),
        ("occupational_therapy", "2025-06-30", "waiting", 405), ("occupational_therapy", "2025-06-30", "median_wait", 55),
        ("occupational_therapy", "2026-01-29", "waiting", 380), ("occupational_therapy", "2026-01-29", "median_wait", 47),
        ("occupational_therapy", "2026-01-29", "max_wait", 240),
        ("annual_review", "2024-12-29", "waiting", 1650), ("annual_review", "2024-12-29", "median_wait", 75),
        ("annual_review", "2025-07-31", "waiting", 1420), ("annual_review", "2025-07-31", "median_wait", 58),
    ],
    columns=["queue", "snapshot_date", "measure", "value"],
)
#: Share of the financial assessment total that is residential (the plan prints only the total).
RESIDENTIAL_SHARE = 0.38
#: Requests (or reviews falling due) per week, before the weekly and seasonal pattern.
WEEKLY_ARRIVALS = {
    "care_act_assessment": 95, "carer_assessment": 30, "financial_residential": 14,
    "financial_non_residential": 24, "occupational_therapy": 45, "annual_review": 105,
}
#: When temporary staff joined each queue's teams (assumed), and how much faster new requests are allocated.
TEMPORARY_STAFF = {"care_act_assessment": (date(2025, 4, 1), 0.35), "financial_residential": (date(2025, 7, 1), 0.4),
                   "financial_non_residential": (date(2025, 7, 1), 0.4), "carer_assessment": (date(2025, 9, 1), 0.25)}
#: Share of arrivals by weekday (Monday first) and relative level by month (winter pressure).
WEEKDAY_PATTERN = np.array([0.25, 0.21, 0.2, 0.18, 0.14, 0.01, 0.01])
MONTH_PATTERN = {1: 1.12, 2: 1.05, 3: 1.0, 4: 0.95, 5: 0.95, 6: 0.97, 7: 0.98, 8: 0.88, 9: 1.0, 10: 1.02, 11: 1.05, 12: 1.03}
TEAMS = {
    "assessment": ["Blaby and Oadby-Wigston", "Charnwood", "Harborough", "Hinckley and Bosworth",
                   "Melton", "North West Leicestershire"],
    "financial_residential": ["Residential Finance North", "Residential Finance South"],
    "financial_non_residential": ["Community Finance North", "Community Finance South"],
    "occupational_therapy": ["OT North", "OT South"],
    "annual_review": ["Review Team East", "Review Team West", "Learning Disability Reviews"],
}
PRIORITIES = (["urgent", "high", "standard"], [0.08, 0.27, 0.65])


class CalibrationError(ValueError):
    """The published positions cannot all hold at once with the waits carried between them."""


@dataclass
class Point:
    """A calibration point: the figures the waiting population must have at ``day``."""

    day: date
    waiting: int
    median: float
    share_over_28: float
    over_six_months: int | None
    max_wait: int | None
    share_published: bool = True


def six_month_days(day: date) -> int:
    """Waits longer than this many days are 'over six months' at ``day`` (received before day - 6 months)."""
    return (day - (day - relativedelta(months=6))).days


def calibration_points(positions: pd.DataFrame) -> dict[str, list[Point]]:
    """Per queue, the points (published and assumed) with every statistic filled in."""
    table = positions[["queue", "snapshot_date", "measure", "value"]].copy()
    table["snapshot_date"] = pd.to_datetime(table["snapshot_date"]).dt.date
    totals = table[table["queue"].isin(QUEUE_GROUPS)]
    split = []
    for row in totals.itertuples():
        residential = round(row.value * RESIDENTIAL_SHARE)
        split += [("financial_residential", row.snapshot_date, row.measure, residential),
                  ("financial_non_residential", row.snapshot_date, row.measure, row.value - residential)]
    assumed = ASSUMED_POSITIONS.assign(snapshot_date=pd.to_datetime(ASSUMED_POSITIONS["snapshot_date"]).dt.date)
    table = pd.concat([table[~table["queue"].isin(QUEUE_GROUPS)], pd.DataFrame(split, columns=table.columns), assumed])
    wide = table.pivot_table(index=["queue", "snapshot_date"], columns="measure", values="value", aggfunc="first")
    points = {}
    for queue, frame in wide.groupby(level=0):
        frame = frame.droplevel(0).sort_index()
        waiting, median = _interpolated(frame, "waiting"), _interpolated(frame, "median_wait")
        share = frame["share_over_28_days"] / 100 if "share_over_28_days" in frame else pd.Series(np.nan, index=frame.index)
        points[queue] = []
        for day in frame.index:
            med = float(round(median[day]))
            chosen_share = share[day] if pd.notna(share[day]) else default_share_over_28(med, frame.get("max_wait", {}).get(day))
            if pd.isna(share[day]) and "share_over_28_days" in frame and frame["share_over_28_days"].notna().sum() > 1:
                chosen_share = _interpolated(frame, "share_over_28_days")[day] / 100
            six = frame["over_six_months"][day] if "over_six_months" in frame else np.nan
            top = frame["max_wait"][day] if "max_wait" in frame else np.nan
            points[queue].append(Point(day, int(round(waiting[day])), med, float(chosen_share),
                                       None if pd.isna(six) else int(six), None if pd.isna(top) else int(top),
                                       share_published=bool(pd.notna(share[day]))))
    return points


def _interpolated(frame: pd.DataFrame, measure: str) -> pd.Series:
    """A measure at every point of a queue, linear in time between the points that give it."""
    if measure not in frame or frame[measure].isna().all():
        return pd.Series(np.nan, index=frame.index)
    known = frame[measure].dropna()
    values = np.interp([d.toordinal() for d in frame.index], [d.toordinal() for d in known.index],
                       known.to_numpy(dtype=float))
    return pd.Series(values, index=frame.index)


def default_share_over_28(median: float, max_wait: float | None) -> float:
    """A plausible share over 28 days for a right-skewed wait with this median (and maximum)."""
    if max_wait is not None and not pd.isna(max_wait) and max_wait <= 28:
        return 0.0
    share = 0.5 * np.exp(-(28 - median) / median) if median < 28 else 1 - 0.5 * np.exp(-(median - 28) / 28)
    if max_wait is not None and not pd.isna(max_wait):
        share = min(share, (max_wait - 28) / max_wait)
    return float(share)


def _spread(low: int, high: int, count: int, decaying: bool, rng: np.random.Generator) -> np.ndarray:
    """``count`` integer waits in [low, high]: evenly spread, or thinning out towards ``high``."""
    if count <= 0:
        return np.array([], dtype=int)
    if low == high:
        return np.full(count, low)
    q = (np.arange(count) + rng.uniform(0.1, 0.9, count)) / count
    if decaying:
        scale = max((high - low) / 3, 1)
        q = -scale * np.log(1 - q * (1 - np.exp(-(high - low + 1) / scale)))
        return np.minimum(low + np.floor(q).astype(int), high)
    return low + np.floor(q * (high - low + 1)).astype(int)


def design_waits(point: Point, forced: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The waits of the people to add so that, with the ``forced`` waits, the point's figures hold."""
    n = point.waiting
    forced = np.sort(np.asarray(forced, dtype=int))
    if len(forced) > n:
        raise CalibrationError(f"{point.day}: {len(forced)} people carried back but only {n} waiting")
    m = int(point.median)
    lo, hi = (n - 1) // 2, n // 2
    at_median = max(hi - lo + 1, int((forced == m).sum()))
    d6 = six_month_days(point.day)
    at_or_below_28 = n - round(point.share_over_28 * n)
    if not point.share_published:
        at_or_below_28 = max(at_or_below_28, int((forced <= 28).sum()))
    # Keep the share over 28 days on the right side of the median (interpolated shares may not be).
    if m > 28:
        at_or_below_28 = min(at_or_below_28, hi + 1 - at_median) if m > 29 else hi + 1 - at_median
    else:
        at_or_below_28 = max(at_or_below_28, hi + 1) if m < 28 else hi + 1
    if point.max_wait is not None:
        cap = point.max_wait
    else:
        cap = max(int(forced.max()) if len(forced) else 0, d6 + 120 if point.over_six_months else min(d6, max(4 * m, 120)))
    # (value, number of waits at or below it); every statistic is a cumulative count.
    marks = [(m - 1, hi + 1 - at_median), (m, hi + 1), (28, at_or_below_28)]
    if point.over_six_months is not None:
        marks.append((d6, n - point.over_six_months))
    if point.max_wait is not None:
        marks.append((cap - 1, n - 1))
    marks.append((cap, n))
    marks = sorted(set(marks))
    for (v1, c1), (v2, c2) in pairwise(marks):
        if v1 == v2 or c2 < c1:
            raise CalibrationError(f"{point.day}: the figures conflict at a wait of {v2} days ({marks})")
    free, previous_value, previous_count = [], -1, 0
    for value, count in marks:
        low, high = previous_value + 1, value
        in_segment = int(((forced >= low) & (forced <= high)).sum())
        needed = count - previous_count - in_segment
        if needed < 0:
            raise CalibrationError(f"{point.day}: {in_segment} people carried back wait {low}-{high} days; only "
                                   f"{count - previous_count} may")
        free.append(_spread(max(low, 0), high, needed, decaying=low > m, rng=rng))
        previous_value, previous_count = value, count
    if (forced > cap).any():
        raise CalibrationError(f"{point.day}: a carried wait exceeds the maximum of {cap} days")
    return np.concatenate(free).astype(int)


def _pick_days(start: date, end: date, count: int, weights_for, rng) -> np.ndarray:
    """``count`` dates in (start, end] drawn with the given daily weights."""
    days = pd.date_range(start + timedelta(days=1), end, freq="D")
    weights = weights_for(days)
    if weights.sum() == 0:
        weights = np.ones(len(days))
    return days.date[rng.choice(len(days), size=count, p=weights / weights.sum())]


def arrival_weights(days: pd.DatetimeIndex) -> np.ndarray:
    return WEEKDAY_PATTERN[days.day_of_week] * np.array([MONTH_PATTERN[m] for m in days.month])


def simulate_queue(queue: str, points: list[Point], rng: np.random.Generator) -> pd.DataFrame:
    """Received and allocated dates of every request of one queue (allocated NaT while waiting)."""
    points = sorted(points, key=lambda p: p.day)
    people = []  # (received, index of the last point the person is waiting at)
    carried = np.array([], dtype=int)  # received dates (ordinal) of people waiting at the next point
    for k in range(len(points) - 1, -1, -1):
        point = points[k]
        waits_forced = point.day.toordinal() - carried
        new = design_waits(point, waits_forced, rng)
        received_new = point.day.toordinal() - new
        people += [(r, k) for r in received_new]
        everyone = np.concatenate([carried, received_new])
        earlier = points[k - 1].day.toordinal() if k > 0 else None
        carried = everyone[everyone <= earlier] if earlier is not None else np.array([], dtype=int)
    rows = []
    last = len(points) - 1
    received_all = np.array([r for r, _ in people])
    last_point = np.array([j for _, j in people])
    for k, point in enumerate(points):
        leaving = np.sort(received_all[last_point == k])
        if k == last:
            rows += [(date.fromordinal(int(r)), None) for r in leaving]
            continue
        staying = int(((received_all <= point.day.toordinal()) & (last_point > k)).sum())
        transients = _transients(queue, point, points[k + 1], received_all, staying, rng)
        rows += transients
        allocated = _allocate_leavers(queue, point, points[k + 1], leaving, received_all, last_point, k, transients)
        rows += [(date.fromordinal(int(r)), a) for r, a in zip(leaving, allocated, strict=True)]
    frame = pd.DataFrame(rows, columns=["received_date", "allocated_date"])
    frame["queue"] = queue
    return frame


def _transients(queue: str, point: Point, next_point: Point, received_all: np.ndarray, staying: int,
                rng) -> list[tuple[date, date]]:
    """Requests received and allocated between two points, topping arrivals up to the weekly rate.

    Their average wait is what keeps the number waiting on the line between the two counts
    (Little's law: people waiting = arrivals a day x average wait), so that between the points the
    list is made of recent requests rather than of people left over from the earlier point.
    """
    end = next_point.day
    span = (end - point.day).days
    arrived = int(((received_all > point.day.toordinal()) & (received_all <= end.toordinal())).sum())
    extra = max(0, int(round(WEEKLY_ARRIVALS[queue] * span / 7 - arrived)))
    start, uplift = TEMPORARY_STAFF.get(queue, (date.max, 0.0))
    first = point.day.toordinal()
    constructed = np.bincount(received_all[(received_all > first) & (received_all <= end.toordinal())] - first - 1,
                              minlength=span)
    # Fill the days the constructed arrivals leave short (they crowd just before the next point).
    weekly_constructed = np.convolve(constructed, np.ones(7) / 7, mode="same")

    def shortfall(days: pd.DatetimeIndex) -> np.ndarray:
        expected = arrival_weights(days)
        expected = expected / expected.mean() * WEEKLY_ARRIVALS[queue] / 7
        return np.maximum(np.convolve(expected, np.ones(7) / 7, mode="same") - weekly_constructed, 0) * arrival_weights(days)

    rows = []
    for r in sorted(_pick_days(point.day, end, extra, shortfall, rng)):
        elapsed = (r - point.day).days
        line = point.waiting + (next_point.waiting - point.waiting) * elapsed / span
        arrived_by_then = int(((received_all > first) & (received_all <= r.toordinal())).sum())
        to_fill = max(line - staying - arrived_by_then, 0)
        longest = 4 * max(point.median, next_point.median, 7)
        mean = min(max(to_fill / max(extra / span, 0.1), 3), longest) / (1 + uplift if r >= start else 1)
        room = (end - r).days
        delay = int(rng.gamma(1.5, mean / 1.5))
        if delay > room:
            delay = int(rng.integers(0, room + 1))
        rows.append((r, _next_working_day(r + timedelta(days=delay), end)))
    return rows


def _next_working_day(day: date, limit: date) -> date:
    while day < limit and not working_day_mask(pd.DatetimeIndex([day]))[0]:
        day += timedelta(days=1)
    return day


def _allocate_leavers(queue, point, next_point, leaving, received_all, last_point, k, transients) -> list[date]:
    """Allocation dates for the people waiting at ``point`` but not at ``next_point``, oldest first,
    paced so that the number waiting moves steadily from one published count to the next."""
    days = pd.date_range(point.day + timedelta(days=1), next_point.day, freq="D")
    ordinals = np.array([d.toordinal() for d in days.date])
    start = point.day.toordinal()
    staying = int(((received_all <= start) & (last_point > k)).sum())
    later = np.sort(received_all[(received_all > start) & (last_point > k)])
    arrived = np.searchsorted(later, ordinals, side="right")
    t_in = np.array([r.toordinal() for r, _ in transients], dtype=int)
    t_out = np.array([a.toordinal() for _, a in transients], dtype=int)
    in_transit = np.array([int(((t_in <= d) & (t_out > d)).sum()) for d in ordinals]) if len(transients) else 0
    line = point.waiting + (next_point.waiting - point.waiting) * (ordinals - start) / (ordinals[-1] - start)
    remaining = np.clip(np.round(line - staying - arrived - in_transit), 0, len(leaving))
    remaining = np.minimum.accumulate(remaining)
    remaining[-1] = 0
    allocated_by = len(leaving) - remaining
    # The i-th oldest leaves on the first day by which more than i have been allocated.
    chosen = days.date[np.searchsorted(allocated_by, np.arange(len(leaving)) + 1, side="left")]
    return [_next_working_day(d, next_point.day) for d in chosen]


def not_yet_due_reviews(point: Point, share_within_12_months: float, rng) -> pd.DataFrame:
    """Open review records not yet due, so that the share reviewed within 12 months holds at the point."""
    total = round(point.waiting / (1 - share_within_12_months / 100))
    due = pd.Timestamp(point.day) + pd.to_timedelta(rng.integers(1, 366, total - point.waiting), unit="D")
    return pd.DataFrame({"received_date": due.date, "allocated_date": None, "queue": "annual_review"})


def generate_extract(positions: pd.DataFrame, seed: int = DEFAULT_SEED) -> pd.DataFrame:
    """The synthetic extract (columns of ``extract.COLUMNS``), the same for the same seed."""
    rng = np.random.default_rng(seed)
    points = calibration_points(positions)
    frames = [simulate_queue(queue, points[queue], rng) for queue in sorted(points)]
    review = positions[(positions["queue"].isin(REVIEW_QUEUES)) & (positions["measure"] == "reviewed_within_12_months")]
    for row in review.itertuples():
        day = pd.Timestamp(row.snapshot_date).date()
        point = next(p for p in points[row.queue] if p.day == day)
        frames.append(not_yet_due_reviews(point, float(row.value), rng))
    extract = pd.concat(frames, ignore_index=True)
    extract = extract.sort_values(["received_date", "queue"], kind="stable").reset_index(drop=True)
    extract["team"] = [rng.choice(TEAMS[_team_group(q)]) for q in extract["queue"]]
    extract["priority"] = rng.choice(PRIORITIES[0], size=len(extract), p=PRIORITIES[1])
    extract["request_id"] = [f"WL{i:07d}" for i in range(1, len(extract) + 1)]
    extract["person_id"] = [f"S{v:08d}" for v in rng.choice(10**8, size=len(extract), replace=False)]
    extract["allocated_date"] = pd.to_datetime(extract["allocated_date"]).dt.date
    return extract[list(COLUMNS)]


def _team_group(queue: str) -> str:
    if queue in ("occupational_therapy", "annual_review", "financial_residential", "financial_non_residential"):
        return queue
    return "assessment"


def write_extract(path: str | Path = DEFAULT_PATH, data_dir: str | Path = "data/raw", seed: int = DEFAULT_SEED) -> Path:
    """Generate the extract from the published positions in ``data_dir`` and write it as CSV."""
    positions = pd.read_csv(resolve(data_dir) / POSITIONS_FILE)
    target = resolve(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    generate_extract(positions, seed).to_csv(target, index=False, date_format="%Y-%m-%d")
    return target


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m scrutiny.waiting_list.synthetic", description=__doc__.split("\n")[0])
    parser.add_argument("--out", default=DEFAULT_PATH)
    parser.add_argument("--data", default="data/raw")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    args = parser.parse_args(argv)
    path = write_extract(args.out, args.data, args.seed)
    print(f"synthetic waiting-list extract written to {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
