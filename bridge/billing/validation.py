"""Validation of SMS billing events (billingEventsGet) before anything is stored.

Every field is checked and nothing is guessed: a missing or malformed required field makes the
event invalid and it is reported with the SMS event id (when there is one) and the reason.
Unknown fields are ignored.  Money must be exact to the grosz; VAT must be a fraction (0.23),
never a percentage.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from bridge.billing.dates import DateError, parse_date

MAX_MONEY = Decimal("9999999.99")  # invoicecontents.value / cash.value are numeric(9,2)
MAX_BIGINT = 2**63 - 1
CENT = Decimal("0.01")
VAT_STEP = Decimal("0.0001")


@dataclass(frozen=True)
class BillingEvent:
    """One validated SMS billing event, ready for tv_billing_event."""

    beid: int
    customerid: int | None
    cust_number: str
    account_id: int
    package_id: int
    be_selling_date: date
    be_desc: str
    be_vat: Decimal
    be_gross: Decimal
    be_b2b_netto: Decimal | None
    group_id: int


@dataclass(frozen=True)
class InvalidEvent:
    """An event that failed validation: its id if readable, its position and every problem."""

    position: int
    beid: str
    problems: tuple[str, ...]

    def describe(self) -> str:
        ident = f"event id {self.beid}" if self.beid else f"event #{self.position + 1} (no id)"
        return f"{ident}: " + "; ".join(self.problems)


def _is_empty(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _int(raw: dict, key: str, problems: list[str], *, required: bool, minimum: int = 0,
         default: int | None = 0) -> int | None:
    value = raw.get(key)
    # The common case first (an import checks five ids per event, a million events a month).
    if value.__class__ is int and minimum <= value <= MAX_BIGINT:
        return value
    if _is_empty(value):
        if required:
            problems.append(f"{key} is missing")
        return default
    if isinstance(value, bool):
        problems.append(f"{key} {value!r} is not a whole number")
        return default
    if isinstance(value, float):
        if not value.is_integer():
            problems.append(f"{key} {value!r} is not a whole number")
            return default
        value = int(value)
    if isinstance(value, str):
        text = value.strip()
        if not (text.isascii() and text.isdigit()):  # '²' is isdigit() but not int()
            problems.append(f"{key} {value!r} is not a whole number")
            return default
        value = int(text)
    if not isinstance(value, int):
        problems.append(f"{key} has unexpected type {type(value).__name__}")
        return default
    if value < minimum or value > MAX_BIGINT:
        problems.append(f"{key} {value} is out of range")
        return default
    return value


def _decimal(value: Any) -> Decimal | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, float):
        if not math.isfinite(value):
            return None
        # repr() is the shortest text that round-trips, i.e. what SMS put on the wire.
        return Decimal(repr(value))
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, str):
        try:
            d = Decimal(value.strip().replace(",", "."))
        except InvalidOperation:
            return None
        return d if d.is_finite() else None
    return None


# Amounts, VAT rates and sale dates repeat across a reply's events: a valid conversion is kept
# by (type, value) -- 1, 1.0 and True compare equal but must not share an answer.
_MEMO_LIMIT = 20_000
_MEMO_TYPES = (str, float, int)
_money_memo: dict[tuple[type, Any], Decimal] = {}
_vat_memo: dict[tuple[type, Any], Decimal] = {}
_date_memo: dict[tuple[type, Any], date] = {}


def _remember(memo: dict[tuple[type, Any], Any], key: tuple[type, Any], value: Any) -> None:
    if len(memo) < _MEMO_LIMIT:
        memo[key] = value


def _money(raw: dict, key: str, problems: list[str], *, required: bool) -> Decimal | None:
    value = raw.get(key)
    if value.__class__ not in _MEMO_TYPES:  # unhashable or rare: no memo
        return _money_checked(value, key, problems, required=required)
    memo_key = (value.__class__, value)
    known = _money_memo.get(memo_key)
    if known is not None:
        return known
    q = _money_checked(value, key, problems, required=required)
    if q is not None:
        _remember(_money_memo, memo_key, q)
    return q


def _money_checked(value: Any, key: str, problems: list[str], *,
                   required: bool) -> Decimal | None:
    if _is_empty(value):
        if required:
            problems.append(f"{key} is missing")
        return None
    d = _decimal(value)
    if d is None:
        problems.append(f"{key} {value!r} is not an amount")
        return None
    q = d.quantize(CENT, rounding=ROUND_HALF_UP)
    if q != d:
        problems.append(f"{key} {value!r} has more than 2 decimal places")
        return None
    if abs(q) > MAX_MONEY:
        problems.append(f"{key} {value!r} is too large")
        return None
    return q


def _vat(raw: dict, problems: list[str]) -> Decimal | None:
    value = raw.get("be_vat")
    if value.__class__ not in _MEMO_TYPES:  # unhashable or rare: no memo
        return _vat_checked(value, problems)
    memo_key = (value.__class__, value)
    known = _vat_memo.get(memo_key)
    if known is not None:
        return known
    q = _vat_checked(value, problems)
    if q is not None:
        _remember(_vat_memo, memo_key, q)
    return q


def _vat_checked(value: Any, problems: list[str]) -> Decimal | None:
    if _is_empty(value):
        problems.append("be_vat is missing")
        return None
    d = _decimal(value)
    if d is None:
        problems.append(f"be_vat {value!r} is not a number")
        return None
    if d < 0 or d >= 1:
        hint = " (looks like a percentage; SMS sends a fraction such as 0.23)" if d >= 1 else ""
        problems.append(f"be_vat {value!r} is not a VAT fraction between 0 and 1{hint}")
        return None
    q = d.quantize(VAT_STEP, rounding=ROUND_HALF_UP)
    if abs(q - d) > Decimal("0.00000001"):
        problems.append(f"be_vat {value!r} has more than 4 decimal places")
        return None
    return q


def _selling_date(raw: dict, problems: list[str]) -> date | None:
    value = raw.get("be_selling_date")
    if value.__class__ is not str:  # dates and xmlrpc DateTime: not worth a memo
        return _selling_date_checked(value, problems)
    known = _date_memo.get((str, value))
    if known is not None:
        return known
    d = _selling_date_checked(value, problems)
    if d is not None:
        _remember(_date_memo, (str, value), d)
    return d


def _selling_date_checked(value: Any, problems: list[str]) -> date | None:
    if _is_empty(value):
        problems.append("be_selling_date is missing")
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if hasattr(value, "timetuple") and hasattr(value, "value"):  # xmlrpc.client.DateTime
        tt = value.timetuple()
        return date(tt.tm_year, tt.tm_mon, tt.tm_mday)
    if isinstance(value, str):
        text = value.strip()
        # SMS sends YYYY-MM-DD; tolerate a time part ("2024-03-01 00:00:00") but nothing else.
        if len(text) > 10 and text[10] in " T":
            text = text[:10]
        try:
            return parse_date(text, "be_selling_date")
        except DateError as exc:
            problems.append(str(exc))
            return None
    problems.append(f"be_selling_date has unexpected type {type(value).__name__}")
    return None


def _link(raw: dict, problems: list[str]) -> tuple[int | None, str]:
    """The event's customer link: (LMS customer id or None, SMS customer number)."""
    cust_number_raw = raw.get("cust_number")
    cust_number = ""
    if _is_empty(cust_number_raw):
        problems.append("cust_number is missing")
    elif isinstance(cust_number_raw, int) and not isinstance(cust_number_raw, bool):
        cust_number = str(cust_number_raw)
    elif isinstance(cust_number_raw, str):
        cust_number = cust_number_raw.strip()
        if len(cust_number) > 20:
            problems.append(f"cust_number {cust_number_raw!r} is longer than 20 characters")
    else:
        problems.append(f"cust_number has unexpected type {type(cust_number_raw).__name__}")
    # 0 or empty means "no external id" in SMS: the event is kept but cannot be invoiced.
    ext = _int(raw, "cust_external_id", problems, required=False, default=None)
    customerid = ext if ext and ext <= 2**31 - 1 else None
    if ext and ext > 2**31 - 1:
        problems.append(f"cust_external_id {ext} is not an LMS customer id")
    return customerid, cust_number


