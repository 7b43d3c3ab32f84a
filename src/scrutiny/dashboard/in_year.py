"""In-year ASCOF 2A, 2B, 2C and 2D from the council's client level data, beside DHSC's latest figures.

DHSC computes these measures from Client Level Data (CLD) and publishes them months after the
year ends; the committee papers rely on the published figures. This section computes them for the
12 months ending at the report's quarter end from the council's own extract by DHSC's method
(``scrutiny.cld.api``), marked provisional, and puts the latest DHSC-published figure for the same
measure beside each one. Appendix A is untouched: it keeps the published figures.

A measure the engine cannot compute is listed with the reason: 2D needs hospital discharge (SUS)
spells beside the extract (``<extract>_discharges.parquet``), which the synthetic default has and a
council's own extract may not. Figures from the synthetic extract are
labelled as synthetic demonstration data wherever they appear.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd

from ..cld import api
from ..context import ReportContext
from ..inputs import cld_extract
from ..inputs.cld_extract import LocalExtract, MissingExtractError
from ..periods import period_label
from ..publishing.formatting import format_value, is_missing, out_of
from ..publishing.tables import write_csv

#: The measures of this section: dashboard metric, ASCOF code, title if the catalogue lacks one, format.
MEASURES = (
    ("ascof_2a", "2A", "People who had no need for ongoing services after reablement", "pct1"),
    ("ascof_2b", "2B", "Permanent admissions to residential and nursing care, aged 18-64, per 100,000", "rate1"),
    ("ascof_2c", "2C", "Permanent admissions to residential and nursing care, aged 65+, per 100,000", "rate1"),
    ("ascof_2d", "2D", "Living in the community 12 weeks after hospital discharge into reablement", "pct1"),
)
NOT_COMPUTED = {
    "ascof_2d": "Cannot be calculated without hospital discharge records (SUS spells) linked to the client "
                "level data by NHS number (specification 5.3); give them beside the extract.",
}
CSV_NAME = "quarterly_dashboard_in_year.csv"
COLUMNS = ["metric_id", "code", "description", "period_start", "period_end", "value", "numerator",
           "denominator", "estimate", "method", "data", "reason", "dhsc_value", "dhsc_numerator",
           "dhsc_denominator", "dhsc_period_start", "dhsc_period_end", "dhsc_source", "dhsc_published"]


@dataclass
class InYear:
    """The section: the extract used (None when there is none), the 12 months, one row per measure."""

    extract: LocalExtract | None
    period_start: date
    period_end: date
    table: pd.DataFrame
    reason: str = ""
    population_note: str = ""

    @property
    def synthetic(self) -> bool:
        return self.extract is not None and self.extract.synthetic

    @property
    def title(self) -> str:
        title = "In-year ASCOF from client level data: local calculation, DHSC method (provisional)"
        return f"{title}: {cld_extract.SYNTHETIC_LABEL}" if self.synthetic else title

    @property
    def source_ids(self) -> set[str]:
        """The sources.csv ids this section draws on (for the provenance section)."""
        used = set(self.table["dhsc_source"].dropna())
        return used | ({cld_extract.SOURCE_ID} if self.extract is not None else set())


def twelve_months_from(end: date) -> date:
    """The first day of the 12 months ending ``end`` (a quarter end)."""
    return (pd.Timestamp(end) - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date()


def population_of(context: ReportContext) -> tuple[dict[str, float] | None, str]:
    """The 18-64 and 65+ populations for 2B and 2C and where they come from: the denominators of
    DHSC's latest 2B and 2C for the council published by the cut-off, else of its latest release
    (said so, since that release came after the cut-off), else None."""
    for by_cut_off in (True, False):
        published = latest_published(context, by_cut_off)
        rows = [published.get(metric_id) for metric_id in ("ascof_2b", "ascof_2c")]
        if all(row is not None and not is_missing(row["denominator"]) for row in rows):
            release = (f"{period_label(rows[1]['period_start'], rows[1]['period_end'])} figures, published "
                       f"{rows[1]['as_of']:%d %B %Y}")
            note = (f"2B and 2C divide by the population DHSC used for its {release}" if by_cut_off else
                    f"2B and 2C divide by the population DHSC used for its {release}, after this report's "
                    "cut-off: no earlier denominator is recorded")
            return {"18 to 64": float(rows[0]["denominator"]), "65 and above": float(rows[1]["denominator"])}, note
    return None, ""


def latest_published(context: ReportContext, by_cut_off: bool = True) -> dict[str, pd.Series]:
    """Per measure, DHSC's (or NHS England's) latest figure for the council published by the cut-off
    (``by_cut_off`` False: whenever published)."""
    inputs = context.inputs
    sources = inputs.sources
    national = set(sources.loc[sources["publisher"].str.contains("Health and Social Care|NHS England", regex=True),
                               "source_id"])
    observations = inputs.observations
    chosen = observations[(observations["council_code"] == context.council_code)
                          & observations["source"].isin(national) & observations["value"].notna()
                          & ((observations["as_of"] <= context.cut_off) | (not by_cut_off))]
    latest = {}
    for metric_id, rows in chosen.groupby("metric_id"):
        latest[metric_id] = rows.sort_values(["period_end", "as_of"]).iloc[-1]
    return latest


def build_in_year(context: ReportContext, extract_parameter: str = "") -> InYear:
    """Compute the section for the report's quarter (12 months ending at its last day).

    ``extract_parameter``: a council extract (CSV or parquet); empty uses the synthetic one. A bad
    extract stops with file, row and column; a missing synthetic extract, an extract taken before
    the period ends, or no published population for 2B and 2C leave the figures out with the reason.
    """
    end = context.period.end
    start = twelve_months_from(end)
    published = latest_published(context)
    try:
        path, synthetic = cld_extract.locate(extract_parameter)
    except MissingExtractError as err:
        return InYear(None, start, end, _rows(context, None, None, published, str(err)), str(err))
    extract = cld_extract.describe(path, synthetic)
    population, population_note = population_of(context)
    reason = ""
    if not extract.covers(end):
        reason = (f"the extract was taken on {extract.import_date}, before the 12 months end on {end:%d %B %Y}; "
                  "give an extract submitted after the quarter end")
    elif population is None:
        reason = ("no DHSC-published population (2B and 2C denominators) for the council in observations.csv, "
                  "so the measures cannot be computed as DHSC does")
    figures = None if reason else api.dashboard_figures(path, context.council_code, end, population=population)
    return InYear(extract, start, end, _rows(context, extract, figures, published, reason), reason, population_note)


def _rows(context: ReportContext, extract: LocalExtract | None, figures: pd.DataFrame | None,
          published: dict[str, pd.Series], reason: str) -> pd.DataFrame:
    end = context.period.end
    start = twelve_months_from(end)
    metrics = context.inputs.metrics
    rows = []
    for metric_id, code, title, _ in MEASURES:
        found = None if figures is None else figures[figures["metric_id"] == metric_id]
        local = None if found is None or found.empty else found.iloc[0]
        why = ""
        if local is None or is_missing(local["value"]):
            why = (f"Not computed: {reason}." if reason else NOT_COMPUTED.get(metric_id)
                   or "Not computed by the client level data engine.")
            if local is not None and isinstance(local.get("note"), str) and local["note"] != api.LOCAL_NOTE:
                why = "Not computed: " + local["note"].removeprefix(api.LOCAL_NOTE + "; ") + "."
        dhsc = published.get(metric_id)
        description = metrics.at[metric_id, "description"] if metric_id in metrics.index else title
        rows.append({
            "metric_id": metric_id, "code": code, "description": description,
            # a measure may cover other months than the section's (DHSC lags 2D by a quarter)
            "period_start": start if local is None else pd.Timestamp(local["period_start"]).date(),
            "period_end": end if local is None else pd.Timestamp(local["period_end"]).date(),
            "value": None if why else _number(local["value"]),
            "numerator": None if why else _number(local["numerator"]),
            "denominator": None if why else _number(local["denominator"]),
            "estimate": "provisional", "method": api.LOCAL_NOTE,
            "data": "" if extract is None else extract.label, "reason": why,
            "dhsc_value": None if dhsc is None else dhsc["value"],
            "dhsc_numerator": None if dhsc is None else dhsc["numerator"],
            "dhsc_denominator": None if dhsc is None else dhsc["denominator"],
            "dhsc_period_start": None if dhsc is None else dhsc["period_start"],
            "dhsc_period_end": None if dhsc is None else dhsc["period_end"],
            "dhsc_source": None if dhsc is None else dhsc["source"],
            "dhsc_published": None if dhsc is None else dhsc["as_of"],
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def _number(value) -> float | None:
    """A float, or None for a withheld or missing figure (None, NaN or pandas' NA)."""
    return None if value is None or pd.isna(value) else float(value)


def _figure(value, numerator, denominator, display_format: str, rate: bool) -> dict[str, str]:
    """The printed value and its counts: suppressed counts as [c]; a rate's denominator is a population."""
    if is_missing(value):
        return {"value": "", "counts": ""}
    if rate:
        counts = "(" + ("[c] admissions" if is_missing(numerator) else f"{numerator:,.0f} admissions") + (
            "" if is_missing(denominator) else f" in a population of {denominator:,.0f}") + ")"
    elif is_missing(numerator) or is_missing(denominator):
        counts = "([c] out of [c]: fewer than 5)"
    else:
        counts = out_of(numerator, denominator)
    return {"value": format_value(value, display_format), "counts": counts}


def section_html(section: InYear) -> str:
    """The section as an accessible table (jinja2 template), with its notes."""
    formats = {metric_id: fmt for metric_id, _, _, fmt in MEASURES}
    rows = []
    for row in section.table.itertuples():
        rate = formats[row.metric_id] == "rate1"
        rows.append({
            "code": row.code, "description": row.description,
            "local": _figure(row.value, row.numerator, row.denominator, formats[row.metric_id], rate),
            "reason": row.reason, "data": row.data,
            "own_period": "" if (row.period_start, row.period_end) == (section.period_start, section.period_end)
            else period_label(row.period_start, row.period_end),
            "dhsc": _figure(row.dhsc_value, row.dhsc_numerator, row.dhsc_denominator, formats[row.metric_id], rate),
            "dhsc_period": "" if is_missing(row.dhsc_period_end) else period_label(row.dhsc_period_start,
                                                                                  row.dhsc_period_end),
            "dhsc_published": "" if is_missing(row.dhsc_published) else f"{row.dhsc_published:%d %b %Y}",
        })
    return cld_extract.render(
        "in_year.html.j2", section=section, rows=rows, synthetic_label=cld_extract.SYNTHETIC_LABEL,
        period=period_label(section.period_start, section.period_end), method=api.LOCAL_NOTE)


def write_in_year(section: InYear, output_dir: str | Path) -> list[Path]:
    """The section's table as CSV (aggregates only)."""
    folder = Path(output_dir)
    folder.mkdir(parents=True, exist_ok=True)
    return [write_csv(section.table, folder / CSV_NAME)]
