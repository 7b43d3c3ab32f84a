"""The national benchmarking report as a few calls for the notebook.

With the national ASCOF tables loaded (``make data``) and published by the report's cut-off date,
the report benchmarks every ASCOF measure against England, the region and the chosen comparator
group. Without them it still builds from the council's own inputs (its values, England and the
peer-group averages printed in the papers) and says which sections need ``make data``.

Any of the councils in the national lookup can be benchmarked. The council whose papers are in
``data/raw`` ("the reporting council") gets the sections drawn from its papers too; any other
council's report names only that council (its name comes from the national lookup) and says
which sections need the council's own papers. The quarter's cut-off date, which decides which
national release may be used, comes from the reporting calendar in ``data/raw`` in both cases:
national releases are the same for every council, so the calendar's date is a fair cut-off.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from html import escape
from pathlib import Path

import pandas as pd

from ..publishing import formatting as fmt
from ..publishing.text import markdown_text as md
from .analysis import GROUP_LABELS, Benchmark, benchmark, quadrant_table, summary, summary_sentences, trend_table
from ..context import ENGLAND, MissingInputsError, ReportContext, published_by, report_context
from ..methods.comparability import figure_of, metric_rule
from ..inputs import load_inputs
from ..inputs import InputError
from ..inputs.national import COMPARATOR_GROUPS, comparator_group, counts_rounded_to, load_council_lookup, rounded_counts_by_metric
from ..inputs.national_data import NATIONAL_DIR, NationalData, load_national, load_registry
from ..paths import project_root
from ..periods import FinancialYear
from ..methods.rules import rate_against
from ..publishing.tables import write_csv

SECOND_MEASURES = ("deprivation", "spend_per_head")
NEEDS_NATIONAL = [
    "ranks and quartiles within the comparator group and among all councils",
    "region and comparator-group averages for the ASCOF measures",
    "the overview (spine) chart and the all-councils charts",
    "trends by year against England and the peer average",
    "average rank by theme and the performance quadrant chart",
]
#: Quartiles need at least four councils (statistical-methods.md 7.2); a smaller group falls back.
MIN_GROUP = 4
#: The groups tried, in order, when the chosen comparator group is too small.
FALLBACK_GROUPS = ("region", "all_councils")


@dataclass
class BenchmarkingReport:
    context: ReportContext
    comparator: str
    national: NationalData | None
    national_reasons: list[str]
    bench: Benchmark | None = None
    trend: pd.DataFrame | None = None
    quadrant: pd.DataFrame | None = None
    quadrant_group: str = "county_councils"
    requested_quadrant_group: str = "county_councils"
    second_measure: str = "deprivation"
    second_note: str = ""
    council_code: str = ""
    local: pd.DataFrame = field(default_factory=pd.DataFrame)
    printed: pd.DataFrame = field(default_factory=pd.DataFrame)
    #: Whether data/raw holds this council's own papers (else only national data is used).
    own_council: bool = True
    requested_comparator: str = ""
    group_note: str = ""
    #: Another council's committee and meeting date, when given as parameters.
    committee: str = ""
    committee_date: str = ""

    @property
    def council_name(self) -> str:
        if self.own_council:
            return self.context.council_name
        return self.bench.council_name if self.bench is not None else self.council_code

    @property
    def year_label(self) -> str:
        if self.bench is not None:
            return FinancialYear.parse(self.bench.year).label
        return self.local_year_label

    @property
    def local_year_label(self) -> str:
        return self.context.period.year.previous().label

    @property
    def group_label(self) -> str:
        return GROUP_LABELS.get(self.comparator, self.comparator)


def latest_year(tidy: pd.DataFrame) -> str:
    """The newest year with council outcomes in the ASCOF table."""
    years = tidy.loc[(tidy["level"] == "Local authority") & tidy["outcome"].notna(), "year"]
    return max(years)


def local_benchmarks(context: ReportContext, rounded: dict[str, float] | None = None) -> pd.DataFrame:
    """From the council's own inputs: each ASCOF metric's latest whole-year figure against England.

    ``rounded`` maps metric ids to the base DHSC rounds their counts to, so the table can say so.
    """
    inputs = context.inputs
    rows = []
    for _, metric in inputs.metrics.sort_values("display_order").iterrows():
        if metric["framework"] != "ASCOF":
            continue
        figures = published_by(context, metric["metric_id"])
        whole_years = figures[figures["value"].notna() & (figures["estimate"] != "forecast")
                              & figures.apply(lambda r: r["period_start"].month == 4 and r["period_start"].day == 1
                                              and (r["period_end"] - r["period_start"]).days > 360, axis=1)]
        if whole_years.empty:
            continue
        latest = whole_years.sort_values("period_end").iloc[-1]
        averages = inputs.national_averages
        england = averages[(averages["metric_id"] == metric["metric_id"]) & (averages["area_code"] == ENGLAND)
                           & (averages["period_start"] <= latest["period_start"])
                           & (averages["published"] <= context.cut_off)].sort_values(["period_start", "published"])
        england_value = float(england["value"].iloc[-1]) if not england.empty else None
        england_year = FinancialYear.containing(england["period_start"].iloc[-1]).label if not england.empty else ""
        verdict = rate_against(figure_of(latest), metric_rule(metric), england_value)
        rows.append({
            "code": metric["code"], "description": metric["description"], "display_format": metric["display_format"],
            "year": FinancialYear.containing(latest["period_start"]).label,
            "value": latest["value"], "numerator": latest["numerator"], "denominator": latest["denominator"],
            "england": england_value, "england_year": england_year, "vs_england": verdict.verdict, "indicative": verdict.indicative,
            "source": latest["source"],
            "counts_rounded_to": counts_rounded_to(latest["value"], latest["numerator"], latest["denominator"],
                                                   metric["multiplier"], (rounded or {}).get(metric["metric_id"])),
        })
    return pd.DataFrame(rows)


def printed_benchmarks(context: ReportContext) -> pd.DataFrame:
    """Benchmark figures printed in the papers (peer-group averages the national files do not hold)."""
    figures = context.inputs.benchmark_figures
    if figures is None:
        return pd.DataFrame()
    rows = figures[(figures["council_code"] == context.council_code) & (figures["as_of"] <= context.cut_off)]
    return rows.reset_index(drop=True)


def printed_table(report: BenchmarkingReport) -> pd.DataFrame:
    """The printed benchmark figures shown as a table (the ASCOF count is discussed in the summary)."""
    return report.printed[report.printed["measure"] != "ascof_in_line_or_better"]


def build_benchmarking_report(
    data_dir: str | Path,
    financial_year: str,
    quarter: int,
    council_code: str,
    comparator: str = "nearest_neighbours",
    quadrant_group: str = "county_councils",
    second_measure: str = "deprivation",
    committee: str = "",
    committee_date: str = "",
) -> BenchmarkingReport:
    """Load inputs and (where available) national data, and build every table of the report.

    ``committee`` and ``committee_date`` (YYYY-MM-DD) name the meeting for a council whose papers
    are not in ``data_dir``; the reporting council's come from its inputs.
    """
    if comparator not in COMPARATOR_GROUPS:
        raise ValueError(f"comparator must be one of {', '.join(COMPARATOR_GROUPS)}, got {comparator!r}")
    if quadrant_group not in COMPARATOR_GROUPS:
        raise ValueError(f"quadrant_group must be one of {', '.join(COMPARATOR_GROUPS)}, got {quadrant_group!r}")
    if second_measure not in SECOND_MEASURES:
        raise ValueError(f"second_measure must be one of {', '.join(SECOND_MEASURES)}, got {second_measure!r}")
    inputs = load_inputs(data_dir)
    context, own_council = _context_for(inputs, financial_year, quarter, council_code)
    national, reasons = load_national(context.cut_off)
    if national is None and not own_council:
        raise MissingInputsError(
            f"council {council_code} has no local inputs and the national tables are not available: "
            + "; ".join(reasons))
    if committee_date:
        try:
            date.fromisoformat(committee_date)
        except ValueError:
            raise ValueError(f"committee_date must be a date as YYYY-MM-DD, got {committee_date!r}") from None
    report = BenchmarkingReport(context, comparator, national, reasons, quadrant_group=quadrant_group,
                                second_measure=second_measure, council_code=council_code, own_council=own_council,
                                requested_comparator=comparator, requested_quadrant_group=quadrant_group,
                                committee=committee, committee_date=committee_date)
    if own_council:
        report.local = local_benchmarks(context, rounded_counts_by_metric(data_dir))
        report.printed = printed_benchmarks(context)
    if national is None:
        return report
    year = latest_year(national.tidy)
    comparator, group, report.group_note = usable_group(comparator, council_code, national)
    report.comparator = comparator
    report.bench = benchmark(national.tidy, national.measures, national.lookup, council_code, year, comparator, group)
    report.trend = trend_table(national.tidy, report.bench.table, council_code, group)
    quadrant_members = comparator_group(quadrant_group, council_code, national.lookup, national.neighbours)
    if council_code not in quadrant_members:  # e.g. a unitary council and the county councils
        report.quadrant_group, quadrant_group, quadrant_members = report.comparator, report.comparator, group
    quadrant_bench = report.bench if quadrant_members == group else benchmark(
        national.tidy, national.measures, national.lookup, council_code, year, quadrant_group, quadrant_members)
    if second_measure == "spend_per_head" or national.deprivation is None:
        report.second_note = ("No spend per head data is loaded, so the quadrant uses deprivation (IMD 2019 average "
                              "score)." if second_measure == "spend_per_head" else "")
    report.quadrant = quadrant_table(quadrant_bench.ranks, quadrant_bench.table, national.lookup,
                                     national.deprivation, "imd_average_score")
    return report


def _context_for(inputs, financial_year: str, quarter: int, council_code: str) -> tuple[ReportContext, bool]:
    """The report's context and whether data/raw holds the council's own papers.

    Another council's report takes the quarter's cut-off date from the reporting calendar (see the
    module docstring); nothing else of the reporting council's context is shown.
    """
    own_council = council_code in inputs.councils.index
    host = council_code if own_council else str(inputs.councils.index[0])
    return report_context(inputs, financial_year, quarter, host), own_council


def usable_group(comparator: str, council_code: str, national: NationalData) -> tuple[str, list[str], str]:
    """The comparator group to use, falling back to a larger stated group when it is too small.

    A group of fewer than :data:`MIN_GROUP` councils (the City of London's nearest neighbours are
    itself alone) would give "1 of 1" and meaningless averages, so the council's region is used
    instead, or all councils; the returned note says so.
    """
    group = comparator_group(comparator, council_code, national.lookup, national.neighbours)
    if len(group) >= MIN_GROUP:
        return comparator, group, ""
    for fallback in FALLBACK_GROUPS:
        members = comparator_group(fallback, council_code, national.lookup, national.neighbours)
        if len(members) >= MIN_GROUP:
            note = (f"The {GROUP_LABELS.get(comparator, comparator)} has only {len(group)} council"
                    f"{'' if len(group) == 1 else 's'}, too few to rank or average (at least {MIN_GROUP} are "
                    f"needed), so this report compares with the {GROUP_LABELS[fallback]} instead "
                    f"({len(members)} councils).")
            return fallback, members, note
    raise InputError("comparator group", [f"no comparator group of at least {MIN_GROUP} councils for {council_code}"])


def preflight(data_dir: str | Path, financial_year: str, quarter: int, council_code: str,
              comparator: str = "nearest_neighbours", root: Path | None = None) -> None:
    """Check what the benchmarking notebook needs before it starts, failing with one clear line.

    The council must be the reporting council of ``data_dir`` or one of the councils in the
    national lookup (``make data``), the comparator a known group, and the quarter in the
    reporting calendar (for its cut-off date).
    """
    if comparator not in COMPARATOR_GROUPS:
        raise ValueError(f"unknown comparator {comparator!r}; expected one of {', '.join(COMPARATOR_GROUPS)}")
    inputs = load_inputs(data_dir)
    _, own_council = _context_for(inputs, financial_year, quarter, council_code)
    if own_council:
        return
    root = root or project_root()
    lookup_file = root / NATIONAL_DIR / load_registry(root).loc["council_lookup", "file_name"]
    if not lookup_file.exists():
        raise MissingInputsError(f"council {council_code} is not the reporting council of {data_dir}, and the national "
                                 f"council lookup ({lookup_file.name}) is not loaded: run 'make data'")
    lookup = load_council_lookup(lookup_file)
    if council_code not in lookup.index:
        raise ValueError(f"unknown council code {council_code!r}: not one of the {len(lookup)} councils with adult social "
                         f"services responsibilities in {NATIONAL_DIR / lookup_file.name} (ONS codes such as "
                         "E10000007 for Derbyshire)")


def write_benchmarking_tables(report: BenchmarkingReport, output_dir: str | Path, stem: str = "benchmarking") -> list[Path]:
    """Every table behind the report's tables and charts, as CSV."""
    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    frames = {"_local": report.local, "_printed": report.printed}
    if report.bench is not None:
        frames.update({
            "_measures": report.bench.table, "_all_councils": report.bench.all_councils,
            "_ranks": report.bench.ranks, "_themes": report.bench.themes,
            "_trends": report.trend, "_quadrant": report.quadrant,
        })
    written = []
    for suffix, frame in frames.items():
        if frame is None or frame.empty:  # e.g. the papers' tables for a council whose papers are not held
            continue
        path = output / f"{stem}{suffix}.csv"
        write_csv(frame, path)
        written.append(path)
    return written


