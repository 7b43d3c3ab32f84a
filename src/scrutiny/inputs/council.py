"""Loading and validating the council's input tables under ``data/raw/``.

Every table is read as text first, so that a bad cell can be reported exactly: the file, the
line, the column, what was expected and what was found. Typed columns are then checked with
pandera schemas (ranges, allowed values, cross-column rules), and pandera's failure cases are
turned into the same kind of message. Nothing is coerced silently: "25.1k" or "1,234" in a number
column is an error, not a guess.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pandera.pandas as pa

from ..methods.comparability import DOT_COMPARATORS
from ..methods.rules import BAND_POLARITY_NAMES, KINDS, POLARITIES, band_polarity_of

PERIOD_BASES = (
    "financial_ytd",
    "academic_ytd",
    "rolling_12_months",
    "snapshot",
    "annual_survey",
    "biennial_survey",
    "financial_year",
    "quarter",
    "six_months",
)
DISPLAY_FORMATS = ("pct1", "pct2", "thousands1", "rate1", "int", "number1", "number2")
BENCHMARK_TYPES = ("national", "local_target", "none")
ESTIMATES = ("actual", "provisional", "forecast")
OPERATORS = ("<", "<=", ">", ">=", "=")
#: The section framing of the appendix: the strategy whose layers group it and the plan whose
#: outcomes head its sections (framing.csv, each with its own validity).
FRAMING_ELEMENTS = ("strategy", "plan")


class InputError(ValueError):
    """A problem with an input file, naming the file, the line, the column and what was expected."""

    def __init__(self, path: Path | str, problems: list[str]):
        self.path = str(path)
        self.problems = problems
        shown = problems[:20]
        more = f"\n  ... and {len(problems) - 20} more" if len(problems) > 20 else ""
        super().__init__(f"{self.path}:\n  " + "\n  ".join(shown) + more)


@dataclass(frozen=True)
class Column:
    """One expected column: its parser, whether a value is required, and a description."""

    name: str
    kind: str  # text, number, integer, date, bool, choice
    required: bool = True
    choices: tuple[str, ...] = ()
    description: str = ""


def _c(name, kind, required=True, choices=(), description=""):
    return Column(name, kind, required, tuple(choices), description)


TABLES: dict[str, list[Column]] = {
    "metrics.csv": [
        _c("metric_id", "text", description="short key, lower case with underscores"),
        _c("valid_from", "date", False, description="first day of the version's membership of the appendix"),
        _c("valid_until", "date", False, description="last day of the version's membership of the appendix"),
        _c("framework", "choice", choices=("ASCOF", "Local"), description="ASCOF or Local"),
        _c("framework_version", "text", False, description="the ASCOF handbook year the code comes from, e.g. 2023"),
        _c("code", "text", False, description="ASCOF code such as 2A or 3C(1)"),
        _c("description", "text", description="the metric as printed in the dashboard"),
        _c("layer", "choice", choices=("Prevent need", "Reduce need", "Delay need", "Meet need")),
        _c("strategic_outcome", "text", description="Strategic Plan outcome"),
        _c("outcome_statement", "text", description="the Strategic Plan outcome's statement"),
        _c("polarity", "choice", choices=POLARITIES, description="high, low, band or info"),
        _c("kind", "choice", choices=KINDS),
        _c("unit", "text"),
        _c("multiplier", "number", description="100 for percentages, 100000 for rates, 1 for counts"),
        _c("period_basis", "choice", choices=PERIOD_BASES),
        _c("display_format", "choice", choices=DISPLAY_FORMATS),
        _c("poisson", "bool", description="true for counts of people or events"),
        _c("tolerance", "number", False, description="override of the fallback tolerance"),
        _c("benchmark_type", "choice", choices=BENCHMARK_TYPES),
        _c("series_break_from", "date", False, description="first day of a new definition"),
        _c("series_break_reason", "text", False),
        _c("display_order", "integer"),
        _c("appendix", "bool", description="true for the rows of Appendix A, false for activity figures"),
        _c("materiality", "number", False, description="smallest change of a volume that counts, e.g. 0.05"),
        _c("band_polarity", "choice", False, choices=BAND_POLARITY_NAMES, description="how a target band is read"),
        _c("dot_comparator", "choice", False, choices=DOT_COMPARATORS, description="what a change is measured against"),
    ],
    "footnotes.csv": [
        _c("metric_id", "text"),
        _c("valid_from", "date", False, description="first day of the reports the note is printed in"),
        _c("valid_until", "date", False, description="last day of the reports the note is printed in"),
        _c("footnote", "text", description="the note as printed under the dashboard"),
    ],
    "framing.csv": [
        _c("element", "choice", choices=FRAMING_ELEMENTS, description="strategy or plan"),
        _c("text", "text", description="the name as printed, e.g. Strategic Plan 2022-26"),
        _c("valid_from", "date", False),
        _c("valid_until", "date", False),
        _c("source", "text", description="a source_id in sources.csv"),
    ],
    "observations.csv": [
        _c("council_code", "text", description="ONS code such as E10000018"),
        _c("metric_id", "text"),
        _c("period_start", "date"),
        _c("period_end", "date"),
        _c("value", "number", False, description="the figure as published, on the display scale"),
        _c("numerator", "number", False),
        _c("denominator", "number", False),
        _c("margin_of_error", "number", False),
        _c("respondents", "number", False),
        _c("estimate", "choice", choices=ESTIMATES),
        _c("note", "text", False, description="a note for readers, printed as a footnote"),
        _c("source_detail", "text", False, description="where in the source the figure is"),
        _c("source", "text", description="a source_id from sources.csv"),
        _c("as_of", "date", description="the date the figure was first published"),
    ],
    "monthly_observations.csv": [
        _c("council_code", "text"),
        _c("metric_id", "text"),
        _c("month", "text", description="a month as YYYY-MM"),
        _c("value", "number"),
        _c("source", "text"),
        _c("as_of", "date"),
    ],
    "targets.csv": [
        _c("council_code", "text"),
        _c("metric_id", "text"),
        _c("period_start", "date"),
        _c("period_end", "date"),
        _c("target", "number", False),
        _c("operator", "choice", False, OPERATORS),
        _c("target_low", "number", False),
        _c("target_high", "number", False),
        _c("label", "text"),
        _c("source", "text"),
        _c("as_of", "date"),
    ],
    "national_averages.csv": [
        _c("metric_id", "text"),
        _c("area_code", "text"),
        _c("area_name", "text"),
        _c("period_start", "date"),
        _c("period_end", "date"),
        _c("value", "number"),
        _c("published", "date", description="the date the average was published"),
        _c("source", "text"),
    ],
    "sources.csv": [
        _c("source_id", "text"),
        _c("title", "text"),
        _c("publisher", "text"),
        _c("published", "date"),
        _c("url", "text", False),
        _c("licence", "text", False),
    ],
    "reporting_calendar.csv": [
        _c("council_code", "text"),
        _c("financial_year", "text", description="such as 2025-26"),
        _c("quarter", "integer"),
        _c("cut_off", "date", description="the last date of publication the report may use"),
        _c("committee_date", "date"),
        _c("paper", "text", False),
        _c("required", "text", False, description="figures the report must have: all, or metric_ids separated by ;"),
    ],
    "benchmark_figures.csv": [
        _c("council_code", "text"),
        _c("measure", "text", description="a short key for the figure"),
        _c("description", "text"),
        _c("unit", "text"),
        _c("period_start", "date"),
        _c("period_end", "date"),
        _c("council_value", "number"),
        _c("numerator", "number", False),
        _c("denominator", "number", False),
        _c("england_value", "number", False),
        _c("group_average", "number", False),
        _c("group", "text", False, description="the comparator group of group_average"),
        _c("source", "text"),
        _c("as_of", "date"),
    ],
    "councils.csv": [
        _c("council_code", "text"),
        _c("council_name", "text"),
        _c("short_name", "text"),
        _c("committee", "text", description="the committee that receives the council's reports"),
        _c("department", "text", description="the department whose performance is reported"),
    ],
}

_PLAIN_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
#: No input figure is larger than this in magnitude; a bigger one is a slip or an export error.
MAX_MAGNITUDE = 1e12
#: The longest text an input cell may hold (the longest shipped note is about 260 characters).
MAX_TEXT_LENGTH = 1000


class InputWarning(UserWarning):
    """A problem that does not stop the build but that the analyst should see (file and column named)."""


class RowLines(tuple):
    """The file line where each row of a table begins, kept in ``frame.attrs["lines"]``.

    pandas deep-copies ``attrs`` into every frame derived from a table; as a list, that copy cost
    the reports about half a second of filtering. This record is immutable, so a copy is itself.
    """

    def __deepcopy__(self, memo: dict) -> RowLines:
        return self


def _line(index: int, lines: list[int] | None = None) -> str:
    """The file line of a data row: from the reader's record of where each row began, if given."""
    if lines is None:
        return f"line {index + 2}"
    if 0 <= index < len(lines) and lines[index]:
        return f"line {lines[index]}"
    return "a row summed from monthly_observations.csv"


