# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     notebook_metadata_filter: kernelspec,-jupytext.text_representation.jupytext_version
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% tags=["parameters"]
financial_year = "2025-26"  # financial year, as YYYY-YY
quarter = 3  # quarter 1-4; figures are year to date to the quarter's end
council_code = "E10000018"  # ONS code of the council (Leicestershire)
data_dir = "data/raw"  # the council's input tables, relative to the project root
output_dir = ""  # where the CSV tables are written; empty writes nothing
cld_extract = ""  # the council's client level data extract (CSV or parquet); empty uses the synthetic one

# %% tags=["remove_cell"]
from IPython.display import HTML, Markdown, display

from scrutiny.dashboard import charts, narrative, render
from scrutiny.dashboard import in_year as cld_in_year
from scrutiny.inputs import cld_extract as cld_files
from scrutiny.publishing import provenance
from scrutiny.publishing.charts import as_image
from scrutiny.publishing.text import markdown_text as md
from scrutiny.paths import resolve
from scrutiny.dashboard.report import METHOD_RULES, build_quarterly_report, write_tables
from scrutiny.publishing.notebook import reload_helpers_on_change

reload_helpers_on_change()  # in JupyterLab, edits to src/scrutiny apply at the next cell; a build skips it

report = build_quarterly_report(resolve(data_dir), financial_year, quarter, council_code)
context = report.context
written = write_tables(report, resolve(output_dir)) if output_dir else []

# %%
display(Markdown(
    f"# {md(report.title)}\n\n"
    f"**{md(context.council_name)}** · Appendix A: performance dashboard for "
    f"{report.period_label} · {md(context.committee)}, "
    f"{context.committee_date:%d %B %Y}"
))

# %% [markdown]
# ## Summary
#
# Each metric is rated against the latest national average or the local target or milestone
# for the period, and compared with the same period last year. Ratings and directions of
# travel are statistical tests, not a reading of the arrows: see the method notes at the end.

# %%
display(Markdown(narrative.summary_sentence(report.counts, len(report.table), report.table)))
missing = report.missing_figures()
if not missing.empty:
    display(Markdown("**Figures missing for this period.** " + " ".join(
        f"{row.description}: {row.missing_reason}." for row in missing.itertuples())))
as_image(charts.summary_chart(report.table))

# %% [markdown]
# ## Appendix A: performance dashboard

# %%
display(Markdown(md(report.grouping_note())))
display(HTML(render.dashboard_html(report.table, report.series, report.this_year_label, report.last_year_label,
                                   plan=context.inputs.framing_text("plan"))))

# %% [markdown]
# ## Activity (information only)
#
# Volumes quoted in the covering report. They have no target or aim: changes are shown as
# increases or decreases, and only when at least 5% and beyond random variation.

# %%
display(HTML(render.activity_html(report.activity)))
not_available = report.missing_activity()
if not not_available.empty:
    display(Markdown("Not available for this period: " + "; ".join(not_available["description"]) + "."))

# %%
in_year = cld_in_year.build_in_year(context, cld_extract)
written += cld_in_year.write_in_year(in_year, resolve(output_dir)) if output_dir else []
display(Markdown(f"## {md(in_year.title)}"))
display(HTML(cld_in_year.section_html(in_year)))

# %% [markdown]
# ## Draft commentary for the covering report
#
# Drafted from the figures and verdicts above, for officers to edit.

# %%
for layer, sentences in narrative.layer_paragraphs(report.table).items():
    display(Markdown(f"**{md(layer)}**\n\n" + "\n\n".join(f"- {md(s)}" for s in sentences)))
display(Markdown("**Activity**\n\n" + "\n\n".join(f"- {md(s)}" for s in narrative.sentences(report.activity))))

# %% [markdown]
# ## Data sources, method and provenance

# %% tags=["nbval-ignore-output"]
display(HTML(provenance.provenance_html(
    context.inputs,
    {"financial_year": financial_year, "quarter": quarter, "council_code": council_code, "data_dir": data_dir,
     "cld_extract": cld_extract or "(synthetic)"},
    context.cut_off,
    provenance.used_source_ids(report.table, context.inputs, context.cut_off) | in_year.source_ids,
    report.national_files,
    method_rules=METHOD_RULES,
)))
display(HTML(cld_files.provenance_html(in_year.extract, in_year.reason)))
