"""A deterministic synthetic CLD extract: realistic person journeys for one or many councils.

No real person is in it. Each synthetic person follows one journey through adult social care
(information and advice; reablement, ending well or leading to long-term support; a long-term
assessment leading to community support; a care home placement; a short-term assessment leading
to equipment; an unpaid carer's assessment; or long-term support that began before the data), with
realistic gaps between request, assessment and service. Rates per council are set so that a council
of ``scale=1`` looks like a large English county (about 600,000 adults): roughly 2,900 reablement
episodes, 50 care home admissions at 18 to 64 and 830 at 65 and over a year, which gives ASCOF
values near Leicestershire's published 2024/25 figures (2A 73.7%, 2B 11.3, 2C 526.9).

Messiness found in real extracts is included on purpose: Release 1 spellings before July 2025, a
resubmitted duplicate of some rows, blank accommodation, deaths. The file is written in chunks of
people to parquet (or CSV), so memory stays bounded whatever the size.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from scrutiny.cld import codes

HEADERS = {  # DHSC field -> the Release 2 submission header written
    "LA_Code": "LA Code", "LA_Name": "LA Name", "Der_NHS_Number_Pseudo": "NHS Number",
    "LA_Person_Unique_Identifier": "LA Person Unique Identifier", "Date_of_Birth": "Date of Birth",
    "Date_of_Death": "Date of Death", "Gender": "Gender", "Client_Type": "Client Type",
    "Primary_Support_Reason": "Primary Support Reason", "Accommodation_Status": "Accommodation Status",
    "Event_Type": "Event Type", "Event_Start_Date": "Event Start Date", "Event_End_Date": "Event End Date",
    "Event_Description": "Event Description", "Event_Outcome": "Event Outcome",
    "Request_Route_of_Access": "Request: Route of Access", "Assessment_Type": "Assessment Type",
    "Service_Type": "Service Type", "Service_Component": "Service Component",
    "Delivery_Mechanism": "Delivery Mechanism", "ImportDate": "ImportDate",
    "Der_Unique_Record_ID": "Der_Unique_Record_ID",
}
# Journeys started per year by a council of scale 1, by kind (calibrated as the module says).
JOURNEYS_PER_YEAR = {"advice": 15_000, "reablement": 3_050, "community": 2_600, "care_home": 770,
                     "low_level": 4_500, "carer": 1_500}
EXISTING_CLIENTS = 9_000  # long-term community clients whose support began before the data
ACCOMMODATIONS = (("Owner occupier or shared ownership scheme", 0.45),
                  ("Tenant: Local authority or other social housing provider", 0.17),
                  ("Tenant: Private landlord", 0.07),
                  ("Settled mainstream housing with family or friends", 0.12),
                  ("Sheltered housing, extra care housing or other sheltered housing", 0.05),
                  ("Supported accommodation, supported lodgings or supported group home", 0.04),
                  ("Registered care home", 0.02), ("Unknown", 0.03), (None, 0.05))
PSRS = (("Physical support: Personal care support", 0.55), ("Physical support: Access and mobility only", 0.1),
        ("Support with memory and cognition", 0.12), (codes.LEARNING_DISABILITY, 0.08),
        ("Mental health support", 0.08), ("Sensory support: Support for visual impairment", 0.02),
        ("Social support: Support for social isolation or other reason", 0.05))
R1_SPELLINGS = {value: spellings[0] for field in ("Event_Outcome", "Service_Type", "Client_Type",
                                                  "Delivery_Mechanism", "Assessment_Type")
                for value, spellings in codes.CODE_LISTS[field].items() if spellings}


@dataclass(frozen=True)
class Council:
    """A synthetic council: its code, name and size relative to a large county (1.0)."""

    code: str
    name: str
    scale: float = 1.0


def councils_for(events: int, *, events_per_council: int = 170_000) -> list[Council]:
    """Enough county-sized councils for about ``events`` events over three years."""
    count = max(1, round(events / events_per_council))
    return [Council(f"S{number:03d}", f"Synthetic council {number}", 1.0) for number in range(1, count + 1)]


def _choice(rng: np.random.Generator, options, size: int) -> np.ndarray:
    values = np.array([o[0] for o in options], dtype=object)
    weights = np.array([o[1] for o in options], dtype=float)
    return values[rng.choice(len(values), size=size, p=weights / weights.sum())]


def _days(rng: np.random.Generator, median: float, size: int, spread: float = 0.8) -> np.ndarray:
    return np.maximum(0, np.round(rng.lognormal(np.log(median), spread, size))).astype("timedelta64[D]")


class _Builder:
    """Collects event columns for one chunk of people."""

    def __init__(self):
        self.parts: list[pd.DataFrame] = []

    def add(self, people: pd.DataFrame, mask: np.ndarray, **columns) -> None:
        if not mask.any():
            return
        frame = people.loc[mask, ["person", "kind"]].copy()
        for name, value in columns.items():
            frame[name] = value[mask] if isinstance(value, np.ndarray) and value.shape == mask.shape else value
        self.parts.append(frame)

    def frame(self) -> pd.DataFrame:
        return pd.concat(self.parts, ignore_index=True)


def _people(rng: np.random.Generator, council: Council, first: int, count: int,
            data_start: np.datetime64, period_end: np.datetime64) -> pd.DataFrame:
    kinds = list(JOURNEYS_PER_YEAR) + ["existing"]
    weights = np.array([JOURNEYS_PER_YEAR[k] * 3 for k in JOURNEYS_PER_YEAR] + [EXISTING_CLIENTS], float)
    kind = np.array(kinds, dtype=object)[rng.choice(len(kinds), size=count, p=weights / weights.sum())]
    span = int((period_end - data_start).astype(int))
    start = data_start + rng.integers(0, span, count).astype("timedelta64[D]")
    start = np.where(kind == "existing", data_start - rng.integers(30, 2000, count).astype("timedelta64[D]"),
                     start)
    older = {"advice": 0.62, "reablement": 0.86, "community": 0.7, "care_home": 0.96, "low_level": 0.75,
             "carer": 0.45, "existing": 0.66}
    is_older = rng.random(count) < np.array([older[k] for k in kind])
    age = np.where(is_older, rng.integers(65, 99, count), rng.integers(18, 65, count))
    age = np.where(is_older & (rng.random(count) < 0.5), rng.integers(75, 95, count), age)
    birth = start - (age * 365.25).astype("timedelta64[D]") - rng.integers(0, 365, count).astype("timedelta64[D]")
    ids = np.arange(first, first + count)
    psr = _choice(rng, PSRS, count)
    psr = np.where(kind == "carer", "Social support: Support to unpaid carer", psr)
    return pd.DataFrame({
        "person": ids, "kind": kind, "journey_start": start, "Date_of_Birth": birth,
        "nhs": np.char.add(f"{council.code}-", ids.astype(str)).astype(object),
        "Gender": np.where(rng.random(count) < 0.58, "Female", "Male").astype(object),
        "Accommodation_Status": _choice(rng, ACCOMMODATIONS, count),
        "Primary_Support_Reason": psr,
        "dies": rng.random(count) < np.where(kind == "care_home", 0.25, 0.04),
    })


def _journeys(rng: np.random.Generator, people: pd.DataFrame) -> pd.DataFrame:
    n = len(people)
    kind = people["kind"].to_numpy()
    start = people["journey_start"].to_numpy().astype("datetime64[D]")
    b = _Builder()
    request_end = start + _days(rng, 2, n)
    # every journey except existing clients opens with a request
    outcome = np.select(
        [kind == "advice", kind == "reablement", kind == "low_level"],
        [_choice(rng, (("NFA: Information and advice or signposting", 0.7), ("NFA: Support declined", 0.1),
                       ("NFA: Referral to NHS services or NHS funded social care", 0.1), ("NFA: Other", 0.1)), n),
         "Progress to reablement/ST-Max", "Progress to assessment, review or reassessment"],
        "Progress to assessment, review or reassessment")
    conversation = rng.random(n) < 0.05
    b.add(people, kind != "existing", Event_Type="Request", Event_Start_Date=start, Event_End_Date=request_end,
          Event_Outcome=outcome, Request_Route_of_Access=_choice(
              rng, (("Community / Other route", 0.7), ("Discharge from Hospital", 0.25),
                    ("Diversion from Hospital Services", 0.05)), n),
          Event_Description=np.where(conversation, "Initial conversation with duty team", None))
    # assessments
    assess_start = request_end + _days(rng, 18, n)
    assess_end = assess_start + _days(rng, 12, n)
    long_term = np.isin(kind, ("community", "care_home"))
    b.add(people, long_term | (kind == "low_level") | (kind == "carer"), Event_Type="Assessment",
          Assessment_Type=np.where(long_term | (kind == "carer"), "Long term assessment", "Short term assessment"),
          Event_Start_Date=assess_start, Event_End_Date=assess_end,
          Event_Outcome=np.where(kind == "carer", "NFA: Information and advice or signposting",
                                 np.where(rng.random(n) < 0.93, "Progress to support planning or services",
                                          "NFA: Support declined")))
    # reablement: one or two rows, then an outcome or long-term support
    st_start = request_end + _days(rng, 4, n)
    st_end = st_start + _days(rng, 30, n, 0.4)
    sequel = rng.choice(4, size=n, p=[0.70, 0.21, 0.05, 0.04])  # ends well, LTS, hospital, residential
    st_outcome = np.array(["NFA: Support ended as planned", "Progress to support planning or services",
                           "Admitted to hospital", "Progress to support planning or services"],
                          dtype=object)[sequel]
    split = rng.random(n) < 0.2  # some episodes are recorded as two rows days apart
    first_end = st_start + (st_end - st_start) // 2
    reab = kind == "reablement"
    b.add(people, reab & split, Event_Type="Service", Service_Type=codes.ST_MAX, Service_Component="Reablement",
          Event_Start_Date=st_start, Event_End_Date=first_end, Event_Outcome="Progress to reablement/ST-Max")
    b.add(people, reab, Event_Type="Service", Service_Type=codes.ST_MAX, Service_Component="Reablement",
          Event_Start_Date=np.where(split, first_end + _days(rng, 2, n, 0.3), st_start), Event_End_Date=st_end,
          Event_Outcome=st_outcome)
    # long-term community support: after assessment, after reablement, or already running
    lts_start = np.where(reab, st_end + _days(rng, 2, n, 0.4), assess_end + _days(rng, 20, n))
    lts_start = np.where(kind == "existing", start, lts_start)
    component = _choice(rng, (("Home support or domiciliary care", 0.6), ("Direct payment", 0.1),
                              ("Day support", 0.08), ("Community supported living", 0.07),
                              ("Extra care housing", 0.05), ("Meals", 0.03), (None, 0.07)), n)
    mechanism = np.where(component == "Direct payment", "Direct payment", _choice(
        rng, ((codes.DIRECT_PAYMENT, 0.24), (codes.PERSONAL_BUDGET, 0.08), (codes.COMMISSIONED, 0.6),
              (None, 0.08)), n))
    ends = rng.random(n) < 0.35
    lts_end = np.where(ends, lts_start + _days(rng, 300, n), np.datetime64("NaT"))
    community = (kind == "community") | (kind == "existing") | (reab & (sequel == 1))
    b.add(people, community, Event_Type="Service", Service_Type=codes.COMMUNITY, Service_Component=component,
          Delivery_Mechanism=mechanism, Event_Start_Date=lts_start, Event_End_Date=lts_end,
          Event_Outcome=np.where(ends, "NFA: Support ended for other reason", None))
    review_start = lts_start + _days(rng, 330, n, 0.2)
    b.add(people, community, Event_Type="Review", Event_Start_Date=review_start,
          Event_End_Date=review_start + _days(rng, 7, n), Event_Outcome="Continuation of support or services")
    # care homes: after a long-term assessment or after reablement
    home_start = np.where(reab, st_end + _days(rng, 3, n, 0.4), assess_end + _days(rng, 25, n))
    nursing = rng.random(n) < 0.35
    self_funded = rng.random(n) < 0.04
    b.add(people, (kind == "care_home") | (reab & (sequel == 3)), Event_Type="Service",
          Service_Type=np.where(nursing, codes.NURSING, codes.RESIDENTIAL),
          Service_Component=np.where(nursing, "Long term nursing care", "Long term residential care"),
          Delivery_Mechanism=codes.COMMISSIONED, Event_Start_Date=home_start, Event_End_Date=np.datetime64("NaT"),
          Event_Outcome=np.where(self_funded, "NFA: Self-funded client or under 12wk disregard", None))
    # short-term assessment leading to equipment
    equipment_day = assess_end + _days(rng, 10, n)
    b.add(people, kind == "low_level", Event_Type="Service", Service_Type=codes.LOW_LEVEL,
          Service_Component="Equipment", Event_Start_Date=equipment_day, Event_End_Date=equipment_day,
          Event_Outcome="NFA: Support ended as planned")
    events = b.frame()
    events["Client_Type"] = np.where(events["kind"] == "carer", "Unpaid carer", codes.SERVICE_USER)
    return events


def generate_frame(council: Council, period_end: object = "2026-03-31", *, seed: int = 20260331,
                   data_start: object = "2023-04-01", people_per_chunk: int = 200_000):
    """Yield the synthetic extract of one council as DataFrames of whole people (DHSC field names)."""
    for events, _ in _generate(council, period_end, seed=seed, data_start=data_start,
                               people_per_chunk=people_per_chunk):
        yield events


def _generate(council: Council, period_end: object, *, seed: int, data_start: object, people_per_chunk: int):
    """Yield (events, hospital discharges) per chunk of people."""
    end = np.datetime64(pd.Timestamp(period_end).date(), "D")
    begin = np.datetime64(pd.Timestamp(data_start).date(), "D")
    years = float((end - begin).astype(int) + 1) / 365.25
    total = int(round((sum(JOURNEYS_PER_YEAR.values()) * years + EXISTING_CLIENTS) * council.scale))
    code_seed = int.from_bytes(council.code.encode(), "little") % (2**31)
    rng = np.random.default_rng([seed, code_seed])
    # discharges draw from their own stream, so adding them left the events unchanged
    hospital_rng = np.random.default_rng([seed, code_seed, 2])
    for first in range(0, total, people_per_chunk):
        count = min(people_per_chunk, total - first)
        people = _people(rng, council, first + 1, count, begin, end)
        events = _journeys(rng, people).merge(people.drop(columns="kind"), on="person")
        start = events["Event_Start_Date"].to_numpy().astype("datetime64[D]")
        death_day = (events["journey_start"].to_numpy().astype("datetime64[D]")
                     + (events["person"].to_numpy() % 400 + 60).astype("timedelta64[D]"))
        death = np.where(events["dies"].to_numpy(), death_day, np.datetime64("NaT"))
        events["Date_of_Death"] = death
        # nothing happens after death or after the period end; only completed non-services are sent
        open_end = events["Event_End_Date"].to_numpy().astype("datetime64[D]")
        keep = (start <= end) & ~(~pd.isna(death) & (start > death))
        keep &= (events["Event_Type"].to_numpy() == "Service") | (~pd.isna(open_end) & (open_end <= end))
        events = events[keep].copy()
        ends = events["Event_End_Date"]
        events.loc[ends > pd.Timestamp(end), "Event_End_Date"] = pd.NaT
        discharges = _discharges(hospital_rng, council, people, events, begin, end, first)
        yield _finish(rng, council, events, end), discharges


# SUS codes of an ordinary spell, and the share of spells with codes ASCOF 2D does not count
ELIGIBLE_SPELL = {"Admission Method": "21", "Discharge Method": "1", "Discharge Destination": "19",
                  "Treatment Function Code": "300"}
NOT_COUNTED_SPELLS = (("Admission Method", "31"), ("Discharge Method", "4"), ("Discharge Destination", "51"),
                      ("Treatment Function Code", "710"))


def _discharges(rng: np.random.Generator, council: Council, people: pd.DataFrame, events: pd.DataFrame,
                begin: np.datetime64, end: np.datetime64, first: int) -> pd.DataFrame:
    """Synthetic hospital spells (SUS-like) of one chunk: most older people's reablement follows a
    discharge a few days earlier, some of them come back as emergencies within 12 weeks, and many
    more older residents are discharged without reablement (ASCOF 2D Part 2's denominator)."""
    reablement = events[events["Service_Type"] == codes.ST_MAX].groupby("person")["Event_Start_Date"].min()
    older = people.set_index("person")
    age = (reablement.to_numpy().astype("datetime64[D]")
           - older.loc[reablement.index, "Date_of_Birth"].to_numpy().astype("datetime64[D]")).astype(int) / 365.25
    linked = reablement[(age >= 65) & (rng.random(len(reablement)) < 0.75)]
    n = len(linked)
    discharged = linked.to_numpy().astype("datetime64[D]") - rng.integers(0, 7, n).astype("timedelta64[D]")
    spells = [pd.DataFrame({"person": linked.index, "discharge": discharged,
                            "admission": discharged - (1 + _days(rng, 6, n).astype(int)).astype("timedelta64[D]"),
                            "management": "EM"})]
    back = rng.random(n) < 0.12  # emergency readmission within 12 weeks
    again = discharged[back] + rng.integers(5, 80, int(back.sum())).astype("timedelta64[D]")
    spells.append(pd.DataFrame({"person": linked.index[back], "admission": again,
                                "discharge": again + _days(rng, 5, int(back.sum())) + np.timedelta64(1, "D"),
                                "management": "EM"}))
    # older people in the chunk discharged without reablement, at any time in the data
    others = people[(people["journey_start"] - people["Date_of_Birth"]).dt.days / 365.25 >= 65]
    others = others[rng.random(len(others)) < 0.5]
    span = int((end - begin).astype(int))
    day = begin + rng.integers(0, span, len(others)).astype("timedelta64[D]")
    spells.append(pd.DataFrame({"person": others["person"].to_numpy(), "admission": day,
                                "discharge": day + _days(rng, 5, len(others)) + np.timedelta64(1, "D"),
                                "management": np.where(rng.random(len(others)) < 0.8, "EM", "EL")}))
    table = pd.concat(spells, ignore_index=True)
    table = table[table["discharge"] <= end]
    birth = older.loc[table["person"], "Date_of_Birth"]
    frame = pd.DataFrame({
        "Spell ID": [f"{council.code}-{first}-{number}" for number in range(len(table))],
        "NHS Number": older.loc[table["person"], "nhs"].to_numpy(),
        "Residence LA Code": council.code,
        "Birth Year": birth.dt.year.to_numpy(), "Birth Month": birth.dt.month.to_numpy(),
        "Sex": np.where(older.loc[table["person"], "Gender"].to_numpy() == "Male", "1", "2"),
        "Admission Date": pd.to_datetime(table["admission"]).dt.date.to_numpy(),
        "Discharge Date": pd.to_datetime(table["discharge"]).dt.date.to_numpy(),
        **{column: value for column, value in ELIGIBLE_SPELL.items()},
        "Management Type": table["management"].to_numpy(),
    })
    odd = rng.random(len(frame)) < 0.05
    which = rng.integers(0, len(NOT_COUNTED_SPELLS), len(frame))
    for number, (column, value) in enumerate(NOT_COUNTED_SPELLS):
        frame.loc[odd & (which == number), column] = value
    return frame


def discharges_path(extract_path: str | Path) -> Path:
    """Where the hospital discharges that go with an extract are kept: beside it, ``*_discharges``."""
    path = Path(extract_path)
    return path.with_name(f"{path.stem}_discharges{path.suffix}")


def _finish(rng: np.random.Generator, council: Council, events: pd.DataFrame, end: np.datetime64) -> pd.DataFrame:
    n = len(events)
    events["LA_Code"] = council.code
    events["LA_Name"] = council.name
    events["Der_NHS_Number_Pseudo"] = events["nhs"]
    events["LA_Person_Unique_Identifier"] = "P" + events["person"].astype(str)
    events["ImportDate"] = pd.Timestamp(end) + pd.Timedelta(days=20)
    # Release 1 spellings in files from before July 2025, as councils actually sent them
    r1 = (events["Event_Start_Date"] < codes.R2_SWITCH).to_numpy() & (rng.random(n) < 0.3)
    for field in ("Event_Outcome", "Service_Type", "Client_Type", "Delivery_Mechanism", "Assessment_Type"):
        if field in events:
            values = events[field]
            events.loc[r1, field] = values[r1].map(lambda v: R1_SPELLINGS.get(v, v))
    # about 1% of rows were sent twice
    twice = events[rng.random(n) < 0.01]
    events = pd.concat([events, twice], ignore_index=True)
    events = events.sort_values(["person", "Event_Start_Date"], kind="stable")
    events["Der_Unique_Record_ID"] = np.arange(1, len(events) + 1) + int(events["person"].iloc[0]) * 20
    for column in HEADERS:
        if column not in events:
            events[column] = None
    return events[list(HEADERS)].rename(columns=HEADERS).reset_index(drop=True)


def write_extract(path: str | Path, councils: list[Council], period_end: object = "2026-03-31", *,
                  seed: int = 20260331, data_start: object = "2023-04-01", discharges: bool = True) -> int:
    """Write the synthetic extract for ``councils`` to ``path`` (``.parquet`` or ``.csv``), chunk by
    chunk, and (unless ``discharges`` is false) its synthetic hospital discharges beside it
    (:func:`discharges_path`, marked synthetic in the parquet metadata); return the number of events."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    writers: dict[Path, pq.ParquetWriter] = {}
    written = 0
    spells_written = 0
    date_columns = [HEADERS[c] for c in ("Date_of_Birth", "Date_of_Death", "Event_Start_Date",
                                          "Event_End_Date", "ImportDate")]
    spells_path = discharges_path(path)

    def append(target: Path, frame: pd.DataFrame, first: bool, schema: pa.Schema | None) -> None:
        if target.suffix.lower() == ".csv":
            frame.to_csv(target, mode="w" if first else "a", header=first, index=False)
            return
        table = pa.Table.from_pandas(frame, schema=schema, preserve_index=False)
        if target not in writers:
            metadata = {b"scrutiny.synthetic": b"true"}
            writers[target] = pq.ParquetWriter(target, table.schema.with_metadata(metadata), compression="zstd")
        writers[target].write_table(table.replace_schema_metadata(writers[target].schema.metadata))

    try:
        for council in councils:
            for chunk, spells in _generate(council, period_end, seed=seed, data_start=data_start,
                                           people_per_chunk=200_000):
                for column in date_columns:
                    chunk[column] = pd.to_datetime(chunk[column]).dt.date
                append(path, chunk, written == 0, _schema())
                written += len(chunk)
                if discharges:
                    append(spells_path, spells, spells_written == 0, _discharge_schema())
                    spells_written += len(spells)
    finally:
        for writer in writers.values():
            writer.close()
    return written


def _discharge_schema() -> pa.Schema:
    dates = {"Admission Date", "Discharge Date"}
    numbers = {"Birth Year", "Birth Month"}
    columns = ("Spell ID", "NHS Number", "Residence LA Code", "Birth Year", "Birth Month", "Sex", "Admission Date",
               "Discharge Date", *ELIGIBLE_SPELL, "Management Type")
    return pa.schema([pa.field(c, pa.date32() if c in dates else pa.int64() if c in numbers else pa.string())
                      for c in columns])


def _schema() -> pa.Schema:
    dates = {"Date of Birth", "Date of Death", "Event Start Date", "Event End Date", "ImportDate"}
    fields = []
    for header in HEADERS.values():
        if header in dates:
            fields.append(pa.field(header, pa.date32()))
        elif header == "Der_Unique_Record_ID":
            fields.append(pa.field(header, pa.int64()))
        else:
            fields.append(pa.field(header, pa.string()))
    return pa.schema(fields)
