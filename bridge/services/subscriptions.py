"""Packages and services: on sale, available, add, activate, terminate, upgrade, gift (4.x)."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from bridge import cache as tags
from bridge import validation as v
from bridge.services import accounts as acs
from bridge.services import customers as cs
from bridge.services.context import Conflict, Context, today
from bridge.services.paging import sort_items


def _groups(raw: Any, fields: tuple[str, ...]) -> list[dict[str, Any]]:
    out = []
    for group in cs.as_list(raw):
        pkgs = []
        for p in cs.as_list(group.get("packages")):
            item = {k: p.get(k) for k in fields}
            item["package_id"] = acs.as_int(p.get("package_id"))
            pkgs.append(item)
        # Groups keep SGT's order (basic packages first); packages in a group by name, in
        # Polish alphabetical order like every other list.
        out.append({"pkgt_name": group.get("pkgt_name"),
                    "packages": sort_items(pkgs, "pkg_name", "asc")})
    return out


def packages_on_sale(ctx: Context) -> list[dict[str, Any]]:
    raw = ctx.read("PackageGetAll", [tags.TAG_PACKAGES], ctx.sms.packageGetAll)
    return _groups(raw, ("package_id", "pkg_name", "pkg_desc", "pkg_valid_from", "pkg_valid_to"))


def account_packages(ctx: Context, customer_id: int, account_id: int) -> list[dict[str, Any]]:
    """Packages available for this customer's account (404 if the account is not theirs)."""
    acs.find_account(ctx, customer_id, account_id)
    return packages_available(ctx, customer_id, account_id)


def packages_available(ctx: Context, customer_id: int, account_id: int) -> list[dict[str, Any]]:
    """Unchecked: callers know ``account_id`` is one of the customer's accounts."""
    raw = ctx.read(f"PackageGetAvail{account_id}",
                   [tags.customer_tag(customer_id), tags.TAG_PACKAGES],
                   lambda: ctx.sms.packageGetAvail(account_id))
    return _groups(raw, ("package_id", "pkg_name", "pkg_desc"))


def _money(value: Any) -> str:
    try:
        return str(Decimal(str(value if value not in (None, "") else 0)).quantize(Decimal("0.01")))
    except InvalidOperation:
        return "0.00"


def upgrade_offers_of(raw: Any) -> list[dict[str, Any]]:
    pkgs = raw.get("packages") if isinstance(raw, dict) else raw
    out = []
    for p in cs.as_list(pkgs):
        dates = []
        for d in cs.as_list(p.get("upgrade_dates")):
            fee = d.get("termination_fee") or {}
            dates.append({"date": str(d.get("upgrade_date") or "")[:10].replace("/", "-"),
                          "fee_cust_gross": _money(fee.get("fee_cust_gross")),
                          "fee_b2b_netto": _money(fee.get("fee_b2b_netto"))})
        out.append({"package_id": acs.as_int(p.get("package_id")), "pkg_name": p.get("pkg_name"),
                    "pkg_desc": p.get("pkg_desc"), "dates": dates})
    return out


def gifts_of(raw: Any) -> list[dict[str, Any]]:
    return [{"package_id": acs.as_int(p.get("package_id")), "pkg_name": p.get("pkg_name"),
             "pkg_desc": p.get("pkg_desc")} for p in cs.as_list(raw)]


def raw_upgrades(ctx: Context, customer_id: int, subscription_id: int) -> Any:
    return ctx.read(f"GetPackagesForUpgrade{subscription_id}", [tags.customer_tag(customer_id)],
                    lambda: ctx.sms.getPackagesForUpgrade(subscription_id))


def raw_gifts(ctx: Context, customer_id: int, subscription_id: int) -> Any:
    return ctx.read(f"GetExtraPackagesForSubscription{subscription_id}",
                    [tags.customer_tag(customer_id)],
                    lambda: ctx.sms.getExtraPackagesForSubscription(subscription_id))


