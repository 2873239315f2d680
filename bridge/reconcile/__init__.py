"""Reconciliation LMS ↔ SMS: every place where the two disagree, with the money involved.

Reads SMS once per kind of data (the customer list, the issued set-top boxes, the offer for
prices) plus the services of the few customers that need checking (deleted, disconnected or
billing-suspended LMS customers), and the LMS side with a handful of set-based queries, so
the report stays cheap on large operators.  ``read`` is how SMS is read: the API passes its
cached ``Context.read``, the CLI a direct call.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from bridge.billing.linkage import NO_TAX
from bridge.billing.smscustomers import external_id

Reader = Callable[[str, list[str], Callable[[], Any]], Any]

# LMS 1.11.17 customer status: 4 = CSTATUS_DISCONNECTED ("odłączony")
LMS_DISCONNECTED = 4
SUB_ACTIVE = 3

KINDS: dict[str, str] = {
    "deleted_with_services": "LMS customer deleted, TV services still active in SMS",
    "disconnected_with_services": "LMS customer disconnected, TV services still active in SMS",
    "suspended_with_services": "TV billing suspended in LMS while services are active",
    "sms_not_linked": "SMS customer no LMS customer is linked to",
    "stale_link": "LMS customer linked to an SMS number SMS does not list",
    "unbilled_unknown": "billing events of customers LMS does not invoice (never invoiced)",
    "unbilled_linked": "billing events of a linked customer an invoicing run passed over",
    "stb_on_deleted": "set-top box on the account of a deleted LMS customer",
}
TITLES_PL: dict[str, str] = {
    "deleted_with_services": "Klient usunięty w LMS, usługi TV aktywne w SMS",
    "disconnected_with_services": "Klient odłączony w LMS, usługi TV aktywne w SMS",
    "suspended_with_services": "Fakturowanie TV wstrzymane, usługi aktywne",
    "sms_not_linked": "Klient SMS bez powiązanego klienta LMS",
    "stale_link": "Powiązanie z numerem, którego SMS nie zna",
    "unbilled_unknown": "Zdarzenia bilingowe klientów, których LMS nie fakturuje",
    "unbilled_linked": "Niezafakturowane zdarzenia powiązanego klienta",
    "stb_on_deleted": "Dekoder na koncie klienta usuniętego w LMS",
}

# what the screen suggests when the operator lacks the right or lmstv cannot fix it itself
ACTIONS_PL: dict[str, str] = {
    "deleted_with_services": "Zablokuj konta TV",
    "disconnected_with_services": "Zablokuj konta TV",
    "suspended_with_services": "Wznów fakturowanie TV albo zablokuj konta TV",
    "sms_not_linked": "Znajdź klienta w LMS i powiąż go z numerem SMS",
    "stale_link": "Popraw albo usuń numer SMS w danych klienta LMS",
    "unbilled_unknown": "Powiąż klienta (albo przywróć usuniętego), potem zafakturuj",
    "unbilled_linked": "Zafakturuj zdarzenia",
    "stb_on_deleted": "Odbierz dekoder i zwróć go na magazyn",
}


@dataclass
class Finding:
    kind: str
    customer_id: int | None
    customer_name: str
    cust_number: str
    problem: str
    amount: Decimal | None
    action: str           # suggested action, English (CLI); the screen words its own
    fix: dict[str, Any] = field(default_factory=dict)  # what a fix button sends, if any

    def as_json(self) -> dict[str, Any]:
        d = asdict(self)
        d["amount"] = None if self.amount is None else f"{self.amount:.2f}"
        d["action_pl"] = ACTIONS_PL[self.kind]
        return d


@dataclass
class Report:
    findings: list[Finding]

    def summary(self) -> dict[str, dict[str, Any]]:
        out: dict[str, dict[str, Any]] = {}
        for kind in KINDS:
            rows = [f for f in self.findings if f.kind == kind]
            total = sum((f.amount or Decimal(0) for f in rows), Decimal(0))
            out[kind] = {"count": len(rows), "total": f"{total:.2f}",
                         "title": KINDS[kind], "title_pl": TITLES_PL[kind]}
        return out

    def as_json(self) -> dict[str, Any]:
        return {"summary": self.summary(), "findings": [f.as_json() for f in self.findings]}


def _as_list(reply: Any) -> list[dict[str, Any]]:
    if reply in (None, "") or reply == {}:
        return []
    if isinstance(reply, dict):
        return [reply]
    return [r for r in reply if isinstance(r, dict)] if isinstance(reply, list) else []


def _prices(groups: Any) -> dict[int, Decimal]:
    out: dict[int, Decimal] = {}
    for g in _as_list(groups):
        for p in _as_list(g.get("packages")):
            try:
                out[int(p["package_id"])] = Decimal(str(p.get("pkg_price_gross") or 0))
            except (KeyError, ValueError, ArithmeticError):
                continue
    return out


def _live(sub: dict[str, Any], today_iso: str) -> bool:
    to = str(sub.get("sub_valid_to") or "")[:10].replace("/", "-")
    status = int(sub.get("order_status_id") or 0)
    return status == SUB_ACTIVE and (not to or to >= today_iso)


def active_services(accounts: Any, prices: dict[int, Decimal],
                    today_iso: str) -> tuple[list[int], int, Decimal]:
    """(open active account ids with live services, number of services, monthly price)."""
    acc_ids: list[int] = []
    count, money = 0, Decimal(0)
    for a in _as_list(accounts):
        if not int(a.get("acc_active") or 0) or int(a.get("acc_closed") or 0):
            continue  # a locked or closed account gives no TV
        live = [s for s in _as_list(a.get("subscriptions")) if _live(s, today_iso)]
        if live:
            acc_ids.append(int(a["account_id"]))
            count += len(live)
            money += sum((prices.get(int(s.get("package_id") or 0), Decimal(0)) for s in live),
                         Decimal(0))
    return acc_ids, count, money


def _link_fix(customer_id: int, number: str) -> dict[str, Any]:
    # the customer export links by external id (and sends LMS's data to SMS)
    return {"action": "link", "customer_id": customer_id, "cust_number": number,
            "requests": [f"POST /api/v1/customers/{customer_id}/export"]}


def _name(row: dict[str, Any] | None) -> str:
    if not row:
        return ""
    return f"{row.get('lastname') or ''} {row.get('name') or ''}".strip()


def reconcile(db: Any, sms: Any, read: Reader | None = None, *, today: date | None = None,
              only: Iterable[str] | None = None) -> Report:
    from bridge.cache import TAG_CUSTOMERS, TAG_PACKAGES, TAG_STBLIST, customer_tag

    def direct(_key: str, _tags: list[str], call: Callable[[], Any]) -> Any:
        return call()

    rd = read or direct
    kinds = set(only or KINDS)
    today_iso = (today or date.today()).isoformat()
    findings: list[Finding] = []

    lms_rows = db.query("SELECT id, lastname, name, deleted, status, tv_cust_number, "
                        "tv_suspend_billing FROM customers")
    by_id = {int(r["id"]): r for r in lms_rows}
    owner = {str(r["tv_cust_number"]): int(r["id"]) for r in lms_rows if r["tv_cust_number"]}

    sms_list = _as_list(rd("CustomerList", [TAG_CUSTOMERS], lambda: sms.custList("")))
    sms_numbers = {str(c.get("cust_number") or "") for c in sms_list} - {""}

    # -- LMS customers that must not (or do not pay to) have TV: check their services --------
    service_kinds = {"deleted_with_services", "disconnected_with_services",
                     "suspended_with_services"} & kinds
    if service_kinds:
        prices = _prices(rd("PackageGetAll", [TAG_PACKAGES], sms.packageGetAll))
        for number, cid in sorted(owner.items(), key=lambda kv: kv[1]):
            r = by_id[cid]
            if int(r["deleted"] or 0):
                kind = "deleted_with_services"
            elif int(r["status"] or 0) == LMS_DISCONNECTED:
                kind = "disconnected_with_services"
            elif int(r["tv_suspend_billing"] or 0):
                kind = "suspended_with_services"
            else:
                continue
            if kind not in kinds or number not in sms_numbers:
                continue
            accounts = rd(f"CustomerGetSubscriptions{number}", [customer_tag(cid)],
                          lambda n=number: sms.custGetSubscriptions(n))
            acc_ids, count, money = active_services(accounts, prices, today_iso)
            if not count:
                continue
            if kind == "suspended_with_services":
                action, fix = "resume TV billing or lock the TV account(s)", {}
            else:
                action = f"lock TV account(s) {', '.join(map(str, acc_ids))}"
                fix = {"action": "lock", "customer_id": cid, "account_ids": acc_ids,
                       "requests": [f"POST /api/v1/customers/{cid}/accounts/{a}/lock"
                                    for a in acc_ids]}
            findings.append(Finding(kind, cid, _name(r), number,
                                    f"{count} active service(s) on account(s) "
                                    f"{', '.join(map(str, acc_ids))}", money, action, fix))

    # -- SMS customers nobody in LMS is linked to; links to numbers SMS does not list ---------
    if "sms_not_linked" in kinds:
        for c in sorted(sms_list, key=lambda c: str(c.get("cust_number"))):
            number = str(c.get("cust_number") or "")
            if not number or number in owner:
                continue
            ext = external_id(c.get("cust_external_id"))
            target = by_id.get(ext) if ext else None
            sms_name = f"{c.get('cust_surname') or ''} {c.get('cust_name') or ''}".strip()
            if target and not int(target["deleted"] or 0) and not target["tv_cust_number"]:
                findings.append(Finding(
                    "sms_not_linked", ext, _name(target), number,
                    f"SMS customer {sms_name} names LMS customer {ext}, which is not linked",
                    None, f"link LMS customer {ext} to {number}",
                    _link_fix(ext, number)))
            else:
                why = ("no external id" if ext is None else
                       f"external id {ext} names no LMS customer" if target is None else
                       f"external id {ext} names a deleted LMS customer"
                       if int(target["deleted"] or 0) else
                       f"external id {ext} names LMS customer already linked to "
                       f"{target['tv_cust_number']}")
                findings.append(Finding("sms_not_linked", None, "", number,
                                        f"SMS customer {sms_name}: {why}", None,
                                        "find the LMS customer and link by hand"))
    if "stale_link" in kinds:
        for number, cid in sorted(owner.items(), key=lambda kv: kv[1]):
            if number not in sms_numbers:
                findings.append(Finding("stale_link", cid, _name(by_id[cid]), number,
                                        f"SMS does not list customer {number}", None,
                                        "correct or clear the SMS number in LMS"))

    # -- events nobody will invoice: one grouped query -------------------------------------
    if "unbilled_unknown" in kinds:
        rows = db.query(
            "SELECT e.cust_number, MIN(e.customerid) AS ext, COUNT(*) AS events, "
            "SUM(e.be_gross) AS gross, MAX(c.id) AS cid, MAX(c.deleted) AS deleted "
            "FROM tv_billing_event e LEFT JOIN customers c ON c.tv_cust_number = e.cust_number "
            "WHERE e.docid IS NULL AND (c.id IS NULL OR c.deleted <> 0) "
            "GROUP BY e.cust_number ORDER BY e.cust_number")
        for r in rows:
            number = str(r["cust_number"])
            ext = int(r["ext"]) if r["ext"] is not None else None
            if r["cid"] is not None:
                cid, what = int(r["cid"]), "is deleted in LMS"
                target = by_id.get(cid)
                action, fix = "restore the customer or write the events off", {}
            else:
                target = by_id.get(ext) if ext else None
                cid = ext if target else None
                what = "is linked to no LMS customer"
                if target and not int(target["deleted"] or 0) and not target["tv_cust_number"]:
                    action = f"link LMS customer {ext} to {number}, then invoice"
                    fix = _link_fix(ext, number)
                else:
                    action, fix = "find the LMS customer, link, then invoice", {}
            findings.append(Finding("unbilled_unknown", cid, _name(target), number,
                                    f"{int(r['events'])} event(s) not invoiced: SMS customer "
                                    f"{number} {what}", Decimal(str(r["gross"] or 0)),
                                    action, fix))

    # -- events of linked, billable customers that an invoicing run skipped (e.g. imported
    #    before the link was made): lmstv can invoice them now, for that customer only
    if "unbilled_linked" in kinds:
        rows = db.query(
            "SELECT e.customerid AS cid, e.cust_number, COUNT(*) AS events, "
            "SUM(e.be_gross) AS gross FROM tv_billing_event e "
            "JOIN customers c ON c.id = e.customerid AND c.tv_cust_number = e.cust_number "
            "WHERE e.docid IS NULL AND e.tv_suspend_billing = 0 AND e.skip_reason IS NOT NULL "
            "AND e.skip_reason <> %s AND e.be_selling_date <= %s AND c.deleted = 0 "
            "AND c.tv_suspend_billing = 0 "
            "GROUP BY e.customerid, e.cust_number ORDER BY e.customerid", [NO_TAX, today_iso])
        for r in rows:
            cid, number = int(r["cid"]), str(r["cust_number"])
            findings.append(Finding(
                "unbilled_linked", cid, _name(by_id.get(cid)), number,
                f"{int(r['events'])} event(s) not invoiced although the customer is linked "
                "now", Decimal(str(r["gross"] or 0)), "invoice the events",
                {"action": "invoice", "customer_id": cid,
                 "requests": [f"POST /api/v1/customers/{cid}/billing/invoice"]}))

    # -- set-top boxes issued to deleted customers' accounts --------------------------------
    if "stb_on_deleted" in kinds:
        deleted = {n: cid for n, cid in owner.items() if int(by_id[cid]["deleted"] or 0)}
        if deleted:
            stbs = _as_list(rd("stbGetRegisteredcustomer", [TAG_STBLIST],
                               lambda: sms.stbGetRegistered("customer")))
            for s in sorted(stbs, key=lambda s: (str(s.get("cust_number")),
                                                 str(s.get("stb_mac")))):
                number = str(s.get("cust_number") or "")
                if number in deleted:
                    cid = deleted[number]
                    acc = int(s.get("account_id") or 0)
                    findings.append(Finding(
                        "stb_on_deleted", cid, _name(by_id[cid]), number,
                        f"STB {s.get('stb_mac')} on account {acc}", None,
                        f"collect the STB and unlink it from account {acc}",
                        {"action": "unlink_stb", "customer_id": cid, "account_id": acc,
                         "stb_mac": s.get("stb_mac"),
                         "requests": [f"DELETE /api/v1/customers/{cid}/accounts/{acc}/stb/"
                                      f"{s.get('stb_mac')}"]}))
    order = list(KINDS)
    findings.sort(key=lambda f: (order.index(f.kind), f.customer_id or 0, f.cust_number))
    return Report(findings)
