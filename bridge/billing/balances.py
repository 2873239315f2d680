"""Balance export to the subscribers' TV panel (manual 4.4, API doc 5.4).

Every SMS customer linked to an LMS customer (external id = LMS id, and that customer carries
the SMS number) gets the customer's LMS balance -- the sum of all cash rows, 0.00 when there
are none -- in ONE setCustomerPaymentInfo call, amounts as text with 2 decimals.  SMS customers
that cannot be matched are listed, not guessed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bridge.billing.linkage import link_problem
from bridge.billing.smscustomers import external_id, sms_customers
from bridge.lms.customers import balances_by_ids, customers_by_ids

log = logging.getLogger("lmstv.billing")
ZERO = Decimal("0.00")


@dataclass
class BalanceExport:
    upload_date: date
    sent: dict[str, str] = field(default_factory=dict)
    unmatched: list[tuple[str, str, str]] = field(default_factory=list)  # number, ext id, reason
    dry_run: bool = False


def export_balances(db: Any, sms: Any, today: date, *, dry_run: bool = False) -> BalanceExport:
    result = BalanceExport(upload_date=today, dry_run=dry_run)
    customers = sms_customers(sms)
    wanted: dict[str, int] = {}
    for c in customers:
        number = str(c.get("cust_number") or "").strip()
        if not number:
            continue
        ext = external_id(c.get("cust_external_id"))
        wanted[number] = ext or 0
    lms = customers_by_ids(db, [i for i in wanted.values() if i])
    linked: dict[str, int] = {}
    for number, ext in sorted(wanted.items()):
        problem = link_problem(ext or None, number, lms.get(ext) if ext else None)
        if problem:
            result.unmatched.append((number, str(ext or ""), problem))
        else:
            linked[number] = ext
    balances = balances_by_ids(db, linked.values())
    result.sent = {number: f"{balances.get(cid, ZERO):.2f}" for number, cid in linked.items()}
    if result.sent and not dry_run:
        sms.setCustomerPaymentInfo(today, {n: {"cust_total_balance": v}
                                           for n, v in result.sent.items()})
    log.info("balance export: %d sent, %d SMS customers unmatched", len(result.sent),
             len(result.unmatched))
    return result
