"""Waiting-list figures from a validated extract: snapshots, targets, weekly trends, breakdowns,
the distribution of waits and projections.

A request is *waiting* at a date when it was received (for reviews: fell due) on or before the
date and was not yet allocated (completed) on it: ``received <= day`` and ``allocated`` empty or
later than ``day``. Its wait is ``day - received`` in calendar days; working days count weekdays
that are not English bank holidays. "Over six months" means received before the same date six
calendar months earlier. DuckDB does the filtering, so only the waiting population at a date
reaches pandas.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pandera.pandas as pa
from dateutil.relativedelta import relativedelta

from ..methods.stats import straight_line_slope
from .calendar import working_days_between
from .extract import QUEUE_GROUPS, QUEUE_LABELS, QUEUES, REVIEW_QUEUES, Extract

SUPPRESSION_THRESHOLD = 5
SUPPRESSED = "[c]"
WAIT_BANDS = [(0, 7, "0-7 days"), (8, 14, "8-14 days"), (15, 28, "15-28 days"), (29, 56, "29-56 days"),
              (57, 91, "57-91 days"), (92, 182, "92-182 days"), (183, None, "over 182 days")]
PROJECTION_WEEKS = 12

POSITIONS_SCHEMA = pa.DataFrameSchema({
    "queue": pa.Column(str, pa.Check.isin([*QUEUES, *QUEUE_GROUPS])),
    "snapshot_date": pa.Column("datetime64[ns]"),
    "measure": pa.Column(str, pa.Check.isin(["waiting", "median_wait", "share_over_28_days", "over_six_months",
                                              "max_wait", "reviewed_within_12_months"])),
    "value": pa.Column(float, pa.Check.ge(0)),
    "unit": pa.Column(str), "source_detail": pa.Column(str), "source": pa.Column(str),
    "published": pa.Column("datetime64[ns]"),
}, strict=True, unique=["queue", "snapshot_date", "measure"], coerce=True)
TARGETS_SCHEMA = pa.DataFrameSchema({
    "queue": pa.Column(str, pa.Check.isin([*QUEUES, *QUEUE_GROUPS])),
    "measure": pa.Column(str, pa.Check.isin(["waiting", "median_wait", "max_wait", "allocated_within_28_days",
                                              "reviewed_within_12_months"])),
    "operator": pa.Column(str, pa.Check.isin(["<=", ">="])),
    "target": pa.Column(float), "unit": pa.Column(str), "delivery_date": pa.Column("datetime64[ns]"),
    "outcome_text": pa.Column(str), "source": pa.Column(str), "published": pa.Column("datetime64[ns]"),
}, strict=True, unique=["queue", "measure"], coerce=True)


def read_reference(path, schema: pa.DataFrameSchema) -> pd.DataFrame:
    """Read and validate a small reference CSV (published positions or targets)."""
    frame = pd.read_csv(path, dtype=str)
    try:
        return schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as err:
        cases = err.failure_cases.head(5)
        detail = "; ".join(f"row {int(c['index']) + 2 if pd.notna(c['index']) else '?'}, column {c['column']}: "
                           f"{c['failure_case']!r} fails {c['check']}" for _, c in cases.iterrows())
        raise ValueError(f"{path}: {detail}") from None


def _queues_with_groups(frame_queue: pd.Series) -> dict[str, pd.Series]:
    masks = {q: frame_queue == q for q in QUEUES}
    for group, members in QUEUE_GROUPS.items():
        masks[group] = frame_queue.isin(members)
    return masks


def waiting_at(extract: Extract, day: date) -> pd.DataFrame:
    """The requests waiting at ``day`` with their waits (no person ids)."""
    frame = extract.query(
        "select queue, team, priority, received_date, datediff('day', received_date, ?::date) as wait_days "
        "from requests where received_date <= ?::date and (allocated_date is null or allocated_date > ?::date)",
        [day, day, day])
    frame["received_date"] = pd.to_datetime(frame["received_date"]).dt.date
    frame["wait_working_days"] = working_days_between(frame["received_date"].to_numpy(dtype="datetime64[D]"),
                                                      np.datetime64(day)) if len(frame) else []
    frame["over_six_months"] = frame["received_date"] < day - relativedelta(months=6)
    return frame


def snapshot(extract: Extract, day: date, period_start: date) -> pd.DataFrame:
    """Per queue at ``day``: count waiting, median, 90th percentile and maximum wait (calendar and
    working days), share over 28 days, number over six months, and allocations in the period."""
    waiting = waiting_at(extract, day)
    allocations = extract.query(
        "select queue, datediff('day', received_date, allocated_date) as days from requests "
        "where allocated_date between ?::date and ?::date", [period_start, day])
    not_due = extract.query(
        "select queue, count(*) as n from requests where received_date > ?::date "
        "and received_date <= ?::date + interval 365 day and (allocated_date is null or allocated_date > ?::date) "
        "group by queue", [day, day, day]).set_index("queue")["n"]
    rows = []
    for queue, mask in _queues_with_groups(waiting["queue"]).items():
        group = waiting[mask]
        done = allocations[_queues_with_groups(allocations["queue"])[queue]]
        waits, working = group["wait_days"], group["wait_working_days"]
        row = {
            "queue": queue, "queue_label": QUEUE_LABELS[queue], "date": day, "waiting": len(group),
            "median_wait": waits.median(), "p90_wait": waits.quantile(0.9), "max_wait": waits.max(),
            "median_wait_working_days": working.median(), "p90_wait_working_days": working.quantile(0.9),
            "max_wait_working_days": working.max(),
            "share_over_28_days": 100 * (waits > 28).mean() if len(group) else np.nan,
            "over_six_months": int(group["over_six_months"].sum()),
            "allocated_in_period": len(done),
            "allocated_within_28_days": 100 * (done["days"] <= 28).mean() if len(done) else np.nan,
            "reviewed_within_12_months": np.nan,
        }
        if queue in REVIEW_QUEUES:
            open_not_due = int(not_due.get(queue, 0))
            row["reviewed_within_12_months"] = 100 * open_not_due / (open_not_due + len(group)) if len(group) + open_not_due else np.nan
        rows.append(row)
    return pd.DataFrame(rows)


def against_targets(snap: pd.DataFrame, targets: pd.DataFrame) -> pd.DataFrame:
    """Each improvement-plan target with the snapshot's value, met or not, and the gap."""
    values = snap.set_index("queue")
    rows = []
    for target in targets.itertuples():
        column = target.measure + ("_working_days" if target.unit == "working days" else "")
        value = values.at[target.queue, column] if target.queue in values.index else np.nan
        if pd.isna(value):
            met, gap = "no data", np.nan
        else:
            met = "met" if (value <= target.target if target.operator == "<=" else value >= target.target) else "not met"
            gap = value - target.target
        rows.append({"queue": target.queue, "queue_label": QUEUE_LABELS[target.queue], "outcome": target.outcome_text,
                     "measure": target.measure, "unit": target.unit, "operator": target.operator,
                     "target": target.target, "value": value, "met": met,
                     "gap": gap if met == "not met" else 0.0 if met == "met" else np.nan,
                     "delivery_date": target.delivery_date.date()})
    return pd.DataFrame(rows)


