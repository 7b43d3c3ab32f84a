"""The plain pandas reference implementation of the CLD methods (cld-methods.md sections 3 to 5).

It is written for clarity, step by step in the order of the specification, and is kept to check
the DuckDB engine (:mod:`scrutiny.cld.engine`) in the tests; reports use the DuckDB engine. Both take
the standard extract of :mod:`scrutiny.cld.extract` and return the same tables.

T-SQL's three-valued logic is reproduced on purpose: a comparison with a missing value is false,
so ``~s.isin(x)`` is always written with ``s.notna()`` (spec 1.5).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from dateutil.relativedelta import relativedelta

from scrutiny.cld import codes
from scrutiny.cld.periods import Period

DAY = pd.Timedelta(days=1)


def _clean(series: pd.Series, field: str) -> pd.Series:
    mapping = codes.value_map(field)
    keys = series.map(codes.key)
    cleaned = keys.map(mapping)
    return cleaned.where(keys.isna() | cleaned.notna(), codes.INVALID)


def age_at(birth_year: pd.Series, birth_month: pd.Series, when: pd.Series | pd.Timestamp) -> pd.Series:
    """Age by DHSC's rule: whole 365.25-day years from the first day of the birth month (1.3)."""
    proxy = pd.to_datetime(pd.DataFrame({"year": birth_year, "month": birth_month, "day": 1}),
                           errors="coerce")
    days = (when - proxy).dt.days
    return np.floor(days / 365.25).astype("Int64")


def working_band(age: pd.Series) -> pd.Series:
    """``Under 18``, ``18 to 64``, ``65 and above`` or ``Unknown``."""
    band = pd.Series("Unknown", index=age.index, dtype=object)
    band[age.notna() & (age < 18)] = "Under 18"
    band[age.notna() & (age >= 18) & (age <= 64)] = "18 to 64"
    band[age.notna() & (age >= 65)] = "65 and above"
    return band


def prepare(standard: pd.DataFrame, period_end: pd.Timestamp,
            data_start: pd.Timestamp = codes.WAITING_TIMES_START,
            periods: pd.DataFrame | None = None) -> pd.DataFrame:
    """Clean, filter to the reference periods, correct end dates for death, crop services between
    reference periods, derive the person id, ages and bands, and keep one row per unique event
    (spec 3.4 to 3.8). ``periods`` gives each chosen submission's reference period (LA_Code,
    ImportDate, Ref_Period_Start_Date, Ref_Period_End_Date; rows of other submissions are left
    out); without it the whole extract is one submission covering ``data_start`` to ``period_end``."""
    if periods is None:
        events = standard.copy()
        events["Ref_Period_Start_Date"] = data_start
        events["Ref_Period_End_Date"] = period_end
    else:
        chosen = periods[["LA_Code", "ImportDate", "Ref_Period_Start_Date", "Ref_Period_End_Date"]].copy()
        for column in ("ImportDate", "Ref_Period_Start_Date", "Ref_Period_End_Date"):
            chosen[column] = pd.to_datetime(chosen[column])
        events = standard.assign(ImportDate=pd.to_datetime(standard["ImportDate"])).merge(
            chosen, on=["LA_Code", "ImportDate"], how="inner")
    events["Event_Type"] = events["Event_Type"].map(codes.event_type)
    for field in codes.CODE_LISTS:
        events[field] = _clean(events[field], field)
    events["Event_Outcome_Hierarchy"] = events["Event_Outcome"].map(codes.outcome_hierarchy())
    events["Event_Outcome_Grouped"] = events["Event_Outcome"].map(codes.outcome_group())
    events["Service_Type_Grouped"] = events["Service_Type"].map(
        {value: spec[0] for value, spec in codes.SERVICE_TYPES.items()})
    # 3.6 person id: traced NHS number, else submitted NHS number, else LA code + LA person id
    local_id = events["LA_Code"].astype("string") + "_" + events["LA_Person_Unique_Identifier"].astype("string")
    events["Person_ID"] = (events["Der_NHS_Number_Traced_Pseudo"].astype("string")
                           .fillna(events["Der_NHS_Number_Pseudo"].astype("string")).fillna(local_id))
    events = events[events["Person_ID"].notna()]
    # 3.4 death-corrected end date and filters
    start, end, death = events["Event_Start_Date"], events["Event_End_Date"], events["Date_of_Death"]
    died_during = ((death >= start) & (death <= end)) | (end.isna() & (death > start))
    events["Event_End_Date_Raw"] = end
    events["Der_Event_End_Date"] = death.where(died_during, end)
    der_end = events["Der_Event_End_Date"]
    is_service = events["Event_Type"] == "Service"
    ref_start, ref_end = events["Ref_Period_Start_Date"], events["Ref_Period_End_Date"]
    keep_other = ~is_service & (der_end >= ref_start) & (der_end <= ref_end) & (start <= ref_end)
    keep_service = is_service & (start <= ref_end) & ((der_end >= ref_start) | der_end.isna())
    alive = death.isna() | ((death >= ref_start) & (death >= start))
    events = events[(keep_other | keep_service) & alive].copy()
    # 3.8 one row per unique event (cleaned values in the key), DHSC's order of preference
    route = events["Request_Route_of_Access"].map(codes.key)
    service = events["Event_Type"] == "Service"
    key_parts = {
        "LA_Code": events["LA_Code"], "Person_ID": events["Person_ID"],
        "start": events["Event_Start_Date"], "client": events["Client_Type"],
        "type": events["Event_Type"],
        "end": events["Der_Event_End_Date"].where(~service),
        "route": route.where(events["Event_Type"] == "Request"),
        "assessment": events["Assessment_Type"].where(events["Event_Type"] == "Assessment"),
        "service_type": events["Service_Type"].where(service),
        "component": events["Service_Component"].where(service),
    }
    event_key = pd.DataFrame(key_parts).astype("string").fillna("\x00")
    events["Event_Key"] = pd.util.hash_pandas_object(event_key, index=False).to_numpy()
    events = _crop_between_periods(events)
    events["_end_sort"] = events["Der_Event_End_Date"].fillna(codes.OPEN_END)
    events["_hier_sort"] = events["Event_Outcome_Hierarchy"].fillna(999)
    events = events.sort_values(
        ["Event_Key", "Ref_Period_End_Date", "_end_sort", "_hier_sort", "Der_Conversation",
         "Der_Unique_Record_ID"], ascending=[True, False, False, True, False, False], kind="mergesort")
    events = events.drop_duplicates("Event_Key", keep="first")
    # 3.6 ages and bands: at the end, or for an open service at the reference-period end
    age_date = events["Der_Event_End_Date"].where(
        events["Der_Event_End_Date"].notna() | ~(events["Event_Type"] == "Service"), events["Ref_Period_End_Date"])
    events["Der_Latest_Age"] = age_at(events["Der_Birth_Year"], events["Der_Birth_Month"], age_date)
    events["Der_Working_Age_Band"] = working_band(events["Der_Latest_Age"])
    return (events.drop(columns=["_end_sort", "_hier_sort"])
            .sort_values(["LA_Code", "Person_ID", "Event_Start_Date", "Der_Unique_Record_ID"])
            .reset_index(drop=True))


