"""From the unit tables both engines produce (requests, clusters, admissions, people) to DHSC's
measure tables, with DHSC's rounding and suppression (cld-methods.md 4.5, 4.7 and 5.0).

Keeping the counting here, once, means the two engines are compared on the units themselves.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import numpy as np
import pandas as pd

from scrutiny.cld.periods import Period

SUPPRESS_BELOW = 5  # DHSC official statistics: LA numerators and denominators below 5 are suppressed
MEASURE_COLUMNS = ["Reporting_Period", "LA_Code", "Measure", "Description", "Group", "Numerator",
                   "Denominator", "Outcome"]
WAIT_METRICS = {"response": "Wait time to first response", "service": "Wait time to first service"}
WAIT_BANDS = ("25 to 64", "65 and above")


def round_half_up(value: float | None, places: int = 1) -> float | None:
    """Round half away from zero, as T-SQL ``ROUND`` does (Python's ``round`` rounds half to even)."""
    if value is None or pd.isna(value):
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(Decimal(repr(float(value))).quantize(quantum, rounding=ROUND_HALF_UP))


def outcome(numerator: float, denominator: float, scale: float = 100.0, places: int = 1) -> float:
    """DHSC's outcome: ``round(scale * N / D)``, and 0 when the denominator is 0 (DHSC coalesces)."""
    if not denominator:
        return 0.0
    return round_half_up(scale * numerator / denominator, places)


def suppress(table: pd.DataFrame, *, population_denominator: bool = False) -> pd.DataFrame:
    """Publication rule: a council's numerator and denominator are both withheld if either is below
    5; the outcome, computed from the unrounded counts, is still shown. For rates per 100,000 the
    denominator is a population and only a small numerator is withheld."""
    table = table.copy()
    small = table["Numerator"] < SUPPRESS_BELOW
    if not population_denominator:
        small |= table["Denominator"] < SUPPRESS_BELOW
    table["Numerator"] = table["Numerator"].astype("Float64").mask(small)
    if not population_denominator:
        table["Denominator"] = table["Denominator"].astype("Float64").mask(small)
    table["Suppressed"] = small
    return table


def round_to_five(value: float) -> float:
    """Regional and national counts are published rounded to the nearest 5 (half away from zero)."""
    return float(Decimal(value / 5).quantize(Decimal(1), rounding=ROUND_HALF_UP) * 5)


def _rows(period: Period, councils, measure: str, description: str,
          counts: dict[tuple[str, str], tuple[int, int]], groups: tuple[str, ...],
          scale: float = 100.0, places: int = 1) -> list[dict]:
    rows = []
    for council in councils:
        for group in groups:
            numerator, denominator = counts.get((council, group), (0, 0))
            rows.append({"Reporting_Period": period.label, "LA_Code": council, "Measure": measure,
                         "Description": description, "Group": group, "Numerator": int(numerator),
                         "Denominator": denominator,
                         "Outcome": outcome(numerator, denominator, scale, places)})
    return rows


def _band_counts(units: pd.DataFrame, numerator: pd.Series, bands: tuple[str, ...]) -> dict:
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    frame = units.assign(_n=numerator.astype(int))
    for council, part in frame.groupby("LA_Code"):
        for band in bands:
            chosen = part if band == "Total" else part[part["band"] == band]
            counts[(council, band)] = (int(chosen["_n"].sum()), int(len(chosen)))
    return counts


def ascof_2a(clusters: pd.DataFrame, period: Period, councils) -> pd.DataFrame:
    """2A by band: clusters in the denominator, and those in the numerator (5.1.8)."""
    in_scope = clusters[clusters["in_denominator"]]
    counts = _band_counts(in_scope, in_scope["in_numerator"], ("18 to 64", "65 and above", "Total"))
    return pd.DataFrame(_rows(period, councils, "2A", "Proportion of people who received short-term "
                              "services during the year, who previously were not receiving services, "
                              "where no further request was made for ongoing support",
                              counts, ("18 to 64", "65 and above", "Total")), columns=MEASURE_COLUMNS)


def ascof_2b2c(admissions: pd.DataFrame, period: Period, councils,
               population: dict[str, dict[str, float]]) -> pd.DataFrame:
    """2B (18 to 64) and 2C (65 and above): new admissions per 100,000 population (5.2.5)."""
    rows = []
    for measure, band, description in (
            ("2B", "18 to 64", "Long-term support needs of younger adults (aged 18-64) met by "
                               "admission to residential and nursing care homes, per 100,000 population"),
            ("2C", "65 and above", "Long-term support needs of older adults (aged 65 and over) met by "
                                   "admission to residential and nursing care homes, per 100,000 population")):
        # one count per council (not one pass over the table per council: 153 at national scale)
        admitted = admissions.loc[admissions["band"] == band, "LA_Code"].value_counts()
        for council in councils:
            numerator = int(admitted.get(council, 0))
            people = population.get(council, {}).get(band)
            if people is None:
                raise ValueError(f"no {band} population for council {council!r}: pass population="
                                 "{council: {'18 to 64': ..., '65 and above': ...}}")
            rows.append({"Reporting_Period": period.label, "LA_Code": council, "Measure": measure,
                         "Description": description, "Group": band, "Numerator": numerator,
                         "Denominator": people, "Outcome": outcome(numerator, people, 100000.0)})
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def ascof_2e(people: pd.DataFrame, period: Period, councils) -> pd.DataFrame:
    """2E(1) learning disability 18 to 64, 2E(2a) 18 to 64, 2E(2b) 65 and above, by gender (5.4)."""
    known = people[people["band"] != "Unknown"]
    parts = (("2E(1)", "18 to 64", known[known["learning_disability"]]),
             ("2E(2a)", "18 to 64", known), ("2E(2b)", "65 and above", known))
    rows = []
    for measure, band, units in parts:
        units = units[units["band"] == band]
        counts: dict[tuple[str, str], tuple[int, int]] = {}
        for council, part in units.groupby("LA_Code"):
            for group in ("Male", "Female", "Total"):
                chosen = part if group == "Total" else part[part["Gender"] == group]
                counts[(council, group)] = (int(chosen["settled"].sum()), int(len(chosen)))
        rows += _rows(period, councils, measure, f"Proportion of people aged {band} receiving "
                      "long-term support who live in their home or with family", counts,
                      ("Male", "Female", "Total"))
    unknowns = known.groupby("LA_Code")["accommodation_unknown"].sum()
    for council in councils:
        unknown = int(unknowns.get(council, 0))
        rows.append({"Reporting_Period": period.label, "LA_Code": council, "Measure": "2E unknown",
                     "Description": "People in 2E whose accommodation is unknown or invalid",
                     "Group": "Total", "Numerator": unknown, "Denominator": np.nan, "Outcome": np.nan})
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


def ascof_3d(people: pd.DataFrame, period: Period, councils) -> pd.DataFrame:
    """3D(1a) self-directed support and 3D(2a) direct payments among community clients (5.5)."""
    community = people[people["hierarchy"].between(3, 6)]
    rows = []
    for measure, chosen, description in (
            ("3D(1a)", community["hierarchy"].isin((3, 4)),
             "Proportion of people receiving community support who receive self-directed support"),
            ("3D(2a)", community["hierarchy"] == 3,
             "Proportion of people receiving community support who receive direct payments")):
        counts = _band_counts(community, chosen, ("18 to 64", "65 and above", "Total"))
        rows += _rows(period, councils, measure, description, counts, ("18 to 64", "65 and above", "Total"))
    no_mechanism = community.loc[(community["hierarchy"] == 6) & community["non_dp_component"].eq(True),
                                 "LA_Code"].value_counts()
    for council in councils:
        unknown = int(no_mechanism.get(council, 0))
        rows.append({"Reporting_Period": period.label, "LA_Code": council, "Measure": "3D unknown",
                     "Description": "Community clients with no valid delivery mechanism",
                     "Group": "Total", "Numerator": unknown, "Denominator": np.nan, "Outcome": np.nan})
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)


