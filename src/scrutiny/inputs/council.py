"""Loading and validating the council's input tables under ``data/raw/``.

Every table is read as text first, so that a bad cell can be reported exactly: the file, the
line, the column, what was expected and what was found. Typed columns are then checked with
pandera schemas (ranges, allowed values, cross-column rules), and pandera's failure cases are
turned into the same kind of message. Nothing is coerced silently: "25.1k" or "1,234" in a number
column is an error, not a guess.
"""

from __future__ import annotations

import hashlib
import io
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import pandas as pd
import pandera.pandas as pa

from ..methods.comparability import DOT_COMPARATORS
from ..methods.rules import BAND_POLARITIES, KINDS, POLARITIES

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
        _c("framework", "choice", choices=("ASCOF", "Local"), description="ASCOF or Local"),
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
        _c("footnote", "text", False),
        _c("display_order", "integer"),
        _c("appendix", "bool", description="true for the rows of Appendix A, false for activity figures"),
        _c("materiality", "number", False, description="smallest change of a volume that counts, e.g. 0.05"),
        _c("band_polarity", "choice", False, choices=BAND_POLARITIES, description="how a target band is read"),
        _c("dot_comparator", "choice", False, choices=DOT_COMPARATORS, description="what a change is measured against"),
        _c("footnote_from", "date", False, description="the footnote applies to figures ending from this date"),
        _c("footnote_until", "date", False, description="the footnote applies to figures ending up to this date"),
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


def _line(index: int) -> str:
    """The file line of a data row (the header is line 1)."""
    return f"line {index + 2}"


def read_text_table(path: Path) -> pd.DataFrame:
    """Read a CSV as text, insisting on UTF-8 (a UTF-8 byte-order mark is allowed)."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, ["file not found"])
    raw = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    try:
        text = raw.decode("utf-8")
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
    if not text.strip():
        raise InputError(path, ["the file is empty; expected a header row and data rows"])
    return pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False, na_filter=False)


def _parse_cell(text: str, column: Column) -> tuple[object, str | None]:
    """Parse one cell; return (value, problem)."""
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
    """Read a CSV and parse every cell by its column's type, collecting every problem."""
    frame = read_text_table(path)
    missing = [c.name for c in columns if c.name not in frame.columns]
    if missing:
        raise InputError(
            path,
            [
                f"missing column(s) {', '.join(repr(m) for m in missing)}; "
                f"expected the columns {', '.join(c.name for c in columns)}"
            ],
        )
    problems: list[str] = []
    parsed: dict[str, list[object]] = {}
    for column in columns:
        values = []
        for index, cell in enumerate(frame[column.name]):
            value, problem = _parse_cell(cell, column)
            if problem:
                problems.append(f"{_line(index)}, column '{column.name}': {problem}")
            values.append(value)
        parsed[column.name] = values
    if problems:
        raise InputError(path, problems)
    result = pd.DataFrame(parsed, columns=[c.name for c in columns])
    for column in columns:
        if column.kind in ("number",):
            result[column.name] = pd.to_numeric(result[column.name]).astype(float)
        elif column.kind == "integer":
            result[column.name] = result[column.name].astype("Int64")
        elif column.kind == "text" or column.kind == "choice":
            result[column.name] = result[column.name].astype(object)
    return result