def week_ends(first: date, last: date) -> list[date]:
    """Weekly snapshot dates ending at ``last``, no earlier than ``first``."""
    days, day = [], last
    while day >= first:
        days.append(day)
        day -= timedelta(days=7)
    return days[::-1]


def history_start(extract: Extract) -> date:
    """The first date the extract is complete from: its earliest allocation.

    Requests allocated before an extract's start are not in it, so counts before the first
    allocation would be too low.
    """
    first = extract.query("select min(allocated_date) as d from requests")["d"].iloc[0]
    return pd.Timestamp(first).date() if pd.notna(first) else extract.query("select min(received_date) as d from requests")["d"].iloc[0]


def weekly_trends(extract: Extract, day: date, weeks: int = 52) -> pd.DataFrame:
    """Per queue and week ending: waiting, median wait, new requests and allocations in the week."""
    ends = week_ends(max(day - timedelta(weeks=weeks), history_start(extract)), day)
    extract.connection.execute("create or replace temp table week_ends as select unnest(?::date[]) as week_end", [ends])
    frame = extract.query(
        """
        select w.week_end, r.queue,
               count(*) filter (where r.received_date <= w.week_end and (r.allocated_date is null or r.allocated_date > w.week_end)) as waiting,
               median(datediff('day', r.received_date, w.week_end)) filter (where r.received_date <= w.week_end and (r.allocated_date is null or r.allocated_date > w.week_end)) as median_wait,
               count(*) filter (where r.received_date > w.week_end - interval 7 day and r.received_date <= w.week_end) as new_requests,
               count(*) filter (where r.allocated_date > w.week_end - interval 7 day and r.allocated_date <= w.week_end) as allocations
        from week_ends w join requests r on r.received_date <= w.week_end and (r.allocated_date is null or r.allocated_date > w.week_end - interval 7 day)
        group by all order by r.queue, w.week_end
        """)
    frame["week_end"] = pd.to_datetime(frame["week_end"]).dt.date
    grid = pd.MultiIndex.from_product([ends, list(QUEUES)], names=["week_end", "queue"])
    frame = frame.set_index(["week_end", "queue"]).reindex(grid).reset_index()
    frame[["waiting", "new_requests", "allocations"]] = frame[["waiting", "new_requests", "allocations"]].fillna(0).astype(int)
    group_rows = []
    for group, members in QUEUE_GROUPS.items():
        part = frame[frame["queue"].isin(members)].groupby("week_end", as_index=False)[["waiting", "new_requests", "allocations"]].sum()
        group_rows.append(part.assign(queue=group, median_wait=np.nan))
    frame = pd.concat([frame, *group_rows], ignore_index=True)
    frame["queue_label"] = frame["queue"].map(QUEUE_LABELS)
    frame["net_change"] = frame["new_requests"] - frame["allocations"]
    return frame.sort_values(["queue", "week_end"]).reset_index(drop=True)


