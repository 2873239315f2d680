"""Set-top boxes: stock list, register, remove, issue to a service, return, search (1.x)."""

from __future__ import annotations

from typing import Any

from bridge import cache as tags
from bridge import validation as v
from bridge.services import accounts as acs
from bridge.services import customers as cs
from bridge.services.context import Conflict, Context, NotFound

MODELS = ("VIP1910-9", "VIP1960", "STB-2101H", "STB-1001H", "MAG200", "MAG250", "VIP1003")
MODES = {"all": "", "stock": "stock", "customer": "customer"}
LIST_SORTS = ("stb_id", "stb_mac", "stb_serial", "stb_model", "stb_usage", "stb_ip",
              "cust_number", "lms_id")
SUGGESTIONS = 11
SEARCH_HITS = 20


def registered(ctx: Context, mode: str) -> list[dict[str, Any]]:
    show = MODES[mode]
    return cs.as_list(ctx.read(f"stbGetRegistered{show}", [tags.TAG_STBLIST],
                               lambda: ctx.sms.stbGetRegistered(show)))


def removal_refusal(stb: dict[str, Any]) -> str | None:
    """Why SMS would refuse ``stbRemove`` for this STB, or None when it can succeed.

    SMS removes only stock STBs the operator bought: an issued one must be returned first, and
    one bought through SGT (``stb_owner = sgt``) stays in SGT's books. The list offers
    "Usuń z bazy" only where this is None, and a removal is refused here before SMS is asked.
    """
    if stb.get("stb_usage") != "stock":
        return "STB jest wydany klientowi – najpierw zwróć go na magazyn."
    if str(stb.get("stb_owner") or "").lower() == "sgt":
        return "STB zakupiony przez SGT nie może zostać usunięty z bazy."
    return None


def _with_owner(ctx: Context, stbs: list[dict[str, Any]]) -> list[dict[str, Any]]:
    owners = cs.owners_by_number(ctx, stbs)
    out = []
    for s in stbs:
        item = cs.with_owner(s, owners)
        item["stb_id"] = acs.as_int(s.get("stb_id"))
        serial = s.get("stb_serial")
        item["trace_url"] = f"{ctx.sms_web_url}stock/tracestb/stb/{serial}" if serial else None
        item["can_remove"] = removal_refusal(s) is None
        out.append(item)
    return out


def stb_list(ctx: Context, mode: str, sort: str, order: str) -> dict[str, Any]:
    from bridge.services.paging import sort_items

    items = sort_items(_with_owner(ctx, registered(ctx, mode)), sort, order)
    return {"items": items, "total": len(items), "models": list(MODELS)}


