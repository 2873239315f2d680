"""The SMS customer list (custList("")) as billing jobs read it."""

from __future__ import annotations

from typing import Any


def sms_customers(sms: Any) -> list[dict[str, Any]]:
    reply = sms.custList("")
    if reply in (None, "") or reply == {}:
        return []
    if isinstance(reply, dict):  # a lone struct instead of a list of one
        reply = [reply]
    if not isinstance(reply, list) or not all(isinstance(c, dict) for c in reply):
        raise ValueError("custList returned something that is not a list of customers")
    return reply


def external_id(value: Any) -> int | None:
    text = str(value).strip() if value is not None else ""
    # ASCII digits only: '²' is isdigit() but int() refuses it
    return int(text) if text.isascii() and text.isdigit() and 0 < int(text) < 2**31 else None
