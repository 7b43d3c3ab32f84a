"""Labels fit their bars: on the dashboard's summary chart no label spills out of its segment or
over another label, whatever the counts."""

import matplotlib
import pandas as pd
import pytest

from conftest import RAW
from scrutiny.dashboard.charts import summary_chart
from scrutiny.dashboard.report import build_quarterly_report

matplotlib.use("Agg")


def _table(rating: dict[str, int], dot: dict[str, int]) -> pd.DataFrame:
    ratings = [k for k, n in rating.items() for _ in range(n)]
    dots = [k for k, n in dot.items() for _ in range(n)]
    assert len(ratings) == len(dots)
    return pd.DataFrame({"rating": ratings, "dot": dots})


def label_problems(figure) -> list[str]:
    """Labels inside a bar that spill out of it, and labels that overlap each other."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    FigureCanvasAgg(figure).draw()
    renderer = figure.canvas.get_renderer()
    axes = figure.axes[0]
    texts = [t for t in axes.texts if t.get_text()]
    boxes = [t.get_window_extent(renderer) for t in texts]
    bars = [p.get_window_extent(renderer) for p in axes.patches]
    problems = []
    inside = axes.get_window_extent(renderer)
    for text, box in zip(texts, boxes, strict=True):
        if box.y0 < inside.y0 or box.y1 > inside.y1 or box.x1 > figure.bbox.x1:
            problems.append(f"{text.get_text()!r} runs over the axis or off the chart")
        centre = ((box.x0 + box.x1) / 2, (box.y0 + box.y1) / 2)
        for bar in bars:
            if bar.contains(*centre) and (box.x0 < bar.x0 - 0.5 or box.x1 > bar.x1 + 0.5):
                problems.append(f"{text.get_text()!r} spills out of its bar")
    for i in range(len(texts)):
        for j in range(i + 1, len(texts)):
            if boxes[i].overlaps(boxes[j]):
                problems.append(f"{texts[i].get_text()!r} overlaps {texts[j].get_text()!r}")
    return problems


@pytest.mark.parametrize("quarter", [1, 3])
def test_labels_fit_on_the_real_summary_charts(quarter):
    table = build_quarterly_report(RAW, "2025-26", quarter, "E10000018").table
    assert label_problems(summary_chart(table)) == []


@pytest.mark.parametrize("rating, dot", [
    ({"better": 1, "similar": 20, "worse": 1, "not_compared": 3},
     {"improved": 1, "no_significant_change": 1, "worsened": 1, "not_compared": 22}),
    ({"better": 1, "similar": 1, "worse": 1, "not_compared": 1}, {"improved": 2, "no_significant_change": 1, "worsened": 1, "not_compared": 0}),
    ({"better": 24, "similar": 0, "worse": 1, "not_compared": 0}, {"improved": 0, "no_significant_change": 24, "worsened": 0, "not_compared": 1}),
])
def test_labels_fit_whatever_the_counts(rating, dot):
    assert label_problems(summary_chart(_table(rating, dot))) == []
