"""Sentences for the covering report, drafted from the dashboard table.

The wording follows the committee papers ("At the end of December 2025, 87.6% (1,286 out of
1,468) ... similar to 87.3% in 2024/25 and above the national average of 81.4%") but every
comparison word comes from the statistical verdict, not from the size of the difference.
"""

from __future__ import annotations

import pandas as pd

from ..publishing import formatting as fmt
from .render import band_text

_DOT_PHRASE = {
    "improved": "a significant improvement on",
    "worsened": "a significant deterioration from",
    "no_significant_change": "similar to",
    "increased": "an increase on",
    "decreased": "a decrease from",
}
_RATING_PHRASE = {
    "better": "better than",
    "similar": "similar to",
    "worse": "below",
    "higher": "higher than",
    "lower": "lower than",
    "on_target": "within",
}

#: A rating against a target band (statistical-methods.md, 8.7): where the figure lies, and
#: whether that is significant; better or worse follow the band's polarity.
_BAND_PHRASE = {
    "on_target": "within the {label} of {band}",
    "similar": "{side} the {label} of {band} but not significantly outside it",
    "better": "{side} the {label} of {band}, which is better",
    "worse": "{side} the {label} of {band} (off target)",
}


def _period_phrase(row: pd.Series) -> str:
    start, end = row["current_period_start"], row["current_period_end"]
    if fmt.is_missing(end):
        return ""
    if start == end:
        return f"At the end of {end:%B %Y}"
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if months == 12 and start.month == 4 and start.day == 1:
        return f"In {start.year}/{(start.year + 1) % 100:02d}"
    if months == 12:
        return f"In the 12 months to {end:%B %Y}"
    if start.year == end.year:
        return f"Between {start:%B} and {end:%B %Y}"
    return f"Between {start:%B %Y} and {end:%B %Y}"


def _figure(row: pd.Series, which: str) -> str:
    value = fmt.format_value(row[f"{which}_value"], row["display_format"])
    if row["kind"] == "proportion":
        counts = fmt.out_of(row[f"{which}_numerator"], row[f"{which}_denominator"], row.get(f"{which}_counts_rounded_to"))
        return f"{value} {counts}".strip()
    if row["kind"] == "rate" and not fmt.is_missing(row[f"{which}_numerator"]):
        return f"{value} ({fmt.format_count(row[f'{which}_numerator'])} admissions)"
    if row["display_format"] == "thousands1":
        return fmt.published_count(row[f"{which}_value"], row["display_format"])
    return value


def _lower_first(text: str) -> str:
    """Lower-case the first letter for use mid-sentence, unless it starts a proper noun or an
    acronym ("Leicestershire Adult Learning Service", "Section 42", "BCF")."""
    words = text.split()
    if not words:
        return text
    first = words[0]
    second = words[1] if len(words) > 1 else ""
    keeps_capital = (
        first[1:2].isupper()  # an acronym
        or any(ch.isdigit() for ch in first)
        or (second[:1].isupper() or second[:1].isdigit())  # a name of two or more words, "Section 42"
    )
    return text if keeps_capital else first[0].lower() + text[1:]


def _when(label: str) -> str:
    """'in 2024/25', 'at the end of Mar-25', 'in Apr-Dec 2024'."""
    return f"at the {label[0].lower()}{label[1:]}" if label.startswith("End of") else f"in {label}"


def _subject(row: pd.Series) -> str:
    code = f"{row['framework']} {row['code']}".strip() if row["framework"] == "ASCOF" else ""
    description = row["description"]
    if description.startswith("% of "):
        description = "the proportion of " + description[5:]
    elif description.lower().startswith("number of"):
        description = f"the {_lower_first(description)}"
    elif row["kind"] == "count":
        description = f"the number of {_lower_first(description)}"
    return f"{description} ({code})" if code else description


