"""The worked toy timelines of cld-methods.md section 6 give the expected results in both engines."""

import pandas as pd
import pytest

from scrutiny.cld import measures
from scrutiny.cld.engine import DuckDBEngine
from scrutiny.cld.extract import open_extract
from tests.cld.toy import POPULATION, RY_END, make_engine, toy_discharges, toy_extract


def _by_person(requests):
    return {(row.Person_ID, row.request_ord): row for row in requests.itertuples()}


def test_waiting_time_requests_follow_each_rule(toy_engine):
    requests = _by_person(toy_engine.waiting_time_requests())
    waits = {key: ((r.response_start - r.request_start).days if pd.notna(r.response_start) else None,
                   (r.service_start - r.request_start).days if pd.notna(r.service_start) else None,
                   r.excluded)
             for key, r in requests.items()}
    assert waits[("nhs-A", 1)] == (19, 61, False)
    assert waits[("nhs-B", 1)] == (14, None, False)  # 4.4.3: block without progress to services
    assert waits[("nhs-B", 4)] == (None, None, False)  # previous GREATEST(2, NULL) = 2 < 4
    assert waits[("nhs-D", 1)] == (5, 5, False)  # 4.4.2: service as response
    assert requests[("nhs-D", 1)].response_type == "Service"
    assert waits[("nhs-E", 1)] == (0, 45, False)  # 4.4.1: conversation override
    assert requests[("nhs-E", 1)].response_type == "Request"
    assert waits[("nhs-F", 1)] == (30, 63, False)
    assert waits[("nhs-F", 2)][2]  # 4.4.4: f1 owns the response and service
    people = {person for person, _ in requests}
    assert "nhs-B'" not in people  # 4.2.3: aged 23 at the request
    assert "nhs-C" not in people  # 4.2.4: c1 long-term support ended within 12 months


def test_waiting_time_aggregates(toy_engine):
    table = measures.waiting_times(toy_engine.waiting_time_requests())
    got = {(r.Metric, str(r.Quarter_Start.date()), r.Age_Band): (r.Median_Waiting_Time,
                                                                  r.Number_Of_Waiting_Times_Identified)
           for r in table.itertuples()}
    assert got == {
        ("Wait time to first response", "2025-04-01", "25 to 64"): (2.5, 2),
        ("Wait time to first response", "2025-04-01", "65 and above"): (19, 1),
        ("Wait time to first response", "2025-07-01", "25 to 64"): (14, 1),
        ("Wait time to first response", "2025-10-01", "65 and above"): (30, 1),
        ("Wait time to first service", "2025-04-01", "25 to 64"): (25, 2),
        ("Wait time to first service", "2025-07-01", "65 and above"): (61, 1),
        ("Wait time to first service", "2025-10-01", "65 and above"): (63, 1),
    }


def test_part_one_diagnostics_by_response_type(toy_engine):
    requests = toy_engine.waiting_time_requests()
    kept = requests[~requests["excluded"] & requests["response_start"].between("2025-04-01", "2025-06-30")
                    & (requests["response_band"] == "25 to 64")]
    assert kept["response_type"].value_counts().to_dict() == {"Request": 1, "Service": 1}


def test_still_waiting_extension(toy_engine):
    waiting = measures.still_waiting(toy_engine.waiting_time_requests(), "2026-03-31")
    first_response = waiting[waiting["Waiting_For"] == "first response"]
    assert first_response[["Age_Band", "Days_Waiting"]].values.tolist() == [["25 to 64", 29]]


def test_ascof_2a_clusters_and_outcome(toy_engine):
    clusters = toy_engine.ascof_2a_clusters()
    got = {(r.Person_ID, str(r.cluster_start.date())): (r.sequel, r.final_outcome, r.band)
           for r in clusters.itertuples()}
    assert got == {
        ("nhs-D", "2025-04-15"): ("4a", "NFA: Support ended as planned", "18 to 64"),
        ("nhs-D", "2025-11-01"): ("6", "Progress to assessment, review or reassessment", "18 to 64"),
        ("nhs-G", "2025-06-01"): ("3", "Long term support: Community", "65 and above"),
        ("nhs-H", "2025-08-01"): ("1", "NFA: Deceased", "65 and above"),
        ("nhs-I", "2025-10-01"): ("5", "Short term support: Ongoing low level", "65 and above"),
    }  # I-1 (i2) is not there: an existing client
    table = measures.ascof_2a(clusters, toy_engine.period, ["X01"]).set_index("Group")
    assert table.loc["18 to 64", ["Numerator", "Denominator", "Outcome"]].tolist() == [1, 1, 100.0]
    assert table.loc["65 and above", ["Numerator", "Denominator", "Outcome"]].tolist() == [1, 2, 50.0]
    assert table.loc["Total", ["Numerator", "Denominator", "Outcome"]].tolist() == [2, 3, 66.7]


