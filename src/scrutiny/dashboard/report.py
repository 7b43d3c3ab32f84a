"""The quarterly dashboard report as a few calls for the notebook.

``build_quarterly_report`` loads and validates the inputs, checks the quarter is covered, builds
the dashboard table and the trend series, and applies small-number suppression. ``write_tables``
writes every table behind the report's tables and charts as CSV.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from ..context import MissingInputsError, ReportContext, report_context
from .builder import annual_series, build_dashboard, summary_counts
from ..inputs import load_inputs
from ..inputs.national import counts_rounded_to, national_annual, rounded_counts_by_metric
from ..inputs.national_data import load_national
from ..periods import FinancialYear
from ..publishing.tables import write_csv

#: Published statistics (ASCOF client level data) suppress counts below 5.
SUPPRESSION_THRESHOLD = 5
SUPPRESSED_MARK = "[c]"


@dataclass
class QuarterlyReport:
    """The dashboard table, trend series and summary counts for one council and quarter."""

    context: ReportContext
    table: pd.DataFrame
    series: dict[str, pd.DataFrame]
    counts: dict[str, dict[str, int]]
    national_files: pd.DataFrame | None = None
    activity: pd.DataFrame | None = None
    activity_all: pd.DataFrame | None = None

    @property
    def title(self) -> str:
        """The report's heading: quarter 4 is the year end."""
        period = self.context.period
        when = "year end" if period.quarter == 4 else f"quarter {period.quarter}"
        return f"{self.context.department} performance {period.year.label}: {when}"

    @property
    def period_label(self) -> str:
        """"Quarter 3 2025/26 (April to December 2025)", or "Year end 2025/26 (April 2025 to March 2026)"."""
        period = self.context.period
        if period.quarter == 4:
            return f"Year end {period.year.label} (April {period.year.start.year} to March {period.end.year})"
        return period.label

    def missing_figures(self) -> pd.DataFrame:
        """Appendix rows with no figure for the report's period, with the reason."""
        table = self.table
        return table.loc[table["missing_reason"] != "", ["metric_id", "description", "missing_reason"]]

    def missing_activity(self) -> pd.DataFrame:
        """Activity figures with no figure for the quarter (not shown in the activity table)."""
        every = self.activity_all
        if every is None:
            return pd.DataFrame(columns=["metric_id", "description"])
        shown = set(self.activity["metric_id"]) if self.activity is not None else set()
        return every.loc[~every["metric_id"].isin(shown), ["metric_id", "description"]]

    def grouping_note(self) -> str:
        """How Appendix A is grouped, naming the strategy and plan in force for the period (framing.csv)."""
        inputs = self.context.inputs
        return (f"Grouped by the layers of the {inputs.framing_text('strategy')} (Prevent, Reduce, Delay and "
                f"Meet need) and the {inputs.framing_text('plan')} outcomes.")

    @property
    def this_year_label(self) -> str:
        return f"{self.context.period.year.label} performance"

    @property
    def last_year_label(self) -> str:
        return f"{self.context.period.year.previous().label} performance"

    def trend_table(self) -> pd.DataFrame:
        """All annual series in one long table (the data behind the past-trend charts)."""
        frames = [s.drop(columns=["start"]) for s in self.series.values() if not s.empty]
        if not frames:
            return pd.DataFrame(columns=["metric_id", "year", "council", "england"])
        return pd.concat(frames, ignore_index=True)

    def summary_table(self) -> pd.DataFrame:
        """The counts behind the summary chart."""
        rows = [
            {"measure": group, "verdict": verdict, "metrics": count}
            for group, verdicts in self.counts.items()
            for verdict, count in verdicts.items()
        ]
        return pd.DataFrame(rows)


def suppress_small_counts(table: pd.DataFrame, threshold: int = SUPPRESSION_THRESHOLD) -> pd.DataFrame:
    """Blank numerators and denominators below ``threshold`` (and counts of people below it),
    recording which cells were suppressed, as the published statistics do."""
    table = table.copy()
    table["suppressed"] = ""
    for which in ("current", "previous"):
        for part in ("numerator", "denominator"):
            column = f"{which}_{part}"
            small = table[column].notna() & (table[column] > 0) & (table[column] < threshold)
            table.loc[small, [f"{which}_numerator", f"{which}_denominator"]] = None
            table.loc[small, "suppressed"] += f"{which} counts {SUPPRESSED_MARK}; "
        people = (table["kind"] == "count") & (table["unit"] == "people")
        small_value = people & table[f"{which}_value"].notna() & (table[f"{which}_value"] > 0) & (
            table[f"{which}_value"] < threshold
        )
        table.loc[small_value, f"{which}_value"] = None
        table.loc[small_value, "suppressed"] += f"{which} value {SUPPRESSED_MARK} (fewer than {threshold}); "
    return table


