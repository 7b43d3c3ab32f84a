"""The waiting-list report: builds every table from an extract and renders them for the notebook."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import jinja2
import numpy as np
import pandas as pd

from ..context import ReportContext, report_context
from ..inputs import load_inputs
from ..inputs.council import sha256_of
from ..methods.spc import SpcResult, xmr_chart
from ..paths import resolve
from ..publishing.html import STYLE
from . import analysis, narrative
from .extract import QUEUE_LABELS, Extract, ExtractError, read_extract
from .synthetic import ASSUMED_POSITIONS, DEFAULT_PATH, POSITIONS_FILE
from ..publishing.tables import write_csv

TARGETS_FILE = "waiting_list_targets.csv"
MEASURE_LABELS = {"waiting": "number waiting", "median_wait": "median wait", "max_wait": "longest wait",
                  "share_over_28_days": "% over 28 days", "over_six_months": "over six months",
                  "reviewed_within_12_months": "% reviewed within 12 months",
                  "allocated_within_28_days": "% allocated within 28 days"}
SPC_BASELINE = 20


@dataclass
class WaitingListReport:
    context: ReportContext
    day: date
    extract: Extract
    synthetic: bool
    positions: pd.DataFrame
    targets: pd.DataFrame
    snapshot: pd.DataFrame
    against_targets: pd.DataFrame
    trends: pd.DataFrame
    count_charts: dict[str, SpcResult]
    median_charts: dict[str, SpcResult]
    teams: pd.DataFrame
    priorities: pd.DataFrame
    distribution: pd.DataFrame
    projection: pd.DataFrame
    progress: pd.DataFrame
    published_check: pd.DataFrame
    files: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def count_targets(self) -> dict[str, float]:
        return count_targets_of(self.targets)

    @property
    def median_targets(self) -> dict[str, float]:
        return median_targets_of(self.targets)

    @property
    def spc_table(self) -> pd.DataFrame:
        rows = []
        for measure, charts in (("waiting", self.count_charts), ("median_wait", self.median_charts)):
            for queue, chart in charts.items():
                limits = chart.limits
                rows.append({"queue": queue, "queue_label": QUEUE_LABELS[queue], "measure": measure,
                             "points": len(chart.points), "centre": getattr(limits, "centre", np.nan),
                             "lower_limit": getattr(limits, "lower", np.nan), "upper_limit": getattr(limits, "upper", np.nan),
                             "limits": "trial" if chart.trial else "run chart" if limits is None else f"first {min(SPC_BASELINE, len(chart.points))} weeks",
                             "variation": chart.variation_label, "assurance": chart.assurance_label})
        return pd.DataFrame(rows)


def count_targets_of(targets: pd.DataFrame) -> dict[str, float]:
    """Targets for the number waiting, by queue."""
    chosen = targets[targets["measure"] == "waiting"]
    return dict(zip(chosen["queue"], chosen["target"], strict=True))


def median_targets_of(targets: pd.DataFrame) -> dict[str, float]:
    """Median-wait targets by queue in calendar days (working days x 7/5, for charts of calendar waits)."""
    chosen = targets[targets["measure"] == "median_wait"]
    return {row.queue: row.target * (7 / 5 if row.unit == "working days" else 1) for row in chosen.itertuples()}


def parse_snapshot(snapshot_date: str, default: date) -> date:
    if not snapshot_date:
        return default
    try:
        return date.fromisoformat(str(snapshot_date))
    except ValueError:
        raise ValueError(f"snapshot_date {snapshot_date!r}: expected a date as YYYY-MM-DD or empty") from None


def published_check(extract: Extract, positions: pd.DataFrame, day: date) -> pd.DataFrame:
    """Each published position up to ``day`` beside the same figure computed from the extract."""
    rows = []
    for when, group in positions[positions["snapshot_date"].dt.date <= day].groupby("snapshot_date"):
        snap = analysis.snapshot(extract, when.date(), when.date()).set_index("queue")
        for row in group.itertuples():
            value = snap.at[row.queue, row.measure] if row.queue in snap.index else np.nan
            rows.append({"date": when.date(), "queue_label": QUEUE_LABELS[row.queue], "measure": row.measure,
                         "published": row.value, "from_extract": value,
                         "difference": value - row.value, "source": row.source_detail})
    return pd.DataFrame(rows)


def check_sources(path: Path, sources: pd.DataFrame) -> None:
    """Refuse a published position or target whose ``source`` is not a source_id in sources.csv
    (the provenance section could not list it)."""
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    known = set(sources["source_id"])
    for index, source in frame["source"].items():
        if source not in known:
            raise ValueError(f"{path}, line {index + 2}, column 'source': {source!r} is not a source_id in "
                             "sources.csv; add the paper to sources.csv with its publication date")


def build_waiting_list_report(data_dir, financial_year: str, quarter: int, council_code: str,
                              extract: str = "", snapshot_date: str = "") -> WaitingListReport:
    """Read the inputs and the extract (the synthetic one when ``extract`` is empty) and build every table."""
    data_dir = resolve(data_dir)
    inputs = load_inputs(data_dir)
    context = report_context(inputs, financial_year, quarter, council_code)
    day = parse_snapshot(snapshot_date, context.period.end)
    path = resolve(extract or DEFAULT_PATH)
    if not extract and not path.exists():
        raise ExtractError(f"{path}: the synthetic extract has not been generated; run `make {DEFAULT_PATH}`")
    records = read_extract(path)
    positions = analysis.read_reference(data_dir / POSITIONS_FILE, analysis.POSITIONS_SCHEMA)
    targets = analysis.read_reference(data_dir / TARGETS_FILE, analysis.TARGETS_SCHEMA)
    for name in (POSITIONS_FILE, TARGETS_FILE):
        check_sources(data_dir / name, inputs.sources)
    snap = analysis.snapshot(records, day, context.period.start)
    against = analysis.against_targets(snap, targets)
    trends = analysis.weekly_trends(records, day)
    waiting = analysis.waiting_at(records, day)
    count_targets, median_targets = count_targets_of(targets), median_targets_of(targets)
    queues = [q for q in QUEUE_LABELS if (trends["queue"] == q).any() and trends.loc[trends["queue"] == q, "waiting"].sum()]
    count_charts, median_charts = {}, {}
    for queue in queues:
        series = trends[trends["queue"] == queue]
        baseline = min(SPC_BASELINE, len(series)) if len(series) >= 12 else None
        count_charts[queue] = xmr_chart(series["waiting"], "low", count_targets.get(queue), x=series["week_end"],
                                        baseline_points=baseline)
        if series["median_wait"].notna().all():
            median_charts[queue] = xmr_chart(series["median_wait"], "low", median_targets.get(queue),
                                             x=series["week_end"], baseline_points=baseline)
    files = pd.DataFrame([
        {"file": str(path.relative_to(resolve("."))) if path.is_relative_to(resolve(".")) else path.name,
         "sha256": sha256_of(path), "rows": records.rows_read},
        *({"file": f"data/raw/{name}", "sha256": sha256_of(data_dir / name), "rows": len(pd.read_csv(data_dir / name))}
          for name in (POSITIONS_FILE, TARGETS_FILE)),
    ])
    return WaitingListReport(
        context, day, records, not extract, positions, targets, snap, against, trends, count_charts, median_charts,
        analysis.breakdown(waiting, "team"), analysis.breakdown(waiting, "priority"),
        analysis.wait_distribution(waiting), analysis.project(trends, targets, day),
        narrative.progress_table(snap, trends, against), published_check(records, positions, day), files)


# ---- HTML -------------------------------------------------------------------------------------

_TEMPLATE = jinja2.Environment(autoescape=True).from_string("""
<div class="scrutiny-dash">
{% if caption %}<p class="small">{{ caption }}</p>{% endif %}
<table>
{% if widths %}<colgroup>{% for width in widths %}<col style="width:{{ width }}%">{% endfor %}</colgroup>{% endif %}
<thead><tr>{% for column in columns %}<th>{{ column }}</th>{% endfor %}</tr></thead>
<tbody>
{% for row in rows %}<tr>{% for cell in row %}<td{% if cell.cls %} class="{{ cell.cls }}"{% endif %}>{% if cell.badge %}<span class="verdict {{ cell.badge }}">{{ cell.text }}</span>{% else %}{{ cell.text }}{% endif %}</td>{% endfor %}</tr>
{% endfor %}</tbody>
</table>
</div>
""")


def _text(value, decimals: int = 0) -> str:
    if isinstance(value, str):
        return value
    if value is None or (isinstance(value, float) and np.isnan(value)) or value is pd.NaT:
        return ""
    if isinstance(value, date):
        return f"{value:%d %b %Y}"
    if isinstance(value, (int, np.integer)):
        return f"{value:,}"
    return f"{value:,.{decimals}f}"


def table_html(frame: pd.DataFrame, columns: dict[str, str], decimals: dict[str, int] | None = None,
               caption: str = "", badges: dict[str, dict[str, str]] | None = None,
               widths: list[int] | None = None) -> str:
    """An accessible HTML table of ``frame`` with ``columns`` (name -> heading); ``badges`` maps a
    column's values to a verdict style (the word is always printed too); ``widths`` in percent."""
    decimals, badges = decimals or {}, badges or {}
    rows = []
    for _, record in frame.iterrows():
        cells = []
        for column in columns:
            text = _text(record[column], decimals.get(column, 0))
            cells.append({"text": text, "badge": badges.get(column, {}).get(text)})
        rows.append(cells)
    return STYLE + _TEMPLATE.render(columns=list(columns.values()), rows=rows, caption=caption, widths=widths)


