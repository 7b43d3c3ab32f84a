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
financial_year = "2025-26"  # the report's financial year, as YYYY-YY
quarter = 3  # the report's quarter; the snapshot defaults to its last day
council_code = "E10000018"  # ONS code of the council (Leicestershire)
data_dir = "data/raw"  # the council's input tables, relative to the project root
output_dir = ""  # where the CSV tables are written; empty writes nothing
extract = ""  # a record-level work-tray extract (.csv, .xlsx or .parquet); empty uses the synthetic one
snapshot_date = ""  # YYYY-MM-DD; empty uses the quarter's end
cld_extract = ""  # the council's client level data extract (CSV or parquet); empty uses the synthetic one

# %% tags=["remove_cell"]
from IPython.display import HTML, Markdown, display

from scrutiny.paths import resolve
from scrutiny.publishing.text import markdown_text as md
from scrutiny.publishing import provenance
from scrutiny.publishing.charts import as_image
from scrutiny.waiting_list import charts
from scrutiny.waiting_list import report as wl
from scrutiny.inputs import cld_extract as cld_files
from scrutiny.waiting_list import cld_waits
from scrutiny.waiting_list.analysis import dashboard_feed
from scrutiny.waiting_list.extract import QUEUE_LABELS
from scrutiny.publishing.notebook import reload_helpers_on_change

reload_helpers_on_change()  # in JupyterLab, edits to src/scrutiny apply at the next cell; a build skips it

report = wl.build_waiting_list_report(resolve(data_dir), financial_year, quarter, council_code, extract, snapshot_date)
context = report.context
written = wl.write_tables(report, resolve(output_dir)) if output_dir else []

# %%
display(Markdown(
    f"# Waiting lists for assessments and reviews at {report.day:%d %B %Y}\n\n"
    f"**{md(context.council_name)}** · progress against the CQC Improvement Plan's timeliness targets · "
    f"{context.period.label} · {md(context.committee)}, {context.committee_date:%d %B %Y}"
))
display(Markdown(wl.synthetic_notice(report)))

# %% [markdown]
# ## Drafted progress
#
# Sentences in the style of the improvement plan's "Progress" column, drafted from the tables
# below for officers to edit.

# %%
display(HTML(wl.progress_html(report)))

# %% [markdown]
# ## Against the improvement plan's targets
#
# Each outcome of the plan's "Timeliness of Assessments and Reviews" area at the snapshot date:
# met or not, and by how much.

# %%
display(HTML(wl.targets_html(report)))

# %% [markdown]
# ## Who is waiting, and for how long
#
# Waits are counted in calendar days from the date the request was received (for annual
# reviews, days overdue from the due date); working days leave out weekends and English bank
# holidays. "Over six months" means received before the same date six months earlier.

# %%
display(HTML(wl.snapshot_html(report)))

# %% [markdown]
# ## Weekly trends: statistical process control
#
# Number waiting at the end of each week, as XmR charts by the NHS England Making Data Count
# rules: the centre line and process limits come from the first 20 weeks shown; special causes
# (a point beyond the limits, seven points in a row on one side of the centre line or rising or
# falling, two of three beyond two sigma) are marked by shape. Lower is better on every chart.

# %%
as_image(charts.spc_grid(report.count_charts, QUEUE_LABELS, report.count_targets, "people waiting"))

# %% [markdown]
# ### Median wait
#
# The median wait of the people waiting at each week end, with the plan's median target as a
# dotted line (working-day targets converted at five working days to seven calendar days).

# %%
as_image(charts.spc_grid(report.median_charts, QUEUE_LABELS, report.median_targets, "days"))

# %%
display(HTML(wl.spc_html(report)))

# %% [markdown]
# ### New requests and allocations each week
#
# Where allocations run above new requests the list shrinks.

# %%
as_image(charts.flows_grid(report.trends, QUEUE_LABELS))

# %% [markdown]
# ## By team and priority
#
# Counts of 1 to 4 people are suppressed ([c]) so that no one can be identified.

# %%
display(HTML(wl.breakdown_html(report.teams, "team", "Team")))

# %%
display(HTML(wl.breakdown_html(report.priorities, "priority", "Priority")))

# %% [markdown]
# ## Distribution of waits

# %%
as_image(charts.distribution_chart(report.distribution, QUEUE_LABELS))

# %% [markdown]
# ## Projection: when will each list reach its target?
#
# The recent weekly change in the number waiting, with its 95% interval, carried forward; the
# level each target implies; and the extra allocations a week that would reach it by the plan's
# delivery date on top of the current pace. A projection assumes demand and staffing stay as
# they were over those weeks.

# %%
display(HTML(wl.projection_html(report)))

# %%
cld = cld_waits.build_cld_waiting_times(cld_extract, council_code, context.period.end, report.day)
written += cld_waits.write_cld_tables(cld, resolve(output_dir)) if output_dir else []
display(Markdown(f"## {md(cld.title)}"))
figure = cld_waits.median_chart(cld)
if figure is not None:
    display(as_image(figure))
display(HTML(cld_waits.section_html(cld)))

# %% [markdown]
# ## For the performance dashboard
#
# The dashboard's "number of people awaiting a care assessment" and "... for more than six
# months" at the snapshot date, from the Care Act assessment queue.

# %%
feed = dashboard_feed(report.snapshot)
display(Markdown(f"- Awaiting a care assessment: **{feed['awaiting_assessment']:,}**\n"
                 f"- Of whom waiting more than six months: **{feed['awaiting_assessment_6m']:,}**"))

# %% [markdown]
# ## Data quality of the extract

# %%
display(HTML(wl.data_quality_html(report)))

# %% [markdown]
# ## Published positions against the extract
#
# Every waiting-list figure the council has published up to the snapshot date beside the same
# figure computed from the extract.

# %%
display(HTML(wl.published_html(report)))

# %% [markdown]
# ## Data sources, method and provenance

# %% tags=["nbval-ignore-output"]
display(HTML(wl.method_html(report)))
display(HTML(provenance.provenance_html(
    context.inputs,
    {"financial_year": financial_year, "quarter": quarter, "council_code": council_code, "data_dir": data_dir,
     "extract": extract or "(synthetic)", "snapshot_date": snapshot_date or f"{report.day} (quarter end)",
     "cld_extract": cld_extract or "(synthetic)"},
    context.cut_off,
    wl.used_source_ids(report) | cld.source_ids,
    method_rules=wl.METHOD_RULES,
)))
display(HTML(cld_files.provenance_html(cld.extract, cld.reason)))
