"""The council pack: a council's LG Inform Use of Resources figures transcribed into small CSVs.

``data/raw/use_of_resources/`` holds, for one council (``pack.csv``):

* ``stepNN.csv`` for every step with LG Inform data (1, 2, 3, 4, 6, 7, 9, 12, 13), one row per
  metric and year with the columns as printed: ``council``, ``england`` (Total for England),
  ``county_mean`` (mean of the comparator group), ``all_mean`` (mean of the 153 councils),
  ``region_mean`` (ADASS region), ``printed_p10`` and ``printed_p90`` (the rows LG Inform labels
  10th and 90th percentile) and ``rank``. A cell may read ``Suppressed`` or ``no value`` as printed.
* ``sources.csv`` and ``releases.csv``: where the figures come from and when each year's
  statistics were published (a quarter reports the latest year published by its cut-off).
* ``summary_table.csv`` and ``paper_claims.csv``: the committee paper's summary table and the
  figures its paragraphs state, checked against the appendix by ``paper.py``.

Every problem is reported with the file, line and column, and all problems of a file together.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from ..inputs import InputError, read_text_table, sha256_of
from .catalogue import metrics, ranks_low_first

STEP_FILES = {1: "step01.csv", 2: "step02.csv", 3: "step03.csv", 4: "step04.csv", 6: "step06.csv",
              7: "step07.csv", 9: "step09.csv", 12: "step12.csv", 13: "step13.csv"}
VALUE_COLUMNS = ("council", "england", "county_mean", "all_mean", "region_mean", "printed_p10", "printed_p90")
STEP_COLUMNS = ("metric_id", "year", *VALUE_COLUMNS, "rank")
#: Words LG Inform prints instead of a figure; both are missing values, never zero.
NOT_A_FIGURE = ("Suppressed", "no value")
_YEAR = re.compile(r"^(\d{4})-(\d{2})$")
_NUMBER = re.compile(r"^-?\d+(\.\d+)?$")


@dataclass
class CouncilPack:
    """A validated pack: the comparison table and the paper's claims, with the files read."""

    council_code: str
    council_name: str
    comparator_label: str
    benchmark_label: str
    benchmark_councils: int
    region: str
    comparisons: pd.DataFrame
    summary_table: pd.DataFrame
    claims: pd.DataFrame
    sources: pd.DataFrame
    releases: pd.DataFrame
    files: pd.DataFrame


def _line(index: int) -> str:
    return f"line {index + 2}"


def _require_columns(path: Path, frame: pd.DataFrame, columns) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(path, [f"missing column(s) {', '.join(map(repr, missing))}; expected {', '.join(columns)}"])


def valid_year(text: str) -> bool:
    """``2024-25``: a financial year whose second part follows the first."""
    match = _YEAR.match(text)
    return bool(match) and (int(match.group(1)) + 1) % 100 == int(match.group(2))


