"""The committee paper's parts drafted from the data: the summary table, the headline statements,
and the list of places where a hand-written paper disagrees with the appendix it summarises.

Every number in a sentence is read from the comparison table; nothing is typed in.
"""

from __future__ import annotations

import math

import pandas as pd

from .catalogue import metric
from .pack import paper_published
from .report import UseOfResourcesReport, previous_year, value

#: The summary table's rows (the paper's paragraph 12): label and metric.
SUMMARY_ROWS = (
    ("Spend per adult", "11518"),
    ("Spend per older adult (65+)", "11533"),
    ("Spend per younger adult (18-64)", "11530"),
    ("% adults supported (long-term)", "11515"),
    ("% 65+ supported (long-term)", "11517"),
    ("% 18-64 supported (long-term)", "11516"),
    ("NHS income as % of revised gross expenditure", "12298"),
    ("Service user contributions as % of revised spend", "11521"),
)
QUARTILE_WORDS = {1: "top quartile", 2: "second quartile", 3: "third quartile", 4: "bottom quartile"}


def _nan(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def figure(metric_id: str, number: float) -> str:
    """A figure in the metric's unit and printed decimals (£ with separators, % with the sign)."""
    if _nan(number):
        return "not available"
    row = metric(metric_id)
    decimals = int(row["decimals"])
    text = f"{number:,.{decimals}f}"
    if row["unit"].startswith("GBP"):
        return f"£{text}"
    if row["unit"] == "%":
        return f"{text}%"
    return text


def change(now: float, before: float) -> float:
    return (now / before - 1) * 100


def ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def from_bottom(rank: int, councils: int) -> str:
    """'lowest', 'second lowest', ... for ranks at the bottom (rank 1 = highest)."""
    place = councils - rank + 1
    return "lowest" if place == 1 else f"{ordinal(place).replace('2nd', 'second').replace('3rd', 'third')} lowest"


def from_top(place: int) -> str:
    """'highest', 'second highest', '9th highest'."""
    return "highest" if place == 1 else f"{ordinal(place).replace('2nd', 'second').replace('3rd', 'third')} highest"


def _benchmark(report: UseOfResourcesReport, metric_id: str) -> tuple[float, str]:
    """England where published, else the mean of all councils (named as such)."""
    england = value(report, metric_id, column="england")
    if not _nan(england):
        return england, "England"
    return value(report, metric_id, column="all_mean"), f"the mean of all {report.benchmark_councils} councils"


def relative_position(report: UseOfResourcesReport, metric_id: str) -> str:
    """Rank of N, quartile and the gap to England (or to the mean of all councils)."""
    rank = value(report, metric_id, column="rank")
    councils = report.benchmark_councils
    benchmark, name = _benchmark(report, metric_id)
    council = value(report, metric_id)
    parts = []
    if not _nan(rank):
        rank = int(rank)
        place = f"{rank}/{councils}"
        if rank > councils * 0.9:
            place += f": {from_bottom(rank, councils)} of the councils"
        elif rank <= councils * 0.1:
            place += ": among the highest of the councils"
        quartile = math.ceil(4 * rank / councils)
        parts.append(f"{place} ({QUARTILE_WORDS[quartile]}, rank 1 = highest)")
    if not (_nan(benchmark) or _nan(council)):
        gap = change(council, benchmark)
        size = "slightly " if abs(gap) < 10 else ""
        parts.append(f"{abs(gap):.0f}% {size}{'below' if gap < 0 else 'above'} {name}")
    return "; ".join(parts)


def paper_applies(report: UseOfResourcesReport) -> bool:
    """The pack's committee paper is about the report's year and was published by its cut-off."""
    if report.pack is None or report.year is None:
        return False
    published = paper_published(report.pack)
    return (published is not None and published <= report.context.cut_off
            and report.pack.claims["year"].max() == report.year)


def summary_table(report: UseOfResourcesReport) -> pd.DataFrame:
    """The paper's summary table drafted from the data, with the printed paper alongside where known."""
    rows = []
    printed = report.pack.summary_table.set_index("metric_id") if paper_applies(report) else None
    for label, metric_id in SUMMARY_ROWS:
        benchmark, name = _benchmark(report, metric_id)
        row = {"metric": label, "metric_id": metric_id, "council": figure(metric_id, value(report, metric_id)),
               "benchmark": figure(metric_id, benchmark), "benchmark_is": name,
               "relative_position": relative_position(report, metric_id)}
        if printed is not None and metric_id in printed.index:
            row["paper_council"] = printed.loc[metric_id, "council_printed"]
            row["paper_england"] = printed.loc[metric_id, "england_printed"]
            row["paper_relative_position"] = printed.loc[metric_id, "relative_position_printed"]
        rows.append(row)
    return pd.DataFrame(rows)


def _compare_word(a: float, b: float, more: str = "more", less: str = "less") -> str:
    return more if a > b else (less if a < b else "the same as")


def headlines(report: UseOfResourcesReport) -> list[str]:
    """The headline statements (paragraphs 8 to 40 of the paper), each drafted from the figures."""
    la, year, before = report.council_name, report.year, previous_year(report.year)
    y, y0 = year.replace("-", "/"), before.replace("-", "/")
    v = lambda m, c="council", at=None: value(report, m, at or year, c)  # noqa: E731
    out: list[str] = []

    spend, england = v("11518"), v("11518", "england")
    if not (_nan(spend) or _nan(england)):
        out.append(f"In {la}, the total spend on adult social care in {y} expressed as the spend per adult in the local "
                   f"population was {figure('11518', spend)} per adult. This was {_compare_word(spend, england)} than the "
                   f"overall spend per adult for England of {figure('11518', england)}, a difference of "
                   f"{change(spend, england):+.1f}% from the national level.")
    spend0, england0 = v("11518", at=before), v("11518", "england", before)
    if not (_nan(spend0) or _nan(england0) or _nan(spend) or _nan(england)):
        out.append(f"Compared with {y0}, overall spending per adult {'increased' if spend > spend0 else 'decreased'} by "
                   f"{abs(change(spend, spend0)):.1f}% from its previous level of {figure('11518', spend0)}. For "
                   f"comparison, across England spending per adult {'increased' if england > england0 else 'decreased'} "
                   f"by {abs(change(england, england0)):.1f}% from {figure('11518', england0)} in {y0}.")
    rank65 = v("11533", "rank")
    if not _nan(rank65):
        out.append(f"{la} ranks {int(rank65)} of {report.benchmark_councils} councils on spending on long and short "
                   f"term care per adult aged 65+ ({figure('11533', v('11533'))}): the "
                   f"{from_bottom(int(rank65), report.benchmark_councils)} spending council on services for people aged 65 and over."
                   if rank65 > report.benchmark_councils * 0.9 else
                   f"{la} ranks {int(rank65)} of {report.benchmark_councils} councils on spending per adult aged 65+.")
    out.extend(group_league(report))
    for metric_id, ages in (("27477", "aged 18+"), ("27475", "aged 18-64"), ("27476", "aged 65+")):
        rate = v(metric_id)
        if not _nan(rate):
            out.append(f"Requests for support from new clients {ages} as a % of the population of that age for {la} "
                       f"({y}) were {figure(metric_id, rate)} (England {figure(metric_id, v(metric_id, 'england'))}; "
                       f"{report.group_label} mean {figure(metric_id, v(metric_id, 'county_mean'))}).")
    cost, cost0, eng, eng0 = v("11534"), v("11534", at=before), v("11534", "england"), v("11534", "england", before)
    if not any(_nan(x) for x in (cost, cost0, eng, eng0)):
        out.append(f"{la} spent {figure('11534', cost)} on long- and short-term support per younger adult supported in "
                   f"{y}, {'an increase' if cost > cost0 else 'a decrease'} of {abs(change(cost, cost0)):.1f}% from its "
                   f"previous level of {figure('11534', cost0)}. For comparison, the spend per younger adult supported "
                   f"for England overall was {figure('11534', eng)}, which was {abs(change(eng, eng0)):.1f}% "
                   f"{'higher' if eng > eng0 else 'lower'} than the previous year.")
    for metric_id, who in (("11516", "younger adult (18-64)"), ("11517", "older adult (65+)")):
        share, rank = v(metric_id), v(metric_id, "rank")
        benchmark, name = _benchmark(report, metric_id)
        if not _nan(share):
            sentence = (f"{la} supported {figure(metric_id, share)} of its {who} population with long-term support in "
                        f"{y}, which was {_compare_word(share, benchmark)} than {name} ({figure(metric_id, benchmark)})")
            if not _nan(rank):
                sentence += f"; it is ranked {ordinal(int(rank))} (one is the highest proportion supported)"
            out.append(sentence + ".")
    clients, clients0 = v("11312"), v("11312", at=before)
    if not (_nan(clients) or _nan(clients0)):
        out.append(f"Compared with {y0}, the number of younger adults with long-term support in {la} changed by "
                   f"{change(clients, clients0):.1f}% to {clients:,.0f} from {clients0:,.0f}.")
    older, older0, spend65, spend650 = v("11313"), v("11313", at=before), v("11533"), v("11533", at=before)
    e65, e650 = v("11533", "england"), v("11533", "england", before)
    if not any(_nan(x) for x in (older, older0, spend65, spend650, e65, e650)):
        out.append(f"Compared with {y0} spending per older adult changed by {change(spend65, spend650):+.1f}% from its "
                   f"previous level of {figure('11533', spend650)}. Across England spending per older adult changed by "
                   f"{change(e65, e650):+.1f}% from {figure('11533', e650)}. The number of older adults with long-term "
                   f"support in {la} changed by {change(older, older0):+.1f}% ({older0:,.0f} to {older:,.0f}).")
    for age, pct, nursing, residential, clients_id in (("younger adults", "younger_care_home_pct", "11339", "11340", "11312"),
                                                       ("older adults", "older_care_home_pct", "11347", "11348", "11313")):
        care_home, england_pct, rank = v(pct), v(pct, "england"), v(pct, "rank")
        n, r, total = v(nursing), v(residential), v(clients_id)
        if not any(_nan(x) for x in (care_home, england_pct, rank, n, r, total)):
            out.append(f"Throughout {y}, {n / total * 100:.1f}% of {age} with long-term support in {la} were supported in "
                       f"nursing care and {r / total * 100:.1f}% in residential care. Combined, {figure(pct, care_home)} "
                       f"accessed long-term support in a care home, {_compare_word(care_home, england_pct, 'higher', 'lower')} "
                       f"than the national average of {figure(pct, england_pct)}; {la} is ranked {ordinal(int(rank))} "
                       f"(one is the highest percentage in a care home). The remaining {100 - care_home:.1f}% were "
                       "supported in the community.")
    ascof_year = next((yy for yy in (year, before) if not _nan(v("4281", at=yy))), None)
    if ascof_year:
        for metric_id, who in (("4281", "younger adults"), ("4282", "adults aged 65+")):
            rate, eng, rank = v(metric_id, at=ascof_year), v(metric_id, "england", ascof_year), v(metric_id, "rank", ascof_year)
            if not _nan(rate):
                out.append(f"In {ascof_year.replace('-', '/')} (the latest ASCOF year), there were {figure(metric_id, rate)} "
                           f"new care home admissions per 100,000 {who} for {la}, compared to {figure(metric_id, eng)} "
                           f"nationally" + (f"; {la} is ranked {ordinal(int(rank))} (one is the fewest admissions)." if not _nan(rank) else "."))
        ld, ld_e = v("10674", at=ascof_year), v("10674", "england", ascof_year)
        if not _nan(ld):
            out.append(f"In {ascof_year.replace('-', '/')}, {figure('10674', ld)} of adults with a learning disability in {la} "
                       f"lived in their own home or with their family, against {figure('10674', ld_e)} nationally.")
    home, home_mean, home_rank = v("11378"), v("11378", "all_mean"), v("11378", "rank")
    if not any(_nan(x) for x in (home, home_mean, home_rank)):
        out.append(f"{la} has an {'above' if home > home_mean else 'below'} average cost of home care (external provision "
                   f"{figure('11378', home)} an hour against a mean of {figure('11378', home_mean)} for all councils; "
                   f"rank {int(home_rank)}/{report.benchmark_councils}).")
    costs = [(m, label) for m, label in (("11386", "residential and nursing care for older adults"),
                                         ("11383", "residential care for older adults"),
                                         ("11385", "residential and nursing care for adults aged 18-64"),
                                         ("11382", "residential care for adults aged 18-64")) if not _nan(v(m, "rank"))]
    if costs:
        out.append("Weekly care home costs rank " + "; ".join(
            f"{int(v(m, 'rank'))}/{report.benchmark_councils} for {label} ({figure(m, v(m))} against a mean of "
            f"{figure(m, v(m, 'all_mean'))})" for m, label in costs) + " (rank 1 = the highest cost).")
    income = [(m, label) for m, label in (("11521", "client contributions"), ("12298", "income from the NHS (including the "
                                                                                      "Better Care Fund)")) if not _nan(v(m, "rank"))]
    if income:
        out.append("As a share of revised expenditure, " + "; ".join(
            f"{label} is {figure(m, v(m))} against {figure(m, v(m, 'england'))} for England, rank "
            f"{int(v(m, 'rank'))} of {report.benchmark_councils}, in the "
            f"{QUARTILE_WORDS[math.ceil(4 * v(m, 'rank') / report.benchmark_councils)]}" for m, label in income) + ".")
    share65, share65_group, share65_eng = v("residents_65_plus"), v("residents_65_plus", "county_mean"), v("residents_65_plus", "england")
    if not any(_nan(x) for x in (share65, share65_group, share65_eng)):
        out.append(f"{share65:.1f}% of {la}'s adults are aged 65+, {_compare_word(share65, share65_group, 'higher', 'lower')} "
                   f"than the {report.group_label} mean ({share65_group:.1f}%) and "
                   f"{_compare_word(share65, share65_eng, 'higher', 'lower')} than England ({share65_eng:.1f}%); "
                   f"{figure('11517', v('11517'))} of its older adults receive long-term support against the "
                   f"{report.group_label} mean of {figure('11517', v('11517', 'county_mean'))}.")
    imd, imd_group, imd_region = v("8985"), v("8985", "county_mean"), v("8985", "region_mean")
    if not any(_nan(x) for x in (imd, imd_group, imd_region)):
        out.append(f"Deprivation: {imd:.1f}% of {la}'s neighbourhoods are among the most deprived in England (IMD extent), "
                   f"against {imd_group:.1f}% for the {report.group_label} mean and {imd_region:.1f}% for the "
                   f"{report.region} region; older people's income deprivation (IDAOPI) is {v('4564'):.1f}% against "
                   f"{v('4564', 'county_mean'):.1f}% and {v('4564', 'region_mean'):.1f}%.")
    low = [(m, ages) for m, ages in (("27430", "18-64"), ("27447", "65+")) if not _nan(v(m))]
    if low:
        out.append("Short-term ongoing low-level support followed " + "; ".join(
            f"{figure(m, v(m))} of requests from people aged {ages} ({_compare_word(v(m), v(m, 'england'), 'higher', 'lower')} "
            f"than England's {figure(m, v(m, 'england'))})" for m, ages in low)
            + ". Recording of what happened next varies between councils, so these comparisons are uncertain.")
    return out


def group_league(report: UseOfResourcesReport) -> list[str]:
    """Where the council's spending falls within its comparator group (needs every council's figures)."""
    if report.panel_values is None or not report.group:
        return []
    out = []
    panel = report.panel_values
    for metric_id, what in (("11518", "overall per adult aged 18+"),
                            ("11533", "on long- and short-term care per adult aged 65+"),
                            ("11530", "on long- and short-term care per adult aged 18-64")):
        rows = panel[(panel["metric_id"] == metric_id) & (panel["year"] == report.year)
                     & panel["council_code"].isin(report.group)].dropna(subset=["value"]).sort_values("value")
        if report.council_code not in set(rows["council_code"]) or len(rows) < 3:
            continue
        codes = list(rows["council_code"])
        place = codes.index(report.council_code)
        name = lambda code: report.names.get(code, code)  # noqa: E731
        lowest, highest = name(codes[0]), name(codes[-1])
        if place < len(codes) / 2:
            position = from_bottom(len(codes) - place, len(codes))
            others = f"with {lowest} spending the least and " if place > 0 else "with "
        else:
            position = from_top(len(codes) - place)
            others = f"with {lowest} spending the least and "
        out.append(f"Among the {len(codes)} councils of its comparator group ({report.group_label}), {report.council_name} "
                   f"is the {position} spending council {what}, {others}"
                   f"{highest if highest != report.council_name else 'itself'} spending the most.")
    return out


def _decimals(text: str) -> int:
    return len(text.split(".")[1]) if "." in text else 0


def _matches(report: UseOfResourcesReport, metric_id: str, year: str, claimed: float, decimals: int) -> str:
    """Which appendix figure a disagreeing number does match, if any (another column or metric)."""
    labels = report.column_labels()
    for column in ("england", "county_mean", "all_mean", "council"):
        found = value(report, metric_id, year, column)
        if not _nan(found) and round(found, decimals) == claimed:
            return f"it matches the {labels[column]} figure ({found:g})"
    return ""


def _rank_matches(report: UseOfResourcesReport, metric_id: str, year: str, claimed: int) -> str:
    table = report.comparisons
    step = int(metric(metric_id)["step"])
    same = table[(table["step"] == step) & (table["year"] == year) & (table["rank"] == claimed)
                 & (table["metric_id"] != metric_id)]
    if same.empty:
        return ""
    return "it is the rank of " + "; ".join(f"{m} ({metric(m)['name']})" for m in same["metric_id"])


def discrepancies(report: UseOfResourcesReport) -> pd.DataFrame:
    """Every figure the paper states, checked against the appendix: agrees, disagrees or cannot be checked."""
    columns = ["paragraph", "statement", "metric_id", "year", "paper", "appendix", "verdict", "note"]
    if not paper_applies(report) or report.comparisons.empty:
        return pd.DataFrame(columns=columns)
    rows = []
    for _, claim in report.pack.claims.iterrows():
        metric_id, year, column, claimed = claim["metric_id"], claim["year"], claim["column"], claim["claimed"]
        note = ""
        if column == "direction":
            other = claim["compared_with"]
            mine, theirs = value(report, metric_id, year), value(report, metric_id, year, other)
            label = report.column_labels()[other]
            if _nan(mine) or _nan(theirs):
                appendix, verdict = "not in the appendix", "cannot be checked"
            else:
                actual = "higher" if mine > theirs else "lower"
                appendix = f"{actual}: {mine:g} against {label} {theirs:g}"
                verdict = "agrees" if actual == claimed else "disagrees"
            paper = f"{claimed} than {label}"
        elif column == "quartile":
            rank = value(report, metric_id, year, "rank")
            paper = QUARTILE_WORDS[int(claimed)]
            if _nan(rank):
                appendix, verdict = "no rank in the appendix", "cannot be checked"
            else:
                quartile = math.ceil(4 * rank / report.benchmark_councils)
                appendix = f"rank {int(rank)} of {report.benchmark_councils}: {QUARTILE_WORDS[quartile]}"
                verdict = "agrees" if quartile == int(claimed) else "disagrees"
        elif column == "rank":
            rank = value(report, metric_id, year, "rank")
            paper = f"rank {claimed}"
            if _nan(rank):
                appendix, verdict = "no rank in the appendix", "cannot be checked"
            else:
                appendix = f"rank {int(rank)}"
                verdict = "agrees" if int(rank) == int(claimed) else "disagrees"
                if verdict == "disagrees":
                    note = _rank_matches(report, metric_id, year, int(claimed))
        else:
            found = value(report, metric_id, year, column)
            decimals = _decimals(claimed)
            paper = claimed
            if _nan(found):
                appendix, verdict = f"no {report.column_labels()[column]} figure in the appendix", "cannot be checked"
            else:
                appendix = f"{found:,.{int(metric(metric_id)['decimals'])}f}"
                verdict = "agrees" if round(found, decimals) == float(claimed) else "disagrees"
                if verdict == "disagrees":
                    note = _matches(report, metric_id, year, float(claimed), decimals)
        rows.append({"paragraph": int(claim["paragraph"]), "statement": claim["statement"], "metric_id": metric_id,
                     "year": year, "paper": paper, "appendix": appendix, "verdict": verdict, "note": note})
    return pd.DataFrame(rows, columns=columns)
