"""Every figure a report shows cites a source in sources.csv that was published by the report's cut-off."""

import pandas as pd
import pytest

from conftest import RAW, edit_lines
from scrutiny.dashboard.report import build_quarterly_report
from scrutiny.inputs import load_inputs
from scrutiny.publishing.provenance import sources_published_by, used_source_ids
from scrutiny.waiting_list import report as wl


@pytest.mark.parametrize("quarter", [1, 3])
def test_every_dashboard_figure_cites_a_source_published_by_the_cut_off(quarter):
    report = build_quarterly_report(RAW, "2025-26", quarter, "E10000018")
    inputs, cut_off = report.context.inputs, report.context.cut_off
    cited = set(report.table["current_source"].dropna()) | set(report.table["previous_source"].dropna())
    assert cited <= sources_published_by(inputs, cut_off), cited - sources_published_by(inputs, cut_off)
    assert cited <= used_source_ids(report.table, inputs, cut_off)  # so the provenance section lists each one


def test_the_waiting_list_sources_are_in_sources_csv():
    inputs = load_inputs(RAW)
    for name in ("waiting_list_positions.csv", "waiting_list_targets.csv"):
        assert set(pd.read_csv(RAW / name)["source"]) <= set(inputs.sources["source_id"]), name


def test_a_waiting_list_position_citing_an_unknown_source_is_refused(raw_copy):
    edit_lines(raw_copy / "waiting_list_positions.csv",
               lambda lines: [lines[0], lines[1].replace("lcc_osc_2026_03_02_cqc", "a_paper_nobody_listed"), *lines[2:]])
    with pytest.raises(ValueError, match=r"waiting_list_positions.csv, line 2, column 'source': 'a_paper_nobody_listed'"):
        wl.check_sources(raw_copy / "waiting_list_positions.csv", load_inputs(raw_copy).sources)


def test_one_rule_decides_the_rounded_counts_note():
    from scrutiny.inputs.national import counts_rounded_to
    from scrutiny.publishing.formatting import out_of

    assert counts_rounded_to(95.3, 650, 680, 100, 5) == 5  # DHSC's rounded counts give 95.6%, not 95.3%
    assert counts_rounded_to(94.8, 730, 770, 100, 5) is None  # the council's own counts give 94.8%
    assert counts_rounded_to(95.3, 650, 680, 100, None) is None  # a measure DHSC does not round
    assert out_of(650, 680, 5) == "(650 out of 680; counts rounded to the nearest 5 by DHSC)"
    assert out_of(730, 770, None) == "(730 out of 770)"


def test_the_dashboard_gives_the_rounding_note_benchmarking_gives():
    from scrutiny.dashboard import narrative, render

    report = build_quarterly_report(RAW, "2025-26", 3, "E10000018")
    row = report.table.set_index("metric_id").loc["ascof_4b"]
    assert "(650 out of 680; counts rounded to the nearest 5 by DHSC)" in render.figure_text(row, "previous")[1]
    assert "counts rounded" not in render.figure_text(row, "current")[1]  # 730 out of 770: the council's own
    sentences = " ".join(" ".join(s) for s in narrative.layer_paragraphs(report.table).values())
    assert "650 out of 680" not in sentences or "650 out of 680; counts rounded to the nearest 5" in sentences


def test_data_raw_readme_documents_every_column_of_every_input_table():
    from scrutiny.inputs.council import TABLES

    readme = (RAW / "README.md").read_text(encoding="utf-8")
    import re

    undocumented = {name: [c.name for c in columns if not re.search(rf"(?<![\w.]){re.escape(c.name)}(?![\w.])", readme)]
                    for name, columns in TABLES.items()}
    assert {name: cols for name, cols in undocumented.items() if cols} == {}
    for topic in ("publication date of the paper", "`paper`", "To revise a target", "`required`"):
        assert topic in readme, topic
