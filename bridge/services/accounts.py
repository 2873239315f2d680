"""TV accounts (installation addresses) and their services as shown to the operator (manual 3.x).

Raw SMS structures are turned into what the screens need: counts without closed accounts (bug
#11), ``stb_max``/``stb_left`` per order, status labels, greyed rows against the real today (bug
#12) and, per row, which actions are allowed now — the API refuses the others.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from bridge import cache as tags
from bridge import validation as v
from bridge.cutoff.store import forget_lock
from bridge.services import customers as cs
from bridge.services.context import Conflict, Context, NotFound, today

STATUS_LABELS = {1: "Wydaj STB", 2: "Oczekuje na instalację", 3: "Zainstalowana"}
ADDRESS_FIELDS = ("cust_i_street", "cust_i_home_nr", "cust_i_flat", "cust_i_postal_code",
                  "cust_i_city")


# SGT (and lmstv's own export) fill an address part that does not exist with "." or "-",
# because SMS refuses it empty; operators must see an empty part, not "Bocheńska 35/.".
PLACEHOLDERS = (".", "-")


def shown_part(value: Any) -> str:
    text = "" if value is None else str(value).strip()
    return "" if text in PLACEHOLDERS else text


def lms_install_address(cust: dict[str, Any]) -> dict[str, str]:
    """The LMS customer's address as a new account's installation address, split like the export
    does (bridge/lms/address.py), placeholders left empty for the form."""
    from bridge.lms.address import split_address

    parts = split_address(cust.get("address"))
    return {"cust_i_street": shown_part(parts.street), "cust_i_home_nr": shown_part(parts.house),
            "cust_i_flat": shown_part(parts.flat),
            "cust_i_postal_code": shown_part(cust.get("zip")),
            "cust_i_city": shown_part(cust.get("city"))}


def truthy(value: Any) -> bool:
    if isinstance(value, str):
        return value.strip() not in ("", "0", "false", "f", "n")
    return bool(value)


def as_int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def stb_max(pkg_class: str | None) -> int:
    """Devices allowed by a package: ``pkg_device(N)`` in its class string, else 0."""
    m = re.search(r"pkg_device\((\d+)\)", pkg_class or "")
    return int(m.group(1)) if m else 0


def allowed_models(pkg_additional_type: str | None) -> list[str]:
    return [m.strip() for m in (pkg_additional_type or "").split(",") if m.strip()]


def raw_accounts(ctx: Context, customer_id: int, number: str) -> list[dict[str, Any]]:
    return cs.as_list(ctx.read(f"CustomerGetSubscriptions{number}",
                               [tags.customer_tag(customer_id)],
                               lambda: ctx.sms.custGetSubscriptions(number)))


def account_stbs(ctx: Context, customer_id: int, account_id: int) -> list[dict[str, Any]]:
    return cs.as_list(ctx.read(f"AccountGetSTB{account_id}",
                               [tags.customer_tag(customer_id), tags.TAG_CUSTOMER_STB],
                               lambda: ctx.sms.accountGetSTB(account_id)))


def shape_stb(ctx: Context, stb: dict[str, Any], subnet_names: dict[int, str]) -> dict[str, Any]:
    out = dict(stb)
    out["subnet_id"] = as_int(stb.get("subnet_id"))
    out["cust_order_id"] = as_int(stb.get("cust_order_id"))
    out["subnet_name"] = subnet_names.get(out["subnet_id"]) if out["subnet_id"] else None
    serial = stb.get("stb_serial")
    out["trace_url"] = f"{ctx.sms_web_url}stock/tracestb/stb/{serial}" if serial else None
    return out


def shape_subscription(sub: dict[str, Any], account_active: bool,
                       stbs: list[dict[str, Any]], on: dt.date) -> dict[str, Any]:
    out = dict(sub)
    out["subscription_id"] = as_int(sub.get("subscription_id"))
    out["cust_order_id"] = as_int(sub.get("cust_order_id"))
    status = as_int(sub.get("order_status_id")) or 0
    out["order_status_id"] = status
    out["status_label"] = STATUS_LABELS.get(status, f"Status {status}")
    valid_to = sub.get("sub_valid_to") or None
    out["sub_valid_to"] = valid_to
    terminated = valid_to is not None
    ended = terminated and str(valid_to)[:10].replace("/", "-") < on.isoformat()
    out["inactive"] = bool(ended or status != 3)
    out["pkg_base"] = "pkg_base" in str(sub.get("pkg_class") or "")
    out["allowed_models"] = allowed_models(sub.get("pkg_additional_type"))
    mine = [s for s in stbs if s.get("cust_order_id") == out["cust_order_id"]]
    out["stbs"] = mine
    out["stb_max"] = stb_max(sub.get("pkg_class"))
    out["stb_count"] = len(mine)
    out["stb_left"] = max(0, out["stb_max"] - len(mine))
    out["allowed"] = {
        "activate": not terminated and status == 2,
        "terminate": not terminated and status == 3,
        "upgrade": False, "gift": False,
        "issue_stb": not terminated and account_active and out["stb_left"] > 0,
    }
    return out


def shape_account(ctx: Context, number: str, acc: dict[str, Any], stbs: list[dict[str, Any]],
                  on: dt.date) -> dict[str, Any]:
    active = truthy(acc.get("acc_active"))
    subs = [shape_subscription(s, active, stbs, on) for s in cs.as_list(acc.get("subscriptions"))]
    out = {k: val for k, val in acc.items() if k != "subscriptions"}
    for field in ADDRESS_FIELDS:
        out[field] = shown_part(acc.get(field))
    out["account_id"] = as_int(acc.get("account_id"))
    out["number"] = f"{number}/{out['account_id']}"
    out["acc_active"] = 1 if active else 0
    out["locked"] = not active
    out["closed"] = truthy(acc.get("acc_closed"))
    out["stbs"] = stbs
    out["subscriptions"] = subs
    out["allowed"] = {"edit": True, "delete": not subs, "lock": active, "unlock": not active,
                      # SMS takes packagesEntitle wherever it takes packagesAdd (manual §4.3:
                      # any new service may be added active), not only on an empty account.
                      "add_service": active, "add_and_activate": active}
    return out


def summary(accounts: list[dict[str, Any]]) -> dict[str, Any]:
    """``Konta TV (N) (M wstrzymane)`` over accounts that are not closed."""
    open_ = [a for a in accounts if not a["closed"]]
    locked = sum(1 for a in open_ if a["locked"])
    label = f"Konta TV ({len(open_)})" + (f" ({locked} wstrzymane)" if locked else "")
    return {"accounts": len(open_), "locked": locked, "label": label}


def subnet_names(ctx: Context) -> dict[int, str]:
    from bridge.services.subnets import raw_subnets

    return {as_int(s.get("subnet_id")): str(s.get("subnet_name") or "")
            for s in raw_subnets(ctx)}


def list_accounts(ctx: Context, customer_id: int) -> dict[str, Any]:
    """Accounts with services and STBs (manual 3.4), without offers."""
    _, number = cs.linked_customer(ctx, customer_id)
    names = subnet_names(ctx)
    on = today()
    accounts = []
    for acc in raw_accounts(ctx, customer_id, number):
        if truthy(acc.get("acc_closed")):
            continue
        aid = as_int(acc.get("account_id"))
        stbs = [shape_stb(ctx, s, names) for s in account_stbs(ctx, customer_id, aid)]
        accounts.append(shape_account(ctx, number, acc, stbs, on))
    return {"summary": summary(accounts), "accounts": accounts}


def find_account(ctx: Context, customer_id: int, account_id: int, *,
                 fresh: bool = False) -> tuple[str, dict[str, Any]]:
    """This customer's account ``account_id`` (raw SMS struct); 404 if not theirs."""
    _, number = cs.linked_customer(ctx, customer_id)
    if fresh:
        saved, ctx.fresh = ctx.fresh, True
        try:
            accounts = raw_accounts(ctx, customer_id, number)
        finally:
            ctx.fresh = saved
    else:
        accounts = raw_accounts(ctx, customer_id, number)
    for acc in accounts:
        if as_int(acc.get("account_id")) == account_id:
            return number, acc
    raise NotFound(f"Klient LMS o ID {customer_id} nie ma konta TV {account_id}.")