def synthetic_notice(report: WaitingListReport) -> str:
    if not report.synthetic:
        return (f"Records: the extract `{report.extract.path.name}` ({report.extract.rows_read:,} rows, "
                f"{report.extract.rows_used:,} used).")
    return ("**The records behind this report are synthetic.** No real person-level data is published, so "
            "the figures come from a seeded, simulated extract built to reproduce the council's published "
            "waiting-list positions at their dates (compared in the last section). Figures between those dates, "
            "team and priority breakdowns, and the occupational therapy queue (for which no figures are "
            f"published) are illustrative. Assumed positions: {len(ASSUMED_POSITIONS)} (listed in the method "
            "section). Run the notebook with `extract=` a council extract for real figures.")


def snapshot_html(report: WaitingListReport) -> str:
    return table_html(report.snapshot, {
        "queue_label": "Queue", "waiting": "Waiting", "median_wait": "Median wait (days)",
        "p90_wait": "90th percentile (days)", "max_wait": "Longest wait (days)",
        "median_wait_working_days": "Median (working days)", "max_wait_working_days": "Longest (working days)",
        "share_over_28_days": "Over 28 days (%)", "over_six_months": "Over six months",
        "allocated_in_period": "Allocated in the quarter", "allocated_within_28_days": "Allocated within 28 days (%)",
        "reviewed_within_12_months": "Reviewed within 12 months (%)"},
        {"share_over_28_days": 1, "allocated_within_28_days": 1, "reviewed_within_12_months": 1, "median_wait": 1,
         "median_wait_working_days": 1, "p90_wait": 1, "p90_wait_working_days": 1},
        caption=f"At {report.day:%d %B %Y}. Annual reviews: waits are days overdue (from the due date), "
                "'allocated' means completed.")