def _decode(path: Path) -> str:
    """The file's text, insisting on UTF-8 (a UTF-8 byte-order mark is allowed)."""
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError as err:
        line_no = raw[: err.start].count(b"\n") + 1
        bad = raw[err.start : err.start + 1]
        guess = ""
        try:
            guess = f" (in Windows-1252 that byte is {bad.decode('cp1252')!r})"
        except UnicodeDecodeError:
            pass
        raise InputError(
            path,
            [
                f"line {line_no}: the file is not UTF-8: byte {bad!r} at position {err.start}{guess}. "
                "It looks like a CSV saved by Excel in the Windows-1252 encoding; re-save it as "
                "'CSV UTF-8 (Comma delimited)'."
            ],
        ) from None


def read_text_table(path: Path, columns: list[Column] | None = None) -> pd.DataFrame:
    """Read a CSV as text, keeping the file line where each row begins in ``frame.attrs["lines"]``.

    With ``columns``, a header missing any of them is reported before anything else (every row
    would otherwise look like it has too many fields).

    The standard ``csv`` reader is used (strict about quotes) so that every message names the
    real line: blank lines and values quoted across several lines are counted, rows with the
    wrong number of fields are all listed, and a quote left open is reported where it opened.
    Blank lines and rows of empty cells (Excel leaves them) are skipped.
    """
    path = Path(path)
    if not path.exists():
        raise InputError(path, ["file not found"])
    text = _decode(path)
    if not text.strip():
        raise InputError(path, ["the file is empty; expected a header row and data rows"])
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    rows: list[list[str]] = []
    lines: list[int] = []
    problems: list[str] = []
    record_start = 1
    try:
        for record in reader:
            start, record_start = record_start, reader.line_num + 1
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip() for cell in record]
                problems += _header_problems(header, start)
                missing = [c.name for c in columns or [] if c.name not in header]
                if missing:
                    raise InputError(path, [
                        f"line {start}: missing column(s) {', '.join(repr(m) for m in missing)}; "
                        f"expected the columns {', '.join(c.name for c in columns)}"
                    ])
                continue
            if len(record) != len(header):
                hint = ("; a comma inside a value needs the value in double quotes" if len(record) > len(header)
                        else "; the row looks cut short")
                problems.append(f"line {start}: expected {len(header)} fields, one per column of the header, "
                                f"found {len(record)}{hint}")
                continue
            rows.append(record)
            lines.append(start)
    except csv.Error as err:
        reason = ("a quoted value is never closed (a '\"' without its partner), so the file ends inside it"
                  if "unexpected end of data" in str(err) else f"the row cannot be read as CSV ({err})")
        raise InputError(path, [*problems, f"line {record_start}: {reason}"]) from None
    if header is None:
        raise InputError(path, ["the file has no header row; expected the column names on line 1"])
    if problems:
        raise InputError(path, problems)
    frame = pd.DataFrame(rows, columns=header, dtype=str)
    frame.attrs["lines"] = RowLines(lines)
    return frame


