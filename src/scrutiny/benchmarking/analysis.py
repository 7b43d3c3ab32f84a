"""National benchmarking of ASCOF measures: ranks, quartiles, verdicts, themes and summaries.

Ranks follow ``statistical-methods.md`` 7.1-7.2 and 7.5: rank 1 is best by the measure's
polarity, ties share the better rank (competition "min" ranking), the quartile is ceil(4r/n)
(so the first quartile is "within the top 25%"), and a composite "average rank" is the mean
normalised rank (r - 1)/(n - 1) over the measures a council has, published only when it has at
least 75% of them. Verdicts against England and the comparator-group average use the same
significance-aware rating rule as the dashboard.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..methods.comparability import Comparison, assess_pair, direction_for, financial_year_period, metric_rule
from ..methods.comparability import figure_of as _figure_of
from ..methods.rules import Figure, rate_against

GROUP_LABELS = {
    "nearest_neighbours": "nearest-neighbour group",
    "county_councils": "county councils",
    "region": "councils in the region",
    "all_councils": "all councils",
}


def competition_rank(scores: pd.Series) -> pd.Series:
    """Rank 1 = highest score; ties share the better rank (1, 2, 2, 4)."""
    return scores.rank(method="min", ascending=False).astype("Int64")


def quartile(rank: int, n: int) -> int | None:
    """ceil(4r/n), or None with fewer than 4 comparators."""
    if n < 4 or rank is None or pd.isna(rank):
        return None
    return math.ceil(4 * int(rank) / n)


def counts_rounded(measure: pd.Series) -> bool:
    """Whether DHSC rounds the councils' counts of this measure (``counts_rounded_to`` in the catalogue)."""
    rounded = measure.get("counts_rounded_to")
    return rounded is not None and not pd.isna(rounded)


def precise_value(rows: pd.DataFrame, multiplier: float, rounded_counts: bool = False) -> pd.Series:
    """The value to rank on: x/n times the multiplier where both are known and exact, else the outcome.

    Where DHSC rounds the counts (4B: to the nearest 5) x/n is less precise than the published
    outcome, so the outcome is used (statistical-methods.md 7.1: rank on the most precise value).
    """
    if rounded_counts:
        return rows["outcome"]
    ratio = rows["numerator"] / rows["denominator"] * multiplier
    usable = rows["numerator"].notna() & rows["denominator"].notna() & (rows["denominator"] > 0)
    return ratio.where(usable, rows["outcome"])


def score(values: pd.Series, polarity: str) -> pd.Series:
    """Higher score = better: the value itself, or minus it when lower is better."""
    return -values if polarity == "low" else values


def figure_of(row: pd.Series | None) -> Figure:
    """A rules figure from a row of the national tables (the published figure is ``outcome``)."""
    return _figure_of(row, value_column="outcome")


def previous_year_comparison(row: pd.Series, year: str, before: str) -> Comparison:
    """Whether last year's national figure may be compared with this year's (one rule for every
    report: :func:`scrutiny.methods.comparability.assess_pair`)."""
    status, reason, months = assess_pair(*financial_year_period(year), *financial_year_period(before))
    return Comparison(row, status, reason, months)


def on_published_outcome(row: pd.Series, multiplier: float) -> pd.Series:
    """A row whose numerator is re-derived from the published outcome (for rounded counts).

    The interval is then centred on the published value, with the (rounded) denominator as its
    size: rounding a denominator of hundreds to 5 barely changes the interval's width.
    """
    row = row.copy()
    if not pd.isna(row["outcome"]) and not pd.isna(row["denominator"]):
        row["numerator"] = float(row["outcome"]) / multiplier * float(row["denominator"])
    return row


def previous_year(year: str) -> str:
    """``2024-25`` -> ``2023-24``."""
    first = int(year[:4]) - 1
    return f"{first}-{(first + 1) % 100:02d}"


def published_measures(tidy: pd.DataFrame, year: str) -> list[str]:
    """Measures with at least one council outcome in the year, in catalogue order."""
    rows = tidy[(tidy["year"] == year) & (tidy["level"] == "Local authority") & tidy["outcome"].notna()]
    return list(dict.fromkeys(rows["measure"]))


@dataclass
class Benchmark:
    """Everything the benchmarking report shows, for one council, year and comparator group."""

    council: str
    council_name: str
    year: str
    group: str
    group_codes: list[str]
    table: pd.DataFrame  # one row per measure
    ranks: pd.DataFrame  # measure x council: value, rank within group, normalised rank
    themes: pd.DataFrame
    all_councils: pd.DataFrame  # values of every council for every measure (for the charts)

    @property
    def group_label(self) -> str:
        return GROUP_LABELS.get(self.group, self.group)


