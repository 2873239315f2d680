"""Per-customer "do not invoice TV" switch (``customers.tv_suspend_billing``).

It takes effect at the next invoicing run; events imported while it is on are marked skipped and
stay visible in the billing-event list with their reason.
"""

from __future__ import annotations

from typing import Any

from bridge.lms import customers as lms
from bridge.services.context import Context, NotFound


def set_billing_suspension(ctx: Context, customer_id: int, suspended: bool) -> dict[str, Any]:
    params = {"suspended": suspended}
    try:
        lms.set_suspend_billing(ctx.db, customer_id, suspended)
    except lms.CustomerNotFound:
        raise ctx.refused("customer.billing_suspension", customer_id, params,
                          NotFound(f"Nie ma w LMS klienta o ID {customer_id}.")) from None
    ctx.audit.record(user=ctx.user, action="customer.billing_suspension",
                     customer_id=customer_id, params=params, outcome="ok", error=None,
                     request_id=ctx.request_id)
    return {"customer_id": customer_id, "tv_suspend_billing": suspended}