def targets_html(report: WaitingListReport) -> str:
    frame = report.against_targets.copy()
    frame["target_text"] = frame["operator"].map({"<=": "at most", ">=": "at least"}) + " " + frame["target"].map(
        lambda t: f"{t:g}") + " " + frame["unit"]
    frame["gap_text"] = [("" if pd.isna(g) else "none" if g == 0 else f"{abs(g):,.1f} {u} {'over' if o == '<=' else 'short'}")
                         for g, u, o in zip(frame["gap"], frame["unit"], frame["operator"], strict=True)]
    return table_html(frame, {"queue_label": "Queue", "outcome": "Improvement plan outcome", "target_text": "Target",
                              "value": "Now", "met": "Met?", "gap_text": "Gap", "delivery_date": "Delivery date"},
                      {"value": 1}, widths=[16, 30, 14, 8, 8, 14, 10], badges={"met": {"met": "v-better", "not met": "v-worse", "no data": "v-not_compared"}},
                      caption="Median and longest waits for financial assessments are in working days (English bank "
                              "holidays excluded). 'Allocated within 28 days' is the share of allocations in the "
                              "quarter made within 28 days of the request.")


def spc_html(report: WaitingListReport) -> str:
    return table_html(report.spc_table.assign(measure=report.spc_table["measure"].map(MEASURE_LABELS)), widths=[14, 8, 6, 8, 8, 8, 10, 17, 21], columns={"queue_label": "Queue", "measure": "Measure", "points": "Weeks",
                                         "centre": "Centre line", "lower_limit": "Lower limit", "upper_limit": "Upper limit",
                                         "limits": "Limits from", "variation": "Variation (latest week)",
                                         "assurance": "Assurance against the target"}, decimals={"centre": 1, "lower_limit": 1, "upper_limit": 1})


