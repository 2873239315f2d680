"""What TV invoicing reads from LMS's own tables: number plans, taxes, divisions, customers,
customer groups and the invoicing defaults of ``uiconfig`` -- loaded once per run, in bulk."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from bridge.billing.numbering import DEFAULT_NUMBER_TEMPLATE, DOC_INVOICE, YEARLY
from bridge.lms import flavour
from bridge.lms.finance import pick_tax

DEFAULT_PAYTIME = 14  # lms-payments' payments.deadline default
DEFAULT_PAYTYPE = 2  # LMS's PAYTYPE_TRANSFER, lms-payments' payments.paytype default


@dataclass(frozen=True)
class NumberPlan:
    id: int
    template: str
    period: int


NO_PLAN = NumberPlan(0, DEFAULT_NUMBER_TEMPLATE, YEARLY)
# numberplans.customertype NULL on current LMS (a plan for every customer type)
ANY_TYPE = -1


def _valid_at(row: dict[str, Any], at: int) -> bool:
    return int(row["datefrom"] or 0) <= at and (not int(row["dateto"] or 0)
                                                or int(row["dateto"]) >= at)


class LmsBillingData:
    """Number plans, taxes, divisions and defaults of one run (read once, reused per customer).

    ``at`` is the run's time: on current LMS a default plan serves only while it is valid
    (``datefrom``/``dateto``), as in its lms-payments.
    """

    def __init__(self, db: Any, at: int | None = None) -> None:
        self.plans: dict[int, NumberPlan] = {}
        # (division, customer type or ANY_TYPE) -> the default invoice plan's id
        self.default_plans: dict[tuple[int, int], int] = {}
        rules = flavour.detect(db).numberplan_rules
        extra = (", n.datefrom, n.dateto, COALESCE(n.customertype, -1) AS customertype"
                 if rules else "")
        for row in db.query(
                f"SELECT n.id, n.template, n.period, n.isdefault{extra}, "
                "COALESCE(a.divisionid, 0) AS divid FROM numberplans n "
                "LEFT JOIN numberplanassignments a ON a.planid = n.id "
                "WHERE n.doctype = %s ORDER BY n.id", [DOC_INVOICE]):
            plan = NumberPlan(int(row["id"]), row["template"] or DEFAULT_NUMBER_TEMPLATE,
                              int(row["period"] or 0) or YEARLY)
            self.plans[plan.id] = plan
            if not int(row["isdefault"] or 0):
                continue
            if rules and at is not None and not _valid_at(row, at):
                continue
            # lms-payments' rule: the default invoice plan assigned to the customer's
            # division (on current LMS: for the customer's type, else for any type); a default
            # plan assigned to no division serves division 0.
            ctype = int(row["customertype"]) if rules else ANY_TYPE
            self.default_plans.setdefault((int(row["divid"]), ctype), plan.id)
        self.divisions = {int(r["id"]): r for r in db.query(flavour.divisions_sql(db, (
            "id", "name", "shortname", "address", "city", "zip", "countryid", "ten", "regon",
            "account", "inv_header", "inv_footer", "inv_author", "inv_cplace", "inv_paytime",
            "inv_paytype")))}
        self.taxes = db.query("SELECT id, value, taxed, validfrom, validto FROM taxes "
                              "ORDER BY id")
        conf = {(r["section"], r["var"]): r["value"] for r in db.query(
            "SELECT section, var, value FROM uiconfig WHERE disabled = 0 AND "
            "section IN ('invoices', 'payments')")}
        self.default_paytime = _int_or(conf.get(("invoices", "paytime")),
                                       _int_or(conf.get(("payments", "deadline")),
                                               DEFAULT_PAYTIME))
        self.default_paytype = _int_or(conf.get(("invoices", "paytype")),
                                       _int_or(conf.get(("payments", "paytype")),
                                               DEFAULT_PAYTYPE))

    def plan_for(self, division_id: int, configured: int | None,
                 customer_type: int | None = None) -> NumberPlan:
        """The configured plan, else the division's default invoice plan for the customer's
        type, else its default for any type, else the same of division 0, else LMS's plan 0."""
        if configured:
            return self.plans[configured]
        ctype = ANY_TYPE if customer_type is None else int(customer_type)
        for key in ((division_id or 0, ctype), (division_id or 0, ANY_TYPE), (0, ctype),
                    (0, ANY_TYPE)):
            plan_id = self.default_plans.get(key)
            if plan_id:
                return self.plans[plan_id]
        return NO_PLAN

    def tax_for(self, vat: Decimal, cdate: int) -> int | None:
        """The id of the LMS tax whose rate is ``vat`` (a fraction) valid at ``cdate``."""
        tax = pick_tax(self.taxes, vat, cdate)
        return int(tax["id"]) if tax else None

    def paytime(self, customer: dict[str, Any]) -> int:
        """Customer's pay time, else (-1 = default) the division's, else LMS's configured one."""
        value = customer.get("paytime")
        if value is not None and int(value) != -1:
            return int(value)
        div = self.divisions.get(int(customer.get("divisionid") or 0))
        if div and div.get("inv_paytime") is not None:
            return int(div["inv_paytime"])
        return self.default_paytime

    def paytype(self, customer: dict[str, Any]) -> int:
        """Customer's pay type, else the division's, else LMS's configured one (LMS's order)."""
        if customer.get("paytype"):
            return int(customer["paytype"])
        div = self.divisions.get(int(customer.get("divisionid") or 0))
        if div and div.get("inv_paytype"):
            return int(div["inv_paytype"])
        return self.default_paytype


def _int_or(value: Any, default: int) -> int:
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return default


def load_customers(db: Any, ids: Iterable[int]) -> dict[int, dict[str, Any]]:
    """Invoice snapshot fields of customers, by id (chunked IN lists)."""
    wanted = sorted({int(i) for i in ids})
    out: dict[int, dict[str, Any]] = {}
    for start in range(0, len(wanted), 1000):
        chunk = wanted[start:start + 1000]
        marks = ", ".join(["%s"] * len(chunk))
        fields, joins = flavour.customer_address_sql(db, "c")
        for row in db.query(
                "SELECT c.id, c.lastname, c.name, c.ten, c.ssn, c.divisionid, c.type, c.paytime, "
                f"c.paytype, c.deleted, c.tv_cust_number, c.tv_suspend_billing, {fields} "
                f"FROM customers c{joins} WHERE c.id IN ({marks})", chunk):
            out[int(row["id"])] = row
    return out


def unknown_groups(db: Any, names: Iterable[str]) -> list[str]:
    existing = {str(r["name"]).upper() for r in db.query("SELECT name FROM customergroups")}
    return [n for n in names if n.upper() not in existing]
