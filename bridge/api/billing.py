"""Billing events for LMS's "Lista zdarzeń bilingowych" screen (manual 4.2)."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, request

from bridge.api.common import API, ctx, ok, spec
from bridge.billing.events import FilterError, list_events, parse_filter
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

QUERY = {"date_from": "string", "date_to": "string", "group_id": "integer",
         "not_invoiced": "boolean", "customerid": "integer", "cust_number": "string",
         "docid": "integer", "sort": "string", "direction": "string", "order": "string",
         "page": "integer",
         "per_page": "integer"}


@bp.get("/events")
@spec("Imported SMS billing events: filters, sort whitelist, paging, totals", query=QUERY)
def events() -> Any:
    args = request.args.to_dict()
    if "order" in args and "direction" not in args:
        # The other list endpoints call it ``order``; accept both spellings.
        args["direction"] = args.pop("order")
    try:
        flt = parse_filter(args)
    except FilterError as exc:
        raise ValidationError({exc.field: _PL.get(exc.field, "Niepoprawny parametr.")}) from None
    page = list_events(ctx().db, flt)
    meta = {k: page[k] for k in ("total", "page", "per_page", "pages", "sort", "direction")}
    meta["totals"] = page["totals"]
    return ok(page["events"], meta)