def _crop_between_periods(events: pd.DataFrame) -> pd.DataFrame:
    """Spec 3.7: a service still open at the end of its reference period, when that is not the
    council's last period, ends then unless the next period's file holds the same event."""
    last = events.groupby("LA_Code")["Ref_Period_End_Date"].transform("max")
    open_at_end = ((events["Event_Type"] == "Service") & (events["Ref_Period_End_Date"] < last)
                   & (events["Der_Event_End_Date"].isna()
                      | (events["Der_Event_End_Date"] > events["Ref_Period_End_Date"])))
    if not open_at_end.any():
        return events
    present = set(zip(events["LA_Code"], events["Event_Key"], events["Ref_Period_Start_Date"], strict=True))
    next_start = events["Ref_Period_End_Date"] + DAY
    in_next = pd.Series([(la, key, day) in present for la, key, day in
                         zip(events["LA_Code"], events["Event_Key"], next_start, strict=True)], index=events.index)
    crop = open_at_end & ~in_next
    events = events.copy()
    events.loc[crop, "Der_Event_End_Date"] = events.loc[crop, "Ref_Period_End_Date"]
    return events


def _latest_known(events: pd.DataFrame, field: str, unknown: tuple[str, ...]) -> pd.Series:
    """Per person, the value of the latest rows that know ``field``; ``Unknown`` if they disagree."""
    known = events[events[field].notna() & ~events[field].isin(unknown)]
    if known.empty:
        return pd.Series(dtype=object)
    order = known.assign(_end=known["Der_Event_End_Date"].fillna(codes.OPEN_END))
    latest = order.groupby(["LA_Code", "Person_ID"])[["Ref_Period_End_Date", "_end",
                                                      "Event_Start_Date"]].transform("max")
    top = order[(order["Ref_Period_End_Date"] == latest["Ref_Period_End_Date"])]
    top_end = top.groupby(["LA_Code", "Person_ID"])["_end"].transform("max")
    top = top[top["_end"] == top_end]
    top_start = top.groupby(["LA_Code", "Person_ID"])["Event_Start_Date"].transform("max")
    top = top[top["Event_Start_Date"] == top_start]
    summary = top.groupby(["LA_Code", "Person_ID"])[field].agg(["nunique", "first"])
    return summary["first"].where(summary["nunique"] == 1, "Unknown")


def person_details(events: pd.DataFrame) -> pd.DataFrame:
    """One row per council and person (spec 3.9): birth year and month, date of death, gender,
    primary support reason and accommodation (with the service fallback)."""
    persons = events.groupby(["LA_Code", "Person_ID"]).size().rename("rows").to_frame()
    births = events[events["Der_Birth_Year"].notna() & events["Der_Birth_Month"].notna()]
    births = births.sort_values(["Ref_Period_End_Date", "Der_Birth_Year", "Der_Birth_Month"],
                                ascending=[False, True, True])
    first = births.groupby(["LA_Code", "Person_ID"])[["Der_Birth_Year", "Der_Birth_Month"]].first()
    persons = persons.join(first)
    persons["Date_of_Death"] = events.groupby(["LA_Code", "Person_ID"])["Date_of_Death"].max()
    invalid = ("Unknown", codes.INVALID)
    persons["Gender"] = _latest_known(events, "Gender", invalid)
    persons["Primary_Support_Reason"] = _latest_known(
        events, "Primary_Support_Reason", (*invalid, "Social support: Support to unpaid carer"))
    persons["Accommodation_Status"] = _latest_known(events, "Accommodation_Status", invalid)
    fallback = _accommodation_fallback(events)
    unknown = persons["Accommodation_Status"].isna() | (persons["Accommodation_Status"] == "Unknown")
    persons.loc[unknown, "Accommodation_Status"] = fallback.reindex(persons.index)[unknown].fillna("Unknown")
    for column in ("Gender", "Primary_Support_Reason"):
        persons[column] = persons[column].fillna("Unknown")
    return persons.drop(columns="rows").reset_index()


