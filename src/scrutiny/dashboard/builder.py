"""The quarterly performance dashboard ("Appendix A"): one row per metric.

For each metric the builder picks, from the figures published by the report's cut-off date:
this year's figure, last year's comparable figure, the benchmark (the latest national average
published by the cut-off, or the local target or milestone for the period), then applies the
rating and direction-of-travel rules and gathers the annual series for the past-trend chart.
"""

from __future__ import annotations

import warnings

import pandas as pd

from ..context import ENGLAND, MissingFigureWarning, MissingInputsError, ReportContext, published_by
from ..methods.comparability import SURVEY_BASES, choose_comparison, direction_for, figure_of, metric_rule
from ..methods.rules import Rating, rate_against
from ..methods.trend import five_point_trend
from ..periods import FinancialYear, ReportPeriod, period_label, shift_years
from ..publishing import formatting as fmt

LAYERS = ("Prevent need", "Reduce need", "Delay need", "Meet need")
#: Period bases whose figure must end on the quarter end (year to date, or the position then).
QUARTER_END_BASES = ("financial_ytd", "academic_ytd", "snapshot", "quarter", "six_months")
#: The columns of a dashboard row (:func:`build_row`), also those of an empty table.
ROW_COLUMNS = (
    "metric_id",
    "display_order",
    "layer",
    "strategic_outcome",
    "outcome_statement",
    "framework",
    "framework_version",
    "code",
    "description",
    "polarity",
    "band_polarity",
    "aim",
    "kind",
    "display_format",
    "unit",
    "period_basis",
    "current_period",
    "current_period_start",
    "current_period_end",
    "current_value",
    "current_numerator",
    "current_denominator",
    "current_estimate",
    "current_note",
    "current_source",
    "previous_period",
    "previous_value",
    "previous_numerator",
    "previous_denominator",
    "previous_source",
    "previous_note",
    "benchmark_value",
    "benchmark_label",
    "benchmark_operator",
    "benchmark_is_target",
    "band_low",
    "band_high",
    "rating",
    "rating_basis",
    "materiality",
    "tolerance",
    "rating_ci_low",
    "rating_ci_high",
    "rating_reason",
    "rating_notes",
    "target_met",
    "rating_indicative",
    "dot",
    "dot_basis",
    "dot_change",
    "dot_low",
    "dot_high",
    "dot_p_value",
    "dot_unit",
    "dot_indicative",
    "dot_reason",
    "dot_notes",
    "missing_reason",
    "trend_status",
    "trend_test",
    "footnotes",
)



def _has_value(row: pd.Series) -> bool:
    return not fmt.is_missing(row["value"])


def _is_full_year(row: pd.Series, year: FinancialYear) -> bool:
    return row["period_start"] == year.start and row["period_end"] == year.end


def select_current(rows: pd.DataFrame, metric: pd.Series, period: ReportPeriod) -> pd.Series | None:
    """The figure for the report's period, or None.

    Year-to-date, snapshot, quarterly and six-monthly figures must end on the quarter end (a Q3
    report never shows the April-June figure); surveys use this year's wave; whole-year
    measures the newest whole year. Rolling twelve-month outcome measures, which are published
    with a follow-up lag, use the newest window ending this year, else in the last twelve months
    (never last year's outturn itself). A forecast or a status note (no value) covering the
    quarter end is returned when there is no actual figure.
    """
    year, end = period.year, period.end
    basis = metric["period_basis"]
    if basis in SURVEY_BASES:
        this_year = rows[(rows["period_start"] == year.start) & (rows["period_end"] == year.end)]
        return this_year.iloc[-1] if not this_year.empty else None
    if basis == "financial_year":
        whole = rows[rows["value"].notna() & (rows["period_end"] <= end)]
        whole = whole[whole.apply(lambda r: _is_full_year(r, FinancialYear.containing(r["period_start"])), axis=1)] if not whole.empty else whole
        return whole.sort_values("period_end").iloc[-1] if not whole.empty else None
    actual = rows[(rows["estimate"] != "forecast") & rows["value"].notna() & (rows["period_end"] <= end)]
    covering = rows[
        ((rows["estimate"] == "forecast") | rows["value"].isna())
        & (rows["period_start"] <= end)
        & (rows["period_end"] >= end)
    ]
    if basis in QUARTER_END_BASES:
        at_quarter_end = actual[actual["period_end"] == end]
        if not at_quarter_end.empty:
            return at_quarter_end.sort_values("period_start").iloc[-1]
        return covering.iloc[-1] if not covering.empty else None
    actual = actual[~actual.apply(lambda r: _is_full_year(r, year.previous()), axis=1)] if not actual.empty else actual
    ending_this_year = actual[actual["period_end"] >= year.start]
    if not ending_this_year.empty:
        return ending_this_year.sort_values(["period_end", "period_start"]).iloc[-1]
    if not covering.empty:
        return covering.iloc[-1]
    recent = actual[actual["period_end"] > shift_years(end, -1)]
    if not recent.empty:
        return recent.sort_values(["period_end", "period_start"]).iloc[-1]
    return None


