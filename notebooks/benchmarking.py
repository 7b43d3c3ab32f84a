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
quarter = 3  # the report's quarter; its cut-off date decides which national release is used
council_code = "E10000018"  # ONS code of the council (Leicestershire)
comparator = "nearest_neighbours"  # nearest_neighbours, county_councils, region or all_councils
quadrant_group = "county_councils"  # the councils in the performance quadrant chart
second_measure = "deprivation"  # quadrant's second measure: deprivation, or spend_per_head when loaded
committee = ""  # another council's committee, for its title (the reporting council's comes from data/raw)
committee_date = ""  # that committee's meeting date, YYYY-MM-DD
data_dir = "data/raw"  # the council's input tables, relative to the project root
output_dir = ""  # where the CSV tables are written; empty writes nothing

# %% tags=["remove_cell"]
from IPython.display import HTML, Markdown, display

from scrutiny.benchmarking import report as br
from scrutiny.publishing import provenance
from scrutiny.paths import resolve
from scrutiny.publishing.notebook import reload_helpers_on_change

reload_helpers_on_change()  # in JupyterLab, edits to src/scrutiny apply at the next cell; a build skips it

report = br.build_benchmarking_report(
    resolve(data_dir), financial_year, quarter, council_code, comparator, quadrant_group, second_measure,
    committee, committee_date,
)
context = report.context
written = br.write_benchmarking_tables(report, resolve(output_dir)) if output_dir else []

# %%
display(Markdown(br.heading_markdown(report)))
display(Markdown(br.availability_note(report)))

# %% [markdown]
# ## Summary
#
# "In line with or better" counts the measures where the council's figure is better than, or not
# significantly different from, the comparator-group average, allowing for each figure's precision
# (confidence intervals, or the survey's published margin of error). The count on point values
# alone is given too; the two differ where a gap is within random variation.

# %%
display(br.section_summary(report))

# %% [markdown]
# ## Overview: every measure's position among all councils

# %%
display(*br.section_overview(report))

# %% [markdown]
# ## The measures
#
# Ranks are within the comparator group (1 = best for the measure's aim; tied councils share the
# better rank); quartiles are ceil(4 × rank / councils), so Q1 is the best quarter. Councils are
# ranked on their unrounded value (numerator ÷ denominator) where the counts are exact, and on the
# published value where DHSC rounds or suppresses the counts (4B's are rounded to the nearest 5, so
# their ratio is less precise than the published percentage). Each rank gives the number of councils
# with that measure. Where the council and the group average print alike but the verdict differs,
# the unrounded values are shown under the average.

# %%
display(br.section_measures(report))

# %% [markdown]
# ## Every council, by measure

# %%
display(*br.section_all_councils(report))

# %% [markdown]
# ## Trends in the survey measures
#
# The survey was voluntary in 2020-21 and most councils did not run it, so a group average drawn
# from fewer than half of the group is left out; the number of councils averaged is under each year.

# %%
display(*br.section_trends(report))

# %% [markdown]
# ## Average rank by theme
#
# The composite is the mean of (rank − 1) / (councils − 1) over the theme's measures (0 = best on
# every measure), published only for councils with at least 75% of them. It weights measures
# equally and ignores their precision.

# %%
display(br.section_themes(report))

# %% [markdown]
# ## Performance against deprivation

# %%
display(Markdown(br.quadrant_note(report)))
display(br.section_quadrant(report))

# %% [markdown]
# ## The council's own figures against England

# %%
display(br.section_local(report))

# %% [markdown]
# ## Other benchmarks printed in the committee papers

# %%
display(br.section_printed(report))

# %% [markdown]
# ## Data sources, method and provenance

# %% tags=["nbval-ignore-output"]
display(HTML(provenance.provenance_html(
    context.inputs,
    {"financial_year": financial_year, "quarter": quarter, "council_code": council_code,
     "comparator": comparator, "quadrant_group": quadrant_group, "second_measure": second_measure,
     "committee": committee, "committee_date": committee_date,
     "data_dir": data_dir},
    context.cut_off,
    br.sources_used(report),
    None if report.national is None else report.national.files,
    method_rules=br.METHOD_RULES,
)))