#: The benchmarking report's method rules, stated in its provenance section.
METHOD_RULES = [
    "Figures are DHSC's ASCOF tables for the latest year published by the report's cut-off date. Councils are "
    "ranked and tested on n out of d where both counts are exact, and on the published outcome where DHSC "
    "rounds the counts (the catalogue's counts_rounded_to) or gives none.",
    "Ranks: 1 = best by the measure's aim, among the councils with a figure for the measure (each rank gives "
    "its own count); tied councils share the better rank (1, 2, 2, 4).",
    "Quartile = ceil(4 x rank / number of councils), so the first quartile is the best 25%; none is given for "
    "fewer than four councils.",
    "The comparator-group and regional averages are unweighted means of the councils' published outcomes; "
    "England is DHSC's national figure.",
    "Ratings against England and the group average compare the 95% confidence interval of the council's "
    "figure (Wilson for proportions, the published margin of error for surveys, Byar's or the exact Poisson "
    "interval for rates) with the average's point value, as in the quarterly dashboard; a boundary counts "
    "as similar.",
    "The change since last year is tested (Newcombe's interval, or a z-test on survey margins of error) only "
    "when the two years are comparable: the same definition and no series break, so measures from client "
    "level data (from 2024/25) have no earlier year.",
    "Average rank by theme: the mean of the normalised ranks (rank - 1) / (councils - 1) over the theme's "
    "measures (0 = best), given only for councils with at least 75% of them.",
    "About 1 in 20 comparisons of unchanged performance will appear significant by chance at 95%.",
]