def missing_reason(ctx: ReportContext, metric: pd.Series) -> str:
    """Why a metric has no figure for the report's period, in words for the reader.

    Only what was known by the cut-off is used, so that figures added later (another year's
    inputs, a late revision) never change the report; :func:`missing_diagnosis` says more to
    the analyst. A figure entered under a council code not in councils.csv is named here too.
    """
    obs = ctx.inputs.observations
    wanted = period_label(_expected_start(ctx, metric), ctx.period.end, metric["period_basis"])
    rows = obs[(obs["metric_id"] == metric["metric_id"]) & (obs["period_end"] == ctx.period.end) & obs["value"].notna()
               & (obs["as_of"] <= ctx.cut_off)]
    unknown = rows[~rows["council_code"].isin(ctx.inputs.councils.index)]
    if not unknown.empty:
        code = unknown["council_code"].iloc[0]
        return (f"no figure for {wanted}; observations.csv has one under council code {code!r}, "
                "which is not in councils.csv")
    return f"no figure for {wanted} published by the cut-off ({ctx.cut_off:%d %B %Y})"


def missing_diagnosis(ctx: ReportContext, metric: pd.Series) -> str:
    """The reader's reason (:func:`missing_reason`) and, for the analyst's log, whether
    observations.csv holds a figure for the period dated after the cut-off or none at all."""
    reason = missing_reason(ctx, metric)
    obs = ctx.inputs.observations
    later = obs[(obs["metric_id"] == metric["metric_id"]) & (obs["period_end"] == ctx.period.end)
                & obs["value"].notna() & (obs["council_code"] == ctx.council_code) & (obs["as_of"] > ctx.cut_off)]
    if not later.empty:
        return f"{reason}; observations.csv has one dated {later['as_of'].min():%d %B %Y}"
    if "council code" in reason:
        return reason
    return f"{reason}; observations.csv has none"


def _expected_start(ctx: ReportContext, metric: pd.Series):
    basis = metric["period_basis"]
    if basis == "snapshot":
        return ctx.period.end
    if basis == "quarter":
        return ctx.period.year.quarter_start(ctx.period.quarter)
    if basis == "six_months":
        return _months_before(ctx.period.end, 6)
    if basis == "academic_ytd":
        return ctx.period.end.replace(month=9, day=1) if ctx.period.end.month >= 9 else ctx.period.end.replace(
            year=ctx.period.end.year - 1, month=9, day=1)
    return ctx.period.year.start


def _months_before(end, months: int):
    """The first day of the ``months``-month period ending on ``end`` (a month end)."""
    month = end.month - months + 1
    year = end.year
    while month <= 0:
        month += 12
        year -= 1
    return end.replace(year=year, month=month, day=1)


def select_national_average(ctx: ReportContext, metric_id: str) -> pd.Series | None:
    """The newest England average published by the cut-off date (newest year, then newest release)."""
    averages = ctx.inputs.national_averages
    rows = averages[
        (averages["metric_id"] == metric_id)
        & (averages["area_code"] == ENGLAND)
        & (averages["published"] <= ctx.cut_off)
    ]
    if rows.empty:
        return None
    return rows.sort_values(["period_end", "published"]).iloc[-1]


def select_target(ctx: ReportContext, metric_id: str, current: pd.Series | None) -> pd.Series | None:
    """The local target for this period: a milestone for exactly this period, else the target
    whose period contains this figure's end date."""
    if current is None:
        return None
    targets = ctx.inputs.targets
    rows = targets[
        (targets["council_code"] == ctx.council_code)
        & (targets["metric_id"] == metric_id)
        & (targets["as_of"] <= ctx.cut_off)
    ]
    exact = rows[(rows["period_start"] == current["period_start"]) & (rows["period_end"] == current["period_end"])]
    if not exact.empty:
        return exact.sort_values("as_of").iloc[-1]
    containing = rows[(rows["period_start"] <= current["period_end"]) & (rows["period_end"] >= current["period_end"])]
    if not containing.empty:
        return containing.sort_values(["period_end", "as_of"]).iloc[-1]
    return None


def annual_series(ctx: ReportContext, metric: pd.Series) -> pd.DataFrame:
    """Council and England values by financial year, as known at the cut-off.

    Only whole financial years count; years before a series break are left out.
    """
    metric_id = metric["metric_id"]
    rows = published_by(ctx, metric_id)
    rows = rows[rows["value"].notna() & (rows["estimate"] != "forecast")]
    rows = rows[rows.apply(lambda r: _is_full_year(r, FinancialYear.containing(r["period_start"])), axis=1)] if not rows.empty else rows
    averages = ctx.inputs.national_averages
    england = averages[
        (averages["metric_id"] == metric_id)
        & (averages["area_code"] == ENGLAND)
        & (averages["published"] <= ctx.cut_off)
    ].sort_values(["period_end", "published"]).drop_duplicates(["period_start", "period_end"], keep="last")
    records: dict[str, dict] = {}
    for _, row in rows.iterrows():
        label = FinancialYear.containing(row["period_start"]).label
        records.setdefault(label, {"year": label, "start": row["period_start"]}).update(
            council=row["value"], margin_of_error=row["margin_of_error"], numerator=row["numerator"],
            denominator=row["denominator"],
        )
    for _, row in england.iterrows():
        label = FinancialYear.containing(row["period_start"]).label
        records.setdefault(label, {"year": label, "start": row["period_start"]})["england"] = row["value"]
    national = ctx.national_series.get(metric_id)
    if national is not None:
        for _, row in national.iterrows():  # fills the years the council's own inputs do not hold
            record = records.setdefault(row["year"], {"year": row["year"], "start": row["start"]})
            if fmt.is_missing(record.get("council")) and not fmt.is_missing(row["council"]):
                record.update(council=row["council"], margin_of_error=row["margin_of_error"],
                              numerator=row["numerator"], denominator=row["denominator"])
            if fmt.is_missing(record.get("england")) and not fmt.is_missing(row["england"]):
                record["england"] = row["england"]
    series = pd.DataFrame(
        records.values(),
        columns=["year", "start", "council", "england", "margin_of_error", "numerator", "denominator"],
    )
    if series.empty:
        return series
    series = series.sort_values("start").reset_index(drop=True)
    break_from = metric["series_break_from"]
    if _break_applies(break_from, ctx.period.end):
        series = series[series["start"] >= break_from].reset_index(drop=True)
    series.insert(0, "metric_id", metric_id)
    return series


def _break_applies(break_from, period_end) -> bool:
    """Whether a series break has happened by the report's period end (a later break is another
    year's concern: an earlier year's report never mentions it)."""
    return not fmt.is_missing(break_from) and (period_end is None or break_from <= period_end)


