"""Client Level Data code lists: Release 2 values, Release 1 spellings mapped onto them, and the
groupings, hierarchies and ranks the DHSC methods use (cld-methods.md section 2.5).

Every comparison is case-insensitive after trimming trailing spaces (spec 1.4), so each coded value
is turned into a key with :func:`key` before it is looked up; the canonical Release 2 spelling is
what the engines carry forward.
"""

from __future__ import annotations

import pandas as pd

INVALID = "Invalid and not mapped"
R1_NOT_MAPPED = "Release 1 specification only: Not mapped"
OPEN_END = pd.Timestamp("9999-01-01")  # DHSC's sentinel for an ongoing service (spec 1.2)
WAITING_TIMES_START = pd.Timestamp("2023-04-01")
R2_SWITCH = pd.Timestamp("2025-07-01")  # conversation override applies to requests before this


def key(value: object) -> str | None:
    """The comparison key of a coded value: case-folded, trailing spaces removed; None if blank."""
    if value is None or (isinstance(value, float) and pd.isna(value)) or value is pd.NA:
        return None
    text = str(value).rstrip()
    if text == "" or text.upper() == "NULL":
        return None
    return text.casefold()


# Event outcome: R2 value -> (hierarchy, grouped, R1 spellings)  (spec 2.5.3)
EVENT_OUTCOMES: dict[str, tuple[int, str, tuple[str, ...]]] = {
    "Progress to reablement/ST-Max": (1, "same", ("Progress to Reablement/ST-Max",)),
    "Progress to assessment, review or reassessment": (
        2, "same", ("Progress to Assessment", "Progress to Re-assessment / Unplanned Review")),
    R1_NOT_MAPPED: (3, "same", ("Progress to financial assessment", "Progress to End of Life Care")),
    "Progress to support planning or services": (4, "same", ("Progress to Support Planning / Services",)),
    "Continuation of support or services": (5, "same", ("No change in package", "Provision of service")),
    "Admitted to hospital": (6, "same", ()),
    "NFA: Responsibility moved to another local authority": (7, "NFA", ("NFA - Moved to another LA",)),
    "NFA: Referral to NHS services or NHS funded social care": (8, "NFA", ("NFA - 100% NHS funded care",)),
    "NFA: Self-funded client or under 12wk disregard": (
        9, "NFA", ("NFA - Self-funded client (inc. 12wk disregard)",)),
    "NFA: Information and advice or signposting": (
        10, "NFA", ("NFA - Information & Advice / Signposting only",)),
    "NFA: Referral to other service within the local authority": (11, "NFA", ()),
    "NFA: Support declined": (12, "NFA", ("NFA - Support declined",)),
    "NFA: Deceased": (13, "NFA", ("NFA - Deceased",)),
    "NFA: Support ended as planned": (14, "NFA", ("Service ended as planned",)),
    "NFA: Support ended for other reason": (15, "NFA", ("NFA - Support ended: Other reason",)),
    "NFA: No services offered for other reason": (16, "NFA", ("NFA - No services offered: Other reason",)),
    "NFA: Other": (17, "NFA", ("NFA- Other",)),
    INVALID: (999, INVALID, ()),
}

SERVICE_TYPES: dict[str, tuple[str, str]] = {  # R2 value -> (grouped, R1 spelling)
    "Short term support: ST-Max": ("Short term support", "Short Term Support: ST-Max"),
    "Short term support: Ongoing low level": ("Short term support", "Short Term Support: Ongoing Low Level"),
    "Short term support: Other short term": ("Short term support", "Short Term Support: Other Short Term"),
    "Long term support: Nursing care": ("Long term support", "Long Term Support: Nursing Care"),
    "Long term support: Residential care": ("Long term support", "Long Term Support: Residential Care"),
    "Long term support: Community": ("Long term support", "Long Term Support: Community"),
    "Long term support: Prison": ("Long term support", "Long Term Support: Prison"),
    "Unpaid carer support: Direct to unpaid carer": ("Unpaid carer support", "Carer Support: Direct to Carer"),
    "Unpaid carer support: Support involving the person cared-for": (
        "Unpaid carer support", "Carer Support: Support involving the person cared-for"),
}
ST_MAX = "Short term support: ST-Max"
LOW_LEVEL = "Short term support: Ongoing low level"
OTHER_SHORT = "Short term support: Other short term"
NURSING = "Long term support: Nursing care"
RESIDENTIAL = "Long term support: Residential care"
COMMUNITY = "Long term support: Community"
PRISON = "Long term support: Prison"
LTS_TYPES = (NURSING, RESIDENTIAL, COMMUNITY, PRISON)
SHORT_TYPES = (ST_MAX, LOW_LEVEL, OTHER_SHORT)
# Rank of a service type where measures pick the "best" service (2A sequels, accommodation fallback).
SERVICE_TYPE_RANK = {NURSING: 1, RESIDENTIAL: 2, COMMUNITY: 3, PRISON: 4, ST_MAX: 5, LOW_LEVEL: 6,
                     OTHER_SHORT: 7}

