"""Last-guard checks and normalisation of SMS call arguments.

The bridge validates operator input (in Polish) before it gets here; these checks only stop a
programming mistake from reaching SMS as a malformed call, with a clear English ValueError.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

DateLike = dt.date | dt.datetime | str

_DATE_RE = re.compile(r"^(\d{4})[-/](\d{2})[-/](\d{2})$")
_INT_RE = re.compile(r"^-?\d+$")
I4_MIN, I4_MAX = -2**31, 2**31 - 1


def sms_date(value: DateLike, name: str) -> str:
    """Any accepted date form as SMS's ``YYYY-MM-DD`` (the references sent slashes sometimes)."""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, str):
        m = _DATE_RE.match(value.strip())
        # Mixed separators ("2024-01/31") are a typo, not a format.
        if m and value.strip()[4] == value.strip()[7]:
            try:
                return dt.date(int(m[1]), int(m[2]), int(m[3])).isoformat()
            except ValueError:
                pass
    raise ValueError(f"{name} must be a date (date object, YYYY-MM-DD or YYYY/MM/DD), "
                     f"got {value!r}")


def optional_sms_date(value: DateLike | None, name: str) -> str:
    """Like :func:`sms_date`, but None or "" stays an empty string (an unset form field)."""
    if value is None or value == "":
        return ""
    return sms_date(value, name)


def sms_id(value: int | str, name: str) -> int:
    """An SMS-side numeric id (account, subscription, package, subnet, ...) as an int."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if isinstance(value, str) and _INT_RE.match(value.strip()):
        value = int(value.strip())
    if isinstance(value, int):
        # XML-RPC's <int> is 32-bit; xmlrpc.client would raise OverflowError while sending.
        if not I4_MIN <= value <= I4_MAX:
            raise ValueError(f"{name} {value} is outside XML-RPC's 32-bit integer range")
        return value
    raise ValueError(f"{name} must be a whole number, got {value!r}")


def sms_id_list(values: Iterable[int | str], name: str) -> list[int]:
    """A non-empty list of ids; a bare string or number is refused, not iterated."""
    if isinstance(values, (str, bytes, int, Mapping)) or not isinstance(values, Iterable):
        raise ValueError(f"{name} must be a list of whole numbers, got {values!r}")
    ids = [sms_id(v, f"{name} item") for v in values]
    if not ids:
        raise ValueError(f"{name} must not be empty")
    return ids


def cust_number(value: str | int, name: str = "cust_number", *, allow_empty: bool = False) -> str:
    """SMS's customer number is a digit string (9 digits observed); sent as a string."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be a digit string, got {value!r}")
    if isinstance(value, int) and value >= 0:
        value = str(value)
    if isinstance(value, str):
        value = value.strip()
        if value == "" and allow_empty:
            return ""
        if value.isdigit() and value.isascii():
            return value
    raise ValueError(f"{name} must be a digit string such as '673041502', got {value!r}")


def text(value: str, name: str, *, allow_empty: bool = True) -> str:
    if not isinstance(value, str):
        raise ValueError(f"{name} must be a string, got {value!r}")
    if not allow_empty and not value.strip():
        raise ValueError(f"{name} must not be empty")
    return value


def struct(value: Mapping[str, Any], name: str) -> dict[str, Any]:
    """A struct of simple values; keys must be strings (XML-RPC member names)."""
    if not isinstance(value, Mapping):
        raise ValueError(f"{name} must be a dict, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    out: dict[str, Any] = {}
    for key, item in value.items():
        if not isinstance(key, str) or not key:
            raise ValueError(f"{name} keys must be non-empty strings, got {key!r}")
        out[key] = marshallable(item, f"{name}[{key!r}]")
    return out


def marshallable(value: Any, name: str) -> Any:
    """Values XML-RPC can carry; Decimal (money from the database) goes as its plain text."""
    if isinstance(value, Decimal):
        return decimal_text(value, name)
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (dt.date, dt.datetime)):
        return sms_date(value, name)
    raise ValueError(f"{name} has a type SMS cannot receive: {type(value).__name__}")


def decimal_text(value: Decimal | int | float | str, name: str) -> str:
    """An amount as plain decimal text with a dot ("-12.50"), never exponent notation."""
    if isinstance(value, bool):
        raise ValueError(f"{name} must be an amount, got {value!r}")
    try:
        amount = Decimal(value.strip().replace(",", ".")) if isinstance(value, str) \
            else Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValueError(f"{name} must be an amount such as 120.00, got {value!r}") from None
    if not amount.is_finite():
        raise ValueError(f"{name} must be a finite amount, got {value!r}")
    return format(amount, "f")


def optional_amount(value: Decimal | int | float | str | None, name: str) -> str:
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    return decimal_text(value, name)


def choice(value: str, name: str, allowed: tuple[str, ...]) -> str:
    if value not in allowed:
        shown = ", ".join(repr(a) for a in allowed)
        raise ValueError(f"{name} must be one of {shown}, got {value!r}")
    return value


def small_int(value: int | str, name: str, allowed: tuple[int, ...] | None = None) -> int:
    number = sms_id(value, name)
    if allowed is not None and number not in allowed:
        shown = ", ".join(str(a) for a in allowed)
        raise ValueError(f"{name} must be one of {shown}, got {value!r}")
    return number
