"""The toy timelines of cld-methods.md section 6.2 as a CLD extract (council X01)."""

from __future__ import annotations

import pandas as pd

from scrutiny.cld.engine import DuckDBEngine
from scrutiny.cld.extract import open_extract
from scrutiny.cld.reference import ReferenceEngine

RY_END = "2026-03-31"
POPULATION = {"X01": {"18 to 64": 200_000, "65 and above": 40_000}}

OWNER = "Owner occupier or shared ownership scheme"
PRIVATE = "Tenant: Private landlord"
PROG_ASSESS = "Progress to assessment, review or reassessment"
PROG_SERVICES = "Progress to support planning or services"
ENDED = "NFA: Support ended as planned"
COMMUNITY = "Long term support: Community"
HOME = "Home support or domiciliary care"

# person: (birth year, month, gender, accommodation, PSR, date of death)
PEOPLE = {
    "A": (1950, 3, "Female", OWNER, None, None),
    "B": (1980, 1, "Male", PRIVATE, None, None),
    "B'": (2002, 3, "Male", PRIVATE, None, None),
    "C": (1940, 6, "Female", "Registered nursing home", None, None),
    "D": (1970, 2, "Male", OWNER, None, None),
    "E": (1970, 5, "Female", None, "Learning disability support", None),
    "F": (1955, 9, "Male", "Sheltered housing, extra care housing or other sheltered housing", None, None),
    "G": (1948, 11, "Male", PRIVATE, None, None),
    "H": (1938, 2, "Female", OWNER, None, "2025-09-15"),
    "I": (1950, 1, "Female", OWNER, None, None),
    "J": (1945, 1, "Male", "Registered care home", None, None),
    "K": (1970, 8, "Female", "Registered care home", None, None),
}

# (event id, person, event type, assessment or service type, start, end, outcome, component, mechanism)
EVENTS = [
    ("a1", "A", "Request", None, "2025-05-01", "2025-05-03", PROG_ASSESS, None, None),
    ("a2", "A", "Assessment", "Long term assessment", "2025-05-20", "2025-06-10", PROG_SERVICES, None, None),
    ("a3", "A", "Service", COMMUNITY, "2025-07-01", None, None, HOME, "Direct payment"),
    ("b1", "B", "Request", None, "2025-08-04", "2025-08-04", PROG_ASSESS, None, None),
    ("b2", "B", "Assessment", "Short term assessment", "2025-08-18", "2025-08-25",
     "NFA: Information and advice or signposting", None, None),
    ("b3", "B", "Service", "Short term support: Ongoing low level", "2025-09-01", "2025-09-01", None,
     "Equipment", None),
    ("b4", "B", "Request", None, "2026-03-02", "2026-03-05", PROG_ASSESS, None, None),
    ("c1", "C", "Service", "Long term support: Residential care", "2024-01-01", "2025-03-31",
     "NFA: Support ended for other reason", "Long term residential care", None),
    ("c2", "C", "Request", None, "2025-06-02", "2025-06-05", PROG_ASSESS, None, None),
    ("c3", "C", "Service", "Long term support: Nursing care", "2025-09-01", None, None,
     "Long term nursing care", None),
    ("d1", "D", "Request", None, "2025-04-10", "2025-04-12", "Progress to reablement/ST-Max", None, None),
    ("d2", "D", "Service", "Short term support: ST-Max", "2025-04-15", "2025-05-20", ENDED, "Reablement", None),
    ("d3", "D", "Service", "Short term support: ST-Max", "2025-11-01", "2025-11-28", PROG_ASSESS,
     "Reablement", None),
    ("e1", "E", "Request", None, "2025-05-06", "2025-05-06", PROG_SERVICES, None, None),
    ("e2", "E", "Assessment", "Long term assessment", "2025-06-01", "2025-06-12", PROG_SERVICES, None, None),
    ("e3", "E", "Service", COMMUNITY, "2025-06-20", None, None, HOME, "CASSR commissioned support"),
    ("f1", "F", "Request", None, "2025-09-01", "2025-09-02", PROG_ASSESS, None, None),
    ("f2", "F", "Request", None, "2025-09-10", "2025-09-10", PROG_ASSESS, None, None),
    ("f3", "F", "Assessment", "Long term assessment", "2025-10-01", "2025-10-15", PROG_SERVICES, None, None),
    ("f4", "F", "Service", COMMUNITY, "2025-11-03", None, None, "Extra care housing",
     "CASSR managed personal budget"),
    ("g1", "G", "Service", "Short term support: ST-Max", "2025-06-01", "2025-06-30", PROG_SERVICES,
     "Reablement", None),
    ("g2", "G", "Service", COMMUNITY, "2025-07-03", None, None, HOME, None),
    ("h1", "H", "Service", "Short term support: ST-Max", "2025-08-01", "2025-08-20", PROG_SERVICES,
     "Reablement", None),
    ("h2", "H", "Service", "Short term support: ST-Max", "2025-08-25", "2025-09-10", ENDED, "Reablement", None),
    ("i1", "I", "Service", COMMUNITY, "2024-01-10", "2025-05-01", None, HOME, "Direct payment"),
    ("i2", "I", "Service", "Short term support: ST-Max", "2025-06-15", "2025-07-15", ENDED, "Reablement", None),
    ("i3", "I", "Service", "Short term support: ST-Max", "2025-10-01", "2025-10-31",
     "Continuation of support or services", "Reablement", None),
    ("i4", "I", "Service", "Short term support: Ongoing low level", "2025-10-05", "2025-10-05", None,
     "Equipment", None),
    ("j1", "J", "Service", "Long term support: Residential care", "2025-10-06", None, None,
     "Long term residential care", None),
    ("k1", "K", "Service", "Long term support: Nursing care", "2025-05-01", "2025-05-28", ENDED,
     "Short term nursing care", None),
    ("k2", "K", "Service", "Long term support: Residential care", "2025-12-01", "2026-01-15",
     "NFA: Self-funded client or under 12wk disregard", "Long term residential care", None),
    ("k3", "K", "Service", "Long term support: Residential care", "2026-02-01", None, None, None, None),
]
# B' has B's events under another person
EVENTS += [("b'" + e[0][1:], "B'", *e[2:]) for e in EVENTS if e[1] == "B"]