def breakdown_html(frame: pd.DataFrame, by: str, heading: str) -> str:
    return table_html(frame, {"queue_label": "Queue", by: heading, "waiting": "Waiting", "median_wait": "Median wait (days)",
                              "over_28_days": "Over 28 days"}, {"median_wait": 1},
                      caption="[c]: fewer than 5 people, suppressed (and the median with it).")


def projection_html(report: WaitingListReport) -> str:
    frame = report.projection.copy()
    frame["rate"] = [f"{s:+.1f} ({lo:+.1f} to {hi:+.1f})" for s, lo, hi in
                     zip(frame["net_change_per_week"], frame["net_change_low"], frame["net_change_high"], strict=True)]
    frame["when"] = [_when(mid, lo, hi, report.day) for mid, lo, hi in
                     zip(frame["reached_at_current_rate"], frame["reached_earliest"], frame["reached_latest"], strict=True)]
    return table_html(frame, {"queue_label": "Queue", "waiting": "Waiting now", "rate": "Change a week (95% interval)",
                              "level_needed": "Level the target implies", "level_basis": "Basis", "when": "Reached",
                              "delivery_date": "Delivery date", "extra_allocations_per_week": "Extra allocations a week needed"},
                      {"level_needed": 0, "extra_allocations_per_week": 1},
                      caption=f"Trend of the last {analysis.PROJECTION_WEEKS} weekly counts (least squares; the interval is "
                              "the 95% confidence interval of the weekly change, so it reflects week-to-week noise, not "
                              "changes in demand or staffing).")


def _when(mid, earliest, latest, day: date) -> str:
    """When a projected count reaches its level, with the range its interval gives."""
    if mid is None or pd.isna(mid):
        return "not at this rate" + ("" if earliest is None or pd.isna(earliest) else f" (at best {_text(earliest)})")
    if mid == day:
        return "already at or below it"
    slower = "never at the slower rate" if latest is None or pd.isna(latest) else _text(latest)
    return f"{mid:%b %Y} (between {_text(earliest)} and {slower})"


def progress_html(report: WaitingListReport) -> str:
    return table_html(report.progress, {"queue_label": "Improvement area", "progress": "Progress (draft)"},
                      widths=[18, 82])