def read_step_table(path: Path, step: int, benchmark_councils: int) -> pd.DataFrame:
    """One step's figures as floats (missing where blank or not a figure), validated."""
    if not path.exists():
        raise InputError(path, [f"the Step {step} table is missing: every step with LG Inform data needs its "
                                f"file ({', '.join(STEP_FILES.values())})"])
    frame = read_text_table(path)
    _require_columns(path, frame, STEP_COLUMNS)
    catalogue = metrics()
    problems: list[str] = []
    rows = []
    for index, row in frame.iterrows():
        where = _line(index)
        metric_id = row["metric_id"].strip()
        if metric_id not in catalogue.index:
            problems.append(f"{where}, column 'metric_id': unknown metric {metric_id!r} (not in the catalogue)")
            continue
        if int(catalogue.loc[metric_id, "step"]) != step:
            problems.append(f"{where}, column 'metric_id': metric {metric_id} belongs to Step "
                            f"{catalogue.loc[metric_id, 'step']}, not Step {step}")
        if not valid_year(row["year"].strip()):
            problems.append(f"{where}, column 'year': expected a financial year such as 2024-25, found {row['year']!r}")
        record = {"metric_id": metric_id, "year": row["year"].strip(), "line": index + 2}
        for column in VALUE_COLUMNS:
            text = row[column].strip()
            record[f"{column}_note"] = text if text in NOT_A_FIGURE else ""
            if text == "" or text in NOT_A_FIGURE:
                record[column] = np.nan
            elif _NUMBER.match(text):
                record[column] = float(text)
            else:
                problems.append(f"{where}, column '{column}': expected a plain number (no thousands separators), "
                                f"'Suppressed', 'no value' or blank, found {text!r}")
                record[column] = np.nan
        rank = row["rank"].strip()
        record["rank"] = np.nan
        if rank:
            if not rank.isdigit() or not 1 <= int(rank) <= benchmark_councils:
                problems.append(f"{where}, column 'rank': expected a whole number from 1 to {benchmark_councils}, "
                                f"found {rank!r}")
            else:
                record["rank"] = int(rank)
        high, low = record["printed_p10"], record["printed_p90"]
        if not (np.isnan(high) or np.isnan(low)):
            low_first = ranks_low_first(metric_id)
            if (not low_first and high < low) or (low_first and high > low):
                expected = "at most" if low_first else "at least"
                problems.append(
                    f"{where}, columns 'printed_p10' and 'printed_p90': the percentile row is not ordered: "
                    f"LG Inform's 10th percentile ({high:g}) must be {expected} its 90th percentile ({low:g}) for "
                    f"{'a low-is-good measure' if low_first else 'a measure ranked from the highest value'}")
        rows.append(record)
    table = pd.DataFrame(rows)
    if not table.empty:
        duplicated = table[table.duplicated(["metric_id", "year"], keep="first")]
        for _, dup in duplicated.iterrows():
            problems.append(f"line {dup['line']}, columns 'metric_id' and 'year': {dup['metric_id']} {dup['year']} "
                            "appears twice")
    if problems:
        raise InputError(path, problems)
    table["step"] = step
    table["source_file"] = path.name
    return table


def to_comparisons(table: pd.DataFrame, benchmark_councils: int) -> pd.DataFrame:
    """Printed columns to value percentiles (``high_end`` = 90th, ``low_end`` = 10th) and quartiles."""
    from ..benchmarking.analysis import quartile

    low_first = table["metric_id"].map(ranks_low_first).astype(bool)
    out = table.copy()
    out["high_end"] = np.where(low_first, table["printed_p90"], table["printed_p10"])
    out["low_end"] = np.where(low_first, table["printed_p10"], table["printed_p90"])
    out["councils"] = np.where(table["rank"].notna(), benchmark_councils, np.nan)
    out["quartile"] = [quartile(int(r), benchmark_councils) if pd.notna(r) else None for r in table["rank"]]
    out["rank"] = out["rank"].astype("Int64")
    out["quartile"] = out["quartile"].astype("Int64")
    return out


def _read_manifest(folder: Path) -> pd.Series:
    path = folder / "pack.csv"
    frame = read_text_table(path)
    _require_columns(path, frame, ("council_code", "council_name", "comparator_group", "benchmark_set",
                                   "benchmark_councils", "region", "source_id"))
    if len(frame) != 1:
        raise InputError(path, [f"expected one row (the pack's council), found {len(frame)}"])
    row = frame.iloc[0]
    if not row["benchmark_councils"].isdigit():
        raise InputError(path, [f"line 2, column 'benchmark_councils': expected a whole number, found "
                                f"{row['benchmark_councils']!r}"])
    return row