def benchmark(
    tidy: pd.DataFrame,
    measures: pd.DataFrame,
    lookup: pd.DataFrame,
    council: str,
    year: str,
    group: str,
    group_codes: list[str],
    confidence: float = 0.95,
) -> Benchmark:
    """Build the benchmarking tables for ``council`` in ``year`` against ``group_codes``."""
    year_rows = tidy[tidy["year"] == year]
    councils = year_rows[(year_rows["level"] == "Local authority") & year_rows["ons_code"].isin(lookup.index)]
    council_name = str(lookup.loc[council, "name"])
    region_name = str(lookup.loc[council, "region"])
    rows, rank_frames, all_frames = [], [], []
    for code in published_measures(tidy, year):
        measure = measures.loc[code]
        rule = metric_rule(measure)
        these = councils[councils["measure"] == code].set_index("ons_code")
        printed = these  # the counts as DHSC prints them (rounded for some measures)
        valid = these[these["outcome"].notna()].copy()
        rounded = counts_rounded(measure)
        if rounded:
            these = these.apply(on_published_outcome, axis=1, multiplier=float(measure["multiplier"]))
            valid = these[these["outcome"].notna()].copy()
        valid["value"] = precise_value(valid, float(measure["multiplier"]), rounded)
        valid["score"] = score(valid["value"], measure["polarity"])
        valid["rank_all"] = competition_rank(valid["score"])
        in_group = valid[valid.index.isin(group_codes)].copy()
        in_group["rank_group"] = competition_rank(in_group["score"])
        n_group = len(in_group)
        in_group["normalised_rank"] = (in_group["rank_group"] - 1) / (n_group - 1) if n_group > 1 else np.nan
        rank_frames.append(in_group.assign(measure=code)[["measure", "value", "rank_group", "normalised_rank"]])
        all_frames.append(valid.assign(measure=code, in_group=valid.index.isin(group_codes))[
            ["measure", "area_name", "value", "outcome", "rank_all", "in_group"]])

        england = year_rows[(year_rows["measure"] == code) & (year_rows["level"] == "England")]
        region = year_rows[(year_rows["measure"] == code) & (year_rows["level"] == "Region")
                           & (year_rows["area_name"].str.lower() == region_name.lower())]
        england_value = float(england["outcome"].iloc[0]) if not england.empty and england["outcome"].notna().any() else None
        region_value = float(region["outcome"].iloc[0]) if not region.empty and region["outcome"].notna().any() else None
        group_average = float(in_group["outcome"].mean()) if n_group else None

        mine = these.loc[council] if council in these.index else None
        has_value = mine is not None and not pd.isna(mine["outcome"])
        figure = figure_of(mine) if has_value else Figure(None)
        vs_england = rate_against(figure, rule, england_value, confidence=confidence)
        vs_group = rate_against(figure, rule, group_average, confidence=confidence)
        rank_group = in_group.loc[council, "rank_group"] if has_value and council in in_group.index else None
        rank_all = valid.loc[council, "rank_all"] if has_value else None
        point_ok = None
        if has_value and group_average is not None:
            value = float(mine["outcome"])
            point_ok = value <= group_average if measure["polarity"] == "low" else value >= group_average

        before = tidy[(tidy["measure"] == code) & (tidy["year"] == previous_year(year)) & (tidy["ons_code"] == council)]
        if has_value and not before.empty and before["outcome"].notna().any():
            comparison = previous_year_comparison(before.iloc[0], year, previous_year(year))
            previous = on_published_outcome(before.iloc[0], rule.multiplier) if rounded else before.iloc[0]
            direction = direction_for(figure, figure_of(previous), rule, comparison, confidence=confidence)
            previous_value = float(before["outcome"].iloc[0])
        else:
            direction, previous_value = None, None
        rows.append({
            "measure": code,
            "title": measure["title"],
            "theme": measure["theme"],
            "polarity": measure["polarity"],
            "display_format": measure["display_format"],
            "value": float(mine["outcome"]) if has_value else None,
            "numerator": None if not has_value or pd.isna(printed.loc[council, "numerator"]) else float(printed.loc[council, "numerator"]),
            "denominator": None if not has_value or pd.isna(printed.loc[council, "denominator"]) else float(printed.loc[council, "denominator"]),
            "margin_of_error": None if not has_value or pd.isna(mine["margin_of_error"]) else float(mine["margin_of_error"]),
            "marker": "" if mine is None else mine["marker"],
            "counts_rounded_to": float(measure["counts_rounded_to"]) if rounded else None,
            "england": england_value,
            "region": region_value,
            "group_average": group_average,
            "group_n": n_group,
            "rank_group": None if rank_group is None or pd.isna(rank_group) else int(rank_group),
            "quartile_group": quartile(rank_group, n_group) if rank_group is not None else None,
            "rank_all": None if rank_all is None or pd.isna(rank_all) else int(rank_all),
            "n_all": len(valid),
            "quartile_all": quartile(rank_all, len(valid)) if rank_all is not None else None,
            "vs_england": vs_england.verdict,
            "vs_england_basis": vs_england.basis,
            "vs_group": vs_group.verdict,
            "at_or_better_than_group_point": point_ok,
            "previous_value": previous_value,
            "change": "not_compared" if direction is None else direction.verdict,
            "change_reason": "no figure for the previous year (new measure or new definition)" if direction is None
            else direction.reason,
        })
    table = pd.DataFrame(rows)
    ranks = pd.concat(rank_frames).reset_index() if rank_frames else pd.DataFrame()
    all_councils = pd.concat(all_frames).reset_index() if all_frames else pd.DataFrame()
    themes = theme_scores(ranks, table, council)
    return Benchmark(council, council_name, year, group, group_codes, table, ranks, themes, all_councils)