_VERDICT = {"better": "▲ Better", "similar": "● Similar", "worse": "▼ Worse", "not_compared": "– Not compared",
            "improved": "↑ Improved", "worsened": "↓ Worsened", "no_significant_change": "→ No sig. change"}


def _cell(verdict: str) -> str:
    return f'<span class="verdict v-{verdict}">{escape(_VERDICT.get(verdict, verdict))}</span>'


def _number(value, display_format: str) -> str:
    return "" if value is None or pd.isna(value) else fmt.format_value(float(value), display_format)


def _ordinal_rank(rank, n) -> str:
    return "" if rank is None or pd.isna(rank) else f"{int(rank)} of {int(n)}"


def counts_note(row: pd.Series) -> str:
    """The "n out of d" counts under a value, saying when DHSC rounded them."""
    if not row["display_format"].startswith("pct"):
        return ""
    rounded = row.get("counts_rounded_to")
    counts = fmt.out_of(row["numerator"], row["denominator"], rounded)
    if counts and not fmt.is_missing(rounded):
        counts += " Ranked and tested on the published percentage."
    return counts


def unrounded_note(row: pd.Series) -> str:
    """When the printed value and group average look equal but the verdict differs, both with more decimals."""
    if row["vs_group"] in ("similar", "not_compared") or row["value"] is None or pd.isna(row["value"]):
        return ""
    if pd.isna(row["group_average"]):
        return ""
    if _number(row["value"], row["display_format"]) != _number(row["group_average"], row["display_format"]):
        return ""
    for decimals in range(2, 6):
        council, group = f"{row['value']:,.{decimals}f}", f"{row['group_average']:,.{decimals}f}"
        if council != group:
            return f"unrounded: council {council}, average {group}"
    return ""


