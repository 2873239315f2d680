"""TV accounts of a customer: list, add, edit, delete, lock, unlock (3.1–3.6)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from bridge.api import schemas as sch
from bridge.api.common import ADDRESS_BODY, API, FRESH_QUERY, body, ctx, ok, read_ok, spec
from bridge.services import accounts as acs

bp = Blueprint("accounts", __name__, url_prefix=API + "/customers/<int:customer_id>/accounts")


@bp.get("")
@spec("The customer's TV accounts with services, STBs and 'Konta TV (N) (M wstrzymane)'",
      query=FRESH_QUERY)
def account_list(customer_id: int) -> Any:
    return read_ok(acs.list_accounts(ctx(), customer_id))


@bp.post("")
@spec("Add a TV account (exports the customer first when not linked)", body_schema=ADDRESS_BODY,
      required=sch.ADDRESS_REQUIRED)
def add(customer_id: int) -> Any:
    return ok(acs.add_account(ctx(), customer_id, body()))


@bp.put("/<int:account_id>")
@spec("Edit the account's installation address", body_schema=ADDRESS_BODY,
      required=sch.ADDRESS_REQUIRED)
def edit(customer_id: int, account_id: int) -> Any:
    return ok(acs.edit_account(ctx(), customer_id, account_id, body()))


@bp.delete("/<int:account_id>")
@spec("Delete an account without services")
def delete(customer_id: int, account_id: int) -> Any:
    return ok(acs.delete_account(ctx(), customer_id, account_id))


@bp.post("/<int:account_id>/lock")
@spec("Collection lock (services stop, billing continues)")
def lock(customer_id: int, account_id: int) -> Any:
    return ok(acs.lock_account(ctx(), customer_id, account_id, True))


@bp.post("/<int:account_id>/unlock")
@spec("Lift the collection lock")
def unlock(customer_id: int, account_id: int) -> Any:
    return ok(acs.lock_account(ctx(), customer_id, account_id, False))