@pytest.mark.parametrize(("switches", "expected_2b"), [
    ({}, (0, 0.0)),  # DHSC-faithful: k3 has no component and is dropped
    ({"null_component": "intended"}, (1, 0.5)),  # newest version: k2 is not a prior placement
    ({"null_component": "intended", "self_funded": "admission"}, (0, 0.0)),  # snapshot: k2 is prior
])
def test_ascof_2b_2c(toy_engine, switches, expected_2b):
    admissions = toy_engine.ascof_2b2c_admissions(**switches)
    table = measures.ascof_2b2c(admissions, toy_engine.period, ["X01"], POPULATION).set_index("Measure")
    assert (table.loc["2C", "Numerator"], table.loc["2C", "Outcome"]) == (1, 2.5)  # J, aged 80
    assert (table.loc["2B", "Numerator"], table.loc["2B", "Outcome"]) == expected_2b


def test_ascof_2e(toy_engine):
    table = measures.ascof_2e(toy_engine.ascof_2e_people(), toy_engine.period, ["X01"])
    got = {(r.Measure, r.Group): (r.Numerator, r.Denominator, r.Outcome) for r in table.itertuples()
           if r.Measure != "2E unknown"}
    assert got[("2E(1)", "Total")] == (1, 1, 100.0)
    assert got[("2E(1)", "Female")] == (1, 1, 100.0)
    assert got[("2E(2a)", "Total")] == (1, 2, 50.0)
    assert got[("2E(2a)", "Female")] == (1, 2, 50.0)
    assert got[("2E(2a)", "Male")] == (0, 0, 0.0)
    assert got[("2E(2b)", "Total")] == (4, 6, 66.7)
    assert got[("2E(2b)", "Female")] == (2, 3, 66.7)
    assert got[("2E(2b)", "Male")] == (2, 3, 66.7)
    unknown = table[table["Measure"] == "2E unknown"]["Numerator"].iloc[0]
    assert unknown == 1  # E: accommodation blank, presumed at home from the service


def test_accommodation_service_fallback(toy_engine):
    persons = toy_engine.persons().set_index("Person_ID")
    assert persons.loc["nhs-E", "Accommodation_Status"] == "Unknown: Presumed at home"
    assert persons.loc["nhs-E", "Primary_Support_Reason"] == "Learning disability support"


def test_ascof_3d(toy_engine):
    table = measures.ascof_3d(toy_engine.ascof_3d_people(), toy_engine.period, ["X01"])
    got = {(r.Measure, r.Group): (r.Numerator, r.Denominator, r.Outcome) for r in table.itertuples()}
    assert got[("3D(1a)", "18 to 64")] == (0, 1, 0.0)
    assert got[("3D(1a)", "65 and above")] == (2, 3, 66.7)
    assert got[("3D(1a)", "Total")] == (2, 4, 50.0)
    assert got[("3D(2a)", "18 to 64")] == (0, 1, 0.0)
    assert got[("3D(2a)", "65 and above")] == (1, 3, 33.3)
    assert got[("3D(2a)", "Total")] == (1, 4, 25.0)
    assert got[("3D unknown", "Total")][0] == 1  # G: no delivery mechanism


# --------------------------------------------------------------------------- pre-processing (6.1)