def link_fields(raw: dict) -> tuple[int | None, str] | None:
    """An event's (customer id or None, customer number) exactly as :func:`validate_event`
    reads them, or None when either is malformed (the import's summary of the customers not
    linked to LMS counts events it skips as already stored by these)."""
    problems: list[str] = []
    link = _link(raw, problems)
    return None if problems else link


def validate_event(raw: Any, position: int = 0) -> BillingEvent | InvalidEvent:
    """Check one struct from billingEventsGet; return the event or every problem found."""
    if not isinstance(raw, dict):
        return InvalidEvent(position, "", (f"not a struct but {type(raw).__name__}",))
    problems: list[str] = []
    beid = _int(raw, "id", problems, required=True, minimum=1, default=None)
    customerid, cust_number = _link(raw, problems)
    account_id = _int(raw, "account_id", problems, required=False)
    package_id = _int(raw, "package_id", problems, required=False)
    group_id = _int(raw, "group_id", problems, required=False)
    selling = _selling_date(raw, problems)
    desc_raw = raw.get("be_desc")
    desc = ""
    if _is_empty(desc_raw):
        problems.append("be_desc is missing")
    elif not isinstance(desc_raw, str):
        problems.append(f"be_desc has unexpected type {type(desc_raw).__name__}")
    else:
        desc = desc_raw.strip()
    vat = _vat(raw, problems)
    gross = _money(raw, "be_gross", problems, required=True)
    b2b = _money(raw, "be_b2b_netto", problems, required=False)
    if problems or beid is None or selling is None or vat is None or gross is None:
        shown = str(raw.get("id", "")) if not _is_empty(raw.get("id")) else ""
        return InvalidEvent(position, shown[:40], tuple(problems) or ("invalid",))
    return BillingEvent(beid=beid, customerid=customerid, cust_number=cust_number,
                        account_id=account_id or 0, package_id=package_id or 0,
                        be_selling_date=selling, be_desc=desc, be_vat=vat, be_gross=gross,
                        be_b2b_netto=b2b, group_id=group_id or 0)


