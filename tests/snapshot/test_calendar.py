"""Calendar arithmetic (rules.md §0.3.2: "N months after X" = X + N calendar months, clamped to a shorter month)."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

import pytest

from app.snapshot.model import add_months, add_years


def _reference(day: date, months: int) -> date:
    """The definition, step by step: the same day N months on, or the last day of that month if it is shorter."""
    index = day.year * 12 + day.month - 1 + months
    year, month = index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


DAYS = [date(2023, 1, 1) + timedelta(days=n) for n in range(3 * 366 + 1)]  # through the leap year 2024


@pytest.mark.parametrize("months", [-25, -13, -12, -6, -1, 0, 1, 2, 3, 6, 11, 12, 18, 24, 60, 120])
def test_add_months_matches_its_definition_on_every_day(months: int) -> None:
    assert [add_months(day, months) for day in DAYS] == [_reference(day, months) for day in DAYS]


def test_month_ends_clamp_and_leap_days_fall_back() -> None:
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2025, 3, 31), -1) == date(2025, 2, 28)
    assert add_months(date(2025, 5, 31), 1) == date(2025, 6, 30)
    assert add_years(date(2024, 2, 29), 1) == date(2025, 2, 28)
    assert add_years(date(2024, 2, 29), 4) == date(2028, 2, 29)


def test_add_months_saturates_at_the_ends_of_the_calendar() -> None:
    assert add_months(date(9999, 12, 31), 1) == date.max
    assert add_months(date(1, 1, 1), -1) == date.min
