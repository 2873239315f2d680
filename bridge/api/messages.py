"""Messages to subscribers' TV sets: list, send, delete (3.1–3.6)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from bridge.api import schemas as sch
from bridge.api.common import API, FRESH_QUERY, body, ctx, ok, read_ok, spec
from bridge.services import messages as ms
from bridge.services.paging import page_params, sort_params

bp = Blueprint("messages", __name__, url_prefix=API)
MESSAGE_BODY = sch.MESSAGE


@bp.get("/messages")
@spec("All messages of all customers, paged and sorted, with the LMS customer",
      query=sch.paging(ms.LIST_SORTS))
def all_messages() -> Any:
    sort, order = sort_params(request.args, ms.LIST_SORTS, "id")
    page, per_page = page_params(request.args)
    return read_ok(ms.all_messages(ctx(), sort=sort, order=order, page=page, per_page=per_page))


@bp.post("/messages")
@spec("Send a message to all active customers", body_schema=MESSAGE_BODY,
      required=sch.MESSAGE_REQUIRED)
def send_all() -> Any:
    return ok(ms.send_to_all(ctx(), body()))


@bp.delete("/messages")
@spec("Delete every message of every customer", body_schema={"confirm": sch.BOOLEAN},
      required=("confirm",))
def delete_everything() -> Any:
    return ok(ms.delete_everything(ctx(), body()))


@bp.get("/customers/<int:customer_id>/messages")
@spec("Messages of one customer", query=FRESH_QUERY)
def customer_list(customer_id: int) -> Any:
    return read_ok(ms.list_for_customer(ctx(), customer_id))


@bp.post("/customers/<int:customer_id>/messages")
@spec("Send a message to one customer", body_schema=MESSAGE_BODY,
      required=sch.MESSAGE_REQUIRED)
def send_one(customer_id: int) -> Any:
    return ok(ms.send_to_customer(ctx(), customer_id, body()))


@bp.delete("/customers/<int:customer_id>/messages")
@spec("Delete all messages of one customer")
def delete_customer_all(customer_id: int) -> Any:
    return ok(ms.delete_customer_all(ctx(), customer_id))


@bp.delete("/customers/<int:customer_id>/messages/<int:message_id>")
@spec("Delete one message of the customer")
def delete_one(customer_id: int, message_id: int) -> Any:
    return ok(ms.delete_one(ctx(), customer_id, message_id))
