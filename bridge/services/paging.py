"""Sorting and paging of lists fetched from SMS (whitelisted sort keys, natural order)."""

from __future__ import annotations

import math
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


def sort_items(items: list[dict[str, Any]], sort: str, order: str,
               key: Callable[[dict[str, Any]], Any] | None = None) -> list[dict[str, Any]]:
    get = key or (lambda item: item.get(sort))
    # Ties keep a stable secondary order so pages never overlap.
    return sorted(items, key=lambda it: v.natural_key(get(it)), reverse=(order == "desc"))


def paginate(items: list[Any], page: int, per_page: int | None) -> dict[str, Any]:
    total = len(items)
    if per_page is None:
        return {"items": items, "total": total, "page": 1, "per_page": "all",
                "pages": 1 if total else 0}
    pages = math.ceil(total / per_page) if total else 0
    start = (page - 1) * per_page
    return {"items": items[start:start + per_page], "total": total, "page": page,
            "per_page": per_page, "pages": pages}
