"""LMS 1.11.17's invoice numbering rules, read from its source for the facts and rewritten.

A number plan (``numberplans``) has a period; a document's number is the highest number already
used by the same document type and plan inside the period that contains the document's
``cdate``, plus one.  The full number is the plan's template with ``%N`` (optionally zero padded,
``%05N``) replaced by the number, ``%I`` by the extended number, then run through strftime at
``cdate``.  Plan 0 (no plan) numbers yearly with the template ``%N/LMS/%Y``.
"""

from __future__ import annotations

import re
import time
from datetime import date, datetime, timedelta

from bridge.billing.dates import unix_midnight

# lib/definitions.php
DISPOSABLE, DAILY, WEEKLY, MONTHLY = 0, 1, 2, 3
QUARTERLY, YEARLY, CONTINUOUS, HALFYEARLY = 4, 5, 6, 7
DOC_INVOICE = 1
DEFAULT_NUMBER_TEMPLATE = "%N/LMS/%Y"

_N_RE = re.compile(r"%(\d*)N")


def _month_start(year: int, month: int) -> date:
    # month may run past 12 when adding a period length
    year += (month - 1) // 12
    month = (month - 1) % 12 + 1
    return date(year, month, 1)


def period_bounds(period: int | None, cdate: int) -> tuple[int, int] | None:
    """[start, end) in unix seconds of the numbering period holding ``cdate``.

    None for CONTINUOUS plans (numbers never restart).  An unknown or empty period counts as
    yearly, as in LMS.  Quarters and half-years are taken from ``cdate``'s own month (LMS
    1.11.17's GetNewDocumentNumber looks at the current month instead; lms-payments does it
    right, and so do we).
    """
    day = datetime.fromtimestamp(cdate).date()
    if period == CONTINUOUS:
        return None
    if period == DAILY:
        start, end = day, day + timedelta(days=1)
    elif period == WEEKLY:
        start = day - timedelta(days=day.isoweekday() - 1)
        end = start + timedelta(days=7)
    elif period == MONTHLY:
        start, end = _month_start(day.year, day.month), _month_start(day.year, day.month + 1)
    elif period == QUARTERLY:
        first = (day.month - 1) // 3 * 3 + 1
        start, end = _month_start(day.year, first), _month_start(day.year, first + 3)
    elif period == HALFYEARLY:
        first = 1 if day.month <= 6 else 7
        start, end = _month_start(day.year, first), _month_start(day.year, first + 6)
    else:
        start, end = date(day.year, 1, 1), date(day.year + 1, 1, 1)
    return unix_midnight(start), unix_midnight(end)


def format_number(number: int, template: str | None, cdate: int, ext_num: str = "") -> str:
    """LMS's docnumber(): the printable invoice number."""
    tpl = template or DEFAULT_NUMBER_TEMPLATE
    tpl = tpl.replace("%I", ext_num)
    tpl = _N_RE.sub(lambda m: f"{number:0{int(m.group(1) or 0)}d}", tpl)
    # A literal '%' left by the substitutions above must survive strftime untouched.
    return time.strftime(tpl, time.localtime(cdate))