#: Column widths of the measure table: the measure's full name gets a quarter of the page.
MEASURE_TABLE_WIDTHS = (24, 10, 7, 7, 9, 7, 6, 6, 8, 8, 8)


def measures_html(report: BenchmarkingReport) -> str:
    """The per-measure benchmarking table."""
    bench = report.bench
    header = ("<tr><th>Measure</th><th>Council</th><th>England</th><th>Region</th>"
              f"<th>{escape(report.group_label.capitalize())} average</th><th>Rank in group (1 = best)</th>"
              "<th>Quartile in group</th><th>Quartile, all councils</th><th>Against England</th>"
              "<th>Against group average</th><th>Since last year</th></tr>")
    body = []
    for _, row in bench.table.iterrows():
        counts = counts_note(row)
        value = _number(row["value"], row["display_format"]) or escape(row["marker"] or "")
        precision = unrounded_note(row)
        body.append(
            "<tr>"
            f"<td><b>{escape(row['measure'])}</b> {escape(row['title'])}</td>"
            f"<td><b>{value}</b><div class='small'>{escape(counts)}</div></td>"
            f"<td>{_number(row['england'], row['display_format'])}</td>"
            f"<td>{_number(row['region'], row['display_format'])}</td>"
            f"<td>{_number(row['group_average'], row['display_format'])}<div class='small'>{escape(precision)}</div></td>"
            f"<td>{_ordinal_rank(row['rank_group'], row['group_n'])}</td>"
            f"<td>{'' if pd.isna(row['quartile_group']) else 'Q' + str(int(row['quartile_group']))}</td>"
            f"<td>{'' if pd.isna(row['quartile_all']) else 'Q' + str(int(row['quartile_all']))}</td>"
            f"<td>{_cell(row['vs_england'])}</td><td>{_cell(row['vs_group'])}</td><td>{_cell(row['change'])}</td>"
            "</tr>"
        )
    return _wrap(header, body, MEASURE_TABLE_WIDTHS)


