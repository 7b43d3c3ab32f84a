"""The Use of Resources report: which figures it uses (council pack or national panel), which
year (the latest published by the quarter's cut-off), and every step's tables and charts."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

import jinja2
import pandas as pd

from ..context import ReportContext, report_context
from ..inputs import load_inputs
from ..inputs.national import comparator_group
from ..inputs.national_data import load_national
from ..publishing.charts import as_image
from ..publishing.html import STYLE
from . import charts
from .catalogue import DERIVED_SUMS, metric, metrics
from .checks import consistency_checks
from .pack import CouncilPack, load_pack, pack_council
from .panel import PANEL_FILE, ascof_panel, panel_comparisons, read_panel
from .steps import TABLES, TableSpec, tables_of

PACK_FOLDER = "use_of_resources"
GROUP_NAMES = {"county_councils": "All English county local authorities", "nearest_neighbours": "nearest neighbours",
               "region": "councils in the region", "all_councils": "all English single tier and county councils"}
UNIT_LABELS = {"GBP per person": "£ per person", "GBP per hour": "£ per hour", "GBP per week": "£ per week",
               "GBP thousands": "£000", "%": "%", "count": "number", "per 100000": "per 100,000"}


@dataclass
class UseOfResourcesReport:
    """Everything the notebook shows for one council and quarter."""

    context: ReportContext
    council_code: str
    year: str | None
    origin: str  # "pack", "panel" or "none"
    comparisons: pd.DataFrame
    group_label: str
    benchmark_councils: int | None
    region: str
    pack: CouncilPack | None = None
    releases: pd.DataFrame | None = None
    missing: list[str] = field(default_factory=list)
    differences: pd.DataFrame | None = None
    populations: dict[str, float] = field(default_factory=dict)
    panel_values: pd.DataFrame | None = None  # every council's values (panel path)
    group: list[str] = field(default_factory=list)
    names: dict[str, str] = field(default_factory=dict)  # council names by ONS code (panel path)
    national_files: pd.DataFrame | None = None
    council_label: str = ""

    @property
    def council_name(self) -> str:
        return self.council_label or self.council_code

    @property
    def year_label(self) -> str:
        return self.year.replace("-", "/") if self.year else "no year"

    def column_labels(self) -> dict[str, str]:
        """Headers of the comparison columns; percentiles are labelled by value (see the note)."""
        n = self.benchmark_councils or "all"
        return {"council": self.council_name, "england": "Total for England", "county_mean": f"Mean: {self.group_label}",
                "all_mean": f"Mean: all {n} councils", "region_mean": f"Mean: {self.region} (ADASS region)",
                "high_end": f"90th percentile ({n} councils)", "low_end": f"10th percentile ({n} councils)",
                "rank": f"Rank of {n}", "quartile": "Quartile"}


def previous_year(year: str) -> str:
    first = int(year[:4]) - 1
    return f"{first}-{(first + 1) % 100:02d}"


def latest_published_year(releases: pd.DataFrame, cut_off) -> str | None:
    """The latest financial year whose statistics were published by the cut-off date."""
    usable = releases[releases["published"] <= cut_off]
    return None if usable.empty else str(usable["year"].max())


def _populations(panel: pd.DataFrame | None, council: str, year: str | None) -> dict[str, float]:
    if panel is None or year is None:
        return {}
    rows = panel[(panel["council_code"] == council) & (panel["year"] == year)
                 & panel["metric_id"].str.startswith("population_")]
    return dict(zip(rows["metric_id"], rows["value"].astype(float), strict=True))


def compare_sources(pack: pd.DataFrame, computed: pd.DataFrame) -> pd.DataFrame:
    """Where the pack and the panel disagree by more than the pack's printed rounding."""
    columns = ["council", "england", "county_mean", "all_mean", "high_end", "low_end", "rank"]
    merged = pack.merge(computed, on=["metric_id", "year"], suffixes=("_pack", "_panel"))
    rows = []
    for _, row in merged.iterrows():
        decimals = int(metric(row["metric_id"])["decimals"])
        for column in columns:
            a, b = row[f"{column}_pack"], row[f"{column}_panel"]
            if pd.isna(a) or pd.isna(b):
                continue
            tolerance = 0 if column == "rank" else 0.5 * 10 ** -decimals + 1e-9
            if abs(float(a) - float(b)) > tolerance:
                rows.append({"metric_id": row["metric_id"], "year": row["year"], "column": column,
                             "pack": float(a), "panel": round(float(b), decimals + 2)})
    return pd.DataFrame(rows, columns=["metric_id", "year", "column", "pack", "panel"])