def _read_claims(folder: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    catalogue = metrics()
    from .catalogue import DERIVED_SUMS

    known = set(catalogue.index) | set(DERIVED_SUMS)
    path = folder / "summary_table.csv"
    summary = read_text_table(path)
    _require_columns(path, summary, ("row", "metric_label", "metric_id", "council_printed", "england_printed",
                                     "relative_position_printed"))
    problems = [f"{_line(i)}, column 'metric_id': unknown metric {m!r}" for i, m in enumerate(summary["metric_id"])
                if m not in known]
    if problems:
        raise InputError(path, problems)
    path = folder / "paper_claims.csv"
    claims = read_text_table(path)
    _require_columns(path, claims, ("claim_id", "paragraph", "metric_id", "year", "column", "claimed",
                                    "compared_with", "statement"))
    columns = ("council", "england", "rank", "quartile", "direction")
    for i, row in claims.iterrows():
        if row["metric_id"] not in known:
            problems.append(f"{_line(i)}, column 'metric_id': unknown metric {row['metric_id']!r}")
        if row["column"] not in columns:
            problems.append(f"{_line(i)}, column 'column': expected one of {', '.join(columns)}, found {row['column']!r}")
        if row["column"] == "direction" and (row["claimed"] not in ("higher", "lower")
                                             or row["compared_with"] not in ("england", "county_mean", "all_mean")):
            problems.append(f"{_line(i)}, columns 'claimed' and 'compared_with': a direction claim needs 'higher' or "
                            "'lower' against england, county_mean or all_mean")
        elif row["column"] != "direction" and not _NUMBER.match(row["claimed"]):
            problems.append(f"{_line(i)}, column 'claimed': expected the number the paper prints, found {row['claimed']!r}")
        if not valid_year(row["year"]):
            problems.append(f"{_line(i)}, column 'year': expected a financial year such as 2024-25, found {row['year']!r}")
    if problems:
        raise InputError(path, problems)
    return summary, claims


def load_pack(folder: str | Path) -> CouncilPack:
    """Read and validate every file of a council pack."""
    folder = Path(folder)
    manifest = _read_manifest(folder)
    councils = int(manifest["benchmark_councils"])
    tables = [read_step_table(folder / name, step, councils) for step, name in STEP_FILES.items()]
    comparisons = to_comparisons(pd.concat(tables, ignore_index=True), councils)
    summary, claims = _read_claims(folder)
    sources = read_text_table(folder / "sources.csv")
    _require_columns(folder / "sources.csv", sources, ("source_id", "title", "publisher", "published", "url", "licence",
                                                      "role"))
    for i, row in sources.iterrows():
        try:
            date.fromisoformat(row["published"])
        except ValueError:
            raise InputError(folder / "sources.csv", [f"{_line(i)}, column 'published': expected a date as YYYY-MM-DD, "
                                                      f"found {row['published']!r}"]) from None
    releases = read_text_table(folder / "releases.csv")
    _require_columns(folder / "releases.csv", releases, ("year", "published", "release"))
    problems = []
    for i, row in releases.iterrows():
        try:
            date.fromisoformat(row["published"])
        except ValueError:
            problems.append(f"{_line(i)}, column 'published': expected a date as YYYY-MM-DD, found {row['published']!r}")
    if problems:
        raise InputError(folder / "releases.csv", problems)
    releases["published"] = pd.to_datetime(releases["published"]).dt.date
    names = ["pack.csv", *STEP_FILES.values(), "summary_table.csv", "paper_claims.csv", "sources.csv", "releases.csv"]
    files = pd.DataFrame({"file": [f"{folder.name}/{n}" for n in names],
                          "sha256": [sha256_of(folder / n) for n in names]})
    return CouncilPack(manifest["council_code"], manifest["council_name"], manifest["comparator_group"],
                       manifest["benchmark_set"], councils, manifest["region"], comparisons, summary, claims,
                       sources, releases, files)


def paper_published(pack: CouncilPack) -> date | None:
    """When the committee paper whose claims the pack holds was published (``role`` = paper)."""
    rows = pack.sources[pack.sources["role"] == "paper"]
    return date.fromisoformat(rows["published"].iloc[0]) if len(rows) else None


def pack_council(folder: str | Path) -> str | None:
    """The council a pack folder is for, or None when there is no pack."""
    path = Path(folder) / "pack.csv"
    return _read_manifest(Path(folder))["council_code"] if path.exists() else None