SERVICE_COMPONENTS: dict[str, tuple[str, ...]] = {  # R2 value -> R1 spellings
    "Reablement": (), "Short term nursing care": ("Short Term Nursing Care",),
    "Short term residential care": ("Short Term Residential Care",),
    "Long term nursing care": (), "Long term residential care": (),
    "Home support or domiciliary care": ("Home Support",), "Day support": (), "Meals": (),
    "Transport": (), "Equipment": (), "Direct payment": ("Direct Payment",), "Shared Lives": (),
    "Community supported living": ("Community Supported Living",), "Extra care housing": (),
    "Professional support: Social worker": (), "Professional support: Other": (),
    "Learning, education or employment support": (), "End of life care": (),
    "Emergency support": (), "Other short term support": (), "Other long term support": (),
    "Unpaid carer respite": (), "Unpaid carer sitting service": (),
    "Unpaid carer universal services": (), "Other unpaid carer support": (),
}

CLIENT_TYPES = {"Service user": ("Service User",), "Unpaid carer": ("Carer",),
                "Unpaid carer known by association": ("Carer known by association",)}
SERVICE_USER = "Service user"

ASSESSMENT_TYPES = {"Short term assessment": ("Short Term Assessment",),
                    "Long term assessment": ("Long Term Assessment",)}

DIRECT_PAYMENT = "Direct payment"
PERSONAL_BUDGET = "CASSR managed personal budget"
COMMISSIONED = "CASSR commissioned support"
DELIVERY_MECHANISMS = {DIRECT_PAYMENT: ("Direct Payment",),
                       PERSONAL_BUDGET: ("CASSR Managed Personal Budget",),
                       COMMISSIONED: ("CASSR Commissioned Support",)}

LEARNING_DISABILITY = "Learning disability support"
PRIMARY_SUPPORT_REASONS = {
    "Physical support: Access and mobility only": (), "Physical support: Personal care support": (),
    "Sensory support: Support for visual impairment": (),
    "Sensory support: Support for hearing impairment": (),
    "Sensory support: Support for dual impairment": (), "Support with memory and cognition": (),
    LEARNING_DISABILITY: (), "Mental health support": (),
    "Social support: Substance misuse support": (), "Social support: Asylum seeker support": (),
    "Social support: Support for social isolation or other reason": (
        "Social support: Support for social isolation or other",),
    "Social support: Support to unpaid carer": ("Social Support: Support to Carer",),
    "Unknown": (),
}

PRESUMED_AT_HOME = "Unknown: Presumed at home"
PRESUMED_IN_COMMUNITY = "Unknown: Presumed in community"
# Accommodation: R2 value -> (settled for ASCOF 2E, R1 spellings)  (spec 2.5.10)
ACCOMMODATION: dict[str, tuple[int, tuple[str, ...]]] = {
    "Owner occupier or shared ownership scheme": (1, ()),
    "Tenant: Local authority or other social housing provider": (1, ("Tenant",)),
    "Tenant: Private landlord": (1, ("Tenant - private landlord",)),
    "Settled mainstream housing with family or friends": (
        1, ("Settled mainstream housing with family / friends",)),
    "Supported accommodation, supported lodgings or supported group home": (
        1, ("Supported accommodation / supported lodgings / supported group home",)),
    "Shared Lives scheme": (1, ()),
    "Approved premises for offenders released from prison or under probation supervision": (1, ()),
    "Sheltered housing, extra care housing or other sheltered housing": (
        1, ("Sheltered housing / extra care housing / other sheltered housing",)),
    "Mobile accommodation for Gypsy, Roma and Traveller communities": (
        1, ("Mobile accommodation for Gypsy / Roma and Traveller communities",)),
    "Rough sleeper or squatting": (0, ("Rough sleeper / squatting",)),
    "Night shelter, emergency hostel or direct access hostel": (
        0, ("Night shelter / emergency hostel / direct access hostel",)),
    "Refuge": (0, ()),
    "Placed in temporary accommodation by the council (inc. homelessness resettlement)": (0, ()),
    "Staying with family or friends as a short term guest": (
        0, ("Staying with family / friends as a short-term guest",)),
    "Acute hospital or long term healthcare residential facility": (
        0, ("Acute / long-term healthcare residential facility or hospital",)),
    "Registered care home": (0, ()),
    "Registered nursing home": (0, ()),
    "Prison, young offenders institution or detention centre": (
        0, ("Prison / young offenders institution / detention centre",)),
    "Other temporary accommodation": (0, ()),
    "Unknown": (0, ()),
    PRESUMED_AT_HOME: (1, ("Unknown - Presumed at home",)),
    PRESUMED_IN_COMMUNITY: (0, ("Unknown - Presumed in community",)),
}

