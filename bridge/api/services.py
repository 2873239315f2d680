"""Packages and services (subscriptions) of an account (4.1–4.9)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from bridge.api import schemas as sch
from bridge.api.common import API, FRESH_QUERY, body, ctx, ok, read_ok, spec
from bridge.services import subscriptions as subs

bp = Blueprint("services", __name__, url_prefix=API)
ACC = "/customers/<int:customer_id>/accounts/<int:account_id>"
SUB = ACC + "/subscriptions/<int:subscription_id>"


@bp.get("/packages")
@spec("Packages on sale, grouped", query=FRESH_QUERY)
def on_sale() -> Any:
    return read_ok(subs.packages_on_sale(ctx()))


@bp.get(ACC + "/packages")
@spec("Packages available for this account, grouped", query=FRESH_QUERY)
def available(customer_id: int, account_id: int) -> Any:
    return read_ok(subs.account_packages(ctx(), customer_id, account_id))


@bp.get(ACC + "/subscriptions")
@spec("The account's services with status, dates, offers and allowed actions", query=FRESH_QUERY)
def subscription_list(customer_id: int, account_id: int) -> Any:
    return read_ok(subs.subscriptions(ctx(), customer_id, account_id))


@bp.post(ACC + "/subscriptions")
@spec("Add packages: activate=true adds and activates, false adds inactive",
      body_schema={"package_ids": {"type": "array", "items": sch.ID, "minItems": 1,
                                   "maxItems": 100},
                   "start_date": sch.DATE, "activate": sch.BOOLEAN},
      required=("package_ids", "activate"))
def add(customer_id: int, account_id: int) -> Any:
    return ok(subs.add_packages(ctx(), customer_id, account_id, body()))


@bp.post(SUB + "/activate")
@spec("Activate a service waiting for installation (billable from the next day)")
def activate(customer_id: int, account_id: int, subscription_id: int) -> Any:
    return ok(subs.activate(ctx(), customer_id, account_id, subscription_id))


@bp.post(SUB + "/terminate")
@spec("Terminate a service, with or without a penalty",
      body_schema={"term_date": sch.DATE, "term_fee": sch.AMOUNT,
                   "term_desc": sch.text(255, required=False)},
      required=("term_date",))
def terminate(customer_id: int, account_id: int, subscription_id: int) -> Any:
    return ok(subs.terminate(ctx(), customer_id, account_id, subscription_id, body()))


@bp.get(SUB + "/upgrades")
@spec("Upgrade offers: packages, each with its allowed dates and penalties", query=FRESH_QUERY)
def upgrades(customer_id: int, account_id: int, subscription_id: int) -> Any:
    return read_ok(subs.upgrade_offers(ctx(), customer_id, account_id, subscription_id))


@bp.post(SUB + "/upgrade")
@spec("Upgrade to an offered package on one of that package's dates",
      body_schema={"package_id": sch.ID, "date": sch.DATE}, required=("package_id", "date"))
def upgrade(customer_id: int, account_id: int, subscription_id: int) -> Any:
    return ok(subs.upgrade(ctx(), customer_id, account_id, subscription_id, body()))


@bp.get(SUB + "/gifts")
@spec("Gift packages available after renewal", query=FRESH_QUERY)
def gifts(customer_id: int, account_id: int, subscription_id: int) -> Any:
    return read_ok(subs.gifts(ctx(), customer_id, account_id, subscription_id))


@bp.post(SUB + "/gift")
@spec("Give an offered gift package", body_schema={"package_id": sch.ID},
      required=("package_id",))
def gift(customer_id: int, account_id: int, subscription_id: int) -> Any:
    return ok(subs.add_gift(ctx(), customer_id, account_id, subscription_id, body()))
