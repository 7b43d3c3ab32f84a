"""Benchmarking charts: spine chart, every council's value, survey trends and the quadrant."""

from __future__ import annotations

import math

import matplotlib.figure
import pandas as pd

from ..publishing.charts import COUNCIL_COLOUR, ENGLAND_COLOUR, VERDICT_COLOURS

def _better_fraction(values: pd.Series, value: float, polarity: str) -> float:
    """Share of councils the value is at least as good as (0 = worst, 1 = best)."""
    if value is None or pd.isna(value) or values.empty:
        return float("nan")
    if polarity == "low":
        return float((values >= value).mean())
    return float((values <= value).mean())


def spine_chart(table: pd.DataFrame, all_councils: pd.DataFrame, council_label: str, group_label: str) -> matplotlib.figure.Figure:
    """Every measure's position within the national range, better to the right.

    Grey: the range of all councils; darker grey: the middle half. Black line: England; hollow
    diamond: the comparator-group average; dot: the council, with its verdict against England
    written beside it so the chart reads without colour.
    """
    rows = table[table["value"].notna()].reset_index(drop=True)
    figure = matplotlib.figure.Figure(figsize=(10.5, 0.34 * len(rows) + 1.3))
    axes = figure.add_subplot()
    words = {"better": "▲ better than England", "similar": "● similar to England", "worse": "▼ worse than England",
             "not_compared": "– not compared"}
    for y, row in rows.iterrows():
        values = all_councils.loc[all_councils["measure"] == row["measure"], "outcome"].dropna()
        axes.barh(y, 1, left=0, color="#e6e6e6", height=0.6)
        axes.barh(y, 0.5, left=0.25, color="#bdbdbd", height=0.6)
        england = _better_fraction(values, row["england"], row["polarity"])
        group = _better_fraction(values, row["group_average"], row["polarity"])
        mine = _better_fraction(values, row["value"], row["polarity"])
        axes.plot([england, england], [y - 0.32, y + 0.32], color="black", linewidth=1.5)
        axes.plot(group, y, marker="D", markerfacecolor="white", markeredgecolor="#444444", markersize=6)
        axes.plot(mine, y, marker="o", color=VERDICT_COLOURS.get(row["vs_england"], COUNCIL_COLOUR), markersize=8,
                  markeredgecolor="black")
        axes.text(1.02, y, words.get(row["vs_england"], ""), va="center", fontsize=7)
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([f"{m} {t[:48]}" for m, t in zip(rows["measure"], rows["title"], strict=True)], fontsize=7)
    axes.invert_yaxis()
    axes.set_xlim(0, 1)
    axes.set_xticks([0, 0.25, 0.5, 0.75, 1])
    axes.set_xticklabels(["worst", "25%", "median", "75%", "best"], fontsize=7)
    axes.set_xlabel(f"Position among all councils (dot: {council_label}; black line: England; "
                    f"diamond: {group_label} average; dark band: middle half)", fontsize=7)
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure


def all_councils_chart(table: pd.DataFrame, all_councils: pd.DataFrame, council: str, council_label: str) -> matplotlib.figure.Figure:
    """Small multiples: every council's value, sorted best to worst, peers darker, council marked."""
    rows = table[table["value"].notna()].reset_index(drop=True)
    columns = 4
    lines = math.ceil(len(rows) / columns)
    figure = matplotlib.figure.Figure(figsize=(10.5, 1.9 * lines + 0.4))
    for index, row in rows.iterrows():
        axes = figure.add_subplot(lines, columns, index + 1)
        data = all_councils[all_councils["measure"] == row["measure"]].dropna(subset=["outcome"])
        data = data.sort_values("outcome", ascending=row["polarity"] == "low").reset_index(drop=True)
        colours = ["#1f4e79" if c == council else ("#7f9fbf" if g else "#d9d9d9")
                   for c, g in zip(data["ons_code"], data["in_group"], strict=True)]
        # one line collection rather than ~150 bar patches per panel: the same picture, far faster
        axes.vlines(range(len(data)), 0, data["outcome"], colors=colours, linewidth=1.6)
        if council in set(data["ons_code"]):
            position = int(data.index[data["ons_code"] == council][0])
            rank = data.loc[position, "rank_all"]
            axes.annotate(f"{council_label}\nrank {rank} of {len(data)}", (position, data.loc[position, "outcome"]),
                          xytext=(0, 8), textcoords="offset points", ha="center", fontsize=6,
                          arrowprops={"arrowstyle": "-", "linewidth": 0.6})
        if row["england"] is not None and not pd.isna(row["england"]):
            axes.axhline(row["england"], color="black", linewidth=0.8, linestyle="--")
        axes.set_title(f"{row['measure']} {row['title'][:38]}", fontsize=6.5)
        axes.set_xticks([])
        axes.tick_params(axis="y", labelsize=6)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
    figure.suptitle(f"All councils, best on the left (dark blue: {council_label}; mid blue: comparator group; "
                    "dashed: England)", fontsize=8)
    figure.tight_layout()
    return figure


