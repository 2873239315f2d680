"""Input rules checked before anything reaches SMS; every refusal carries a Polish message.

Functions take the raw value (from JSON or a query string) and return the clean one, or raise
:class:`ValidationError` naming the field.  :class:`Form` collects errors of several fields so an
operator sees all of them at once.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from html.parser import HTMLParser
from typing import Any, TypeVar

T = TypeVar("T")

_MAC_STRIP = re.compile(r"[\s:.\-]")
_HEX12 = re.compile(r"^[0-9A-Fa-f]{12}$")
_DATE = re.compile(r"^(\d{4})([-/])(\d{2})\2(\d{2})$")
_AMOUNT = re.compile(r"^\d{1,9}(?:[.,]\d{1,2})?$")
# [0-9], not \d: \d matches every script's digits, and these values go to SMS unchanged.
_PIN = re.compile(r"^[0-9]{4}$")
_ZIP = re.compile(r"^[0-9]{2}-[0-9]{3}$")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class ValidationError(Exception):
    """Bad input: ``fields`` maps each bad field to its Polish message."""

    def __init__(self, fields: dict[str, str]) -> None:
        self.fields = fields
        super().__init__("; ".join(f"{k}: {v}" for k, v in fields.items()))


def _fail(field: str, message: str) -> ValidationError:
    return ValidationError({field: message})


def mac(value: Any, field: str = "mac") -> str:
    """Any common MAC spelling → ``AA:BB:CC:DD:EE:FF``."""
    if not isinstance(value, str):
        raise _fail(field, "Niepoprawny adres MAC.")
    raw = _MAC_STRIP.sub("", value)
    if not _HEX12.match(raw):
        raise _fail(field, "Niepoprawny adres MAC.")
    raw = raw.upper()
    return ":".join(raw[i:i + 2] for i in range(0, 12, 2))


def date(value: Any, field: str = "date") -> str:
    """A real calendar date in YYYY-MM-DD or YYYY/MM/DD → ``YYYY-MM-DD``."""
    if isinstance(value, dt.date):
        return value.strftime("%Y-%m-%d")
    m = _DATE.match(value.strip()) if isinstance(value, str) else None
    if not m:
        raise _fail(field, "Niepoprawna data (oczekiwano RRRR-MM-DD lub RRRR/MM/DD).")
    try:
        return dt.date(int(m[1]), int(m[3]), int(m[4])).strftime("%Y-%m-%d")
    except ValueError:
        raise _fail(field, "Taka data nie istnieje.") from None


def pin(value: Any, field: str = "pin") -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str) or not _PIN.match(value.strip()):
        raise _fail(field, "PIN musi składać się z dokładnie 4 cyfr.")
    return value.strip()


def amount(value: Any, field: str = "amount") -> str:
    """Non-negative, at most 2 decimals, comma or dot → ``"12.50"``; empty → ``""``."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return ""
    if isinstance(value, bool):
        raise _fail(field, "Niepoprawna kwota.")
    text = str(value).strip() if isinstance(value, (int, str)) else None
    if isinstance(value, float):
        text = repr(value)
    if text is None or text.startswith("-"):
        raise _fail(field, "Kwota nie może być ujemna." if text else "Niepoprawna kwota.")
    if not _AMOUNT.match(text):
        raise _fail(field, "Niepoprawna kwota (najwyżej 2 miejsca po przecinku).")
    try:
        return str(Decimal(text.replace(",", ".")).quantize(Decimal("0.01")))
    except InvalidOperation:
        raise _fail(field, "Niepoprawna kwota.") from None


def positive_int(value: Any, field: str = "id") -> int:
    if isinstance(value, bool):
        raise _fail(field, "Oczekiwano dodatniej liczby całkowitej.")
    if isinstance(value, int):
        num = value
    elif isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        num = int(value.strip())
    else:
        raise _fail(field, "Oczekiwano dodatniej liczby całkowitej.")
    if num <= 0 or num > 2**53:
        raise _fail(field, "Oczekiwano dodatniej liczby całkowitej.")
    return num