def composite_scores(ranks: pd.DataFrame, measures_in_theme: list[str], coverage: float = 0.75) -> pd.DataFrame:
    """Mean normalised rank per council over a set of measures (0 = best), with its rank.

    Councils with values for fewer than ``coverage`` of the measures get no composite.
    """
    subset = ranks[ranks["measure"].isin(measures_in_theme)]
    grouped = subset.groupby("ons_code").agg(
        composite=("normalised_rank", "mean"), average_rank=("rank_group", "mean"), measures=("measure", "nunique"))
    enough = grouped["measures"] >= coverage * len(measures_in_theme)
    grouped.loc[~enough, ["composite", "average_rank"]] = np.nan
    grouped["composite_rank"] = grouped["composite"].rank(method="min").astype("Int64")
    return grouped.reset_index()


def theme_scores(ranks: pd.DataFrame, table: pd.DataFrame, council: str) -> pd.DataFrame:
    """For each theme and overall: the council's average rank, composite and quartile profile."""
    if ranks.empty:
        return pd.DataFrame()
    rows = []
    themes = list(dict.fromkeys(table["theme"])) + ["Overall"]
    for theme in themes:
        in_theme = list(table["measure"]) if theme == "Overall" else list(table.loc[table["theme"] == theme, "measure"])
        scores = composite_scores(ranks, in_theme)
        mine = scores[scores["ons_code"] == council]
        rows_in_theme = table[table["measure"].isin(in_theme)]
        profile = rows_in_theme["quartile_group"].value_counts()
        rows.append({
            "theme": theme,
            "measures": len(in_theme),
            "average_rank": None if mine.empty else mine["average_rank"].iloc[0],
            "composite_score": None if mine.empty else mine["composite"].iloc[0],
            "composite_rank": None if mine.empty or pd.isna(mine["composite_rank"].iloc[0]) else int(mine["composite_rank"].iloc[0]),
            "councils_ranked": int(scores["composite"].notna().sum()),
            "q1": int(profile.get(1, 0)), "q2": int(profile.get(2, 0)),
            "q3": int(profile.get(3, 0)), "q4": int(profile.get(4, 0)),
        })
    return pd.DataFrame(rows)


def quadrant_table(ranks: pd.DataFrame, table: pd.DataFrame, lookup: pd.DataFrame, second: pd.DataFrame,
                   second_column: str) -> pd.DataFrame:
    """Overall composite performance of each council in the group against a second measure."""
    scores = composite_scores(ranks, list(table["measure"]))
    merged = scores.merge(second[["ons_code", second_column]], on="ons_code", how="left")
    merged["name"] = merged["ons_code"].map(lookup["name"])
    return merged.sort_values("composite")


#: A year's group average is shown only when at least this share of the group has a figure
#: (in 2020-21 the survey was voluntary and most councils did not run it).
MIN_TREND_GROUP_SHARE = 0.5


