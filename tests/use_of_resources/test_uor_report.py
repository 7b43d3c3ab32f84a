"""The report built from the Leicestershire pack: the year chosen by the cut-off, the summary
table and headline statements drafted from the figures, and the discrepancies with the paper."""

import re

import pandas as pd
import pytest

from conftest import RAW
from scrutiny.publishing import provenance
from scrutiny.use_of_resources import paper, render
from scrutiny.use_of_resources.report import build_use_of_resources_report, table_frame, write_tables
from scrutiny.use_of_resources.steps import TABLES


@pytest.fixture(scope="module")
def q3():
    return build_use_of_resources_report(RAW, "2025-26", 3, "E10000018")


def test_quarter_3_reports_2024_25_from_the_pack(q3):
    assert (q3.year, q3.origin, q3.missing) == ("2024-25", "pack", [])
    assert q3.group_label == "All English county local authorities" and q3.benchmark_councils == 153


def test_quarter_1_reports_the_year_published_by_its_cut_off():
    q1 = build_use_of_resources_report(RAW, "2025-26", 1, "E10000018")
    assert q1.year == "2023-24"  # 2024/25 figures came out after 1 September 2025
    assert paper.headlines(q1)[0].startswith("In Leicestershire, the total spend on adult social care in 2023/24 "
                                             "expressed as the spend per adult in the local population was £491.93")


def test_every_table_has_figures_and_the_comparison_columns(q3):
    for spec in TABLES:
        frame = table_frame(q3, spec)
        assert not frame.empty, spec.key
        assert "council" in frame.columns
    step1a = table_frame(q3, TABLES[0])
    assert list(step1a["year"].unique()) == ["2023-24", "2024-25"]
    assert {"england", "county_mean", "high_end", "low_end", "rank", "quartile"} <= set(step1a.columns)
    ascof = table_frame(q3, next(t for t in TABLES if t.key == "7iii"))
    assert list(ascof["year"].unique()) == ["2023-24"]  # ASCOF lags a year


def test_summary_table_is_drafted_from_the_figures(q3):
    table = paper.summary_table(q3).set_index("metric_id")
    assert table.loc["11518", "council"] == "£500.31" and table.loc["11518", "benchmark"] == "£632.97"
    assert table.loc["11518", "relative_position"].endswith("21% below England")
    assert table.loc["11533", "relative_position"].startswith("152/153: second lowest of the councils")
    assert table.loc["11530", "relative_position"].startswith("141/153")
    assert table.loc["12298", "relative_position"].startswith("40/153 (second quartile")
    assert table.loc["11516", "council"] == "0.71%"
    assert table.loc["12298", "paper_relative_position"].startswith("36/153")


@pytest.mark.parametrize("expected", [
    "was £500.31 per adult. This was less than the overall spend per adult for England of £632.97, a difference of "
    "-21.0% from the national level",
    "increased by 1.7% from its previous level of £491.93. For comparison, across England spending per adult "
    "increased by 7.3% from £590.00 in 2023/24",
    "ranks 152 of 153 councils on spending on long and short term care per adult aged 65+ (£767.17): the second lowest",
    "spent £35,016.40 on long- and short-term support per younger adult supported in 2024/25, an increase of 8.1% from "
    "its previous level of £32,396.14",
    "England overall was £37,692.34, which was 6.4% higher than the previous year",
    "changed by 0.0% to 3,110 from 3,110",
    "changed by +1.9% from its previous level of £752.53. Across England spending per older adult changed by +6.9% "
    "from £1,092.09",
    "(7,485 to 7,870)",
    "0.8% of younger adults with long-term support in Leicestershire were supported in nursing care and 9.5% in "
    "residential care. Combined, 10.3% accessed long-term support in a care home, lower than the national average of "
    "14.0%; Leicestershire is ranked 119th",
    "The remaining 89.7% were supported in the community",
    "4.4% of older adults", "29.4% in residential care", "33.8% accessed", "38.8%", "ranked 102nd",
    "12.0 new care home admissions per 100,000 younger adults for Leicestershire, compared to 15.2 nationally; "
    "Leicestershire is ranked 60th",
    "509.8 new care home admissions per 100,000 adults aged 65+", "ranked 61st",
    "85.3% of adults with a learning disability", "81.6% nationally",
    "above average cost of home care (external provision £24.16 an hour against a mean of £22.84 for all councils; "
    "rank 44/153)",
    "were 4.89%", "were 1.58%", "were 14.19%",
    "26.3% of Leicestershire's adults are aged 65+, lower than the All English county local authorities mean (27.4%) "
    "and higher than England (23.7%)",
    "2.9% of Leicestershire's neighbourhoods", "20.9% for the East Midlands region",
    "1.7% of requests from people aged 18-64 (lower than England's 3.2%)",
])
def test_headline_statements(q3, expected):
    assert expected in " ".join(paper.headlines(q3))


