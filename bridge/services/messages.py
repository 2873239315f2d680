"""Messages to subscribers' TV sets ("meldinger"): send, list, delete (manual 3.x)."""

from __future__ import annotations

from typing import Any

from bridge import cache as tags
from bridge import validation as v
from bridge.lms import customers as lms
from bridge.services import accounts as acs
from bridge.services import customers as cs
from bridge.services.context import Context, NotFound, today
from bridge.services.paging import paginate, sort_items

LIST_SORTS = ("id", "lms_id", "cust_number", "msg_body", "msg_teaser_impressions",
              "msg_body_extended", "msg_impressions", "msg_prio", "msg_created_date",
              "msg_status")
DELETE_CHUNK = 500


def _shape(items: list[dict[str, Any]], owners: dict[str, dict[str, Any]]) -> list[dict]:
    out = []
    for m in items:
        item = cs.with_owner(m, owners)
        item["id"] = acs.as_int(m.get("id"))
        out.append(item)
    return out


def all_messages(ctx: Context, *, sort: str, order: str, page: int,
                 per_page: int | None) -> dict[str, Any]:
    raw = cs.as_list(ctx.read("MessagesList", [tags.TAG_MESSAGES],
                              lambda: ctx.sms.meldingerList("")))
    items = sort_items(_shape(raw, cs.owners_by_number(ctx, raw)), sort, order)
    result = paginate(items, page, per_page)
    result.update(sort=sort, order=order)
    return result


def raw_customer_messages(ctx: Context, customer_id: int, number: str) -> list[dict[str, Any]]:
    return cs.as_list(ctx.read(f"MessagesList{number}",
                               [tags.TAG_MESSAGES, tags.messages_tag(customer_id)],
                               lambda: ctx.sms.meldingerList(number)))


def shape_customer_messages(raw: list[dict[str, Any]], number: str,
                            customer: dict[str, Any]) -> list[dict[str, Any]]:
    owner = {"id": customer["id"], "name": customer.get("name"),
             "lastname": customer.get("lastname")}
    return sort_items(_shape(raw, {number: owner}), "id", "asc")


def customer_messages(ctx: Context, customer_id: int, number: str) -> list[dict[str, Any]]:
    raw = raw_customer_messages(ctx, customer_id, number)
    row = (lms.get_customer(ctx.db, customer_id) if raw else None) or {"id": customer_id}
    return shape_customer_messages(raw, number, row)


def list_for_customer(ctx: Context, customer_id: int) -> dict[str, Any]:
    _, number = cs.linked_customer(ctx, customer_id)
    items = customer_messages(ctx, customer_id, number)
    return {"items": items, "total": len(items)}


def _read_mode(value: Any, field: str) -> int:
    """Read confirmation: 0 after the PIN, 1 on click, 2 once the teaser was shown."""
    if isinstance(value, bool):
        value = "x"
    return int(v.choice(str(value).strip(), field, ("0", "1", "2")))


def _message_form(body: dict[str, Any]) -> dict[str, Any]:
    form = v.Form(body)
    default_day = today().isoformat()
    teaser = form.field("msg_body", v.text, max_len=1000)
    extended = form.field("msg_body_extended", v.text, max_len=10000)
    t_from = form.field("msg_teaser_valid_from", v.date)
    # An end left out follows its start when that is later than today: a teaser starting next
    # week with no end is valid for that day, not refused as "ending before it starts".
    t_to = form.field("msg_teaser_valid_to", v.date, required=False) or max(t_from or "",
                                                                           default_day)
    m_from = form.field("msg_valid_from", v.date, default=default_day)
    m_to = form.field("msg_valid_to", v.date, required=False) or max(m_from or "", default_day)
    prio = form.field("msg_prio", _read_mode, default="1")
    show = form.field("msg_show_priority", v.integer, default="0", minimum=-1000, maximum=1000)
    if t_from and t_to and t_to < t_from:
        form.error("msg_teaser_valid_to", "Koniec wyświetlania nie może być przed początkiem.")
    if m_from and m_to and m_to < m_from:
        form.error("msg_valid_to", "Koniec ważności nie może być przed początkiem.")
    teaser = v.sanitize_html(teaser or "", v.TEASER_TAGS).strip()
    extended = v.sanitize_html(extended or "", v.BODY_TAGS).strip()
    # Text made only of removed markup (e.g. a <script>) leaves nothing to show, and SMS
    # requires both texts: refuse it here rather than fail on the way to SMS.
    for name, clean in (("msg_body", teaser), ("msg_body_extended", extended)):
        if not clean and name not in form.errors:
            form.error(name, "Po usunięciu niedozwolonych znaczników HTML nie zostaje żaden "
                             "tekst.")
    form.done()
    return {"msg_body": teaser,
            "msg_teaser_valid_from": t_from, "msg_teaser_valid_to": t_to,
            "msg_body_extended": extended,
            "msg_valid_from": m_from, "msg_valid_to": m_to,
            "msg_prio": 1 if prio is None else prio, "msg_show_priority": int(show or 0)}