def validate_reply(reply: Any) -> tuple[list[BillingEvent], list[InvalidEvent]]:
    """Validate a whole billingEventsGet reply; raises ValueError when it is not a list.

    An id that appears twice with different content is reported and neither copy is kept (SMS
    must not do that); an exact repeat is counted once.
    """
    if reply is None or reply == "":
        return [], []
    if isinstance(reply, dict) and not reply:
        return [], []  # PHP-side SMS sends an empty struct for "no events"
    if not isinstance(reply, list):
        raise ValueError(f"billingEventsGet returned {type(reply).__name__}, expected a list "
                         "of events")
    good: dict[int, BillingEvent] = {}
    conflicting: set[int] = set()
    bad: list[InvalidEvent] = []
    for pos, raw in enumerate(reply):
        ev = validate_event(raw, pos)
        if isinstance(ev, InvalidEvent):
            bad.append(ev)
            continue
        seen = good.get(ev.beid)
        if seen is None:
            good[ev.beid] = ev
        elif seen != ev:
            # Neither copy is trusted: storing one would be a guess.
            conflicting.add(ev.beid)
            bad.append(InvalidEvent(pos, str(ev.beid), ("the same event id appears twice in "
                                                         "the reply with different content",)))
    return [ev for beid, ev in good.items() if beid not in conflicting], bad