# --------------------------------------------------------------------------- waiting times

def completed_waits(requests: pd.DataFrame) -> pd.DataFrame:
    """One row per completed wait (part 1 and part 2) with its quarter and band (4.5)."""
    kept = requests[~requests["excluded"]]
    parts = []
    for part, column in (("response", "response"), ("service", "service")):
        rows = kept[kept[f"{column}_start"].notna()]
        parts.append(pd.DataFrame({
            "LA_Code": rows["LA_Code"], "Metric": WAIT_METRICS[part],
            "Quarter_Start": rows[f"{column}_start"].dt.to_period("Q").dt.start_time,
            "Age_Band": rows[f"{column}_band"],
            "Days": (rows[f"{column}_start"] - rows["request_start"]).dt.days}))
    waits = pd.concat(parts, ignore_index=True)
    return waits[waits["Age_Band"].isin(WAIT_BANDS)]


def waiting_times(requests: pd.DataFrame, *, from_quarter: str | None = None) -> pd.DataFrame:
    """DHSC's waiting-time measures: median and number of waits by council, metric, quarter and
    band (4.5; no rounding or suppression in DHSC's method)."""
    waits = completed_waits(requests)
    if from_quarter is not None:
        waits = waits[waits["Quarter_Start"] >= pd.Timestamp(from_quarter)]
    table = (waits.groupby(["LA_Code", "Metric", "Quarter_Start", "Age_Band"])["Days"]
             .agg(Median_Waiting_Time="median", Number_Of_Waiting_Times_Identified="size").reset_index())
    table["Quarter_End"] = table["Quarter_Start"] + pd.offsets.QuarterEnd(0)
    return table[["LA_Code", "Metric", "Quarter_Start", "Quarter_End", "Age_Band", "Median_Waiting_Time",
                  "Number_Of_Waiting_Times_Identified"]]


WAIT_BANDS_DAYS = ((0, 28, "28 days or less"), (29, 56, "29 to 56 days"), (57, 91, "57 to 91 days"),
                   (92, 182, "92 to 182 days"), (183, None, "over 182 days"))