def integer(value: Any, field: str, *, minimum: int = -10**6, maximum: int = 10**6) -> int:
    if isinstance(value, bool):
        raise _fail(field, "Oczekiwano liczby całkowitej.")
    try:
        num = int(value) if isinstance(value, (int, str)) else None
    except ValueError:
        num = None
    if num is None:
        raise _fail(field, "Oczekiwano liczby całkowitej.")
    if not minimum <= num <= maximum:
        raise _fail(field, f"Wartość musi być w zakresie {minimum}–{maximum}.")
    return num


def text(value: Any, field: str, *, max_len: int, required: bool = True,
         min_len: int = 1) -> str:
    """Trimmed single text value with bounded length and no control characters."""
    if value is None:
        value = ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        raise _fail(field, "Oczekiwano tekstu.")
    value = value.strip()
    if not value:
        if required:
            raise _fail(field, "Pole jest wymagane.")
        return ""
    if len(value) < min_len:
        raise _fail(field, f"Za krótki tekst (co najmniej {min_len} znaki).")
    if len(value) > max_len:
        raise _fail(field, f"Za długi tekst (najwyżej {max_len} znaków).")
    if _CONTROL.search(value):
        raise _fail(field, "Tekst zawiera niedozwolone znaki sterujące.")
    return value


def postal_code(value: Any, field: str) -> str:
    value = text(value, field, max_len=10)
    if not _ZIP.match(value):
        raise _fail(field, "Niepoprawny kod pocztowy (oczekiwano NN-NNN).")
    return value


def boolean(value: Any, field: str) -> bool:
    if isinstance(value, bool):
        return value
    if value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in ("1", "0", "true", "false"):
        return value.strip().lower() in ("1", "true")
    raise _fail(field, "Oczekiwano wartości tak/nie (true/false).")


def choice(value: Any, field: str, allowed: Iterable[str]) -> str:
    allowed = list(allowed)
    if not isinstance(value, str) or value not in allowed:
        raise _fail(field, "Dozwolone wartości: " + ", ".join(allowed) + ".")
    return value


def id_list(value: Any, field: str, *, max_items: int = 100) -> list[int]:
    if not isinstance(value, list) or not value:
        raise _fail(field, "Wybierz co najmniej jedną pozycję.")
    if len(value) > max_items:
        raise _fail(field, f"Najwyżej {max_items} pozycji.")
    out: list[int] = []
    for item in value:
        num = positive_int(item, field)
        if num not in out:
            out.append(num)
    return out