def published_html(report: WaitingListReport) -> str:
    if report.published_check.empty:
        return "<p>No published position falls on or before the snapshot date.</p>"
    check = report.published_check.assign(measure=report.published_check["measure"].map(MEASURE_LABELS))
    return table_html(check, {"date": "Date", "queue_label": "Queue", "measure": "Measure",
                                               "published": "Published", "from_extract": "From the extract",
                                               "difference": "Difference", "source": "Where published"},
                      {"published": 1, "from_extract": 1, "difference": 1}, widths=[9, 14, 12, 8, 8, 8, 41])


def data_quality_html(report: WaitingListReport) -> str:
    quality = report.extract.data_quality
    if quality.empty:
        return (f"<p>All {report.extract.rows_read:,} records passed the checks (dates readable, between 2000 "
                "and 2100 and not in the future, no allocation before receipt, no duplicate requests, known queues).</p>")
    return table_html(quality, {"check": "Check", "column": "Column", "rows": "Rows", "example_rows": "Rows in the file",
                                "action": "Action"})


METHOD_RULES = [
    "A request is waiting at a date when it was received (reviews: fell due) on or before it and not yet "
    "allocated (completed) on it. Waits are calendar days; working days exclude weekends and English bank "
    "holidays (the holidays library). Over six months: received before the same date six months earlier.",
    "Targets are compared with the value at the snapshot date; the gap is how far the value is beyond the target.",
    "SPC: XmR charts (centre line = mean of the first 20 weekly points; limits = centre ± 2.66 x mean moving "
    "range); special causes by the Making Data Count rules (astronomical point, shift of 7, trend of 7, two of "
    "three beyond 2 sigma); fewer than 12 points give a run chart, 12-14 trial limits without assurance.",
    "Projection: least-squares trend of the last 12 weekly counts with the 95% interval of its slope; the level "
    "a median-wait target implies is recent weekly new requests x the target (Little's law).",
    "Disclosure control: no person id in any output; counts of 1 to 4 in breakdowns are suppressed ([c]).",
]


def method_html(report: WaitingListReport) -> str:
    """The waiting-list input files with hashes, and the positions assumed by the generator (the method
    rules, ``METHOD_RULES``, are stated in the provenance section)."""
    parts = ["<h4>Waiting-list inputs</h4>",
             table_html(report.files, {"file": "File", "sha256": "SHA-256", "rows": "Rows"})]
    sources = report.positions[["source", "published"]].drop_duplicates().assign(
        published=lambda f: f["published"].dt.date)
    titles = report.context.inputs.sources.set_index("source_id")["title"]
    parts += ["<h4>Sources of the published positions and targets</h4>",
              table_html(sources.assign(title=sources["source"].map(titles)),
                         {"source": "Source", "title": "Title", "published": "Published"})]
    if report.synthetic:
        parts += ["<h4>Positions assumed by the synthetic extract (not published)</h4>",
                  table_html(ASSUMED_POSITIONS.assign(queue=ASSUMED_POSITIONS["queue"].map(QUEUE_LABELS)),
                             {"queue": "Queue", "snapshot_date": "Date", "measure": "Measure", "value": "Value"},
                             caption="Financial assessment totals are split 38% residential, 62% non-residential.")]
    return "".join(parts)


def used_source_ids(report: WaitingListReport) -> set[str]:
    """The committee papers in sources.csv that the published positions come from."""
    known = set(report.context.inputs.sources["source_id"])
    return {s for s in report.positions["source"] if s in known}


def write_tables(report: WaitingListReport, output_dir: str | Path, stem: str = "waiting_list") -> list[Path]:
    """Every table behind the report as CSV (no person ids: only aggregates)."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tables = {"snapshot": report.snapshot, "targets": report.against_targets, "trends": report.trends,
              "spc": report.spc_table, "teams": report.teams, "priorities": report.priorities,
              "distribution": report.distribution, "projection": report.projection, "progress": report.progress,
              "published_check": report.published_check, "data_quality": report.extract.data_quality}
    written = []
    for name, table in tables.items():
        path = folder / f"{stem}_{name}.csv"
        write_csv(table, path)
        written.append(path)
    return written