def themes_html(report: BenchmarkingReport) -> str:
    """Average rank by theme and overall, with the quartile profile."""
    group = escape(report.group_label)
    header = (f"<tr><th>Theme</th><th>Measures</th><th>Mean normalised rank within the {group} (0 = best, 1 = worst)"
              f"</th><th>Council's position on it within the {group} (1 = best)</th><th>Average rank (1 = best; "
              "only where every measure ranks the same number of councils)</th>"
              "<th>Q1 (best)</th><th>Q2</th><th>Q3</th><th>Q4 (worst)</th></tr>")
    body = []
    table = report.bench.table
    for _, row in report.bench.themes.iterrows():
        in_theme = table if row["theme"] == "Overall" else table[table["theme"] == row["theme"]]
        same_n = in_theme["group_n"].nunique() == 1  # statistical-methods.md 7.5
        average = "" if pd.isna(row["average_rank"]) or not same_n else f"{row['average_rank']:.1f}"
        composite = "" if pd.isna(row["composite_score"]) else f"{row['composite_score']:.2f}"
        body.append(
            f"<tr><td>{escape(row['theme'])}</td><td>{row['measures']}</td>"
            f"<td>{composite}</td><td>{_ordinal_rank(row['composite_rank'], row['councils_ranked'])}</td>"
            f"<td>{average}</td>"
            f"<td>{row['q1']}</td><td>{row['q2']}</td><td>{row['q3']}</td><td>{row['q4']}</td></tr>"
        )
    return _wrap(header, body)


def _local_counts(row: pd.Series) -> str:
    return fmt.out_of(row["numerator"], row["denominator"], row.get("counts_rounded_to"))


