"""Set-top boxes: list, register, remove, quick search, suggestions, issue, return (1.1–1.5)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from bridge.api import schemas as sch
from bridge.api.common import API, body, ctx, ok, read_ok, spec
from bridge.services import stb
from bridge.services.paging import sort_params
from bridge.validation import ValidationError

bp = Blueprint("stb", __name__, url_prefix=API)
SUB = "/customers/<int:customer_id>/accounts/<int:account_id>/subscriptions/<int:subscription_id>"


@bp.get("/stb")
@spec("STB list: all / in stock / at customers, with the LMS customer of each",
      query={"mode": sch.enum(tuple(stb.MODES)), "sort": sch.enum(stb.LIST_SORTS),
             "order": sch.ORDER, "fresh": sch.FRESH})
def stb_list() -> Any:
    mode = request.args.get("mode") or "stock"
    if mode not in stb.MODES:
        raise ValidationError({"mode": "Dozwolone wartości: all, stock, customer."})
    sort, order = sort_params(request.args, stb.LIST_SORTS, "stb_model")
    return read_ok(stb.stb_list(ctx(), mode, sort, order))


@bp.post("/stb")
@spec("Register an STB into stock",
      body_schema={"mac": sch.MAC, "serial": sch.text(64), "model": sch.enum(stb.MODELS)},
      required=("mac", "serial", "model"))
def register() -> Any:
    return ok(stb.register(ctx(), body()))


@bp.delete("/stb/<mac>")
@spec("Remove an STB from stock")
def remove(mac: str) -> Any:
    return ok(stb.remove(ctx(), mac))


@bp.get("/stb/search")
@spec("Quick search: customers' STBs whose MAC contains the text",
      query={"mac": sch.search_text(2, " :.-"), "fresh": sch.FRESH}, required_query=("mac",))
def search() -> Any:
    return read_ok(stb.search(ctx(), request.args.get("mac", "")))


@bp.get(SUB + "/stb-suggestions")
@spec("Stock STBs matching the typed text, of the service's allowed models",
      query={"q": sch.search_text(1, " :"), "fresh": sch.FRESH}, required_query=("q",))
def suggestions(customer_id: int, account_id: int, subscription_id: int) -> Any:
    return read_ok(stb.suggestions(ctx(), customer_id, account_id, subscription_id,
                                   request.args.get("q", "")))


@bp.post(SUB + "/stb")
@spec("Issue an STB from stock to the service",
      body_schema={"mac": sch.MAC, "subnet_id": sch.ID}, required=("mac", "subnet_id"))
def issue(customer_id: int, account_id: int, subscription_id: int) -> Any:
    return ok(stb.issue(ctx(), customer_id, account_id, subscription_id, body()))


@bp.delete("/customers/<int:customer_id>/accounts/<int:account_id>/stb/<mac>")
@spec("Return an STB of the account to stock")
def give_back(customer_id: int, account_id: int, mac: str) -> Any:
    return ok(stb.give_back(ctx(), customer_id, account_id, mac))