def trend_table(tidy: pd.DataFrame, table: pd.DataFrame, council: str, group_codes: list[str]) -> pd.DataFrame:
    """Council, England and peer average by year for the survey measures with a series.

    ``group_councils`` is how many councils each year's average is taken over; the average is
    left empty (a gap in the chart) when fewer than :data:`MIN_TREND_GROUP_SHARE` of the group
    have a figure, so that an average of one or two councils is not drawn as the group's line.
    """
    survey = table.loc[table["theme"] == "Adult Social Care - Perceptions", "measure"]
    rows = tidy[tidy["measure"].isin(survey) & tidy["outcome"].notna()]
    records = []
    for (code, year), group in rows.groupby(["measure", "year"]):
        council_rows = group[group["ons_code"] == council]
        england = group[group["level"] == "England"]
        peers = group[group["ons_code"].isin(group_codes) & (group["level"] == "Local authority")]
        enough = len(peers) >= max(1, MIN_TREND_GROUP_SHARE * len(group_codes))
        records.append({
            "measure": code, "year": year,
            "council": council_rows["outcome"].iloc[0] if not council_rows.empty else None,
            "council_margin_of_error": council_rows["margin_of_error"].iloc[0] if not council_rows.empty else None,
            "england": england["outcome"].iloc[0] if not england.empty else None,
            "group_average": peers["outcome"].mean() if enough else None,
            "group_councils": len(peers),
        })
    trend = pd.DataFrame(records)
    if trend.empty:
        return trend
    trend[["council", "council_margin_of_error", "england", "group_average"]] = trend[
        ["council", "council_margin_of_error", "england", "group_average"]].apply(pd.to_numeric)
    counts = trend.dropna(subset=["council"]).groupby("measure")["year"].count()
    return trend[trend["measure"].isin(counts[counts >= 2].index)].sort_values(["measure", "year"]).reset_index(drop=True)


def summary(bench: Benchmark) -> dict[str, object]:
    """The figures behind the paper's summary sentences."""
    table = bench.table[bench.table["value"].notna()]
    in_line = table["vs_group"].isin(["better", "similar"])
    point = table["at_or_better_than_group_point"].fillna(False).astype(bool)
    bottom = table[table["quartile_all"] == 4]
    improved = table[table["change"] == "improved"]
    worsened = table[table["change"] == "worsened"]
    return {
        "measures": len(table),
        "in_line_or_better": int(in_line.sum()),
        "better": int((table["vs_group"] == "better").sum()),
        "similar": int((table["vs_group"] == "similar").sum()),
        "worse": int((table["vs_group"] == "worse").sum()),
        "point_at_or_better": int(point.sum()),
        "bottom_quartile": list(bottom["measure"] + " " + bottom["title"]),
        "improved": list(improved["measure"] + " " + improved["title"]),
        "worsened": list(worsened["measure"] + " " + worsened["title"]),
    }


def summary_sentences(bench: Benchmark, year_label: str) -> list[str]:
    """The summary the paper writes by hand, drafted from the data."""
    s = summary(bench)
    n = s["measures"]
    pct = lambda k: f"{100 * k / n:.0f}%" if n else "0%"  # noqa: E731
    sentences = [
        f"Of the {n} ASCOF measures published for {year_label}, {bench.council_name} was in line with or "
        f"better than the {bench.group_label} average for {s['in_line_or_better']} ({pct(s['in_line_or_better'])}): "
        f"significantly better for {s['better']}, not significantly different for {s['similar']}, and "
        f"significantly worse for {s['worse']}.",
        f"Comparing the published values alone, without allowing for their precision, {bench.council_name} was at or "
        f"better than the group average for {s['point_at_or_better']} ({pct(s['point_at_or_better'])}) of them; the "
        "difference from the count above is the measures whose gap from the average is within the margin of "
        "random variation (or, in the other direction, small but significant).",
    ]
    if s["bottom_quartile"]:
        bottom = bench.table[bench.table["value"].notna() & (bench.table["quartile_all"] == 4)]
        listed = [f"{row['measure']} {row['title']} ({int(row['rank_all'])} of {int(row['n_all'])})" for _, row in bottom.iterrows()]
        sentences.append("In the bottom quartile of all councils with a figure (rank of councils with the measure, "
                         "1 = best): " + "; ".join(listed) + ".")
    else:
        sentences.append("No measure is in the bottom quartile of all councils.")
    if s["improved"]:
        sentences.append("Significantly improved since last year: " + "; ".join(s["improved"]) + ".")
    else:
        sentences.append("No measure improved significantly since last year (client level data measures have "
                         "no earlier year on the same definition).")
    if s["worsened"]:
        sentences.append("Significantly worse than last year: " + "; ".join(s["worsened"]) + ".")
    return sentences