class Form:
    """Validate several fields of a JSON body, collecting every error before refusing."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.data = data
        self.errors: dict[str, str] = {}

    def field(self, name: str, check: Callable[..., T], *args: Any, default: Any = None,
              required: bool = True, **kwargs: Any) -> T | None:
        raw = self.data.get(name)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if default is not None:
                raw = default
            elif required:
                self.errors[name] = "Pole jest wymagane."
                return None
            else:
                return None
        try:
            return check(raw, name, *args, **kwargs)
        except ValidationError as exc:
            self.errors.update(exc.fields)
            return None

    def error(self, name: str, message: str) -> None:
        self.errors.setdefault(name, message)

    def done(self) -> None:
        if self.errors:
            raise ValidationError(self.errors)


# -- message HTML ------------------------------------------------------------------------------

TEASER_TAGS = {"b": (), "strong": (), "u": (), "i": (), "l": (), "font": ("color", "size", "face")}
BODY_TAGS = {**TEASER_TAGS, "p": (), "a": ("href",), "img": ("src", "alt")}
_VOID = {"img"}
# Elements whose content is code, not text: dropped whole rather than shown as words on a TV.
_DROP_CONTENT = {"script", "style"}


class _Sanitizer(HTMLParser):
    def __init__(self, allowed: dict[str, tuple[str, ...]]) -> None:
        super().__init__(convert_charrefs=False)
        self.allowed = allowed
        self.out: list[str] = []
        self.dropping = 0

    def _attrs(self, tag: str, attrs: list[tuple[str, str | None]]) -> str:
        parts = []
        for name, val in attrs:
            if name not in self.allowed[tag] or val is None:
                continue
            if name in ("href", "src") and not re.match(r"^(https?:|/|[\w.-]+(/|$))", val.strip(),
                                                        re.I):
                continue  # javascript:, data: and friends
            val = val.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
            parts.append(f' {name}="{val}"')
        return "".join(parts)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROP_CONTENT:
            self.dropping += 1
        elif tag in self.allowed and not self.dropping:
            self.out.append(f"<{tag}{self._attrs(tag, attrs)}>")

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.allowed and not self.dropping:
            self.out.append(f"<{tag}{self._attrs(tag, attrs)} />")

    def handle_endtag(self, tag: str) -> None:
        if tag in _DROP_CONTENT:
            self.dropping = max(0, self.dropping - 1)
        elif tag in self.allowed and tag not in _VOID and not self.dropping:
            self.out.append(f"</{tag}>")

    def handle_data(self, data: str) -> None:
        if self.dropping:
            return
        self.out.append(data.replace("<", "&lt;").replace(">", "&gt;"))

    def handle_entityref(self, name: str) -> None:
        if not self.dropping:
            self.out.append(f"&{name};")

    def handle_charref(self, name: str) -> None:
        if not self.dropping:
            self.out.append(f"&#{name};")


def sanitize_html(value: str, allowed: dict[str, tuple[str, ...]]) -> str:
    """Keep only the tags SMS's API doc allows; other tags are dropped, their text kept (the
    content of script/style is dropped too)."""
    parser = _Sanitizer(allowed)
    parser.feed(value)
    parser.close()
    return "".join(parser.out)


# Polish alphabetical order: a ą b c ć d e ę … l ł … n ń o ó … s ś … z ź ż. Each Polish letter
# becomes its base letter followed by _AFTER, a character no other key character reaches, so
# "az…" < "ą" < "b" and plain string comparison of the keys is Polish order. ż gets two
# marks to come after ź.
_AFTER = "\U0010ffff"
_POLISH = str.maketrans({"ą": "a" + _AFTER, "ć": "c" + _AFTER, "ę": "e" + _AFTER,
                         "ł": "l" + _AFTER, "ń": "n" + _AFTER, "ó": "o" + _AFTER,
                         "ś": "s" + _AFTER, "ź": "z" + _AFTER, "ż": "z" + _AFTER * 2,
                         _AFTER: None})


def polish_text_key(text: str) -> str:
    """Sort key of a text in Polish alphabetical order, case-insensitive.

    The one place that defines how names, streets and cities sort (customers, STBs, messages,
    packages, billing events). Letters of other languages sort with their base letter
    ("é" as "e"); everything else by code point, as before.
    """
    low = text.lower()
    if low.isascii():
        return low
    # NFC first so a decomposed "a" + ogonek is the letter ą; then, the Polish letters done,
    # NFD and dropping the combining marks puts other accented letters with their base.
    low = unicodedata.normalize("NFC", low).translate(_POLISH)
    key = "".join(c for c in unicodedata.normalize("NFD", low) if not unicodedata.combining(c))
    return key or low  # a text of combining marks only is not the empty text


def natural_key(value: Any) -> tuple:
    """Case-insensitive natural sort key (``abc2`` < ``abc10``), texts in Polish alphabetical
    order (:func:`polish_text_key`); None sorts first."""
    if value is None:
        return (0,)
    if isinstance(value, (int, float, Decimal)) and not isinstance(value, bool):
        return (1, float(value))
    parts = re.split(r"(\d+)", str(value).lower())
    # isdecimal, not isdigit: "²" is a digit to isdigit() but int() refuses it; \d and int()
    # agree on exactly the decimal characters.
    return (2, tuple((0, int(p), "") if p.isdecimal() else (1, 0, polish_text_key(p))
                     for p in parts if p != ""))
