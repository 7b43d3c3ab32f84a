"""Charts of the waiting-list report: SPC small multiples, weekly flows and the distribution of waits.

Special causes are shown by marker shape as well as colour (never meaning by colour alone).
"""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

from ..methods.spc import SpcResult  # noqa: E402
from ..publishing.charts import COUNCIL_COLOUR  # noqa: E402

IMPROVING, CONCERNING, NEITHER = "#1f77b4", "#e07b00", "#7b3294"


def _grid(count: int, height: float = 2.3, share_x: bool = True):
    columns = 3
    rows = int(np.ceil(count / columns))
    figure, axes = plt.subplots(rows, columns, figsize=(10.5, height * rows), squeeze=False, sharex=share_x)
    for axis in axes.flat[count:]:
        axis.set_visible(False)
    return figure, axes.flat


def spc_grid(charts: dict[str, SpcResult], titles: dict[str, str], targets: dict[str, float], ylabel: str):
    """One XmR chart per queue: the weekly values, centre line, process limits and special causes."""
    figure, axes = _grid(len(charts))
    for axis, (queue, chart) in zip(axes, charts.items(), strict=False):
        points = chart.points
        x = pd.to_datetime(points["x"])
        axis.plot(x, points["value"], color=COUNCIL_COLOUR, linewidth=1.2, marker=".", markersize=3)
        if chart.limits is not None:
            axis.axhline(chart.limits.centre, color="#444", linewidth=0.8)
            for value in (chart.limits.upper, chart.limits.lower):
                axis.axhline(value, color="#444", linewidth=0.8, linestyle="--")
            for kind, colour, marker in (("improving", IMPROVING, "o"), ("concerning", CONCERNING, "s"),
                                         ("neither", NEITHER, "D")):
                chosen = points["variation"].str.startswith(kind)
                axis.scatter(x[chosen], points.loc[chosen, "value"], color=colour, marker=marker, s=14, zorder=3,
                             label=f"special cause: {kind}")
        if queue in targets:
            axis.axhline(targets[queue], color="#2e7d32", linewidth=1, linestyle=":", label="target")
        trial = " (trial limits)" if chart.trial else ""
        axis.set_title(f"{titles[queue]}{trial}", fontsize=8)
        axis.tick_params(labelsize=7)
        axis.set_ylabel(ylabel, fontsize=7)
        axis.set_ylim(bottom=0)
    handles = {}
    for axis in figure.axes:
        for handle, label in zip(*axis.get_legend_handles_labels(), strict=True):
            handles.setdefault(label, handle)
    handles = {"weekly value": plt.Line2D([], [], color=COUNCIL_COLOUR, marker="."),
               "centre line": plt.Line2D([], [], color="#444"),
               "process limits": plt.Line2D([], [], color="#444", linestyle="--"), **handles}
    figure.legend(handles.values(), handles.keys(), loc="lower center", ncol=6, fontsize=7, frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout(rect=(0, 0.05, 1, 1))
    return figure


def flows_grid(trends: pd.DataFrame, titles: dict[str, str]):
    """New requests against allocations per week, per queue."""
    queues = [q for q in titles if q in set(trends["queue"])]
    figure, axes = _grid(len(queues), height=2.0)
    for axis, queue in zip(axes, queues, strict=False):
        series = trends[trends["queue"] == queue]
        x = pd.to_datetime(series["week_end"])
        axis.plot(x, series["new_requests"], color="#7f7f7f", linestyle="--", linewidth=1.1, label="new requests (due reviews)")
        axis.plot(x, series["allocations"], color=COUNCIL_COLOUR, linewidth=1.3, label="allocated (completed)")
        axis.set_title(titles[queue], fontsize=8)
        axis.tick_params(labelsize=7)
        axis.set_ylim(bottom=0)
    handles, labels = figure.axes[0].get_legend_handles_labels()
    figure.legend(handles, labels, loc="lower center", ncol=2, fontsize=7, frameon=False)
    figure.autofmt_xdate()
    figure.tight_layout(rect=(0, 0.06, 1, 1))
    return figure


def distribution_chart(distribution: pd.DataFrame, titles: dict[str, str]):
    """People waiting by band of wait, per queue (suppressed counts are left blank)."""
    queues = [q for q in titles if q in set(distribution["queue"])]
    figure, axes = _grid(len(queues), height=2.0, share_x=False)
    for axis, queue in zip(axes, queues, strict=False):
        rows = distribution[distribution["queue"] == queue]
        values = pd.to_numeric(rows["waiting"], errors="coerce")
        axis.barh(rows["band"], values.fillna(0), color=COUNCIL_COLOUR)
        for y, (value, shown) in enumerate(zip(values, rows["waiting"], strict=True)):
            axis.text((0 if pd.isna(value) else value), y, f" {shown:,}" if not pd.isna(value) else " [c]",
                      va="center", fontsize=6.5)
        axis.invert_yaxis()
        axis.set_title(titles[queue], fontsize=8)
        axis.tick_params(labelsize=6.5)
    figure.tight_layout()
    return figure