def suppress(table: pd.DataFrame, columns: list[str], threshold: int = SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """Counts of 1 to ``threshold - 1`` become ``[c]`` (zeros stay, as they disclose nobody)."""
    table = table.copy()
    for column in columns:
        small = table[column].between(1, threshold - 1)
        table[column] = table[column].astype(object)
        table.loc[small, column] = SUPPRESSED
    return table


def breakdown(waiting: pd.DataFrame, by: str) -> pd.DataFrame:
    """Waiting count and median wait per queue and ``by`` (team or priority), small counts suppressed."""
    table = (waiting.groupby(["queue", by]).agg(waiting=("wait_days", "size"), median_wait=("wait_days", "median"),
                                                over_28_days=("wait_days", lambda w: int((w > 28).sum())))
             .reset_index())
    table["queue_label"] = table["queue"].map(QUEUE_LABELS)
    small = table["waiting"] < SUPPRESSION_THRESHOLD
    table["median_wait"] = table["median_wait"].astype(object)
    table.loc[small, "median_wait"] = SUPPRESSED
    return suppress(table, ["waiting", "over_28_days"])[["queue", "queue_label", by, "waiting", "median_wait", "over_28_days"]]


def wait_distribution(waiting: pd.DataFrame) -> pd.DataFrame:
    """Counts waiting per queue by band of wait, small counts suppressed."""
    rows = []
    for queue, mask in _queues_with_groups(waiting["queue"]).items():
        waits = waiting.loc[mask, "wait_days"]
        for low, high, label in WAIT_BANDS:
            inside = (waits >= low) & (waits <= high) if high is not None else waits >= low
            rows.append({"queue": queue, "queue_label": QUEUE_LABELS[queue], "band": label, "waiting": int(inside.sum())})
    return suppress(pd.DataFrame(rows), ["waiting"])


def project(trends: pd.DataFrame, targets: pd.DataFrame, day: date, weeks: int = PROJECTION_WEEKS) -> pd.DataFrame:
    """Per queue: the recent weekly net change with its 95% interval, when the count would reach
    the level the targets imply, and the extra allocations a week needed by the delivery date.

    The level implied by a median-wait target is the target (in weeks) times recent weekly new
    requests (Little's law: people waiting = arrivals x average wait; a median below the mean makes
    this a cautious level). A count target (financial assessments) is used as it stands.
    """
    rows = []
    for queue, series in trends.groupby("queue"):
        recent = series.sort_values("week_end").tail(weeks)
        queue_targets = targets[targets["queue"] == queue]
        if queue in QUEUE_GROUPS:
            queue_targets = pd.concat([queue_targets, targets[targets["queue"].isin(QUEUE_GROUPS[queue])]])
        if queue_targets.empty or len(recent) < 4:
            continue
        fit = straight_line_slope(recent["waiting"].to_numpy(dtype=float), 0.95)
        slope, low, high = fit.change, fit.low, fit.high
        arrivals = recent["new_requests"].mean()
        count_target = queue_targets.loc[queue_targets["measure"] == "waiting", "target"]
        median_target = queue_targets.loc[queue_targets["measure"] == "median_wait"]
        if len(count_target):
            level, basis = float(count_target.iloc[0]), "count target"
        elif len(median_target):
            days = float(median_target["target"].iloc[0])
            if median_target["unit"].iloc[0] == "working days":
                days *= 7 / 5
            level, basis = arrivals * days / 7, f"{arrivals:.0f} new a week x median target"
        else:
            continue
        current = float(recent["waiting"].iloc[-1])
        delivery = pd.Timestamp(queue_targets["delivery_date"].min()).date()
        weeks_left = max((delivery - day).days / 7, 0)

        needed_rate = (level - current) / weeks_left if weeks_left else np.nan
        extra = max(0.0, slope - needed_rate) if current > level and weeks_left else 0.0
        rows.append({
            "queue": queue, "queue_label": QUEUE_LABELS[queue], "waiting": int(current),
            "net_change_per_week": slope, "net_change_low": low, "net_change_high": high,
            "level_needed": level, "level_basis": basis, "delivery_date": delivery,
            "reached_at_current_rate": _reached(day, current, level, slope),
            "reached_earliest": _reached(day, current, level, low), "reached_latest": _reached(day, current, level, high),
            "extra_allocations_per_week": extra,
        })
    return pd.DataFrame(rows)


def _reached(day: date, current: float, level: float, weekly_change: float) -> date | None:
    """When the count reaches ``level`` at a steady weekly change (None if it never does)."""
    if current <= level:
        return day
    if weekly_change >= 0:
        return None
    return day + timedelta(weeks=(current - level) / -weekly_change)


def dashboard_feed(snap: pd.DataFrame) -> dict[str, int]:
    """The dashboard's 'people awaiting a care assessment' figures, from the Care Act queue."""
    care = snap.set_index("queue").loc["care_act_assessment"]
    return {"awaiting_assessment": int(care["waiting"]), "awaiting_assessment_6m": int(care["over_six_months"])}

