"""The record-level work-tray extract: its schema, reading through DuckDB and validation.

One row per request. Columns (header names exactly as below; further columns are ignored):

==================  ==========================================================================
request_id          unique id of the request in the case-management system
person_id           pseudonymised person id (never shown in any output)
queue               one of ``QUEUES``
team                team whose tray holds the request
priority            the team's priority for the request (e.g. urgent, high, standard)
received_date       date the request was received; for annual reviews, the date it fell due
allocated_date      date allocated to a worker (assessments) or completed (reviews); empty
                    while waiting
==================  ==========================================================================

Dates are ``YYYY-MM-DD`` (Excel date cells are accepted). The extract may be CSV, Excel (.xlsx)
or parquet. DuckDB reads CSV and parquet itself, so multi-year extracts of millions of rows are
queried without loading them into pandas.

Structural faults stop the run with the file, row and column: a missing column, an empty or
unreadable required cell, an unknown queue. Record faults a user would want to work round
(allocation before receipt, dates outside 2000-2100 or in the future, duplicate requests) are listed in a
data-quality table and the records left out, unless ``strict`` asks for an error instead.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pandas as pd

QUEUES = {
    "care_act_assessment": "Care Act assessment",
    "carer_assessment": "Carer assessment",
    "financial_residential": "Financial assessment (residential)",
    "financial_non_residential": "Financial assessment (non-residential)",
    "occupational_therapy": "Occupational therapy assessment",
    "annual_review": "Annual review",
}
#: Queues reported together as well as separately, as the improvement plan counts them.
QUEUE_GROUPS = {"financial_assessment": ("financial_residential", "financial_non_residential")}
QUEUE_LABELS = {**QUEUES, "financial_assessment": "Financial assessment (all)"}
REVIEW_QUEUES = {"annual_review"}
COLUMNS = ("request_id", "person_id", "queue", "team", "priority", "received_date", "allocated_date")
REQUIRED = ("request_id", "person_id", "queue", "team", "priority", "received_date")
EARLIEST, LATEST = "2000-01-01", "2100-12-31"


class ExtractError(ValueError):
    """A fault in the extract that stops the report: names the file, row and column."""


@dataclass
class Extract:
    """A validated extract held in an in-memory DuckDB table ``requests``."""

    path: Path
    connection: duckdb.DuckDBPyConnection
    rows_read: int
    data_quality: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def rows_used(self) -> int:
        return self.connection.execute("select count(*) from requests").fetchone()[0]

    def query(self, sql: str, parameters: list | None = None) -> pd.DataFrame:
        return self.connection.execute(sql, parameters or []).df()


def _source_relation(connection: duckdb.DuckDBPyConnection, path: Path) -> str:
    """Create the view ``raw`` over the file with every column as text and a 1-based file row."""
    suffix = path.suffix.lower()
    quoted = str(path).replace("'", "''")
    if suffix in (".csv", ".txt"):
        source = f"read_csv('{quoted}', all_varchar = true, header = true)"
        first_row = 2  # the header is row 1
    elif suffix == ".parquet":
        source = f"read_parquet('{quoted}')"
        first_row = 1
    elif suffix in (".xlsx", ".xlsm", ".xls"):
        frame = pd.read_excel(path, dtype=object)
        for column in frame.columns:
            if pd.api.types.is_datetime64_any_dtype(frame[column]):
                frame[column] = frame[column].dt.strftime("%Y-%m-%d")
        frame = frame.map(lambda v: v.strftime("%Y-%m-%d") if hasattr(v, "strftime") else v)
        frame = frame.astype("string")
        connection.register("excel_frame", frame)
        source = "excel_frame"
        first_row = 2
    else:
        raise ExtractError(f"{path}: unsupported extract type '{suffix}'; expected .csv, .xlsx or .parquet")
    connection.execute(
        f"create temp view raw as select *, row_number() over () + {first_row - 1} as file_row from {source}"
    )
    return "raw"


def _fault(path: Path, frame: pd.DataFrame, column: str, expected: str) -> ExtractError:
    first = frame.iloc[0]
    more = f" (and {len(frame) - 1} more rows)" if len(frame) > 1 else ""
    value = first["value"]
    shown = "empty" if value is None or pd.isna(value) or value == "" else f"'{value}'"
    return ExtractError(f"{path}: row {int(first['file_row'])}, column {column}: {shown}; expected {expected}{more}")


def read_extract(path: str | Path, strict: bool = False) -> Extract:
    """Read and validate an extract; structural faults raise ExtractError, record faults are listed."""
    path = Path(path)
    if not path.exists():
        raise ExtractError(f"{path}: the extract file does not exist")
    connection = duckdb.connect()
    try:
        _source_relation(connection, path)
    except duckdb.Error as err:
        raise ExtractError(f"{path}: cannot be read as a table: {err}") from err
    columns = [row[0] for row in connection.execute("describe raw").fetchall()]
    missing = [c for c in COLUMNS if c not in columns]
    if missing:
        raise ExtractError(f"{path}: missing column(s) {', '.join(missing)}; expected {', '.join(COLUMNS)}")
    text = {c: f"nullif(trim(cast({c} as varchar)), '')" for c in COLUMNS}
    connection.execute(
        "create temp table typed as select file_row, "
        + ", ".join(f"{text[c]} as {c}" for c in COLUMNS[:5])
        + ", " + ", ".join(f"{text[c]} as {c}_text, try_cast(left({text[c]}, 10) as date) as {c}" for c in COLUMNS[5:])
        + " from raw"
    )
    rows_read = connection.execute("select count(*) from typed").fetchone()[0]
    for column in REQUIRED:
        source = f"{column}_text" if column.endswith("_date") else column
        empty = connection.execute(f"select file_row, {source} as value from typed where {source} is null order by file_row").df()
        if len(empty):
            raise _fault(path, empty, column, "a value in every row")
    for column in ("received_date", "allocated_date"):
        bad = connection.execute(
            f"select file_row, {column}_text as value from typed where {column}_text is not null and {column} is null order by file_row"
        ).df()
        if len(bad):
            raise _fault(path, bad, column, "a date as YYYY-MM-DD")
    known = ", ".join(f"'{q}'" for q in QUEUES)
    unknown = connection.execute(f"select file_row, queue as value from typed where queue not in ({known}) order by file_row").df()
    if len(unknown):
        raise _fault(path, unknown, "queue", "one of " + ", ".join(QUEUES))

    checks = {
        "date outside 2000-2100": (
            f"received_date not between date '{EARLIEST}' and date '{LATEST}' "
            f"or allocated_date not between date '{EARLIEST}' and date '{LATEST}'", "received_date, allocated_date"),
        "date in the future (only a review may fall due later)": (
            "allocated_date > current_date or (received_date > current_date and queue not in ('annual_review'))",
            "received_date, allocated_date"),
        "allocated before received": (
            "allocated_date < received_date and queue not in ('annual_review')", "allocated_date"),
        "duplicate request id": (
            "row_number() over (partition by request_id order by file_row) > 1", "request_id"),
        "duplicate request (same person, queue and date received)": (
            "row_number() over (partition by person_id, queue, received_date order by file_row) > 1",
            "person_id, queue, received_date"),
    }
    connection.execute("create temp table faults (file_row bigint, check_name varchar, columns varchar)")
    for name, (condition, cols) in checks.items():
        if "over (" in condition:
            sql = f"insert into faults select file_row, '{name}', '{cols}' from (select file_row, {condition} as bad from typed) where bad"
        else:
            sql = f"insert into faults select file_row, '{name}', '{cols}' from typed where {condition}"
        connection.execute(sql)
    quality = connection.execute(
        "select check_name as check, columns as \"column\", count(*) as rows, "
        "string_agg(cast(file_row as varchar), ', ' order by file_row) as example_rows "
        "from faults group by check_name, columns order by min(file_row)"
    ).df()
    if len(quality):
        quality["example_rows"] = quality["example_rows"].map(lambda s: ", ".join(s.split(", ")[:5]) + (" ..." if s.count(",") >= 5 else ""))
        quality["action"] = "left out of every figure"
        if strict:
            first = quality.iloc[0]
            raise ExtractError(f"{path}: row {first['example_rows'].split(',')[0]}, column {first['column']}: {first['check']} "
                               f"({first['rows']} rows)")
    connection.execute(
        "create table requests as select request_id, person_id, queue, team, priority, received_date, allocated_date "
        "from typed where file_row not in (select file_row from faults)"
    )
    connection.execute("drop table typed; drop table faults; drop view raw")
    return Extract(path, connection, rows_read, quality)