def _accommodation_fallback(events: pd.DataFrame) -> pd.Series:
    services = events[events["Event_Type"] == "Service"].copy()
    if services.empty:
        return pd.Series(dtype=object)
    mappable = ("Shared Lives", "Community supported living", "Extra care housing",
                "Home support or domiciliary care")
    services["_end"] = services["Der_Event_End_Date"].fillna(codes.OPEN_END)
    services["_type_rank"] = services["Service_Type"].map(codes.SERVICE_TYPE_RANK).fillna(99)
    services["_mappable"] = services["Service_Component"].isin(mappable).astype(int)
    group = ["LA_Code", "Person_ID"]
    sort_keys = ["_end", "_type_rank", "_mappable", "Event_Start_Date"]
    ranked = services.sort_values(group + sort_keys, ascending=[True, True, False, True, False, False])
    first = ranked.groupby(group)[sort_keys].transform("first")
    top = ranked[(ranked[sort_keys] == first).all(axis=1)]

    kinds = top[top["_type_rank"] < 99].groupby(group)["Service_Type"].agg(["nunique", "first"])
    components = top[top["_mappable"] == 1].groupby(group)["Service_Component"].agg(["nunique", "first"])
    people = top.groupby(group).size().to_frame("rows")
    people["kind"] = kinds["first"].where(kinds["nunique"] == 1)
    people["component"] = components["first"].where(components["nunique"] == 1)
    people = people.astype(object).where(people.notna(), None)
    return pd.Series([accommodation_from_service(k, c) for k, c in zip(people["kind"], people["component"],
                                                                       strict=True)],
                     index=people.index, dtype=object)


def accommodation_from_service(service_type: str | None, component: str | None) -> str:
    """DHSC's accommodation inferred from a person's latest service (spec 3.9 fallback table)."""
    if service_type == codes.NURSING:
        return "Registered nursing home"
    if service_type == codes.RESIDENTIAL:
        return "Registered care home"
    if component == "Shared Lives":
        return "Shared Lives scheme"
    if component == "Extra care housing":
        return "Sheltered housing, extra care housing or other sheltered housing"
    if component == "Community supported living":
        return "Supported accommodation, supported lodgings or supported group home"
    if service_type == codes.COMMUNITY and component == "Home support or domiciliary care":
        return codes.PRESUMED_AT_HOME
    if service_type == codes.COMMUNITY and component is None:
        return codes.PRESUMED_IN_COMMUNITY
    if service_type == codes.PRISON:
        return "Prison, young offenders institution or detention centre"
    return "Unknown"


# --------------------------------------------------------------------------- waiting times (4)

WAIT_BANDS = {"18 to 64": "25 to 64", "65 and above": "65 and above"}