def local_html(report: BenchmarkingReport) -> str:
    """The council's ASCOF figures against England, from its own inputs."""
    header = ("<tr><th>ASCOF</th><th>Measure</th><th>Year</th><th>Council</th><th>England (year)</th>"
              "<th>Against England</th></tr>")
    body = []
    for _, row in report.local.iterrows():
        note = " (indicative)" if row["indicative"] else ""
        body.append(
            f"<tr><td>{escape(row['code'])}</td><td>{escape(row['description'])}</td><td>{row['year']}</td>"
            f"<td><b>{_number(row['value'], row['display_format'])}</b> "
            f"<span class='small'>{escape(_local_counts(row))}</span></td>"
            f"<td>{_number(row['england'], row['display_format'])} <span class='small'>{escape(row['england_year'])}</span></td>"
            f"<td>{_cell(row['vs_england'])}{note}</td></tr>"
        )
    return _wrap(header, body)


def printed_html(report: BenchmarkingReport) -> str:
    """Figures printed in the papers, with their peer-group averages."""
    header = "<tr><th>Measure</th><th>Council</th><th>England</th><th>Peer group average</th><th>Source</th></tr>"
    body = []
    for _, row in printed_table(report).iterrows():
        number = lambda v: "" if pd.isna(v) else f"{v:,.1f}".removesuffix(".0")  # noqa: E731
        body.append(
            f"<tr><td>{escape(row['description'])}</td><td><b>{number(row['council_value'])}</b> "
            f"<span class='small'>{escape(fmt.out_of(row['numerator'], row['denominator']))}</span></td>"
            f"<td>{number(row['england_value'])}</td><td>{number(row['group_average'])}</td>"
            f"<td class='small'>{escape(row['source'])}</td></tr>"
        )
    return _wrap(header, body)


def _wrap(header: str, body: list[str], widths: tuple[int, ...] = ()) -> str:
    """The house table; ``widths`` (per cent per column) give long text columns the room they need."""
    from ..publishing.html import STYLE

    cols = "".join(f"<col style='width:{w}%'>" for w in widths)
    columns = f"<colgroup>{cols}</colgroup>" if widths else ""
    return (f'{STYLE}<div class="scrutiny-dash"><table>{columns}<thead>{header}</thead>'
            f'<tbody>{"".join(body)}</tbody></table></div>')


def heading_markdown(report: BenchmarkingReport) -> str:
    """The report's title block: the council, and its committee and date where they are known.

    Another council's report names only that council, with its committee and meeting date when
    they are given as parameters, and the cut-off date of the national data it uses.
    """
    title = (f"# National performance benchmarking {report.year_label}\n\n"
             f"**{md(report.council_name)}** · Adult Social Care Outcomes Framework (ASCOF) measures against England, "
             f"the region and the {md(report.group_label)}")
    if report.own_council:
        return title + f" · for the {md(report.context.committee)}, {report.context.committee_date:%d %B %Y}"
    if report.committee:
        meeting = f", {date.fromisoformat(report.committee_date):%d %B %Y}" if report.committee_date else ""
        title += f" · for the {md(report.committee)}{meeting}"
    return (title + f" · using national data published by {report.context.cut_off:%-d %B %Y}\n\n"
            f"This report is built from national data only: the council's own performance papers are not among "
            "this project's inputs, so the sections drawn from them say so.")


def counts_range(report: BenchmarkingReport) -> str:
    """How many councils have figures: one number, or the range over the measures."""
    counts = report.bench.table["n_all"]
    low, high = int(counts.min()), int(counts.max())
    return f"{high} councils" if low == high else f"{low} to {high} councils, depending on the measure"


