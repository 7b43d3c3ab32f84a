"""Financial-year, quarter and academic-year arithmetic."""

from datetime import date

import pytest

from scrutiny.periods import FinancialYear, ReportPeriod, academic_year_label, overlaps, period_label


def test_financial_year_parsing_and_labels():
    year = FinancialYear.parse("2025-26")
    assert (year.start, year.end) == (date(2025, 4, 1), date(2026, 3, 31))
    assert (year.code, year.label, year.short_label) == ("2025-26", "2025/26", "25/26")
    assert FinancialYear.parse("2025/26") == year
    assert FinancialYear.parse("2099-00").end == date(2100, 3, 31)
    assert FinancialYear.containing(date(2026, 3, 31)) == year
    assert FinancialYear.containing(date(2026, 4, 1)) == FinancialYear(2026)


@pytest.mark.parametrize("text", ["2025-27", "25-26", "2025", "2025-2026", ""])
def test_bad_financial_years_are_refused(text):
    with pytest.raises(ValueError, match="financial year"):
        FinancialYear.parse(text)


def test_quarters():
    year = FinancialYear(2025)
    assert [year.quarter_end(q) for q in (1, 2, 3, 4)] == [
        date(2025, 6, 30), date(2025, 9, 30), date(2025, 12, 31), date(2026, 3, 31)]
    assert [year.quarter_start(q) for q in (1, 2, 3, 4)] == [
        date(2025, 4, 1), date(2025, 7, 1), date(2025, 10, 1), date(2026, 1, 1)]
    period = ReportPeriod.from_params("2025-26", "q3")
    assert period.label == "Quarter 3 2025/26 (April to December 2025)"
    assert period.folder == "2025-26/q3"


@pytest.mark.parametrize("quarter", [0, 5, "x", True])
def test_bad_quarters_are_refused(quarter):
    with pytest.raises(ValueError, match="quarter"):
        ReportPeriod.from_params("2025-26", quarter)


def test_period_labels():
    assert period_label(date(2025, 4, 1), date(2025, 12, 31)) == "Apr-Dec 2025"
    assert period_label(date(2024, 4, 1), date(2025, 3, 31)) == "2024/25"
    assert period_label(date(2024, 10, 1), date(2025, 9, 30)) == "12 months to Sep-25"
    assert period_label(date(2025, 12, 31), date(2025, 12, 31)) == "End of Dec-25"
    assert period_label(date(2025, 9, 1), date(2025, 12, 31)) == "Sep-Dec 2025 (academic year 2025/26)"
    assert period_label(date(2024, 9, 1), date(2025, 6, 30), "academic_ytd") == (
        "Sep 2024-Jun 2025 (academic year 2024/25)")
    assert academic_year_label(date(2026, 8, 31)) == "2025/26"


def test_overlaps():
    assert overlaps(date(2024, 10, 1), date(2025, 9, 30), date(2024, 4, 1), date(2025, 3, 31))
    assert not overlaps(date(2025, 4, 1), date(2025, 6, 30), date(2024, 4, 1), date(2025, 3, 31))