def _preprocessing_extract():
    base = {"LA_Code": "Y02", "Der_Birth_Year": 1950, "Der_Birth_Month": 6, "Client_Type": "Service user",
            "Gender": "Female"}
    rows = [
        {"Der_NHS_Number_Pseudo": "N4", "Event_Type": "Assessment", "Assessment_Type": "Long term assessment",
         "Event_Start_Date": "2025-02-03", "Event_End_Date": "2025-02-20", "Event_Outcome": "NFA- Other",
         "Der_Unique_Record_ID": 901},
        {"Der_NHS_Number_Pseudo": "N4", "Event_Type": "Assessment", "Assessment_Type": "Long Term Assessment",
         "Event_Start_Date": "2025-02-03", "Event_End_Date": "2025-02-20",
         "Event_Outcome": "Progress to support planning or services", "Der_Unique_Record_ID": 900},
        {"Der_NHS_Number_Pseudo": "N5", "Event_Type": "Request", "Event_Start_Date": "2025-09-25",
         "Event_End_Date": "2025-10-03", "Event_Outcome": "NFA: Other", "Der_Unique_Record_ID": 1},
        {"Der_NHS_Number_Pseudo": "N6", "Date_of_Death": "2025-03-10", "Event_Type": "Service",
         "Service_Type": "Long term support: Community", "Event_Start_Date": "2025-01-06",
         "Der_Unique_Record_ID": 2},
        {"Der_NHS_Number_Pseudo": "N6", "Date_of_Death": "2025-03-10", "Event_Type": "Review",
         "Event_Start_Date": "2025-03-20", "Event_End_Date": "2025-03-25", "Der_Unique_Record_ID": 3},
        {"Event_Type": "Request", "Event_Start_Date": "2025-01-06", "Event_End_Date": "2025-01-07",
         "Der_Unique_Record_ID": 4},
        {"LA_Person_Unique_Identifier": "L123", "Event_Type": "Request", "Event_Start_Date": "2025-01-06",
         "Event_End_Date": "2025-01-07", "Der_Unique_Record_ID": 5},
    ]
    frame = pd.DataFrame([{**base, **row} for row in rows])
    for column in ("Der_NHS_Number_Pseudo", "LA_Person_Unique_Identifier", "Date_of_Death", "Event_End_Date",
                   "Event_Outcome", "Assessment_Type", "Service_Type"):
        if column not in frame:
            frame[column] = None
    return frame


@pytest.mark.parametrize("kind", ["duckdb", "pandas"])
def test_preprocessing_rules(kind):
    engine = make_engine(kind, _preprocessing_extract(), "2025-09-30")
    events = engine.events()
    by_person = events.groupby("Person_ID")
    n4 = by_person.get_group("N4")
    assert len(n4) == 1 and n4["Der_Unique_Record_ID"].iloc[0] == 900  # hierarchy before record id
    assert n4["Event_Outcome"].iloc[0] == "Progress to support planning or services"
    assert "N5" not in by_person.groups  # ends after the reference period
    n6 = by_person.get_group("N6")
    assert n6["Event_Type"].tolist() == ["Service"]  # the review starts after death
    assert str(pd.Timestamp(n6["Der_Event_End_Date"].iloc[0]).date()) == "2025-03-10"
    assert "Y02_L123" in by_person.groups  # no NHS number: council code and LA person id
    assert len(events) == 3  # the row without any identifier is dropped


# --------------------------------------------------------------------------- ASCOF 2D (6.4)

@pytest.mark.parametrize("lag", [0, 3])  # the illustrative period is the year; DHSC lags it 3 months
def test_ascof_2d(lag):
    engine = DuckDBEngine(open_extract(toy_extract()), RY_END, discharges=toy_discharges(), ascof_2d_lag_months=lag)
    clusters, spells = engine.ascof_2d_units()
    assert sorted(spells["Person_ID"]) == ["nhs-G", "nhs-H", "nhs-Z"]
    linked = clusters.set_index("Person_ID")
    assert linked["at_home"].to_dict() == {"nhs-G": True, "nhs-H": False}
    assert linked.loc["nhs-H", "died"] and not linked.loc["nhs-H", "readmitted"]
    assert set(linked["client_type"]) == {"Those not in any LTS"}
    table = measures.ascof_2d(clusters, spells, engine.ascof_2d_period(), ["X01"])
    got = {(r.Measure, r.Group): (r.Numerator, r.Denominator, r.Outcome) for r in table.itertuples()}
    assert got[("2D(1)", "Total")] == (1, 2, 50.0)
    assert got[("2D(1)", "75 to 84")] == (1, 1, 100.0)
    assert got[("2D(1)", "85 and above")] == (0, 1, 0.0)
    assert got[("2D(1) died", "Total")][0] == 1
    assert got[("2D(2)", "Total")] == (2, 3, 66.67)
    assert engine.ascof_2d_period().end == pd.Timestamp("2026-03-31") - pd.DateOffset(months=lag) + \
        pd.offsets.MonthEnd(0)


def test_ascof_2d_needs_discharges():
    engine = DuckDBEngine(open_extract(toy_extract()), RY_END)
    with pytest.raises(ValueError, match="needs hospital discharge"):
        engine.ascof_2d_units()