@pytest.fixture(scope="module")
def checked(q3):
    return paper.discrepancies(q3).set_index("statement")


def _verdict(checked, fragment):
    rows = checked[checked.index.str.contains(fragment, regex=False)]
    assert len(rows) == 1, fragment
    return rows.iloc[0]


def test_discrepancies_found_by_comparing_the_paper_with_the_appendix(checked):
    assert _verdict(checked, "aged 18+ as a % of the adult population")["verdict"] == "disagrees"
    assert "Total for England figure (4.24)" in _verdict(checked, "aged 18+ as a % of the adult population")["note"]
    assert "county local authorities figure (1.73)" in _verdict(checked, "aged 18-64 as a % of the adult")["note"]
    assert _verdict(checked, "and for those 65+ 13%")["appendix"] == "14.19"
    assert _verdict(checked, "NHS income: 36/153")[["verdict", "appendix"]].tolist() == ["disagrees", "rank 40"]
    assert _verdict(checked, "NHS income: top quartile")["verdict"] == "disagrees"
    assert _verdict(checked, "client contributions … Leicestershire is in the top quartile")["verdict"] == "disagrees"
    older_homes = _verdict(checked, "Care home costs for older adults")
    assert older_homes["verdict"] == "disagrees" and "11383" in older_homes["note"]
    assert "11382" in _verdict(checked, "Working age adult residential")["note"]
    assert _verdict(checked, "slightly higher percentage of people over the age of 65")["verdict"] == "disagrees"
    assert _verdict(checked, "low-level ongoing support than other local authorities (65+)")["verdict"] == "disagrees"
    assert _verdict(checked, "England ~1.9%")["verdict"] == "cannot be checked"


def test_the_paper_agrees_where_it_should(checked):
    for fragment in ("£500.31 per adult", "152/153", "ranked 97th", "ranked 119th", "(44/153)", "£35,016.40",
                     "high in comparison to the comparator authorities", "Although lower than the England average"):
        assert _verdict(checked, fragment)["verdict"] == "agrees", fragment
    counts = checked["verdict"].value_counts().to_dict()
    assert counts == {"agrees": 48, "disagrees": 12, "cannot be checked": 3}


def test_tables_behind_every_table_and_chart_are_written(q3, tmp_path):
    written = write_tables(q3, tmp_path)
    names = {p.name for p in written}
    assert {"use_of_resources_step1a.csv", "use_of_resources_step1a_chart1.csv", "use_of_resources_summary_table.csv",
            "use_of_resources_paper_discrepancies.csv", "use_of_resources_checks.csv"} <= names
    chart = pd.read_csv(tmp_path / "use_of_resources_step1a_chart1.csv")
    assert chart["value"].tolist()[:2] == [500.31, 632.97]


def test_the_paper_is_not_checked_before_it_was_published():
    q1 = build_use_of_resources_report(RAW, "2025-26", 1, "E10000018")
    assert paper.discrepancies(q1).empty
    assert "paper_council" not in paper.summary_table(q1).columns


def _listed_sources(html: str) -> list[str]:
    """The source ids in the provenance table "Sources of the figures used"."""
    section = html.split("Sources of the figures used", 1)[1].split("<h4>", 1)[0].replace("<wbr/>", "").replace("<wbr>", "")
    return re.findall(r"<tr>\s*<td>([^<]*)</td>", section)


def test_provenance_lists_the_sources_of_the_figures(q3):
    sources = render.figure_sources(q3)
    assert sources["source_id"].tolist() == ["lga_use_of_resources_2024_25", "lcc_osc_2026_03_02_uor"]
    html = provenance.provenance_html(q3.context.inputs, {}, q3.context.cut_off, set(sources["source_id"]),
                                      method_rules=render.METHOD, sources=sources)
    assert _listed_sources(html) == ["lga_use_of_resources_2024_25", "lcc_osc_2026_03_02_uor"]
    assert "Local Government Association (LG Inform)" in html and "2025-12-12" in html


def test_the_paper_is_not_a_source_before_it_was_published():
    q1 = build_use_of_resources_report(RAW, "2025-26", 1, "E10000018")
    assert render.figure_sources(q1)["source_id"].tolist() == ["lga_use_of_resources_2024_25"]
