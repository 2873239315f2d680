"""Sorting and paging of lists fetched from SMS (whitelisted sort keys, natural order)."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from typing import Any

from bridge import validation as v
from bridge.validation import ValidationError

MAX_PER_PAGE = 500


def sort_params(args: Mapping[str, str], allowed: tuple[str, ...], default: str) -> tuple[str, str]:
    sort = args.get("sort") or default
    order = (args.get("order") or "asc").lower()
    errors = {}
    if sort not in allowed:
        errors["sort"] = "Dozwolone wartości: " + ", ".join(allowed) + "."
    if order not in ("asc", "desc"):
        errors["order"] = "Dozwolone wartości: asc, desc."
    if errors:
        raise ValidationError(errors)
    return sort, order


def page_params(args: Mapping[str, str]) -> tuple[int, int | None]:
    """(page, per_page) where per_page None means "all"."""
    errors: dict[str, str] = {}
    page = 1
    per_page: int | None = 25
    raw_pp = args.get("per_page")
    if raw_pp:
        if raw_pp == "all":
            per_page = None
        else:
            try:
                per_page = v.integer(raw_pp, "per_page", minimum=1, maximum=MAX_PER_PAGE)
            except ValidationError as exc:
                errors.update(exc.fields)
    raw_page = args.get("page")
    if raw_page:
        if raw_page in ("all", "-1"):
            per_page = None
        else:
            try:
                page = v.positive_int(raw_page, "page")
            except ValidationError as exc:
                errors.update(exc.fields)
    if errors:
        raise ValidationError(errors)
    return page, per_page


_DIGIT = re.compile(r"\d")


def natural_key(value: Any) -> tuple:
    """Exactly :func:`bridge.validation.natural_key`, without its regex split and generator for
    the common case, a text with no digit (surnames, streets, cities of 20,000 customers)."""
    if type(value) is str:
        low = value.lower()
        if _DIGIT.search(low) is None:
            return (2, ((1, 0, v.polish_text_key(low)),)) if low else (2, ())
    return v.natural_key(value)


def sort_items(items: list[dict[str, Any]], sort: str, order: str,
               key: Callable[[dict[str, Any]], Any] | None = None) -> list[dict[str, Any]]:
    """``items`` in natural order of ``key(item)`` (default ``item[sort]``), stable."""
    return [items[i] for i in sort_positions(items, sort, order, key)]


def sort_positions(items: list[dict[str, Any]], sort: str, order: str,
                   key: Callable[[dict[str, Any]], Any] | None = None) -> list[int]:
    """The positions of ``items`` in :func:`sort_items`' order."""
    values = [key(it) for it in items] if key else [it.get(sort) for it in items]
    return value_positions(values, order)


def value_positions(values: list[Any], order: str) -> list[int]:
    """The positions of ``values`` in natural order (what :func:`sort_positions` sorts by)."""
    keys = _sort_keys(values)
    # Sorting positions by a list's own __getitem__ keeps the comparisons in C; sorted() is
    # stable in both directions, so ties keep SMS's order and pages never overlap.
    return sorted(range(len(values)), key=keys.__getitem__, reverse=(order == "desc"))


def _sort_keys(values: list[Any]) -> list[Any]:
    """Natural sort keys; when every value is a digit-free text, just their Polish text keys.

    For such texts natural_key is ``(2, ((1, 0, key),))`` (``(2, ())`` for ""), which orders
    exactly as ``key`` does, and plain strings compare many times faster than nested tuples.
    """
    lows = []
    append = lows.append
    search = _DIGIT.search
    text_key = v.polish_text_key
    # Surnames, streets and cities repeat (100,000 customers have a few thousand distinct
    # ones): each distinct text is lowered and keyed once.
    known: dict[str, str] = {}
    get = known.get
    for value in values:
        if type(value) is not str:
            break
        key = get(value)
        if key is None:
            low = value.lower()
            if search(low) is not None:
                break
            key = known[value] = text_key(low)
        append(key)
    else:
        return lows
    return [natural_key(value) for value in values]


def paginate(items: list[Any], page: int, per_page: int | None) -> dict[str, Any]:
    total = len(items)
    if per_page is None:
        return {"items": items, "total": total, "page": 1, "per_page": "all",
                "pages": 1 if total else 0}
    pages = math.ceil(total / per_page) if total else 0
    start = (page - 1) * per_page
    return {"items": items[start:start + per_page], "total": total, "page": page,
            "per_page": per_page, "pages": pages}