def availability_note(report: BenchmarkingReport) -> str:
    """Markdown saying which sections are built and, without national data, what needs `make data`."""
    if report.national is not None:
        note = (f"National ASCOF tables loaded: {md(report.year_label)}, with figures for {md(counts_range(report))} "
                "(each rank below gives its measure's own count); comparator group: "
                f"{md(report.group_label)} ({len(report.bench.group_codes)} councils, the council included).")
        return note + (f"\n\n**Comparator group changed.** {md(report.group_note)}" if report.group_note else "")
    reasons = "; ".join(md(reason) for reason in report.national_reasons)
    needs = "\n".join(f"- {item}" for item in NEEDS_NATIONAL)
    return ("**National ASCOF tables are not available for this report**: " + reasons + ".\n\n"
            "This report therefore shows only the council's own figures against the England averages and the "
            "peer-group averages printed in the committee papers. These sections need the national tables "
            "(`make data`):\n\n" + needs)


def group_members(report: BenchmarkingReport) -> str:
    """The names of the comparator group's councils."""
    lookup = report.national.lookup
    return ", ".join(lookup.loc[code, "name"] for code in report.bench.group_codes)


def _needs_data(what: str):
    from IPython.display import Markdown

    return Markdown(f"*{what} needs the national ASCOF tables (`make data`); see the note above.*")


def section_summary(report: BenchmarkingReport):
    """The summary sentences, or the note on what is missing."""
    from IPython.display import Markdown

    if report.bench is None:
        return _needs_data("The summary against the comparator group")
    sentences = summary_sentences(report.bench, report.year_label)
    sentences.append(paper_comparison(report))
    # Council names and measure titles come from the national files: shown as the words they are.
    return Markdown("\n\n".join(md(s) for s in sentences if s))


def paper_comparison(report: BenchmarkingReport) -> str:
    """How the computed count compares with the count printed in the committee paper, if any."""
    printed = report.printed
    if report.bench is None or printed.empty or report.comparator != "nearest_neighbours":
        return ""
    rows = printed[printed["measure"] == "ascof_in_line_or_better"]
    if rows.empty:
        return ""
    row = rows.iloc[-1]
    s = summary(report.bench)
    paper, total = int(row["council_value"]), int(row["denominator"])
    n = s["measures"]
    return (
        f"The committee paper counted {paper} ({100 * paper / total:.0f}%) of {total} measures in line with or better "
        f"than the peer group average, without stating its rule. With the nearest-neighbour group used here (Oflog's) the data give "
        f"{s['in_line_or_better']} of {n} when each figure's precision is allowed for, and {s['point_at_or_better']} on "
        "point values alone: the paper's count lies "
        + ("between the two, as it would if small gaps below the average were read as 'in line'."
           if s["point_at_or_better"] <= paper <= s["in_line_or_better"] else "outside that range, so its rule differs from both.")
    )


def section_overview(report: BenchmarkingReport) -> list:
    """The spine charts of every measure's position among all councils, one per theme."""
    from ..publishing.charts import as_image
    from .charts import spine_charts

    if report.bench is None:
        return [_needs_data("The overview chart")]
    return [as_image(figure) for figure in spine_charts(report.bench.table, report.bench.all_councils,
                                                         report.bench.council_name, report.group_label)]


def section_measures(report: BenchmarkingReport):
    from IPython.display import HTML

    return _needs_data("The measure table") if report.bench is None else HTML(measures_html(report))


def section_all_councils(report: BenchmarkingReport) -> list:
    """Every council's value for each measure, six measures to a page."""
    from ..publishing.charts import as_image
    from .charts import all_councils_charts

    if report.bench is None:
        return [_needs_data("The all-councils charts")]
    multipliers = dict(zip(report.national.measures["code"], report.national.measures["multiplier"], strict=True))
    return [as_image(figure) for figure in all_councils_charts(
        report.bench.table, report.bench.all_councils, report.bench.council, report.bench.council_name,
        report.group_label, multipliers)]


def section_trends(report: BenchmarkingReport) -> list:
    """The survey measures by year against England and the group average."""
    from ..publishing.charts import as_image
    from .charts import trend_charts

    if report.bench is None or report.trend is None or report.trend.empty:
        return [_needs_data("The trend charts")]
    table = report.bench.table
    titles = dict(zip(table["measure"], table["title"], strict=True))
    formats = dict(zip(table["measure"], table["display_format"], strict=True))
    return [as_image(figure) for figure in trend_charts(report.trend, titles, report.bench.council_name,
                                                        f"{report.group_label} average", formats)]


