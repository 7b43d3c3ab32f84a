"""Hospital discharges for ASCOF 2D (cld-methods.md 5.3): a SUS admitted-patient-care extract,
one row per hospital spell (its last episode), read, checked and presented to the engine as the
DuckDB view ``cld_discharges``.

A council does not hold SUS itself; it can obtain its residents' spells through its integrated care
board or a data-sharing agreement. Without this table ASCOF 2D is reported as not calculable (never
estimated). Columns (headers compared without case, spaces or punctuation):

=========================  =======================================================================
``Spell ID``               the hospital spell (APCS) identifier; each spell counts once
``NHS Number``             the patient's (pseudonymised) NHS number, as in the CLD extract
``Residence LA Code``      council of the patient's residence (upper tier; from the LSOA)
``Birth Year``, ``Birth Month``  or ``Date of Birth``: age at discharge by DHSC's rule (spec 1.3)
``Sex``                    1 male, 2 female (other values are kept in the totals only)
``Admission Date``, ``Discharge Date``  dates, YYYY-MM-DD
``Admission Method``       SUS code (31, 32, 82, 83 are not counted)
``Discharge Method``       SUS code (4, 5 not counted; 5 ends no readmission)
``Discharge Destination``  SUS code (49-52, 79, 87, 88 not counted)
``Treatment Function Code``  SUS code (maternity, mental health and others not counted; spec 5.3)
``Management Type``        ``EM`` or ``NE`` for an emergency admission (readmissions)
=========================  =======================================================================
"""

from __future__ import annotations

import re
from pathlib import Path

import duckdb
import pandas as pd

from scrutiny.cld.extract import ExtractError, table_scan

DISCHARGE_ALIASES: dict[str, tuple[str, ...]] = {
    "Spell_ID": ("Spell ID", "APCS_Ident", "Spell_ID"),
    "NHS_Number": ("NHS Number", "Der_NHS_Number_Pseudo", "Der_Pseudo_NHS_Number", "NHS_Number"),
    "Residence_LA_Code": ("Residence LA Code", "Residence_LA_Code", "UTLA of Residence"),
    "Birth_Year": ("Birth Year", "Der_Birth_Year"),
    "Birth_Month": ("Birth Month", "Der_Birth_Month"),
    "Date_of_Birth": ("Date of Birth", "DOB"),
    "Sex": ("Sex",),
    "Admission_Date": ("Admission Date", "Admission_Date"),
    "Discharge_Date": ("Discharge Date", "Discharge_Date"),
    "Admission_Method": ("Admission Method", "Admission_Method"),
    "Discharge_Method": ("Discharge Method", "Discharge_Method"),
    "Discharge_Destination": ("Discharge Destination", "Discharge_Destination"),
    "Treatment_Function_Code": ("Treatment Function Code", "Treatment_Function_Code", "TFC"),
    "Management_Type": ("Management Type", "Der_Management_Type", "Management_Type"),
}
REQUIRED = ("Spell_ID", "NHS_Number", "Residence_LA_Code", "Sex", "Admission_Date", "Discharge_Date",
            "Admission_Method", "Discharge_Method", "Discharge_Destination", "Treatment_Function_Code",
            "Management_Type")
DATES = ("Admission_Date", "Discharge_Date", "Date_of_Birth")
VIEW = "cld_discharges"


def _squash(header: str) -> str:
    return re.sub(r"[^0-9a-z]", "", header.casefold())


_LOOKUP = {_squash(alias): field for field, aliases in DISCHARGE_ALIASES.items() for alias in aliases}


def open_discharges(source: str | Path | pd.DataFrame, con: duckdb.DuckDBPyConnection) -> str:
    """Define the view ``cld_discharges`` over a discharges CSV, parquet or DataFrame and check it.

    Raises :class:`ExtractError` naming the file, row and column of a missing column or an
    unreadable date, or a spell discharged before it was admitted."""
    name, scan, numbering = table_scan(source, con, frame_name="the discharges table",
                                       frame_view="cld_discharges_frame",
                                       expected="hospital discharges as CSV or parquet")
    headers = [row[0] for row in con.execute(f"DESCRIBE SELECT * FROM {scan}").fetchall()
               if row[0] != "file_row_number"]
    found: dict[str, str] = {}
    for header in headers:
        field = _LOOKUP.get(_squash(header))
        if field is not None:
            found[field] = header
    missing = [field for field in REQUIRED if field not in found]
    if "Date_of_Birth" not in found and not {"Birth_Year", "Birth_Month"} <= set(found):
        missing.append("Birth_Year and Birth_Month (or Date_of_Birth)")
    if missing:
        raise ExtractError(f"{name}: missing discharge column(s): {', '.join(missing)}")

    def text(field: str) -> str:
        return f"NULLIF(trim(CAST(\"{found[field]}\" AS VARCHAR)), '')"

    columns = [f"{numbering} AS row_number"] + [f"{text(field)} AS {field}" for field in found]
    con.execute(f"CREATE OR REPLACE TEMP VIEW cld_discharges_text AS SELECT {', '.join(columns)} FROM {scan}")
    checks = [(field, f"{field} IS NOT NULL AND TRY_CAST({field} AS DATE) IS NULL", "a date YYYY-MM-DD")
              for field in DATES if field in found]
    checks += [(field, f"{field} IS NULL", "a value (it is required)")
               for field in ("Spell_ID", "Admission_Date", "Discharge_Date")]
    for field, condition, expected in checks:
        bad = con.execute(f"SELECT row_number, {field} FROM cld_discharges_text WHERE {condition} "
                          "ORDER BY row_number LIMIT 1").fetchall()
        if bad:
            raise ExtractError(f"{name}: data row {bad[0][0]}, column {found[field]!r}: expected {expected}, "
                               f"got {bad[0][1]!r}")
    def first_known(*parts: str) -> str:
        present = [part for part in parts if part]
        return "coalesce(" + ", ".join(present) + ")" if present else "CAST(NULL AS INTEGER)"

    birth_date = "TRY_CAST(Date_of_Birth AS DATE)" if "Date_of_Birth" in found else ""
    year = first_known("TRY_CAST(Birth_Year AS INTEGER)" if "Birth_Year" in found else "",
                       f"year({birth_date})" if birth_date else "")
    month = first_known("TRY_CAST(Birth_Month AS INTEGER)" if "Birth_Month" in found else "",
                        f"month({birth_date})" if birth_date else "")
    con.execute(f"""
        CREATE OR REPLACE TEMP VIEW {VIEW} AS
        SELECT row_number, Spell_ID, NHS_Number, Residence_LA_Code, {year} AS Birth_Year, {month} AS Birth_Month,
               TRY_CAST(Sex AS VARCHAR) AS Sex, CAST(Admission_Date AS DATE) AS Admission_Date,
               CAST(Discharge_Date AS DATE) AS Discharge_Date,
               -- codes compare as text without leading zeros ("05" and "5" are one code)
               ltrim(Admission_Method, '0') AS Admission_Method, ltrim(Discharge_Method, '0') AS Discharge_Method,
               ltrim(Discharge_Destination, '0') AS Discharge_Destination,
               Treatment_Function_Code, upper(Management_Type) AS Management_Type
        FROM cld_discharges_text""")
    return VIEW
