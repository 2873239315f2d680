"""The billing-event list (manual 4.2): filters, whitelisted sorting, paging and totals.

Shared by ``lmstv billing events`` and ``GET /api/v1/billing/events``.  Sorting is by name from
a fixed whitelist and every filter value travels as a parameter, fixing the original screen's
SQL injection; "not invoiced" really means ``docid IS NULL`` (the original queried -1).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bridge.billing.dates import DateError, parse_date
from bridge.billing.linkage import REASON_TEXT, REASON_TEXT_PL
from bridge.validation import natural_key

# public sort key -> SQL expression (never built from input)
SORT_COLUMNS = {
    "id": "e.beid", "beid": "e.beid", "account_id": "e.account_id",
    "package_id": "e.package_id", "be_selling_date": "e.be_selling_date",
    "be_desc": "e.be_desc", "be_vat": "e.be_vat", "be_gross": "e.be_gross",
    "be_b2b_netto": "e.be_b2b_netto", "cust_number": "e.cust_number",
    "customerid": "e.customerid", "group_id": "e.group_id", "docid": "e.docid",
    "invoice": "d.fullnumber", "customer": "c.lastname", "skip_reason": "e.skip_reason",
    "imported_at": "e.imported_at",
}
DEFAULT_SORT = "beid"
MAX_PER_PAGE = 500
DEFAULT_PER_PAGE = 100
MAX_BIGINT = 2**63 - 1
MAX_ID = 2**31 - 1  # customers.id, documents.id are integer columns
MAX_PAGE = 10**9  # keeps page * per_page inside OFFSET's bigint


class FilterError(ValueError):
    """A filter value is invalid; ``field`` names it for the API's error envelope."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


@dataclass(frozen=True)
class EventFilter:
    date_from: date | None = None
    date_to: date | None = None
    group_id: int | None = None
    not_invoiced: bool = False
    customerid: int | None = None
    cust_number: str | None = None
    docid: int | None = None
    sort: str = DEFAULT_SORT
    direction: str = "asc"
    page: int = 1
    per_page: int = DEFAULT_PER_PAGE


def _int(field: str, value: Any, minimum: int = 0, maximum: int = MAX_BIGINT) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    # ASCII digits only: '²' passes isdigit() but int() refuses it, and a number past the
    # column's range would make the database fail instead of answering "nothing found".
    if not (text.isascii() and text.isdigit()) or not minimum <= int(text) <= maximum:
        raise FilterError(field, f"{field} must be a whole number from {minimum} to "
                          f"{maximum}, got {value!r}")
    return int(text)


def _bool(field: str, value: Any) -> bool:
    if value in (None, "", False, 0):
        return False
    text = str(value).strip().lower()
    if text in ("1", "true", "yes", "on", "tak"):
        return True
    if text in ("0", "false", "no", "off", "nie"):
        return False
    raise FilterError(field, f"{field} must be 1 or 0, got {value!r}")


def parse_filter(params: dict[str, Any]) -> EventFilter:
    """Build a filter from request/CLI parameters, rejecting anything invalid."""
    known = {"date_from", "date_to", "start_date", "end_date", "group_id", "not_invoiced",
             "customerid", "cust_number", "docid", "sort", "direction", "order", "page",
             "per_page"}
    unknown = sorted(set(params) - known)
    if unknown:
        raise FilterError(unknown[0], f"unknown parameter {unknown[0]!r}")
    dates: dict[str, date | None] = {}
    for field, alias in (("date_from", "start_date"), ("date_to", "end_date")):
        raw = params.get(field) or params.get(alias)
        try:
            dates[field] = parse_date(str(raw), field) if raw else None
        except DateError as exc:
            raise FilterError(field, str(exc)) from None
    if dates["date_from"] and dates["date_to"] and dates["date_from"] > dates["date_to"]:
        raise FilterError("date_from", "date_from is after date_to")
    sort = str(params.get("sort") or params.get("order") or DEFAULT_SORT)
    if sort not in SORT_COLUMNS:
        raise FilterError("sort", f"cannot sort by {sort!r}; use one of "
                          + ", ".join(sorted(SORT_COLUMNS)))
    direction = str(params.get("direction") or "asc").lower()
    if direction not in ("asc", "desc"):
        raise FilterError("direction", "direction must be asc or desc")
    cust_number = params.get("cust_number")
    cust_number = str(cust_number).strip() if cust_number not in (None, "") else None
    if cust_number is not None and len(cust_number) > 20:
        raise FilterError("cust_number", "cust_number is longer than 20 characters")
    per_page = _int("per_page", params.get("per_page"), 1, MAX_PER_PAGE) or DEFAULT_PER_PAGE
    return EventFilter(
        date_from=dates["date_from"], date_to=dates["date_to"],
        group_id=_int("group_id", params.get("group_id")),
        not_invoiced=_bool("not_invoiced", params.get("not_invoiced")),
        customerid=_int("customerid", params.get("customerid"), 1, MAX_ID),
        cust_number=cust_number, docid=_int("docid", params.get("docid"), 1, MAX_ID),
        sort=sort, direction=direction, page=_int("page", params.get("page"), 1, MAX_PAGE) or 1,
        per_page=per_page)


