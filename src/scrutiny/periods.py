"""Financial-year, quarter and academic-year arithmetic, and plain-English period labels.

English local government years run April to March ("2025-26"); quarters end in June, September,
December and March. Academic years run September to August.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

_FY_PATTERN = re.compile(r"^(\d{4})-(\d{2})$")
QUARTER_NAMES = {1: "April to June", 2: "April to September", 3: "April to December", 4: "April to March"}


def shift_years(day: date, years: int) -> date:
    """The same calendar day ``years`` later (29 February falls back to 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def month_end(year: int, month: int) -> date:
    """Last day of a month."""
    first_next = date(year + month // 12, month % 12 + 1, 1)
    return first_next - timedelta(days=1)


@dataclass(frozen=True, order=True)
class FinancialYear:
    """An April-to-March financial year, named by its first calendar year."""

    first_year: int

    @classmethod
    def parse(cls, text: str) -> "FinancialYear":
        """Parse ``"2025-26"`` (also accepts ``"2025/26"``); raise ValueError on anything else."""
        match = _FY_PATTERN.match(str(text).strip().replace("/", "-"))
        if not match:
            raise ValueError(f"financial year must look like '2025-26', got {text!r}")
        first, second = int(match.group(1)), int(match.group(2))
        if (first + 1) % 100 != second:
            raise ValueError(f"financial year {text!r}: the second part must be the next year")
        return cls(first)

    @classmethod
    def containing(cls, day: date) -> "FinancialYear":
        """The financial year a date falls in."""
        return cls(day.year if day.month >= 4 else day.year - 1)

    @property
    def start(self) -> date:
        return date(self.first_year, 4, 1)

    @property
    def end(self) -> date:
        return date(self.first_year + 1, 3, 31)

    @property
    def code(self) -> str:
        """``"2025-26"``: the form used in folder names and parameters."""
        return f"{self.first_year}-{(self.first_year + 1) % 100:02d}"

    @property
    def label(self) -> str:
        """``"2025/26"``: the form used in the committee papers."""
        return f"{self.first_year}/{(self.first_year + 1) % 100:02d}"

    @property
    def short_label(self) -> str:
        """``"25/26"``."""
        return f"{self.first_year % 100:02d}/{(self.first_year + 1) % 100:02d}"

    def previous(self) -> "FinancialYear":
        return FinancialYear(self.first_year - 1)

    def quarter_end(self, quarter: int) -> date:
        """Last day of quarter 1-4 of this year."""
        _check_quarter(quarter)
        month = 3 + 3 * quarter
        year = self.first_year if month <= 12 else self.first_year + 1
        return month_end(year, month if month <= 12 else month - 12)

    def quarter_start(self, quarter: int) -> date:
        """First day of quarter 1-4 of this year."""
        _check_quarter(quarter)
        month = 1 + 3 * quarter
        return date(self.first_year, month, 1) if month <= 12 else date(self.first_year + 1, 1, 1)


def _check_quarter(quarter: int) -> None:
    if quarter not in (1, 2, 3, 4) or isinstance(quarter, bool):
        raise ValueError(f"quarter must be 1, 2, 3 or 4, got {quarter!r}")


@dataclass(frozen=True)
class ReportPeriod:
    """The reporting period of a quarterly paper: a financial year and a quarter (year to date)."""

    year: FinancialYear
    quarter: int

    @classmethod
    def from_params(cls, financial_year: str, quarter: int | str) -> "ReportPeriod":
        """Validate notebook parameters and build the period; raise ValueError naming the bad one."""
        try:
            q = int(str(quarter).lower().lstrip("q"))
        except ValueError:
            raise ValueError(f"quarter must be 1, 2, 3 or 4, got {quarter!r}") from None
        _check_quarter(q)
        return cls(FinancialYear.parse(financial_year), q)

    @property
    def start(self) -> date:
        return self.year.start

    @property
    def end(self) -> date:
        return self.year.quarter_end(self.quarter)

    @property
    def label(self) -> str:
        """``"Quarter 3 2025/26 (April to December 2025)"``."""
        return (
            f"Quarter {self.quarter} {self.year.label} "
            f"({QUARTER_NAMES[self.quarter]} {self.end.year})"
        )

    @property
    def folder(self) -> str:
        """``"2025-26/q3"``: where the quarter's reports are written."""
        return f"{self.year.code}/q{self.quarter}"


def academic_year_start(day: date) -> date:
    """1 September of the academic year a date falls in."""
    return date(day.year if day.month >= 9 else day.year - 1, 9, 1)


def academic_year_label(day: date) -> str:
    """``"2025/26"`` for any date from September 2025 to August 2026."""
    start = academic_year_start(day)
    return f"{start.year}/{(start.year + 1) % 100:02d}"


def _mon(day: date) -> str:
    return day.strftime("%b")


def _mon_yy(day: date) -> str:
    return day.strftime("%b-%y")


def period_label(start: date, end: date, basis: str = "") -> str:
    """A short plain-English label for a period, in the papers' style.

    Snapshots read "End of Dec-25"; whole financial years "2024/25"; financial year-to-date
    periods "Apr-Dec 2025"; twelve-month windows "12 months to Sep-25"; academic-year periods
    "Sep-Dec 2025 (academic year 2025/26)".
    """
    if start == end or basis == "snapshot":
        return f"End of {_mon_yy(end)}"
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    if basis == "academic_year" or (start.month == 9 and start.day == 1 and months < 12):
        ay = academic_year_label(start)
        span = f"{_mon(start)} {start.year}-{_mon(end)} {end.year}" if start.year != end.year else (
            f"{_mon(start)}-{_mon(end)} {end.year}"
        )
        return f"{span} (academic year {ay})"
    if start.month == 4 and start.day == 1 and months == 12:
        return FinancialYear(start.year).label
    if months == 12:
        return f"12 months to {_mon_yy(end)}"
    if start.year == end.year:
        return f"{_mon(start)}-{_mon(end)} {end.year}"
    return f"{_mon(start)} {start.year}-{_mon(end)} {end.year}"


def overlaps(a_start: date, a_end: date, b_start: date, b_end: date) -> bool:
    """True when two closed date ranges share at least one day."""
    return a_start <= b_end and b_start <= a_end
