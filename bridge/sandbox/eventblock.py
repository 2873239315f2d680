"""Generated billing events kept as a rule instead of a million tuples.

``sandbox.generateBillingEvents`` makes events that follow a formula of their index (customer
``i % n``, month ``i * months // count``, day ``1 + i % 28``, base package ``i % bases``).
Storing them as tuples costs ~200 bytes each (1,000,000 events: ~200 MB on top of the
customers); a block stores the formula and yields the same tuples, a day at a time, while the
reply is written.  A block never changes after it is made, so replies can be written from it
outside the state lock.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date

DAYS = 28  # every month has days 1..28


@dataclass(frozen=True)
class Base:
    package_id: int
    price: float
    b2b: float


@dataclass(frozen=True)
class EventBlock:
    first_id: int
    count: int
    numbers: tuple[str, ...]
    externals: tuple[int | str, ...]
    accounts: tuple[int, ...]
    months: tuple[date, ...]
    bases: tuple[Base, ...]
    texts: tuple[tuple[str, ...], ...]  # [month][base] -> description
    groups: tuple[int, ...]  # [month] -> SGT report id
    vat: float

    @property
    def ids(self) -> range:
        return range(self.first_id, self.first_id + self.count)

    def _month_span(self, m: int) -> tuple[int, int]:
        """Indexes i with i * months // count == m."""
        n, months = self.count, len(self.months)
        return -(-m * n // months), -(-(m + 1) * n // months)

    def days(self) -> list[str]:
        """Every sale date that has at least one event (ISO text)."""
        out = []
        for m, month in enumerate(self.months):
            lo, hi = self._month_span(m)
            out += [month.replace(day=d).isoformat() for d in range(1, DAYS + 1)
                    if lo + ((d - 1 - lo) % DAYS) < hi]
        return out

    def rows_on(self, day: str) -> Iterator[tuple]:
        """The events of one sale date, in index order, as the sandbox's event tuples."""
        try:
            sold = date.fromisoformat(day)
        except ValueError:
            return
        for m, month in enumerate(self.months):
            if (month.year, month.month) != (sold.year, sold.month) or not 1 <= sold.day <= DAYS:
                continue
            lo, hi = self._month_span(m)
            numbers, externals, accounts = self.numbers, self.externals, self.accounts
            bases, texts, group, vat = self.bases, self.texts[m], self.groups[m], self.vat
            n, nb, first = len(numbers), len(bases), self.first_id
            for i in range(lo + ((sold.day - 1 - lo) % DAYS), hi, DAYS):
                c, b = i % n, i % nb
                base = bases[b]
                yield (first + i, externals[c], numbers[c], accounts[c], base.package_id, day,
                       texts[b], vat, base.price, base.b2b, group)
