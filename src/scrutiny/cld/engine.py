"""The DuckDB engine: DHSC's CLD method as SQL over the extract (cld-methods.md sections 3 to 5).

It reads the ``cld_standard`` view of :mod:`scrutiny.cld.extract` (a CSV or parquet file, never
loaded into Python), keeps the submissions :mod:`scrutiny.cld.submissions` chose, builds the prepared
events and person tables inside DuckDB under its memory limit (coded values as ENUMs, people as a
numeric key), and returns the same unit tables as the pandas reference
(:mod:`scrutiny.cld.reference`), which the tests hold it to; ASCOF 2D also reads the hospital
discharges of :mod:`scrutiny.cld.discharges`. Dates compare as dates; ``INTERVAL n MONTH`` clamps to month end as
T-SQL's ``DATEADD`` does (spec 1.1).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from scrutiny.cld import codes, measures
from scrutiny.cld.discharges import open_discharges
from scrutiny.cld.extract import CODED_FIELDS, RAW_PREFIX, Extract, clean_text_sql
from scrutiny.cld.periods import Period
from scrutiny.cld.submissions import select_submissions

OPEN_END = "DATE '9999-01-01'"


def _list(values) -> str:
    return "(" + ", ".join("'" + str(v).replace("'", "''") + "'" for v in values) + ")"


def _age(birth_year: str, birth_month: str, when: str) -> str:
    """DHSC's age: whole 365.25-day years from the first of the birth month (spec 1.3)."""
    return (f"CAST(floor(datediff('day', make_date(CAST({birth_year} AS BIGINT), "
            f"CAST({birth_month} AS BIGINT), 1), {when}) / 365.25) AS BIGINT)")


def _latest_age(end: str = "Der_Event_End_Date") -> str:
    """The latest age (3.9): at the event's end, or at a service's reference period end while open."""
    return _age("Der_Birth_Year", "Der_Birth_Month",
                f"coalesce({end}, CASE WHEN Event_Type = 'Service' THEN Ref_Period_End_Date END)")


def _council_type(con, periods: str) -> str:
    """An ENUM type of the council codes of the chosen submissions (named by its values, so that an
    engine opened again on one connection with other councils gets its own): a council code is then
    one byte per event rather than text. Sorted, so that ENUM order is the codes' text order."""
    councils = [row[0] for row in con.execute(f"SELECT DISTINCT LA_Code FROM {periods} ORDER BY 1").fetchall()]
    name = "cld_council_" + hashlib.sha1("\n".join(councils).encode()).hexdigest()[:16]
    _enum_type(con, name, councils or [""])
    return name


def _enum_type(con, name: str, values) -> None:
    """Create the ENUM type ``name`` of ``values`` (in order, once each) unless the connection has it."""
    exists = con.execute("SELECT count(*) FROM duckdb_types() WHERE type_name = ?", [name]).fetchall()[0][0]
    if not exists:
        con.execute(f"CREATE TYPE {name} AS ENUM {_list(dict.fromkeys(values))}")


_BANDS = ("Unknown", "Under 18", "18 to 64", "65 and above")  # the labels _band gives


def _band(age: str) -> str:
    return (f"CASE WHEN {age} IS NULL THEN 'Unknown' WHEN {age} < 18 THEN 'Under 18' "
            f"WHEN {age} <= 64 THEN '18 to 64' ELSE '65 and above' END")


# The waiting-time linkage (4.3) sorts each person's chronology on one HUGEINT key, then carries each
# row as one BIGINT: its order in the chronology, whether its assessment block (from it on) has progress
# to services, its start (days since 1900) and its band. Small fixed-width numbers keep the sorts cheap.
_DAY_BITS = 17  # days since 1900-01-01, up to 2258
_PACK_BITS = {"ord": (40, 21), "block_progress": (19, 1), "start": (2, _DAY_BITS), "band": (0, 2)}
_PACK_BANDS = tuple("25 to 64" if band == "18 to 64" else band for band in _BANDS)  # 4.3.1 relabel
_TYPE_PRIORITY = {"Request": 1, "Assessment": 2, "Service": 3}  # 4.3.2


def _days(date: str) -> str:
    return f"datediff('day', DATE '1900-01-01', {date})"


def _chronology_key(first_start, last_start, first_import, last_import, low_id: int, high_id: int) -> str:
    """A person's chronology order (4.3.2) as one integer: start day, type priority, then ImportDate
    and ``Der_Unique_Record_ID`` both descending, each in a bit field just wide enough for the range
    of the events (the bounds given), so that any BIGINT record id keeps its place. The key is a BIGINT
    when the fields fit in 63 bits (a council's or the national extract: one key sorts faster than
    four) and a HUGEINT when they do not. Events without these fields are an error."""
    priority = "CASE Event_Type " + " ".join(f"WHEN '{t}' THEN {n}" for t, n in _TYPE_PRIORITY.items()) + " END"
    widths = [(high_id - low_id).bit_length(), (last_import - first_import).days.bit_length(),
              max(_TYPE_PRIORITY.values()).bit_length(), (last_start - first_start).days.bit_length()]
    kind = "BIGINT" if sum(widths) <= 63 else "HUGEINT"
    fields = [f"CAST({high_id} AS {kind}) - Der_Unique_Record_ID",  # least significant first
              f"datediff('day', ImportDate, DATE '{last_import}')", priority,
              f"datediff('day', DATE '{first_start}', Event_Start_Date)"]
    shifts = [sum(widths[:n]) for n in range(len(widths))]
    key = " | ".join(f"(CAST({field} AS {kind}) << {shift})" for field, shift in zip(fields, shifts, strict=True))
    known = ("Event_Start_Date IS NOT NULL AND ImportDate IS NOT NULL AND Der_Unique_Record_ID IS NOT NULL "
             f"AND Event_Type IN {_list(_TYPE_PRIORITY)}")
    return (f"CASE WHEN {known} THEN {key} "
            "ELSE error('CLD waiting times: an event without a start date, import date or record id') END")


def _pack() -> str:
    """A chronology row (``ord``, ``block_progress``, ``start_date``, ``band``) as one BIGINT, its
    order in the top bits so that packed rows sort as the rows do."""
    values = {"ord": "ord", "block_progress": "block_progress", "start": _days("start_date"), "band": "band"}
    packed = " | ".join(f"(CAST({values[part]} AS BIGINT) << {shift})" for part, (shift, _) in _PACK_BITS.items())
    return (f"CASE WHEN ord >= {1 << _PACK_BITS['ord'][1]} OR band IS NULL "
            f"OR {_days('start_date')} NOT BETWEEN 0 AND {(1 << _DAY_BITS) - 1} "
            "THEN error('CLD waiting times: a person with over 2 million events, or an event starting outside "
            "1900 to 2258 or without an age band') "
            f"ELSE {packed} END")


def _unpack(packed: str, part: str) -> str:
    shift, bits = _PACK_BITS[part]
    value = f"(({packed} >> {shift}) & {(1 << bits) - 1})"
    if part == "start":
        return f"CAST(DATE '1900-01-01' + CAST({value} AS INTEGER) AS DATE)"
    if part == "band":
        return f"{list(_PACK_BANDS)}[{value} + 1]"
    return value


def _frame(relation) -> pd.DataFrame:
    """A query result as a DataFrame with plain values (coded columns are ENUMs inside DuckDB)."""
    frame = relation.df()
    for column in frame.columns[frame.dtypes == "category"]:
        frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def _enum_name(field: str) -> str:
    return f"cld_{field.lower()}_code"


def _code_tables(con) -> None:
    """The code lists as DuckDB tables (joined on once per run, not per row in Python) and as ENUM
    types: a cleaned code is held in one byte rather than as text (at 10 million events this is
    gigabytes of memory)."""
    enums = {field: [*values, codes.INVALID] for field, values in codes.CODE_LISTS.items()}
    enums["Event_Type"] = [*codes.EVENT_TYPES, codes.INVALID]
    enums["Event_Outcome_Grouped"] = list(dict.fromkeys(codes.outcome_group().values()))
    enums["Band"] = list(_BANDS)
    for field, values in enums.items():
        _enum_type(con, _enum_name(field), values)
    con.register("cld_code_frame", codes.mapping_frame())
    con.execute("CREATE OR REPLACE TEMP TABLE cld_code_map AS SELECT * FROM cld_code_frame")
    con.unregister("cld_code_frame")
    hierarchy = pd.DataFrame(
        [(value, spec[0], value if spec[1] == "same" else spec[1])
         for value, spec in codes.EVENT_OUTCOMES.items()], columns=["outcome", "hierarchy", "grouped"])
    con.register("cld_outcome_frame", hierarchy)
    con.execute("CREATE OR REPLACE TEMP TABLE cld_outcome_codes AS SELECT * FROM cld_outcome_frame")
    con.unregister("cld_outcome_frame")


