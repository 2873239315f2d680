"""First synchronisation (manual "Pierwsza synchronizacja"): fill ``customers.tv_cust_number``
from the SMS customers' external ids.

Re-runnable.  Never overwrites: an SMS customer whose external id names no LMS customer, an
LMS customer already linked to another number, a number already on another customer, or an
external id claimed by two SMS customers, or a deleted LMS customer, is reported as a conflict
and left alone.  LMS links
to numbers SMS does not know, or whose SMS customer names another LMS id, are reported stale.
"""

from __future__ import annotations

import logging
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bridge.billing.smscustomers import external_id, sms_customers
from bridge.lms.customers import LinkConflict, link_tv_number

log = logging.getLogger("lmstv.billing")


@dataclass
class SyncResult:
    linked: list[tuple[str, int]] = field(default_factory=list)
    already: int = 0
    no_external_id: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    stale: list[str] = field(default_factory=list)
    dry_run: bool = False


def sync_ids(db: Any, sms: Any, *, dry_run: bool = False) -> SyncResult:
    result = SyncResult(dry_run=dry_run)
    sms_list = sms_customers(sms)
    pairs: list[tuple[str, int]] = []
    all_numbers: set[str] = set()
    for c in sms_list:
        number = str(c.get("cust_number") or "").strip()
        if not number:
            continue
        all_numbers.add(number)
        ext = external_id(c.get("cust_external_id"))
        if ext is None:
            result.no_external_id.append(number)
        else:
            pairs.append((number, ext))
    claims = Counter(ext for _, ext in pairs)
    lms = {int(r["id"]): r for r in db.query(
        "SELECT id, tv_cust_number, deleted FROM customers")}
    owner = {r["tv_cust_number"]: cid for cid, r in lms.items() if r["tv_cust_number"]}
    sms_by_number = dict(pairs)
    for number, ext in sorted(pairs):
        customer = lms.get(ext)
        if claims[ext] > 1:
            others = sorted(n for n, e in pairs if e == ext and n != number)
            result.conflicts.append(f"SMS customer {number}: external id {ext} is also used by "
                                    f"SMS customer(s) {', '.join(others)}; not linked")
        elif customer is None:
            result.conflicts.append(f"SMS customer {number}: external id {ext} names no LMS "
                                    "customer; not linked")
        elif int(customer["deleted"] or 0) and customer["tv_cust_number"] != number:
            # A deleted LMS customer gets no invoices: linking it would only hide the
            # SMS customer's events behind "customer_deleted".
            result.conflicts.append(f"SMS customer {number}: external id {ext} names a "
                                    "deleted LMS customer; not linked")
        elif customer["tv_cust_number"] == number:
            result.already += 1
        elif customer["tv_cust_number"]:
            result.conflicts.append(f"SMS customer {number}: LMS customer {ext} is already "
                                    f"linked to SMS customer {customer['tv_cust_number']}; "
                                    "not changed")
        elif number in owner and owner[number] != ext:
            result.conflicts.append(f"SMS customer {number}: the number is already on LMS "
                                    f"customer {owner[number]}; not linked to {ext}")
        elif dry_run:
            result.linked.append((number, ext))
        else:
            try:
                link_tv_number(db, ext, number)
                result.linked.append((number, ext))
                owner[number] = ext
            except LinkConflict as exc:
                result.conflicts.append(f"SMS customer {number}: {exc}; not linked to {ext}")
    for number, cid in sorted(owner.items(), key=lambda kv: kv[1]):
        if number not in all_numbers:
            result.stale.append(f"LMS customer {cid} is linked to SMS customer {number}, which "
                                "SMS does not list")
        elif number in sms_by_number and sms_by_number[number] != cid:
            result.stale.append(f"LMS customer {cid} is linked to SMS customer {number}, whose "
                                f"external id is {sms_by_number[number]}")
    return result
