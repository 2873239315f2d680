"""Taking invoice numbers in the database: the invoicing locks and a per-plan number cache.

The rules (periods, templates) live in :mod:`bridge.billing.numbering`; this module applies them
to the live table under the same table locks LMS's own invoice form takes, in the same order, so
a number is never given twice and the two writers can only queue, never deadlock.
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


# LMS 1.11.17 modules/invoicenew.php locks documents, cash, invoicecontents, numberplans,
# divisions (in that order) around its MAX(number)+1 and inserts; every other LMS form that
# locks tables (notes, receipts, corrective invoices) starts with documents too.  An invoicing
# transaction takes the same tables first, in the same order, before touching anything, so it
# never holds one of them while waiting for another that LMS holds (issue 9 item 14: on MariaDB
# the old row-lock scheme met LMS's LOCK TABLES in a metadata-lock deadlock, error 1213).
INVOICE_LOCKS = dialect.TableLocks(
    exclusive=("documents", "cash", "invoicecontents"),
    shared=("numberplans", "divisions"),
    private=("tv_billing_event",))


def top_document_id(db: Any) -> int:
    """Highest document id; inside an INVOICE_LOCKS transaction nobody else can add one."""
    return int(db.scalar("SELECT COALESCE(MAX(id), 0) AS n FROM documents") or 0)


class Numberer:
    """Next invoice numbers of a run, without rescanning a plan for every invoice.

    Use per transaction: :meth:`begin` (first, inside a transaction holding
    :data:`INVOICE_LOCKS`), :meth:`take` for each
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

    def begin(self, db: Any) -> int:
        """Start a transaction's numbering (``documents`` is locked); return its highest id."""
        self.top = top_document_id(db)
        if self.top != self._known_top:
            self._last.clear()
        self._pending = {}
        return self.top

    def take(self, db: Any, plan: NumberPlan, cdate: int) -> int:
        """The next number of ``plan`` for ``cdate`` (call after :meth:`begin`)."""
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
