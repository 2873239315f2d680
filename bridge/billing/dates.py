"""Dates of billing runs: the run day (``--fakedate``), import windows and LMS day boundaries.

LMS stores document and cash times as unix seconds interpreted in the server's local time zone
(``mktime``), so every boundary here is computed in local time as well.
"""

from __future__ import annotations

import re
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta

_DATE_RE = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})$")


class DateError(ValueError):
    """A date given by the operator is not valid; the message says which and why."""


def parse_date(value: str, what: str = "date") -> date:
    """Parse ``YYYY-MM-DD`` or ``YYYY/MM/DD`` (LMS's --fakedate form)."""
    m = _DATE_RE.match((value or "").strip())
    if not m:
        raise DateError(f"{what} {value!r} is not a date; use YYYY-MM-DD or YYYY/MM/DD")
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError as exc:
        raise DateError(f"{what} {value!r} is not a valid calendar date ({exc}); use a "
                        "real day as YYYY-MM-DD") from None


def unix_midnight(day: date) -> int:
    """Local midnight of ``day`` as unix seconds (what LMS's mktime(0,0,0,m,d,y) gives)."""
    return int(time.mktime((day.year, day.month, day.day, 0, 0, 0, 0, 0, -1)))


def day_bounds(day: date) -> tuple[int, int]:
    """[start, end) of a local calendar day in unix seconds (DST days are 23 or 25 h long)."""
    return unix_midnight(day), unix_midnight(day + timedelta(days=1))


def local_date(ts: int) -> date:
    return datetime.fromtimestamp(ts).date()


@dataclass(frozen=True)
class RunClock:
    """"Now" of a billing run: LMS's lms-payments semantics for ``--fakedate``.

    With a fake date the run time is that day's local midnight (as lms-payments' localtime2());
    without one it is the real current time.
    """

    today: date
    now: int

    @classmethod
    def from_fakedate(cls, fakedate: str | None) -> RunClock:
        if fakedate:
            day = parse_date(fakedate, "--fakedate")
            return cls(today=day, now=unix_midnight(day))
        now = int(time.time())
        return cls(today=local_date(now), now=now)


def first_of_previous_month(day: date) -> date:
    first = day.replace(day=1)
    return (first - timedelta(days=1)).replace(day=1)


def import_window(today: date, start: date | None = None,
                  end: date | None = None) -> tuple[date, date]:
    """Default window: the 1st of the previous month through today, both inclusive.

    Starting on the 1st (not the 2nd, as one original did) means an event dated on a month's
    first day is always inside some run's window.
    """
    start = start or first_of_previous_month(today)
    end = end or today
    if start > end:
        raise DateError(f"start date {start.isoformat()} is after end date {end.isoformat()}; "
                        "swap them")
    return start, end
