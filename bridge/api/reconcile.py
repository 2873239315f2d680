"""The reconciliation report LMS ↔ SMS for the "Zgodność LMS–SMS" screen (docs/reconcile.md).

Read-only; SMS lists are read through the shared cache (``fresh=1`` bypasses it).  Fixes use
the existing endpoints named in each finding's ``fix`` (export = link, account lock, STB return).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, request

from bridge.api import schemas as sch
from bridge.api.common import API, ctx, read_ok, spec
from bridge.reconcile import KINDS, reconcile
from bridge.services import customers
from bridge.validation import ValidationError

bp = Blueprint("reconcile", __name__, url_prefix=API)


@bp.get("/reconcile")
@spec("Where LMS and SMS disagree: counts and totals per kind, findings with the fix",
      query={"fresh": sch.FRESH, "only": {
          "type": "string", "description": "comma-separated kinds",
          "pattern": "^(?:{k})(?:,(?:{k}))*$".format(k="|".join(KINDS))}})
def report() -> Any:
    only = [k for k in request.args.get("only", "").split(",") if k.strip()]
    bad = [k for k in only if k not in KINDS]
    if bad:
        raise ValidationError({"only": "Nieznany rodzaj niezgodności: " + ", ".join(bad)})
    c = ctx()

    def read(key: str, tags: list[str], call: Callable[[], Any]) -> Any:
        if key == "CustomerList":  # the customer list's entry is stored as sorted blocks
            return customers.cached_sms_customers(c)
        return c.read(key, tags, call)

    return read_ok(reconcile(c.db, c.sms, read, only=only or None).as_json())