def subscriptions(ctx: Context, customer_id: int, account_id: int) -> list[dict[str, Any]]:
    number, acc = acs.find_account(ctx, customer_id, account_id)
    names = acs.subnet_names(ctx)
    stbs = [acs.shape_stb(ctx, s, names) for s in acs.account_stbs(ctx, customer_id, account_id)]
    shaped = acs.shape_account(ctx, number, acc, stbs, today())
    for sub in shaped["subscriptions"]:
        if sub["allowed"]["terminate"]:
            sub["upgrade_offers"] = upgrade_offers_of(
                raw_upgrades(ctx, customer_id, sub["subscription_id"]))
            sub["gifts"] = gifts_of(raw_gifts(ctx, customer_id, sub["subscription_id"]))
        else:
            sub["upgrade_offers"], sub["gifts"] = [], []
        sub["allowed"]["upgrade"] = bool(sub["upgrade_offers"])
        sub["allowed"]["gift"] = bool(sub["gifts"])
    return shaped["subscriptions"]


# -- changes -----------------------------------------------------------------------------------

def add_packages(ctx: Context, customer_id: int, account_id: int,
                 body: dict[str, Any]) -> dict[str, Any]:
    form = v.Form(body)
    ids = form.field("package_ids", v.id_list)
    start = form.field("start_date", v.date, default=today().isoformat())
    # No hidden default (bug #33): adding billable services must be asked for explicitly.
    activate = form.field("activate", v.boolean)
    form.done()
    _, acc = acs.find_account(ctx, customer_id, account_id, fresh=True)
    params = {"account_id": account_id, "package_ids": ids, "start_date": start,
              "activate": activate}
    action = "subscription.add_activate" if activate else "subscription.add"
    if not acs.truthy(acc.get("acc_active")):
        raise ctx.refused(action, customer_id, params, Conflict(
            "Konto TV jest wstrzymane – najpierw wznów usługi."))
    saved, ctx.fresh = ctx.fresh, True
    try:
        avail = {p["package_id"] for g in packages_available(ctx, customer_id, account_id)
                 for p in g["packages"]}
    finally:
        ctx.fresh = saved
    missing = [i for i in ids if i not in avail]
    if missing:
        # Well-formed, but SMS's offer says no: a conflict with the account's state, not bad
        # input (400 is for requests that can never succeed as written).
        raise Conflict("Pakiety niedostępne dla tego konta: " + ", ".join(map(str, missing))
                       + ".")
    call = ctx.sms.packagesEntitle if activate else ctx.sms.packagesAdd
    ctx.change(action, customer_id, params, lambda: call(account_id, ids, start),
               [tags.customer_tag(customer_id)])
    return {"account_id": account_id, "package_ids": ids, "activated": bool(activate)}


def activate(ctx: Context, customer_id: int, account_id: int,
             subscription_id: int) -> dict[str, Any]:
    _, _, sub = acs.find_subscription(ctx, customer_id, account_id, subscription_id)
    params = {"account_id": account_id, "subscription_id": subscription_id}
    if not sub["allowed"]["activate"]:
        raise ctx.refused("subscription.activate", customer_id, params, Conflict(
            "Tę usługę można aktywować tylko w stanie „Oczekuje na instalację”."))
    ctx.change("subscription.activate", customer_id, params,
               lambda: ctx.sms.subscriptionActivate(account_id, subscription_id),
               [tags.customer_tag(customer_id)])
    return {"subscription_id": subscription_id}


def terminate(ctx: Context, customer_id: int, account_id: int, subscription_id: int,
              body: dict[str, Any]) -> dict[str, Any]:
    form = v.Form(body)
    term_date = form.field("term_date", v.date)
    fee = form.field("term_fee", v.amount, required=False) or ""
    desc = form.field("term_desc", v.text, max_len=255, required=False) or ""
    form.done()
    _, _, sub = acs.find_subscription(ctx, customer_id, account_id, subscription_id)
    params = {"account_id": account_id, "subscription_id": subscription_id,
              "term_date": term_date, "term_fee": fee, "term_desc": desc}
    if not sub["allowed"]["terminate"]:
        raise ctx.refused("subscription.terminate", customer_id, params, Conflict(
            "Terminować można tylko zainstalowaną, niezakończoną usługę."))
    ctx.change("subscription.terminate", customer_id, params,
               lambda: ctx.sms.subscriptionTerminate(account_id, subscription_id, term_date,
                                                     fee, desc),
               [tags.customer_tag(customer_id)])
    return {"subscription_id": subscription_id, "term_date": term_date, "term_fee": fee}