def find_subscription(ctx: Context, customer_id: int, account_id: int, subscription_id: int,
                      *, fresh: bool = True) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """(cust_number, shaped account, shaped subscription) — fresh, for rule checks."""
    number, acc = find_account(ctx, customer_id, account_id, fresh=fresh)
    stbs = [shape_stb(ctx, s, {}) for s in account_stbs(ctx, customer_id, account_id)]
    shaped = shape_account(ctx, number, acc, stbs, today())
    for sub in shaped["subscriptions"]:
        if sub["subscription_id"] == subscription_id:
            return number, shaped, sub
    raise NotFound(f"Konto TV {account_id} nie ma usługi {subscription_id}.")


# -- changes -----------------------------------------------------------------------------------

def _address(body: dict[str, Any]) -> dict[str, str]:
    form = v.Form(body)
    out = {
        "cust_i_street": form.field("cust_i_street", v.text, max_len=100),
        "cust_i_home_nr": form.field("cust_i_home_nr", v.text, max_len=20),
        "cust_i_flat": form.field("cust_i_flat", v.text, max_len=20, required=False) or "",
        "cust_i_postal_code": form.field("cust_i_postal_code", v.postal_code),
        "cust_i_city": form.field("cust_i_city", v.text, max_len=100),
    }
    form.done()
    return out  # type: ignore[return-value]