def build_use_of_resources_report(data_dir: str | Path, financial_year: str, quarter: int, council_code: str,
                                  comparator: str = "county_councils") -> UseOfResourcesReport:
    """Load the inputs, choose the year and the source of figures, and compute every comparison."""
    data_dir = Path(data_dir)
    inputs = load_inputs(data_dir)
    # The cut-off comes from the reporting council's calendar; the council reported on may be any council.
    own_council = council_code in inputs.councils.index
    context = report_context(inputs, financial_year, quarter, council_code if own_council else str(inputs.councils.index[0]))
    folder = data_dir / PACK_FOLDER
    pack = None
    if pack_council(folder) == council_code:
        pack = load_pack(folder)
    releases = pack.releases if pack else _read_releases(folder)
    year = latest_published_year(releases, context.cut_off) if releases is not None else None
    national, national_reasons = load_national(context.cut_off)
    panel_path = data_dir / "national" / PANEL_FILE
    panel = read_panel(panel_path) if panel_path.exists() else None
    ascof = ascof_panel(national.tidy) if national is not None else None
    if panel is not None and ascof is not None:
        panel = pd.concat([panel, ascof], ignore_index=True)
    report = UseOfResourcesReport(context, council_code, year, "none", pd.DataFrame(), GROUP_NAMES.get(comparator, comparator), None,
                                  "", pack=pack, releases=releases,
                                  national_files=None if national is None else national.files)
    population_source = panel if panel is not None else ascof
    if own_council:
        report.council_label = context.short_name
    elif national is not None and council_code in national.lookup.index:
        report.council_label = str(national.lookup.loc[council_code, "name"])
    report.populations = _populations(population_source, council_code, year)
    if year is None:
        report.missing.append(f"No year of Use of Resources statistics was published by the cut-off date of "
                              f"{context.cut_off:%d %B %Y} ({folder / 'releases.csv'}).")
        return report
    computed = None
    if panel is not None and council_code in set(panel["council_code"]) and national is not None:
        group = comparator_group(comparator, council_code, national.lookup, national.neighbours)
        region = comparator_group("region", council_code, national.lookup, national.neighbours)
        usable = panel[panel["year"] <= year]
        computed = panel_comparisons(usable, council_code, group, region, str(panel_path))
        report.panel_values = usable
        report.group = group
        report.names = national.lookup["name"].to_dict()
        report.region = str(national.lookup.loc[council_code, "region"])
    if pack is not None:
        report.origin = "pack"
        report.comparisons = pack.comparisons
        report.group_label = pack.comparator_label
        report.benchmark_councils = pack.benchmark_councils
        report.region = pack.region
        if computed is not None:
            report.differences = compare_sources(pack.comparisons, computed)
    elif computed is not None:
        report.origin = "panel"
        report.comparisons = computed
        report.benchmark_councils = int(computed["councils"].max())
    else:
        report.missing.append(
            f"There is no council pack for {council_code} ({folder / 'pack.csv'} is for "
            f"{pack_council(folder) or 'no council'}) and no national panel with its figures ({panel_path}). "
            f"Add the national panel file {panel_path} (one tidy CSV: council_code, year, metric_id, value, source; "
            "see data/raw/README.md) and run 'make data' so that the ASCOF table, the populations and the council "
            "lookup are loaded" + (f" ({'; '.join(national_reasons)})" if national_reasons else "") + ".")
    return report


def _read_releases(folder: Path) -> pd.DataFrame | None:
    path = folder / "releases.csv"
    if not path.exists():
        return None
    releases = pd.read_csv(path, dtype=str)
    releases["published"] = pd.to_datetime(releases["published"]).dt.date
    return releases


# ----- figures ---------------------------------------------------------------------------------------------------

def value(report: UseOfResourcesReport, metric_id: str, year: str | None = None, column: str = "council") -> float:
    """One figure (NaN if not available); derived sums of catalogue metrics too."""
    year = year or report.year
    if metric_id in DERIVED_SUMS:
        parts = [value(report, m, year, column) for m in DERIVED_SUMS[metric_id]]
        return float(sum(parts))
    if report.comparisons.empty:
        return float("nan")
    row = _figures(report).get((metric_id, year))
    return float(row[column]) if row is not None and pd.notna(row[column]) else float("nan")


def _figures(report: UseOfResourcesReport) -> dict[tuple[str, str], dict]:
    """The comparisons table's first row for each (metric, year), built once per table.

    The charts and tables look up several hundred single figures; filtering the table for each
    one cost about a second per report.
    """
    table = report.comparisons
    cached = report.__dict__.get("_figures")
    if cached is None or cached[0] is not table:
        lookup: dict[tuple[str, str], dict] = {}
        for row in table.to_dict("records"):
            lookup.setdefault((row["metric_id"], row["year"]), row)
        cached = report.__dict__["_figures"] = (table, lookup)
    return cached[1]


def years_for(report: UseOfResourcesReport, spec: TableSpec) -> list[str]:
    """The years a table shows for the report's year."""
    table = report.comparisons
    available = sorted(set(table.loc[table["metric_id"].isin(spec.metrics), "year"])) if not table.empty else []
    if spec.years == "pair":
        wanted = [previous_year(report.year), report.year]
    elif spec.years == "latest":
        wanted = [report.year]
    elif spec.years == "lagged":
        earlier = [y for y in available if y <= report.year]
        wanted = earlier[-1:]
    else:
        wanted = [y for y in available if y <= report.year]
    return [y for y in wanted if y in available]


def _format(value_: object, decimals: int, column: str) -> str:
    if value_ is None or pd.isna(value_):
        return ""
    if column == "rank":
        return f"{int(value_)}"
    if column == "quartile":
        return f"Q{int(value_)}"
    return f"{float(value_):,.{decimals}f}"


def table_frame(report: UseOfResourcesReport, spec: TableSpec) -> pd.DataFrame:
    """A step table as printed: one row per metric and year, the comparison columns as numbers."""
    years = years_for(report, spec)
    table = report.comparisons
    rows = table[table["metric_id"].isin(spec.metrics) & table["year"].isin(years)].copy()
    order = {m: i for i, m in enumerate(spec.metrics)}
    rows["order"] = rows["metric_id"].map(order)
    rows = rows.sort_values(["order", "year"])
    columns = [c for c in spec.columns if c in rows.columns and rows[c].notna().any()]
    out = rows[["metric_id", "year", *columns]].copy()
    out.insert(1, "metric", out["metric_id"].map(lambda m: metric(m)["name"]))
    out.insert(2, "unit", out["metric_id"].map(lambda m: metric(m)["unit"]))
    note_column = "council_note"
    out["council_note"] = rows[note_column] if note_column in rows.columns else ""
    return out.reset_index(drop=True)


@cache
def _templates() -> jinja2.Environment:
    return jinja2.Environment(loader=jinja2.FileSystemLoader(Path(__file__).with_name("templates")),
                              autoescape=True, trim_blocks=True, lstrip_blocks=True)


def table_html(report: UseOfResourcesReport, spec: TableSpec) -> str:
    """The step table as accessible HTML (row headers, a caption, no meaning by colour)."""
    frame = table_frame(report, spec)
    if frame.empty:
        return f"<p><i>{spec.title}: no figures for {report.year_label} in the {report.origin} data.</i></p>"
    labels = report.column_labels()
    columns = [c for c in spec.columns if c in frame.columns]
    caption = f"{spec.title} for {report.council_name} ({', '.join(y.replace('-', '/') for y in sorted(frame['year'].unique()))})"
    if spec.years == "series":  # a time series reads across: one row per metric and area, one column per year
        years = sorted(frame["year"].unique())
        rows = []
        for metric_id in dict.fromkeys(frame["metric_id"]):
            part = frame[frame["metric_id"] == metric_id].set_index("year")
            decimals = int(metric(metric_id)["decimals"])
            for c in columns:
                if part[c].notna().any():
                    rows.append([f"{metric(metric_id)['name']}: {labels[c]}",
                                 *[_format(part[c].get(y), decimals, c) for y in years]])
        headers = ["Metric and area", *[y.replace("-", "/") for y in years]]
        return _templates().get_template("table.html.j2").render(caption=caption, headers=headers, rows=rows,
                                                                 note=spec.note)
    multi_year = frame["year"].nunique() > 1
    headers = ["Metric", *(["Year"] if multi_year else []), *[labels[c] for c in columns]]
    rows = []
    for _, row in frame.iterrows():
        decimals = int(metric(row["metric_id"])["decimals"])
        cells = [f"{row['metric']} ({UNIT_LABELS.get(row['unit'], row['unit'])})"]
        if multi_year:
            cells.append(row["year"].replace("-", "/"))
        for c in columns:
            text = _format(row[c], decimals, c)
            if c == "council" and not text:
                text = row["council_note"] or "not available"
            cells.append(text)
        rows.append(cells)
    return _templates().get_template("table.html.j2").render(caption=caption, headers=headers, rows=rows,
                                                             note=spec.note)