def register(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    form = v.Form(body)
    mac = form.field("mac", v.mac)
    serial = form.field("serial", v.text, max_len=64)
    model = form.field("model", v.choice, MODELS)
    form.done()
    params = {"mac": mac, "serial": serial, "model": model}
    ctx.change("stb.register", None, params, lambda: ctx.sms.stbRegister(mac, serial, model),
               [tags.TAG_STBLIST])
    return {"stb_mac": mac}


def remove(ctx: Context, raw_mac: str) -> dict[str, Any]:
    mac = v.mac(raw_mac)
    saved, ctx.fresh = ctx.fresh, True
    try:
        every = registered(ctx, "all")
    finally:
        ctx.fresh = saved
    box = next((s for s in every if str(s.get("stb_mac", "")).upper() == mac), None)
    if box is None:
        raise NotFound(f"Nie ma STB o adresie MAC {mac}.")
    refusal = removal_refusal(box)
    if refusal is not None:
        raise ctx.refused("stb.remove", None, {"mac": mac}, Conflict(refusal))
    ctx.change("stb.remove", None, {"mac": mac}, lambda: ctx.sms.stbRemove(mac),
               [tags.TAG_STBLIST])
    return {"stb_mac": mac}


def _compact(mac: str) -> str:
    return mac.replace(":", "").lower()


def _search_text(query: str, field: str, min_len: int, drop: str) -> str:
    """The typed text, lower-cased, without ``drop`` separators; too short → 400 (only
    separators left would match every box)."""
    q = v.text(query, field, max_len=32).lower()
    for ch in drop:
        q = q.replace(ch, "")
    if len(q) < min_len:
        raise v.ValidationError({field: f"Wpisz co najmniej {min_len} "
                                        f"{'znaki' if min_len > 1 else 'znak'} (poza "
                                        "separatorami)."})
    return q


def search(ctx: Context, query: str) -> list[dict[str, Any]]:
    """Quick search: customers' STBs whose MAC contains the query (any spelling)."""
    q = _search_text(query, "mac", 2, ":-.")
    hits = [s for s in registered(ctx, "customer") if q in _compact(str(s.get("stb_mac") or ""))]
    hits = _with_owner(ctx, hits[:SEARCH_HITS])
    return [{k: h.get(k) for k in ("stb_mac", "stb_serial", "stb_model", "cust_number", "lms_id",
                                   "lms")} for h in hits]


def suggestions(ctx: Context, customer_id: int, account_id: int, subscription_id: int,
                query: str) -> list[dict[str, Any]]:
    q = _search_text(query, "q", 1, ":")
    _, _, sub = acs.find_subscription(ctx, customer_id, account_id, subscription_id, fresh=False)
    models = {m.lower() for m in sub["allowed_models"]}
    out = []
    for s in registered(ctx, "stock"):
        if models and str(s.get("stb_model") or "").lower() not in models:
            continue
        mac = str(s.get("stb_mac") or "")
        serial = str(s.get("stb_serial") or "")
        # `in`, not a truthy find(): a match at position 0 counts (the original missed it).
        if q in _compact(mac) or q in serial.lower():
            out.append({"stb_mac": mac, "stb_serial": serial, "stb_model": s.get("stb_model"),
                        "label": f"{serial}, {s.get('stb_model')}"})
            if len(out) >= SUGGESTIONS:
                break
    return out


def issue(ctx: Context, customer_id: int, account_id: int, subscription_id: int,
          body: dict[str, Any]) -> dict[str, Any]:
    from bridge.services.subnets import raw_subnets

    form = v.Form(body)
    mac = form.field("mac", v.mac)
    subnet_id = form.field("subnet_id", v.positive_int)
    form.done()
    saved, ctx.fresh = ctx.fresh, True
    try:
        subnets = {acs.as_int(s.get("subnet_id")) for s in raw_subnets(ctx)}
        _, acc, sub = acs.find_subscription(ctx, customer_id, account_id, subscription_id)
        stock = registered(ctx, "stock")
    finally:
        ctx.fresh = saved
    params = {"account_id": account_id, "subscription_id": subscription_id, "mac": mac,
              "subnet_id": subnet_id, "cust_order_id": sub["cust_order_id"]}
    if subnet_id not in subnets:
        raise NotFound(f"Nie ma podsieci o ID {subnet_id}.")
    if sub["stb_left"] <= 0:
        raise ctx.refused("stb.issue", customer_id, params, Conflict(
            f"Ta usługa ma już maksymalną liczbę STB ({sub['stb_max']})."))
    if not sub["allowed"]["issue_stb"]:
        raise ctx.refused("stb.issue", customer_id, params, Conflict(
            "Do tej usługi nie można teraz wydać STB (usługa zakończona lub konto wstrzymane)."))
    box = next((s for s in stock if str(s.get("stb_mac", "")).upper() == mac), None)
    if box is None:
        raise ctx.refused("stb.issue", customer_id, params, Conflict(
            f"STB {mac} nie jest na magazynie."))
    models = {m.lower() for m in sub["allowed_models"]}
    if models and str(box.get("stb_model") or "").lower() not in models:
        raise ctx.refused("stb.issue", customer_id, params, Conflict(
            f"Do tej usługi można wydać tylko STB modelu: {', '.join(sub['allowed_models'])}."))
    order_id = sub["cust_order_id"]
    ctx.change("stb.issue", customer_id, params,
               lambda: ctx.sms.stbLink(account_id, mac, subnet_id, order_id),
               [tags.customer_tag(customer_id), tags.TAG_STBLIST])
    return {"stb_mac": mac, "subscription_id": subscription_id}


def give_back(ctx: Context, customer_id: int, account_id: int, raw_mac: str) -> dict[str, Any]:
    mac = v.mac(raw_mac)
    acs.find_account(ctx, customer_id, account_id)
    saved, ctx.fresh = ctx.fresh, True
    try:
        boxes = acs.account_stbs(ctx, customer_id, account_id)
    finally:
        ctx.fresh = saved
    if not any(str(s.get("stb_mac", "")).upper() == mac for s in boxes):
        raise NotFound(f"STB {mac} nie jest przypisany do konta TV {account_id}.")
    ctx.change("stb.return", customer_id, {"account_id": account_id, "mac": mac},
               lambda: ctx.sms.stbUnlink(account_id, mac),
               [tags.customer_tag(customer_id), tags.TAG_STBLIST])
    return {"stb_mac": mac, "account_id": account_id}