def add_account(ctx: Context, customer_id: int, body: dict[str, Any]) -> dict[str, Any]:
    data = _address(body)
    cust = cs.lms_customer(ctx, customer_id)
    if cust.get("deleted") or int(cust.get("status") or 0) == 1:
        raise ctx.refused("account.add", customer_id, data, Conflict(
            "Nie można dodać konta TV klientowi usuniętemu ani w stanie „zainteresowany”."))
    number, exported = cs.ensure_linked(ctx, customer_id)
    ctx.change("account.add", customer_id, {"cust_number": number, **data},
               lambda: ctx.sms.accountAdd(number, data), [tags.customer_tag(customer_id)])
    return {"cust_number": number, "exported": exported}


def edit_account(ctx: Context, customer_id: int, account_id: int,
                 body: dict[str, Any]) -> dict[str, Any]:
    data = _address(body)
    find_account(ctx, customer_id, account_id)
    ctx.change("account.edit", customer_id, {"account_id": account_id, **data},
               lambda: ctx.sms.accountEdit(account_id, data), [tags.customer_tag(customer_id)])
    return {"account_id": account_id}


def delete_account(ctx: Context, customer_id: int, account_id: int) -> dict[str, Any]:
    _, acc = find_account(ctx, customer_id, account_id, fresh=True)
    if cs.as_list(acc.get("subscriptions")):
        raise ctx.refused("account.delete", customer_id, {"account_id": account_id}, Conflict(
            "Nie można usunąć konta z usługami. Najpierw zakończ usługi."))
    ctx.change("account.delete", customer_id, {"account_id": account_id},
               lambda: ctx.sms.accountDel(account_id), [tags.customer_tag(customer_id)])
    return {"account_id": account_id}


def lock_account(ctx: Context, customer_id: int, account_id: int, lock: bool) -> dict[str, Any]:
    find_account(ctx, customer_id, account_id)
    action = "account.lock" if lock else "account.unlock"
    call = ctx.sms.accountLock if lock else ctx.sms.accountUnlock
    ctx.change(action, customer_id, {"account_id": account_id}, lambda: call(account_id),
               [tags.customer_tag(customer_id)])
    # The operator took the account over: follow-cutoff must never unlock it later.
    forget_lock(ctx.db, account_id)
    return {"account_id": account_id, "locked": lock}
