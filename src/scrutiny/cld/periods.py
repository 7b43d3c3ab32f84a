"""Reporting periods of the CLD measures: 12 months ending at a calendar quarter end (spec 3.10)."""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True)
class Period:
    """An inclusive reporting period ``[start, end]``."""

    start: pd.Timestamp
    end: pd.Timestamp

    @classmethod
    def twelve_months_to(cls, period_end: object) -> "Period":
        """The 12 months ending at ``period_end``, which must be the last day of a quarter.

        Raises ValueError naming the date otherwise."""
        end = pd.Timestamp(period_end).normalize()
        if not (end.is_quarter_end and end.month in (3, 6, 9, 12)):
            raise ValueError(f"period_end {end.date()} is not the last day of a calendar quarter "
                             "(expected 31 March, 30 June, 30 September or 31 December)")
        return cls(end - pd.DateOffset(years=1) + pd.Timedelta(days=1), end)

    @property
    def label(self) -> str:
        """DHSC's label, e.g. ``1 Apr 25 - 31 Mar 26``."""
        return f"{self.start.day} {self.start:%b %y} - {self.end.day} {self.end:%b %y}"
