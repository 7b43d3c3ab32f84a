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
quarter = 3  # the report's quarter; its cut-off date decides the latest year of statistics used
council_code = "E10000018"  # ONS code of the council (Leicestershire)
comparator = "county_councils"  # the comparator group on the national panel (the pack has its own)
data_dir = "data/raw"  # the council's input tables, relative to the project root
output_dir = ""  # where the CSV tables are written; empty writes nothing

# %% tags=["remove_cell"]
from IPython.display import HTML, Markdown, display

from scrutiny.paths import resolve
from scrutiny.publishing.text import markdown_text as md
from scrutiny.publishing import provenance
from scrutiny.use_of_resources import render
from scrutiny.use_of_resources import report as uor
from scrutiny.publishing.notebook import reload_helpers_on_change

reload_helpers_on_change()  # in JupyterLab, edits to src/scrutiny apply at the next cell; a build skips it

report = uor.build_use_of_resources_report(resolve(data_dir), financial_year, quarter, council_code, comparator)
context = report.context
written = uor.write_tables(report, resolve(output_dir)) if output_dir else []


# %%
display(Markdown(
    f"# Use of Resources in Adult Social Care {report.year_label}\n\n"
    f"**{md(report.council_name)}** · the LGA's 13-step approach, compared with {md(report.group_label)} and England · "
    f"for the {md(context.committee)}, {context.committee_date:%d %B %Y}"
))
display(Markdown(render.availability(report)))

# %% [markdown]
# ## How to read this report
#
# * In most cases there is no assumed polarity to the metrics: it is not necessarily the case that a low
#   figure is 'good' and a high figure 'bad'. The needs and priorities of councils vary significantly. The
#   measures are not to be used or interpreted as measures of good or bad performance: spending per adult may
#   vary for any number of necessary, appropriate or desirable reasons, in response to local needs and priorities.
# * Data recording is not fully consistent across England, so two figures from two different councils are not
#   necessarily fully comparable. No one metric alone gives a complete picture of a council's situation.
# * The metrics are the starting point, not the end point, of a conversation about use of resources: without
#   local context they can lead to misleading conclusions, and further analysis and research will be required.
#   Caution is needed in comparing councils like for like; read the report for how the council can improve its
#   value for money assessment rather than how it directly compares with other councils.
# * **2024/25 activity data come from Client Level Data (CLD)**, "official statistics in development", not the
#   discontinued Short and Long Term (SALT) return. Only the long-term support counts and percentages (Steps 3, 6
#   and 13, and the Step 7 setting totals) are comparable with earlier years; request and sequel figures (Step 4)
#   are for 2024/25 only.
# * **COVID-19:** figures for 2020/21 are unreliable for comparison and 2021/22 should be more reliable. Activity
#   changed (the discharge push of March-April 2020, reluctance to enter care homes, high deaths in care homes and
#   among people with learning disabilities, more home care, closed day services), and so did spending (COVID
#   grants, Infection Control and PPE, hospital discharge money, variation in recording, some spending booked as
#   non age specific). Supplementary COVID-19 funding is visible from 2020/21 to 2022/23.
# * Gross current expenditure excludes spending funded by NHS income (including the Better Care Fund), joint
#   arrangements and other income, but not client contributions; Step 13 adds them back.
# * ASCOF measures are published later than the finance and activity data, so Step 7 shows the latest ASCOF year.

# %%
display(Markdown(uor.percentile_note(report)))

# %% [markdown]
# ## Summary
#
# The committee paper's summary table, drafted from the figures; where the council pack includes the paper,
# its printed entries are shown alongside.

# %%
if report.origin != "none":
    display(HTML(render.summary_html(report)))
    display(Markdown("### Headline statements"))
    display(HTML(render.headlines_html(report)))

# %% [markdown]
# ## Step 1: Comparison of spend per adult
#
# Gross current expenditure per adult is a useful measure of how a council's spending compares with the size of
# its population, but it takes no account of differing levels of need if considered in isolation. 'Per adult'
# uses the latest ONS mid-year estimate of adults of the same age group. Most spending on adults aged 18-64 is on
# people with learning disabilities; the care needs of people aged 65+ rise with age (65-74, 75-84, 85+). The
# lines on each bar chart mark the 10th to 90th percentile range of all councils (outliers excluded).

# %%
display(*uor.section(report, 1))

# %% [markdown]
# ## Step 2: Factors which might influence spending
#
# Age and deprivation are the two need indicators here. Councils should also consider gender and ethnicity, GP
# access, pension credit, economic activity, health and wellbeing (life expectancy, bad health, long-term
# illness, living alone, substance misuse, homelessness, chronic conditions), population density and rurality,
# and unpaid carers. Councils are compared with their ADASS region for deprivation.

# %%
display(*uor.section(report, 2))

# %% [markdown]
# ## Step 3: Adults supported in long term care
#
# Clients accessing long-term care vary considerably between councils, as numbers and as a per cent of the
# population. 'Per client' metrics count adults receiving care at any point during the year.

# %%
display(*uor.section(report, 3))

