"""Billing events for LMS's "Lista zdarzeń bilingowych" screen (manual 4.2)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from bridge.api import schemas as sch
from bridge.api.common import API, ctx, ok, spec
from bridge.billing.events import SORT_COLUMNS, FilterError, list_events, parse_filter
from bridge.validation import ValidationError

bp = Blueprint("billing", __name__, url_prefix=API + "/billing")

_PL = {
    "date_from": "Niepoprawna data początkowa (RRRR-MM-DD lub RRRR/MM/DD).",
    "date_to": "Niepoprawna data końcowa (RRRR-MM-DD lub RRRR/MM/DD).",
    "sort": "Nie można sortować po tej kolumnie.",
    "direction": "Kierunek sortowania musi być asc albo desc.",
    "per_page": "Liczba pozycji na stronie musi być liczbą od 1 do 500.",
    "page": "Numer strony musi być liczbą dodatnią.",
    "group_id": "Numer raportu SGT musi być liczbą.",
    "customerid": "ID klienta musi być liczbą.",
    "cust_number": "Niepoprawny numer klienta SMS.",
    "not_invoiced": "Wartość musi być 1 albo 0.",
}

QUERY = {"date_from": sch.DATE, "date_to": sch.DATE,
         "group_id": {"type": "integer", "minimum": 0, "maximum": 2**63 - 1},
         "not_invoiced": sch.BOOLEAN, "customerid": sch.ID,
         "cust_number": {"type": "string", "maxLength": 20}, "docid": sch.ID,
         "sort": sch.enum(sorted(SORT_COLUMNS)), "direction": sch.ORDER, "order": sch.ORDER,
         "page": sch.PAGE, "per_page": {"type": "integer", "minimum": 1, "maximum": 500}}


@bp.get("/events")
@spec("Imported SMS billing events: filters, sort whitelist, paging, totals", query=QUERY)
def events() -> Any:
    args = request.args.to_dict()
    # The other list endpoints call the direction ``order``; accept both spellings, ``direction``
    # first.  ``order`` never reaches parse_filter, which would take it for a sort column (the
    # CLI's old spelling), so both together were "cannot sort by 'asc'".
    order = args.pop("order", None)
    if order is not None:
        if order.lower() not in ("asc", "desc"):
            raise ValidationError({"order": _PL["direction"]})
        args.setdefault("direction", order)
    try:
        flt = parse_filter(args)
    except FilterError as exc:
        raise ValidationError({exc.field: _PL.get(exc.field, "Niepoprawny parametr.")}) from None
    page = list_events(ctx().db, flt)
    meta = {k: page[k] for k in ("total", "page", "per_page", "pages", "sort", "direction")}
    meta["totals"] = page["totals"]
    return ok(page["events"], meta)
