"""Is an SMS billing event's customer the LMS customer it names?  One rule for import, invoicing
and the list, so the operator sees the same reason everywhere.

An event is linked when its ``cust_external_id`` names an existing, not deleted LMS customer
whose ``tv_cust_number`` is the event's ``cust_number``.  Anything else is never invoiced.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

NO_EXTERNAL_ID = "no_external_id"
NO_CUSTOMER = "no_customer"
CUSTOMER_DELETED = "customer_deleted"
NUMBER_MISMATCH = "number_mismatch"
SUSPENDED = "suspended"
NO_TAX = "no_tax"

REASON_TEXT = {
    NO_EXTERNAL_ID: "SMS customer has no external id (Zewnętrzne ID) set",
    NO_CUSTOMER: "no LMS customer with the SMS customer's external id",
    CUSTOMER_DELETED: "the LMS customer is deleted",
    NUMBER_MISMATCH: "the LMS customer is not linked to this SMS customer number",
    SUSPENDED: "TV invoicing is suspended for the customer",
    NO_TAX: "no LMS tax rate matches the event's VAT on the invoice date",
}

REASON_TEXT_PL = {
    NO_EXTERNAL_ID: "klient SMS nie ma uzupełnionego Zewnętrznego ID",
    NO_CUSTOMER: "brak klienta LMS o Zewnętrznym ID z SMS",
    CUSTOMER_DELETED: "klient LMS jest usunięty",
    NUMBER_MISMATCH: "klient LMS nie jest powiązany z tym numerem klienta SMS",
    SUSPENDED: "fakturowanie TV klienta jest wstrzymane",
    NO_TAX: "brak stawki VAT w LMS zgodnej z VAT zdarzenia na dzień faktury",
}


def customers_for_linkage(db: Any, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """id -> {tv_cust_number, tv_suspend_billing, deleted} for the given LMS customer ids."""
    wanted = sorted({int(i) for i in ids if i})
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start:start + 1000]
        marks = ", ".join(["%s"] * len(chunk))
        for row in db.query("SELECT id, tv_cust_number, tv_suspend_billing, deleted "
                            f"FROM customers WHERE id IN ({marks})", chunk):
            out[int(row["id"])] = row
    return out


def link_problem(customerid: int | None, cust_number: str,
                 customer: dict[str, Any] | None) -> str | None:
    """The reason an event cannot be invoiced for want of a customer link, or None if linked."""
    if not customerid:
        return NO_EXTERNAL_ID
    if customer is None:
        return NO_CUSTOMER
    if int(customer.get("deleted") or 0):
        return CUSTOMER_DELETED
    if (customer.get("tv_cust_number") or "") != cust_number:
        return NUMBER_MISMATCH
    return None