# %% [markdown]
# ## Step 4: Requests for support and what happened next
#
# **Change to activity statistics for 2024/25: data for requests in this section cannot be compared to previous
# years.** A request from a new client counts only where the adult had no long-term support in the three months
# before it. Rates and outcomes vary partly because of 'front door' models; it is important that those in need
# are not excluded.

# %%
display(*uor.section(report, 4))

# %% [markdown]
# ## Step 5: Comparison of performance measures
#
# This step does not use LG Inform measures. The Institute of Public Care's *Six Steps to Managing Demand in
# Adult Social Care - A Performance Management Approach* (2017; followed by *New Developments in Adult Social
# Care*, 2019) suggests these measures and benchmarks, to be considered locally and, where possible, regionally.
# A partial proxy for measure 12 is the Step 7 share of younger adults in residential or nursing care (which
# includes nursing care).

# %%
display(HTML(uor.ipc_html()))

# %% [markdown]
# ## Step 6: Comparison of spend per adult supported
#
# Spend on long and short term care per long-term client is not the same measure as the spend on adult social
# care per long-term client in Step 13, which includes other expenditure.

# %%
display(*uor.section(report, 6))

# %% [markdown]
# ## Step 7: Measures of care methods and settings
#
# Care methods and settings may result in different amounts and types of resources being used. In client level
# data 'part direct payment' was retired, so 'direct payment' mixes direct payments alone and as part of a
# package; new categories were added and the breakdowns are not fully comparable over time, although
# residential, nursing, the community total and the total are. 'Community' is everything that is not residential
# or nursing care. Any missing figures are suppressed because of small numbers.

# %%
display(*uor.section(report, 7))

# %% [markdown]
# ## Step 8: Plans for less expensive care methods
#
# This step does not use LG Inform measures. Would less expensive methods still meet needs? The ten-year
# strategy should be in the Market Position Statement. Unit costs vary with local economic conditions, sparsity
# and rurality. Moving people out of care homes can lower the total cost but raise the unit costs of both
# settings, because only the most complex needs remain in care homes. Local cost drivers include low
# unemployment (higher wages), labour shortages in tourist areas, sparsity for home care, property costs, and
# strong self-funder demand or uncoordinated NHS purchasing pushing prices up.
#
# ## Step 9: Local unit costs
#
# Average weekly costs are gross total expenditure (less grants to voluntary organisations) divided by the
# resident weeks of the year; hourly home care rates are for all adults. There is no England figure for unit
# costs, so the middle line on the bar charts is the mean of all councils.

# %%
display(*uor.section(report, 9))

# %% [markdown]
# ## Step 10: Alternative ways of meeting care needs
#
# This step does not use LG Inform measures. If care costs are generally higher than elsewhere for specific local
# reasons (such as the local labour market), what will the council do about alternative ways of meeting care
# needs? This should be set out in the Market Position Statement.
#
# ## Step 11: Value for money in work with the NHS
#
# This step does not use LG Inform measures. Is the council's work with the NHS (including the use of the Better
# Care Fund) achieving value for money? This is a local judgement, potentially culminating in a report to the
# Health and Wellbeing Board. The NHS income measures are in Step 13.
#
# ## Step 12: Is spending other than on care packages effective?
#
# These are costs not specifically related to short- or long-term care, reported as non age specific ('other')
# expenditure in the categories carried forward to the Revenue Outturn (RO3) summary; the largest are staffing and
# core functions in Social Care Activities and Commissioning & Service Delivery (see also Step 1d). **Data quality
# warning:** some councils report negative expenditure in several 'other' categories (potentially as a balancing
# figure), notably Information & Early Intervention and Assistive Equipment & Technology, so shares can be
# negative.

# %%
display(*uor.section(report, 12))

# %% [markdown]
# ## Step 13: Revised expenditure including NHS and other income
#
# Gross current expenditure excludes spending funded by NHS (including the Better Care Fund), joint-arrangement
# and other income; the breakdown is not used within councils and 'other' varies; and some councils record
# inconsistently. Revised gross current expenditure is gross total expenditure minus total capital expenditure:
# all non-capital spending whatever its funding. It is not intended to replace gross current expenditure.

# %%
display(*uor.section(report, 13))

# %% [markdown]
# ## Where the committee paper disagrees with its appendix
#
# Every figure, rank, quartile and comparison the paper states, checked against the appendix figures.

# %%
display(HTML(render.discrepancies_html(report)))

# %% [markdown]
# ## Checks on the figures
#
# The identities that tie the steps together, recomputed from the figures (with ONS populations from the ASCOF
# table where `make data` has loaded it), and the council pack against the national panel where both exist.

# %%
display(HTML(render.checks_html(report)))
display(HTML(render.differences_html(report)))

# %% [markdown]
# ## Data sources, method and provenance

# %% tags=["nbval-ignore-output"]
display(HTML(render.sources_html(report)))
sources = render.figure_sources(report)
display(HTML(provenance.provenance_html(
    context.inputs,
    {"financial_year": financial_year, "quarter": quarter, "council_code": council_code, "comparator": comparator,
     "data_dir": data_dir},
    context.cut_off,
    set(sources["source_id"]),
    report.national_files,
    method_rules=render.METHOD,
    sources=sources,
)))
