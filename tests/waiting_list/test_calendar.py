"""Working days: weekdays that are not English bank holidays."""

from datetime import date

import numpy as np

from scrutiny.waiting_list.calendar import bank_holidays_between, working_days_between


def test_christmas_and_new_year_bank_holidays_are_not_working_days():
    assert bank_holidays_between(date(2025, 12, 20), date(2026, 1, 5)) == [
        date(2025, 12, 25), date(2025, 12, 26), date(2026, 1, 1)]
    # Received Wednesday 24 December; 29, 30, 31 December and 2 January are working days.
    assert working_days_between(date(2025, 12, 24), date(2026, 1, 2)) == 4


def test_easter_and_weekends():
    # Thursday 17 April 2025 to Tuesday 22 April: Good Friday, the weekend and Easter Monday fall between.
    assert working_days_between(date(2025, 4, 17), date(2025, 4, 22)) == 1
    assert working_days_between(date(2025, 6, 6), date(2025, 6, 9)) == 1  # Friday to Monday
    assert working_days_between(date(2025, 6, 9), date(2025, 6, 9)) == 0
    assert working_days_between(date(2025, 6, 9), date(2025, 6, 2)) == 0


def test_arrays_broadcast_against_one_date():
    received = np.array(["2025-12-01", "2025-12-24"], dtype="datetime64[D]")
    assert working_days_between(received, np.datetime64("2026-01-02")).tolist() == [21, 4]