def _header_problems(header: list[str], line: int) -> list[str]:
    problems = []
    if any(not name for name in header):
        problems.append(f"line {line}: the header has an empty column name (column {header.index('') + 1})")
    repeated = sorted({name for name in header if name and header.count(name) > 1})
    if repeated:
        problems.append(f"line {line}: the header repeats the column(s) {', '.join(map(repr, repeated))}")
    return problems


def _parse_cell(text: str, column: Column) -> tuple[object, str | None]:
    """Parse one cell; return (value, problem). Ranges and text rules are the table models' work."""
    text = text.strip()
    if text == "":
        if column.required:
            return None, f"a value is required ({column.description or column.kind})"
        return None, None
    if column.kind == "text":
        return text, None
    if column.kind in ("number", "integer"):
        if not _PLAIN_NUMBER.match(text):
            hint = ""
            if re.match(r"^[\d.,]+[kKmM]$", text):
                hint = " (write 25100, not 25.1k)"
            elif "," in text:
                hint = " (write 1234, without thousands separators)"
            elif text.endswith("%"):
                hint = " (write 87.1, without the % sign)"
            elif text.lower().lstrip("+-") in ("nan", "inf", "infinity", "n/a", "na"):
                hint = " (leave the cell empty when there is no figure, and say why in the note)"
            return None, f"expected a plain number such as 1234.5{hint}, found {text!r}"
        number = float(text)
        if column.kind == "integer":
            if not number.is_integer():
                return None, f"expected a whole number, found {text!r}"
            return int(number), None
        return number, None
    if column.kind == "date":
        if not _ISO_DATE.match(text):
            return None, f"expected a date as YYYY-MM-DD, found {text!r}"
        try:
            return date.fromisoformat(text), None
        except ValueError:
            return None, f"expected a real date as YYYY-MM-DD, found {text!r}"
    if column.kind == "bool":
        lowered = text.lower()
        if lowered in ("true", "yes", "1"):
            return True, None
        if lowered in ("false", "no", "0"):
            return False, None
        return None, f"expected true or false, found {text!r}"
    if column.kind == "choice":
        if text not in column.choices:
            return None, f"expected one of {', '.join(column.choices)}, found {text!r}"
        return text, None
    raise AssertionError(f"unknown column kind {column.kind}")


