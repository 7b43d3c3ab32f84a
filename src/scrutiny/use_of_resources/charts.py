"""Charts of the kinds the LGA report uses: the council against England, the comparator group and
the 10th-90th percentile range; time series; grouped bars by band. Every bar and point is
labelled, so nothing depends on colour alone."""

from __future__ import annotations

import textwrap

import matplotlib.figure
import pandas as pd

from ..publishing.charts import COUNCIL_COLOUR, ENGLAND_COLOUR

GROUP_COLOUR = "#9dc3e6"
COVID_YEARS = ("2020-21", "2021-22")


def _number(value: float, decimals: int) -> str:
    return f"{value:,.{decimals}f}"


def comparison_bar(title: str, bars: list[tuple[str, float, bool]], high_end: float | None, low_end: float | None,
                   decimals: int, unit: str, middle: tuple[str, float] | None = None) -> matplotlib.figure.Figure:
    """Horizontal bars (label, value, is the council) with the 10th-90th percentile lines.

    ``middle``: a labelled third line (the unit-cost charts draw the mean of all councils).
    """
    bars = [b for b in bars if b[1] is not None and not pd.isna(b[1])]
    figure = matplotlib.figure.Figure(figsize=(7.2, 0.22 * len(bars) + 1.2))
    axes = figure.add_subplot()
    for y, (label, value, mine) in enumerate(bars):
        axes.barh(y, value, color=COUNCIL_COLOUR if mine else (ENGLAND_COLOUR if label.startswith("England") else GROUP_COLOUR),
                  hatch="//" if mine else None, edgecolor="black", linewidth=0.4)
        axes.text(value, y, " " + _number(value, decimals) + (" ◀ council" if mine else ""), va="center", fontsize=7)
    lines = [("90th percentile", high_end, "--"), ("10th percentile", low_end, ":")]
    if middle:
        lines.append((middle[0], middle[1], "-."))
    for label, value, style in lines:
        if value is not None and not pd.isna(value):
            axes.axvline(value, color="black", linestyle=style, linewidth=1, label=f"{label}: {_number(value, decimals)}")
    axes.set_yticks(range(len(bars)))
    axes.set_yticklabels([b[0] for b in bars], fontsize=7)
    if axes.get_legend_handles_labels()[0]:
        axes.legend(fontsize=6.5, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.invert_yaxis()
    axes.set_xlabel(unit, fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    axes.set_title("\n".join(textwrap.wrap(title, 95)), fontsize=8.5, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure


def time_series(title: str, series: pd.DataFrame, decimals: int, unit: str) -> matplotlib.figure.Figure:
    """Lines by year (columns: year and one column per line), COVID years shaded and named."""
    figure = matplotlib.figure.Figure(figsize=(7.2, 2.6))
    axes = figure.add_subplot()
    years = list(series["year"])
    styles = {0: ("o", "-", COUNCIL_COLOUR), 1: ("s", "--", ENGLAND_COLOUR), 2: ("D", ":", "#2e75b6")}
    for index, column in enumerate(c for c in series.columns if c != "year"):
        values = series[column]
        if values.notna().sum() == 0:
            continue
        marker, style, colour = styles.get(index, ("^", "-.", "#444"))
        axes.plot(range(len(years)), values, marker=marker, linestyle=style, color=colour, label=column, markersize=4)
        last = values.last_valid_index()
        axes.annotate(_number(values[last], decimals), (years.index(series.loc[last, "year"]), values[last]),
                      xytext=(4, 0), textcoords="offset points", fontsize=6.5, va="center")
    for year in COVID_YEARS:
        if year in years:
            axes.axvspan(years.index(year) - 0.5, years.index(year) + 0.5, color="#eeeeee", zorder=0)
    if any(y in years for y in COVID_YEARS):
        axes.text(years.index(next(y for y in COVID_YEARS if y in years)) - 0.45, axes.get_ylim()[1], "COVID years",
                  fontsize=6.5, va="top")
    axes.set_xticks(range(len(years)))
    axes.set_xticklabels([y.replace("-", "/") for y in years], fontsize=7)
    axes.tick_params(axis="y", labelsize=7)
    axes.set_ylabel(unit, fontsize=7)
    axes.legend(fontsize=7, frameon=False, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes.set_title("\n".join(textwrap.wrap(title, 95)), fontsize=8.5, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure


def grouped_bars(title: str, frame: pd.DataFrame, labels: list[str], decimals: int, unit: str) -> matplotlib.figure.Figure:
    """One group of bars per row of ``frame`` (index: category), one bar per column in ``labels``."""
    rows = len(frame)
    figure = matplotlib.figure.Figure(figsize=(7.2, 0.13 * rows * len(labels) + 1.2))
    axes = figure.add_subplot()
    height = 0.8 / len(labels)
    colours = [COUNCIL_COLOUR, ENGLAND_COLOUR, GROUP_COLOUR, "#c5e0b4"]
    hatches = ["//", None, None, ".."]
    for j, label in enumerate(labels):
        values = frame[label]
        for i, value in enumerate(values):
            if pd.isna(value):
                axes.text(0, i + j * height, " not available", va="center", fontsize=6)
                continue
            axes.barh(i + j * height, value, height=height, color=colours[j % 4], hatch=hatches[j % 4],
                      edgecolor="black", linewidth=0.3, label=label if i == 0 else None)
            axes.text(value, i + j * height, " " + _number(value, decimals), va="center", fontsize=6)
    axes.set_yticks([i + 0.4 - height / 2 for i in range(rows)])
    axes.set_yticklabels(["\n".join(textwrap.wrap(str(c), 40)) for c in frame.index], fontsize=6.5)
    axes.invert_yaxis()
    axes.axvline(0, color="black", linewidth=0.6)
    axes.set_xlabel(unit, fontsize=7)
    axes.tick_params(axis="x", labelsize=7)
    axes.legend(fontsize=7, frameon=False, loc="lower right")
    axes.set_title("\n".join(textwrap.wrap(title, 95)), fontsize=8.5, loc="left")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure
