"""The 13 steps of the LGA Use of Resources report: each step's tables, which metrics and
comparison columns they show, which years, and the chart of the kind the report uses."""

from __future__ import annotations

from dataclasses import dataclass

FULL = ("council", "england", "county_mean", "high_end", "low_end", "rank", "quartile")
COUNTS = ("council", "all_mean", "county_mean")
SHARES = ("council", "england", "county_mean")
UNIT_COSTS = ("council", "all_mean", "county_mean", "high_end", "low_end", "rank", "quartile")


@dataclass(frozen=True)
class TableSpec:
    """One table of a step.

    ``years``: ``pair`` (the year and the one before), ``latest`` (the year only), ``series``
    (every year up to the year), ``lagged`` (the latest year up to the year: ASCOF is published
    later than the finance and activity data). ``chart``: ``bar`` (the council against England,
    the group and the 10th-90th percentile range, one per metric in ``chart_metrics``), ``line``
    (time series), ``bands`` (grouped bars across the table's metrics) or ``none``.
    """

    key: str
    step: int
    title: str
    metrics: tuple[str, ...]
    columns: tuple[str, ...]
    years: str = "pair"
    chart: str = "bar"
    chart_metrics: tuple[str, ...] = ()
    note: str = ""


SEQUELS_18_64 = ("27483", "27418", "27419", "27420", "27421", "27422", "27423", "27424", "27425", "27426",
                 "27427", "27428", "27429", "27430", "27431", "27432", "27433")
SEQUELS_65 = ("27434", "27435", "27436", "27438", "27437", "27439", "27440", "27441", "27442", "27443", "27444",
              "27445", "27446", "27447", "27448", "27449", "27450")
#: Sequels that read across to costed short- and long-term services (prison excluded), as the report charts.
COSTED_18_64 = ("27432", "27431", "27418", "27421", "27419")
COSTED_65 = ("27449", "27448", "27435", "27438", "27436")

TABLES: tuple[TableSpec, ...] = (
    TableSpec("1a", 1, "Spend per adult by short and long term care and overall", ("11518", "11526", "11527"), FULL,
              chart_metrics=("11518",)),
    TableSpec("1b", 1, "Spend per adult aged 65+ by short and long term care and overall", ("11531", "11532", "11533"),
              FULL, chart_metrics=("11533",)),
    TableSpec("1c", 1, "Spend per adult aged 18-64 by short and long term care and overall", ("11528", "11529", "11530"),
              FULL, chart_metrics=("11530",)),
    TableSpec("1d", 1, "Non age specific spend per adult aged 18+", ("12340",), FULL, chart_metrics=("12340",)),
    TableSpec("1t", 1, "Spend per adult over time", ("11518", "12340", "11533", "11530"), ("council", "england", "county_mean"),
              years="series", chart="line", chart_metrics=("11518", "12340", "11533", "11530")),
    TableSpec("2i", 2, "Adults accessing long term support by age band (snapshot at 31 March)",
              ("25274", "25275", "25276", "25277", "25278", "25279"), SHARES, years="latest", chart="bands"),
    TableSpec("2ii", 2, "Resident adults by age band (ONS mid-year estimates)",
              ("residents_18_24", "residents_25_44", "residents_45_64", "residents_65_74", "residents_75_84",
               "residents_85_plus"), SHARES, years="latest", chart="bands"),
    TableSpec("2iii", 2, "Index of Multiple Deprivation: overall extent and older people's income deprivation",
              ("8985", "4564"), ("council", "county_mean", "region_mean"), years="latest", chart="bands"),
    TableSpec("3i", 3, "Number of adults accessing long-term support during the year, by age", ("11494", "11312", "11313"),
              COUNTS, chart="none"),
    TableSpec("3ii", 3, "Adults accessing long-term support as a % of the population, by age", ("11515", "11516", "11517"),
              ("council", "england", "county_mean", "all_mean", "high_end", "low_end", "rank", "quartile"),
              chart_metrics=("11515", "11516", "11517")),
    TableSpec("3t", 3, "Adults supported through long-term care over time",
              ("11494", "11312", "11313", "11515", "11516", "11517"), ("council",), years="series", chart="line",
              chart_metrics=("11515", "11516", "11517")),
    TableSpec("4a", 4, "Requests for support from new clients by age band", ("27451", "27371", "27389"), COUNTS,
              years="latest", chart="none"),
    TableSpec("4a%", 4, "Requests for support from new clients as a % of the adult population, by age band",
              ("27477", "27475", "27476"), FULL, years="latest", chart_metrics=("27477", "27475", "27476")),
    TableSpec("4bi", 4, "% what happened next following a request for support, aged 18-64", SEQUELS_18_64, SHARES,
              years="latest", chart="bands", chart_metrics=COSTED_18_64,
              note="The chart shows the sequels that read across to costed services (prison excluded): an "
                   "indication of the level of new demand for costed short- and long-term services."),
    TableSpec("4bii", 4, "% what happened next following a request for support, aged 65+", SEQUELS_65, SHARES,
              years="latest", chart="bands", chart_metrics=COSTED_65),
    TableSpec("6", 6, "Spend on long and short-term care per adult supported in long-term care, by age",
              ("11536", "11534", "11535"), FULL, chart_metrics=("11536", "11534", "11535")),
    TableSpec("6t", 6, "Spend per adult supported over time", ("11536", "11534", "11535"), ("council", "england"),
              years="series", chart="line", chart_metrics=("11536", "11534", "11535")),
    TableSpec("7i", 7, "% of younger adults accessing long-term care by support setting",
              ("younger_care_home_pct", "younger_community_pct"), FULL, chart_metrics=("younger_care_home_pct",)),
    TableSpec("7ic", 7, "Number of younger adults (18-64) accessing long-term support, by setting and delivery mechanism",
              ("11339", "11340", "11341", "11343", "11344", "27414", "27415", "11345", "11346"), COUNTS,
              years="latest", chart="bands"),
    TableSpec("7ii", 7, "% of older adults accessing long-term care by support setting",
              ("older_care_home_pct", "older_community_pct"), FULL, chart_metrics=("older_care_home_pct",)),
    TableSpec("7iic", 7, "Number of older adults (65+) accessing long-term support, by setting and delivery mechanism",
              ("11347", "11348", "11349", "11351", "11352", "27416", "11353", "11354", "27417"), COUNTS,
              years="latest", chart="bands"),
    TableSpec("7iii", 7, "Measures of care settings and methods (ASCOF)", ("4277", "10674", "4281", "4282"), FULL,
              years="lagged", chart_metrics=("4277", "10674", "4281", "4282"),
              note="These ASCOF measures have a polarity: rank 1 is the best council, the highest value where high is "
                   "good and the lowest where low is good (admissions to care homes)."),
    TableSpec("9i", 9, "Average hourly rate for home care - external provision", ("11378",), UNIT_COSTS,
              years="series", chart="line", chart_metrics=("11378",)),
    TableSpec("9ii", 9, "Average hourly rate for home care - local authority's own provision", ("11377",),
              ("council", "high_end"), years="series", chart="line", chart_metrics=("11377",),
              note="£0.00 means no in-house provision; about two thirds of councils have none, so averages, ranks and "
                   "quartiles of this rate would mislead. The 90th percentile is the upper range for councils "
                   "that still provide home care themselves."),
    TableSpec("9iii", 9, "Average weekly cost of residential and nursing care for younger adults",
              ("11385", "11379", "11382"), UNIT_COSTS, chart_metrics=("11385", "11379", "11382")),
    TableSpec("9iv", 9, "Average weekly cost of residential and nursing care for older adults",
              ("11386", "11380", "11383"), UNIT_COSTS, chart_metrics=("11386", "11380", "11383")),
    TableSpec("12", 12, "% other (non age specific) expenditure by sub-category",
              ("24844", "24845", "24846", "24847", "24848", "24849", "24850", "24851"),
              ("council", "england", "county_mean", "rank", "quartile"), chart="bands"),
    TableSpec("13a", 13, "Gross current expenditure vs. revised gross current expenditure", ("11496", "11369", "revised_gce_pct"),
              ("council", "all_mean", "county_mean", "high_end", "low_end", "rank", "quartile"),
              chart_metrics=("revised_gce_pct",),
              note="Averages and percentiles of the £000 figures vary with council size and are for context only; "
                   "the % metric is standardised for all councils. A higher % means a higher share of spending "
                   "funded by NHS, joint and other income: these councils are more sensitive to reductions in "
                   "those income streams."),
    TableSpec("13b", 13, "Gross current expenditure vs. revised gross current expenditure per adult", ("11518", "11519"),
              FULL, chart="none"),
    TableSpec("13c", 13, "Revised gross current expenditure vs. gross current expenditure per adult supported in "
              "long-term care", ("11520", "11525"), FULL, chart="none",
              note="These include non age specific expenditure, unlike the Step 6 measures."),
    TableSpec("13d", 13, "Income sources as a % of revised gross current expenditure",
              ("11524", "11521", "11522", "11523", "12298", "11537", "11538"), FULL, years="latest",
              chart_metrics=("12298", "11521"),
              note="Better Care Fund income and other NHS income add up to the total NHS income."),
)


def tables_of(step: int) -> list[TableSpec]:
    """The tables of one step, in report order."""
    return [t for t in TABLES if t.step == step]