def trend_status(series: pd.DataFrame, metric: pd.Series, period_end=None) -> str:
    """What the past-trend column says when there is no chart to draw, else an empty string."""
    points = 0 if series.empty else int(series["council"].notna().sum())
    if points >= 2:
        return ""
    if _break_applies(metric["series_break_from"], period_end):
        reason = metric["series_break_reason"]
        return f"No trend data available: {reason}." if not fmt.is_missing(reason) else "No trend data available: series break."
    return "No annual series available yet."


def _benchmark(ctx: ReportContext, metric: pd.Series, current: pd.Series | None) -> dict:
    if metric["benchmark_type"] == "national":
        average = select_national_average(ctx, metric["metric_id"])
        if average is None:
            return {"benchmark_value": None, "benchmark_label": "National data not yet published", "is_target": False}
        year = FinancialYear.containing(average["period_start"])
        return {
            "benchmark_value": float(average["value"]),
            "benchmark_label": f"{year.short_label} national average",
            "benchmark_period": year.label,
            "benchmark_published": average["published"],
            "is_target": False,
        }
    if metric["benchmark_type"] == "local_target":
        target = select_target(ctx, metric["metric_id"], current)
        if target is None:
            return {"benchmark_value": None, "benchmark_label": "No local target set", "is_target": True}
        return {
            "benchmark_value": None if fmt.is_missing(target["target"]) else float(target["target"]),
            "benchmark_label": str(target["label"]),
            "benchmark_operator": target["operator"] if not fmt.is_missing(target["operator"]) else None,
            "band": None
            if fmt.is_missing(target["target_low"])
            else (float(target["target_low"]), float(target["target_high"])),
            "is_target": True,
        }
    return {"benchmark_value": None, "benchmark_label": "For information only", "is_target": False}


def build_dashboard(ctx: ReportContext, appendix: bool = True) -> pd.DataFrame:
    """Build the dashboard table: one row per metric in catalogue order, with every verdict.

    ``appendix=False`` builds the activity figures (information only) instead of Appendix A.
    """
    records = []
    metrics = ctx.inputs.metrics.sort_values("display_order")
    metrics = metrics[metrics["appendix"] == appendix]
    for _, metric in metrics.iterrows():
        records.append(build_row(ctx, metric))
    table = pd.DataFrame(records, columns=list(ROW_COLUMNS))
    required = required_metrics(ctx) & set(table["metric_id"])
    missing = table[table["metric_id"].isin(required) & (table["missing_reason"] != "")]
    if not missing.empty:
        raise MissingInputsError(
            f"cannot build the {ctx.period.label} report for {ctx.council_code}: reporting_calendar.csv "
            "requires these figures:\n  - "
            + "\n  - ".join(f"{r.metric_id}: {r.missing_reason}" for r in missing.itertuples())
        )
    table["layer"] = pd.Categorical(table["layer"], categories=LAYERS, ordered=True)
    return table.sort_values(["layer", "display_order"], kind="stable").reset_index(drop=True)


def required_metrics(ctx: ReportContext) -> set[str]:
    """The metrics the reporting calendar's ``required`` cell says the quarter's report must have:
    ``all`` (every metric in the catalogue) or metric_ids separated by ``;``. Empty: none (a
    missing figure is then shown as missing, with its reason, and warned about)."""
    calendar = ctx.inputs.calendar
    row = calendar[(calendar["council_code"] == ctx.council_code)
                   & (calendar["financial_year"] == ctx.period.year.code)
                   & (calendar["quarter"] == ctx.period.quarter)]
    if row.empty or "required" not in row or fmt.is_missing(row["required"].iloc[0]):
        return set()
    text = str(row["required"].iloc[0]).strip()
    known = set(ctx.inputs.metrics["metric_id"])
    if text.lower() == "all":
        return known
    wanted = {part.strip() for part in text.split(";") if part.strip()}
    unknown = sorted(wanted - known)
    if unknown:
        raise MissingInputsError(
            f"data/raw/reporting_calendar.csv, {ctx.council_code} {ctx.period.year.code} quarter "
            f"{ctx.period.quarter}, column 'required': unknown metric(s) {', '.join(unknown)}; expected "
            "'all' or metric_ids from metrics.csv separated by ';'"
        )
    return wanted