def waiting_time_requests(events: pd.DataFrame) -> pd.DataFrame:
    """One row per valid request of a new client aged 25+ (spec 4.2 to 4.4): its response and first
    service (order number, type, start, band) and whether it was excluded as overlapping."""
    group = ["LA_Code", "Person_ID"]
    etype = events["Event_Type"]
    responses = events[((etype == "Assessment") & events["Assessment_Type"].isin(codes.ASSESSMENT_TYPES))
                       | ((etype == "Service") & events["Service_Type"].isin(codes.LTS_TYPES + codes.SHORT_TYPES))]
    requests = events[(etype == "Request") & (events["Client_Type"] == codes.SERVICE_USER)
                      & (events["Event_Start_Date"] >= codes.WAITING_TIMES_START)
                      & (events["Der_Age_Event_Start_Date"] >= 25)]
    # 4.2.4 new clients only
    services = responses[responses["Event_Type"] == "Service"]
    pairs = requests[group + ["Event_Key", "Event_Start_Date"]].merge(
        services[group + ["Event_Start_Date", "Der_Event_End_Date", "Service_Type"]],
        on=group, suffixes=("", "_s"))
    before = pairs["Event_Start_Date_s"] < pairs["Event_Start_Date"]
    open_or = pairs["Der_Event_End_Date"].isna()
    ends = pairs["Der_Event_End_Date"]
    year_back = pairs["Event_Start_Date"].map(lambda d: d - relativedelta(months=12))
    quarter_back = pairs["Event_Start_Date"].map(lambda d: d - relativedelta(months=3))
    lts = pairs["Service_Type"].isin(codes.LTS_TYPES) & (open_or | (ends >= year_back))
    short = pairs["Service_Type"].isin((codes.ST_MAX, codes.OTHER_SHORT)) & (open_or | (ends >= quarter_back))
    existing = set(pairs.loc[before & (lts | short), "Event_Key"])
    requests = requests[~requests["Event_Key"].isin(existing)]
    grouped = requests["Event_Outcome_Grouped"]
    requests = requests[grouped.notna() & ~grouped.isin(("NFA", "Admitted to hospital"))]
    # 4.3 chronology of valid requests and candidate responses per person
    chronology = pd.concat([requests, responses[responses["Der_Age_Event_Start_Date"] >= 25]])
    chronology = chronology[chronology.set_index(group).index.isin(requests.set_index(group).index)]
    chronology = chronology.assign(
        _priority=chronology["Event_Type"].map({"Request": 1, "Assessment": 2, "Service": 3}),
        Band=chronology["Der_Working_Age_Band"].map(WAIT_BANDS).fillna(chronology["Der_Working_Age_Band"]))
    chronology = chronology.sort_values(
        group + ["Event_Start_Date", "_priority", "ImportDate", "Der_Unique_Record_ID"],
        ascending=[True, True, True, True, False, False], kind="mergesort").reset_index(drop=True)
    chronology["ord"] = chronology.groupby(group).cumcount() + 1
    is_assessment = chronology["Event_Type"] == "Assessment"
    chronology["progress_to_service"] = (
        is_assessment & chronology["Event_Outcome"].isin(codes.ASSESSMENT_TO_SERVICE)).astype(int)
    previous_assessment = is_assessment.groupby([chronology[c] for c in group]).shift(1, fill_value=False)
    new_block = is_assessment & ~previous_assessment
    chronology["block"] = new_block.groupby([chronology[c] for c in group]).cumsum()
    flags = (chronology[is_assessment].groupby(group + ["block"])["progress_to_service"].max()
             .rename("block_flag"))
    chronology = chronology.join(flags, on=group + ["block"])
    # 4.3.5 next assessment and next service after each row (bfill within person, strictly after)
    for kind, column in (("Assessment", "next_assessment"), ("Service", "next_service")):
        ords = chronology["ord"].where(chronology["Event_Type"] == kind)
        chronology[column] = ords.groupby([chronology[c] for c in group]).bfill()
    lookup = chronology.set_index(group + ["ord"])
    valid = chronology[chronology["Event_Type"] == "Request"].copy()

    def attach(prefix: str, ords: pd.Series) -> None:
        index = pd.MultiIndex.from_arrays([valid["LA_Code"], valid["Person_ID"], ords])
        found = lookup.reindex(index)
        valid[f"{prefix}_start"] = found["Event_Start_Date"].to_numpy()
        valid[f"{prefix}_band"] = found["Band"].to_numpy()
        valid[f"{prefix}_block_flag"] = found["block_flag"].to_numpy()

    attach("A", valid["next_assessment"])
    attach("S", valid["next_service"])
    # 4.4.1 three-conversations override, else the next assessment
    override = ((valid["Event_Start_Date"] < codes.R2_SWITCH) & (valid["Der_Conversation"] == 1)
                & valid["Event_Outcome"].isin(codes.REQUEST_PROGRESS)
                & (valid["next_assessment"].isna() | (valid["Event_Start_Date"] < valid["A_start"])))
    valid["response_ord"] = np.where(override, valid["ord"], valid["next_assessment"])
    valid["response_type"] = np.where(override, "Request",
                                      np.where(valid["next_assessment"].notna(), "Assessment", None))
    valid["response_start"] = valid["Event_Start_Date"].where(override, valid["A_start"])
    valid["response_band"] = valid["Band"].where(override, valid["A_band"])
    block_flag = valid["A_block_flag"].where(~override)
    # 4.4.2 a service before the response becomes the response
    service_first = valid["next_service"].notna() & (
        valid["response_ord"].isna() | (valid["response_ord"] > valid["next_service"]))
    valid.loc[service_first, "response_ord"] = valid.loc[service_first, "next_service"]
    valid.loc[service_first, "response_type"] = "Service"
    valid.loc[service_first, "response_start"] = valid.loc[service_first, "S_start"]
    valid.loc[service_first, "response_band"] = valid.loc[service_first, "S_band"]
    # 4.4.3 an assessment block without progress to services blocks part 2
    blocked = (valid["response_type"] == "Assessment") & (block_flag == 0)
    valid["response_progress"] = (valid["response_type"] == "Request") | (
        (valid["response_type"] == "Assessment") & (block_flag == 1))
    valid["service_ord"] = valid["next_service"].where(~blocked)
    valid["service_start"] = valid["S_start"].where(~blocked)
    valid["service_band"] = valid["S_band"].where(~blocked)
    # 4.4.4 overlapping requests: one wait per episode
    greatest = valid[["response_ord", "service_ord"]].max(axis=1)
    previous_greatest = greatest.groupby([valid[c] for c in group]).shift(1)
    keys = [valid[c] for c in group]
    earlier_response = (valid["response_ord"].astype(float).fillna(0).groupby(keys).cummax()
                        .groupby(keys).shift(1).fillna(0))
    earlier_service = (valid["service_ord"].astype(float).fillna(0).groupby(keys).cummax()
                       .groupby(keys).shift(1).fillna(0))
    valid["excluded"] = ((previous_greatest > valid["ord"]) | (valid["response_ord"] <= earlier_response)
                         | (valid["service_ord"] <= earlier_service)).fillna(False).astype(bool)
    return _request_table(valid)


