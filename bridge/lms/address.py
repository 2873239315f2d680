"""Split LMS 1.11.17's one-line Polish address into street, house number and flat.

LMS 1.11.17 keeps ``customers.address`` as free text ("ul. Długa 12/3"), but SMS wants the
street, house number and flat in separate fields.  The original module sent the whole line as
the street and "." for both numbers; we send real parts and "." only where a part is truly
missing (SMS rejects empty values there).
"""

from __future__ import annotations

import re
from typing import NamedTuple

MISSING = "."

_HOUSE = r"\d+(?:\s?[A-Za-z](?![A-Za-z]))?(?:\s*-\s*\d+(?:\s?[A-Za-z](?![A-Za-z]))?)?"
_FLAT = r"\d+[A-Za-z]?|[A-Za-z]{1,2}\s?\d+|\d+"
# A flat follows the house number after "/", or after a marker word such as "m.", "lok.",
# "lokal", "mieszk.", "apt." (optionally preceded by a comma).
_FLAT_MARK = r"(?:m|lok|lokal|mieszk|mieszkanie|apt|ap)\b\.?"
_TAIL = re.compile(
    rf"""(?:^|[\s,]+)(?:nr\.?\s*)?(?P<house>{_HOUSE})
         (?:\s*[/\\]\s*(?P<flat1>{_FLAT})
          |\s*,?\s*{_FLAT_MARK}\s*(?P<flat2>{_FLAT}))?
         \s*$""",
    re.VERBOSE | re.IGNORECASE,
)
_SPACES = re.compile(r"\s+")


class AddressParts(NamedTuple):
    street: str
    house: str
    flat: str


def _clean(text: str) -> str:
    return _SPACES.sub(" ", text).strip(" ,;")


def split_address(line: str | None) -> AddressParts:
    """Split one address line; every missing part comes back as ".".

    >>> split_address("ul. Długa 12/3")
    AddressParts(street='ul. Długa', house='12', flat='3')
    >>> split_address("Al. Jana Pawła II 5 m. 7")
    AddressParts(street='Al. Jana Pawła II', house='5', flat='7')
    """
    text = _clean(line or "")
    if not text:
        return AddressParts(MISSING, MISSING, MISSING)
    match = _TAIL.search(text)
    if match is None:
        return AddressParts(text, MISSING, MISSING)
    street = _clean(text[:match.start()])
    house = re.sub(r"\s+", "", match.group("house"))
    flat = match.group("flat1") or match.group("flat2") or ""
    flat = re.sub(r"\s+", "", flat)
    return AddressParts(street or MISSING, house or MISSING, flat or MISSING)
