"""Benchmarking charts: spine chart, every council's value, survey trends and the quadrant.

Every chart is drawn at the size it is printed on an A4 landscape page (at most
:data:`PRINT_WIDTH_IN` wide and :data:`PRINT_HEIGHT_IN` tall, so the print stylesheet does not
shrink it) with no text smaller than :data:`CHART_FONT` points. Long sets of measures are split
over several figures, one page each, rather than shrunk. Meaning never rests on colour alone:
the council is marked by shape and named, verdicts carry a symbol and a word.
"""

from __future__ import annotations

import math
import textwrap

import matplotlib.figure
import matplotlib.lines
import matplotlib.patches
import pandas as pd

from ..publishing.charts import COUNCIL_COLOUR, ENGLAND_COLOUR, VERDICT_COLOURS

#: The smallest text in any chart, in points at print size.
CHART_FONT = 8
#: The width of a chart image on the printed page (A4 landscape less the margins and the
#: notebook's cell padding, measured in the built PDF), and a height that leaves room for the
#: section heading above the chart on the same page.
PRINT_WIDTH_IN = 9.8
PRINT_HEIGHT_IN = 5.9
PEER_COLOUR = "#7f9fbf"
OTHER_COLOUR = "#d0d0d0"
VERDICT_MARKERS = {"better": "^", "similar": "o", "worse": "v", "not_compared": "s"}
VERDICT_WORDS = {"better": "better than England", "similar": "similar to England", "worse": "worse than England",
                 "not_compared": "not compared"}


def wrap(text: str, width: int) -> str:
    """Wrap at word boundaries (never mid-word)."""
    return "\n".join(textwrap.wrap(text, width, break_long_words=False, break_on_hyphens=False))


def unit_label(display_format: str, multiplier: float) -> str:
    """The axis unit of a measure from its display format."""
    if display_format.startswith("pct"):
        return "Per cent"
    if display_format.startswith("rate"):
        return f"Per {multiplier:,.0f} population"
    return "Score"


def _chunks(items: list, size: int) -> list[list]:
    return [items[i:i + size] for i in range(0, len(items), size)] or [[]]


#: Space for a page of panels' heading and legend, in inches.
_HEADING_IN, _LEGEND_IN = 0.35, 0.5


def _panel_page(panels: int, lines: int, columns: int):
    """A figure of small multiples with only as many rows as it needs (a short last page stays short)."""
    used = max(1, math.ceil(panels / columns))
    height = _HEADING_IN + _LEGEND_IN + (PRINT_HEIGHT_IN - _HEADING_IN - _LEGEND_IN) * used / lines
    figure = matplotlib.figure.Figure(figsize=(PRINT_WIDTH_IN, height))
    return figure, figure.subplots(used, columns, squeeze=False)


def _finish_panel_page(figure, title: str, handles: list, ncol: int) -> None:
    height = figure.get_size_inches()[1]
    figure.legend(handles=handles, loc="lower center", ncol=ncol, fontsize=CHART_FONT, frameon=False)
    figure.suptitle(title, fontsize=CHART_FONT + 2, x=0.01, ha="left")
    figure.tight_layout(rect=(0, _LEGEND_IN / height, 1, 1 - _HEADING_IN / height), h_pad=1.0)


def _better_fraction(values: pd.Series, value: float, polarity: str) -> float:
    """Share of councils the value is at least as good as (0 = worst, 1 = best)."""
    if value is None or pd.isna(value) or values.empty:
        return float("nan")
    if polarity == "low":
        return float((values >= value).mean())
    return float((values <= value).mean())


def _tidy_axes(axes) -> None:
    for side in ("top", "right"):
        axes.spines[side].set_visible(False)
    axes.tick_params(labelsize=CHART_FONT)


SPINE_ROWS = 13


def spine_charts(table: pd.DataFrame, all_councils: pd.DataFrame, council_label: str,
                 group_label: str) -> list[matplotlib.figure.Figure]:
    """Every measure's position among all councils, better to the right, a figure per theme.

    The scale is the share of councils a value is at least as good as, so its centre line is
    the median council (Fingertips centres its spine on England; here England is the black bar).
    Light grey: all councils; darker grey: the middle half. Hollow diamond: the comparator-group
    average. The council's marker has the shape of its verdict against England (▲ better, ● similar,
    ▼ worse), repeated in words at the right.
    """
    rows = table[table["value"].notna()].reset_index(drop=True)
    figures = []
    for theme in dict.fromkeys(rows["theme"]):
        in_theme = rows[rows["theme"] == theme].reset_index(drop=True)
        for part, chunk in enumerate(_chunks(list(in_theme.index), SPINE_ROWS)):
            subset = in_theme.loc[chunk].reset_index(drop=True)
            title = theme + (" (continued)" if part else "")
            figures.append(_spine_figure(subset, all_councils, council_label, group_label, title))
    return figures


