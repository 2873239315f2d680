"""Subnets ("VLAN"): list and split (manual 2.1, 2.2)."""

from __future__ import annotations

from typing import Any

from bridge import cache as tags
from bridge import validation as v
from bridge.services import accounts as acs
from bridge.services import customers as cs
from bridge.services.context import Context, NotFound
from bridge.services.paging import sort_items

LIST_SORTS = ("subnet_id", "subnet_name", "subnet_net", "subnet_mask")


def raw_subnets(ctx: Context) -> list[dict[str, Any]]:
    return cs.as_list(ctx.read("SubnetList", [tags.TAG_SUBNETS], ctx.sms.subnetList))


def subnet_list(ctx: Context, sort: str, order: str) -> dict[str, Any]:
    items = []
    for s in raw_subnets(ctx):
        item = dict(s)
        item["subnet_id"] = acs.as_int(s.get("subnet_id"))
        name = str(s.get("subnet_name") or "")
        item["split_names"] = [f"{name}.1", f"{name}.2"]
        items.append(item)
    items = sort_items(items, sort, order)
    return {"items": items, "total": len(items)}


def split(ctx: Context, subnet_id: int, body: dict[str, Any]) -> dict[str, Any]:
    form = v.Form(body)
    name1 = form.field("name1", v.text, max_len=64, required=False)
    name2 = form.field("name2", v.text, max_len=64, required=False)
    form.done()
    saved, ctx.fresh = ctx.fresh, True
    try:
        subnet = next((s for s in raw_subnets(ctx) if acs.as_int(s.get("subnet_id")) == subnet_id),
                      None)
    finally:
        ctx.fresh = saved
    if subnet is None:
        raise NotFound(f"Nie ma podsieci o ID {subnet_id}.")
    name = str(subnet.get("subnet_name") or "")
    name1 = name1 or f"{name}.1"
    name2 = name2 or f"{name}.2"
    if name1 == name2:
        raise v.ValidationError({"name2": "Nazwy obu części muszą się różnić."})
    # A split moves boxes between subnets: every customer's STB data is stale (bug #28).
    ctx.change("subnet.split", None, {"subnet_id": subnet_id, "name1": name1, "name2": name2},
               lambda: ctx.sms.subnetSplit(subnet_id, name1, name2),
               [tags.TAG_SUBNETS, tags.TAG_CUSTOMERS, tags.TAG_STBLIST, tags.TAG_CUSTOMER_STB])
    return {"subnet_id": subnet_id, "name1": name1, "name2": name2}