def build_quarterly_report(
    data_dir: str | Path, financial_year: str, quarter: int, council_code: str
) -> QuarterlyReport:
    """Load the inputs, check they cover the quarter, and build the dashboard."""
    inputs = load_inputs(data_dir)
    context = report_context(inputs, financial_year, quarter, council_code)
    if context.inputs.metrics.empty:
        raise MissingInputsError(
            f"cannot build the {context.period.label} dashboard: metrics.csv has no metric in force on "
            f"{context.period.end:%d %B %Y} (valid_from .. valid_until); add the year's appendix to the catalogue"
        )
    national, _ = load_national(context.cut_off)
    if national is not None:
        linked = national.measures[national.measures["metric_id"].fillna("") != ""]
        context = dataclasses.replace(context, national_series={
            row["metric_id"]: national_annual(national.tidy, code, council_code) for code, row in linked.iterrows()})
    table = with_rounded_counts(suppress_small_counts(build_dashboard(context)), context.inputs.metrics, data_dir)
    metrics = context.inputs.metrics.sort_values("display_order")
    series = {m["metric_id"]: annual_series(context, m) for _, m in metrics[metrics["appendix"]].iterrows()}
    every_activity = suppress_small_counts(build_dashboard(context, appendix=False))
    return QuarterlyReport(context, table, series, summary_counts(table),
                           None if national is None else national.files, activity_table(context, every_activity),
                           every_activity)


def with_rounded_counts(table: pd.DataFrame, metrics: pd.DataFrame, data_dir: str | Path) -> pd.DataFrame:
    """``current_``/``previous_counts_rounded_to``: the base DHSC rounded a figure's counts to, where it did
    (the same rule as benchmarking's, ``inputs.national.counts_rounded_to``), so "n out of d" carries the note."""
    rounded = rounded_counts_by_metric(data_dir)
    multiplier = table["metric_id"].map(metrics.set_index("metric_id")["multiplier"])
    table = table.copy()
    for which in ("current", "previous"):
        table[f"{which}_counts_rounded_to"] = [
            counts_rounded_to(row[f"{which}_value"], row[f"{which}_numerator"], row[f"{which}_denominator"], m,
                              rounded.get(row["metric_id"]))
            for (_, row), m in zip(table.iterrows(), multiplier, strict=True)]
    return table


def activity_table(context: ReportContext, table: pd.DataFrame | None = None) -> pd.DataFrame:
    """Activity figures (information only) for periods ending in the report's quarter, and the
    latest whole-year figures; figures from earlier quarters are left to their own reports."""
    if table is None:
        table = suppress_small_counts(build_dashboard(context, appendix=False))
    quarter_start = context.period.year.quarter_start(context.period.quarter)
    current = table["current_value"].notna() & (
        (table["period_basis"] == "financial_year")
        | (pd.to_datetime(table["current_period_end"]) >= pd.Timestamp(quarter_start))
    )
    return table[current].reset_index(drop=True)


def write_tables(report: QuarterlyReport, output_dir: str | Path, stem: str = "quarterly_dashboard") -> list[Path]:
    """Write the dashboard table, the trend series and the summary counts as CSV files."""
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    written = []
    for suffix, frame in (
        ("", report.table),
        ("_trends", report.trend_table()),
        ("_summary", report.summary_table()),
        ("_activity", report.activity),
    ):
        path = output / f"{stem}{suffix}.csv"
        write_csv(frame, path)
        written.append(path)
    return written


#: The dashboard's method rules, stated in its provenance section.
METHOD_RULES = [
    "Ratings compare the 95% confidence interval of the council's figure with the benchmark's point "
    "value: wholly above or below is better or worse (by the metric's aim); a benchmark inside the "
    "interval, boundaries included, is 'similar'.",
    "Intervals: Wilson score for proportions; the published margin of error for survey results "
    "(Wilson on respondents if only those are known); Byar's method (10 or more events) or the exact "
    "Poisson interval for rates and counts of people.",
    "Direction of travel tests the change itself: Newcombe's interval for proportions, a z-test on "
    "the margins of error for surveys, the exact conditional test for rates and counts of people "
    "(which must also change by at least 5%), and a 5% materiality threshold for volumes such as "
    "visits and loans, which have no sampling error.",
    "Without the precision needed, comparisons use a stated tolerance and are marked 'indicative': "
    "±3 percentage points for proportions, ±5 points for survey results, ±10% for rates.",
    "Direction of travel compares the same period last year (surveys: the previous wave of the same "
    "survey; positions at a date: the position at the end of last year). It is not compared across a "
    "series break (a new data source or counting method), for part-year against full-year figures, or "
    "for forecasts. Overlapping twelve-month windows are tested as if independent, which is "
    "conservative because they share people: a significant change is reported with the overlap "
    "stated; otherwise 'not compared (overlapping periods)'. The raw change is always printed.",
    "The benchmark is the latest national average published by the report's cut-off date, or the "
    "local target or milestone for the period; local targets also show whether the point value met it.",
    "Past trend: council against England by financial year; the five-point trend test (99.8%) where "
    "five years with intervals exist, otherwise 'Cannot be calculated'.",
    "A rating against a local target states separately whether the target was met; for volumes "
    "'similar' means within 5% of the target.",
    "Counts below 5 are suppressed ([c]) as in the published statistics. Client level data are not "
    "samples: intervals describe random variation in the underlying process.",
    "About 1 in 20 comparisons of unchanged performance will appear significant by chance at 95%.",
]


def fy_label(code: str) -> str:
    """``"2025-26"`` to ``"2025/26"``."""
    return FinancialYear.parse(code).label