def _spine_figure(rows: pd.DataFrame, all_councils: pd.DataFrame, council_label: str, group_label: str,
                  title: str) -> matplotlib.figure.Figure:
    height = min(PRINT_HEIGHT_IN, 0.34 * len(rows) + 2.0)
    figure = matplotlib.figure.Figure(figsize=(PRINT_WIDTH_IN, height))
    axes = figure.add_axes((0.36, 1.45 / height, 0.44, 1 - 1.9 / height))
    for y, row in rows.iterrows():
        values = all_councils.loc[all_councils["measure"] == row["measure"], "outcome"].dropna()
        axes.barh(y, 1, left=0, color="#ececec", height=0.62)
        axes.barh(y, 0.5, left=0.25, color="#c4c4c4", height=0.62)
        england = _better_fraction(values, row["england"], row["polarity"])
        group = _better_fraction(values, row["group_average"], row["polarity"])
        mine = _better_fraction(values, row["value"], row["polarity"])
        axes.plot([england, england], [y - 0.34, y + 0.34], color="black", linewidth=2)
        axes.plot(group, y, marker="D", markerfacecolor="white", markeredgecolor="#444444", markersize=7, clip_on=False)
        verdict = row["vs_england"] if row["vs_england"] in VERDICT_MARKERS else "not_compared"
        axes.plot(mine, y, marker=VERDICT_MARKERS[verdict], color=VERDICT_COLOURS.get(verdict, COUNCIL_COLOUR),
                  markersize=10, markeredgecolor="black", clip_on=False, zorder=4)
        axes.text(1.03, y, VERDICT_WORDS[verdict], va="center", fontsize=CHART_FONT, transform=axes.get_yaxis_transform())
    axes.axvline(0.5, color="#555555", linewidth=0.8, linestyle=":")
    axes.set_yticks(range(len(rows)))
    axes.set_yticklabels([wrap(f"{m} {t}", 48) for m, t in zip(rows["measure"], rows["title"], strict=True)],
                         fontsize=CHART_FONT)
    axes.set_ylim(len(rows) - 0.5, -0.5)
    axes.set_xlim(0, 1)
    axes.set_xticks([0, 0.25, 0.5, 0.75, 1])
    axes.set_xticklabels(["worst", "25%", "median\ncouncil", "75%", "best"], fontsize=CHART_FONT)
    axes.set_xlabel("Position among all councils with a figure (better to the right; centre line: the median council)",
                    fontsize=CHART_FONT)
    _tidy_axes(axes)
    axes.set_title(f"Overview: {title}", fontsize=CHART_FONT + 2, loc="left", x=-0.55)
    handles = [
        matplotlib.lines.Line2D([], [], marker="^", color="w", markerfacecolor=VERDICT_COLOURS["better"],
                                markeredgecolor="black", markersize=9, label=f"{council_label}: better than England"),
        matplotlib.lines.Line2D([], [], marker="o", color="w", markerfacecolor=VERDICT_COLOURS["similar"],
                                markeredgecolor="black", markersize=9, label=f"{council_label}: similar to England"),
        matplotlib.lines.Line2D([], [], marker="v", color="w", markerfacecolor=VERDICT_COLOURS["worse"],
                                markeredgecolor="black", markersize=9, label=f"{council_label}: worse than England"),
        matplotlib.lines.Line2D([], [], color="black", linewidth=2, label="England"),
        matplotlib.lines.Line2D([], [], marker="D", color="w", markerfacecolor="white", markeredgecolor="#444444",
                                markersize=7, label=f"{group_label} average"),
        matplotlib.patches.Patch(color="#c4c4c4", label="middle half of councils"),
    ]
    figure.legend(handles=handles, loc="lower left", bbox_to_anchor=(0.01, 0.0), ncol=3, fontsize=CHART_FONT,
                  frameon=False)
    return figure


ALL_COUNCIL_PANELS = (3, 2)  # rows, columns per page


