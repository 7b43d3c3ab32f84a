"""Dashboard charts: past-trend sparklines for Appendix A and the summary chart."""

from __future__ import annotations

import math

import matplotlib.figure
import pandas as pd
from matplotlib.ticker import FuncFormatter, MaxNLocator

from ..publishing.charts import COUNCIL_COLOUR, ENGLAND_COLOUR, VERDICT_COLOURS, png_data_uri
from .builder import summary_counts

def sparkline(series: pd.DataFrame, display_format: str = "number1") -> matplotlib.figure.Figure:
    """A small chart of the council (solid line, dots) against England (dashed) by year."""
    figure = matplotlib.figure.Figure(figsize=(1.9, 0.75))
    axes = figure.add_subplot()
    x = range(len(series))
    if "england" in series and series["england"].notna().any():
        axes.plot(x, series["england"], linestyle="--", color=ENGLAND_COLOUR, linewidth=1.2, marker="s", markersize=2.5)
    axes.plot(x, series["council"], color=COUNCIL_COLOUR, linewidth=1.6, marker="o", markersize=3)
    # at most about five year labels, so that they never overlap; the last year is always shown
    with_data = [i for i in x if pd.notna(series["council"].iloc[i])] or list(x)
    step = max(1, math.ceil(len(with_data) / 5))
    shown = with_data[::-1][::step][::-1]
    axes.set_xticks(shown)
    axes.set_xticklabels([str(series["year"].iloc[i])[2:] for i in shown], fontsize=5)
    axes.tick_params(axis="y", labelsize=5, length=2)
    axes.tick_params(axis="x", length=2)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.margins(x=0.08, y=0.25)
    axes.yaxis.set_major_formatter(FuncFormatter(lambda v, _: _tick(v, display_format)))
    axes.yaxis.set_major_locator(MaxNLocator(3))
    return figure


def _tick(value: float, display_format: str) -> str:
    if display_format == "thousands1":
        return f"{value / 1000:,.0f}k"
    if display_format == "pct1":
        return f"{value:.0f}%"
    return f"{value:,.0f}"


def sparkline_uri(series: pd.DataFrame, display_format: str = "number1") -> str:
    """The sparkline as an inline PNG data URI for the HTML table."""
    return png_data_uri(sparkline(series, display_format))


#: the summary chart's segments beyond the shared verdict colours: "within target band" is blue
#: (statistical-methods.md 8.11), target met or not green or red; every segment is also labelled
SUMMARY_COLOURS = {**VERDICT_COLOURS, "on_target": "#1565c0", "met": "#2e7d32", "not_met": "#c62828"}
_DARK_SEGMENTS = {"better", "worse", "on_target", "improved", "worsened", "met", "not_met"}


def summary_chart(table: pd.DataFrame) -> matplotlib.figure.Figure:
    """Horizontal stacked bars of ``builder.summary_counts``: ratings against benchmarks, whether
    local targets or milestones were met (only when some metric has one), and directions of travel.

    Each segment is labelled with its count and verdict so that colour is never the only cue: the
    verdict inside the segment where it fits, and under every bar a key of its segments in order.
    """
    counted = summary_counts(table)
    groups = [
        ("Rating against benchmark", "rating", [("better", "Better"), ("similar", "Similar"), ("worse", "Worse"),
                                                ("on_target", "Within band"), ("not_compared", "Not compared")]),
        ("Local target or milestone", "target", [("met", "Met"), ("not_met", "Not met")]),
        ("Direction of travel", "dot", [("improved", "Improved"), ("no_significant_change", "No sig. change"), ("worsened", "Worsened"), ("not_compared", "Not compared")]),
    ]
    groups = [group for group in groups if sum(counted[group[1]].values())]
    # short enough to print on the first page under the summary (A4 landscape)
    figure = matplotlib.figure.Figure(figsize=(8, 0.5 + 0.65 * len(groups)))
    axes = figure.add_subplot()
    total = max(len(table), 1)
    width_per_metric = 6.3 / total  # inches of bar per metric (the axes are about 6.3 inches wide)
    for row, (_title, column, verdicts) in enumerate(groups):
        counts = counted[column]
        left, key_parts = 0, []
        for key, name in verdicts:
            count = int(counts.get(key, 0))
            if not count:
                continue
            axes.barh(row, count, left=left, height=0.5, color=SUMMARY_COLOURS[key], edgecolor="white",
                      hatch="//" if key == "not_compared" else None)
            text_colour = "white" if key in _DARK_SEGMENTS else "black"
            room = count * width_per_metric * 0.9  # inches; about 0.06 inch per character at 7 pt
            if len(name) * 0.06 <= room:
                axes.text(left + count / 2, row, f"{name}\n{count}", ha="center", va="center", fontsize=7, color=text_colour)
            elif len(str(count)) * 0.06 <= room:  # the count inside; the name in the key under the bar
                axes.text(left + count / 2, row, str(count), ha="center", va="center", fontsize=7, color=text_colour)
            key_parts.append(f"{name} {count}")
            left += count
        axes.text(0, row + 0.3, "  ·  ".join(key_parts), ha="left", va="top", fontsize=6.5, color="black")
    axes.set_yticks(range(len(groups)))
    axes.set_yticklabels([g[0] for g in groups], fontsize=8)
    axes.set_ylim(len(groups) - 0.4, -0.4)  # top to bottom, with room under the last bar for its key
    axes.set_xlabel("Number of metrics", fontsize=8)
    axes.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure
