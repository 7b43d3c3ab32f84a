"""Reading a Client Level Data extract (CSV or parquet, Release 1 or Release 2 headers), checking
it and presenting it to the engines under DHSC's field names (cld-methods.md sections 2 and 3.11).

The extract is opened in DuckDB as text, so a national file is checked without loading it into
memory. A cell that cannot be read (a date that is not a date, a birth month of 13) stops the run
with the file, data row, column and what was expected; problems DHSC tolerates (an unknown code, an
end before the start, a row without any person identifier) are counted in the data-quality table
instead, because DHSC's own pipeline drops or maps them.
"""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from scrutiny.cld import codes


class ExtractError(ValueError):
    """A CLD extract that cannot be used; the message names the file, row and column."""


# DHSC field name -> accepted headers, compared after removing case, spaces and punctuation.
# Release 2 headers come first; Release 1 and local-submission spellings follow.
FIELD_ALIASES: dict[str, tuple[str, ...]] = {
    "LA_Code": ("LA Code", "LA_Code", "CASSR Code", "Council Code"),
    "LA_Name": ("LA Name", "LA_Name", "Council Name"),
    "ImportDate": ("ImportDate", "Import Date", "Submission Date"),
    "ImportFileId": ("ImportFileId", "Import File ID", "File ID"),
    "Reporting_Period_Start_Date": ("Reporting Period Start Date", "Reporting_Period_Start_Date"),
    "Reporting_Period_End_Date": ("Reporting Period End Date", "Reporting_Period_End_Date"),
    "Der_Unique_Record_ID": ("Der_Unique_Record_ID", "Record ID"),
    "Der_NHS_Number_Traced_Pseudo": ("Der_NHS_Number_Traced_Pseudo", "Traced NHS Number"),
    "Der_NHS_Number_Pseudo": ("Der_NHS_Number_Pseudo", "NHS Number"),
    "LA_Person_Unique_Identifier": ("LA Person Unique Identifier", "LA_Person_Unique_Identifier",
                                    "LA Person ID"),
    "Date_of_Birth": ("Date of Birth", "Date_of_Birth", "DOB"),
    "Der_Birth_Year": ("Der_Birth_Year", "Birth Year"),
    "Der_Birth_Month": ("Der_Birth_Month", "Birth Month"),
    "Date_of_Death": ("Date of Death", "Date_of_Death", "Der_Date_of_Death"),
    "Gender": ("Gender", "Gender Identity", "Sex"),
    "Client_Type": ("Client Type", "Client_Type"),
    "Primary_Support_Reason": ("Primary Support Reason", "Primary_Support_Reason", "PSR"),
    "Accommodation_Status": ("Accommodation Status", "Accommodation_Status", "Accommodation"),
    "Event_Type": ("Event Type", "Event_Type"),
    "Event_Start_Date": ("Event Start Date", "Event_Start_Date"),
    "Event_End_Date": ("Event End Date", "Event_End_Date"),
    "Event_Description": ("Event Description", "Event_Description"),
    "Event_Outcome": ("Event Outcome", "Event_Outcome"),
    "Request_Route_of_Access": ("Request: Route of Access", "Request_Route_of_Access",
                                "Route of Access"),
    "Assessment_Type": ("Assessment Type", "Assessment_Type"),
    "Service_Type": ("Service Type", "Service_Type"),
    "Service_Component": ("Service Component", "Service_Component"),
    "Delivery_Mechanism": ("Delivery Mechanism", "Delivery_Mechanism"),
    "Der_Conversation": ("Der_Conversation",),
    "Der_Age_Event_Start_Date": ("Der_Age_Event_Start_Date",),
}
REQUIRED = ("LA_Code", "Client_Type", "Event_Type", "Event_Start_Date")
DATE_FIELDS = ("ImportDate", "Reporting_Period_Start_Date", "Reporting_Period_End_Date", "Date_of_Birth", "Date_of_Death", "Event_Start_Date", "Event_End_Date")
INTEGER_FIELDS = {"Der_Unique_Record_ID": (None, None), "Der_Birth_Year": (1880, 2100),
                  "Der_Birth_Month": (1, 12), "Der_Conversation": (0, 1),
                  "Der_Age_Event_Start_Date": (0, 130)}
PERSON_ID_FIELDS = ("Der_NHS_Number_Traced_Pseudo", "Der_NHS_Number_Pseudo",
                    "LA_Person_Unique_Identifier")
TEXT_FIELDS = ("LA_Code", "LA_Name", "ImportFileId", *PERSON_ID_FIELDS, "Gender", "Client_Type",
               "Primary_Support_Reason", "Accommodation_Status", "Event_Type", "Event_Description",
               "Event_Outcome", "Request_Route_of_Access", "Assessment_Type", "Service_Type",
               "Service_Component", "Delivery_Mechanism")
# The columns the engines receive, in this order (the "standard extract").
STANDARD_COLUMNS = ("row_number", "LA_Code", "LA_Name", "ImportDate", "ImportFileId",
                    "Reporting_Period_Start_Date", "Reporting_Period_End_Date", "Der_Unique_Record_ID",
                    *PERSON_ID_FIELDS, "Der_Birth_Year", "Der_Birth_Month", "Date_of_Death",
                    "Gender", "Client_Type", "Primary_Support_Reason", "Accommodation_Status",
                    "Event_Type", "Event_Start_Date", "Event_End_Date", "Event_Description",
                    "Event_Outcome", "Request_Route_of_Access", "Assessment_Type", "Service_Type",
                    "Service_Component", "Delivery_Mechanism", "Der_Conversation",
                    "Der_Age_Event_Start_Date")
CONVERSATION_WORDS = ("conversation",)  # spec 7.10: DHSC's exact rule is not published
# Coded fields the DuckDB engine maps once per distinct value: ``cld_standard`` also carries each as
# it stands in the file (``raw_<field>``), so that a national extract is not trimmed row by row.
CODED_FIELDS = (*codes.CODE_LISTS, "Event_Type", "Request_Route_of_Access")
RAW_PREFIX = "raw_"


def _squash(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.casefold())


_ALIAS_LOOKUP = {_squash(alias): field for field, aliases in FIELD_ALIASES.items()
                 for alias in aliases}


def map_headers(headers: list[str], source: str) -> dict[str, str]:
    """DHSC field name -> the extract's header, for every header that is a known CLD field.

    Raises :class:`ExtractError` naming the file if a required field is missing, if two headers
    map to one field, or if no person identifier or birth date column exists."""
    found: dict[str, str] = {}
    for header in headers:
        field = _ALIAS_LOOKUP.get(_squash(header))
        if field is None:
            continue
        if field in found:
            raise ExtractError(f"{source}: columns {found[field]!r} and {header!r} both hold {field}")
        found[field] = header
    missing = [field for field in REQUIRED if field not in found]
    if missing:
        expected = "; ".join(f"{field} (e.g. {FIELD_ALIASES[field][0]!r})" for field in missing)
        raise ExtractError(f"{source}: missing required column(s): {expected}")
    if not any(field in found for field in PERSON_ID_FIELDS):
        raise ExtractError(f"{source}: no person identifier column (expected 'NHS Number' or "
                           "'LA Person Unique Identifier')")
    if "Date_of_Birth" not in found and not {"Der_Birth_Year", "Der_Birth_Month"} <= set(found):
        raise ExtractError(f"{source}: no 'Date of Birth' column (or Der_Birth_Year and "
                           "Der_Birth_Month)")
    return found


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class Extract:
    """An opened extract: the DuckDB connection holding the view ``cld_standard`` and its origin."""

    connection: duckdb.DuckDBPyConnection
    source: str
    headers: dict[str, str]

    def frame(self) -> pd.DataFrame:
        """The standard extract as a pandas DataFrame (for the reference engine and small data)."""
        frame = self.connection.sql(f"SELECT {', '.join(STANDARD_COLUMNS)} FROM cld_standard "
                                    "ORDER BY row_number").df()
        for column in ("Event_Start_Date", "Event_End_Date", "Date_of_Death", "ImportDate",
                       "Reporting_Period_Start_Date", "Reporting_Period_End_Date"):
            frame[column] = pd.to_datetime(frame[column])
        return frame


# DuckDB's own memory limit: with Python, pandas and DuckDB's unlimited allocations the process peaks
# about 250 MB above it (measured at 10 million events), inside the 2 GiB a laptop run is allowed
DEFAULT_MEMORY_LIMIT = "1500MB"


def connect(memory_limit: str = DEFAULT_MEMORY_LIMIT, threads: int | None = None) -> duckdb.DuckDBPyConnection:
    """A DuckDB connection with bounded memory (spills to the system's temporary folder beyond it)."""
    con = duckdb.connect()
    con.execute(f"SET memory_limit = '{memory_limit}'")
    # spill files go to the system's temporary folder, never into the working tree
    spill = Path(tempfile.gettempdir()) / "scrutiny-duckdb"
    con.execute(f"SET temp_directory = '{spill.as_posix()}'")
    # rows of a CSV or DataFrame are numbered in reading order, which needs insertion order kept;
    # open_extract turns it off for parquet, which numbers its own rows
    con.execute("SET preserve_insertion_order = true")
    if threads:
        con.execute(f"SET threads = {int(threads)}")
    return con


def table_scan(source: str | Path | pd.DataFrame, con: duckdb.DuckDBPyConnection, *, frame_name: str,
               frame_view: str, expected: str, folders: bool = False) -> tuple[str, str, str]:
    """How to read a CSV, parquet file (or, with ``folders``, a folder of parquet files) or DataFrame
    in DuckDB: (the name for messages, the SQL to scan it, the SQL numbering its rows from 1).

    Parquet numbers its rows as it reads (from 0); CSV and DataFrame rows are numbered in order.
    Raises :class:`ExtractError` for a missing file."""
    if isinstance(source, pd.DataFrame):
        con.register(frame_view, source.astype("string"))
        return frame_name, frame_view, "row_number() OVER ()"
    path = Path(source)
    if not path.exists():
        raise ExtractError(f"{path}: file not found (expected {expected})")
    literal = "'" + str(path).replace("'", "''") + "'"
    if path.suffix.lower() == ".parquet" or (folders and path.is_dir()):
        pattern = literal if path.is_file() else "'" + str(path / "*.parquet") + "'"
        return str(path), f"read_parquet({pattern}, file_row_number = true)", "file_row_number + 1"
    return str(path), f"read_csv({literal}, all_varchar = true, header = true)", "row_number() OVER ()"


def open_extract(source: str | Path | pd.DataFrame,
                 con: duckdb.DuckDBPyConnection | None = None) -> Extract:
    """Open a CLD extract (CSV, parquet or a DataFrame), check it and define ``cld_standard``.

    Raises :class:`ExtractError` for a missing file, missing columns or an unreadable cell."""
    con = con or connect()
    name, scan, numbering = table_scan(source, con, frame_name="the extract", frame_view="cld_input_frame",
                                       expected="a CLD extract as CSV or parquet", folders=True)
    described = con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
    headers = [row[0] for row in described]
    types = {row[0]: row[1] for row in described}
    parquet = scan.startswith("read_parquet")
    if parquet:
        con.execute("SET preserve_insertion_order = false")
        headers.remove("file_row_number")
    found = map_headers(headers, name)
    # dates and whole numbers a parquet file already types need no reading from text or checking
    native = {field for field, header in found.items()
              if (field in DATE_FIELDS and types[header] == "DATE")
              or (field in INTEGER_FIELDS and types[header] in ("INTEGER", "BIGINT", "SMALLINT", "TINYINT")
                  and INTEGER_FIELDS[field][0] is None)}
    if parquet:  # text a parquet file holds already clean needs no trimming row by row
        native |= _clean_text_fields(con, scan, found, types)
    text_columns = ", ".join(
        f"{_quote(found[field])} AS {field}" if field in native else
        f"{_blank_as_missing(f'CAST({_quote(found[field])} AS VARCHAR)')} AS {field}" for field in found)
    raw_columns = "".join(f", CAST({_quote(found[field])} AS VARCHAR) AS {RAW_PREFIX}{field}"
                          for field in CODED_FIELDS if field in found)
    con.execute(f"CREATE OR REPLACE TEMP VIEW cld_text AS SELECT {numbering} AS "
                f"row_number, {text_columns}{raw_columns} FROM {scan}")
    _check_cells(con, name, found, native)
    con.execute(f"CREATE OR REPLACE TEMP VIEW cld_standard AS {_standard_sql(found, native)}")
    return Extract(con, name, found)


# Text fields read on every row of the pre-processing (identifiers and the council code).
IDENTIFIER_FIELDS = ("LA_Code", *PERSON_ID_FIELDS)


def _clean_text_fields(con: duckdb.DuckDBPyConnection, scan: str, found: dict[str, str],
                       types: dict[str, str]) -> set[str]:
    """The identifier fields of a parquet file whose text is already as the engines read it: no
    leading or trailing space, no empty string and no "NULL" (one pass over those columns only).

    Trimming and testing every row of a national extract costs more than this one check."""
    fields = [field for field in IDENTIFIER_FIELDS if field in found and types[found[field]] == "VARCHAR"]
    if not fields:
        return set()

    def untidy(column: str) -> str:
        return (f"{column} LIKE ' %' OR {column} LIKE '% ' OR {column} = '' "
                f"OR (length({column}) = 4 AND upper({column}) = 'NULL')")

    flags = con.execute("SELECT " + ", ".join(
        f"coalesce(bool_or({untidy(_quote(found[field]))}), false)" for field in fields)
        + f" FROM {scan}").fetchall()[0]
    return {field for field, flag in zip(fields, flags, strict=True) if not flag}


def _check_cells(con: duckdb.DuckDBPyConnection, source: str, found: dict[str, str],
                 native: set[str] = frozenset()) -> None:
    """Stop at the first unreadable cell of each typed column, naming row and column."""
    checks = []
    for field in DATE_FIELDS:
        if field in found and field not in native:
            checks.append((field, f"{field} IS NOT NULL AND upper({field}) <> 'NULL' AND "
                                  f"TRY_CAST({field} AS DATE) IS NULL", "a date YYYY-MM-DD"))
    for field, (low, high) in INTEGER_FIELDS.items():
        if field in found and field not in native:
            value = f"TRY_CAST(TRY_CAST({field} AS DOUBLE) AS BIGINT)"
            bad = f"{field} IS NOT NULL AND ({value} IS NULL"
            expected = "a whole number"
            if low is not None:
                bad += f" OR {value} < {low} OR {value} > {high}"
                expected += f" from {low} to {high}"
            checks.append((field, bad + ")", expected))
    checks.append(("Event_Start_Date", "Event_Start_Date IS NULL", "a date (it is mandatory)"))
    # one pass over the file finds the first bad row of every check
    firsts = con.execute("SELECT " + ", ".join(
        f"min(row_number) FILTER (WHERE {condition})" for _, condition, _ in checks)
        + " FROM cld_text").fetchall()[0]
    for (field, _, expected), first in zip(checks, firsts, strict=True):
        if first is not None:
            value = con.execute(f"SELECT {field} FROM cld_text WHERE row_number = {int(first)}").fetchall()[0][0]
            raise ExtractError(f"{source}: data row {first} (line {first + 1}), column "
                               f"{found[field]!r}: expected {expected}, got {value!r}")


def _blank_as_missing(value: str) -> str:
    """SQL: the text trimmed, a blank read as missing (the first half of :func:`clean_text_sql`)."""
    return f"NULLIF(trim({value}), '')"


def _null_word_as_missing(value: str) -> str:
    """SQL: the word NULL, in any case, read as missing (the second half of :func:`clean_text_sql`)."""
    return f"CASE WHEN upper({value}) = 'NULL' THEN NULL ELSE {value} END"


def clean_text_sql(value: str) -> str:
    """SQL for a text cell as the engines see it: trimmed, with a blank or the word NULL read as
    missing (``cld_standard`` applies the two halves in turn; the engine's code maps all at once)."""
    return _null_word_as_missing(_blank_as_missing(value))


