"""The shortcuts taken for build speed give exactly what the plain computation gives."""

from __future__ import annotations

import copy
import math

import pandas as pd

from conftest import RAW
from scrutiny.inputs.council import RowLines, load_table
from scrutiny.use_of_resources import report as uor


def test_row_lines_survive_filtering_without_being_copied():
    """pandas copies attrs into every derived frame: the line record is shared, not rebuilt."""
    observations = load_table(RAW, "observations.csv", validate=False)
    lines = observations.attrs["lines"]
    assert isinstance(lines, RowLines) and len(lines) == len(observations)
    assert copy.deepcopy(lines) is lines
    subset = observations[observations.index % 2 == 0]
    assert subset.attrs["lines"] is lines
    assert list(lines[:3]) == [2, 3, 4]  # header on line 1


def _value_by_filtering(table: pd.DataFrame, metric_id: str, year: str, column: str) -> float:
    rows = table[(table["metric_id"] == metric_id) & (table["year"] == year)]
    return float(rows[column].iloc[0]) if len(rows) and pd.notna(rows[column].iloc[0]) else float("nan")


def test_use_of_resources_figure_lookup_matches_filtering_the_table():
    """Every figure looked up in the (metric, year) index equals the first matching row of the table."""
    report = uor.build_use_of_resources_report(RAW, "2025-26", 3, "E10000018")
    table = report.comparisons
    assert not table.empty
    columns = ["council", "england", "county_mean", "all_mean", "high_end", "low_end", "rank"]
    pairs = list(dict.fromkeys(zip(table["metric_id"], table["year"], strict=True)))
    for metric_id, year in pairs + [("no such metric", "2024-25")]:
        for column in columns:
            expected = _value_by_filtering(table, metric_id, year, column)
            found = uor.value(report, metric_id, year, column)
            assert (math.isnan(expected) and math.isnan(found)) or found == expected, (metric_id, year, column)
    # a new comparisons table is indexed afresh, not answered from the old one
    report.comparisons = table.assign(council=table["council"] * 0 + 1.5)
    metric_id, year = pairs[0]
    assert uor.value(report, metric_id, year) == 1.5


def _chart(facecolor="white"):
    import matplotlib.figure

    from scrutiny.publishing import charts

    figure = matplotlib.figure.Figure(figsize=(4, 2), facecolor=facecolor)
    axes = figure.add_subplot()
    axes.barh([0, 1, 2], [3.5, 1.25, 2.0], hatch="//", color=charts.COUNCIL_COLOUR)
    axes.set_title("Spend per adult (£)")
    return figure


def _pixels(data: bytes):
    import io

    import numpy as np
    from PIL import Image

    return np.asarray(Image.open(io.BytesIO(data)).convert("RGBA"))


def test_chart_png_has_the_pixels_of_matplotlibs_own_png():
    """Stored as RGB at a faster zlib level: the same image as matplotlib's default PNG output."""
    import io

    from PIL import Image

    from scrutiny.publishing import charts

    figure = _chart()
    fast = charts.png_bytes(figure)
    default = io.BytesIO()
    figure.savefig(default, format="png", dpi=150, bbox_inches="tight", metadata={"Software": None})
    assert (_pixels(fast) == _pixels(default.getvalue())).all()
    image = Image.open(io.BytesIO(fast))
    assert image.mode == "RGB" and round(image.info["dpi"][0]) == 150
    assert "Software" not in image.info
    assert charts.png_bytes(figure) == fast  # identical inputs, identical files


def test_chart_png_keeps_transparency_when_there_is_some():
    """A chart drawn on a transparent background keeps its alpha channel, pixel for pixel."""
    import io

    from PIL import Image

    from scrutiny.publishing import charts

    figure = _chart(facecolor="none")
    fast = charts.png_bytes(figure)
    default = io.BytesIO()
    figure.savefig(default, format="png", dpi=150, bbox_inches="tight")
    assert Image.open(io.BytesIO(fast)).mode == "RGBA"
    assert (_pixels(fast) == _pixels(default.getvalue())).all()


def test_deprivation_is_read_only_when_a_report_uses_it(monkeypatch):
    """Only benchmarking's quadrant uses the IoD spreadsheet: the other reports never read it."""
    from datetime import date

    import pytest

    from scrutiny.inputs import national_data
    from scrutiny.inputs.national import read_deprivation

    calls = []
    monkeypatch.setattr(national_data, "read_deprivation", lambda *args: calls.append(args) or read_deprivation(*args))
    national, reasons = national_data.load_national(date(2026, 1, 14))
    if national is None:
        pytest.skip("; ".join(reasons))
    assert calls == []
    expected = read_deprivation(national.deprivation_file, national.boundary_changes)
    pd.testing.assert_frame_equal(national.deprivation, expected)
    assert national.deprivation is national.deprivation and len(calls) == 1
