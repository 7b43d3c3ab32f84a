"""Arithmetic checks on a council's figures: the identities that tie the steps together.

Each check recomputes one printed figure from others (for example spend per adult from the parts
of spending, or the setting counts from the total) and compares within the rounding of what is
printed. They run on the pack and on the panel alike and are listed in the report's appendix.
"""

from __future__ import annotations

import pandas as pd

from .steps import SEQUELS_18_64, SEQUELS_65

CHECK_COLUMNS = ["check", "year", "expected", "found", "tolerance", "holds"]


def _value(table: pd.DataFrame, metric_id: str, year: str, column: str = "council") -> float:
    rows = table[(table["metric_id"] == metric_id) & (table["year"] == year)]
    return float(rows[column].iloc[0]) if len(rows) else float("nan")


def _add(rows: list, name: str, year: str, expected: float, found: float, tolerance: float) -> None:
    if pd.isna(expected) or pd.isna(found):
        return
    rows.append({"check": name, "year": year, "expected": round(expected, 4), "found": round(found, 4),
                 "tolerance": tolerance, "holds": abs(expected - found) <= tolerance + 1e-9})


def consistency_checks(table: pd.DataFrame, year: str, populations: dict[str, float] | None = None) -> pd.DataFrame:
    """Every identity that can be tested for the year (``populations``: ONS 18+, 18-64, 65+ if known)."""
    def v(metric_id, column="council", at=year):
        return _value(table, metric_id, at, column)

    rows: list[dict] = []
    for column in ("council", "england"):
        who = "council" if column == "council" else "England"
        _add(rows, f"Spend per adult 18+ (11518) = long term + short term + non age specific ({who})", year,
             v("11526", column) + v("11527", column) + v("12340", column), v("11518", column), 0.02)
        _add(rows, f"Spend per adult 65+ (11533) = long term + short term ({who})", year,
             v("11531", column) + v("11532", column), v("11533", column), 0.02)
        _add(rows, f"Spend per adult 18-64 (11530) = long term + short term ({who})", year,
             v("11528", column) + v("11529", column), v("11530", column), 0.02)
    _add(rows, "Clients 18+ (11494) = 18-64 (11312) + 65+ (11313)", year, v("11312") + v("11313"), v("11494"), 0)
    _add(rows, "Requests 18+ (27451) = 18-64 (27371) + 65+ (27389)", year, v("27371") + v("27389"), v("27451"), 0)
    younger = table[(table["metric_id"].isin(["11339", "11340", "11341", "11343", "11344", "27414", "27415", "11345",
                                              "11346"])) & (table["year"] == year)]["council"].sum(min_count=1)
    older = table[(table["metric_id"].isin(["11347", "11348", "11349", "11351", "11352", "27416", "11353", "11354",
                                            "27417"])) & (table["year"] == year)]["council"].sum(min_count=1)
    _add(rows, "Step 7 setting counts 18-64 (not suppressed) add up to 11312", year, younger, v("11312"), 0)
    _add(rows, "Step 7 setting counts 65+ (not suppressed) add up to 11313", year, older, v("11313"), 0)
    _add(rows, "% revised of gross current expenditure = 11496 / 11369 x 100", year,
         v("11496") / v("11369") * 100, v("revised_gce_pct"), 0.05)
    _add(rows, "Revised less gross current expenditure, as % of revised = NHS + joint + other income %", year,
         (v("11496") - v("11369")) / v("11496") * 100, v("12298") + v("11522") + v("11523"), 0.3)
    _add(rows, "Total income % (11524) = client contributions + joint + other + NHS", year,
         v("11521") + v("11522") + v("11523") + v("12298"), v("11524"), 0.15)
    _add(rows, "NHS income % (12298) = Better Care Fund (11537) + other NHS (11538)", year,
         v("11537") + v("11538"), v("12298"), 0.1)
    _add(rows, "Spend per client 18+ (11525) = 11369 x 1000 / 11494", year, v("11369") * 1000 / v("11494"), v("11525"), 1)
    _add(rows, "Revised spend per client 18+ (11520) = 11496 x 1000 / 11494", year,
         v("11496") * 1000 / v("11494"), v("11520"), 1)
    bands = {
        "LTS age bands (Step 2i) add up to 100": ["25274", "25275", "25276", "25277", "25278", "25279"],
        "Resident age bands (Step 2ii) add up to 100": ["residents_18_24", "residents_25_44", "residents_45_64",
                                                        "residents_65_74", "residents_75_84", "residents_85_plus"],
        "Sequels 18-64 (Step 4bi) add up to 100": list(SEQUELS_18_64),
        "Sequels 65+ (Step 4bii) add up to 100": list(SEQUELS_65),
        "Other expenditure shares (Step 12) add up to 100": ["24844", "24845", "24846", "24847", "24848", "24849",
                                                             "24850", "24851"],
    }
    for name, members in bands.items():
        total = table[table["metric_id"].isin(members) & (table["year"] == year)]["council"].sum(min_count=1)
        _add(rows, name, year, 100.0, total, 0.3)
    if populations:
        adults, younger_pop, older_pop = (populations.get(k, float("nan")) for k in
                                          ("population_18_plus", "population_18_64", "population_65_plus"))
        _add(rows, "Gross current expenditure (11369, £000) = spend per adult 18+ x population 18+", year,
             v("11518") * adults / 1000, v("11369"), v("11369") * 0.005)
        _add(rows, "Revised expenditure (11496, £000) = revised spend per adult 18+ x population 18+", year,
             v("11519") * adults / 1000, v("11496"), v("11496") * 0.005)
        _add(rows, "Spend per client 18-64 (11534) = 11530 x population 18-64 / 11312", year,
             v("11530") * younger_pop / v("11312"), v("11534"), v("11534") * 0.001)
        _add(rows, "Spend per client 65+ (11535) = 11533 x population 65+ / 11313", year,
             v("11533") * older_pop / v("11313"), v("11535"), v("11535") * 0.001)
        _add(rows, "Spend per client 18+ (11536) = (11526 + 11527) x population 18+ / 11494", year,
             (v("11526") + v("11527")) * adults / v("11494"), v("11536"), v("11536") * 0.001)
        _add(rows, "Clients 18+ as % of population (11515) = 11494 / population 18+ x 100", year,
             v("11494") / adults * 100, v("11515"), 0.005)
        _add(rows, "Clients 18-64 as % of population (11516) = 11312 / population 18-64 x 100", year,
             v("11312") / younger_pop * 100, v("11516"), 0.005)
        _add(rows, "Clients 65+ as % of population (11517) = 11313 / population 65+ x 100", year,
             v("11313") / older_pop * 100, v("11517"), 0.005)
        _add(rows, "Requests 65+ as % of population (27476) = 27389 / population 65+ x 100", year,
             v("27389") / older_pop * 100, v("27476"), 0.005)
    return pd.DataFrame(rows, columns=CHECK_COLUMNS)


def percentile_order_problems(table: pd.DataFrame) -> list[str]:
    """Rows whose 90th percentile is below their 10th (computed tables must never have any)."""
    bad = table[table["high_end"].notna() & table["low_end"].notna() & (table["high_end"] < table["low_end"])]
    return [f"{r.metric_id} {r.year}: 90th percentile {r.high_end:g} below 10th {r.low_end:g}" for r in bad.itertuples()]
