"""Property test: the DuckDB engine and the pandas reference give the same units on random extracts."""

import datetime as dt

import pandas as pd
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scrutiny.cld.engine import DuckDBEngine
from scrutiny.cld.extract import open_extract
from scrutiny.cld.reference import ReferenceEngine

OUTCOMES = [None, "Progress to assessment, review or reassessment", "Progress to Reablement/ST-Max",
            "Progress to support planning or services", "Continuation of support or services",
            "NFA: Support ended as planned", "Service ended as planned", "NFA - Deceased",
            "Admitted to hospital", "NFA: Information and advice or signposting",
            "NFA: Self-funded client or under 12wk disregard", "not a code"]
SERVICES = [("Short term support: ST-Max", "Reablement"), ("Short Term Support: ST-Max", "Reablement"),
            ("Short term support: Ongoing low level", "Equipment"),
            ("Short term support: Other short term", "Short term residential care"),
            ("Long term support: Community", "Home support or domiciliary care"),
            ("Long term support: Community", "Direct payment"), ("Long term support: Community", None),
            ("Long term support: Residential care", "Long term residential care"),
            ("Long Term Support: Nursing Care", "Long term nursing care"),
            ("Long term support: Nursing care", "Short term nursing care"),
            ("Long term support: Residential care", None)]
START = dt.date(2023, 1, 1)

event = st.fixed_dictionaries({
    "kind": st.sampled_from(["Request", "Assessment", "Service", "Service", "Review"]),
    "start": st.integers(0, 1250), "length": st.one_of(st.none(), st.integers(-3, 200)),
    "outcome": st.sampled_from(OUTCOMES), "service": st.sampled_from(SERVICES),
    "assessment": st.sampled_from(["Long term assessment", "Short Term Assessment", None]),
    "mechanism": st.sampled_from([None, "Direct payment", "CASSR Managed Personal Budget",
                                  "CASSR commissioned support"]),
    "client": st.sampled_from(["Service user", "Service user", "Carer"]),
    "conversation": st.booleans(),
})
person = st.fixed_dictionaries({
    "birth_year": st.integers(1925, 2004), "birth_month": st.integers(1, 12),
    "death": st.one_of(st.none(), st.integers(300, 1300)),
    "accommodation": st.sampled_from([None, "Owner occupier or shared ownership scheme", "Registered care home",
                                      "Unknown"]),
    "gender": st.sampled_from(["Male", "Female", None]),
    "psr": st.sampled_from([None, "Learning Disability Support", "Mental health support"]),
    "events": st.lists(event, min_size=1, max_size=8),
})


def build(people) -> pd.DataFrame:
    rows = []
    for number, p in enumerate(people):
        for e in p["events"]:
            start = START + dt.timedelta(days=e["start"])
            service = e["kind"] == "Service"
            end = None if e["length"] is None else start + dt.timedelta(days=e["length"])
            if not service and end is None:
                end = start
            rows.append({
                "LA_Code": "X01" if number % 3 else "X02", "Der_NHS_Number_Pseudo": f"p{number}",
                "Der_Birth_Year": p["birth_year"], "Der_Birth_Month": p["birth_month"],
                "Date_of_Death": None if p["death"] is None else START + dt.timedelta(days=p["death"]),
                "Gender": p["gender"], "Accommodation_Status": p["accommodation"],
                "Primary_Support_Reason": p["psr"], "Client_Type": e["client"], "Event_Type": e["kind"],
                "Event_Start_Date": start, "Event_End_Date": end, "Event_Outcome": e["outcome"],
                "Assessment_Type": e["assessment"] if e["kind"] == "Assessment" else None,
                "Service_Type": e["service"][0] if service else None,
                "Service_Component": e["service"][1] if service else None,
                "Delivery_Mechanism": e["mechanism"] if service else None,
                "Der_Conversation": int(e["conversation"]), "Der_Unique_Record_ID": len(rows) + 1,
            })
    return pd.DataFrame(rows)


def same(left: pd.DataFrame, right: pd.DataFrame, keys: list[str]) -> None:
    assert list(left.columns) == list(right.columns)
    left = left.sort_values(keys).reset_index(drop=True).astype(object).where(left.notna().values, None)
    right = right.sort_values(keys).reset_index(drop=True)
    right = right.astype(object).where(right.notna().values, None)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(person, min_size=1, max_size=10), st.sampled_from(["2025-03-31", "2025-12-31", "2026-03-31"]))
def test_engines_agree(people, period_end):
    frame = build(people)
    extract = open_extract(frame)
    reference = ReferenceEngine(extract.frame(), period_end)
    fast = DuckDBEngine(extract, period_end)
    same(fast.persons(), reference.persons(), ["LA_Code", "Person_ID"])
    same(fast.waiting_time_requests(), reference.waiting_time_requests(), ["LA_Code", "Person_ID", "request_ord"])
    same(fast.ascof_2a_clusters(), reference.ascof_2a_clusters(), ["LA_Code", "Person_ID", "cluster_start"])
    for switches in ({}, {"null_component": "intended"}, {"self_funded": "admission"}):
        same(fast.ascof_2b2c_admissions(**switches), reference.ascof_2b2c_admissions(**switches),
             ["LA_Code", "Person_ID"])
    same(fast.ascof_2e_people(), reference.ascof_2e_people(), ["LA_Code", "Person_ID"])
    same(fast.ascof_3d_people(), reference.ascof_3d_people(), ["LA_Code", "Person_ID"])



def test_review_inside_a_reablement_cluster_is_a_nested_sequel():
    """Found by the property test: a review within an ST-Max cluster (no service type) must stay in the
    pool of later rows, so that it can be the nested outcome (sequel 4c) that outranks the cluster's own."""
    reablement = {"kind": "Service", "start": 727, "length": 50, "service": ("Short term support: ST-Max", "Reablement"),
                  "outcome": "NFA: Self-funded client or under 12wk disregard", "assessment": None,
                  "mechanism": None, "client": "Service user", "conversation": False}
    review = {**reablement, "kind": "Review", "start": 772, "length": None, "outcome": "Admitted to hospital"}
    frame = build([{"birth_year": 1952, "birth_month": 7, "death": None, "accommodation": None, "gender": "Male",
                    "psr": None, "events": [reablement, review]}])
    extract = open_extract(frame)
    for engine in (DuckDBEngine(extract, "2025-12-31"), ReferenceEngine(extract.frame(), "2025-12-31")):
        cluster = engine.ascof_2a_clusters().iloc[0]
        assert (cluster["sequel"], cluster["final_outcome"]) == ("4c", "Admitted to hospital"), type(engine).__name__