def build_row(ctx: ReportContext, metric: pd.Series) -> dict:
    """One dashboard row (see :func:`build_dashboard`)."""
    rule = metric_rule(metric)
    rows = published_by(ctx, metric["metric_id"])
    current = select_current(rows, metric, ctx.period)
    comparison = choose_comparison(rows, current, metric, ctx.period)
    previous = comparison.row
    bench = _benchmark(ctx, metric, current)
    missing = "" if current is not None else missing_reason(ctx, metric)
    if missing and metric["appendix"]:
        warnings.warn(f"{metric['metric_id']}: {missing_diagnosis(ctx, metric)}", MissingFigureWarning, stacklevel=2)

    rated_row, rated_note = current, ""
    if current is not None and not _has_value(current) and previous is not None:
        rated_row = previous
        rated_note = f"rating uses the {period_label(previous['period_start'], previous['period_end'])} figure"
    if metric["polarity"] == "info":
        rating = Rating("not_compared", reason="information only")
    elif rated_row is None:
        rating = Rating("not_compared", reason=missing or "no figure")
    elif rated_row["estimate"] == "forecast":
        rating = Rating("not_compared", reason="forecast, not an actual")
    else:
        rating = rate_against(
            figure_of(rated_row),
            rule,
            bench.get("benchmark_value"),
            is_target=bench.get("is_target", False),
            operator=bench.get("benchmark_operator"),
            band=bench.get("band"),
            confidence=ctx.confidence,
            previous=figure_of(previous) if comparison.comparable and rated_row is current else None,
        )
    direction = direction_for(
        figure_of(current), figure_of(previous), rule, comparison, band=bench.get("band"), confidence=ctx.confidence
    )
    if missing:
        direction = type(direction)("not_compared", reason=missing)

    series = annual_series(ctx, metric)
    trend = five_point_trend(series, metric)

    def label(row: pd.Series | None) -> str:
        if row is None:
            return ""
        basis = metric["period_basis"]
        if basis == "snapshot" and row["period_start"] != row["period_end"]:
            basis = ""  # a whole-year figure of a snapshot measure
        return period_label(row["period_start"], row["period_end"], basis)

    def field(row: pd.Series | None, name: str):
        return None if row is None or fmt.is_missing(row[name]) else row[name]

    # the catalogue's footnotes in force for the report's period (footnotes.csv), printed with a figure
    footnotes = ctx.inputs.footnotes_for(metric["metric_id"]) if current is not None else []
    # a reader's note on this period's figure, worded as the paper prints it (the row already shows
    # the figure's period); notes on the comparison figure stay in the CSV
    if current is not None and not fmt.is_missing(current["note"]) and _has_value(current):
        footnotes.append(str(current["note"]))
    return {
        "metric_id": metric["metric_id"],
        "display_order": int(metric["display_order"]),
        "layer": metric["layer"],
        "strategic_outcome": metric["strategic_outcome"],
        "outcome_statement": metric["outcome_statement"],
        "framework": metric["framework"],
        "framework_version": "" if fmt.is_missing(metric.get("framework_version")) else metric["framework_version"],
        "code": "" if fmt.is_missing(metric["code"]) else metric["code"],
        "description": metric["description"],
        "polarity": metric["polarity"],
        "band_polarity": rule.band_polarity if metric["polarity"] == "band" else "",
        "aim": aim_text(metric["polarity"], rule.band_polarity),
        "kind": metric["kind"],
        "display_format": metric["display_format"],
        "unit": metric["unit"],
        "period_basis": metric["period_basis"],
        "current_period": label(current),
        "current_period_start": field(current, "period_start"),
        "current_period_end": field(current, "period_end"),
        "current_value": field(current, "value"),
        "current_numerator": field(current, "numerator"),
        "current_denominator": field(current, "denominator"),
        "current_estimate": field(current, "estimate"),
        "current_note": field(current, "note"),
        "current_source": field(current, "source"),
        "previous_period": label(previous),
        "previous_value": field(previous, "value"),
        "previous_numerator": field(previous, "numerator"),
        "previous_denominator": field(previous, "denominator"),
        "previous_source": field(previous, "source"),
        "previous_note": field(previous, "note"),
        "benchmark_value": bench.get("benchmark_value"),
        "benchmark_label": bench.get("benchmark_label"),
        "benchmark_operator": bench.get("benchmark_operator"),
        "benchmark_is_target": bench.get("is_target", False),
        "band_low": None if bench.get("band") is None else bench["band"][0],
        "band_high": None if bench.get("band") is None else bench["band"][1],
        "rating": rating.verdict,
        "rating_basis": rating.basis,
        "materiality": rule.materiality,
        "tolerance": rule.fallback_tolerance,
        "rating_ci_low": None if rating.interval is None else rating.interval.low,
        "rating_ci_high": None if rating.interval is None else rating.interval.high,
        "rating_reason": rating.reason or rated_note,
        "rating_notes": "; ".join(rating.notes),
        "target_met": rating.target_met,
        "rating_indicative": rating.indicative,
        "dot": direction.verdict,
        "dot_basis": direction.basis,
        "dot_change": direction.change,
        "dot_low": direction.low,
        "dot_high": direction.high,
        "dot_p_value": direction.p_value,
        "dot_unit": direction.unit,
        "dot_indicative": direction.indicative,
        "dot_reason": direction.reason,
        "dot_notes": "; ".join(direction.notes),
        "missing_reason": missing,
        "trend_status": trend_status(series, metric, ctx.period.end),
        "trend_test": trend,
        "footnotes": " | ".join(footnotes),
    }