def parse_table(path: Path, columns: list[Column]) -> pd.DataFrame:
    """Read a CSV and parse every cell by its column's type, collecting every problem.

    A column the table does not use is reported as an :class:`InputWarning` (it may be a
    misspelt optional column whose values would otherwise be lost without a word).
    """
    frame = read_text_table(path, columns)
    lines = frame.attrs["lines"]
    extra = [name for name in frame.columns if name not in {c.name for c in columns}]
    if extra:
        warnings.warn(InputWarning(
            f"{path}: column(s) {', '.join(map(repr, extra))} are not used and are ignored; "
            f"check the spelling (the columns are {', '.join(c.name for c in columns)})"
        ), stacklevel=2)
    problems: list[str] = []
    parsed: dict[str, list[object]] = {}
    for column in columns:
        values = []
        for index, cell in enumerate(frame[column.name]):
            value, problem = _parse_cell(cell, column)
            if problem:
                problems.append(f"{_line(index, lines)}, column '{column.name}': {problem}")
            values.append(value)
        parsed[column.name] = values
    if problems:
        raise InputError(path, sorted(problems, key=_line_sort_key))
    result = pd.DataFrame(parsed, columns=[c.name for c in columns])
    for column in columns:
        if column.kind in ("number",):
            result[column.name] = pd.to_numeric(result[column.name]).astype(float)
        elif column.kind == "integer":
            result[column.name] = result[column.name].astype("Int64")
        elif column.kind == "bool":
            result[column.name] = result[column.name].astype(bool)
        else:  # text, choice and date stay Python objects, even in a table without rows
            result[column.name] = result[column.name].astype(object)
    result.attrs["lines"] = RowLines(lines)
    return result


def _line_sort_key(problem: str) -> tuple[int, str]:
    match = re.match(r"line (\d+)", problem)
    return (int(match.group(1)) if match else 0, problem)


# --- The table models: one pandera schema per input table ----------------------------------------
# Column rules come from TABLES (kind, required); row rules are declared once as RowRule, which both
# builds the pandera check and names the columns a failure message shows.


@dataclass(frozen=True)
class RowRule:
    """A rule across a row's columns: the message, the columns it names, and the test (True = fine)."""

    message: str
    columns: tuple[str, ...]
    test: object  # Callable[[pd.DataFrame], pd.Series]


def _not_formula(series: pd.Series) -> pd.Series:
    from ..publishing.text import starts_like_formula

    return ~series.astype(str).map(starts_like_formula)


_FORMULA_MESSAGE = ("text must not start with =, +, -, @, a tab or a carriage return, which a spreadsheet runs "
                    "as a formula; start it with a word")
_LENGTH_MESSAGE = f"text must be at most {MAX_TEXT_LENGTH} characters"
_MAGNITUDE_MESSAGE = f"a figure must be a finite number no larger than {MAX_MAGNITUDE:.0e} in size"


def _column_model(column: Column) -> pa.Column:
    checks = []
    dtype = object
    if column.kind == "text":
        checks = [pa.Check(_not_formula, error=_FORMULA_MESSAGE),
                  pa.Check(lambda s: s.astype(str).str.len() <= MAX_TEXT_LENGTH, error=_LENGTH_MESSAGE)]
    elif column.kind == "number":
        dtype = float
        checks = [pa.Check(lambda s: np.isfinite(s) & (s.abs() <= MAX_MAGNITUDE), error=_MAGNITUDE_MESSAGE)]
    elif column.kind == "integer":
        dtype = "Int64"
    elif column.kind == "bool":
        dtype = bool
    elif column.kind == "choice":
        checks = [pa.Check.isin(column.choices)]
    return pa.Column(dtype, checks=checks, nullable=not column.required, coerce=False)


def _consistent_percentage(frame: pd.DataFrame) -> pd.Series:
    """A value printed beside "n out of d" must agree with n/d (allowing counts rounded to 5)."""
    rows = frame[["value", "numerator", "denominator", "multiplier"]]
    ok = pd.Series(True, index=frame.index)
    has_all = rows.notna().all(axis=1) & (rows["denominator"] > 0) & (rows["multiplier"] == 100)
    sub = rows[has_all]
    low = (sub["numerator"] - 2.5) / (sub["denominator"] + 2.5) * 100 - 0.05
    high = (sub["numerator"] + 2.5) / (sub["denominator"] - 2.5).clip(lower=1) * 100 + 0.05
    ok.loc[sub.index] = (sub["value"] >= low) & (sub["value"] <= high)
    return ok


def _at_most_100_percent(column: str):
    """Percentages (metrics with multiplier 100) lie between 0 and 100."""
    return lambda f: f[column].isna() | (f["multiplier"] != 100) | (f[column] <= 100)


def _not_negative(column: str):
    return lambda f: f[column].isna() | (f[column] >= 0)


_VALIDITY = ("valid_from", "valid_until")


def _valid_order(frame: pd.DataFrame) -> pd.Series:
    return frame["valid_from"].isna() | frame["valid_until"].isna() | (frame["valid_from"] <= frame["valid_until"])