def trend_chart(trend: pd.DataFrame, titles: dict[str, str], council_label: str, group_label: str) -> matplotlib.figure.Figure:
    """Small multiples by year: council (solid, dots), England (dashed), group average (dotted)."""
    measures = list(dict.fromkeys(trend["measure"]))
    columns = 3
    lines = max(1, math.ceil(len(measures) / columns))
    figure = matplotlib.figure.Figure(figsize=(10.5, 2.2 * lines + 0.5))
    for index, code in enumerate(measures):
        axes = figure.add_subplot(lines, columns, index + 1)
        data = trend[trend["measure"] == code]
        x = range(len(data))
        axes.plot(x, data["england"], linestyle="--", color=ENGLAND_COLOUR, marker="s", markersize=3, label="England")
        axes.plot(x, data["group_average"], linestyle=":", color="#7f9fbf", marker="D", markersize=3, label=group_label)
        axes.plot(x, data["council"], color=COUNCIL_COLOUR, marker="o", markersize=4, label=council_label)
        axes.set_xticks(list(x))
        axes.set_xticklabels([y[2:] for y in data["year"]], fontsize=6, rotation=45)
        axes.tick_params(axis="y", labelsize=6)
        axes.set_title(f"{code} {titles.get(code, '')[:40]}", fontsize=7)
        for side in ("top", "right"):
            axes.spines[side].set_visible(False)
        if index == 0:
            axes.legend(fontsize=6, frameon=False)
    figure.tight_layout()
    return figure


def quadrant_chart(quadrant: pd.DataFrame, council: str, second_column: str, second_label: str) -> matplotlib.figure.Figure:
    """Performance (mean normalised rank, best at the top) against a second measure, with quadrants at the medians."""
    data = quadrant.dropna(subset=["composite", second_column])
    figure = matplotlib.figure.Figure(figsize=(8, 5.5))
    axes = figure.add_subplot()
    performance = 1 - data["composite"]
    axes.scatter(data[second_column], performance, color="#9e9e9e", s=25)
    mine = data["ons_code"] == council
    axes.scatter(data.loc[mine, second_column], performance[mine], color=COUNCIL_COLOUR, s=70, edgecolor="black", zorder=3)
    for _, row in data[mine].iterrows():
        axes.annotate(row["name"], (row[second_column], 1 - row["composite"]), xytext=(6, 6), textcoords="offset points", fontsize=8)
    x_mid, y_mid = data[second_column].median(), performance.median()
    axes.axvline(x_mid, color="black", linewidth=0.7, linestyle="--")
    axes.axhline(y_mid, color="black", linewidth=0.7, linestyle="--")
    axes.set_xlabel(second_label, fontsize=8)
    axes.set_ylabel("Overall performance (1 = best on every measure)", fontsize=8)
    axes.tick_params(labelsize=7)
    x_lo, x_hi = axes.get_xlim()
    y_lo, y_hi = axes.get_ylim()
    for x, y, text, ha, va in [(x_lo, y_hi, "high performance,\nless deprived", "left", "top"),
                               (x_hi, y_hi, "high performance,\nmore deprived", "right", "top"),
                               (x_lo, y_lo, "low performance,\nless deprived", "left", "bottom"),
                               (x_hi, y_lo, "low performance,\nmore deprived", "right", "bottom")]:
        axes.text(x, y, text, ha=ha, va=va, fontsize=7, color="#555555")
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    figure.tight_layout()
    return figure