class DuckDBEngine:
    """The CLD measures over one opened extract, for the 12 months ending ``period.end``."""

    def __init__(self, extract: Extract, period_end: object,
                 data_start: object = codes.WAITING_TIMES_START, *, submissions: str = "auto",
                 period_method: str = "v2", as_of: object | None = None, excluded_files: tuple = (),
                 discharges: str | Path | pd.DataFrame | None = None, ascof_2d_lag_months: int = 3):
        self.con = extract.connection
        # 2D needs hospital discharges; None means 2D is not calculable (never estimated)
        self.discharges = open_discharges(discharges, self.con) if discharges is not None else None
        self.ascof_2d_lag_months = ascof_2d_lag_months
        self.period = Period.twelve_months_to(period_end)
        self.data_start = pd.Timestamp(data_start)
        self.submissions = select_submissions(self.con, self.data_start, self.period.end, mode=submissions,
                                              period_method=period_method, as_of=as_of,
                                              excluded_files=excluded_files)
        self._prepare()
        self._persons_for: str | None = None  # built when a measure first needs it: "service" or "everyone"
        self._councils: list[str] | None = None

    def _query(self, sql: str, *, everyone: bool = False) -> pd.DataFrame:
        """Run ``sql``, building the person table first if it reads it (``everyone``: for all people,
        not only those with a service event). Waiting times never read it, so never build it."""
        if "cld_persons" in sql and self._persons_for != "everyone" and (everyone or self._persons_for is None):
            self._person_details(everyone)
            self._persons_for = "everyone" if everyone else "service"
        return _frame(self.con.sql(sql))

    def _units(self, sql: str, identified: bool, *, order: str = "LA_Code, Person_ID") -> pd.DataFrame:
        """A unit table (one row per person or cluster) ordered by council and person; not ``identified``,
        without the person identifier and in no set order: all the measure tables need, and at national
        scale millions of identifiers fewer to sort and hand to pandas."""
        if identified:
            return self._query(f"{sql} ORDER BY {order}")
        return self._query(f"SELECT * EXCLUDE (Person_ID) FROM ({sql})")

    def _date(self, when: pd.Timestamp) -> str:
        return f"DATE '{when.date()}'"

    # ----------------------------------------------------------------------- pre-processing (3)
    def _prepare(self) -> None:
        """Typed, cleaned, filtered and de-duplicated events in one table, ``cld_events`` (3.4-3.8).

        One scan of the chosen submissions' rows (only the columns the method reads) cleans, maps
        and filters them into ``cld_events``; services are cropped between reference periods in place;
        de-duplication then ranks only the events sent more than once and deletes the copies not chosen."""
        con = self.con
        _code_tables(con)
        periods = self.submissions.table
        end = self._date(self.period.end)
        council = _council_type(con, periods)
        needed = ("LA_Code", "ImportDate", "Der_Unique_Record_ID", "Der_NHS_Number_Traced_Pseudo",
                  "Der_NHS_Number_Pseudo", "LA_Person_Unique_Identifier", "Der_Birth_Year", "Der_Birth_Month",
                  "Date_of_Death", "Event_Start_Date", "Event_End_Date", "Der_Conversation",
                  "Der_Age_Event_Start_Date")
        raw = {field: f"s.{RAW_PREFIX}{field}" for field in CODED_FIELDS}
        con.execute(f"""
            CREATE OR REPLACE TEMP VIEW cld_typed AS
            SELECT {', '.join('s.' + c for c in needed)}, {', '.join(raw.values())},
                   p.Ref_Period_Start_Date, p.Ref_Period_End_Date
            FROM cld_standard s JOIN {periods} p ON p.LA_Code = s.LA_Code AND p.ImportDate = s.ImportDate
            WHERE s.Event_Start_Date <= {end}
        """)
        # Each coded field is cleaned once per distinct value in the file as it stands (a few dozen),
        # not once per row: the rows join on the raw value, and the map trims, reads "NULL" as missing
        # and maps it exactly as cld_standard would.
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE cld_raw_values AS
            SELECT {', '.join(RAW_PREFIX + f for f in CODED_FIELDS)} FROM cld_standard
            GROUP BY GROUPING SETS ({', '.join(f'({RAW_PREFIX}{f})' for f in CODED_FIELDS)})
        """)
        joins, cleaned = [], {}
        for number, field in enumerate(CODED_FIELDS):
            alias, text = f"m{number}", clean_text_sql("raw")
            if field == "Event_Type":
                value = ("CASE " + " ".join(f"WHEN lower(text) LIKE '%{name.lower()}%' THEN '{name}'"
                                            for name in codes.EVENT_TYPES) + f" ELSE '{codes.INVALID}' END")
                kind = _enum_name(field)
            elif field == "Request_Route_of_Access":  # only its comparison key is used (de-duplication)
                value, kind = "lower(rtrim(text))", "VARCHAR"
            else:
                value = (f"coalesce((SELECT c.cleaned FROM cld_code_map c WHERE c.field = '{field}' "
                         f"AND c.value_key = lower(rtrim(text))), '{codes.INVALID}')")
                kind = _enum_name(field)
            con.execute(f"""
                CREATE OR REPLACE TEMP TABLE cld_map_{number} AS
                SELECT raw, CASE WHEN text IS NULL THEN NULL ELSE CAST({value} AS {kind}) END AS cleaned
                FROM (SELECT raw, {text} AS text FROM (
                          SELECT DISTINCT {RAW_PREFIX}{field} AS raw FROM cld_raw_values
                          WHERE {RAW_PREFIX}{field} IS NOT NULL))
            """)
            joins.append(f"LEFT JOIN cld_map_{number} {alias} ON {alias}.raw = {raw[field]}")
            cleaned[field] = f"{alias}.cleaned"
            if field == "Event_Outcome":  # its hierarchy and group ride on the same map (one join per row)
                con.execute(f"""
                    CREATE OR REPLACE TEMP TABLE cld_map_{number} AS
                    SELECT m.raw, m.cleaned, CAST(o.hierarchy AS SMALLINT) AS hierarchy,
                           CAST(o.grouped AS {_enum_name('Event_Outcome_Grouped')}) AS grouped
                    FROM cld_map_{number} m LEFT JOIN cld_outcome_codes o ON o.outcome = CAST(m.cleaned AS VARCHAR)
                """)
                outcome_details = (f"{alias}.hierarchy AS Event_Outcome_Hierarchy, "
                                   f"{alias}.grouped AS Event_Outcome_Grouped")
        con.execute("DROP TABLE cld_raw_values")
        event_type = cleaned.pop("Event_Type")
        route_key = cleaned.pop("Request_Route_of_Access")
        cleaned_columns = ", ".join(f"{expression} AS {field}" for field, expression in cleaned.items())
        keep = ("LA_Code", "ImportDate", "Der_Unique_Record_ID", "Der_Birth_Year", "Der_Birth_Month",
                "Date_of_Death", "Event_Start_Date", "Event_End_Date", "Der_Conversation",
                "Der_Age_Event_Start_Date", "Ref_Period_Start_Date", "Ref_Period_End_Date")
        # small numbers in small types: at 10 million events every byte of a row is 10 MB to hold or spill
        narrow = {"LA_Code": f"CAST(s.LA_Code AS {council}) AS LA_Code",
                  "Der_Birth_Year": "CAST(s.Der_Birth_Year AS SMALLINT) AS Der_Birth_Year",
                  "Der_Birth_Month": "CAST(s.Der_Birth_Month AS TINYINT) AS Der_Birth_Month",
                  "Der_Conversation": "CAST(s.Der_Conversation AS TINYINT) AS Der_Conversation",
                  "Der_Age_Event_Start_Date": "CAST(s.Der_Age_Event_Start_Date AS SMALLINT) AS Der_Age_Event_Start_Date"}
        latest_age = _latest_age()
        con.execute(f"""
            CREATE OR REPLACE TEMP TABLE cld_events AS
            WITH cleaned AS (
                SELECT {', '.join(narrow.get(c, 's.' + c) for c in keep)}, {event_type} AS Event_Type, {cleaned_columns},
                       {outcome_details}, {route_key} AS route_key,
                       coalesce(s.Der_NHS_Number_Traced_Pseudo, s.Der_NHS_Number_Pseudo,
                                s.LA_Code || '_' || s.LA_Person_Unique_Identifier) AS Person_ID
                FROM cld_typed s {' '.join(joins)}
            ), corrected AS (
                SELECT c.* EXCLUDE (Event_End_Date),
                       CASE WHEN (Date_of_Death BETWEEN Event_Start_Date AND Event_End_Date)
                                 OR (Event_End_Date IS NULL AND Date_of_Death > Event_Start_Date)
                            THEN Date_of_Death ELSE Event_End_Date END AS Der_Event_End_Date
                FROM cleaned c
                WHERE Person_ID IS NOT NULL
            ), kept AS (
                SELECT * EXCLUDE (route_key, Ref_Period_Start_Date),
                       -- a number for the person, so that grouping and windows compare integers, not text;
                       -- the person table checks that no two people share one
                       hash(LA_Code, Person_ID) AS person_key,
                       hash(LA_Code, Person_ID, Event_Start_Date, Client_Type, Event_Type,
                            CASE WHEN Event_Type IS DISTINCT FROM 'Service' THEN Der_Event_End_Date END,
                            CASE WHEN Event_Type = 'Request' THEN route_key END,
                            CASE WHEN Event_Type = 'Assessment' THEN Assessment_Type END,
                            CASE WHEN Event_Type = 'Service' THEN Service_Type END,
                            CASE WHEN Event_Type = 'Service' THEN Service_Component END) AS Event_Key
                FROM corrected
                WHERE ((Event_Type IS DISTINCT FROM 'Service'
                        AND Der_Event_End_Date BETWEEN Ref_Period_Start_Date AND Ref_Period_End_Date
                        AND Event_Start_Date <= Ref_Period_End_Date)
                       OR (Event_Type = 'Service' AND Event_Start_Date <= Ref_Period_End_Date
                           AND (Der_Event_End_Date >= Ref_Period_Start_Date OR Der_Event_End_Date IS NULL)))
                  AND (Date_of_Death IS NULL OR (Date_of_Death >= Ref_Period_Start_Date
                                                 AND Date_of_Death >= Event_Start_Date))
            )
            SELECT *, CAST({_band(latest_age)} AS {_enum_name('Band')}) AS Der_Working_Age_Band
            FROM kept
        """)
        con.execute("DROP VIEW cld_typed")
        # 3.7: a service open at the end of a reference period that the next period's file does not
        # hold is taken to have ended then (joined submissions only; never the last period)
        cropped_age = _latest_age("k.Ref_Period_End_Date")
        con.execute(f"""
            UPDATE cld_events k SET Der_Event_End_Date = k.Ref_Period_End_Date,
                                    Der_Working_Age_Band = CAST({_band(cropped_age)} AS {_enum_name('Band')})
            WHERE k.Event_Type = 'Service'
              AND (k.Der_Event_End_Date IS NULL OR k.Der_Event_End_Date > k.Ref_Period_End_Date)
              AND k.Ref_Period_End_Date < (SELECT max(Ref_Period_End_Date) FROM {periods} p
                                           WHERE p.LA_Code = k.LA_Code)
              AND NOT EXISTS (SELECT 1 FROM cld_events n JOIN {periods} np
                                   ON np.LA_Code = n.LA_Code AND np.ImportDate = n.ImportDate
                              WHERE n.Event_Type = 'Service' AND n.LA_Code = k.LA_Code
                                AND n.Event_Key = k.Event_Key
                                AND np.Ref_Period_Start_Date = k.Ref_Period_End_Date + 1)
        """)
        # 3.8: only events sent more than once need ranking; every copy but the chosen one is deleted
        # in place (1% of the synthetic national extract), so the table is never copied
        con.execute(f"""
            DELETE FROM cld_events WHERE rowid IN (
                SELECT rowid FROM (
                    SELECT rowid, person_key, Event_Key, Ref_Period_End_Date, Der_Event_End_Date,
                           Event_Outcome_Hierarchy, Der_Conversation, Der_Unique_Record_ID
                    FROM cld_events
                    WHERE Event_Key IN (SELECT Event_Key FROM cld_events GROUP BY Event_Key HAVING count(*) > 1))
                QUALIFY row_number() OVER (
                    PARTITION BY person_key, Event_Key
                    ORDER BY Ref_Period_End_Date DESC, coalesce(Der_Event_End_Date, {OPEN_END}) DESC,
                             coalesce(Event_Outcome_Hierarchy, 999), Der_Conversation DESC,
                             Der_Unique_Record_ID DESC) > 1)
        """)
        con.execute("ALTER TABLE cld_events DROP COLUMN Event_Key")  # its work is done; frees 8 bytes an event

    def _person_details(self, everyone: bool = False) -> None:
        """One row per council and person (3.9), keyed by ``person_key``, from one grouped pass over
        the events (no sorts, no joins): each "latest" value is found by a max() over its ordering key
        packed with the value into one BIGINT.

        Every measure that reads the table joins it to service rows, so by default only people with a
        service event are kept (at national scale well under half of everyone); ``everyone`` keeps all."""
        unknown = {"Gender": ("Unknown", codes.INVALID),
                   "Primary_Support_Reason": ("Unknown", codes.INVALID, "Social support: Support to unpaid carer"),
                   "Accommodation_Status": ("Unknown", codes.INVALID)}
        mappable = _list(("Shared Lives", "Community supported living", "Extra care housing",
                          "Home support or domiciliary care"))
        rank = "CASE Service_Type " + " ".join(
            f"WHEN '{t}' THEN {r}" for t, r in codes.SERVICE_TYPE_RANK.items()) + " ELSE 99 END"
        # "latest": reference period end, then end date (open = latest), then start, all descending
        latest = "latest_key"
        known = {field: f"{field} IS NOT NULL AND {field} NOT IN {_list(values)}" for field, values in unknown.items()}
        service_key = "service_key"

        def days(date: str) -> str:
            """Days since 1970 in 16 bits (dates before 1970 count as 1970, after 2149 as 2149)."""
            return f"CAST(least(greatest(datediff('day', DATE '1970-01-01', {date}), 0), 65534) AS BIGINT)"

        # an open event ends last (greatest() and least() skip NULLs, so test for it first)
        open_end = f"CASE WHEN Der_Event_End_Date IS NULL THEN 65535 ELSE {days('Der_Event_End_Date')} END"

        def newest_value(field: str, key: str, condition: str) -> str:
            """The value at the greatest ``key`` if all rows at that key hold the same one: the key and the
            value's ENUM code (under 256 values) packed into one number, once with the code and once with
            its complement, so that one max() gives the largest code and the other the smallest at the
            greatest key. (A CASE rather than FILTER: DuckDB slices the rows once per filtered aggregate.)"""
            code = f"CAST(enum_code({field}) AS BIGINT)"
            return (f"max(CASE WHEN {condition} THEN ({key} << 8) | {code} END) AS hi_{field}, "
                    f"max(CASE WHEN {condition} THEN ({key} << 8) | (255 - {code}) END) AS lo_{field}")

        def same(field: str) -> str:
            return f"(hi_{field} & 255) = 255 - (lo_{field} & 255)"

        def value(field: str) -> str:
            return f"enum_range(NULL::{_enum_name(field)})[CAST(hi_{field} & 255 AS INTEGER) + 1]"

        first_pass = ", ".join(newest_value(field, latest, condition) for field, condition in known.items())
        second_pass = ", ".join(f"CASE WHEN {same(field)} THEN {value(field)} ELSE 'Unknown' END AS {field}"
                                for field in known)
        component_pass = newest_value("Service_Component", service_key, "Event_Type = 'Service'")
        component_same = f"{same('Service_Component')} AND hi_Service_Component >> 8 = top_service"
        component_value = value("Service_Component")
        kind_cases = " ".join(f"WHEN {99 - r} THEN '{t}'" for t, r in codes.SERVICE_TYPE_RANK.items())
        low_32 = (1 << 32) - 1
        scope = "" if everyone else (
            "WHERE person_key IN (SELECT person_key FROM cld_events WHERE Event_Type = 'Service')")
        self.con.execute(f"""
            CREATE OR REPLACE TEMP TABLE cld_persons AS
            WITH rows AS (
                SELECT person_key, Ref_Period_End_Date, Der_Event_End_Date, Event_Start_Date,
                       Der_Birth_Year, Der_Birth_Month, Date_of_Death, Gender, Primary_Support_Reason,
                       Accommodation_Status, Event_Type, Service_Type, Service_Component, type_rank,
                       -- a second, independent number for the person: two people sharing person_key
                       -- would (almost surely) differ in it
                       hash(Person_ID, LA_Code, 'person check') AS check_key,
                       -- orderings packed into one integer (16-bit day numbers in fixed bit fields),
                       -- so that "latest" is a plain max() rather than a sort
                       ({days('Ref_Period_End_Date')} << 32) | ({open_end} << 16)
                           | {days('Event_Start_Date')} AS latest_key,
                       CASE WHEN Event_Type = 'Service' THEN ({open_end} << 26) | ((99 - type_rank) << 19)
                           | (CAST(coalesce(Service_Component IN {mappable}, false) AS BIGINT) << 18)
                           | {days('Event_Start_Date')} END AS service_key
                FROM (SELECT *, CASE WHEN Event_Type = 'Service' THEN {rank} END AS type_rank FROM cld_events
                      {scope})
            ), tops AS (
            SELECT person_key, min(check_key) <> max(check_key) AS key_clash,
                   max(Date_of_Death) AS Date_of_Death,
                   -- the earliest (year, month) among the rows of the latest reference period with both
                   -- (a row without either packs to NULL, which max() skips)
                   max(({days('Ref_Period_End_Date')} << 32)
                       | ({low_32} - (CAST(Der_Birth_Year AS BIGINT) * 16 + Der_Birth_Month))) AS birth_packed,
                   {first_pass},
                   max({service_key}) AS top_service,
                   {component_pass}
            FROM rows GROUP BY person_key
        ), details AS (
            SELECT person_key, key_clash, Date_of_Death,
                   [CAST(({low_32} - (birth_packed & {low_32})) >> 4 AS BIGINT),
                    CAST(({low_32} - (birth_packed & {low_32})) & 15 AS BIGINT)] AS birth,
                   {second_pass},
                   -- every top service row has the same type (its rank is part of the key)
                   CASE (top_service >> 19) & 127 {kind_cases} END AS kind,
                   -- the top rows have a mappable component (bit 18 of the key) and all the same one
                   CASE WHEN (top_service >> 18) & 1 = 1 AND {component_same}
                        THEN {component_value} END AS component
            FROM tops
        )
            SELECT person_key, key_clash, birth[1] AS Der_Birth_Year, birth[2] AS Der_Birth_Month, Date_of_Death,
                   coalesce(Gender, 'Unknown') AS Gender,
                   coalesce(Primary_Support_Reason, 'Unknown') AS Primary_Support_Reason,
                   CASE WHEN Accommodation_Status IS NOT NULL AND Accommodation_Status <> 'Unknown'
                        THEN Accommodation_Status
                        WHEN kind = '{codes.NURSING}' THEN 'Registered nursing home'
                        WHEN kind = '{codes.RESIDENTIAL}' THEN 'Registered care home'
                        WHEN component = 'Shared Lives' THEN 'Shared Lives scheme'
                        WHEN component = 'Extra care housing'
                            THEN 'Sheltered housing, extra care housing or other sheltered housing'
                        WHEN component = 'Community supported living'
                            THEN 'Supported accommodation, supported lodgings or supported group home'
                        WHEN kind = '{codes.COMMUNITY}' AND component = 'Home support or domiciliary care'
                            THEN '{codes.PRESUMED_AT_HOME}'
                        WHEN kind = '{codes.COMMUNITY}' AND component IS NULL
                            THEN '{codes.PRESUMED_IN_COMMUNITY}'
                        WHEN kind = '{codes.PRISON}'
                            THEN 'Prison, young offenders institution or detention centre'
                        ELSE 'Unknown' END AS Accommodation_Status
            FROM details
        """)
        clashes = self.con.execute("SELECT count(*) FROM cld_persons WHERE key_clash").fetchall()[0][0]
        if clashes:  # two people with one 64-bit key: astronomically unlikely, but never silently merged
            raise RuntimeError(f"{clashes} person key(s) shared by different people; report this extract")
        self.con.execute("ALTER TABLE cld_persons DROP COLUMN key_clash")

    def events(self) -> pd.DataFrame:
        """The prepared events (cleaned, filtered, one row per unique event) as a DataFrame."""
        # not held per event, to keep the table small: the reference period start (the submission's)
        # and the latest age (3.9, from the birth month and the end)
        frame = self._query(f"""
            SELECT * EXCLUDE (person_key), CAST({_latest_age()} AS SMALLINT) AS Der_Latest_Age
            FROM (SELECT e.*, p.Ref_Period_Start_Date FROM cld_events e JOIN {self.submissions.table} p
                  ON p.LA_Code = e.LA_Code AND p.ImportDate = e.ImportDate)
            ORDER BY LA_Code, Person_ID, Event_Start_Date, Der_Unique_Record_ID""")
        columns = [c for c in frame.columns if c not in ("Ref_Period_Start_Date", "Der_Latest_Age")]
        columns.insert(columns.index("Ref_Period_End_Date"), "Ref_Period_Start_Date")
        columns.insert(columns.index("Der_Working_Age_Band"), "Der_Latest_Age")
        return frame[columns]

    def persons(self) -> pd.DataFrame:
        """The one-row-per-person details table (spec 3.9)."""
        return self._query("""
            SELECT e.LA_Code, e.Person_ID, p.* EXCLUDE (person_key)
            FROM cld_persons p JOIN (SELECT DISTINCT person_key, LA_Code, Person_ID FROM cld_events) e USING (person_key)
            ORDER BY LA_Code, Person_ID""", everyone=True)

    def councils(self) -> list[str]:
        """Every council code in the extract."""
        if self._councils is None:
            self._councils = [row[0] for row in self.con.execute(
                "SELECT DISTINCT LA_Code FROM cld_events ORDER BY 1").fetchall()]
        return list(self._councils)

    # ----------------------------------------------------------------------- waiting times (4)
    def waiting_time_requests(self) -> pd.DataFrame:
        """One row per valid request with its response, first service and exclusion (4.2 to 4.4)."""
        return self._query(self._requests_sql() + "ORDER BY LA_Code, Person_ID, request_ord")

    def waiting_times(self, *, from_quarter: str | None = None) -> pd.DataFrame:
        """DHSC's waiting-time measures counted inside DuckDB: the table
        :func:`scrutiny.cld.measures.waiting_times` makes from :meth:`waiting_time_requests`, without
        handing every request to pandas (at national scale, millions of rows)."""
        response, service = measures.WAIT_METRICS["response"], measures.WAIT_METRICS["service"]
        since = f"AND Quarter_Start >= DATE '{pd.Timestamp(from_quarter).date()}'" if from_quarter else ""
        table = self._query(f"""
            WITH requests AS ({self._requests_sql()}), waits AS (
                -- each request read once for both waits (a second read would hold every request)
                SELECT LA_Code, part.Metric,
                       date_trunc('quarter', CASE WHEN part.is_response THEN response_start ELSE service_start END)
                           AS Quarter_Start,
                       CASE WHEN part.is_response THEN response_band ELSE service_band END AS Age_Band,
                       datediff('day', request_start, CASE WHEN part.is_response THEN response_start ELSE service_start END)
                           AS Days
                FROM requests CROSS JOIN (VALUES (true, '{response}'), (false, '{service}')) part(is_response, Metric)
                WHERE NOT excluded
            )
            SELECT LA_Code, Metric, CAST(Quarter_Start AS TIMESTAMP) AS Quarter_Start, Age_Band,
                   CAST(median(Days) AS DOUBLE) AS Median_Waiting_Time, count(*) AS Number_Of_Waiting_Times_Identified
            FROM waits WHERE Days IS NOT NULL AND Age_Band IN {_list(measures.WAIT_BANDS)} {since}
            GROUP BY ALL ORDER BY LA_Code, Metric, Quarter_Start, Age_Band
        """)
        table["Quarter_Start"] = pd.to_datetime(table["Quarter_Start"])
        table.insert(3, "Quarter_End", table["Quarter_Start"] + pd.offsets.QuarterEnd(0))
        return table

    def _requests_sql(self) -> str:
        """One row per valid request (4.2 to 4.4), as SQL.

        Each person's chronology is sorted twice: once on one integer key, numbering the rows and
        flagging assessment blocks, and once on the packed rows, finding each request's next assessment
        and next service. Both sorts carry only numbers; each request's council, person, end and date
        of death are joined back at the end, for the requests alone."""
        bounds = self.con.execute("""
            SELECT min(Event_Start_Date), max(Event_Start_Date), min(ImportDate), max(ImportDate),
                   min(Der_Unique_Record_ID), max(Der_Unique_Record_ID) FROM cld_events""").fetchall()[0]
        # no events, or none with these fields (an error if any such event is linked): any bounds will do
        default = (codes.WAITING_TIMES_START.date(),) * 4 + (0, 0)
        key = _chronology_key(*(bound if bound is not None else fallback
                                for bound, fallback in zip(bounds, default, strict=True)))
        request_progress = f"Event_Outcome IN {_list(codes.REQUEST_PROGRESS)}"
        blocking = (codes.ST_MAX, codes.OTHER_SHORT)
        horizons = " ".join(f"WHEN Service_Type IN {_list(types)} THEN {months}"
                            for types, months in ((codes.LTS_TYPES, 12), (blocking, 3)))
        return f"""
            WITH requests AS NOT MATERIALIZED (
                -- 4.2.3 and 4.2.5 (each part of the linkage scans the events for its own rows: cheaper
                -- than holding them all once)
                SELECT rowid AS row_id, person_key, {key} AS chronology_key, true AS is_request,
                       false AS is_assessment, Event_Start_Date AS start_date,
                       CAST(enum_code(Der_Working_Age_Band) AS BIGINT) AS band,
                       -- the three-conversations override may apply (4.4.1)
                       coalesce(Event_Start_Date < DATE '{codes.R2_SWITCH.date()}' AND Der_Conversation = 1
                                AND {request_progress}, false) AS progress
                FROM cld_events
                WHERE Event_Type = 'Request' AND Client_Type = '{codes.SERVICE_USER}'
                  AND Event_Start_Date >= DATE '{codes.WAITING_TIMES_START.date()}'
                  AND Der_Age_Event_Start_Date >= 25
                  AND Event_Outcome_Grouped NOT IN ('NFA', 'Admitted to hospital')
            ), existing AS NOT MATERIALIZED (
                -- 4.2.4: the services that make a person an existing client, and for how many months
                -- after their end (ongoing low-level support never does)
                SELECT person_key, Event_Start_Date AS start_date,
                       coalesce(Der_Event_End_Date, {OPEN_END}) AS end_or_open, CASE {horizons} END AS months
                FROM cld_events WHERE Event_Type = 'Service' AND Service_Type IN {_list(codes.LTS_TYPES + blocking)}
            ), valid AS (
                SELECT r.* FROM requests r ANTI JOIN existing s
                  ON s.person_key = r.person_key AND s.start_date < r.start_date
                 AND s.end_or_open >= r.start_date - to_months(s.months)
            ), responses AS NOT MATERIALIZED (
                -- the candidate responses and services RS (4.2.2) aged 25 or over (4.3.1): assessments
                -- (with whether each progresses to services, 4.3.4), then services, each type scanned
                -- on its own (cheaper than one scan testing both)
                SELECT rowid AS row_id, person_key, {key} AS chronology_key, false AS is_request,
                       true AS is_assessment, Event_Start_Date AS start_date,
                       CAST(enum_code(Der_Working_Age_Band) AS BIGINT) AS band,
                       coalesce(Event_Outcome IN {_list(codes.ASSESSMENT_TO_SERVICE)}, false) AS progress
                FROM cld_events
                WHERE Event_Type = 'Assessment' AND Assessment_Type IN {_list(codes.ASSESSMENT_TYPES)}
                  AND Der_Age_Event_Start_Date >= 25
                UNION ALL
                SELECT rowid, person_key, {key}, false, false, Event_Start_Date,
                       CAST(enum_code(Der_Working_Age_Band) AS BIGINT), false
                FROM cld_events
                WHERE Event_Type = 'Service' AND Service_Type IN {_list(codes.LTS_TYPES + codes.SHORT_TYPES)}
                  AND Der_Age_Event_Start_Date >= 25
            ), numbered AS (
                -- 4.3.2: each person's chronology in order. People with no valid request are kept (4.3.3
                -- drops them): they yield no rows, as only requests are kept after the windows, and
                -- carrying them costs less than a join to drop them
                SELECT person_key, row_id, is_request, is_assessment, progress, start_date, band,
                       row_number() OVER chronological AS ord,
                       -- 4.3.4 assessment blocks: from an assessment on, does one with progress to
                       -- services come before the next request or service? (The first of these rows
                       -- decides: 1 for a progressing assessment, 0 for a request or service.)
                       coalesce(first_value(CASE WHEN NOT is_assessment THEN 0 WHEN progress THEN 1 END
                           IGNORE NULLS) OVER (chronological ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING),
                           0) AS block_progress
                FROM (SELECT * FROM valid UNION ALL SELECT * FROM responses)
                WINDOW chronological AS (PARTITION BY person_key ORDER BY chronology_key)
            ), linked AS (
                -- a second ordered pass: for each request, the next assessment and the next service as
                -- packed rows (their order, start, band and, for the assessment, its block's flag: the
                -- next assessment after a request is the first of its block)
                SELECT person_key, row_id, packed, next_a, next_s,
                       -- 4.4.1: the request itself is the response
                       progress AND (next_a IS NULL OR {_unpack('packed', 'start')} < {_unpack('next_a', 'start')})
                           AS override
                FROM (
                    SELECT person_key, row_id, is_request, progress, packed,
                           first_value(CASE WHEN is_assessment THEN packed END IGNORE NULLS) OVER after AS next_a,
                           first_value(CASE WHEN NOT is_assessment AND NOT is_request THEN packed END IGNORE NULLS)
                               OVER after AS next_s
                    FROM (SELECT *, {_pack()} AS packed FROM numbered)
                    WINDOW after AS (PARTITION BY person_key ORDER BY packed
                                     ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING))
                WHERE is_request
            ), adjusted AS (
                -- 4.4.2: a service before the response (or with none) becomes the response; packed rows
                -- compare as their order numbers do
                SELECT *, next_s IS NOT NULL AND (first_response IS NULL OR first_response > next_s) AS service_first
                FROM (SELECT *, CASE WHEN override THEN packed ELSE next_a END AS first_response FROM linked)
            ), responded AS (
                SELECT person_key, row_id, packed,
                       CASE WHEN service_first THEN next_s ELSE first_response END AS response,
                       CASE WHEN service_first THEN 'Service' WHEN override THEN 'Request'
                            WHEN next_a IS NOT NULL THEN 'Assessment' END AS response_type,
                       NOT service_first AND (override OR {_unpack('next_a', 'block_progress')} = 1)
                           AS response_progress,
                       -- 4.4.3: an assessment block without progress to services blocks part 2
                       CASE WHEN NOT service_first AND NOT override AND {_unpack('next_a', 'block_progress')} = 0
                            THEN NULL ELSE next_s END AS service
                FROM adjusted
            ), excluded AS (
                -- 4.4.4: overlapping requests
                SELECT *,
                       coalesce(lag(greatest(response, service)) OVER p > packed, false)
                       OR coalesce(response <= coalesce(max(response) OVER earlier, 0), false)
                       OR coalesce(service <= coalesce(max(service) OVER earlier, 0), false) AS excluded
                FROM responded
                WINDOW p AS (PARTITION BY person_key ORDER BY packed),
                       earlier AS (PARTITION BY person_key ORDER BY packed
                                   ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
            )
            SELECT e.LA_Code, e.Person_ID, {_unpack('packed', 'ord')} AS request_ord,
                   {_unpack('packed', 'start')} AS request_start, e.Der_Event_End_Date AS request_end,
                   {_unpack('packed', 'band')} AS request_band, e.Date_of_Death AS date_of_death,
                   {_unpack('response', 'ord')} AS response_ord, response_type,
                   {_unpack('response', 'start')} AS response_start, {_unpack('response', 'band')} AS response_band,
                   coalesce(response_progress, false) AS response_progress,
                   {_unpack('service', 'ord')} AS service_ord, {_unpack('service', 'start')} AS service_start,
                   {_unpack('service', 'band')} AS service_band, excluded
            FROM excluded x JOIN cld_events e ON e.rowid = x.row_id
        """

    # ----------------------------------------------------------------------- ASCOF 2A (5.1)
    def _service_user_rows(self) -> str:
        # only the columns 2A reads, of people with an ST-Max service (2A looks at no one else): the
        # rows are held once and read three times
        return ("SELECT person_key, LA_Code, Person_ID, Event_Type, Service_Type, Service_Component, Event_Start_Date, "
                "Der_Unique_Record_ID, Event_Outcome, Event_Outcome_Hierarchy, "
                f"coalesce(Der_Event_End_Date, {OPEN_END}) AS end_date FROM cld_events "
                f"WHERE Client_Type = '{codes.SERVICE_USER}' AND Event_Start_Date IS NOT NULL "
                "AND (Der_Event_End_Date IS NULL OR Der_Event_End_Date >= Event_Start_Date) "
                f"AND person_key IN (SELECT person_key FROM cld_events WHERE Service_Type = '{codes.ST_MAX}')")

    @staticmethod
    def _adjusted_hierarchy(outcome: str) -> str:
        return (f"(coalesce(Event_Outcome_Hierarchy, 999) + CASE WHEN {outcome} IN {_list(codes.UNUSABLE_2A)} "
                "AND coalesce(Event_Outcome_Hierarchy, 999) < 999 THEN 100 ELSE 0 END)")

    def ascof_2a_clusters(self, *, identified: bool = True) -> pd.DataFrame:
        """In-scope new-client reablement clusters with sequel and final outcome (5.1)."""
        rs, re = self._date(self.period.start), self._date(self.period.end)
        rank = "CASE Service_Type " + " ".join(
            f"WHEN '{t}' THEN {r}" for t, r in codes.SERVICE_TYPE_RANK.items()) + " END"
        short_care = "Service_Component IN ('Short term residential care', 'Short term nursing care')"
        usable_row = f"{self._adjusted_hierarchy('coalesce(Event_Outcome, ' + repr(codes.INVALID) + ')')}"
        return self._units(f"""
            WITH rows AS ({self._service_user_rows()}),
            st AS (
                SELECT person_key, LA_Code, Person_ID, Event_Start_Date, end_date, Der_Unique_Record_ID,
                       coalesce(Event_Outcome, '{codes.INVALID}') AS outcome,
                       {usable_row} AS hierarchy
                FROM rows WHERE Service_Type = '{codes.ST_MAX}'
            ), numbered AS (
                SELECT *, sum(CASE WHEN earlier_end IS NULL OR datediff('day', earlier_end, Event_Start_Date) > 7
                                   THEN 1 ELSE 0 END) OVER (PARTITION BY person_key ORDER BY
                              Event_Start_Date, end_date, hierarchy, Der_Unique_Record_ID DESC
                              ROWS UNBOUNDED PRECEDING) AS cluster
                FROM (SELECT *, max(end_date) OVER (PARTITION BY person_key ORDER BY Event_Start_Date,
                                  end_date, hierarchy, Der_Unique_Record_ID DESC
                                  ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end FROM st)
            ), clusters AS (
                -- grouped by the person's number: the identifiers ride along (and drop out when not wanted)
                SELECT person_key, any_value(LA_Code) AS LA_Code, any_value(Person_ID) AS Person_ID, cluster,
                       min(Event_Start_Date) AS cluster_start,
                       max(end_date) AS cluster_end,
                       first(outcome ORDER BY end_date DESC, hierarchy, Der_Unique_Record_ID DESC) AS cluster_outcome,
                       first(hierarchy ORDER BY end_date DESC, hierarchy, Der_Unique_Record_ID DESC)
                           AS cluster_hierarchy
                FROM numbered GROUP BY person_key, cluster
            ), scoped AS (
                SELECT c.*, p.Date_of_Death,
                       {_age('p.Der_Birth_Year', 'p.Der_Birth_Month', 'c.cluster_end')} AS age
                FROM clusters c LEFT JOIN cld_persons p ON p.person_key = c.person_key
                WHERE c.cluster_end BETWEEN {rs} AND {re}
            ), new_clients AS (
                SELECT * FROM scoped c
                WHERE (age IS NULL OR age >= 18) AND (Date_of_Death IS NULL OR Date_of_Death >= cluster_start)
                  AND NOT EXISTS (SELECT 1 FROM rows l WHERE l.person_key = c.person_key
                                  AND l.Service_Type IN {_list(codes.LTS_TYPES)}
                                  AND l.Event_Start_Date < c.cluster_start
                                  AND datediff('day', l.end_date, c.cluster_start) < 91)
            ), pool AS (
                SELECT c.person_key, c.cluster, c.cluster_start, c.cluster_end, c.cluster_hierarchy,
                       r.Event_Type, r.Service_Type, r.Service_Component, r.Event_Start_Date, r.end_date,
                       coalesce(r.Event_Outcome, '{codes.INVALID}') AS outcome,
                       {usable_row.replace('Event_Outcome', 'r.Event_Outcome')} AS hierarchy
                FROM new_clients c JOIN rows r ON r.person_key = c.person_key
                -- the cluster's own ST-Max rows are not its sequel (IS NOT DISTINCT FROM: an assessment or
                -- review has no service type, and a NULL here must not drop it)
                WHERE NOT (r.Service_Type IS NOT DISTINCT FROM '{codes.ST_MAX}' AND r.Event_Start_Date BETWEEN c.cluster_start
                           AND c.cluster_end)
                  AND r.Event_Start_Date >= c.cluster_start
            ), window_rows AS (
                SELECT * FROM (
                    SELECT *, min(CASE WHEN Service_Type = '{codes.ST_MAX}' THEN Event_Start_Date END)
                              OVER (PARTITION BY person_key, cluster) AS first_st
                    FROM pool WHERE end_date > cluster_end AND datediff('day', cluster_end, Event_Start_Date) <= 7)
                WHERE first_st IS NULL OR Event_Start_Date < first_st
            ), window_summary AS (
                SELECT person_key, cluster, count(*) AS n_window,
                       min({rank}) FILTER (WHERE Event_Type = 'Service' AND {rank} IS NOT NULL) AS best_rank,
                       count(*) FILTER (WHERE Event_Type IS DISTINCT FROM 'Service'
                            AND outcome <> 'NFA: Support ended as planned'
                            AND (cluster_hierarchy < 100 OR hierarchy < 100)) AS n_qualifying,
                       min(hierarchy) FILTER (WHERE Event_Type IS DISTINCT FROM 'Service'
                            AND outcome <> 'NFA: Support ended as planned' AND hierarchy < 100) AS b_hierarchy,
                       first(outcome ORDER BY hierarchy) FILTER (WHERE Event_Type IS DISTINCT FROM 'Service'
                            AND outcome <> 'NFA: Support ended as planned' AND hierarchy < 100) AS b_outcome
                FROM window_rows GROUP BY ALL
            ), window_best AS (
                SELECT w.person_key, w.cluster,
                       first(w.Service_Type) AS best_type,
                       bool_or({short_care.replace('Service_Component', 'w.Service_Component')}) AS best_short_care
                FROM window_rows w JOIN window_summary s USING (person_key, cluster)
                WHERE w.Event_Type = 'Service' AND {rank.replace('Service_Type', 'w.Service_Type')} = s.best_rank
                GROUP BY ALL
            ), nested AS (
                SELECT person_key, cluster,
                       bool_or(Event_Type = 'Service' AND Service_Component = 'Equipment') AS equipment,
                       first(hierarchy ORDER BY end_date DESC, hierarchy) FILTER (
                           WHERE Event_Type IN ('Assessment', 'Review') AND datediff('day', end_date, cluster_end) < 14
                             AND hierarchy < 100) AS c_hierarchy,
                       first(outcome ORDER BY end_date DESC, hierarchy) FILTER (
                           WHERE Event_Type IN ('Assessment', 'Review') AND datediff('day', end_date, cluster_end) < 14
                             AND hierarchy < 100) AS c_outcome
                FROM pool WHERE end_date > cluster_start AND end_date <= cluster_end GROUP BY ALL
            ), joined AS (
                SELECT c.*, coalesce(w.n_window, 0) AS n_window, w.best_rank, coalesce(w.n_qualifying, 0)
                       AS n_qualifying, w.b_hierarchy, w.b_outcome, b.best_type, b.best_short_care,
                       coalesce(n.equipment, false) AS equipment, n.c_hierarchy, n.c_outcome
                FROM new_clients c
                LEFT JOIN window_summary w USING (person_key, cluster)
                LEFT JOIN window_best b USING (person_key, cluster)
                LEFT JOIN nested n USING (person_key, cluster)
            ), candidates AS (
                SELECT *,
                       (n_window = 0 AND cluster_hierarchy < 100) OR n_qualifying > 0 AS a_candidate,
                       list_sort(list_filter([
                           CASE WHEN (n_window = 0 AND cluster_hierarchy < 100) OR n_qualifying > 0
                                THEN {{'h': cluster_hierarchy, 'src': 0, 'label': '4a', 'outcome': cluster_outcome}} END,
                           CASE WHEN b_hierarchy IS NOT NULL
                                THEN {{'h': b_hierarchy, 'src': 1, 'label': '4b', 'outcome': b_outcome}} END,
                           CASE WHEN c_hierarchy IS NOT NULL
                                THEN {{'h': c_hierarchy, 'src': 2, 'label': '4c', 'outcome': c_outcome}} END],
                           lambda x: x IS NOT NULL))[1] AS best_candidate
                FROM joined
            ), sequels AS (
                SELECT *,
                    CASE WHEN Date_of_Death IS NOT NULL AND Date_of_Death <= cluster_end + 7 THEN '1'
                         WHEN cluster_outcome = 'Admitted to hospital' THEN '2'
                         WHEN best_rank IS NOT NULL THEN '3'
                         WHEN best_candidate IS NOT NULL THEN best_candidate.label
                         WHEN equipment THEN '5' ELSE '6' END AS sequel,
                    CASE WHEN Date_of_Death IS NOT NULL AND Date_of_Death <= cluster_end + 7 THEN 'NFA: Deceased'
                         WHEN cluster_outcome = 'Admitted to hospital' THEN 'Admitted to hospital'
                         WHEN best_rank IS NOT NULL THEN
                              CASE WHEN best_type = '{codes.OTHER_SHORT}' AND best_short_care
                                   THEN '{codes.SHORT_RES_NURSING}' ELSE best_type END
                         WHEN best_candidate IS NOT NULL THEN best_candidate.outcome
                         WHEN equipment THEN '{codes.LOW_LEVEL}' ELSE cluster_outcome END AS final_outcome
                FROM candidates
            )
            SELECT LA_Code, Person_ID, cluster_start, cluster_end, cluster_outcome, age, {_band('age')} AS band,
                   sequel, final_outcome, final_outcome IN {_list(codes.TWO_A_NUMERATOR)} AS in_numerator,
                   final_outcome IN {_list(codes.TWO_A_NUMERATOR + codes.TWO_A_DENOMINATOR_ONLY)} AS in_denominator
            FROM sequels""", identified, order="LA_Code, Person_ID, cluster_start")

    # ----------------------------------------------------------------------- ASCOF 2B/2C (5.2)
    def ascof_2b2c_admissions(self, *, null_component: str = "faithful", self_funded: str = "placement",
                              identified: bool = True) -> pd.DataFrame:
        """New permanent admissions, one row per person with band (5.2); switches as the reference."""
        rs, re = self._date(self.period.start), self._date(self.period.end)
        fits = ("(lower(Service_Component) LIKE '%residential%' OR lower(Service_Component) LIKE '%nursing%') "
                "AND lower(Service_Component) NOT LIKE '%short%'")
        if null_component == "intended":
            fits = f"(Service_Component IS NULL OR ({fits}))"
        self_funded_row = "Event_Outcome IS NOT DISTINCT FROM 'NFA: Self-funded client or under 12wk disregard'"
        placement_filter = f"AND NOT ({self_funded_row})" if self_funded == "placement" else ""
        return self._units(f"""
            WITH placements AS (
                SELECT e.LA_Code, e.Person_ID, e.Event_Start_Date, e.Der_Event_End_Date, e.Event_Outcome,
                       p.Der_Birth_Year, p.Der_Birth_Month
                FROM cld_events e JOIN cld_persons p ON p.person_key = e.person_key
                WHERE e.Event_Type = 'Service' AND e.Client_Type = '{codes.SERVICE_USER}'
                  AND e.Service_Type IN {_list((codes.RESIDENTIAL, codes.NURSING))}
                  AND p.Der_Birth_Year IS NOT NULL AND p.Der_Birth_Month IS NOT NULL
                  AND (p.Date_of_Death IS NULL OR p.Date_of_Death >= {rs}) AND {fits} {placement_filter}
            ), admissions AS (
                SELECT DISTINCT LA_Code, Person_ID, Event_Start_Date,
                       {_age('Der_Birth_Year', 'Der_Birth_Month', 'Event_Start_Date')} AS age
                FROM placements WHERE NOT ({self_funded_row}) AND Event_Start_Date BETWEEN {rs} AND {re}
            ), new AS (
                SELECT * FROM admissions a WHERE age >= 18 AND NOT EXISTS (
                    SELECT 1 FROM placements p WHERE p.LA_Code = a.LA_Code AND p.Person_ID = a.Person_ID
                      AND p.Event_Start_Date < a.Event_Start_Date
                      AND (p.Der_Event_End_Date IS NULL OR datediff('day', p.Der_Event_End_Date,
                                                                     a.Event_Start_Date) < 365))
            )
            SELECT LA_Code, Person_ID, CASE WHEN bool_or(age <= 64) THEN '18 to 64' ELSE '65 and above' END AS band
            FROM new GROUP BY ALL""", identified)

    # ----------------------------------------------------------------------- ASCOF 2E (5.4)
    def ascof_2e_people(self, *, identified: bool = True) -> pd.DataFrame:
        """People in long-term support in the period: band, gender, settled flag, PSR (5.4)."""
        rs, re = self._date(self.period.start), self._date(self.period.end)
        known = set(codes.ACCOMMODATION) - {"Unknown", codes.PRESUMED_AT_HOME, codes.PRESUMED_IN_COMMUNITY}
        settled = [value for value, flag in codes.settled().items() if flag == 1]
        return self._units(f"""
            WITH latest AS (
                SELECT person_key, any_value(LA_Code) AS LA_Code, any_value(Person_ID) AS Person_ID,
                       max(least(coalesce(Der_Event_End_Date, {OPEN_END}), {re})) AS latest_end
                FROM cld_events
                WHERE Event_Type = 'Service' AND Client_Type = '{codes.SERVICE_USER}'
                  AND Service_Type IN {_list(codes.LTS_TYPES)} AND Event_Start_Date <= {re}
                  AND (Der_Event_End_Date IS NULL OR (Der_Event_End_Date >= Event_Start_Date
                                                      AND Der_Event_End_Date >= {rs}))
                GROUP BY person_key
            ), people AS (
                SELECT l.*, p.Gender, p.Accommodation_Status, p.Primary_Support_Reason,
                       {_age('p.Der_Birth_Year', 'p.Der_Birth_Month', 'l.latest_end')} AS age
                FROM latest l LEFT JOIN cld_persons p ON p.person_key = l.person_key
                WHERE p.Date_of_Death IS NULL OR p.Date_of_Death >= {rs}
            )
            SELECT LA_Code, Person_ID, age,
                   CASE WHEN coalesce(age, 0) > 0 THEN {_band('age')} ELSE 'Unknown' END AS band, Gender,
                   CASE WHEN Accommodation_Status IN {_list(settled)} THEN 1 ELSE 0 END AS settled,
                   Accommodation_Status IS NULL OR Accommodation_Status NOT IN {_list(sorted(known))}
                       AS accommodation_unknown,
                   Primary_Support_Reason IS NOT DISTINCT FROM '{codes.LEARNING_DISABILITY}' AS learning_disability
            FROM people WHERE age IS NULL OR age >= 18""", identified)

    # ----------------------------------------------------------------------- ASCOF 3D (5.5)
    def ascof_3d_people(self, *, identified: bool = True) -> pd.DataFrame:
        """Service users in long-term support at the period end with their setting hierarchy (5.5)."""
        re = self._date(self.period.end)
        return self._units(f"""
            WITH rows AS (
                SELECT e.person_key, e.LA_Code, e.Person_ID, e.Service_Type, p.Der_Birth_Year, p.Der_Birth_Month,
                       e.Service_Component IS NOT DISTINCT FROM '{codes.DIRECT_PAYMENT}' AS dp_component,
                       CASE WHEN e.Service_Component IS NOT DISTINCT FROM '{codes.DIRECT_PAYMENT}'
                            THEN '{codes.DIRECT_PAYMENT}' ELSE e.Delivery_Mechanism END AS mechanism
                FROM cld_events e LEFT JOIN cld_persons p ON p.person_key = e.person_key
                WHERE e.Event_Type = 'Service' AND e.Client_Type = '{codes.SERVICE_USER}'
                  AND e.Service_Type IN {_list(codes.LTS_TYPES)} AND e.Event_Start_Date <= {re}
                  AND (e.Der_Event_End_Date IS NULL OR (e.Der_Event_End_Date >= e.Event_Start_Date
                                                        AND e.Der_Event_End_Date >= {re}))
                  AND (p.Date_of_Death IS NULL OR p.Date_of_Death >= {re})
            ), ranked AS (
                SELECT *, CASE
                    WHEN Service_Type = '{codes.NURSING}' THEN 1 WHEN Service_Type = '{codes.RESIDENTIAL}' THEN 2
                    WHEN Service_Type = '{codes.COMMUNITY}' AND (mechanism = '{codes.DIRECT_PAYMENT}'
                         OR dp_component) THEN 3
                    WHEN Service_Type = '{codes.COMMUNITY}' AND mechanism = '{codes.PERSONAL_BUDGET}' THEN 4
                    WHEN Service_Type = '{codes.COMMUNITY}' AND mechanism = '{codes.COMMISSIONED}' THEN 5
                    WHEN Service_Type = '{codes.COMMUNITY}' THEN 6
                    WHEN Service_Type = '{codes.PRISON}' AND mechanism = '{codes.PERSONAL_BUDGET}' THEN 7
                    WHEN Service_Type = '{codes.PRISON}' AND mechanism = '{codes.COMMISSIONED}' THEN 8
                    ELSE 9 END AS hierarchy
                FROM rows
            ), best AS (
                -- the top setting, and whether no row at it is a direct-payment component: the hierarchy
                -- doubled plus 1 for a row that is not, so the least value says both (no window, no sort)
                SELECT any_value(LA_Code) AS LA_Code, any_value(Person_ID) AS Person_ID,
                       min(2 * hierarchy + CASE WHEN dp_component THEN 0 ELSE 1 END) AS best_setting,
                       any_value(Der_Birth_Year) AS birth_year, any_value(Der_Birth_Month) AS birth_month
                FROM ranked GROUP BY person_key
            )
            SELECT LA_Code, Person_ID, CAST(best_setting // 2 AS DOUBLE) AS hierarchy,
                   {_band(_age('birth_year', 'birth_month', re))} AS band, best_setting % 2 = 1 AS non_dp_component
            FROM best WHERE {_band(_age('birth_year', 'birth_month', re))} <> 'Under 18'""", identified)

    # ----------------------------------------------------------------------- ASCOF 2D (5.3)
    def ascof_2d_period(self) -> Period:
        """2D's period: the 12 months ending ``lag_months`` before the period end (spec 3.10)."""
        end = (self.period.end - pd.DateOffset(months=self.ascof_2d_lag_months)) + pd.offsets.MonthEnd(0)
        return Period(end - pd.DateOffset(years=1) + pd.Timedelta(days=1), end)

    def ascof_2d_units(self) -> tuple[pd.DataFrame, pd.DataFrame]:
        """ASCOF 2D units (5.3): reablement clusters linked to an eligible hospital discharge, with
        the outcomes within 12 weeks (Part 1), and every eligible discharge (Part 2 denominator).

        Raises ValueError if the engine was opened without a discharges table."""
        if self.discharges is None:
            raise ValueError("ASCOF 2D needs hospital discharge (SUS) data: open the engine with discharges=")
        period = self.ascof_2d_period()
        rs, re = self._date(period.start), self._date(period.end)
        care_home = _list((codes.RESIDENTIAL, codes.NURSING))
        not_counted_tfc = _list(codes.TWO_D_EXCLUDED_TREATMENT_FUNCTIONS)
        common = f"""
            WITH rows AS (
                SELECT e.LA_Code, e.Person_ID, e.Service_Type, e.Service_Component, e.Event_Start_Date,
                       coalesce(e.Der_Event_End_Date, {OPEN_END}) AS end_date, p.Date_of_Death AS person_death
                FROM cld_events e LEFT JOIN cld_persons p ON p.person_key = e.person_key
                WHERE e.Event_Type = 'Service' AND e.Client_Type = '{codes.SERVICE_USER}'
                  AND (e.Der_Event_End_Date IS NULL OR e.Der_Event_End_Date >= e.Event_Start_Date)
                  AND (p.Date_of_Death IS NULL OR p.Date_of_Death >= {rs})
            ), lts AS (
                SELECT * FROM rows WHERE Service_Type LIKE 'Long term support:%'
            ), spells AS (
                SELECT *, {_age('Birth_Year', 'Birth_Month', 'Discharge_Date')} AS age FROM {self.discharges}
            ), eligible AS (
                SELECT d.*, CASE WHEN age <= 74 THEN '65 to 74' WHEN age <= 84 THEN '75 to 84'
                                 ELSE '85 and above' END AS age_group,
                       CASE d.Sex WHEN '1' THEN 'Male' WHEN '2' THEN 'Female' ELSE 'Unknown' END AS sex_group,
                       CASE WHEN EXISTS (SELECT 1 FROM lts l WHERE l.Person_ID = d.NHS_Number
                                           AND l.Service_Type = '{codes.COMMUNITY}'
                                           AND d.Admission_Date BETWEEN l.Event_Start_Date AND l.end_date)
                            THEN 'Those in LT community support' ELSE 'Those not in any LTS' END AS client_type
                FROM spells d
                WHERE age >= 65 AND Admission_Method NOT IN ('31', '32', '82', '83')
                  AND Discharge_Method NOT IN ('4', '5')
                  AND Discharge_Destination NOT IN ('49', '50', '51', '52', '79', '87', '88')
                  AND Treatment_Function_Code NOT IN {not_counted_tfc}
                  AND Treatment_Function_Code NOT LIKE '65%' AND Treatment_Function_Code NOT LIKE '7%'
                  AND Admission_Date >= DATE '2023-04-01' AND Admission_Date < Discharge_Date
                  AND Discharge_Date BETWEEN {rs} AND {re} AND NHS_Number IS NOT NULL
                  AND NOT EXISTS (SELECT 1 FROM lts l WHERE l.Person_ID = d.NHS_Number
                                    AND l.Service_Type IN {_list((codes.NURSING, codes.RESIDENTIAL, codes.PRISON))}
                                    AND d.Admission_Date BETWEEN l.Event_Start_Date AND l.end_date)
            )"""
        spells = self._query(common + """
            SELECT Residence_LA_Code AS LA_Code, Spell_ID, NHS_Number AS Person_ID, Discharge_Date, age_group, sex_group,
                   client_type
            FROM eligible ORDER BY LA_Code, Spell_ID""")
        clusters = self._query(common + f""",
            reablement AS (
                SELECT *, sum(CASE WHEN earlier_end IS NULL OR datediff('day', earlier_end, Event_Start_Date) > 7
                                   THEN 1 ELSE 0 END) OVER (PARTITION BY LA_Code, Person_ID
                              ORDER BY Event_Start_Date, end_date ROWS UNBOUNDED PRECEDING) AS cluster
                FROM (SELECT *, max(end_date) OVER (PARTITION BY LA_Code, Person_ID ORDER BY Event_Start_Date,
                                  end_date ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) AS earlier_end
                      FROM rows WHERE Service_Type = '{codes.ST_MAX}' AND Service_Component = 'Reablement')
            ), clusters AS (
                SELECT LA_Code, Person_ID, cluster, min(Event_Start_Date) AS cluster_start,
                       max(end_date) AS cluster_end, max(person_death) AS death
                FROM reablement GROUP BY ALL
            ), linked AS (
                SELECT c.*, e.Spell_ID, e.Admission_Date, e.Discharge_Date, e.age_group, e.sex_group, e.client_type
                FROM clusters c JOIN eligible e ON e.NHS_Number = c.Person_ID
                     AND e.Discharge_Date BETWEEN c.cluster_start - 7 AND c.cluster_start + 3
                     AND e.Admission_Date <= c.cluster_start
                QUALIFY row_number() OVER (PARTITION BY c.LA_Code, c.Person_ID, c.cluster
                                           ORDER BY e.Discharge_Date DESC, e.Spell_ID DESC) = 1
            )
            SELECT LA_Code, Person_ID, cluster_start, Spell_ID, Discharge_Date, age_group, sex_group, client_type,
                   coalesce(death BETWEEN Discharge_Date AND Discharge_Date + {codes.TWO_D_FOLLOW_UP_DAYS}, false) AS died,
                   EXISTS (SELECT 1 FROM {self.discharges} s WHERE s.NHS_Number = l.Person_ID
                             AND s.Management_Type IN ('EM', 'NE') AND s.Discharge_Method <> '5'
                             AND s.Admission_Date < s.Discharge_Date AND s.Admission_Date >= {rs}
                             AND s.Admission_Date > l.cluster_start AND s.Admission_Date > l.Discharge_Date
                             AND s.Admission_Date <= l.Discharge_Date + {codes.TWO_D_FOLLOW_UP_DAYS}) AS readmitted,
                   EXISTS (SELECT 1 FROM lts t WHERE t.Person_ID = l.Person_ID AND t.Service_Type IN {care_home}
                             AND t.Event_Start_Date BETWEEN l.Discharge_Date
                                 AND l.Discharge_Date + {codes.TWO_D_FOLLOW_UP_DAYS})
                       AS care_home
            FROM linked l ORDER BY LA_Code, Person_ID, cluster_start""")
        clusters["at_home"] = ~(clusters["died"] | clusters["readmitted"] | clusters["care_home"])
        return clusters, spells
