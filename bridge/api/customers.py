"""Customers: SMS customer list, the customer page in one call, export, PINs (2.1–2.4)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from bridge.api import schemas as sch
from bridge.api.common import API, FRESH_QUERY, body, ctx, ok, read_ok, spec, state
from bridge.services import customers as cs
from bridge.services.page import customer_page
from bridge.services.paging import page_params, sort_params
from bridge.services.suspension import set_billing_suspension
from bridge.validation import ValidationError, boolean, text

bp = Blueprint("customers", __name__, url_prefix=API + "/customers")


@bp.get("")
@spec("SMS customer list joined with LMS (search, sort, pages)",
      query={**sch.paging(cs.LIST_SORTS), "q": sch.text(100, required=False)})
def customer_list() -> Any:
    sort, order = sort_params(request.args, cs.LIST_SORTS, "cust_surname")
    page, per_page = page_params(request.args)
    q = text(request.args.get("q", ""), "q", max_len=100, required=False)
    return read_ok(cs.customer_list(ctx(), q=q, sort=sort, order=order, page=page,
                                    per_page=per_page))


@bp.get("/<int:customer_id>/tv")
@spec("The customer's whole TV box in one call (SMS calls made concurrently)", query=FRESH_QUERY)
def tv_page(customer_id: int) -> Any:
    return read_ok(customer_page(ctx(), customer_id, state().executor))


@bp.post("/<int:customer_id>/export")
@spec("Export the customer to SMS: link by external id, create, or re-export personal data")
def export(customer_id: int) -> Any:
    return ok(cs.export_customer(ctx(), customer_id))


@bp.get("/<int:customer_id>/pins")
@spec("The customer's PIN pair (jPIN, tvPIN)", query=FRESH_QUERY)
def get_pins(customer_id: int) -> Any:
    return read_ok(cs.get_pins(ctx(), customer_id))


@bp.put("/<int:customer_id>/pins")
@spec("Change the customer's PIN pair (exactly 4 digits each)",
      body_schema={"cust_vod_pin": sch.PIN, "cust_master_pin": sch.PIN},
      required=("cust_vod_pin", "cust_master_pin"))
def set_pins(customer_id: int) -> Any:
    return ok(cs.set_pins(ctx(), customer_id, body()))


@bp.put("/<int:customer_id>/billing-suspension")
@spec("Suspend or resume TV invoicing for the customer (customers.tv_suspend_billing)",
      body_schema={"suspended": sch.BOOLEAN}, required=("suspended",))
def billing_suspension(customer_id: int) -> Any:
    form = body()
    suspended = boolean(form.get("suspended"), "suspended") if "suspended" in form else None
    if suspended is None:
        raise ValidationError({"suspended": "Podaj, czy wstrzymać fakturowanie TV (tak/nie)."})
    return ok(set_billing_suspension(ctx(), customer_id, suspended))
