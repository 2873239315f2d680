"""Invoice one customer's imported, not yet invoiced TV events now (the reconciliation screen's
"Zafakturuj zdarzenia", ``POST /api/v1/customers/{id}/billing/invoice``).

The same code path as the cron run (:func:`bridge.billing.invoicing.run_invoicing`, restricted to
the customer, under the same run lock), so an event goes on exactly one invoice whichever runs
first or however often the button is pressed; ``lmstv billing invoice --customer ID`` runs it
from the command line.
"""

from __future__ import annotations

import logging
from typing import Any

from bridge.billing.dates import RunClock
from bridge.billing.invoicing import (
    AlreadyRunning,
    InvoicingConfigError,
    InvoicingError,
    customer_options,
    run_invoicing,
)
from bridge.billing.linkage import REASON_TEXT_PL
from bridge.services.context import Conflict, Context, NotLinked
from bridge.services.customers import lms_customer

log = logging.getLogger("lmstv.invoicing")

ACTION = "billing.invoice"
LOCK_WAIT = 10.0  # seconds to wait for a running cron invoicing run


def invoice_customer(ctx: Context, cfg: Any, customer_id: int,
                     clock: RunClock | None = None) -> dict[str, Any]:
    params: dict[str, Any] = {}
    cust = lms_customer(ctx, customer_id)
    if int(cust.get("deleted") or 0):
        raise ctx.refused(ACTION, customer_id, params, Conflict(
            "Klient jest usunięty w LMS; jego zdarzeń nie można zafakturować."))
    if not cust.get("tv_cust_number"):
        raise ctx.refused(ACTION, customer_id, params, NotLinked())
    if int(cust.get("tv_suspend_billing") or 0):
        raise ctx.refused(ACTION, customer_id, params, Conflict(
            "Fakturowanie TV klienta jest wstrzymane; wznów je, aby zafakturować zdarzenia."))
    opts = customer_options(cfg, customer_id, lock_wait=LOCK_WAIT)
    try:
        s = run_invoicing(ctx.db, opts, clock or RunClock.from_fakedate(None))
    except AlreadyRunning:
        raise ctx.refused(ACTION, customer_id, params, Conflict(
            "Trwa fakturowanie TV (cron); spróbuj ponownie za chwilę.")) from None
    except InvoicingConfigError as exc:
        raise ctx.refused(ACTION, customer_id, params, Conflict(
            f"Fakturowanie TV nie jest skonfigurowane: {exc.pl}.")) from None
    except InvoicingError as exc:
        # What is left here is the database refusing the invoice's writes again and again
        # (deadlocks, serialization): the English detail goes to the log, not to the operator.
        log.warning("invoicing LMS customer %s refused: %s", customer_id, exc)
        raise ctx.refused(ACTION, customer_id, params, Conflict(
            "Nie udało się zapisać faktury w bazie LMS (zajęta przez inne zapisy); nic nie "
            "zafakturowano, spróbuj ponownie za chwilę.")) from None
    result = {
        "customer_id": customer_id,
        "events_invoiced": s.events_invoiced,
        "invoices_new": s.invoices_new,
        "invoices_appended": s.invoices_appended,
        "total": f"{s.total:.2f}",
        "invoices": [{"id": r.docid, "number": r.fullnumber, "new": r.new_invoice,
                      "lines": r.lines, "total": f"{r.total:.2f}",
                      "link": f"?m=invoice&id={r.docid}"} for r in s.customers],
        "skipped": {k: v for k, v in s.skipped.items() if v},
        "skipped_pl": [f"{REASON_TEXT_PL[k]} ({v})" for k, v in sorted(s.skipped.items()) if v],
        "not_in_groups": s.not_in_groups,
    }
    ctx.audit.record(user=ctx.user, action=ACTION, customer_id=customer_id,
                     params={"events": s.events_invoiced, "total": result["total"],
                             "invoices": [r.fullnumber for r in s.customers]},
                     outcome="ok", error=None, request_id=ctx.request_id)
    return result