def metric_sentence(row: pd.Series) -> str:
    """One sentence on a metric: this year's figure, last year's, and the benchmark."""
    subject = _subject(row)
    if fmt.is_missing(row["current_value"]):
        reason = row.get("missing_reason")
        note = next((str(text) for text in (row["current_note"], reason) if not fmt.is_missing(text) and text),
                    "no figure is available yet")
        text = f"{subject[0].upper()}{subject[1:]}: {str(note).rstrip('.')}."
        if not fmt.is_missing(row["previous_value"]):
            text += f" The latest result, {_figure(row, 'previous')} {_when(row['previous_period'])}"
            if row["rating"] != "not_compared" and not fmt.is_missing(row["benchmark_value"]):
                text += (
                    f", was {_RATING_PHRASE[row['rating']]} the {row['benchmark_label']} of "
                    f"{fmt.format_value(row['benchmark_value'], row['display_format'])}"
                )
            text += "."
        return text
    lead = _period_phrase(row)
    forecast = row["current_estimate"] == "forecast"
    verb = "is forecast at" if forecast else "was"
    text = f"{lead}, {_lower_first(subject)} {verb} {_figure(row, 'current')}"
    clauses = []
    if not fmt.is_missing(row["previous_value"]):
        previous = f"{_figure(row, 'previous')} {_when(row['previous_period'])}"
        if row["dot"] in _DOT_PHRASE:
            qualifier = f" ({row['dot_reason']})" if row["dot_reason"] else ""
            clauses.append(f"{_dot_phrase(row)} {previous}{qualifier}")
        else:
            change = fmt.raw_change(row["current_value"], row["previous_value"], row["display_format"]) \
                if not fmt.is_missing(row["dot_change"]) else ""
            raw = f"; a change of {change}" if change else ""
            clauses.append(f"against {previous} (not compared: {row['dot_reason']}{raw})")
    band = band_text(row)
    if band and row["rating"] in _BAND_PHRASE:
        above = not fmt.is_missing(row["band_high"]) and row["current_value"] > row["band_high"]
        side = "above" if above else "below"
        clauses.append(_BAND_PHRASE[row["rating"]].format(side=side, band=band, label=row["benchmark_label"]))
    elif row["rating"] in _RATING_PHRASE and not fmt.is_missing(row["benchmark_value"]):
        benchmark = (fmt.published_count(row["benchmark_value"], row["display_format"])
                     if row["display_format"] == "thousands1"
                     else fmt.format_value(row["benchmark_value"], row["display_format"]))
        phrase = _RATING_PHRASE[row["rating"]]
        if row["rating"] == "similar" and row["rating_basis"] == "materiality":
            phrase = f"within {row['materiality']:.0%} of"
        if row["benchmark_is_target"]:
            met = {True: "met", False: "not met"}.get(row["target_met"], "")
            label = str(row["benchmark_label"])
            label = label if label[1:2].isupper() or label[1:2].isdigit() else label[0].lower() + label[1:]
            clauses.append(f"{phrase} the {label} of {benchmark}" + (f" (target {met})" if met else ""))
        else:
            clauses.append(f"{phrase} the {row['benchmark_label']} of {benchmark}")
    if row["rating_indicative"]:
        clauses.append("a comparison that is indicative only")
    if clauses:
        text += ", " + (" and ".join(clauses) if len(clauses) <= 2 else ", ".join(clauses[:-1]) + " and " + clauses[-1])
    return text + "."


def _dot_phrase(row: pd.Series) -> str:
    """The comparison words for a direction of travel: "significant" only for statistical tests;
    a volume judged by materiality "rose by at least 5%"."""
    if row["dot_basis"] == "materiality" and row["dot"] in ("improved", "worsened", "increased", "decreased"):
        rise = not fmt.is_missing(row["dot_change"]) and row["dot_change"] > 0
        return f"a {'rise' if rise else 'fall'} of at least {row['materiality']:.0%} {'on' if rise else 'from'}"
    if row["dot_basis"] == "materiality" and row["dot"] == "no_significant_change":
        return f"within {row['materiality']:.0%} of"
    return _DOT_PHRASE[row["dot"]]


#: Why a direction of travel was not compared, grouped for the summary (first match wins).
_NOT_COMPARED_GROUPS = (
    ("information only", "information-only metrics"),
    ("overlapping", "overlapping periods whose change was not significant"),
    ("part-year", "part-year figures with no same part-year last year"),
    ("forecast", "forecasts"),
    ("series break", "series breaks"),
    ("no figure", "figures not yet published"),
    ("no earlier", "no earlier figure to compare with"),
)


def not_compared_reasons(table: pd.DataFrame) -> list[str]:
    """The groups of reasons that actually occurred among rows not compared with last year."""
    reasons = []
    for _, row in table[table["dot"] == "not_compared"].iterrows():
        text = "information only" if row["polarity"] == "info" else str(row["dot_reason"])
        group = next((label for key, label in _NOT_COMPARED_GROUPS if key in text), "other reasons")
        if group not in reasons:
            reasons.append(group)
    return reasons


def summary_sentence(counts: dict[str, dict[str, int]], total: int, table: pd.DataFrame | None = None) -> str:
    """How many metrics were better, similar or below benchmark, and improved, similar or worse;
    with ``table``, the reasons (only those that occurred) why the others were not compared."""
    r, t, d = counts["rating"], counts["target"], counts["dot"]
    rated = r["better"] + r["similar"] + r["worse"] + r["on_target"]
    compared = d["improved"] + d["no_significant_change"] + d["worsened"]
    verdicts = [f"{r['better']} performed better", f"{r['similar']} similar", f"{r['worse']} below"]
    if r["on_target"]:
        verdicts.append(f"{r['on_target']} within their target band")
    with_target = t["met"] + t["not_met"]
    targets = (f"{with_target} {'has' if with_target == 1 else 'have'} a local target or milestone for the "
               f"period: {t['met']} met it and {t['not_met']} did not. ") if with_target else ""
    text = (
        f"Of the {total} metrics, {rated} could be rated against a national average or local target: "
        f"{', '.join(verdicts[:-1])} and {verdicts[-1]}. {targets}"
        f"{compared} could be compared like for like with last year: {d['improved']} improved, "
        f"{d['no_significant_change']} showed no significant change and {d['worsened']} worsened"
    )
    others = total - compared
    if not others:
        return text + "."
    if table is None:
        return text + f"; the other {others} were not compared."
    reasons = not_compared_reasons(table)
    listed = reasons[0] if len(reasons) == 1 else ", ".join(reasons[:-1]) + " and " + reasons[-1]
    return text + f"; the other {others} were not compared ({listed})."


def sentences(table: pd.DataFrame) -> list[str]:
    """One sentence per row, in table order."""
    return [metric_sentence(row) for _, row in table.iterrows()]


def layer_paragraphs(table: pd.DataFrame) -> dict[str, list[str]]:
    """The sentences for every metric, grouped by strategy layer in table order."""
    grouped: dict[str, list[str]] = {}
    for _, row in table.iterrows():
        grouped.setdefault(str(row["layer"]), []).append(metric_sentence(row))
    return grouped
