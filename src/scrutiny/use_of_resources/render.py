"""HTML for the report's lists: summary table, headline statements, discrepancies, checks, sources."""

from __future__ import annotations

from html import escape

import pandas as pd

from ..publishing.html import STYLE
from . import paper
from .report import UseOfResourcesReport, _templates, checks_table

METHOD = [
    "Figures are LG Inform's Use of Resources metrics (ASC-FR finance, client level data activity, ONS mid-year "
    "populations, ASCOF). The council pack reproduces the published figures; on the national panel every mean, "
    "percentile, rank and quartile is computed here.",
    "Means are unweighted means of council values; England is the published national total (a ratio of totals).",
    "Percentiles: numpy.percentile with linear interpolation (Excel PERCENTILE.INC) across all councils with a value, "
    "labelled by value (90th = high end).",
    "Ranks: 1 = highest value (ASCOF measures: 1 = best by polarity); tied councils share the better rank. "
    "Quartile = ceil(4 x rank / councils).",
    "LG Inform calculated metrics are evaluated left to right, as LG Inform does: <11340M+11339M/11312M*100.0N> is "
    "((11340 + 11339) / 11312) x 100.",
    "Suppressed cells and 'no value' are missing, never zero. Activity counts are rounded to the nearest 5.",
]


def _list(headers: list[str], rows: list[list]) -> str:
    return STYLE + _templates().get_template("list.html.j2").render(headers=headers, rows=rows)


def summary_html(report: UseOfResourcesReport) -> str:
    """The summary table drafted from the data, with the paper's printed figures where there is a pack."""
    table = paper.summary_table(report)
    headers = ["Metric", report.council_name, "Benchmark", "Relative position (drafted from the data)"]
    columns = ["metric", "council", "benchmark", "relative_position"]
    if "paper_council" in table.columns:
        headers += ["Paper: council", "Paper: England", "Paper: relative position"]
        columns += ["paper_council", "paper_england", "paper_relative_position"]
    rows = [[f"{r['metric']}"] + [r[c] if c != "benchmark" else f"{r['benchmark']} ({r['benchmark_is']})"
                                  for c in columns[1:]] for _, r in table.iterrows()]
    return _list(headers, rows)


def headlines_html(report: UseOfResourcesReport) -> str:
    return "<div class='scrutiny-dash'><ul>" + "".join(f"<li>{escape(s)}</li>" for s in paper.headlines(report)) + "</ul></div>"


def discrepancies_html(report: UseOfResourcesReport) -> str:
    """The paper's figures that disagree with the appendix or cannot be checked, then a count of the rest."""
    table = paper.discrepancies(report)
    if table.empty:
        return ("<p><i>There is no committee paper about this year, published by the cut-off date, to check for "
                "this council.</i></p>")
    shown = table[table["verdict"] != "agrees"]
    marks = {"disagrees": "✗ disagrees", "cannot be checked": "? cannot be checked"}
    rows = [[r.paragraph, r.statement, r.paper, r.appendix, marks[r.verdict], r.note] for r in shown.itertuples()]
    agreed = int((table["verdict"] == "agrees").sum())
    return (f"<p>{agreed} of the {len(table)} figures and comparisons the paper states agree with the appendix. "
            f"{int((table['verdict'] == 'disagrees').sum())} disagree and {int((table['verdict'] == 'cannot be checked').sum())} "
            "cannot be checked from it:</p>"
            + _list(["Para.", "The paper says", "Paper", "Appendix", "Verdict", "Note"], rows))


def checks_html(report: UseOfResourcesReport) -> str:
    table = checks_table(report)
    if table.empty:
        return "<p><i>No figures to check.</i></p>"
    failing = int((~table["holds"]).sum())
    rows = [[r.check, f"{r.expected:,.2f}", f"{r.found:,.2f}", f"±{r.tolerance:g}", "✓ holds" if r.holds else "✗ fails"]
            for r in table.itertuples()]
    return (f"<p>{len(table) - failing} of {len(table)} identities hold within the printed rounding.</p>"
            + _list(["Check", "Recomputed", "Printed", "Tolerance", "Result"], rows))


def differences_html(report: UseOfResourcesReport) -> str:
    """Pack against panel, where both exist."""
    if report.differences is None:
        return ("<p>Only one source of figures is available for this council, so there is nothing to compare "
                "it with.</p>")
    if report.differences.empty:
        return "<p>The council pack and the national panel agree on every figure they share.</p>"
    rows = report.differences.values.tolist()
    return (f"<p>The council pack and the national panel differ on {len(rows)} figures:</p>"
            + _list(["Metric", "Year", "Column", "Pack", "Panel"], rows))


def sources_html(report: UseOfResourcesReport) -> str:
    """The pack's files with hashes, the sources with publication dates and the releases (the method
    rules, ``METHOD``, are stated in the provenance section)."""
    parts = []
    if report.releases is not None:
        parts.append("<h4>Statistics releases (a quarter reports the latest year published by its cut-off)</h4>"
                     + _list(["Year", "Published", "Release", "Note"],
                             report.releases[["year", "published", "release", "note"]].astype(str).values.tolist()))
    if report.pack is not None:
        parts.append("<h4>Council pack files</h4>" + _list(["File", "SHA-256"], report.pack.files.values.tolist()))
        sources = report.pack.sources[["source_id", "role", "publisher", "title", "published", "note"]]
        parts.append("<h4>Sources of the pack</h4>" + _list(list(sources.columns), sources.values.tolist()))
    return "".join(parts)


def figure_sources(report: UseOfResourcesReport) -> pd.DataFrame:
    """The sources of the figures the report prints (source_id, publisher, title, published,
    licence): from the council pack, its LG Inform report, and the committee paper only when its
    statements are checked (published by the cut-off, for the year reported); from the national
    panel, each collection and release its rows name. None when the report has no figures."""
    columns = ["source_id", "publisher", "title", "published", "licence"]
    if report.origin == "pack" and report.pack is not None:
        sources = report.pack.sources
        used = (sources["role"] != "paper") | paper.paper_applies(report)
        return sources.loc[used, columns].reset_index(drop=True)
    if report.origin == "panel" and report.panel_values is not None:
        named = sorted(report.panel_values["source"].dropna().astype(str).unique())
        return pd.DataFrame({"source_id": named, "publisher": "", "title": named, "published": "", "licence": ""},
                            columns=columns)
    return pd.DataFrame(columns=columns)


def availability(report: UseOfResourcesReport) -> str:
    """Markdown: where the figures come from, or what is missing."""
    if report.missing:
        return "**Figures not available.** " + " ".join(report.missing)
    origin = ("the council pack transcribed from the LG Inform report (means, percentiles and ranks as published)"
              if report.origin == "pack" else
              "the national panel (means, percentiles, ranks and quartiles computed here from every council's figures)")
    return (f"Figures for **{report.year_label}**, the latest year published by the cut-off date of "
            f"{report.context.cut_off:%d %B %Y}, from {origin}. Comparator group: {report.group_label}; ranks, "
            f"percentiles and quartiles are among all {report.benchmark_councils} English single tier and county councils.")


def frame_rows(frame: pd.DataFrame) -> list[list]:
    return frame.astype(str).values.tolist()