def aim_text(polarity: str, band_polarity: str = "band_optimal") -> str:
    """The aim column: high or low is better, a target band (and which side of it is better), or none."""
    if polarity == "band":
        return {"band_optimal": "Within band", "high_is_good": "Within band; above is better",
                "low_is_good": "Within band; below is better"}[band_polarity]
    return {"high": "High", "low": "Low", "info": "N/A"}[polarity]


def summary_counts(table: pd.DataFrame) -> dict[str, dict[str, int]]:
    """How many metrics were better, similar or worse than their benchmark (or within their target
    band); how many of those with a local target or milestone met it; and how many improved, were
    similar or worsened. Each verdict is counted as the table prints it: "within target band" is
    not "better" (statistical-methods.md 8.7, 8.11), and whether a target was met is the separate
    yes/no flag on the point value (section 1, rule 2), never folded into the rating.
    Information-only metrics and "not compared" verdicts are counted apart."""
    rating = table["rating"].value_counts().to_dict()
    dot = table["dot"].value_counts().to_dict()
    met = table["target_met"] if "target_met" in table else pd.Series(dtype=object)
    return {
        "rating": {
            "better": rating.get("better", 0),
            "similar": rating.get("similar", 0),
            "worse": rating.get("worse", 0),
            "on_target": rating.get("on_target", 0),
            "not_compared": rating.get("not_compared", 0) + rating.get("higher", 0) + rating.get("lower", 0),
        },
        "target": {
            "met": int((met == True).sum()),  # noqa: E712 (True, False or missing)
            "not_met": int((met == False).sum()),  # noqa: E712
        },
        "dot": {
            "improved": dot.get("improved", 0),
            "no_significant_change": dot.get("no_significant_change", 0),
            "worsened": dot.get("worsened", 0),
            "not_compared": dot.get("not_compared", 0) + dot.get("increased", 0) + dot.get("decreased", 0),
        },
    }