GENDERS = {"Male": (), "Female": (), "Other": (), "Unknown": ()}
EVENT_TYPES = ("Request", "Assessment", "Service", "Review")

# Field -> {R2 value: R1 spellings}; every coded field the engines read.
CODE_LISTS: dict[str, dict[str, tuple[str, ...]]] = {
    "Event_Outcome": {value: spec[2] for value, spec in EVENT_OUTCOMES.items()},
    "Service_Type": {value: (spec[1],) for value, spec in SERVICE_TYPES.items()},
    "Service_Component": SERVICE_COMPONENTS,
    "Client_Type": CLIENT_TYPES,
    "Assessment_Type": ASSESSMENT_TYPES,
    "Delivery_Mechanism": DELIVERY_MECHANISMS,
    "Primary_Support_Reason": PRIMARY_SUPPORT_REASONS,
    "Accommodation_Status": {value: spec[1] for value, spec in ACCOMMODATION.items()},
    "Gender": GENDERS,
}


def value_map(field: str) -> dict[str, str]:
    """Comparison key of every R2 and R1 spelling of ``field`` -> canonical R2 value."""
    mapping: dict[str, str] = {}
    for canonical, r1_spellings in CODE_LISTS[field].items():
        for spelling in (canonical, *r1_spellings):
            mapping[key(spelling)] = canonical
    return mapping


def mapping_frame() -> pd.DataFrame:
    """All code lists as one table (field, value_key, cleaned): the DuckDB engine joins on it."""
    rows = [(field, value_key, cleaned) for field in CODE_LISTS
            for value_key, cleaned in value_map(field).items()]
    return pd.DataFrame(rows, columns=["field", "value_key", "cleaned"])


def outcome_hierarchy() -> dict[str, int]:
    """Cleaned event outcome -> DHSC hierarchy (lower is the "higher" outcome)."""
    return {value: spec[0] for value, spec in EVENT_OUTCOMES.items()}


def outcome_group() -> dict[str, str]:
    """Cleaned event outcome -> grouped outcome (``NFA`` for every no-further-action value)."""
    return {value: (value if spec[1] == "same" else spec[1]) for value, spec in EVENT_OUTCOMES.items()}


def settled() -> dict[str, int]:
    """Cleaned accommodation -> 1 if it counts as living in one's own home or with family (2E)."""
    return {value: spec[0] for value, spec in ACCOMMODATION.items()}


def event_type(value: object) -> str | None:
    """Cleaned event type by the substring rule of DHSC's waiting-times code (spec 2.5.1)."""
    text = key(value)
    if text is None:
        return None
    for name in EVENT_TYPES:
        if name.casefold() in text:
            return name
    return INVALID


# 2A: outcomes a cluster cannot be classified by; they get hierarchy + 100 (spec 5.1.1).
UNUSABLE_2A = ("Continuation of support or services", "Progress to support planning or services",
               "Progress to assessment, review or reassessment", "Progress to reablement/ST-Max",
               R1_NOT_MAPPED, INVALID)
TWO_A_NUMERATOR = (LOW_LEVEL, OTHER_SHORT, "NFA: Information and advice or signposting",
                   "NFA: Support ended as planned", "NFA: Responsibility moved to another local authority",
                   "NFA: Other", "NFA: No services offered for other reason",
                   "NFA: Support ended for other reason",
                   "NFA: Referral to other service within the local authority")
SHORT_RES_NURSING = "Short term support: Residential or Nursing care"
TWO_A_DENOMINATOR_ONLY = (*LTS_TYPES, SHORT_RES_NURSING)

REQUEST_PROGRESS = ("Progress to reablement/ST-Max", "Progress to assessment, review or reassessment",
                    "Progress to support planning or services", "Continuation of support or services",
                    R1_NOT_MAPPED)
ASSESSMENT_TO_SERVICE = ("Progress to reablement/ST-Max", "Progress to support planning or services",
                         "Continuation of support or services")

# 2D: treatment functions whose spells are not counted (spec 5.3; also every 65x and 7xx code)
TWO_D_EXCLUDED_TREATMENT_FUNCTIONS = ("199", "223", "290", "291", "331", "344", "345", "346", "424", "499",
                                      "501", "504", "560", "660", "661", "662", "840", "920")
TWO_D_FOLLOW_UP_DAYS = 84
