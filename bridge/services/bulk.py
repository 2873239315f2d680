"""Bulk TV actions for an LMS customer group, as the TV menu screen uses them: a preview
(members and the count) and the run itself, every change in the audit log."""

from __future__ import annotations

from typing import Any

from bridge import cache as tags
from bridge import validation as v
from bridge.bulk.run import (
    ACTIONS,
    BadInput,
    UnknownGroup,
    customer_groups,
    group_members,
    run_bulk,
)
from bridge.services.context import Context, NotFound, ServiceError


def _group(ctx: Context, data: dict[str, Any]) -> str:
    form = v.Form(data)
    name = form.field("group", v.text, max_len=255)
    form.done()
    return name  # type: ignore[return-value]


def groups(ctx: Context) -> dict[str, Any]:
    return {"groups": [{"id": g.id, "name": g.name, "customers": g.customers,
                        "linked": g.linked} for g in customer_groups(ctx.db)]}


def preview(ctx: Context, args: dict[str, Any]) -> dict[str, Any]:
    group = _group(ctx, {"group": args.get("group")})
    try:
        members = group_members(ctx.db, group)
    except UnknownGroup:
        raise NotFound(f"W LMS nie ma grupy klientów „{group}”.") from None
    return {"group": group, "count": len(members),
            "linked": sum(1 for m in members if m.number),
            "customers": [{"id": m.id, "name": m.name, "tv_cust_number": m.number}
                          for m in members]}


def run(ctx: Context, action: str, data: dict[str, Any]) -> dict[str, Any]:
    if action not in ACTIONS:
        raise NotFound(f"Nieznana akcja grupowa „{action}”.")
    form = v.Form(data)
    group = form.field("group", v.text, max_len=255)
    dry_run = form.field("dry_run", v.boolean, required=False, default=False)
    opts: dict[str, Any] = {}
    if action == "message":
        opts["body"] = form.field("body", v.text, max_len=2000)
        opts["extended"] = form.field("extended", v.text, max_len=20000, required=False)
    if action == "add-package":
        opts["package"] = form.field("package", v.positive_int)
        opts["activate"] = form.field("activate", v.boolean, required=False, default=False)
    form.done()

    def audit(act: str, cid: int, params: dict[str, Any], outcome: str,
              error: str | None) -> None:
        ctx.record_change(act, cid, {**params, "bulk_group": group}, outcome, error)
        if outcome == "ok":
            ctx.cache.invalidate(tags.customer_tag(cid), tags.messages_tag(cid))

    try:
        r = run_bulk(ctx.db, ctx.sms, str(group), action, opts, audit, dry_run=bool(dry_run))
    except UnknownGroup:
        raise NotFound(f"W LMS nie ma grupy klientów „{group}”.") from None
    except BadInput:
        raise ServiceError("Treść wiadomości jest pusta po usunięciu niedozwolonego HTML.") \
            from None
    return {"group": group, "action": action, "dry_run": r.dry_run, "customers": len(r.members),
            "changed": r.changed, "skipped": r.skipped, "failures": r.failures}
