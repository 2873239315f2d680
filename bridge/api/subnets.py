"""Subnets: list and split (2.1, 2.2)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from bridge.api import schemas as sch
from bridge.api.common import API, body, ctx, ok, read_ok, spec
from bridge.services import subnets as sn
from bridge.services.paging import sort_params

bp = Blueprint("subnets", __name__, url_prefix=API + "/subnets")


@bp.get("")
@spec("Subnet list", query={"sort": sch.enum(sn.LIST_SORTS), "order": sch.ORDER,
                            "fresh": sch.FRESH})
def subnet_list() -> Any:
    sort, order = sort_params(request.args, sn.LIST_SORTS, "subnet_name")
    return read_ok(sn.subnet_list(ctx(), sort, order))


@bp.post("/<int:subnet_id>/split")
@spec("Split a subnet in two (names default to <name>.1 and <name>.2)",
      body_schema={"name1": sch.text(64, required=False),
                   "name2": sch.text(64, required=False)})
def split(subnet_id: int) -> Any:
    return ok(sn.split(ctx(), subnet_id, body()))
