"""Invoice one customer's pending TV events now (the reconciliation screen's fix; docs/api.md
§10): the cron run's code path restricted to that customer, exactly once."""

from __future__ import annotations

from typing import Any

from flask import Blueprint

from bridge.api.common import API, ctx, ok, spec, state
from bridge.services.invoicing import invoice_customer

bp = Blueprint("invoicing", __name__, url_prefix=API + "/customers/<int:customer_id>/billing")


@bp.post("/invoice")
@spec("Invoice the customer's imported, not yet invoiced TV events now (exactly once)")
def invoice(customer_id: int) -> Any:
    return ok(invoice_customer(ctx(), state().config, customer_id))
