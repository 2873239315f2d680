"""Bulk TV actions for an LMS customer group (the "Akcje grupowe" screen)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from bridge.api import schemas as sch
from bridge.api.common import API, body, ctx, ok, spec
from bridge.services import bulk

bp = Blueprint("bulk", __name__, url_prefix=API + "/bulk")


@bp.get("/groups")
@spec("LMS customer groups with their members' count and how many are linked to SMS")
def groups() -> Any:
    return ok(bulk.groups(ctx()))


@bp.get("/preview")
@spec("Members of an LMS customer group and their count, before a bulk action",
      query={"group": sch.text(100)}, required_query=("group",))
def preview() -> Any:
    return ok(bulk.preview(ctx(), dict(request.args)))


@bp.post("/<action>")
@spec("Run lock | unlock | message | add-package for every linked member of a group",
      body_schema={"group": "string", "dry_run": "boolean", "body": "string",
                   "extended": "string", "package": "integer", "activate": "boolean"})
def run(action: str) -> Any:
    return ok(bulk.run(ctx(), action, body()))
