"""Conversions of incoming XML-RPC values (dates, ids, money) with SMS-style faults."""

from __future__ import annotations

import calendar
import re
import xmlrpc.client
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation

from bridge.sandbox import faults

_DATE_RE = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})$")
_AMOUNT_RE = re.compile(r"^-?\d{1,9}([.,]\d{1,2})?$")


def parse_date(value: object) -> date:
    """A date as SMS accepts it: "YYYY-MM-DD", "YYYY/MM/DD" or an XML-RPC dateTime."""
    if isinstance(value, xmlrpc.client.DateTime):
        value = value.value[:8]
        value = f"{value[:4]}-{value[4:6]}-{value[6:8]}"
    if not isinstance(value, str):
        raise faults.bad_date(value)
    m = _DATE_RE.match(value.strip())
    if not m:
        raise faults.bad_date(value)
    try:
        return date(int(m.group(1)), int(m.group(2)), int(m.group(3)))
    except ValueError:
        raise faults.bad_date(value) from None


def optional_date(value: object) -> date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return parse_date(value)


def iso(d: date | None) -> str:
    return d.isoformat() if d else ""


def month_end(d: date) -> date:
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def month_start(d: date) -> date:
    return d.replace(day=1)


def add_months(d: date, months: int) -> date:
    """Same day ``months`` later, clamped to the month's last day."""
    index = d.year * 12 + d.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return date(year, month + 1, min(d.day, last))


def next_month(d: date) -> date:
    return month_end(d) + timedelta(days=1)


def parse_amount(value: object, what: str) -> Decimal:
    """Money as SMS forms send it: "12.50", "12,50", an int or a double."""
    if isinstance(value, bool):
        raise faults.fault(faults.BAD_AMOUNT, f"Nieprawidłowa kwota ({what}): {value}")
    if isinstance(value, int | float):
        return Decimal(str(round(float(value), 2))).quantize(Decimal("0.01"))
    if isinstance(value, str) and _AMOUNT_RE.match(value.strip()):
        try:
            return Decimal(value.strip().replace(",", ".")).quantize(Decimal("0.01"))
        except InvalidOperation:
            pass
    raise faults.fault(faults.BAD_AMOUNT, f"Nieprawidłowa kwota ({what}): {value!s}")