def _short(metric_id: str) -> str:
    name = metric(metric_id)["name"]
    name = re.sub(r"^% Requests for support - aged [^-]+- ", "", name)
    name = re.sub(r"^% non age specific spend on ", "", name)
    name = re.sub(r"^% of people accessing long term support, snapshot, ", "", name)
    return re.sub(r"^Clients accessing ", "", name)


def chart_data(report: UseOfResourcesReport, spec: TableSpec) -> list[tuple[str, pd.DataFrame]]:
    """The table behind each chart of a step table (title, data), as written to CSV."""
    labels = report.column_labels()
    out = []
    if spec.chart == "bar":
        for metric_id in spec.chart_metrics:
            years = years_for(report, spec)
            if not years:
                continue
            year = years[-1]
            row = {c: value(report, metric_id, year, c) for c in ("council", "england", "county_mean", "all_mean",
                                                                   "high_end", "low_end")}
            title = (f"{metric(metric_id)['name']} for {report.council_name} ({year.replace('-', '/')}) compared with "
                     f"{report.group_label} & England")
            bars = [(labels["council"], row["council"]), ("England", row["england"]),
                    (labels["county_mean"], row["county_mean"]), (labels["all_mean"], row["all_mean"])]
            if report.panel_values is not None and report.group:
                members = report.panel_values[(report.panel_values["metric_id"] == metric_id)
                                              & (report.panel_values["year"] == year)
                                              & report.panel_values["council_code"].isin(report.group)]
                members = members.sort_values("value", ascending=False)
                bars = [(labels["council"] if code == report.council_code else report.names.get(code, code), v)
                        for code, v in zip(members["council_code"], members["value"], strict=True)] + bars[1:]
            frame = pd.DataFrame(bars, columns=["bar", "value"])
            frame["high_end"], frame["low_end"] = row["high_end"], row["low_end"]
            out.append((title, frame.assign(metric_id=metric_id, year=year)))
    elif spec.chart == "line":
        years = years_for(report, spec)
        for metric_id in spec.chart_metrics if years else ():
            frame = pd.DataFrame({"year": years})
            for column in ("council", "county_mean", "england"):
                frame[labels[column] if column != "england" else "England"] = [value(report, metric_id, y, column) for y in years]
            frame = frame.loc[:, frame.notna().any()]
            out.append((f"{metric(metric_id)['name']} for {report.council_name} over time", frame.assign(metric_id=metric_id)))
    elif spec.chart == "bands":
        years = years_for(report, spec)
        if years:
            chosen = spec.chart_metrics or spec.metrics
            frame = pd.DataFrame({"category": [_short(m) for m in chosen], "metric_id": list(chosen)})
            for column in [c for c in spec.columns if c not in ("rank", "quartile", "high_end", "low_end")]:
                frame[labels[column]] = [value(report, m, years[-1], column) for m in chosen]
            out.append((f"{spec.title} for {report.council_name} ({years[-1].replace('-', '/')})", frame.assign(year=years[-1])))
    # a chart needs at least one figure besides its labels
    return [(title, frame) for title, frame in out
            if frame.drop(columns=["metric_id", "year", "bar", "category"], errors="ignore").select_dtypes("number").notna().any().any()]