def section_themes(report: BenchmarkingReport):
    from IPython.display import HTML

    return _needs_data("Average rank by theme") if report.bench is None else HTML(themes_html(report))


def section_quadrant(report: BenchmarkingReport):
    from ..publishing.charts import as_image
    from .charts import quadrant_chart

    if report.bench is None or report.quadrant is None:
        return _needs_data("The quadrant chart")
    return as_image(quadrant_chart(report.quadrant, report.bench.council, "imd_average_score",
                                   "Deprivation: IMD 2019 average score (higher = more deprived)",
                                   GROUP_LABELS.get(report.quadrant_group, report.quadrant_group)))


def needs_own_papers(report: BenchmarkingReport, what: str) -> str:
    """The note for a section drawn from the council's own papers when they are not held."""
    return (f"*{what} needs {report.council_name}'s own performance papers (the tables in data/raw); "
            "they are not among this project's inputs, so this section is left out.*")


#: The English Indices of Deprivation 2025 (MHCLG, 30 October 2025), not yet in data/national_sources.csv.
NEWER_DEPRIVATION_PUBLISHED = date(2025, 10, 30)


def deprivation_vintage_note(cut_off: date) -> str:
    """Why the quadrant uses the registered IoD edition, given the report's cut-off date."""
    if cut_off < NEWER_DEPRIVATION_PUBLISHED:
        return "It is the newest edition published by this report's cut-off date."
    return ("The English Indices of Deprivation 2025 were published by the Ministry of Housing, Communities and "
            f"Local Government on {NEWER_DEPRIVATION_PUBLISHED:%-d %B %Y}, before this report's cut-off date, but "
            "their upper-tier summary file is not yet registered in data/national_sources.csv (it could not be "
            "obtained for this build), so the 2019 edition is used. Deprivation changes slowly, but councils' "
            "positions may have moved since 2019.")


def quadrant_note(report: BenchmarkingReport) -> str:
    """What the quadrant shows: the performance convention, its group and the deprivation vintage."""
    if report.bench is None or report.quadrant is None:
        return ""
    group = GROUP_LABELS.get(report.quadrant_group, report.quadrant_group)
    councils = int(report.quadrant["composite"].notna().sum())
    registry = report.national.registry.loc["deprivation"]
    parts = [
        f"Performance is the overall mean normalised rank, as in the theme table (0 = best), but ranked within "
        f"the {group} ({councils} councils with enough measures); quadrants split at their medians.",
        f"Deprivation: {registry['title']} ({registry['publisher']}, published "
        f"{date.fromisoformat(registry['published']):%-d %B %Y}), the average score of the council's area (higher = "
        "more deprived). " + deprivation_vintage_note(report.context.cut_off),
    ]
    if report.quadrant_group != report.requested_quadrant_group:
        parts.append(f"{report.council_name} is not one of the "
                     f"{GROUP_LABELS.get(report.requested_quadrant_group, report.requested_quadrant_group)}, so the "
                     f"quadrant shows the {group}.")
    if report.second_note:
        parts.append(report.second_note)
    return "\n\n".join(parts)


def section_local(report: BenchmarkingReport):
    from IPython.display import HTML, Markdown

    if not report.own_council:
        return Markdown(needs_own_papers(report, "This section"))
    return Markdown("*No council figures.*") if report.local.empty else HTML(local_html(report))


def section_printed(report: BenchmarkingReport):
    from IPython.display import HTML, Markdown

    if not report.own_council:
        return Markdown(needs_own_papers(report, "This section"))
    return Markdown("*No printed benchmark figures by this cut-off date.*") if report.printed.empty else HTML(printed_html(report))


def sources_used(report: BenchmarkingReport) -> set[str]:
    """The council papers the report draws on: none for a council whose papers are not held."""
    from ..publishing import provenance

    if not report.own_council:
        return set()
    return provenance.sources_published_by(report.context.inputs, report.context.cut_off)


__all__ = [
    "BenchmarkingReport", "build_benchmarking_report", "write_benchmarking_tables", "measures_html", "themes_html",
    "local_html", "printed_html", "availability_note", "group_members", "summary_sentences",
]
