"""The one writer of every report's CSV tables: formula-safe, reproducible and never half-written."""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from .text import spreadsheet_cell


def formula_safe(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas (see ``spreadsheet_cell``)."""
    safe = frame.copy()
    for column in safe.columns:
        if safe[column].dtype == object or pd.api.types.is_string_dtype(safe[column]):
            safe[column] = safe[column].map(spreadsheet_cell)
    safe.columns = [spreadsheet_cell(str(c)) for c in safe.columns]
    return safe


def write_csv(frame: pd.DataFrame, path: str | Path) -> Path:
    """Write a report table as CSV: UTF-8, ISO dates, twelve significant figures, no formulas.

    The file is written beside its final name and renamed into place, so a reader never sees it
    half-written.
    """
    path = Path(path)
    tmp = path.with_name(f".{path.name}.partial-{os.getpid()}")
    try:
        formula_safe(frame).to_csv(tmp, index=False, float_format="%.12g", date_format="%Y-%m-%d", encoding="utf-8")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path