def _standard_sql(found: dict[str, str], native: set[str] = frozenset()) -> str:
    def text(field: str) -> str:
        if field in native:
            return field
        return (_null_word_as_missing(field)
                if field in found else "CAST(NULL AS VARCHAR)")

    def date(field: str) -> str:
        if field in native:
            return field
        return f"TRY_CAST({field} AS DATE)" if field in found else "CAST(NULL AS DATE)"

    def integer(field: str) -> str:
        if field in native:
            return f"CAST({field} AS BIGINT)"
        return (f"TRY_CAST(TRY_CAST({field} AS DOUBLE) AS BIGINT)" if field in found
                else "CAST(NULL AS BIGINT)")

    has_dob = "Date_of_Birth" in found
    birth_year = (f"coalesce({integer('Der_Birth_Year')}, year({date('Date_of_Birth')}))"
                  if has_dob else integer("Der_Birth_Year"))
    birth_month = (f"coalesce({integer('Der_Birth_Month')}, month({date('Date_of_Birth')}))"
                   if has_dob else integer("Der_Birth_Month"))
    # Age at event start: exact date of birth when the council has it, else the month proxy (1.3).
    birth_date = (f"coalesce({date('Date_of_Birth')}, make_date({birth_year}, {birth_month}, 1))"
                  if has_dob else f"make_date({birth_year}, {birth_month}, 1)")
    age = (f"coalesce({integer('Der_Age_Event_Start_Date')}, CAST(floor(datediff('day', "
           f"{birth_date}, {date('Event_Start_Date')}) / 365.25) AS BIGINT))")
    words = " OR ".join(f"Event_Description ILIKE '%{word}%'" for word in CONVERSATION_WORDS)
    conversation = (f"coalesce({integer('Der_Conversation')}, CASE WHEN {words} THEN 1 ELSE 0 END)"
                    if "Event_Description" in found else
                    f"coalesce({integer('Der_Conversation')}, 0)")
    columns = {
        "row_number": "row_number",
        "ImportDate": f"coalesce({date('ImportDate')}, DATE '1900-01-01')",
        "Der_Unique_Record_ID": f"coalesce({integer('Der_Unique_Record_ID')}, row_number)",
        "Der_Birth_Year": birth_year, "Der_Birth_Month": birth_month,
        "Date_of_Death": date("Date_of_Death"),
        "Reporting_Period_Start_Date": date("Reporting_Period_Start_Date"),
        "Reporting_Period_End_Date": date("Reporting_Period_End_Date"),
        "Event_Start_Date": date("Event_Start_Date"), "Event_End_Date": date("Event_End_Date"),
        "Der_Conversation": conversation, "Der_Age_Event_Start_Date": age,
    }
    for field in TEXT_FIELDS:
        columns.setdefault(field, text(field))
    select = ", ".join(f"{columns[name]} AS {name}" for name in STANDARD_COLUMNS)
    raw = "".join(f", {RAW_PREFIX}{field}" if field in found else f", CAST(NULL AS VARCHAR) AS {RAW_PREFIX}{field}"
                  for field in CODED_FIELDS)
    return f"SELECT {select}{raw} FROM cld_text"


def data_quality(extract: Extract) -> pd.DataFrame:
    """One row per check: field, check, rows affected, share of rows and example values.

    Covers blank mandatory and person fields, codes that match no Release 1 or Release 2 value (DHSC
    maps them to "Invalid and not mapped"), rows without any person identifier (dropped), ends
    before starts (ignored by the ASCOF measures) and events of unknown type."""
    con = extract.connection
    total = con.execute("SELECT count(*) FROM cld_standard").fetchall()[0][0]
    rows: list[tuple[str, str, int, str]] = []

    def add(field: str, check: str, condition: str, example: str = "NULL") -> None:
        count, examples = con.execute(
            f"SELECT count(*), string_agg(DISTINCT {example}, '; ') FILTER (WHERE {example} IS NOT "
            f"NULL) FROM (SELECT * FROM cld_standard WHERE {condition})").fetchall()[0]
        rows.append((field, check, int(count), (examples or "")[:200]))

    add("person", "no NHS number and no LA person identifier (row dropped)",
        " AND ".join(f"{field} IS NULL" for field in PERSON_ID_FIELDS))
    add("Der_Birth_Year", "birth year or month missing (age unknown)",
        "Der_Birth_Year IS NULL OR Der_Birth_Month IS NULL")
    add("Event_End_Date", "end date before start date (ignored by ASCOF)",
        "Event_End_Date < Event_Start_Date", "CAST(row_number AS VARCHAR)")
    add("Event_Type", "not a Request, Assessment, Service or Review",
        "NOT regexp_matches(lower(Event_Type), 'request|assessment|service|review')", "Event_Type")
    mapping = codes.mapping_frame()
    con.register("cld_code_keys", mapping)
    for field in codes.CODE_LISTS:
        add(field, "blank", f"{field} IS NULL")
        add(field, "not a Release 1 or Release 2 value (mapped to 'Invalid and not mapped')",
            f"{field} IS NOT NULL AND lower(rtrim({field})) NOT IN (SELECT value_key FROM "
            f"cld_code_keys WHERE field = '{field}')", field)
    frame = pd.DataFrame(rows, columns=["field", "check", "rows", "examples"])
    frame.insert(3, "share_of_rows", (frame["rows"] / total if total else 0.0).round(4))
    return frame
