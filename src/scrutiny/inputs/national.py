"""Readers for the national ASCOF tables, the council lookup, peer groups and deprivation.

Both DHSC formats, the time-series spreadsheet (ODS, one sheet per measure, one column per year
and value type) and the long CSV (one row per area, measure and value type), are read into one
tidy table with a row per measure, year and area::

    measure, year, la_code, ons_code, area_name, level,
    numerator, denominator, outcome, margin_of_error, respondents, marker

``marker`` keeps DHSC's ``[c]`` (suppressed), ``[x]`` (not available) and ``[z]`` (not
applicable) for the outcome, whose value is then empty.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd

from .council import InputError, read_text_table

ENGLAND = "E92000001"
MARKERS = ("[c]", "[x]", "[z]")
COUNCIL_TYPE_CODES = ("S", "U", "M", "I", "O", "D")
REGION_CODES = ("EM", "E", "L", "NE", "NW", "SE", "SW", "WM", "YH")
VALUE_TYPES = {
    "numerator": "numerator",
    "denominator": "denominator",
    "outcome": "outcome",
    "margin of error": "margin_of_error",
    "number of respondents": "respondents",
    # Table 6B splits providers by rating; "6b" is the measure itself
    "6b numerator": "numerator",
    "6b denominator": "denominator",
    "6b outcome": "outcome",
}
TIDY_COLUMNS = [
    "measure", "year", "la_code", "ons_code", "area_name", "level",
    "numerator", "denominator", "outcome", "margin_of_error", "respondents", "marker",
]
_YEAR_COLUMN = re.compile(r"^(\d{4}) to (\d{4}) - (.+)$")
#: The ODS gives "Cornwall and Isles of Scilly" a [z] code in table 6A; it is Cornwall's row.
NAMED_ONS_CODES = {"Cornwall and Isles of Scilly": "E06000052"}


def load_measures(path: str | Path) -> pd.DataFrame:
    """The ASCOF measure catalogue (``data/raw/ascof_measures.csv``), indexed by code."""
    frame = read_text_table(Path(path))
    expected = ["code", "title", "polarity", "kind", "multiplier", "display_format", "source", "theme"]
    missing = [c for c in expected if c not in frame.columns]
    if missing:
        raise InputError(path, [f"missing column(s) {', '.join(missing)}"])
    frame["multiplier"] = frame["multiplier"].astype(float)
    # DHSC rounds some councils' counts (4B: to the nearest 5); those measures rank on the outcome
    rounded = frame["counts_rounded_to"] if "counts_rounded_to" in frame.columns else pd.Series("", index=frame.index)
    frame["counts_rounded_to"] = pd.to_numeric(rounded.replace("", None), errors="raise")
    return frame.set_index("code", drop=False)


def rounded_counts_by_metric(data_dir: str | Path) -> dict[str, float]:
    """The council metrics whose ASCOF counts DHSC rounds (``ascof_measures.csv``), and to what."""
    path = Path(data_dir) / "ascof_measures.csv"
    if not path.exists():
        return {}
    measures = load_measures(path)
    rounded = measures[measures["counts_rounded_to"].notna() & (measures["metric_id"].fillna("") != "")]
    return dict(zip(rounded["metric_id"], rounded["counts_rounded_to"], strict=True))


def counts_rounded_to(value, numerator, denominator, multiplier, rounded_to) -> float | None:
    """The base a council figure's counts were rounded to, or None when they are exact.

    The one rule for the "counts rounded" note in every report: the measure's counts are ones DHSC
    rounds (``rounded_to`` from the catalogue) and these counts do not give the published value to
    its printed decimal place (a council's own unrounded counts, which do, carry no note).
    """
    if rounded_to is None or pd.isna(rounded_to) or any(pd.isna(x) for x in (value, numerator, denominator)):
        return None
    if denominator <= 0:
        return None
    return None if abs(numerator / denominator * multiplier - value) <= 0.05 + 1e-9 else float(rounded_to)


def measure_code_of_sheet(sheet: str) -> str:
    """``Table_2e(2a)`` -> ``2E(2a)``; ``Table_3c(1)`` -> ``3C(1)``."""
    code = sheet.removeprefix("Table_").strip()
    return code[:2].upper() + code[2:]


def year_code(text: str) -> str:
    """``2024 to 2025`` -> ``2024-25``."""
    match = re.match(r"^(\d{4}) to (\d{4})$", text.strip())
    if not match:
        raise ValueError(f"expected a year such as '2024 to 2025', found {text!r}")
    return f"{match.group(1)}-{match.group(2)[2:]}"


def area_level(la_code: str) -> str:
    """England, Council type, Region or Local authority, from the CASSR-style area code."""
    if la_code == "England":
        return "England"
    if la_code in COUNCIL_TYPE_CODES:
        return "Council type"
    if la_code in REGION_CODES:
        return "Region"
    return "Local authority"


def _parse_value(raw: object) -> tuple[float | None, str]:
    """A cell's number and marker; the carers' 2016-17 "7.7 (7.6)" cells give their first value."""
    if raw is None or (isinstance(raw, float) and pd.isna(raw)):
        return None, ""
    if isinstance(raw, (int, float)):
        return float(raw), ""
    text = str(raw).strip()
    if text in MARKERS:
        return None, text
    two = re.match(r"^([\d,.]+)\s*\(([^)]*)\)$", text)
    if two:
        return float(two.group(1).replace(",", "")), "two values; first used"
    try:
        return float(text.replace(",", "")), ""
    except ValueError:
        raise ValueError(f"expected a number or one of {', '.join(MARKERS)}, found {text!r}") from None


def read_ascof_ods(path: str | Path, measures: pd.DataFrame) -> pd.DataFrame:
    """Read DHSC's ASCOF time-series spreadsheet into the tidy table.

    Raises :class:`InputError` naming the sheet, spreadsheet row and column for a bad layout, an
    unknown measure or a value that is neither a number nor a DHSC marker.
    """
    path = Path(path)
    try:
        sheets = pd.read_excel(path, engine="odf", sheet_name=None, header=None, dtype=object)
    except Exception as err:  # odfpy raises several types for a file that is not an ODS
        raise InputError(path, [f"cannot be read as an OpenDocument spreadsheet: {err}"]) from None
    tables = {name: frame for name, frame in sheets.items() if name.startswith("Table_")}
    if not tables:
        raise InputError(path, ["no sheets named Table_*: expected DHSC's ASCOF time-series layout"])
    frames = [_read_table_sheet(path, name, frame, measures) for name, frame in tables.items()]
    return pd.concat(frames, ignore_index=True)[TIDY_COLUMNS]


def _read_table_sheet(path: Path, sheet: str, raw: pd.DataFrame, measures: pd.DataFrame) -> pd.DataFrame:
    code = measure_code_of_sheet(sheet)
    if code not in measures.index:
        raise InputError(path, [f"sheet '{sheet}': unknown ASCOF measure code {code!r}; expected one of "
                                f"{', '.join(measures.index)} (data/raw/ascof_measures.csv)"])
    first_cells = raw[0].astype(str).str.strip()
    header_rows = first_cells.index[first_cells == "Local authority code"][:1]
    if len(header_rows) == 0 or header_rows[0] > 15:
        raise InputError(path, [f"sheet '{sheet}': no header row starting 'Local authority code' in the first "
                                "15 rows; expected DHSC's layout (title, notes, then the header)"])
    header_row = int(header_rows[0])
    header = [str(c).strip() for c in raw.iloc[header_row]]
    if header[:3] != ["Local authority code", "Local authority", "ONS area code"]:
        raise InputError(path, [f"sheet '{sheet}', row {header_row + 1}: expected the columns 'Local authority code', "
                                f"'Local authority', 'ONS area code' first, found {header[:3]}"])
    columns = {}
    for position, name in enumerate(header[3:], start=3):
        if name in ("", "nan"):
            continue
        match = _YEAR_COLUMN.match(name)
        if not match:
            raise InputError(path, [f"sheet '{sheet}', row {header_row + 1}, column {position + 1}: expected "
                                    f"'<YYYY to YYYY> - <value type>', found {name!r}"])
        kind = match.group(3).strip()
        if kind in VALUE_TYPES:
            columns[position] = (f"{match.group(1)}-{match.group(2)[2:]}", VALUE_TYPES[kind])
    records: dict[tuple[str, str], dict] = {}
    for row_index in range(header_row + 1, len(raw)):
        row = raw.iloc[row_index]
        la_code = str(row[0]).strip()
        if la_code in ("", "nan"):
            continue
        name = str(row[1]).strip()
        ons = str(row[2]).strip()
        if ons in MARKERS:
            ons = NAMED_ONS_CODES.get(name, "")
        level = area_level(la_code)
        if la_code == "[z]":
            level = "Local authority"
        for position, (year, kind) in columns.items():
            try:
                value, marker = _parse_value(row[position])
            except ValueError as err:
                raise InputError(path, [f"sheet '{sheet}', row {row_index + 1}, column '{header[position]}': {err}"]) from None
            record = records.setdefault((la_code + "|" + name, year), {
                "measure": code, "year": year, "la_code": la_code, "ons_code": ons, "area_name": name,
                "level": level, "marker": "",
            })
            record[kind] = value
            if kind == "outcome" and marker:
                record["marker"] = marker
    frame = _tidy_frame(records.values())
    # drop year-area cells that hold nothing at all (e.g. 2D before client level data)
    empty = frame[NUMERIC_COLUMNS].isna().all(axis=1) & (frame["marker"] == "")
    return frame[~empty]


NUMERIC_COLUMNS = ["numerator", "denominator", "outcome", "margin_of_error", "respondents"]


def _tidy_frame(records) -> pd.DataFrame:
    """The tidy table from reader records: every column present, value columns numeric."""
    frame = pd.DataFrame(list(records))
    for column in TIDY_COLUMNS:
        if column not in frame:
            frame[column] = None
    frame[NUMERIC_COLUMNS] = frame[NUMERIC_COLUMNS].apply(pd.to_numeric)
    return frame[TIDY_COLUMNS]


LONG_CSV_COLUMNS = [
    "Geographical code", "Geographical description", "Geographical level", "ONS code",
    "ASCOF measure code", "Disaggregation level", "Measure type", "Measure value",
]
_LONG_LEVELS = {"national": "England", "regional": "Region", "council type": "Council type", "local authority": "Local authority"}


def read_ascof_long_csv(path: str | Path, year: str, measures: pd.DataFrame) -> pd.DataFrame:
    """Read DHSC's long-format ASCOF CSV (one release year) into the tidy table.

    Only the ``Total`` disaggregation is kept. Raises :class:`InputError` naming the line and
    column for a missing column, an unknown measure code, an unknown measure type or a bad value.
    """
    path = Path(path)
    frame = read_text_table(path)
    missing = [c for c in LONG_CSV_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(path, [f"missing column(s) {', '.join(repr(m) for m in missing)}; expected {', '.join(LONG_CSV_COLUMNS)}"])
    problems = []
    records: dict[tuple[str, str], dict] = {}
    for index, row in frame.iterrows():
        line = f"line {index + 2}"
        if row["Disaggregation level"].strip().lower() not in ("total", ""):
            continue
        code = row["ASCOF measure code"].strip()
        if code not in measures.index:
            problems.append(f"{line}, column 'ASCOF measure code': unknown measure {code!r}; expected one of {', '.join(measures.index)}")
            continue
        kind = row["Measure type"].strip().lower()
        if kind not in VALUE_TYPES:
            problems.append(f"{line}, column 'Measure type': expected Numerator, Denominator or Outcome, found {row['Measure type']!r}")
            continue
        level = _LONG_LEVELS.get(row["Geographical level"].strip().lower())
        if level is None:
            problems.append(f"{line}, column 'Geographical level': expected one of {', '.join(_LONG_LEVELS)}, found {row['Geographical level']!r}")
            continue
        try:
            value, marker = _parse_value(row["Measure value"])
        except ValueError as err:
            problems.append(f"{line}, column 'Measure value': {err}")
            continue
        la_code = "England" if level == "England" else row["Geographical code"].strip()
        record = records.setdefault((code, la_code), {
            "measure": code, "year": year, "la_code": la_code, "ons_code": row["ONS code"].strip(),
            "area_name": row["Geographical description"].strip(), "level": level, "marker": "",
        })
        record[VALUE_TYPES[kind]] = value
        if VALUE_TYPES[kind] == "outcome" and marker:
            record["marker"] = marker
    if problems:
        raise InputError(path, problems)
    return _tidy_frame(records.values())


def load_council_lookup(path: str | Path) -> pd.DataFrame:
    """The 153 councils: ONS code, CASSR code, name, council type and region (index: ONS code)."""
    frame = read_text_table(Path(path))
    frame.columns = [c.strip() for c in frame.columns]
    needed = ["Geography", "Council type", "Council region", "LA Code", "ONS Area Code"]
    missing = [c for c in needed if c not in frame.columns]
    if missing:
        raise InputError(path, [f"missing column(s) {', '.join(missing)}"])
    councils = frame[frame["Council type"].str.strip() != ""]
    lookup = pd.DataFrame({
        "ons_code": councils["ONS Area Code"].str.strip(),
        "cassr_code": councils["LA Code"].str.strip(),
        "name": councils["Geography"].str.strip(),
        "council_type": councils["Council type"].str.strip(),
        "region": councils["Council region"].str.strip().str.replace("Yorkshire and The Humber", "Yorkshire and the Humber"),
    })
    return lookup.set_index("ons_code", drop=False)


def load_boundary_changes(path: str | Path) -> dict[str, list[str]]:
    """Old council codes and the current councils that replaced them."""
    frame = read_text_table(Path(path))
    changes: dict[str, list[str]] = {}
    for _, row in frame.iterrows():
        changes.setdefault(row["old_code"].strip(), []).append(row["new_code"].strip())
    return changes


def load_boundary_table(path: str | Path) -> pd.DataFrame:
    """``boundary_changes.csv`` as a table: old code, new code and the date the change took effect."""
    path = Path(path)
    frame = read_text_table(path)
    missing = [c for c in ("old_code", "new_code", "effective") if c not in frame.columns]
    if missing:
        raise InputError(path, [f"missing column(s) {', '.join(missing)}; expected old_code, new_code, effective"])
    frame = frame.assign(old_code=frame["old_code"].str.strip(), new_code=frame["new_code"].str.strip())
    try:
        frame["effective"] = pd.to_datetime(frame["effective"], format="%Y-%m-%d").dt.date
    except ValueError as err:
        raise InputError(path, [f"column 'effective': expected dates as YYYY-MM-DD ({err})"]) from None
    return frame


def relabel_legacy_rows(tidy: pd.DataFrame, boundary: pd.DataFrame, lookup: pd.DataFrame) -> pd.DataFrame:
    """Give a successor council the figures DHSC still publishes under its predecessor's code.

    DHSC publishes Dorset Council's 4B, 6A and 6B only under the legacy "Dorset County" row
    (E10000009). A legacy row is the successor's when the old council had exactly one successor,
    the row's year starts on or after the change took effect (the old council no longer existed)
    and the row carries the successor's CASSR code (the same social services authority). Split
    and merged councils are never relabelled. Where DHSC publishes the successor's own row as
    well (the survey tables repeat Dorset under both codes), the successor's row is kept and the
    legacy duplicate dropped.
    """
    successors = boundary.groupby("old_code")["new_code"].nunique()
    one_to_one = boundary[boundary["old_code"].isin(successors[successors == 1].index)].drop_duplicates("old_code")
    year_start = pd.to_datetime(tidy["year"].str[:4] + "-04-01").dt.date
    cells = pd.Series(list(zip(tidy["measure"], tidy["year"], strict=True)), index=tidy.index)
    has_value = tidy["outcome"].notna()
    drop = pd.Series(False, index=tidy.index)
    relabel: dict[str, pd.Series] = {}
    for _, change in one_to_one.iterrows():
        new_code = change["new_code"]
        if new_code not in lookup.index:
            continue
        legacy = ((tidy["ons_code"] == change["old_code"]) & (year_start >= change["effective"])
                  & (tidy["la_code"] == str(lookup.loc[new_code, "cassr_code"])))
        successor = tidy["ons_code"] == new_code
        with_value = set(cells[successor & has_value])
        with_marker_only = set(cells[successor & ~has_value])
        # the successor's own figure wins; a legacy figure replaces a successor row holding only a marker
        drop |= legacy & (cells.isin(with_value) | (~has_value & cells.isin(with_marker_only)))
        drop |= successor & ~has_value & cells.isin(set(cells[legacy & has_value]))
        relabel[new_code] = legacy
    tidy = tidy.copy()
    for new_code, legacy in relabel.items():
        rows = legacy & ~drop
        tidy.loc[rows, "ons_code"] = new_code
        tidy.loc[rows, "area_name"] = str(lookup.loc[new_code, "name"])
    tidy = tidy[~drop]
    return tidy.reset_index(drop=True)


def one_row_per_council(tidy: pd.DataFrame) -> pd.DataFrame:
    """Keep one row per council, measure and year, preferring the row that has a figure.

    DHSC's 6A gives Cornwall two rows: "Cornwall" (its figure in 2023-24, [x] in 2024-25) and
    "Cornwall and Isles of Scilly" (the reverse). Both are Cornwall's; the one with an outcome
    is kept, and the council's own row when both have one.
    """
    councils = (tidy["level"] == "Local authority") & (tidy["ons_code"] != "")
    ranked = tidy.assign(_no_value=tidy["outcome"].isna(), _not_own=tidy["la_code"] == "[z]")
    ranked = ranked.sort_values(["_no_value", "_not_own"], kind="stable")
    duplicate = ranked.duplicated(["measure", "year", "ons_code"], keep="first") & councils.loc[ranked.index]
    return tidy.loc[sorted(ranked.index[~duplicate])].reset_index(drop=True)


def current_codes(codes, changes: dict[str, list[str]]) -> list[str]:
    """Replace pre-reorganisation codes by their successors, keeping order and dropping repeats."""
    result: list[str] = []
    for code in codes:
        for new in changes.get(code, [code]):
            if new not in result:
                result.append(new)
    return result


def load_nearest_neighbours(path: str | Path, changes: dict[str, list[str]]) -> dict[str, list[str]]:
    """Nearest-neighbour groups keyed by current ONS code, members mapped to current codes."""
    path = Path(path)
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as err:
        raise InputError(path, [f"cannot be read as JSON: {err}"]) from None
    groups = {}
    for key, members in raw.items():
        for new_key in changes.get(key, [key]):
            groups.setdefault(new_key, current_codes(members, changes))
    return groups


COMPARATOR_GROUPS = ("nearest_neighbours", "county_councils", "region", "all_councils")


def comparator_group(group: str, council: str, lookup: pd.DataFrame, neighbours: dict[str, list[str]] | None) -> list[str]:
    """ONS codes of a comparator group containing ``council`` (the council included)."""
    if council not in lookup.index:
        raise InputError("council lookup", [f"council {council!r} is not one of the {len(lookup)} councils in the lookup"])
    if group == "nearest_neighbours":
        if not neighbours or council not in neighbours:
            raise InputError("nearest neighbours", [f"no nearest-neighbour group for {council!r}"])
        members = [code for code in neighbours[council] if code in lookup.index]
        return members if council in members else [council, *members]
    if group == "county_councils":
        return list(lookup.index[lookup["council_type"] == "Shire Counties"])
    if group == "region":
        return list(lookup.index[lookup["region"] == lookup.loc[council, "region"]])
    if group == "all_councils":
        return list(lookup.index)
    raise ValueError(f"unknown comparator group {group!r}; expected one of {', '.join(COMPARATOR_GROUPS)}")


def check_councils(tidy: pd.DataFrame, lookup: pd.DataFrame, source: str) -> None:
    """Every council in the ASCOF table must be in the lookup (or be a known predecessor)."""
    councils = tidy[(tidy["level"] == "Local authority") & (tidy["ons_code"] != "")]
    unknown = sorted(set(councils["ons_code"]) - set(lookup.index) - LEGACY_ASCOF_CODES)
    if unknown:
        names = councils.drop_duplicates("ons_code").set_index("ons_code")["area_name"]
        listed = ", ".join(f"{code} ({names.get(code, '?')})" for code in unknown)
        raise InputError(source, [f"council code(s) not in the council lookup: {listed}"])


#: Councils that existed in earlier ASCOF years and were replaced (boundary_changes.csv).
LEGACY_ASCOF_CODES = {"E10000021", "E10000006", "E10000023", "E10000027", "E10000002", "E10000009", "E06000028", "E06000029"}


def read_deprivation(path: str | Path, changes: dict[str, list[str]]) -> pd.DataFrame:
    """IoD 2019 average score by upper-tier council, carried to current councils.

    A county that was split gives its score to each successor; merged councils take the mean.
    """
    path = Path(path)
    try:
        frame = pd.read_excel(path, sheet_name="IMD")
    except Exception as err:
        raise InputError(path, [f"cannot read sheet 'IMD': {err}"]) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    code_col = "Upper Tier Local Authority District code (2019)"
    score_col = "IMD - Average score"
    for column in (code_col, score_col):
        if column not in frame.columns:
            raise InputError(path, [f"sheet 'IMD': missing column {column!r}"])
    rows = []
    for _, row in frame.iterrows():
        for code in changes.get(row[code_col], [row[code_col]]):
            rows.append({"ons_code": code, "imd_average_score": float(row[score_col])})
    return pd.DataFrame(rows).groupby("ons_code", as_index=False)["imd_average_score"].mean()


def national_annual(tidy: pd.DataFrame, measure: str, council: str) -> pd.DataFrame:
    """A measure's council and England values by financial year from the national table."""
    from datetime import date as _date

    rows = tidy[(tidy["measure"] == measure) & ((tidy["ons_code"] == council) | (tidy["level"] == "England"))]
    records = {}
    for _, row in rows.iterrows():
        first = int(row["year"][:4])
        label = f"{first}/{(first + 1) % 100:02d}"
        record = records.setdefault(label, {"year": label, "start": _date(first, 4, 1), "council": None,
                                            "england": None, "margin_of_error": None, "numerator": None,
                                            "denominator": None})
        if row["level"] == "England":
            record["england"] = row["outcome"]
        else:
            record.update(council=row["outcome"], margin_of_error=row["margin_of_error"],
                          numerator=row["numerator"], denominator=row["denominator"])
    frame = pd.DataFrame(records.values())
    numeric = ["council", "england", "margin_of_error", "numerator", "denominator"]
    if not frame.empty:
        frame[numeric] = frame[numeric].apply(pd.to_numeric)
    return frame