def waiting_time_percentiles(requests: pd.DataFrame) -> pd.DataFrame:
    """Project addition (spec 4.7 E1): mean, 75th and 90th percentiles and counts by length of
    wait, on exactly DHSC's cohort and linking."""
    waits = completed_waits(requests)
    grouped = waits.groupby(["LA_Code", "Metric", "Quarter_Start", "Age_Band"])["Days"]
    table = grouped.agg(Mean="mean", P75=lambda s: s.quantile(0.75), P90=lambda s: s.quantile(0.9),
                        Waits="size").reset_index()
    for low, high, label in WAIT_BANDS_DAYS:
        within = waits["Days"].ge(low) & (waits["Days"].le(high) if high is not None else True)
        counts = within.groupby([waits[c] for c in ("LA_Code", "Metric", "Quarter_Start", "Age_Band")]).sum()
        table[label] = counts.reindex(pd.MultiIndex.from_frame(
            table[["LA_Code", "Metric", "Quarter_Start", "Age_Band"]])).to_numpy()
    table["Mean"] = table["Mean"].map(lambda v: round_half_up(v, 1))
    return table


def still_waiting(requests: pd.DataFrame, snapshot: object) -> pd.DataFrame:
    """Project addition (spec 4.7 E2 and E3): requests known at ``snapshot`` still waiting for a
    first response, or responded to but still waiting for a first service, with days waited so far.

    One row per request; CLD holds only completed requests, so this is a lower bound."""
    day = pd.Timestamp(snapshot)
    kept = requests[~requests["excluded"] & (requests["request_start"] <= day)
                    & (requests["request_end"].isna() | (requests["request_end"] <= day))
                    & (requests["date_of_death"].isna() | (requests["date_of_death"] > day))]
    no_response = kept["response_start"].isna() | (kept["response_start"] > day)
    waiting_service = (~no_response & kept["response_progress"]
                       & (kept["service_start"].isna() | (kept["service_start"] > day)))
    rows = []
    for waiting_for, mask in (("first response", no_response), ("first service", waiting_service)):
        chosen = kept[mask]
        rows.append(pd.DataFrame({"LA_Code": chosen["LA_Code"], "Waiting_For": waiting_for,
                                  "Age_Band": chosen["request_band"],
                                  "Days_Waiting": (day - chosen["request_start"]).dt.days}))
    return pd.concat(rows, ignore_index=True)


TWO_D_GROUPS = ("Total", "65 to 74", "75 to 84", "85 and above", "Female", "Male")
NOT_CALCULABLE_2D = ("not calculable: ASCOF 2D needs hospital discharge (SUS) data linked to the CLD "
                     "extract by NHS number, and none was given")


def _two_d_counts(units: pd.DataFrame, numerator: pd.Series) -> dict[tuple[str, str], tuple[int, int]]:
    counts: dict[tuple[str, str], tuple[int, int]] = {}
    frame = units.assign(_n=numerator.astype(int))
    for council, part in frame.groupby("LA_Code"):
        for group in TWO_D_GROUPS:
            chosen = (part if group == "Total" else
                      part[part["sex_group"] == group] if group in ("Female", "Male") else part[part["age_group"] == group])
            counts[(council, group)] = (int(chosen["_n"].sum()), int(len(chosen)))
    return counts


def ascof_2d(clusters: pd.DataFrame, spells: pd.DataFrame, period: Period, councils) -> pd.DataFrame:
    """2D(1): of people 65+ discharged from hospital into reablement, the share with no death,
    emergency readmission or care home admission within 12 weeks; 2D(2): the share of eligible
    discharges that went into reablement (5.3.5; outcomes to 2 decimal places). Side rows count
    the outcomes that took people out of the numerator."""
    part_one = _two_d_counts(clusters, clusters["at_home"])
    linked = _two_d_counts(clusters, clusters["at_home"] | True)
    eligible = _two_d_counts(spells, spells["Spell_ID"].notna())
    part_two = {key: (linked.get(key, (0, 0))[1], eligible.get(key, (0, 0))[1])
                for key in set(linked) | set(eligible)}
    rows = _rows(period, councils, "2D(1)", "Proportion of older people (65 and over) who were still at "
                 "home 91 days after discharge from hospital into reablement", part_one, TWO_D_GROUPS,
                 places=2)
    rows += _rows(period, councils, "2D(2)", "Proportion of older people (65 and over) discharged from "
                  "hospital who received reablement", part_two, TWO_D_GROUPS, places=2)
    for council in councils:
        mine = clusters[clusters["LA_Code"] == council]
        for flag, label in (("died", "died"), ("readmitted", "readmitted as an emergency"),
                            ("care_home", "admitted to a care home")):
            rows.append({"Reporting_Period": period.label, "LA_Code": council, "Measure": f"2D(1) {flag}",
                         "Description": f"People in 2D(1) who {label} within 12 weeks of discharge",
                         "Group": "Total", "Numerator": int(mine[flag].sum()), "Denominator": np.nan,
                         "Outcome": np.nan})
    return pd.DataFrame(rows, columns=MEASURE_COLUMNS)
