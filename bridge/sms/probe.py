"""Read-only conformance probe of an SMS endpoint (``lmstv sms probe``).

Calls every READ method the module uses, with the arguments the module sends, and compares
each reply with what lmstv's client expects: list vs struct, the type of every member it
knows, date formats, the shape of empty results, and the fault for an unknown customer
number.  Never calls a method that changes anything in SMS: the method names are fixed here
and each is one of the client's read-only calls.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from bridge.sms.errors import SmsFault

READ_METHODS = ("custList", "custGetSubscriptions", "accountGetSTB", "packageGetAll",
                "packageGetAvail", "getPackagesForUpgrade", "getExtraPackagesForSubscription",
                "stbGetRegistered", "subnetList", "meldingerList", "billingEventsGet")

_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
INT_MEMBERS = {"account_id", "subscription_id", "cust_order_id", "package_id",
               "order_status_id", "subnet_id", "stb_id", "acc_active", "acc_closed", "id",
               "group_id"}
NUMBER_MEMBERS = {"pkg_price_gross", "be_vat", "be_gross", "be_b2b_netto"}
DATE_MEMBERS = {"sub_valid_from", "sub_valid_to", "cust_created_date", "acc_created_date",
                "be_selling_date", "pkg_valid_from", "pkg_valid_to"}
NULLABLE = {"sub_valid_to", "pkg_valid_to", "be_b2b_netto"}
LIST_MEMBERS = {"subscriptions", "packages"}
STRING_MEMBERS = {"cust_number", "cust_name", "cust_surname", "pkg_name", "stb_mac",
                  "stb_serial", "stb_model", "be_desc", "subnet_name", "pkgt_name"}
REQUIRED: dict[str, set[str]] = {
    "custList": {"cust_number", "cust_external_id", "cust_name", "cust_surname"},
    "custGetSubscriptions": {"account_id", "acc_active", "subscriptions"},
    "packageGetAll": {"pkgt_name", "packages"},
    "stbGetRegistered": {"stb_mac", "stb_usage", "cust_number", "account_id"},
    "subnetList": {"subnet_id"},
    "billingEventsGet": {"id", "cust_number", "be_selling_date", "be_gross", "be_vat"},
}
UNKNOWN_NUMBER = "999999999"
UNKNOWN_CUSTOMER_CODE = 2001  # SMS API v1.4.1: "Klient o numerze N nie istnieje"


@dataclass
class ProbeResult:
    calls: list[str] = field(default_factory=list)
    differences: list[str] = field(default_factory=list)

    def report(self) -> str:
        lines = ["lmstv sms probe: read-only conformance check of SMS", "", "calls made:"]
        lines += [f"  {c}" for c in self.calls]
        lines += ["", f"differences from what lmstv expects: {len(self.differences)}"]
        lines += [f"  - {d}" for d in self.differences] or ["  none"]
        return "\n".join(lines) + "\n"


def _tname(v: Any) -> str:
    return {bool: "boolean", int: "int", float: "double", str: "string", list: "array",
            dict: "struct", type(None): "nil"}.get(type(v), type(v).__name__)


def check_member(where: str, name: str, value: Any) -> list[str]:
    out: list[str] = []
    t = _tname(value)
    if value is None:
        if name in INT_MEMBERS | NUMBER_MEMBERS | DATE_MEMBERS - NULLABLE | LIST_MEMBERS \
                | STRING_MEMBERS and name not in NULLABLE:
            out.append(f"{where}.{name}: nil, expected a value")
        return out
    if name in INT_MEMBERS and t != "int":
        out.append(f"{where}.{name}: {t} {value!r}, expected int")
    elif name in NUMBER_MEMBERS and t not in ("int", "double"):
        out.append(f"{where}.{name}: {t} {value!r}, expected double")
    elif name in DATE_MEMBERS:
        if t != "string":
            out.append(f"{where}.{name}: {t} {value!r}, expected a date string YYYY-MM-DD")
        elif value and not _DATE.match(value):
            out.append(f"{where}.{name}: date {value!r} is not in the format YYYY-MM-DD")
    elif name in LIST_MEMBERS and t != "array":
        out.append(f"{where}.{name}: {t}, expected array")
    elif name in STRING_MEMBERS and t != "string":
        out.append(f"{where}.{name}: {t} {value!r}, expected string")
    return out


def check_structs(method: str, items: list[Any]) -> list[str]:
    out: list[str] = []
    need = REQUIRED.get(method, set())
    for i, item in enumerate(items[:200]):  # a sample keeps a big operator's probe short
        where = f"{method}[{i}]"
        if not isinstance(item, dict):
            out.append(f"{where}: {_tname(item)}, expected struct")
            continue
        missing = sorted(need - set(item))
        if missing:
            out.append(f"{where}: member(s) {', '.join(missing)} missing")
        for name, value in item.items():
            out += check_member(where, name, value)
            if name in LIST_MEMBERS and isinstance(value, list):
                inner = "subscriptions" if name == "subscriptions" else "packages"
                out += check_structs(f"{method}[{i}].{inner}", value)
    return _dedupe(out)


def _dedupe(lines: list[str]) -> list[str]:
    """One line per kind of difference (the first occurrence), not one per customer."""
    seen: set[str] = set()
    out = []
    for line in lines:
        key = re.sub(r"\[\d+\]", "[]", line.split(":")[0])
        if key not in seen:
            seen.add(key)
            out.append(line)
    return out


def probe(sms: Any, *, today: date | None = None) -> ProbeResult:
    """Run the probe; SmsUnavailable (SMS cannot be reached) propagates to the caller."""
    res = ProbeResult()
    # compare SMS's own replies, not the client's normalised or refused ones
    if hasattr(sms, "check_shapes"):
        sms.check_shapes = False

    def call(label: str, fn: Callable[[], Any], *, expect: str = "array") -> Any:
        res.calls.append(label)
        try:
            reply = fn()
        except SmsFault as exc:
            res.differences.append(f"{label}: fault {exc.code} {exc.message!r}, expected an "
                                   "answer")
            return None
        if expect == "array" and not isinstance(reply, list):
            what = "empty string" if reply == "" else _tname(reply)
            res.differences.append(f"{label}: {what}, expected array"
                                   + (" (empty result)" if reply in ("", {}, None) else ""))
            return [reply] if isinstance(reply, dict) else []
        if expect == "struct" and not isinstance(reply, dict):
            res.differences.append(f"{label}: {_tname(reply)}, expected struct")
            return {}
        return reply

    customers = call('custList("")', lambda: sms.custList(""))
    res.differences += check_structs("custList", customers or [])
    numbers = [str(c.get("cust_number")) for c in customers or [] if isinstance(c, dict)]
    if numbers:
        one = call(f'custList("{numbers[0]}")', lambda: sms.custList(numbers[0]),
                   expect="struct")
        res.differences += check_structs("custList(number)", [one] if one else [])
    # the unknown number: a fault with SMS's code and a text naming the number
    res.calls.append(f'custList("{UNKNOWN_NUMBER}")')
    try:
        got = sms.custList(UNKNOWN_NUMBER)
        res.differences.append(f'custList("{UNKNOWN_NUMBER}") (unknown number): answered '
                               f"{_tname(got)}, expected fault {UNKNOWN_CUSTOMER_CODE}")
    except SmsFault as exc:
        if exc.code != UNKNOWN_CUSTOMER_CODE:
            res.differences.append(f'custList("{UNKNOWN_NUMBER}") (unknown number): fault code '
                                   f"{exc.code}, expected {UNKNOWN_CUSTOMER_CODE}")
        if UNKNOWN_NUMBER not in exc.message:
            res.differences.append(f'custList("{UNKNOWN_NUMBER}") (unknown number): error text '
                                   f"{exc.message!r} does not name the number")

    accounts: list[Any] = []
    subs: list[dict[str, Any]] = []
    for number in numbers[:5]:
        got = call(f'custGetSubscriptions("{number}")',
                   lambda n=number: sms.custGetSubscriptions(n))
        res.differences += check_structs("custGetSubscriptions", got or [])
        for a in got or []:
            if isinstance(a, dict):
                accounts.append(a)
                subs += [s for s in a.get("subscriptions") or [] if isinstance(s, dict)]
        if len(accounts) >= 2 and subs:
            break
    for a in accounts[:2]:
        acc = a.get("account_id")
        if isinstance(acc, int):
            got = call(f"accountGetSTB({acc})", lambda x=acc: sms.accountGetSTB(x))
            res.differences += check_structs("accountGetSTB", got or [])
            got = call(f"packageGetAvail({acc})", lambda x=acc: sms.packageGetAvail(x))
            res.differences += check_structs("packageGetAvail", got or [])
    for s in subs[:1]:
        sid = s.get("subscription_id")
        if isinstance(sid, int):
            call(f"getPackagesForUpgrade({sid})", lambda x=sid: sms.getPackagesForUpgrade(x),
                 expect="struct")
            got = call(f"getExtraPackagesForSubscription({sid})",
                       lambda x=sid: sms.getExtraPackagesForSubscription(x))
            res.differences += check_structs("getExtraPackagesForSubscription", got or [])
    for label, fn, method in (
            ("packageGetAll()", sms.packageGetAll, "packageGetAll"),
            ('stbGetRegistered("")', lambda: sms.stbGetRegistered(""), "stbGetRegistered"),
            ("subnetList()", sms.subnetList, "subnetList"),
            ('meldingerList("")', lambda: sms.meldingerList(""), "meldingerList")):
        res.differences += check_structs(method, call(label, fn) or [])
    end = today or date.today()
    start = end.replace(day=1) - timedelta(days=1)
    got = call(f'billingEventsGet("{start}", "{end}", "")',
               lambda: sms.billingEventsGet(start, end, ""))
    res.differences += check_structs("billingEventsGet", got or [])
    # an empty result must still be an array: a day long before SMS existed
    got = call('billingEventsGet("2000-01-01", "2000-01-01", "")',
               lambda: sms.billingEventsGet(date(2000, 1, 1), date(2000, 1, 1), ""))
    return res
