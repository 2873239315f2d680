"""LMS numbering rules (periods, templates) and run dates, without a database."""

from __future__ import annotations

from datetime import date

import pytest

from bridge.billing import numbering as n
from bridge.billing.dates import (
    DateError,
    RunClock,
    day_bounds,
    first_of_previous_month,
    import_window,
    parse_date,
    unix_midnight,
)


def at(y: int, m: int, d: int) -> int:
    return unix_midnight(date(y, m, d)) + 12 * 3600


@pytest.mark.parametrize("period,when,start,end", [
    (n.MONTHLY, (2024, 2, 29), date(2024, 2, 1), date(2024, 3, 1)),
    (n.MONTHLY, (2024, 12, 31), date(2024, 12, 1), date(2025, 1, 1)),
    (n.DAILY, (2024, 3, 1), date(2024, 3, 1), date(2024, 3, 2)),
    (n.WEEKLY, (2024, 3, 3), date(2024, 2, 26), date(2024, 3, 4)),  # a Sunday
    (n.QUARTERLY, (2024, 5, 15), date(2024, 4, 1), date(2024, 7, 1)),
    (n.QUARTERLY, (2024, 11, 2), date(2024, 10, 1), date(2025, 1, 1)),
    (n.HALFYEARLY, (2024, 8, 1), date(2024, 7, 1), date(2025, 1, 1)),
    (n.YEARLY, (2024, 8, 1), date(2024, 1, 1), date(2025, 1, 1)),
    (n.DISPOSABLE, (2024, 8, 1), date(2024, 1, 1), date(2025, 1, 1)),  # LMS: empty = yearly
])
def test_period_bounds(period, when, start, end):
    assert n.period_bounds(period, at(*when)) == (unix_midnight(start), unix_midnight(end))


def test_continuous_plan_never_restarts():
    assert n.period_bounds(n.CONTINUOUS, at(2024, 1, 1)) is None


@pytest.mark.parametrize("template,number,expected", [
    ("%N/TV/%m/%Y", 7, "7/TV/03/2024"),
    ("FV %05N/%Y", 42, "FV 00042/2024"),
    (None, 3, "3/LMS/2024"),  # LMS's DEFAULT_NUMBER_TEMPLATE
    ("%N%I/%y", 12, "12/24"),
])
def test_format_number_like_lms_docnumber(template, number, expected):
    assert n.format_number(number, template, at(2024, 3, 5)) == expected


@pytest.mark.parametrize("today,start", [
    (date(2024, 3, 1), date(2024, 2, 1)),    # 1 March after February
    (date(2024, 3, 31), date(2024, 2, 1)),   # the 31st never skips a month
    (date(2025, 1, 1), date(2024, 12, 1)),   # year end
    (date(2024, 1, 15), date(2023, 12, 1)),
])
def test_default_import_window_starts_on_first_of_previous_month(today, start):
    assert first_of_previous_month(today) == start
    assert import_window(today) == (start, today)


def test_import_window_rejects_reversed_dates():
    with pytest.raises(DateError, match="after end date"):
        import_window(date(2024, 3, 1), date(2024, 3, 5), date(2024, 3, 4))


def test_fakedate_is_local_midnight_and_validated():
    clock = RunClock.from_fakedate("2024/03/01")
    assert clock.today == date(2024, 3, 1) and clock.now == unix_midnight(date(2024, 3, 1))
    assert day_bounds(clock.today)[0] == clock.now
    for bad in ("2024/02/30", "01.03.2024", "", "2024-3-1"):
        with pytest.raises(DateError):
            parse_date(bad, "--fakedate")