def chart_figures(report: UseOfResourcesReport, spec: TableSpec) -> list:
    """The step table's charts as matplotlib figures."""
    labels = report.column_labels()
    figures = []
    for title, frame in chart_data(report, spec):
        first = frame["metric_id"].iloc[0]
        decimals = int(metric(first)["decimals"])
        unit = UNIT_LABELS.get(metric(first)["unit"], metric(first)["unit"])
        if spec.chart == "bar":
            council_label = labels["council"]
            bars = [(lab, v, lab in (council_label, report.council_code)) for lab, v in zip(frame["bar"], frame["value"], strict=True)]
            middle = None
            if spec.step == 9:  # no England figure for unit costs: the mean of all councils is the middle line
                middle = ("mean of all councils", value(report, first, frame["year"].iloc[0], "all_mean"))
            figures.append(charts.comparison_bar(title, bars, frame["high_end"].iloc[0], frame["low_end"].iloc[0],
                                                 decimals, unit, middle))
        elif spec.chart == "line":
            figures.append(charts.time_series(title, frame.drop(columns="metric_id"), decimals, unit))
        elif spec.chart == "bands":
            shown = [c for c in frame.columns if c not in ("category", "metric_id", "year")]
            figures.append(charts.grouped_bars(title, frame.set_index("category")[shown], shown, decimals, unit))
    return figures


def section(report: UseOfResourcesReport, step: int):
    """Display objects for a step: each table then its charts."""
    from IPython.display import HTML

    if report.origin == "none":
        return [HTML("<p><i>Not available: see the note on missing figures at the start of the report.</i></p>")]
    parts = []
    for spec in tables_of(step):
        parts.append(HTML(STYLE + table_html(report, spec)))
        parts.extend(as_image(figure) for figure in chart_figures(report, spec))
    return parts


def ipc_html() -> str:
    """Step 5: the Institute of Public Care's demand-management measures and benchmarks."""
    frame = pd.read_csv(Path(__file__).with_name("ipc_measures.csv"))
    return STYLE + _templates().get_template("list.html.j2").render(
        headers=["#", "Measure", "IPC benchmark"], rows=frame.values.tolist())


def percentile_note(report: UseOfResourcesReport) -> str:
    """The one note on how these percentiles differ from the LG Inform labels."""
    return ("Percentiles here are labelled by value: the 90th percentile is the high end of the range across all "
            f"{report.benchmark_councils or ''} councils and the 10th percentile the low end (linear interpolation, as "
            "Excel PERCENTILE.INC). The LG Inform report labels its rows in ranking order instead, so its "
            "'10th percentile' row holds the high end (the 90th percentile here) for every measure except the "
            "ASCOF 'low is good' measures. Ranks: 1 is the council with the highest value, except for ASCOF "
            "measures, where 1 is the best. Quartiles follow the rank: Q1 holds ranks 1 to a quarter of the "
            "councils (the highest values), Q4 the lowest.")


def checks_table(report: UseOfResourcesReport) -> pd.DataFrame:
    """The arithmetic checks for the report's year."""
    if report.year is None or report.comparisons.empty:
        return pd.DataFrame()
    return consistency_checks(report.comparisons, report.year, report.populations or None)


def write_tables(report: UseOfResourcesReport, output_dir: str | Path, stem: str = "use_of_resources") -> list[Path]:
    """Write every step table and every chart's data as CSV (the files behind the report)."""
    from ..publishing.tables import write_csv
    from .paper import discrepancies, summary_table

    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    written = []

    def save(frame: pd.DataFrame, name: str) -> None:
        path = output_dir / f"{stem}_{name}.csv"
        write_csv(frame, path)
        written.append(path)

    if report.origin == "none":
        return written
    for spec in TABLES:
        key = re.sub(r"[^0-9a-z]+", "_", f"step{spec.key}".replace("%", "pct")).strip("_")
        frame = table_frame(report, spec)
        if not frame.empty:
            save(frame, key)
        for index, (_, data) in enumerate(chart_data(report, spec), start=1):
            save(data, f"{key}_chart{index}")
    save(summary_table(report), "summary_table")
    save(discrepancies(report), "paper_discrepancies")
    save(checks_table(report), "checks")
    return written


def catalogue_size() -> int:
    """Metrics in the catalogue that carry figures (populations excluded)."""
    return int((metrics()["step"] > 0).sum())