def all_councils_charts(table: pd.DataFrame, all_councils: pd.DataFrame, council: str, council_label: str,
                        group_label: str, multipliers: dict[str, float] | None = None) -> list[matplotlib.figure.Figure]:
    """Every council's value for each measure, best on the left, six measures to a page.

    Bars: other councils light grey, the comparator group mid blue, the council dark blue with a
    ▼ marker above its bar and its rank in the panel's axis label; dashed line: England.
    """
    rows = table[table["value"].notna()].reset_index(drop=True)
    lines, columns = ALL_COUNCIL_PANELS
    figures = []
    for chunk in _chunks(list(rows.index), lines * columns):
        figure, grid = _panel_page(len(chunk), lines, columns)
        for slot, axes in enumerate(grid.flat):
            if slot >= len(chunk):
                axes.set_visible(False)
                continue
            row = rows.loc[chunk[slot]]
            _all_councils_panel(axes, row, all_councils, council, council_label,
                                (multipliers or {}).get(row["measure"], 100.0))
        handles = [
            matplotlib.patches.Patch(color=COUNCIL_COLOUR, label=f"{council_label} (also marked ▼)"),
            matplotlib.patches.Patch(color=PEER_COLOUR, label=f"{group_label}"),
            matplotlib.patches.Patch(color=OTHER_COLOUR, label="other councils"),
            matplotlib.lines.Line2D([], [], color="black", linestyle="--", label="England"),
        ]
        _finish_panel_page(figure, "Every council's value, best on the left", handles, 4)
        figures.append(figure)
    return figures


def _all_councils_panel(axes, row: pd.Series, all_councils: pd.DataFrame, council: str, council_label: str,
                        multiplier: float) -> None:
    data = all_councils[all_councils["measure"] == row["measure"]].dropna(subset=["outcome"])
    data = data.sort_values("outcome", ascending=row["polarity"] == "low").reset_index(drop=True)
    colours = [COUNCIL_COLOUR if c == council else (PEER_COLOUR if g else OTHER_COLOUR)
               for c, g in zip(data["ons_code"], data["in_group"], strict=True)]
    # one line collection rather than ~150 bar patches per panel: the same picture, far faster
    axes.vlines(range(len(data)), 0, data["outcome"], colors=colours, linewidth=1.6)
    axes.set_xlim(-2, len(data) + 1)
    rank_text = f"{council_label}: not published"
    if council in set(data["ons_code"]):
        position = int(data.index[data["ons_code"] == council][0])
        value = data.loc[position, "outcome"]
        axes.vlines([position], 0, [value], colors=COUNCIL_COLOUR, linewidth=2.6, zorder=3)
        axes.plot(position, value, marker="v", color=COUNCIL_COLOUR, markeredgecolor="black", markersize=8,
                  zorder=4, transform=axes.transData, clip_on=False)
        rank_text = f"▼ {council_label}: {data.loc[position, 'rank_all']} of {len(data)} (1 = best)"
    if row["england"] is not None and not pd.isna(row["england"]):
        axes.axhline(row["england"], color="black", linewidth=0.9, linestyle="--")
    top = max(data["outcome"].max(), row["england"] if not pd.isna(row["england"]) else 0)
    axes.set_ylim(0, top * 1.12)
    axes.set_title(wrap(f"{row['measure']} {row['title']}", 62), fontsize=CHART_FONT + 0.5, loc="left")
    axes.set_xticks([])
    axes.set_xlabel(rank_text, fontsize=CHART_FONT)
    axes.set_ylabel(unit_label(row["display_format"], multiplier), fontsize=CHART_FONT)
    _tidy_axes(axes)


TREND_PANELS = (2, 2)  # rows, columns per page