def toy_extract() -> pd.DataFrame:
    """The timelines as an extract with DHSC's field names, one row per event."""
    rows = []
    for number, (event, person, kind, detail, start, end, outcome, component, mechanism) in enumerate(EVENTS, 1):
        year, month, gender, accommodation, psr, death = PEOPLE[person]
        rows.append({
            "LA_Code": "X01", "Der_NHS_Number_Pseudo": f"nhs-{person}",
            "LA_Person_Unique_Identifier": f"la-{person}", "Der_Birth_Year": year,
            "Der_Birth_Month": month, "Date_of_Death": death, "Gender": gender,
            "Client_Type": "Service user", "Primary_Support_Reason": psr,
            "Accommodation_Status": accommodation, "Event_Type": kind,
            "Event_Start_Date": start, "Event_End_Date": end, "Event_Outcome": outcome,
            "Assessment_Type": detail if kind == "Assessment" else None,
            "Service_Type": detail if kind == "Service" else None,
            "Service_Component": component, "Delivery_Mechanism": mechanism,
            "Der_Conversation": 1 if event == "e1" else 0, "Der_Unique_Record_ID": number,
            "Event_Reference": event,
        })
    return pd.DataFrame(rows)


def make_engine(kind: str, frame: pd.DataFrame, period_end: str = RY_END):
    """An engine of ``kind`` (``duckdb`` or ``pandas``) over an extract given as a DataFrame."""
    extract = open_extract(frame)
    if kind == "duckdb":
        return DuckDBEngine(extract, period_end)
    return ReferenceEngine(extract.frame(), period_end)


def toy_discharges() -> pd.DataFrame:
    """The hospital spells of the timelines (G, H and Z, who has no CLD), SUS-like (spec 6.2)."""
    codes = {"Admission Method": "21", "Discharge Method": "1", "Discharge Destination": "19",
             "Treatment Function Code": "300", "Management Type": "EM", "Residence LA Code": "X01"}
    spells = [("S-G", "nhs-G", 1948, 11, "1", "2025-05-25", "2025-05-29"),
              ("S-H", "nhs-H", 1938, 2, "2", "2025-07-20", "2025-07-30"),
              ("S-Z", "nhs-Z", 1955, 3, "2", "2025-10-05", "2025-10-10")]
    return pd.DataFrame([{"Spell ID": spell, "NHS Number": nhs, "Birth Year": year, "Birth Month": month, "Sex": sex,
                          "Admission Date": admitted, "Discharge Date": discharged, **codes}
                         for spell, nhs, year, month, sex, admitted, discharged in spells])
