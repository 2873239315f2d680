"""Taking invoice numbers in the database: the ``documents`` lock and a per-plan number cache.

The rules (periods, templates) live in :mod:`bridge.billing.numbering`; this module applies them
to the live table under the same lock LMS's own invoice form takes, so a number is never given
twice even when an operator issues an invoice in LMS at the same moment.
"""

from __future__ import annotations

from typing import Any

from bridge.billing.lmsdata import NumberPlan
from bridge.billing.numbering import DOC_INVOICE, period_bounds
from bridge.lms import dialect

_Key = tuple[int, tuple[int, int] | None]


def next_number(db: Any, plan: NumberPlan, cdate: int) -> int:
    """MAX(number) + 1 of the plan's period (LMS's GetNewDocumentNumber)."""
    bounds = period_bounds(plan.period, cdate)
    where, params = ("", []) if bounds is None else (" AND cdate >= %s AND cdate < %s",
                                                     list(bounds))
    top = db.scalar("SELECT MAX(number) AS n FROM documents WHERE type = %s "
                    "AND numberplanid = %s" + where, [DOC_INVOICE, plan.id, *params])
    return int(top or 0) + 1


def lock_documents(db: Any) -> int:
    """Stop anyone else inserting documents until our transaction ends; return MAX(id).

    LMS's own invoice form locks ``documents`` while it numbers, so it takes turns with us.
    PostgreSQL: SHARE ROW EXCLUSIVE blocks inserts but not readers.  MySQL: a locking read of
    the highest id holds the gap above it, which every new AUTO_INCREMENT row needs.
    """
    if dialect.is_postgres(db):
        db.execute("LOCK TABLE documents IN SHARE ROW EXCLUSIVE MODE")
        return int(db.scalar("SELECT COALESCE(MAX(id), 0) AS n FROM documents") or 0)
    row = db.one("SELECT id FROM documents ORDER BY id DESC LIMIT 1" + dialect.for_update(db))
    return int(row["id"]) if row else 0


class Numberer:
    """Next invoice numbers of a run, without rescanning a plan for every invoice.

    Use per transaction: :meth:`lock` (first, inside the transaction), :meth:`take` for each
    new invoice, then :meth:`committed` or :meth:`rolled_back`.  A plan's MAX(number) is
    scanned once; afterwards the next number is the previous plus one as long as nobody but
    this run has inserted a document since (the highest document id is still the one we
    inserted last).  Any foreign insert -- an LMS invoice issued meanwhile -- drops the cache
    and the plan is scanned again under the lock.
    """

    def __init__(self) -> None:
        self._known_top: int | None = None
        self._last: dict[_Key, int] = {}
        self._pending: dict[_Key, int] = {}
        self.top = 0

    def lock(self, db: Any) -> int:
        """Lock ``documents`` for this transaction; return its highest id."""
        self.top = lock_documents(db)
        if self.top != self._known_top:
            self._last.clear()
        self._pending = {}
        return self.top

    def take(self, db: Any, plan: NumberPlan, cdate: int) -> int:
        """The next number of ``plan`` for ``cdate`` (call after :meth:`lock`)."""
        key = (plan.id, period_bounds(plan.period, cdate))
        previous = self._pending.get(key, self._last.get(key))
        number = previous + 1 if previous is not None else next_number(db, plan, cdate)
        self._pending[key] = number
        return number

    def committed(self, top_docid: int | None) -> None:
        """The transaction committed; ``top_docid`` = the highest document id it inserted."""
        if self._pending and top_docid is not None:
            self._last.update(self._pending)
            self._known_top = top_docid
        self._pending = {}

    def rolled_back(self) -> None:
        self._pending = {}