def _send(ctx: Context, number: str | None, msg: dict[str, Any]) -> Any:
    return ctx.sms.meldingerSend(number, msg["msg_body"], msg["msg_teaser_valid_from"],
                                 msg["msg_teaser_valid_to"], msg["msg_body_extended"],
                                 msg["msg_valid_from"], msg["msg_valid_to"], msg["msg_prio"],
                                 msg["msg_show_priority"])


def _count(result: Any) -> int | None:
    try:
        return int(result)
    except (TypeError, ValueError):
        return None


def send_to_customer(ctx: Context, customer_id: int, body: dict[str, Any]) -> dict[str, Any]:
    msg = _message_form(body)
    _, number = cs.linked_customer(ctx, customer_id)
    sent = ctx.change("message.send", customer_id, {"cust_number": number, **msg},
                      lambda: _send(ctx, number, msg),
                      [tags.TAG_MESSAGES, tags.messages_tag(customer_id)])
    return {"sent": _count(sent)}


def send_to_all(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    msg = _message_form(body)
    sent = ctx.change("message.send_all", None, {"cust_number": None, **msg},
                      lambda: _send(ctx, None, msg), [tags.TAG_MESSAGES])
    return {"sent": _count(sent)}


def delete_one(ctx: Context, customer_id: int, message_id: int) -> dict[str, Any]:
    _, number = cs.linked_customer(ctx, customer_id)
    saved, ctx.fresh = ctx.fresh, True
    try:
        mine = {m["id"] for m in customer_messages(ctx, customer_id, number)}
    finally:
        ctx.fresh = saved
    if message_id not in mine:
        raise NotFound(f"Klient nie ma wiadomości o ID {message_id}.")
    ctx.change("message.delete", customer_id, {"message_id": message_id},
               lambda: ctx.sms.meldingerDel([message_id]),
               [tags.TAG_MESSAGES, tags.messages_tag(customer_id)])
    return {"deleted": 1}


def delete_customer_all(ctx: Context, customer_id: int) -> dict[str, Any]:
    _, number = cs.linked_customer(ctx, customer_id)
    saved, ctx.fresh = ctx.fresh, True
    try:
        count = len(customer_messages(ctx, customer_id, number))
    finally:
        ctx.fresh = saved
    ctx.change("message.delete_customer", customer_id, {"cust_number": number},
               lambda: ctx.sms.meldingerDelCustomer(number),
               [tags.TAG_MESSAGES, tags.messages_tag(customer_id)])
    return {"deleted": count}


def delete_everything(ctx: Context, body: dict[str, Any]) -> dict[str, Any]:
    """Every message of every customer, by id (the original looped with wrong ids, bug #15)."""
    if body.get("confirm") is not True:
        raise v.ValidationError({"confirm": "Potwierdź usunięcie wszystkich wiadomości "
                                            "(confirm: true)."})
    ids = sorted({acs.as_int(m.get("id")) for m in cs.as_list(ctx.sms.meldingerList(""))
                  if acs.as_int(m.get("id"))})
    for start in range(0, len(ids), DELETE_CHUNK):
        chunk = ids[start:start + DELETE_CHUNK]
        ctx.change("message.delete_all", None, {"message_ids": chunk},
                   lambda chunk=chunk: ctx.sms.meldingerDel(chunk), [tags.TAG_MESSAGES])
    if not ids:
        ctx.cache.invalidate(tags.TAG_MESSAGES)
    return {"deleted": len(ids)}