def _where(f: EventFilter) -> tuple[str, list[Any]]:
    conds, params = [], []
    if f.date_from:
        conds.append("e.be_selling_date >= %s")
        params.append(f.date_from)
    if f.date_to:
        conds.append("e.be_selling_date <= %s")
        params.append(f.date_to)
    if f.group_id is not None:
        conds.append("e.group_id = %s")
        params.append(f.group_id)
    if f.not_invoiced:
        conds.append("e.docid IS NULL")
    if f.customerid is not None:
        conds.append("e.customerid = %s")
        params.append(f.customerid)
    if f.cust_number is not None:
        conds.append("e.cust_number = %s")
        params.append(f.cust_number)
    if f.docid is not None:
        conds.append("e.docid = %s")
        params.append(f.docid)
    return (" WHERE " + " AND ".join(conds)) if conds else "", params


def _money(value: Any) -> str | None:
    return None if value is None else f"{Decimal(value):.2f}"


def list_events(db: Any, f: EventFilter) -> dict[str, Any]:
    """One page of events with customer and invoice, the filter's total count and sums."""
    where, params = _where(f)
    totals = db.one("SELECT COUNT(*) AS n, COALESCE(SUM(e.be_gross), 0) AS gross, "
                    "COALESCE(SUM(e.be_b2b_netto), 0) AS b2b FROM tv_billing_event e" + where,
                    params)
    order = SORT_COLUMNS[f.sort]
    direction = "DESC" if f.direction == "desc" else "ASC"
    tiebreak = "" if order == "e.beid" else f", e.beid {direction}"
    offset = (f.page - 1) * f.per_page
    order_sql, order_params = f"{order} {direction}{tiebreak}", []
    if order in TEXT_SORTS:
        where, params, order_sql, order_params, offset = _text_order(
            db, where, params, order, direction, offset, f.per_page)
    rows = db.query(
        "SELECT e.id, e.beid, e.customerid, e.cust_number, e.account_id, e.package_id, "
        "e.be_selling_date, e.be_desc, e.be_vat, e.be_gross, e.be_b2b_netto, e.group_id, "
        "e.docid, e.itemid, e.tv_suspend_billing, e.skip_reason, e.imported_at, "
        "c.id AS lms_id, c.lastname, c.name, c.deleted, c.tv_cust_number, "
        "d.fullnumber, d.number, d.cdate AS invoice_cdate" + _FROM + where
        + f" ORDER BY {order_sql} LIMIT %s OFFSET %s",
        [*params, *order_params, f.per_page, offset])
    total = int(totals["n"] or 0)
    return {
        "events": [_shape(r) for r in rows],
        "total": total, "page": f.page, "per_page": f.per_page,
        "pages": max(1, -(-total // f.per_page)),
        "sort": f.sort, "direction": f.direction,
        "totals": {"be_gross": _money(totals["gross"]), "be_b2b_netto": _money(totals["b2b"])},
    }


_FROM = (" FROM tv_billing_event e LEFT JOIN customers c ON c.id = e.customerid "
         "LEFT JOIN documents d ON d.id = e.docid")
# Text columns: neither engine's collation is Polish alphabetical order with numbers compared
# as numbers (PostgreSQL's depends on the cluster's locale), so these are ranked in Python.
TEXT_SORTS = ("e.be_desc", "e.cust_number", "d.fullnumber", "c.lastname", "e.skip_reason")


def _text_order(db: Any, where: str, params: list[Any], column: str, direction: str,
                offset: int, per_page: int) -> tuple[str, list[Any], str, list[Any], int]:
    """WHERE and ORDER BY for one page sorted by a text column in natural Polish order.

    The column's distinct values (far fewer than events) are counted in SQL and ranked with
    :func:`bridge.validation.natural_key`, the sort key of every other list; values with the
    same key share a rank. Only the ranks the page touches are fetched, ordered by a CASE on
    the rank and then beid, so pages never overlap or skip a row on either engine.
    """
    groups = db.query(f"SELECT {column} AS v, COUNT(*) AS n" + _FROM + where
                      + f" GROUP BY {column}", params)
    keyed = sorted(((natural_key(g["v"]), g["v"], int(g["n"])) for g in groups),
                   key=lambda g: g[0], reverse=(direction == "DESC"))
    merged: list[tuple[list[Any], int]] = []  # per rank: its values and its row count
    previous: Any = object()
    for key, value, count in keyed:
        if merged and key == previous:
            merged[-1][0].append(value)
            merged[-1] = (merged[-1][0], merged[-1][1] + count)
        else:
            merged.append(([value], count))
        previous = key
    ranks: list[tuple[int, Any]] = []  # (rank, value) of every value of the ranks the page touches
    seen = first_rank_start = 0
    for rank, (values_, count) in enumerate(merged):
        if seen + count > offset and seen < offset + per_page:
            if not ranks:
                first_rank_start = seen
            ranks.extend((rank, value) for value in values_)
        seen += count
    if not ranks:
        return where, params, f"e.beid {direction}", [], offset
    first = ranks[0][0]
    whens, order_params, values, has_null = [], [], [], False
    for r, value in ranks:
        if value is None:
            whens.append(f"WHEN {column} IS NULL THEN {r - first}")
            has_null = True
        else:
            whens.append(f"WHEN {column} = %s THEN {r - first}")
            order_params.append(value)
            values.append(value)
    cond = []
    if values:
        cond.append(f"{column} IN ({', '.join(['%s'] * len(values))})")
    if has_null:
        cond.append(f"{column} IS NULL")
    where = (where + " AND " if where else " WHERE ") + "(" + " OR ".join(cond) + ")"
    return (where, [*params, *values], f"CASE {' '.join(whens)} END, e.beid {direction}",
            order_params, offset - first_rank_start)


def _shape(r: dict[str, Any]) -> dict[str, Any]:
    name = " ".join(p for p in ((r.get("lastname") or "").strip(),
                                (r.get("name") or "").strip()) if p)
    reason = r.get("skip_reason")
    sel = r["be_selling_date"]
    return {
        "id": int(r["id"]), "beid": int(r["beid"]), "cust_number": r["cust_number"],
        "customer": {"id": int(r["lms_id"]) if r.get("lms_id") is not None else None,
                     "external_id": r["customerid"], "name": name or None,
                     "deleted": bool(r.get("deleted")) if r.get("lms_id") is not None else None,
                     "tv_cust_number": r.get("tv_cust_number")},
        "account_id": int(r["account_id"]), "package_id": int(r["package_id"]),
        "be_selling_date": sel.isoformat() if hasattr(sel, "isoformat") else str(sel),
        "be_desc": r["be_desc"], "be_vat": f"{Decimal(r['be_vat']):.4f}",
        "be_gross": _money(r["be_gross"]), "be_b2b_netto": _money(r["be_b2b_netto"]),
        "group_id": int(r["group_id"]),
        "invoice": ({"id": int(r["docid"]), "itemid": r["itemid"],
                     "number": r.get("fullnumber") or (str(r["number"]) if r.get("number")
                                                       is not None else None),
                     "link": f"?m=invoice&id={int(r['docid'])}"} if r["docid"] else None),
        "tv_suspend_billing": bool(r["tv_suspend_billing"]),
        "skip_reason": reason,
        "skip_reason_text": REASON_TEXT.get(reason) if reason else None,
        "skip_reason_pl": REASON_TEXT_PL.get(reason) if reason else None,
        "imported_at": int(r["imported_at"]),
    }
