"""HTML rendering of the dashboard table (Appendix A).

Every verdict carries a glyph and words as well as a colour, so the table reads the same in
black and white and to a screen reader. The stylesheet prints on A4 landscape, repeats the
table header on each page and keeps rows whole.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from ..publishing import formatting as fmt
from ..publishing.html import STYLE
from .charts import sparkline_uri

COLUMNS = [
    ("Measure", "8%"),
    ("Description", "17%"),
    ("Aim", "5%"),
    ("Rating", "14%"),
    ("Direction of travel", "14%"),
    ("{this_year}", "13%"),
    ("{last_year}", "13%"),
    ("Past trend", "16%"),
]


def _verdict_html(verdict: str, text: str, indicative: bool = False) -> str:
    classes = f"verdict v-{verdict}" + (" indicative" if indicative else "")
    return f'<span class="{classes}">{escape(text)}</span>'


def band_text(row: pd.Series) -> str:
    """A target band as printed, e.g. "55.0–60.0%", or "" when the benchmark is not a band."""
    low, high = row.get("band_low"), row.get("band_high")
    if fmt.is_missing(low) or fmt.is_missing(high):
        return ""
    low_text, high_text = fmt.format_value(low, row["display_format"]), fmt.format_value(high, row["display_format"])
    if low_text.endswith("%") and high_text.endswith("%"):
        low_text = low_text[:-1]
    return f"{low_text}–{high_text}"


#: What a rating against a band says, by the band's polarity (statistical-methods.md, 8.7).
BAND_SIDES = {"band_optimal": "outside the band either way is worse", "high_is_good": "above the band is better",
              "low_is_good": "below the band is better"}


def rating_text(row: pd.Series) -> tuple[str, str]:
    """(glyph and label, short explanation) for a rating."""
    glyph, label = fmt.RATING_TEXT[row["rating"]]
    if row["rating"] == "not_compared":
        return f"{glyph} {label}", str(row["rating_reason"] or "")
    band = band_text(row)
    if band and row["rating"] == "on_target":
        return f"{glyph} Within target band ({band})", fmt.indicative_note(row["kind"], row["tolerance"]) \
            if row["rating_indicative"] else ""
    text = f"{glyph} {label.split(' ')[0]}"
    if row["rating_indicative"]:
        text += " (indicative)"
    detail = []
    if row["rating_indicative"]:
        detail.append(fmt.indicative_note(row["kind"], row["tolerance"]))
    if row["rating"] == "similar":
        detail.append(fmt.similar_means(row["rating_basis"], row["materiality"], row["tolerance"], row["kind"],
                                        bool(row["benchmark_is_target"])))
    if row["rating_reason"]:
        detail.append(str(row["rating_reason"]))
    if band and row["band_polarity"] in BAND_SIDES:
        detail.append(BAND_SIDES[row["band_polarity"]])
    return text, "; ".join(detail)


def target_status(row: pd.Series) -> str:
    """"Target met" or "Target not met", stated apart from the rating, or "" without a target."""
    if not row["benchmark_is_target"] or row["target_met"] is None or fmt.is_missing(row["target_met"]):
        return ""
    return "✔ Target met" if bool(row["target_met"]) else "✘ Target not met"


def dot_text(row: pd.Series) -> tuple[str, str]:
    """(glyph and label, the change and its interval or the reason) for a direction of travel."""
    glyph, label = fmt.DOT_TEXT[row["dot"]]
    change = fmt.describe_change(row["dot_change"], row["dot_low"], row["dot_high"], row["dot_unit"])
    if row["dot"] == "not_compared":
        # the raw change is printed even when it is not tested (overlapping periods)
        raw = fmt.raw_change(row["current_value"], row["previous_value"], row["display_format"]) \
            if not fmt.is_missing(row["dot_change"]) else ""
        return f"{glyph} {label}", "; ".join(t for t in (str(row["dot_reason"] or ""), raw and f"change {raw}") if t)
    text = f"{glyph} {label}" + (" (indicative)" if row["dot_indicative"] else "")
    return text, "; ".join(t for t in (change, str(row["dot_reason"] or "")) if t)


def figure_text(row: pd.Series, which: str) -> tuple[str, str]:
    """(headline figure, details such as "n out of d" and the period) for this or last year."""
    value = row[f"{which}_value"]
    numerator, denominator = row[f"{which}_numerator"], row[f"{which}_denominator"]
    period = row[f"{which}_period"]
    if fmt.is_missing(value):
        note = row["current_note"] if which == "current" and not fmt.is_missing(row["current_note"]) else ""
        missing = row.get("missing_reason", "") if which == "current" else ""
        missing = "" if fmt.is_missing(missing) else str(missing)
        return (escape(str(note or "No figure")), escape(missing))
    headline = fmt.format_value(value, row["display_format"])
    details = []
    if row["kind"] == "proportion" and not fmt.is_missing(denominator):
        details.append(fmt.out_of(numerator, denominator, row.get(f"{which}_counts_rounded_to")))
    elif row["kind"] == "rate" and not fmt.is_missing(numerator):
        details.append(f"{fmt.format_count(numerator)} admissions")
    elif row["kind"] == "count" and not fmt.is_missing(denominator):
        details.append(f"{value / denominator * 100:.1f}% of {fmt.format_count(denominator)} waiting")
    if which == "current" and row["current_estimate"] == "forecast":
        details.insert(0, "Forecast")
    if period:
        details.append(period)
    return escape(headline), escape(" · ".join(d for d in details if d))


def benchmark_text(row: pd.Series) -> tuple[str, str]:
    """(benchmark figure, its label) for the rating column."""
    value = row["benchmark_value"]
    band = band_text(row)
    if band:
        return band, str(row["benchmark_label"] or "target band")
    if fmt.is_missing(value):
        return "", str(row["benchmark_label"] or "")
    text = fmt.format_value(value, row["display_format"])
    prefix = {"<": "<", "<=": "≤", ">": ">"}.get(row["benchmark_operator"] or "", "")
    return prefix + text, str(row["benchmark_label"] or "")


def trend_cell(row: pd.Series, series: pd.DataFrame | None) -> str:
    """A sparkline with a text alternative, or the reason there is none."""
    if row["trend_status"] or series is None or series.empty:
        return f'<span class="small">{escape(row["trend_status"] or "")}</span>'
    alt_parts = []
    for _, point in series.iterrows():
        council = fmt.format_value(point["council"], row["display_format"]) or "n/a"
        england = fmt.format_value(point["england"], row["display_format"]) if "england" in point else ""
        alt_parts.append(f"{point['year']}: council {council}" + (f", England {england}" if england else ""))
    alt = "Past trend. " + "; ".join(alt_parts)
    test = f'<div class="small">5-year trend: {escape(row["trend_test"])}</div>' if row["trend_test"] else ""
    return f'<img class="spark" src="{sparkline_uri(series, row["display_format"])}" alt="{escape(alt)}">{test}'


def _legend_rows(texts: dict, first_word: bool, items: list[tuple[str, str]]) -> str:
    """Legend rows: the verdict as shown in the table (glyph and words) and what it means."""
    rows = []
    for key, meaning in items:
        glyph, label = texts[key]
        shown = label.split(" ")[0] if first_word else label
        rows.append(f"<tr><td>{_verdict_html(key, glyph + ' ' + shown)}</td><td>{escape(meaning)}</td></tr>")
    return "".join(rows)


def legend_html() -> str:
    """The key to the glyphs, words and colours."""
    rating = _legend_rows(fmt.RATING_TEXT, first_word=True, items=[
        ("better", "performing significantly better than the benchmark (national average or local target)"),
        ("similar", "not significantly different from the benchmark (for volumes, within 5% of it); whether a "
                    "target was met is shown separately"),
        ("worse", "performing significantly below the benchmark"),
    ])
    dot = _legend_rows(fmt.DOT_TEXT, first_word=False, items=[
        ("improved", "a statistically significant (or, for volumes, a 5% or larger) improvement on last year"),
        ("no_significant_change", "no significant change from last year"),
        ("worsened", "a significant deterioration on last year"),
        ("not_compared", "no like-for-like comparison is possible; the reason is given"),
    ])
    return (
        '<table class="legend"><tr><th>Rating</th><th></th><th>Direction of travel</th><th></th></tr>'
        f"<tr><td colspan=2><table>{rating}</table></td><td colspan=2><table>{dot}</table></td></tr>"
        "<tr><td colspan=4 class=small>Past trend: council (solid line, dots) against England (dashed line, squares) by financial year. "
        "'Indicative' (dotted border) marks a comparison made without a denominator or margin of error, using a stated tolerance.</td></tr></table>"
    )


def dashboard_html(
    table: pd.DataFrame,
    series_by_metric: dict[str, pd.DataFrame],
    this_year_label: str,
    last_year_label: str,
    *,
    plan: str,
) -> str:
    """The whole Appendix A as one HTML fragment: legend, layers, outcomes, rows, footnotes.

    ``plan`` names the plan whose outcomes head the sections (framing.csv, for the period)."""
    footnotes: list[str] = []

    def marker(text: str) -> str:
        if not text:
            return ""
        numbers = []
        for note in text.split(" | "):
            if note not in footnotes:
                footnotes.append(note)
            numbers.append(str(footnotes.index(note) + 1))
        return f"<sup>{','.join(sorted(set(numbers), key=int))}</sup>"

    head = "".join(
        f'<th style="width:{w}">{escape(name.format(this_year=this_year_label, last_year=last_year_label))}</th>'
        for name, w in COLUMNS
    )
    parts = [STYLE, '<div class="scrutiny-dash">', legend_html()]
    for layer, layer_rows in table.groupby("layer", sort=False, observed=True):
        parts.append(f"<h3>{escape(str(layer).upper())}</h3>")
        parts.append(f"<table><thead><tr>{head}</tr></thead><tbody>")
        for (outcome, statement), rows in layer_rows.groupby(["strategic_outcome", "outcome_statement"], sort=False):
            parts.append(
                f'<tr><td class="outcome" colspan="{len(COLUMNS)}">{escape(plan)}: '
                f"<b>{escape(outcome)}</b> – {escape(statement)}</td></tr>"
            )
            for _, row in rows.iterrows():
                parts.append(_row_html(row, series_by_metric.get(row["metric_id"]), marker))
        parts.append("</tbody></table>")
    if footnotes:
        items = "".join(f"<li>{escape(note)}</li>" for note in footnotes)
        parts.append(f'<p><b>Notes</b></p><ol class="footnotes">{items}</ol>')
    parts.append("</div>")
    return "\n".join(parts)


def _row_html(row: pd.Series, series: pd.DataFrame | None, marker) -> str:
    measure = escape(row["framework"] + (f" {row['code']}" if row["code"] else ""))
    if row.get("framework_version"):  # the same code can mean another measure in another framework
        measure += f'<div class="small">{escape(str(row["framework_version"]))} framework</div>'
    rating_label, rating_detail = rating_text(row)
    target = target_status(row)
    bench_value, bench_label = benchmark_text(row)
    dot_label, dot_detail = dot_text(row)
    now_value, now_detail = figure_text(row, "current")
    before_value, before_detail = figure_text(row, "previous")
    rating_cell = (
        (f"<b>{escape(bench_value)}</b><br>" if bench_value else "")
        + f'<span class="small">{escape(bench_label)}</span><br>'
        + (f"<b>{escape(target)}</b><br>" if target else "")
        + _verdict_html(row["rating"], rating_label, bool(row["rating_indicative"]))
        + (f'<div class="small">{escape(rating_detail)}</div>' if rating_detail else "")
    )
    dot_cell = _verdict_html(row["dot"], dot_label, bool(row["dot_indicative"])) + (
        f'<div class="small">{escape(dot_detail)}</div>' if dot_detail else ""
    )
    return (
        "<tr>"
        f"<td>{measure}</td>"
        f"<td>{escape(row['description'])}{marker(row['footnotes'])}</td>"
        f"<td>{escape(row['aim'])}</td>"
        f"<td>{rating_cell}</td>"
        f"<td>{dot_cell}</td>"
        f'<td><b>{now_value}</b><div class="small">{now_detail}</div></td>'
        f'<td><b>{before_value}</b><div class="small">{before_detail}</div></td>'
        f"<td>{trend_cell(row, series)}</td>"
        "</tr>"
    )


def activity_html(table: pd.DataFrame) -> str:
    """Activity figures (information only): this period, the comparison period and the change.
    A period without activity figures gets a sentence, never an empty table."""
    if table is None or table.empty:
        return f'{STYLE}<div class="scrutiny-dash"><p>No activity figures are recorded for this period.</p></div>'
    head = ("<tr><th>Activity</th><th>Latest figure</th><th>Compared with</th><th>Change</th></tr>")
    body = []
    for _, row in table.iterrows():
        now_value, now_detail = figure_text(row, "current")
        before_value, before_detail = figure_text(row, "previous")
        dot_label, dot_detail = dot_text(row)
        body.append(
            f"<tr><td>{escape(row['description'])}</td>"
            f'<td><b>{now_value}</b><div class="small">{now_detail}</div></td>'
            f'<td><b>{before_value if row["previous_period"] else ""}</b><div class="small">{before_detail}</div></td>'
            f"<td>{_verdict_html(row['dot'], dot_label)}<div class=\"small\">{escape(dot_detail)}</div></td></tr>"
        )
    return f'{STYLE}<div class="scrutiny-dash"><table><thead>{head}</thead><tbody>{"".join(body)}</tbody></table></div>'