def _request_table(valid: pd.DataFrame) -> pd.DataFrame:
    table = pd.DataFrame({
        "LA_Code": valid["LA_Code"], "Person_ID": valid["Person_ID"],
        "request_ord": valid["ord"].astype("Int64"), "request_start": valid["Event_Start_Date"],
        "request_end": valid["Der_Event_End_Date"], "request_band": valid["Band"],
        "date_of_death": valid["Date_of_Death"],
        "response_ord": valid["response_ord"].astype("Float64").astype("Int64"),
        "response_type": valid["response_type"], "response_start": pd.to_datetime(valid["response_start"]),
        "response_band": valid["response_band"],
        "response_progress": valid["response_progress"].astype(bool),
        "service_ord": valid["service_ord"].astype("Float64").astype("Int64"),
        "service_start": pd.to_datetime(valid["service_start"]), "service_band": valid["service_band"],
        "excluded": valid["excluded"].astype(bool),
    })
    return table.sort_values(["LA_Code", "Person_ID", "request_ord"]).reset_index(drop=True)


# --------------------------------------------------------------------------- ASCOF 2A (5.1)

def _service_user_rows(events: pd.DataFrame) -> pd.DataFrame:
    rows = events[(events["Client_Type"] == codes.SERVICE_USER) & events["Event_Start_Date"].notna()]
    end = rows["Der_Event_End_Date"]
    rows = rows[end.isna() | (end >= rows["Event_Start_Date"])].copy()
    rows["end"] = rows["Der_Event_End_Date"].fillna(codes.OPEN_END)
    return rows


def _adjusted_hierarchy(outcome: pd.Series) -> pd.Series:
    hierarchy = outcome.map(codes.outcome_hierarchy()).astype(float).fillna(999)
    return hierarchy + np.where(outcome.isin(codes.UNUSABLE_2A) & (hierarchy < 999), 100, 0)


def reablement_clusters(rows: pd.DataFrame, *, component: str | None = None) -> pd.DataFrame:
    """ST-Max episodes per person: rows more than 7 days apart start a new cluster (5.1.2)."""
    st = rows[rows["Service_Type"] == codes.ST_MAX]
    if component is not None:
        st = st[st["Service_Component"] == component]
    if st.empty:
        return pd.DataFrame(columns=["LA_Code", "Person_ID", "cluster", "cluster_start", "cluster_end",
                                     "cluster_outcome", "cluster_hierarchy"])
    st = st.assign(outcome=st["Event_Outcome"].fillna(codes.INVALID))
    st = st.assign(hierarchy=_adjusted_hierarchy(st["outcome"]))
    st = st.sort_values(["LA_Code", "Person_ID", "Event_Start_Date", "end", "hierarchy",
                         "Der_Unique_Record_ID"], ascending=[True] * 5 + [False])
    group = [st["LA_Code"], st["Person_ID"]]
    earlier_end = st["end"].groupby(group).cummax().groupby(group).shift(1)
    new = earlier_end.isna() | ((st["Event_Start_Date"] - earlier_end).dt.days > 7)
    st["cluster"] = new.groupby(group).cumsum()
    keys = ["LA_Code", "Person_ID", "cluster"]
    clusters = st.groupby(keys).agg(cluster_start=("Event_Start_Date", "min"), cluster_end=("end", "max"))
    pick = st.sort_values(keys + ["end", "hierarchy", "Der_Unique_Record_ID"],
                          ascending=[True, True, True, False, True, False]).groupby(keys).first()
    clusters["cluster_outcome"] = pick["outcome"]
    clusters["cluster_hierarchy"] = pick["hierarchy"]
    return clusters.reset_index()


CLUSTER_COLUMNS = ["LA_Code", "Person_ID", "cluster_start", "cluster_end", "cluster_outcome", "age", "band",
                   "sequel", "final_outcome", "in_numerator", "in_denominator"]