def trend_charts(trend: pd.DataFrame, titles: dict[str, str], council_label: str, group_label: str,
                 formats: dict[str, str] | None = None) -> list[matplotlib.figure.Figure]:
    """Survey measures by year: council (solid, with its margin of error), England, group average.

    Every year in the series has a place on the axis, so a year without a figure is a gap. The
    group average is drawn only where enough of the group has a figure; the number of councils
    averaged is printed under each year. The value axis spans at least a quarter of the largest
    value, so small changes are not blown up.
    """
    measures = list(dict.fromkeys(trend["measure"]))
    years = sorted(trend["year"].unique())
    lines, columns = TREND_PANELS
    figures = []
    for chunk in _chunks(measures, lines * columns):
        figure, grid = _panel_page(len(chunk), lines, columns)
        for slot, axes in enumerate(grid.flat):
            if slot >= len(chunk):
                axes.set_visible(False)
                continue
            code = chunk[slot]
            data = trend[trend["measure"] == code].set_index("year").reindex(years)
            x = list(range(len(years)))
            axes.plot(x, data["england"], linestyle="--", color=ENGLAND_COLOUR, marker="s", markersize=4)
            axes.plot(x, data["group_average"], linestyle=":", color=PEER_COLOUR, marker="D", markersize=4)
            axes.errorbar(x, data["council"], yerr=data["council_margin_of_error"].abs(), color=COUNCIL_COLOUR,
                          marker="o", markersize=5, capsize=2, linewidth=1.5)
            values = pd.concat([data["council"] + data["council_margin_of_error"].fillna(0),
                                data["council"] - data["council_margin_of_error"].fillna(0),
                                data["england"], data["group_average"]]).dropna()
            if not values.empty:
                low, high = values.min(), values.max()
                span = max(high - low, 0.25 * abs(high))
                middle = (high + low) / 2
                axes.set_ylim(middle - 0.6 * span, middle + 0.6 * span)
            counts = data["group_councils"].fillna(0).astype(int)
            axes.set_xticks(x)
            axes.set_xticklabels([f"{y[2:4]}/{y[5:]}\n({n})" for y, n in zip(years, counts, strict=True)],
                                 fontsize=CHART_FONT)
            axes.set_title(wrap(f"{code} {titles.get(code, '')}", 62), fontsize=CHART_FONT + 0.5, loc="left")
            axes.set_ylabel(unit_label((formats or {}).get(code, "number1"), 100), fontsize=CHART_FONT)
            _tidy_axes(axes)
        handles = [
            matplotlib.lines.Line2D([], [], color=COUNCIL_COLOUR, marker="o", label=f"{council_label} (bars: margin of error)"),
            matplotlib.lines.Line2D([], [], color=ENGLAND_COLOUR, marker="s", linestyle="--", label="England"),
            matplotlib.lines.Line2D([], [], color=PEER_COLOUR, marker="D", linestyle=":",
                                    label=f"{group_label} (councils averaged, in brackets under each year)"),
        ]
        _finish_panel_page(figure, "Survey measures by year (a gap: no figure that year)", handles, 2)
        figures.append(figure)
    return figures


def quadrant_chart(quadrant: pd.DataFrame, council: str, second_column: str, second_label: str,
                   group_label: str) -> matplotlib.figure.Figure:
    """Overall mean normalised rank (0 = best, drawn at the top) against a second measure.

    Uses the same convention as the theme table: the mean over the measures of
    (rank - 1) / (councils - 1) within the group, 0 = best. Quadrants split at the medians.
    """
    data = quadrant.dropna(subset=["composite", second_column])
    figure = matplotlib.figure.Figure(figsize=(PRINT_WIDTH_IN, 4.8))
    axes = figure.add_subplot()
    axes.scatter(data[second_column], data["composite"], color="#9e9e9e", s=30, label=f"other {group_label}")
    mine = data["ons_code"] == council
    axes.scatter(data.loc[mine, second_column], data.loc[mine, "composite"], marker="*", color=COUNCIL_COLOUR, s=260,
                 edgecolor="black", zorder=3, label=", ".join(data.loc[mine, "name"]) or "the council")
    for _, row in data[mine].iterrows():
        axes.annotate(row["name"], (row[second_column], row["composite"]), xytext=(9, 6), textcoords="offset points",
                      fontsize=CHART_FONT + 1, fontweight="bold")
    axes.axvline(data[second_column].median(), color="black", linewidth=0.7, linestyle="--")
    axes.axhline(data["composite"].median(), color="black", linewidth=0.7, linestyle="--")
    axes.margins(x=0.08, y=0.14)  # room for the corner labels clear of the points
    axes.invert_yaxis()
    axes.set_xlabel(second_label, fontsize=CHART_FONT + 1)
    axes.set_ylabel(wrap(f"Mean normalised rank within the {group_label} (0 = best, at the top)", 45),
                    fontsize=CHART_FONT + 1)
    _tidy_axes(axes)
    x_lo, x_hi = axes.get_xlim()
    y_top, y_bottom = axes.get_ylim()[1], axes.get_ylim()[0]
    for x, y, text, ha, va in [(x_lo, y_top, "better performance,\nless deprived", "left", "top"),
                               (x_hi, y_top, "better performance,\nmore deprived", "right", "top"),
                               (x_lo, y_bottom, "worse performance,\nless deprived", "left", "bottom"),
                               (x_hi, y_bottom, "worse performance,\nmore deprived", "right", "bottom")]:
        axes.text(x, y, text, ha=ha, va=va, fontsize=CHART_FONT, color="#444444")
    axes.legend(fontsize=CHART_FONT, frameon=False, loc="upper center", bbox_to_anchor=(0.5, -0.12), ncol=2)
    figure.tight_layout()
    return figure


def smallest_text(figure: matplotlib.figure.Figure) -> float:
    """The smallest font size (points, at the figure's own size) of any visible text in a figure."""
    import matplotlib.text

    sizes = [text.get_fontsize() for text in figure.findobj(matplotlib.text.Text)
             if text.get_visible() and text.get_text().strip() and (text.axes is None or text.axes.get_visible())]
    return min(sizes) if sizes else math.inf