def _bounds(frame: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """A validity period's first and last days, open ends as the earliest and latest dates."""
    return frame["valid_from"].fillna(date.min), frame["valid_until"].fillna(date.max)


def overlapping(frame: pd.DataFrame, same: list[str], different: str | None = None) -> pd.Series:
    """True for rows whose validity period overlaps another row's with the same ``same`` columns
    (and, with ``different``, a different value there): two versions of one metric in force on
    one day, or one code meaning two measures."""
    start, end = _bounds(frame)
    clash = pd.Series(False, index=frame.index)
    keyed = frame.dropna(subset=same)
    for _, group in keyed.groupby(same, sort=False):
        if len(group) < 2:
            continue
        for i in group.index:
            for j in group.index:
                if i == j or (different is not None and group.at[i, different] == group.at[j, different]):
                    continue
                if start[i] <= end[j] and start[j] <= end[i]:
                    clash[i] = True
    return clash


def in_force(frame: pd.DataFrame, day: date) -> pd.Series:
    """Rows whose validity period (``valid_from`` .. ``valid_until``, either open) contains ``day``."""
    start, end = _bounds(frame)
    return (start <= day) & (end >= day)


def _within_versions(notes: pd.DataFrame, metrics: pd.DataFrame) -> pd.Series:
    """Whether each footnote's period lies within the span of its metric's versions."""
    start, end = _bounds(metrics)
    ids = metrics["metric_id"].to_numpy()
    first = start.groupby(ids).min()
    last = end.groupby(ids).max()
    note_start, note_end = _bounds(notes)
    known = notes["metric_id"].isin(first.index)
    return ~known | ((note_start >= notes["metric_id"].map(first)) & (note_end <= notes["metric_id"].map(last)))


_OBSERVATION_KEY = ("council_code", "metric_id", "period_start", "period_end", "source")
_TARGET_KEY = ("council_code", "metric_id", "period_start", "period_end", "as_of")

ROW_RULES: dict[str, list[RowRule]] = {
    "metrics.csv": [
        RowRule("valid_from must not be after valid_until", _VALIDITY, _valid_order),
        RowRule("two versions of this metric are in force on the same day (close the old version with "
                "valid_until the day before the new one's valid_from)",
                ("metric_id", *_VALIDITY), lambda f: ~f["version_overlaps"]),
        RowRule("this code means another metric in the same period (a code reused by a new framework "
                "needs its framework_version and validity)",
                ("code", "framework", "framework_version", "metric_id", *_VALIDITY), lambda f: ~f["code_clash"]),
        RowRule("an ASCOF metric needs its framework_version (the handbook year of its code, e.g. 2023)",
                ("framework_version", "framework"),
                lambda f: (f["framework"] != "ASCOF") | f["framework_version"].notna()),
        RowRule("a metric's versions must keep its kind and multiplier (a different measure needs a new metric_id)",
                ("kind", "multiplier", "metric_id"),
                lambda f: f.groupby("metric_id")["kind"].transform("nunique").eq(1)
                & f.groupby("metric_id")["multiplier"].transform("nunique").eq(1)),
    ],
    "footnotes.csv": [
        RowRule("valid_from must not be after valid_until", _VALIDITY, _valid_order),
        RowRule("metric_id is not in metrics.csv", ("metric_id",), lambda f: f["metric_known"]),
        RowRule("the footnote's period lies outside its metric's validity in metrics.csv",
                ("valid_from", "valid_until", "metric_id"), lambda f: f["within_metric"]),
        RowRule("duplicate footnote: the same metric, period and text appear more than once",
                ("metric_id", "footnote"), lambda f: ~f.duplicated(["metric_id", *_VALIDITY, "footnote"], keep=False)),
    ],
    "framing.csv": [
        RowRule("valid_from must not be after valid_until", _VALIDITY, _valid_order),
        RowRule("two rows for this element are in force on the same day (close the old one with valid_until)",
                ("element", *_VALIDITY), lambda f: ~f["element_overlaps"]),
        RowRule("source is not a source_id in sources.csv", ("source",), lambda f: f["source_known"]),
    ],
    "observations.csv": [
        RowRule("value must not be negative", ("value",), _not_negative("value")),
        RowRule("numerator must not be negative", ("numerator",), _not_negative("numerator")),
        RowRule("denominator must be positive", ("denominator",), lambda f: f["denominator"].isna() | (f["denominator"] > 0)),
        RowRule("margin of error must be 0 to 50", ("margin_of_error",),
                lambda f: f["margin_of_error"].isna() | f["margin_of_error"].between(0, 50)),
        RowRule("respondents must be positive", ("respondents",), lambda f: f["respondents"].isna() | (f["respondents"] > 0)),
        RowRule("a percentage must not be above 100", ("value", "metric_id"), _at_most_100_percent("value")),
        RowRule("period_start must not be after period_end", ("period_start", "period_end"),
                lambda f: f["period_start"] <= f["period_end"]),
        RowRule("numerator must not exceed denominator", ("numerator", "denominator"),
                lambda f: f["numerator"].isna() | f["denominator"].isna() | (f["numerator"] <= f["denominator"])
                | (f["multiplier"] != 100)),
        RowRule("a row without a value needs a note saying why", ("value", "note"),
                lambda f: f["value"].notna() | f["note"].notna()),
        RowRule("metric_id is not in metrics.csv", ("metric_id",), lambda f: f["metric_known"]),
        RowRule("source is not a source_id in sources.csv", ("source",), lambda f: f["source_known"]),
        RowRule("value disagrees with numerator/denominator", ("value", "numerator", "denominator"), _consistent_percentage),
        RowRule("duplicate row: the same council, metric, period and source appear more than once",
                ("metric_id", "period_start", "period_end", "source"),
                lambda f: ~f.duplicated(list(_OBSERVATION_KEY), keep=False)),
    ],
    "targets.csv": [
        RowRule("duplicate target: the same council, metric, period and as_of appear more than once "
                "(to revise a target, add a row with a later as_of)",
                ("metric_id", "period_start", "period_end", "as_of", "target"),
                lambda f: ~f.duplicated(list(_TARGET_KEY), keep=False)),
        RowRule("a percentage target must not be above 100", ("target", "metric_id"), _at_most_100_percent("target")),
        RowRule("target must not be negative", ("target",), _not_negative("target")),
        RowRule("period_start must not be after period_end", ("period_start", "period_end"),
                lambda f: f["period_start"] <= f["period_end"]),
    ],
    "national_averages.csv": [
        RowRule("a percentage must not be above 100", ("value", "metric_id"), _at_most_100_percent("value")),
        RowRule("value must not be negative", ("value",), _not_negative("value")),
    ],
    "benchmark_figures.csv": [
        RowRule("council_value must not be negative", ("council_value",), _not_negative("council_value")),
    ],
}


def table_model(name: str) -> pa.DataFrameSchema:
    """The pandera model of one input table: its columns' types and rules, and its row rules."""
    return pa.DataFrameSchema(
        {column.name: _column_model(column) for column in TABLES[name]},
        checks=[pa.Check(rule.test, error=rule.message) for rule in ROW_RULES.get(name, [])],
        strict=False,
        name=name,
    )


TABLE_MODELS: dict[str, pa.DataFrameSchema] = {name: table_model(name) for name in TABLES}


def validate_table(path: Path, name: str, frame: pd.DataFrame, lines: list[int] | None = None, **context) -> None:
    """Validate a parsed table against its model; raise InputError naming line, column and values.

    ``context`` adds columns the row rules need from other tables (such as the metric's multiplier).
    """
    enriched = frame.assign(**context) if context else frame
    try:
        TABLE_MODELS[name].validate(enriched, lazy=True)
    except pa.errors.SchemaErrors as errors:
        rules = {rule.message: rule for rule in ROW_RULES.get(name, [])}
        problems = set()
        for _, case in errors.failure_cases.iterrows():
            index, column, check = case.get("index"), case.get("column"), str(case.get("check"))
            if index is None or pd.isna(index):
                where = f"column '{column}'" if column and not pd.isna(column) else "whole table"
                problems.add(f"{where}: failed the check {check} (found {_show(case.get('failure_case'))})")
                continue
            where = _line(int(index), lines)
            rule = rules.get(check)
            if rule is not None:
                shown = ", ".join(f"{c}={_show(enriched.at[index, c])}" for c in rule.columns)
                problems.add(f"{where}, column '{rule.columns[0]}': {check} ({shown})")
            else:
                problems.add(f"{where}, column '{column}': {check} (found {_show(case.get('failure_case'))})")
        raise InputError(path, sorted(problems, key=_line_sort_key)) from None


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "empty"
    if isinstance(value, float) and value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    text = str(value)
    return text if len(text) <= 60 else f"{text[:57]}... ({len(text)} characters)"


@dataclass
class Inputs:
    """All validated input tables, with the file hashes for the provenance section."""

    metrics: pd.DataFrame
    observations: pd.DataFrame
    targets: pd.DataFrame
    national_averages: pd.DataFrame
    sources: pd.DataFrame
    calendar: pd.DataFrame
    councils: pd.DataFrame
    files: pd.DataFrame  # file, sha256, rows
    benchmark_figures: pd.DataFrame | None = None
    #: Every version of every metric (metrics.csv); ``metrics`` holds the versions in force on
    #: ``catalogue_date`` once :meth:`for_period` has chosen them, else every version.
    catalogue: pd.DataFrame | None = None
    footnotes: pd.DataFrame | None = None
    framing: pd.DataFrame | None = None
    catalogue_date: date | None = None

    def metric(self, metric_id: str) -> pd.Series:
        return self.metrics.loc[metric_id]

    def for_period(self, day: date) -> Inputs:
        """The inputs as a report for a period ending on ``day`` sees them: the version of each
        metric, the footnotes and the framing in force on that day, and nothing else."""
        catalogue = self.metrics if self.catalogue is None else self.catalogue
        metrics = catalogue[in_force(catalogue, day)]
        footnotes = None if self.footnotes is None else self.footnotes[in_force(self.footnotes, day)]
        framing = None if self.framing is None else self.framing[in_force(self.framing, day)]
        return dataclasses.replace(self, metrics=metrics, catalogue=catalogue, footnotes=footnotes,
                                   framing=framing, catalogue_date=day)

    def framing_text(self, element: str) -> str:
        """The framing in force (``strategy`` or ``plan``), as printed; :meth:`for_period` first."""
        rows = self.framing[self.framing["element"] == element] if self.framing is not None else pd.DataFrame()
        if len(rows) != 1:
            raise InputError("framing.csv", [
                f"no row for element {element!r} is in force on {self.catalogue_date}; add one with valid_from "
                "and valid_until covering the report's period"])
        return str(rows["text"].iloc[0])

    def footnotes_for(self, metric_id: str) -> list[str]:
        """The catalogue footnotes of a metric in force for the report's period."""
        if self.footnotes is None:
            return []
        return list(self.footnotes.loc[self.footnotes["metric_id"] == metric_id, "footnote"])


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_table(folder: Path, name: str, validate: bool = True) -> pd.DataFrame:
    """Parse one named input table from ``folder`` and (unless told not to) check it against its model.

    Tables whose row rules need another table (a metric's multiplier) are validated by
    :func:`load_inputs` once that table is loaded.
    """
    path = Path(folder) / name
    frame = parse_table(path, TABLES[name])
    if validate:
        validate_table(path, name, frame, frame.attrs["lines"])
    return frame


def _validate_keys(path: Path, frame: pd.DataFrame, keys: list[str], what: str) -> None:
    dupes = frame[frame.duplicated(keys, keep=False)]
    if not dupes.empty:
        lines = ", ".join(_line(i, frame.attrs.get("lines")) for i in dupes.index)
        raise InputError(path, [f"duplicate {what} ({', '.join(keys)}) at {lines}"])


def sum_monthly(monthly: pd.DataFrame, metrics: pd.DataFrame) -> pd.DataFrame:
    """Turn monthly counts into financial-year-to-date observations, one per month end.

    A year-to-date figure is only produced when every month from April is present, so a missing
    month never passes silently as a smaller total.
    """
    from ..periods import FinancialYear, month_end

    rows = []
    for (council, metric), group in monthly.groupby(["council_code", "metric_id"], sort=True):
        group = group.assign(month_start=group["month"].map(lambda m: date(int(m[:4]), int(m[5:7]), 1)))
        group = group.sort_values("month_start")
        for fy, year_rows in group.groupby(group["month_start"].map(FinancialYear.containing)):
            expected = fy.start
            total = 0.0
            for _, row in year_rows.iterrows():
                if row["month_start"] != expected:
                    break
                total += row["value"]
                end = month_end(expected.year, expected.month)
                rows.append(
                    {
                        "council_code": council,
                        "metric_id": metric,
                        "period_start": fy.start,
                        "period_end": end,
                        "value": total,
                        "estimate": "actual",
                        "note": "sum of monthly figures",
                        "source": row["source"],
                        "as_of": max(year_rows.loc[year_rows["month_start"] <= expected, "as_of"]),
                    }
                )
                expected = date(end.year + end.month // 12, end.month % 12 + 1, 1)
    return pd.DataFrame(rows)


def load_inputs(folder: Path | str) -> Inputs:
    """Load and validate every input table in ``folder`` (normally ``data/raw``).

    Raises :class:`InputError` naming the file, line and column of the first file with problems;
    warns (:class:`InputWarning`) about columns a table does not use.
    """
    folder = Path(folder)
    metrics = load_table(folder, "metrics.csv", validate=False)
    validate_table(folder / "metrics.csv", "metrics.csv", metrics, metrics.attrs["lines"],
                   version_overlaps=overlapping(metrics, ["metric_id"]),
                   code_clash=overlapping(metrics, ["framework", "code"], different="metric_id"))
    metrics["band_polarity"] = metrics["band_polarity"].map(lambda name: None if name is None else band_polarity_of(name))
    metrics = metrics.set_index("metric_id", drop=False)
    #: one row per metric for the checks of other tables (its versions share kind and multiplier)
    metric_scale = metrics.drop_duplicates("metric_id")
    sources = load_table(folder, "sources.csv")
    _validate_keys(folder / "sources.csv", sources, ["source_id"], "source")
    footnotes = load_table(folder, "footnotes.csv", validate=False)
    validate_table(folder / "footnotes.csv", "footnotes.csv", footnotes, footnotes.attrs["lines"],
                   metric_known=footnotes["metric_id"].isin(metrics.index),
                   within_metric=_within_versions(footnotes, metrics))
    framing = load_table(folder, "framing.csv", validate=False)
    validate_table(folder / "framing.csv", "framing.csv", framing, framing.attrs["lines"],
                   element_overlaps=overlapping(framing, ["element"]),
                   source_known=framing["source"].isin(sources["source_id"]))
    councils = load_table(folder, "councils.csv")
    _validate_keys(folder / "councils.csv", councils, ["council_code"], "council")
    calendar = load_table(folder, "reporting_calendar.csv")
    _validate_keys(
        folder / "reporting_calendar.csv", calendar, ["council_code", "financial_year", "quarter"], "quarter"
    )

    observations = load_table(folder, "observations.csv", validate=False)
    lines = list(observations.attrs["lines"])
    monthly_path = folder / "monthly_observations.csv"
    if monthly_path.exists():
        monthly = load_table(folder, "monthly_observations.csv")
        bad = [
            f"{_line(i, monthly.attrs['lines'])}, column 'month': expected a month as YYYY-MM, found {m!r}"
            for i, m in monthly["month"].items()
            if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", m)
        ]
        if bad:
            raise InputError(monthly_path, bad)
        _validate_obs_refs(monthly_path, monthly, metrics, sources)
        monthly_ytd = sum_monthly(monthly, metrics)
        if not monthly_ytd.empty:
            observations = pd.concat([observations, monthly_ytd], ignore_index=True)
            lines += [0] * len(monthly_ytd)  # 0: not a line of observations.csv
            observations = observations.drop_duplicates(list(_OBSERVATION_KEY), keep="first")
    validate_table(
        folder / "observations.csv", "observations.csv", observations, lines,
        multiplier=observations["metric_id"].map(metric_scale["multiplier"]),
        metric_known=observations["metric_id"].isin(metrics.index),
        source_known=observations["source"].isin(sources["source_id"]),
    )

    targets = load_table(folder, "targets.csv", validate=False)
    target_path = folder / "targets.csv"
    _validate_obs_refs(target_path, targets, metrics, sources)
    validate_table(target_path, "targets.csv", targets, targets.attrs["lines"],
                   multiplier=targets["metric_id"].map(metric_scale["multiplier"]))
    no_target = targets["target"].isna() & (targets["target_low"].isna() | targets["target_high"].isna())
    if no_target.any():
        raise InputError(
            target_path,
            [f"{_line(i, targets.attrs['lines'])}, column 'target': give a target, or both target_low and target_high"
             for i in targets.index[no_target]],
        )
    with_targets = metric_scale.index[metric_scale["benchmark_type"] == "local_target"]
    if targets.empty and len(with_targets):
        raise InputError(target_path, [
            f"the file has a header but no rows, yet metrics.csv rates {len(with_targets)} metric(s) against a local "
            f"target ({', '.join(with_targets[:5])}{', ...' if len(with_targets) > 5 else ''}); add their targets"
        ])

    averages = load_table(folder, "national_averages.csv", validate=False)
    avg_path = folder / "national_averages.csv"
    unknown = ~averages["metric_id"].isin(metrics.index)
    if unknown.any():
        raise InputError(
            avg_path,
            [f"{_line(i, averages.attrs['lines'])}, column 'metric_id': unknown metric {averages.at[i, 'metric_id']!r}; "
             "expected one listed in metrics.csv" for i in averages.index[unknown]],
        )
    validate_table(avg_path, "national_averages.csv", averages, averages.attrs["lines"],
                   multiplier=averages["metric_id"].map(metric_scale["multiplier"]))
    _validate_keys(avg_path, averages, ["metric_id", "area_code", "period_start", "period_end", "published"], "average")

    figures = None
    if (folder / "benchmark_figures.csv").exists():
        figures = load_table(folder, "benchmark_figures.csv")
        _validate_obs_refs(folder / "benchmark_figures.csv", figures.assign(metric_id=metrics.index[0]), metrics, sources)

    files = []
    for name in sorted(TABLES):
        path = folder / name
        if path.exists():
            with path.open(encoding="utf-8-sig") as handle:
                rows = sum(1 for _ in handle) - 1
            files.append({"file": f"{folder.name}/{name}", "sha256": sha256_of(path), "rows": rows})
    return Inputs(
        metrics=metrics,
        observations=observations,
        targets=targets,
        national_averages=averages,
        sources=sources.set_index("source_id", drop=False),
        calendar=calendar,
        councils=councils.set_index("council_code", drop=False),
        files=pd.DataFrame(files),
        benchmark_figures=figures,
        catalogue=metrics,
        footnotes=footnotes,
        framing=framing,
    )


def _validate_obs_refs(path: Path, frame: pd.DataFrame, metrics: pd.DataFrame, sources: pd.DataFrame) -> None:
    problems = []
    lines = frame.attrs.get("lines")
    for index, metric in frame["metric_id"].items():
        if metric not in metrics.index:
            problems.append(
                f"{_line(index, lines)}, column 'metric_id': unknown metric {metric!r}; expected one listed in metrics.csv"
            )
    for index, source in frame["source"].items():
        if source not in sources["source_id"].values:
            problems.append(
                f"{_line(index, lines)}, column 'source': unknown source {source!r}; expected a source_id in sources.csv"
            )
    if problems:
        raise InputError(path, problems)
