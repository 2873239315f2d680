"""JSON Schemas of the API's inputs, for the OpenAPI document (bridge/api/openapi.py).

They say what the validators in bridge/validation.py accept, so a client (or a fuzzer) that
follows the document is not refused with a 400: types, required fields, patterns of MACs, dates,
PINs, postal codes and amounts, enums of sort keys and modes.  Where the rule cannot be written
as a schema (a date range's order, HTML that leaves no text) the description says so, and the
patterns stay inside what is accepted (e.g. days 29-31 only in months that have them).
Digits are spelled [0-9]: a schema pattern's \\d would let Unicode digits through.
"""

from __future__ import annotations

from typing import Any

Schema = dict[str, Any]

_NO_CONTROL = r"[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]"
_VISIBLE = r"[^\s\x00-\x1f\x7f]"
_DAY = (r"(?:(?:0[1-9]|1[0-2])S(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])S(?:29|30)"
        r"|(?:0[13578]|1[02])S31)")
_DATE_DASH = r"[1-9][0-9]{3}-" + _DAY.replace("S", "-")
_DATE_SLASH = r"[1-9][0-9]{3}/" + _DAY.replace("S", "/")

DATE: Schema = {"type": "string", "pattern": f"^(?:{_DATE_DASH}|{_DATE_SLASH})$",
                "description": "a calendar date, YYYY-MM-DD or YYYY/MM/DD"}
MAC: Schema = {"type": "string",
               "pattern": r"^(?:[0-9A-Fa-f]{2}[:-]){5}[0-9A-Fa-f]{2}$|^[0-9A-Fa-f]{12}$",
               "description": "STB MAC in any common spelling (AA:BB:…, aa-bb-…, aabbcc…)"}
PIN: Schema = {"type": "string", "pattern": "^[0-9]{4}$", "description": "exactly 4 digits"}
POSTAL_CODE: Schema = {"type": "string", "pattern": "^[0-9]{2}-[0-9]{3}$"}
AMOUNT: Schema = {"type": "string", "pattern": r"^[0-9]{1,9}(?:[.,][0-9]{1,2})?$",
                  "description": "non-negative, at most 2 decimals, ',' or '.'"}
ID: Schema = {"type": "integer", "minimum": 1, "maximum": 2**31 - 1}
BOOLEAN: Schema = {"type": "boolean"}


def text(max_len: int, *, required: bool = True, markup: bool = False) -> Schema:
    """A trimmed text: not blank when required, no control characters, at most max_len."""
    char = _NO_CONTROL if not markup else _NO_CONTROL.replace("[^", "[^<")
    visible = _VISIBLE if not markup else _VISIBLE.replace("[^", "[^<")
    pattern = f"^{char}*{visible}{char}*$" if required else f"^{char}*$"
    return {"type": "string", "maxLength": max_len, "pattern": pattern}


def search_text(min_len: int, separators: str) -> Schema:
    """Typed search text: at least ``min_len`` characters besides separators, at most 32."""
    sep = "[" + separators.replace("-", r"\-") + "]*"
    one = r"[^\s" + separators.replace("-", r"\-").replace(" ", "") + r"\x00-\x1f\x7f]"
    return {"type": "string", "maxLength": 32,
            "pattern": "^" + (sep + one) * min_len + r"[^\x00-\x1f\x7f]*$",
            "description": f"at least {min_len} characters besides {separators.strip()!r}"}


def enum(values: tuple[str, ...] | list[str]) -> Schema:
    return {"type": "string", "enum": list(values)}


ORDER = enum(("asc", "desc"))
PAGE: Schema = {"type": "integer", "minimum": 1, "maximum": 10**6}
PER_PAGE: Schema = {"type": "string", "pattern": "^(?:[1-9][0-9]?|[1-4][0-9]{2}|500|all)$",
                    "description": "1-500 or 'all'"}
FRESH = BOOLEAN


def paging(sorts: tuple[str, ...]) -> dict[str, Schema]:
    return {"page": PAGE, "per_page": PER_PAGE, "sort": enum(sorts), "order": ORDER,
            "fresh": FRESH}


ADDRESS: dict[str, Schema] = {
    "cust_i_street": text(100), "cust_i_home_nr": text(20),
    "cust_i_flat": text(20, required=False), "cust_i_postal_code": POSTAL_CODE,
    "cust_i_city": text(100)}
ADDRESS_REQUIRED = ("cust_i_street", "cust_i_home_nr", "cust_i_postal_code", "cust_i_city")

MESSAGE: dict[str, Schema] = {
    # HTML is allowed (b, i, u, font…; a, p, img in the body) and sanitised; the schema offers
    # plain text only, because markup that leaves no text is refused.
    "msg_body": text(1000, markup=True), "msg_body_extended": text(10000, markup=True),
    "msg_teaser_valid_from": {**DATE, "description": "first day the teaser is shown"},
    # The ends default to the later of their start and today, and must not be before it: a
    # schema cannot compare two fields, so that rule is in the descriptions.
    "msg_teaser_valid_to": {**DATE, "description": "last day the teaser is shown; not before "
                                                   "msg_teaser_valid_from"},
    "msg_valid_from": {**DATE, "description": "first day of the message (default today)"},
    "msg_valid_to": {**DATE, "description": "last day of the message; not before "
                                            "msg_valid_from (default: the later of "
                                            "msg_valid_from and today)"},
    "msg_prio": {"type": "integer", "enum": [0, 1, 2],
                 "description": "read confirmation: 0 after PIN, 1 on click, 2 once shown"},
    "msg_show_priority": {"type": "integer", "minimum": -1000, "maximum": 1000}}
MESSAGE_REQUIRED = ("msg_body", "msg_body_extended", "msg_teaser_valid_from")