def ascof_2a_clusters(events: pd.DataFrame, persons: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Every in-scope new-client reablement cluster with its sequel and final outcome (5.1.3 to 5.1.7)."""
    rows = _service_user_rows(events)
    clusters = reablement_clusters(rows)
    if clusters.empty:
        return pd.DataFrame(columns=CLUSTER_COLUMNS)
    clusters = clusters[(clusters["cluster_end"] >= period.start) & (clusters["cluster_end"] <= period.end)]
    clusters = clusters.merge(persons, on=["LA_Code", "Person_ID"], how="left")
    clusters["age"] = age_at(clusters["Der_Birth_Year"], clusters["Der_Birth_Month"], clusters["cluster_end"])
    clusters = clusters[clusters["age"].isna() | (clusters["age"] >= 18)]
    death = clusters["Date_of_Death"]
    clusters = clusters[death.isna() | (death >= clusters["cluster_start"])]
    lts = rows[rows["Service_Type"].isin(codes.LTS_TYPES)][["LA_Code", "Person_ID", "Event_Start_Date", "end"]]
    pairs = clusters[["LA_Code", "Person_ID", "cluster", "cluster_start"]].merge(lts, on=["LA_Code", "Person_ID"])
    existing = pairs[(pairs["Event_Start_Date"] < pairs["cluster_start"])
                     & ((pairs["cluster_start"] - pairs["end"]).dt.days < 91)]
    existing_keys = set(zip(existing["LA_Code"], existing["Person_ID"], existing["cluster"], strict=True))
    clusters = clusters[[k not in existing_keys for k in
                         zip(clusters["LA_Code"], clusters["Person_ID"], clusters["cluster"], strict=True)]]
    if clusters.empty:
        return pd.DataFrame(columns=CLUSTER_COLUMNS)
    results = [_sequel(cluster, rows_of_person)
               for cluster, rows_of_person in _with_rows(clusters, rows)]
    clusters = clusters.assign(sequel=[r[0] for r in results], final_outcome=[r[1] for r in results])
    clusters["band"] = working_band(clusters["age"])
    clusters["in_numerator"] = clusters["final_outcome"].isin(codes.TWO_A_NUMERATOR)
    clusters["in_denominator"] = clusters["in_numerator"] | clusters["final_outcome"].isin(
        codes.TWO_A_DENOMINATOR_ONLY)
    return clusters[CLUSTER_COLUMNS].reset_index(drop=True)


def _with_rows(clusters: pd.DataFrame, rows: pd.DataFrame):
    wanted = pd.MultiIndex.from_frame(clusters[["LA_Code", "Person_ID"]])
    rows = rows[pd.MultiIndex.from_frame(rows[["LA_Code", "Person_ID"]]).isin(wanted)]
    by_person = dict(tuple(rows.groupby(["LA_Code", "Person_ID"])))
    for _, cluster in clusters.iterrows():
        yield cluster, by_person[(cluster["LA_Code"], cluster["Person_ID"])]


def _sequel(cluster: pd.Series, rows: pd.DataFrame) -> tuple[str, str]:
    start, end = cluster["cluster_start"], cluster["cluster_end"]
    own = (rows["Service_Type"] == codes.ST_MAX) & rows["Event_Start_Date"].between(start, end)
    pool = rows[~own]
    window = pool[(pool["Event_Start_Date"] >= start) & (pool["end"] > end)
                  & ((pool["Event_Start_Date"] - end).dt.days <= 7)]
    st_in_window = window.loc[window["Service_Type"] == codes.ST_MAX, "Event_Start_Date"]
    if not st_in_window.empty:
        window = window[window["Event_Start_Date"] < st_in_window.min()]
    nested = pool[(pool["Event_Start_Date"] >= start) & (pool["end"] > start) & (pool["end"] <= end)]
    death = cluster["Date_of_Death"]
    if pd.notna(death) and death <= end + pd.Timedelta(days=7):
        return "1", "NFA: Deceased"
    if cluster["cluster_outcome"] == "Admitted to hospital":
        return "2", "Admitted to hospital"
    services = window[(window["Event_Type"] == "Service") & window["Service_Type"].isin(codes.SERVICE_TYPE_RANK)]
    if not services.empty:
        short_care = services["Service_Component"].isin(("Short term residential care", "Short term nursing care"))
        best = services.assign(_rank=services["Service_Type"].map(codes.SERVICE_TYPE_RANK),
                               _short=~short_care).sort_values(["_rank", "_short"]).iloc[0]
        if best["Service_Type"] == codes.OTHER_SHORT and not best["_short"]:
            return "3", codes.SHORT_RES_NURSING
        return "3", best["Service_Type"]
    cluster_usable = cluster["cluster_hierarchy"] < 100
    candidates: list[tuple[float, int, str, str]] = []
    others = window[window["Event_Type"] != "Service"]
    others = others.assign(outcome=others["Event_Outcome"].fillna(codes.INVALID))
    others = others.assign(hierarchy=_adjusted_hierarchy(others["outcome"]))
    qualifying = others[(others["outcome"] != "NFA: Support ended as planned")
                        & (cluster_usable | (others["hierarchy"] < 100))]
    if (window.empty and cluster_usable) or not qualifying.empty:
        candidates.append((cluster["cluster_hierarchy"], 0, "4a", cluster["cluster_outcome"]))
    for _, row in qualifying[qualifying["hierarchy"] < 100].iterrows():
        candidates.append((row["hierarchy"], 1, "4b", row["outcome"]))
    reviews = nested[nested["Event_Type"].isin(("Assessment", "Review"))]
    reviews = reviews.assign(outcome=reviews["Event_Outcome"].fillna(codes.INVALID))
    reviews = reviews.assign(hierarchy=_adjusted_hierarchy(reviews["outcome"]))
    reviews = reviews[((end - reviews["end"]).dt.days < 14) & (reviews["hierarchy"] < 100)]
    if not reviews.empty:
        latest = reviews.sort_values(["end", "hierarchy"], ascending=[False, True]).iloc[0]
        candidates.append((latest["hierarchy"], 2, "4c", latest["outcome"]))
    if candidates:
        _, _, label, outcome = min(candidates, key=lambda c: (c[0], c[1]))
        return label, outcome
    if ((nested["Event_Type"] == "Service") & (nested["Service_Component"] == "Equipment")).any():
        return "5", codes.LOW_LEVEL
    return "6", cluster["cluster_outcome"]


# --------------------------------------------------------------------------- ASCOF 2B/2C (5.2)

def ascof_2b2c_admissions(events: pd.DataFrame, persons: pd.DataFrame, period: Period, *,
                          null_component: str = "faithful", self_funded: str = "placement") -> pd.DataFrame:
    """New permanent admissions in the period, one row per person with band (5.2.1 to 5.2.4).

    ``null_component="intended"`` keeps placements without a component (DHSC's code drops them);
    ``self_funded="admission"`` applies the self-funded exclusion only to admissions (the older
    DHSC code), so self-funded placements still count as earlier placements."""
    rows = events[(events["Event_Type"] == "Service") & (events["Client_Type"] == codes.SERVICE_USER)
                  & events["Service_Type"].isin((codes.RESIDENTIAL, codes.NURSING))]
    rows = rows.merge(persons[["LA_Code", "Person_ID", "Der_Birth_Year", "Der_Birth_Month", "Date_of_Death"]],
                      on=["LA_Code", "Person_ID"], how="left", suffixes=("_row", ""))
    rows = rows[rows["Der_Birth_Year"].notna() & rows["Der_Birth_Month"].notna()]
    rows = rows[rows["Date_of_Death"].isna() | (rows["Date_of_Death"] >= period.start)]
    component = rows["Service_Component"]
    lower = component.str.casefold()
    fits = (lower.str.contains("residential") | lower.str.contains("nursing")) & ~lower.str.contains("short")
    fits = fits.fillna(False).astype(bool)
    if null_component == "intended":
        fits = fits | component.isna()
    rows = rows[fits]
    self_funded_row = rows["Event_Outcome"] == "NFA: Self-funded client or under 12wk disregard"
    placements = rows[~self_funded_row] if self_funded == "placement" else rows
    admissions = placements[~(placements["Event_Outcome"] == "NFA: Self-funded client or under 12wk disregard")]
    admissions = admissions[(admissions["Event_Start_Date"] >= period.start)
                            & (admissions["Event_Start_Date"] <= period.end)]
    if admissions.empty:
        return pd.DataFrame(columns=["LA_Code", "Person_ID", "band"])
    admissions = admissions.assign(age=age_at(admissions["Der_Birth_Year"], admissions["Der_Birth_Month"],
                                              admissions["Event_Start_Date"]))
    admissions = admissions[["LA_Code", "Person_ID", "Event_Start_Date", "age"]].drop_duplicates()
    pairs = admissions.merge(placements[["LA_Code", "Person_ID", "Event_Start_Date", "Der_Event_End_Date"]],
                             on=["LA_Code", "Person_ID"], suffixes=("", "_p"))
    gap = (pairs["Event_Start_Date"] - pairs["Der_Event_End_Date"]).dt.days
    prior = (pairs["Event_Start_Date_p"] < pairs["Event_Start_Date"]) & (
        pairs["Der_Event_End_Date"].isna() | (gap < 365))
    not_new = set(zip(pairs.loc[prior, "LA_Code"], pairs.loc[prior, "Person_ID"],
                      pairs.loc[prior, "Event_Start_Date"], strict=True))
    new = admissions[[k not in not_new for k in zip(admissions["LA_Code"], admissions["Person_ID"],
                                                    admissions["Event_Start_Date"], strict=True)]]
    new = new[new["age"] >= 18]
    working = new.assign(working=new["age"] <= 64).groupby(["LA_Code", "Person_ID"])["working"].any()
    people = working.reset_index()
    people["band"] = np.where(people["working"], "18 to 64", "65 and above")
    return people[["LA_Code", "Person_ID", "band"]]


# --------------------------------------------------------------------------- ASCOF 2E (5.4)

def ascof_2e_people(events: pd.DataFrame, persons: pd.DataFrame, period: Period) -> pd.DataFrame:
    """People in long-term support in the period with age band, gender, settled flag and PSR."""
    rows = events[(events["Event_Type"] == "Service") & (events["Client_Type"] == codes.SERVICE_USER)
                  & events["Service_Type"].isin(codes.LTS_TYPES) & (events["Event_Start_Date"] <= period.end)]
    end = rows["Der_Event_End_Date"]
    rows = rows[(end.isna() | (end >= rows["Event_Start_Date"])) & (end.isna() | (end >= period.start))]
    capped = rows["Der_Event_End_Date"].fillna(codes.OPEN_END).clip(upper=period.end)
    latest = capped.groupby([rows["LA_Code"], rows["Person_ID"]]).max().rename("latest_end").reset_index()
    people = latest.merge(persons, on=["LA_Code", "Person_ID"], how="left")
    people = people[people["Date_of_Death"].isna() | (people["Date_of_Death"] >= period.start)]
    people["age"] = age_at(people["Der_Birth_Year"], people["Der_Birth_Month"], people["latest_end"])
    people = people[people["age"].isna() | (people["age"] >= 18)]
    people["band"] = working_band(people["age"]).where(people["age"].fillna(0) > 0, "Unknown")
    people["settled"] = people["Accommodation_Status"].map(codes.settled()).fillna(0).astype(int)
    known = set(codes.ACCOMMODATION) - {"Unknown", codes.PRESUMED_AT_HOME, codes.PRESUMED_IN_COMMUNITY}
    people["accommodation_unknown"] = ~people["Accommodation_Status"].isin(known)
    people["learning_disability"] = people["Primary_Support_Reason"] == codes.LEARNING_DISABILITY
    return people[["LA_Code", "Person_ID", "age", "band", "Gender", "settled", "accommodation_unknown",
                   "learning_disability"]].reset_index(drop=True)


# --------------------------------------------------------------------------- ASCOF 3D (5.5)

def ascof_3d_people(events: pd.DataFrame, persons: pd.DataFrame, period: Period) -> pd.DataFrame:
    """Service users in long-term support at the period end, with their setting hierarchy."""
    rows = events[(events["Event_Type"] == "Service") & (events["Client_Type"] == codes.SERVICE_USER)
                  & events["Service_Type"].isin(codes.LTS_TYPES) & (events["Event_Start_Date"] <= period.end)]
    end = rows["Der_Event_End_Date"]
    rows = rows[(end.isna() | (end >= rows["Event_Start_Date"])) & (end.isna() | (end >= period.end))]
    rows = rows.merge(persons[["LA_Code", "Person_ID", "Der_Birth_Year", "Der_Birth_Month", "Date_of_Death"]],
                      on=["LA_Code", "Person_ID"], how="left", suffixes=("_row", ""))
    rows = rows[rows["Date_of_Death"].isna() | (rows["Date_of_Death"] >= period.end)]
    dp_component = rows["Service_Component"] == codes.DIRECT_PAYMENT
    mechanism = rows["Delivery_Mechanism"].where(~dp_component, codes.DIRECT_PAYMENT)
    stype = rows["Service_Type"]
    community = stype == codes.COMMUNITY
    prison = stype == codes.PRISON
    hierarchy = pd.Series(np.nan, index=rows.index)
    hierarchy[stype == codes.NURSING] = 1
    hierarchy[stype == codes.RESIDENTIAL] = 2
    hierarchy[community] = 6
    hierarchy[community & (mechanism == codes.COMMISSIONED)] = 5
    hierarchy[community & (mechanism == codes.PERSONAL_BUDGET)] = 4
    hierarchy[community & ((mechanism == codes.DIRECT_PAYMENT) | dp_component)] = 3
    hierarchy[prison] = 9
    hierarchy[prison & (mechanism == codes.COMMISSIONED)] = 8
    hierarchy[prison & (mechanism == codes.PERSONAL_BUDGET)] = 7
    if rows.empty:
        return pd.DataFrame(columns=["LA_Code", "Person_ID", "hierarchy", "band", "non_dp_component"])
    rows = rows.assign(hierarchy=hierarchy, dp_component=dp_component)
    best = rows.groupby(["LA_Code", "Person_ID"])["hierarchy"].transform("min")
    rows = rows[rows["hierarchy"] == best]
    people = rows.groupby(["LA_Code", "Person_ID"]).agg(
        hierarchy=("hierarchy", "min"), Der_Birth_Year=("Der_Birth_Year", "first"),
        Der_Birth_Month=("Der_Birth_Month", "first"),
        non_dp_component=("dp_component", lambda s: bool((~s).all()))).reset_index()
    people["age"] = age_at(people["Der_Birth_Year"], people["Der_Birth_Month"], pd.Series(period.end, index=people.index))
    people["band"] = working_band(people["age"])
    people = people[people["band"] != "Under 18"]
    return people[["LA_Code", "Person_ID", "hierarchy", "band", "non_dp_component"]]


def _identified(units: pd.DataFrame, identified: bool) -> pd.DataFrame:
    return units if identified else units.drop(columns="Person_ID")


class ReferenceEngine:
    """The pandas reference behind the same interface as :class:`scrutiny.cld.engine.DuckDBEngine`."""

    discharges = None  # ASCOF 2D is computed by the DuckDB engine only

    def __init__(self, standard: pd.DataFrame, period_end: object,
                 data_start: object = codes.WAITING_TIMES_START, periods: pd.DataFrame | None = None):
        self.period = Period.twelve_months_to(period_end)
        self._events = prepare(standard, self.period.end, pd.Timestamp(data_start), periods)
        self._persons = person_details(self._events)

    def events(self) -> pd.DataFrame:
        return self._events

    def persons(self) -> pd.DataFrame:
        return self._persons

    def councils(self) -> list[str]:
        return sorted(self._events["LA_Code"].unique())

    def waiting_time_requests(self) -> pd.DataFrame:
        return waiting_time_requests(self._events)

    # ``identified=False``: without the person identifier, as the DuckDB engine gives it to the measures
    def ascof_2a_clusters(self, *, identified: bool = True) -> pd.DataFrame:
        return _identified(ascof_2a_clusters(self._events, self._persons, self.period), identified)

    def ascof_2b2c_admissions(self, *, identified: bool = True, **switches) -> pd.DataFrame:
        return _identified(ascof_2b2c_admissions(self._events, self._persons, self.period, **switches), identified)

    def ascof_2e_people(self, *, identified: bool = True) -> pd.DataFrame:
        return _identified(ascof_2e_people(self._events, self._persons, self.period), identified)

    def ascof_3d_people(self, *, identified: bool = True) -> pd.DataFrame:
        return _identified(ascof_3d_people(self._events, self._persons, self.period), identified)
