"""Working days in England: weekdays that are not English bank holidays (``holidays`` library)."""

from __future__ import annotations

from datetime import date
from functools import lru_cache

import holidays
import numpy as np
import pandas as pd


@lru_cache(maxsize=1)
def _bank_holidays() -> np.ndarray:
    days = holidays.country_holidays("GB", subdiv="ENG", years=range(1995, 2101))
    return np.array(sorted(days), dtype="datetime64[D]")


def bank_holidays_between(start: date, end: date) -> list[date]:
    """English bank holidays from ``start`` to ``end`` inclusive."""
    days = _bank_holidays()
    chosen = days[(days >= np.datetime64(start)) & (days <= np.datetime64(end))]
    return [d.astype(object) for d in chosen]


def working_days_between(start, end):
    """Working days after ``start`` up to and including ``end`` (0 if end <= start).

    A request received on a Friday and counted on the following Monday has waited one working
    day. Accepts dates or arrays of dates (``start`` and ``end`` broadcast together).
    """
    start = np.asarray(start, dtype="datetime64[D]")
    end = np.asarray(end, dtype="datetime64[D]")
    counts = np.busday_count(start + 1, end + 1, holidays=_bank_holidays())
    return np.maximum(counts, 0) if counts.ndim else max(int(counts), 0)


def working_day_mask(days: pd.DatetimeIndex) -> np.ndarray:
    """True for each day that is a working day."""
    return np.is_busday(days.values.astype("datetime64[D]"), holidays=_bank_holidays())
