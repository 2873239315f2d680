"""Billing events and balances (API methods 31–32).

Each installed (status 3) subscription with a price is billed once per calendar month it is
active, materialised lazily up to the business clock's month, so a window always returns the
same events with the same ids.  Sale date: the 1st of the month, or the activation day when the
service started later that month.  group_id (SGT's report id) is the month as YYYYMM.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal

from bridge.sandbox import catalog, faults
from bridge.sandbox.ops_packages import STATUS_ACTIVE
from bridge.sandbox.values import iso, month_start, next_month, parse_amount, parse_date

VAT = float(catalog.VAT)


def report_id(d: date) -> int:
    return d.year * 100 + d.month


class BillingOps:
    """Mixin over :class:`bridge.sandbox.store.Store`."""

    def make_event(self, number: str, account_id: int, package_id: int, day: str, desc: str,
                   gross: Decimal, b2b: Decimal, *, event_id: int | None = None,
                   group_id: int | None = None, vat: float = VAT,
                   external: int | str | None = None) -> tuple:
        if external is None:
            c = self.customers.get(number)
            external = c["cust_external_id"] if c else ""
        return (event_id if event_id is not None else self.next_id("event"), external, number,
                account_id, package_id, day, desc, vat, float(gross), float(b2b),
                group_id if group_id is not None else report_id(parse_date(day)))

    def penalty_event(self, s: dict, desc: str, gross: Decimal, b2b: Decimal) -> None:
        a = self.accounts[s["account_id"]]
        self.add_event(self.make_event(a["cust_number"], a["account_id"], s["package_id"],
                                       iso(self.today()), desc, gross, b2b))

    def bill_through_today(self) -> None:
        """Materialise the monthly fee events of every month up to the business clock's."""
        today = self.today()
        current = today.strftime("%Y-%m")
        for s in self.subscriptions.values():
            if s["order_status_id"] != STATUS_ACTIVE or s["_billed"] >= current:
                continue
            p = self.packages[s["package_id"]]
            start = parse_date(s["sub_valid_from"])
            if start > today:
                continue
            end = parse_date(s["sub_valid_to"]) if s["sub_valid_to"] else today
            month = month_start(start)
            if s["_billed"]:
                month = max(month, next_month(parse_date(s["_billed"] + "-01")))
            a = self.accounts[s["account_id"]]
            while month <= min(end, today):
                if p.price > 0:
                    day = max(month, start)
                    self.add_event(self.make_event(
                        a["cust_number"], a["account_id"], p.package_id, iso(day),
                        f"{p.name} - abonament {month:%m/%Y}", p.price, p.b2b))
                month = next_month(month)
            s["_billed"] = current

    def billingEventsGet(self, start_date: object, end_date: object,  # noqa: N802
                         id: str = "") -> Iterator[tuple]:  # noqa: A002 - SGT's name
        """The window's events, lazily (the server writes them after releasing the lock)."""
        start, end = parse_date(start_date), parse_date(end_date)
        if start > end:
            raise faults.fault(faults.BAD_WINDOW, "Data początkowa okresu jest późniejsza niż "
                               "data końcowa")
        self.bill_through_today()
        events = self.iter_events_between(iso(start), iso(end))
        if id != "":
            try:
                wanted = int(str(id).strip())
            except ValueError:
                raise faults.bad_params("billingEventsGet", "id musi być numerem raportu") from None
            return (e for e in events if e[10] == wanted)
        return events

    def setCustomerPaymentInfo(self, upload_date: object, payment_info: object) -> int:
        day = parse_date(upload_date)
        if payment_info == []:
            payment_info = {}
        if not isinstance(payment_info, dict):
            raise faults.fault(faults.BAD_PAYMENT_INFO, "payment_info musi być strukturą "
                               "indeksowaną numerem klienta")
        balances: dict[str, str] = {}
        for number, info in payment_info.items():
            self.customer(number)
            if not isinstance(info, dict) or set(info) != {"cust_total_balance"}:
                raise faults.fault(faults.BAD_PAYMENT_INFO, f"Dane płatności klienta {number} "
                                   "muszą zawierać wyłącznie cust_total_balance")
            value = info["cust_total_balance"]
            balances[number] = "" if value is None else f"{parse_amount(value, number):.2f}"
        for number, balance in balances.items():
            self.customers[number]["cust_total_balance"] = balance
        self.payment_info = {"upload_date": iso(day), "payment_info": payment_info}
        return len(balances)
