"""What fixes what a report may use: the inputs, the council, the period and the cut-off date.

Every report starts from a :class:`ReportContext`: the reporting calendar gives the quarter's
cut-off date (only figures published by then are used) and committee date.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from .inputs import Inputs
from .periods import ReportPeriod

ENGLAND = "E92000001"


class MissingInputsError(RuntimeError):
    """The inputs do not cover the requested quarter; the message lists what is missing."""


class MissingFigureWarning(UserWarning):
    """A metric has no figure for the report's period; the row is shown as missing with its reason."""


@dataclass(frozen=True)
class ReportContext:
    """Everything that fixes what a report may use: inputs, council, period and cut-off date."""

    inputs: Inputs
    council_code: str
    period: ReportPeriod
    cut_off: date
    committee_date: date
    confidence: float = 0.95
    missing_metrics: tuple[str, ...] = ()
    #: Annual council and England series from the national ASCOF tables, by metric_id (make data).
    national_series: dict = field(default_factory=dict, compare=False)

    @property
    def council_name(self) -> str:
        return str(self.inputs.councils.loc[self.council_code, "council_name"])

    @property
    def short_name(self) -> str:
        return str(self.inputs.councils.loc[self.council_code, "short_name"])

    @property
    def committee(self) -> str:
        """The committee the council's reports go to (``councils.csv``)."""
        return str(self.inputs.councils.loc[self.council_code, "committee"])

    @property
    def department(self) -> str:
        """The department whose performance is reported (``councils.csv``)."""
        return str(self.inputs.councils.loc[self.council_code, "department"])


def report_context(inputs: Inputs, financial_year: str, quarter: int, council_code: str) -> ReportContext:
    """Look up the quarter in the reporting calendar and check the inputs cover it.

    Raises :class:`MissingInputsError` naming every missing input (the calendar row, and the
    metrics with no figure for the quarter) so that nothing is half-built.
    """
    period = ReportPeriod.from_params(financial_year, quarter)
    inputs = inputs.for_period(period.end)  # the catalogue of the period's appendix, nothing undated
    problems: list[str] = []
    if council_code not in inputs.councils.index:
        known = ", ".join(inputs.councils.index)
        raise MissingInputsError(
            f"council {council_code!r} is not in data/raw/councils.csv (known: {known})"
        )
    calendar = inputs.calendar
    match = calendar[
        (calendar["council_code"] == council_code)
        & (calendar["financial_year"] == period.year.code)
        & (calendar["quarter"] == period.quarter)
    ]
    if match.empty:
        problems.append(
            f"data/raw/reporting_calendar.csv has no row for {council_code} {period.year.code} "
            f"quarter {period.quarter} (its cut-off date and committee date)"
        )
        cut_off = None
        committee = None
    else:
        cut_off = match.iloc[0]["cut_off"]
        committee = match.iloc[0]["committee_date"]
    missing = metrics_without_quarter_figures(inputs, council_code, period, cut_off)
    expected = quarter_metrics(inputs)
    if expected and len(missing) == len(expected):
        problems.append(
            f"data/raw/observations.csv has no figures for {period.end:%d %B %Y} (the quarter end)"
            + (f" published by {cut_off:%d %B %Y}" if cut_off else "")
            + f" for any of: {', '.join(missing)}"
        )
    if problems:
        raise MissingInputsError(
            f"cannot build the {period.label} report for {council_code}:\n  - " + "\n  - ".join(problems)
        )
    if missing:  # said before anything runs; the report shows each as missing with its reason
        warnings.warn(
            f"data/raw/observations.csv has no figure for {period.end:%d %B %Y} published by {cut_off:%d %B %Y} "
            f"for {', '.join(missing)}: the report shows them as missing",
            MissingFigureWarning, stacklevel=2,
        )
    return ReportContext(inputs, council_code, period, cut_off, committee, missing_metrics=tuple(missing))


def quarter_metrics(inputs: Inputs) -> list[str]:
    """Appendix metrics that should have a figure at every quarter end (year-to-date totals and snapshots)."""
    metrics = inputs.metrics.sort_values("display_order")
    metrics = metrics[metrics["appendix"]]
    return list(metrics[metrics["period_basis"].isin(["financial_ytd", "snapshot"])]["metric_id"])


def metrics_without_quarter_figures(
    inputs: Inputs, council_code: str, period: ReportPeriod, cut_off: date | None
) -> list[str]:
    """Year-to-date and snapshot metrics with no figure ending on the quarter end."""
    obs = inputs.observations
    rows = obs[(obs["council_code"] == council_code) & (obs["period_end"] == period.end) & obs["value"].notna()]
    if cut_off is not None:
        rows = rows[rows["as_of"] <= cut_off]
    have = set(rows["metric_id"])
    return [m for m in quarter_metrics(inputs) if m not in have]


def published_by(ctx: ReportContext, metric_id: str) -> pd.DataFrame:
    """The council's figures for a metric known by the cut-off, latest vintage of each period."""
    obs = ctx.inputs.observations
    rows = obs[
        (obs["council_code"] == ctx.council_code)
        & (obs["metric_id"] == metric_id)
        & (obs["as_of"] <= ctx.cut_off)
    ]
    rows = rows.sort_values(["period_start", "period_end", "as_of"], kind="stable")
    return rows.drop_duplicates(["period_start", "period_end"], keep="last")