def _schema_problems(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> list[str]:
    """Run a pandera schema lazily and phrase each failure with its file line and column."""
    try:
        schema.validate(frame, lazy=True)
    except pa.errors.SchemaErrors as errors:
        problems = []
        cases = errors.failure_cases
        for _, case in cases.iterrows():
            index = case.get("index")
            where = _line(int(index)) if pd.notna(index) else "whole table"
            column = case.get("column")
            check = str(case.get("check"))
            found = case.get("failure_case")
            column_part = f", column '{column}'" if pd.notna(column) and column else ""
            problems.append(f"{where}{column_part}: {check} (found {found!r})")
        return sorted(set(problems), key=_line_sort_key)
    return []


def _line_sort_key(problem: str) -> tuple[int, str]:
    match = re.match(r"line (\d+)", problem)
    return (int(match.group(1)) if match else 0, problem)


def _check(fn, message: str, **kwargs) -> pa.Check:
    return pa.Check(fn, error=message, **kwargs)


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


OBSERVATION_SCHEMA = pa.DataFrameSchema(
    {
        "value": pa.Column(float, _check(lambda s: s >= 0, "value must not be negative"), nullable=True),
        "numerator": pa.Column(
            float, _check(lambda s: s >= 0, "numerator must not be negative"), nullable=True
        ),
        "denominator": pa.Column(
            float, _check(lambda s: s > 0, "denominator must be positive"), nullable=True
        ),
        "margin_of_error": pa.Column(
            float, _check(lambda s: (s >= 0) & (s <= 50), "margin of error must be 0 to 50"), nullable=True
        ),
        "respondents": pa.Column(
            float, _check(lambda s: s > 0, "respondents must be positive"), nullable=True
        ),
    },
    checks=[
        _check(
            lambda f: f["period_start"] <= f["period_end"],
            "period_start must not be after period_end",
            element_wise=False,
        ),
        _check(
            lambda f: f["numerator"].isna() | f["denominator"].isna() | (f["numerator"] <= f["denominator"])
            | (f["multiplier"] != 100),
            "numerator must not exceed denominator",
        ),
        _check(
            lambda f: f["value"].notna() | f["note"].notna(),
            "a row without a value needs a note saying why",
        ),
        _check(
            lambda f: f["metric_known"],
            "metric_id is not in metrics.csv",
        ),
        _check(lambda f: f["source_known"], "source is not a source_id in sources.csv"),
        _check(_consistent_percentage, "value disagrees with numerator/denominator"),
        _check(
            lambda f: ~f.duplicated(["council_code", "metric_id", "period_start", "period_end", "source"], keep=False),
            "duplicate row: the same council, metric, period and source appear more than once",
        ),
    ],
    strict=False,
)


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

    def metric(self, metric_id: str) -> pd.Series:
        return self.metrics.loc[metric_id]


def sha256_of(path: Path) -> str:
    """SHA-256 of a file's bytes."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def load_table(folder: Path, name: str) -> pd.DataFrame:
    """Parse one named input table from ``folder``."""
    return parse_table(Path(folder) / name, TABLES[name])


def _validate_keys(path: Path, frame: pd.DataFrame, keys: list[str], what: str) -> None:
    dupes = frame[frame.duplicated(keys, keep=False)]
    if not dupes.empty:
        lines = ", ".join(_line(i) for i in dupes.index)
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

    Raises :class:`InputError` naming the file, line and column of the first file with problems.
    """
    folder = Path(folder)
    metrics = load_table(folder, "metrics.csv")
    _validate_keys(folder / "metrics.csv", metrics, ["metric_id"], "metric")
    metrics = metrics.set_index("metric_id", drop=False)
    sources = load_table(folder, "sources.csv")
    _validate_keys(folder / "sources.csv", sources, ["source_id"], "source")
    councils = load_table(folder, "councils.csv")
    calendar = load_table(folder, "reporting_calendar.csv")
    _validate_keys(
        folder / "reporting_calendar.csv", calendar, ["council_code", "financial_year", "quarter"], "quarter"
    )

    observations = load_table(folder, "observations.csv")
    monthly_path = folder / "monthly_observations.csv"
    if monthly_path.exists():
        monthly = load_table(folder, "monthly_observations.csv")
        bad = [
            f"{_line(i)}, column 'month': expected a month as YYYY-MM, found {m!r}"
            for i, m in monthly["month"].items()
            if not re.match(r"^\d{4}-(0[1-9]|1[0-2])$", m)
        ]
        if bad:
            raise InputError(monthly_path, bad)
        _validate_obs_refs(monthly_path, monthly, metrics, sources)
        monthly_ytd = sum_monthly(monthly, metrics)
        if not monthly_ytd.empty:
            observations = pd.concat([observations, monthly_ytd], ignore_index=True)
            observations = observations.drop_duplicates(
                ["council_code", "metric_id", "period_start", "period_end", "source"], keep="first"
            )
    obs_path = folder / "observations.csv"
    enriched = observations.assign(
        multiplier=observations["metric_id"].map(metrics["multiplier"]),
        metric_known=observations["metric_id"].isin(metrics.index),
        source_known=observations["source"].isin(sources["source_id"]),
    )
    problems = _schema_problems(enriched, OBSERVATION_SCHEMA)
    problems = _explain_observation_failures(enriched, problems)
    if problems:
        raise InputError(obs_path, problems)

    targets = load_table(folder, "targets.csv")
    target_path = folder / "targets.csv"
    _validate_obs_refs(target_path, targets, metrics, sources)
    no_target = targets["target"].isna() & (targets["target_low"].isna() | targets["target_high"].isna())
    if no_target.any():
        raise InputError(
            target_path,
            [f"{_line(i)}, column 'target': give a target, or both target_low and target_high" for i in targets.index[no_target]],
        )

    averages = load_table(folder, "national_averages.csv")
    avg_path = folder / "national_averages.csv"
    unknown = ~averages["metric_id"].isin(metrics.index)
    if unknown.any():
        raise InputError(
            avg_path,
            [f"{_line(i)}, column 'metric_id': unknown metric {averages.at[i, 'metric_id']!r}; expected one listed in metrics.csv" for i in averages.index[unknown]],
        )
    _validate_keys(avg_path, averages, ["metric_id", "area_code", "period_start", "period_end", "published"], "average")

    figures = None
    if (folder / "benchmark_figures.csv").exists():
        figures = load_table(folder, "benchmark_figures.csv")
        _validate_obs_refs(folder / "benchmark_figures.csv", figures.assign(metric_id=metrics.index[0]), metrics, sources)

    files = []
    for name in sorted(TABLES):
        path = folder / name
        if path.exists():
            files.append({"file": f"{folder.name}/{name}", "sha256": sha256_of(path), "rows": sum(1 for _ in path.open(encoding="utf-8-sig")) - 1})
    return Inputs(
        metrics=metrics,
        observations=observations.drop(columns=[], errors="ignore"),
        targets=targets,
        national_averages=averages,
        sources=sources.set_index("source_id", drop=False),
        calendar=calendar,
        councils=councils.set_index("council_code", drop=False),
        files=pd.DataFrame(files),
        benchmark_figures=figures,
    )


def _validate_obs_refs(path: Path, frame: pd.DataFrame, metrics: pd.DataFrame, sources: pd.DataFrame) -> None:
    problems = []
    for index, metric in frame["metric_id"].items():
        if metric not in metrics.index:
            problems.append(
                f"{_line(index)}, column 'metric_id': unknown metric {metric!r}; expected one listed in metrics.csv"
            )
    for index, source in frame["source"].items():
        if source not in sources["source_id"].values:
            problems.append(
                f"{_line(index)}, column 'source': unknown source {source!r}; expected a source_id in sources.csv"
            )
    if problems:
        raise InputError(path, problems)


_FRAME_CHECK_COLUMNS = {
    "period_start must not be after period_end": ["period_start", "period_end"],
    "numerator must not exceed denominator": ["numerator", "denominator"],
    "a row without a value needs a note saying why": ["value", "note"],
    "metric_id is not in metrics.csv": ["metric_id"],
    "source is not a source_id in sources.csv": ["source"],
    "value disagrees with numerator/denominator": ["value", "numerator", "denominator"],
    "duplicate row: the same council, metric, period and source appear more than once": [
        "metric_id",
        "period_start",
        "period_end",
        "source",
    ],
}


def _explain_observation_failures(frame: pd.DataFrame, problems: list[str]) -> list[str]:
    """Rewrite whole-row check failures to name the columns and values involved."""
    explained = []
    for problem in problems:
        replaced = False
        for message, columns in _FRAME_CHECK_COLUMNS.items():
            if message in problem:
                match = re.match(r"line (\d+)", problem)
                if match:
                    index = int(match.group(1)) - 2
                    shown = ", ".join(f"{c}={_show(frame.at[index, c])}" for c in columns)
                    explained.append(f"line {index + 2}, column '{columns[0]}': {message} ({shown})")
                    replaced = True
                break
        if not replaced:
            explained.append(problem)
    return sorted(set(explained), key=_line_sort_key)


def _show(value: object) -> str:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return "empty"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
