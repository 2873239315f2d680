"""The import's staging table: a streamed reply's events wait here until the reply is whole.

A connection-private TEMPORARY table (``tv_billing_stage``) takes the validated events batch by
batch while the SMS reply is still arriving, so memory does not grow with the reply.  Nothing
reaches ``tv_billing_event`` until the whole reply has parsed; then one transaction settles
duplicate ids, counts, and moves the new events over with one ``INSERT ... SELECT``.  A reply
that breaks off, ends in garbage or is not a list drops the staged rows: nothing stored.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from bridge.lms import dialect

STAGE = "tv_billing_stage"
# Event columns as in tv_billing_event, then the staging-only ones: the reply position (for
# messages and "first copy wins"), a digest of the content (two copies of an id must agree) and
# the link problem (for the summary; skip_reason says "suspended" over it).
EVENT_COLUMNS = ("beid", "customerid", "cust_number", "account_id", "package_id",
                 "be_selling_date", "be_desc", "be_vat", "be_gross", "be_b2b_netto", "group_id",
                 "tv_suspend_billing", "skip_reason")
STAGE_COLUMNS = ("pos", *EVENT_COLUMNS, "digest", "problem")

_DDL = ("pos bigint NOT NULL, beid bigint NOT NULL, customerid integer NULL, "
        "cust_number varchar(20) NOT NULL, account_id bigint NOT NULL, "
        "package_id bigint NOT NULL, be_selling_date date NOT NULL, be_desc text NOT NULL, "
        "be_vat numeric(6,4) NOT NULL, be_gross numeric(12,2) NOT NULL, "
        "be_b2b_netto numeric(12,2) NULL, group_id bigint NOT NULL, "
        "tv_suspend_billing smallint NOT NULL, skip_reason varchar(32) NULL, "
        "digest bigint NOT NULL, problem varchar(32) NULL")


def create(db: Any) -> None:
    """An empty staging table for this connection (a leftover of an earlier call is dropped)."""
    drop(db)
    if dialect.is_postgres(db):
        # No index: every statement below reads the whole table (hash joins/aggregates).
        db.execute(f"CREATE TEMPORARY TABLE {STAGE} ({_DDL})")
    else:
        # MariaDB answers the duplicate GROUP BY and the anti-join from the beid index.
        db.execute(f"CREATE TEMPORARY TABLE {STAGE} ({_DDL}, KEY (beid)) ENGINE=InnoDB")


def drop(db: Any) -> None:
    # Never a permanent table of the same name: pg_temp / TEMPORARY name only our own.
    if dialect.is_postgres(db):
        db.execute(f"DROP TABLE IF EXISTS pg_temp.{STAGE}")
    else:
        db.execute(f"DROP TEMPORARY TABLE IF EXISTS {STAGE}")


def clear(db: Any) -> None:
    """Forget what a failed attempt staged (the read is retried once)."""
    db.execute(f"DELETE FROM {STAGE}")


def load(db: Any, rows: Sequence[Sequence[Any]]) -> None:
    """Stage rows (STAGE_COLUMNS order); committed at once, the table being private anyway."""
    with db.transaction():
        dialect.bulk_load(db, STAGE, STAGE_COLUMNS, rows)


def duplicates(db: Any) -> list[dict[str, Any]]:
    """Every staged copy of an id staged more than once, by id and position.

    Two statements: MySQL cannot open a TEMPORARY table twice in one query.
    """
    beids = [int(r["beid"]) for r in db.query(
        f"SELECT beid FROM {STAGE} GROUP BY beid HAVING COUNT(*) > 1")]
    out: list[dict[str, Any]] = []
    for first in range(0, len(beids), 1000):
        part = beids[first:first + 1000]
        out += db.query(f"SELECT beid, pos, digest FROM {STAGE} WHERE beid IN "
                        f"({', '.join(['%s'] * len(part))}) ORDER BY beid, pos", part)
    return out


class StoredIds:
    """The ids stored with a sale date in the import's window, sorted, 8 bytes each (PostgreSQL).

    Read once with one sequential scan (``COPY ... TO STDOUT``) instead of a lookup per batch:
    the import stores events in customer order, so looking up a reply's ids (in SMS's order)
    one batch at a time visited the table's pages at random -- at 1,000,000 events that took
    longer than the validation it saved.  A snapshot: an event stored after it was read (a
    concurrent import) is staged and dropped by the move's anti-join as before.
    """

    def __init__(self, db: Any, table: str, start: Any, end: Any) -> None:
        from array import array

        self.ids = array("q")
        append = self.ids.append

        class _Sink:
            def write(self, data: str) -> None:  # one row per call
                append(int(data))

        dialect.ident(table)
        with db.raw.cursor() as cur:
            cur.copy_expert(cur.mogrify(
                f"COPY (SELECT beid FROM {table} WHERE be_selling_date BETWEEN %s AND %s "
                "ORDER BY beid) TO STDOUT", [start, end]).decode(), _Sink())

    def among(self, beids: Sequence[int]) -> set[int]:
        from bisect import bisect_left

        ids, n = self.ids, len(self.ids)
        out = set()
        for beid in beids:
            i = bisect_left(ids, beid)
            if i < n and ids[i] == beid:
                out.add(beid)
        return out


def stored_ids(db: Any, table: str, beids: Sequence[int]) -> set[int]:
    """Which of these event ids ``table`` holds already (the import skips them unstaged)."""
    return dialect.existing_keys(db, table, "beid", beids)


def delete_positions(db: Any, positions: Sequence[int]) -> None:
    for first in range(0, len(positions), 1000):
        part = list(positions[first:first + 1000])
        db.execute(f"DELETE FROM {STAGE} WHERE pos IN ({', '.join(['%s'] * len(part))})", part)


def count(db: Any) -> int:
    return int(db.scalar(f"SELECT COUNT(*) AS n FROM {STAGE}") or 0)


def unlinked(db: Any) -> list[dict[str, Any]]:
    """Staged events whose customer link is broken, per SMS customer and reason."""
    return db.query(f"SELECT cust_number, customerid, problem, COUNT(*) AS n FROM {STAGE} "
                    "WHERE problem IS NOT NULL GROUP BY cust_number, customerid, problem")


_NEW = (f" FROM {STAGE} s WHERE NOT EXISTS "
        "(SELECT 1 FROM tv_billing_event e WHERE e.beid = s.beid)")


def suspended_new(db: Any) -> int:
    return int(db.scalar("SELECT COUNT(*) AS n" + _NEW + " AND s.tv_suspend_billing = 1") or 0)


def move_new(db: Any, table: str, now: int) -> int:
    """Insert the staged events not stored yet; returns how many were inserted.

    The anti-join keeps a re-import cheap (nothing to insert, no per-row conflict handling); the
    conflict clause still skips an id a concurrent import stored since.
    """
    cols = ", ".join(EVENT_COLUMNS)
    sql = (f"INSERT INTO {table} ({cols}, imported_at) SELECT "
           + ", ".join(f"s.{c}" for c in EVENT_COLUMNS) + ", %s" + _NEW
           # Stored in the order invoicing reads them: a batch's events share a few pages
           # (heap on PostgreSQL, the clustered id index on InnoDB) instead of one each.
           + " ORDER BY s.customerid, s.be_selling_date, s.beid")
    if dialect.is_postgres(db):
        sql += " ON CONFLICT (beid) DO NOTHING"
    else:
        sql += f" ON DUPLICATE KEY UPDATE {table}.beid = {table}.beid"
    return max(0, db.execute(sql, [now]))