def upgrade_offers(ctx: Context, customer_id: int, account_id: int,
                   subscription_id: int) -> list[dict[str, Any]]:
    acs.find_subscription(ctx, customer_id, account_id, subscription_id, fresh=False)
    return upgrade_offers_of(raw_upgrades(ctx, customer_id, subscription_id))


def gifts(ctx: Context, customer_id: int, account_id: int,
          subscription_id: int) -> list[dict[str, Any]]:
    acs.find_subscription(ctx, customer_id, account_id, subscription_id, fresh=False)
    return gifts_of(raw_gifts(ctx, customer_id, subscription_id))


def upgrade(ctx: Context, customer_id: int, account_id: int, subscription_id: int,
            body: dict[str, Any]) -> dict[str, Any]:
    form = v.Form(body)
    package_id = form.field("package_id", v.positive_int)
    date = form.field("date", v.date)
    form.done()
    _, _, sub = acs.find_subscription(ctx, customer_id, account_id, subscription_id)
    params = {"account_id": account_id, "subscription_id": subscription_id,
              "package_id": package_id, "date": date}
    if not sub["allowed"]["terminate"]:
        raise ctx.refused("subscription.upgrade", customer_id, params, Conflict(
            "Upgrade jest możliwy tylko dla zainstalowanej, niezakończonej usługi."))
    saved, ctx.fresh = ctx.fresh, True
    try:
        offers = upgrade_offers_of(raw_upgrades(ctx, customer_id, subscription_id))
    finally:
        ctx.fresh = saved
    offer = next((o for o in offers if o["package_id"] == package_id), None)
    if offer is None:
        raise Conflict("Ten pakiet nie jest oferowany jako upgrade tej usługi.")
    # The date must belong to the chosen package (the original's shared radios, bug #13).
    if date not in {d["date"] for d in offer["dates"]}:
        raise Conflict("Ta data przejścia nie należy do wybranego pakietu.")
    ctx.change("subscription.upgrade", customer_id, params,
               lambda: ctx.sms.packageUpgrade(subscription_id, package_id, date),
               [tags.customer_tag(customer_id)])
    return {"subscription_id": subscription_id, "package_id": package_id, "date": date}


def add_gift(ctx: Context, customer_id: int, account_id: int, subscription_id: int,
             body: dict[str, Any]) -> dict[str, Any]:
    form = v.Form(body)
    package_id = form.field("package_id", v.positive_int)
    form.done()
    _, _, sub = acs.find_subscription(ctx, customer_id, account_id, subscription_id)
    params = {"account_id": account_id, "subscription_id": subscription_id,
              "package_id": package_id}
    if not sub["allowed"]["terminate"]:
        raise ctx.refused("subscription.gift", customer_id, params, Conflict(
            "Prezent można wydać tylko do zainstalowanej, niezakończonej usługi."))
    saved, ctx.fresh = ctx.fresh, True
    try:
        offered = {g["package_id"] for g in gifts_of(raw_gifts(ctx, customer_id,
                                                               subscription_id))}
    finally:
        ctx.fresh = saved
    if package_id not in offered:
        raise Conflict("Ten pakiet nie jest dostępny jako prezent dla tej usługi.")
    ctx.change("subscription.gift", customer_id, params,
               lambda: ctx.sms.addExtraPackageForSubscription(subscription_id, package_id),
               [tags.customer_tag(customer_id)])
    return {"subscription_id": subscription_id, "package_id": package_id}
