"""The two lmstv tables behind follow-cutoff: ``tv_account_lock`` (who locked which TV account
and why) and ``tv_cutoff_customer`` (customers handled as blocked, and since when)."""

from __future__ import annotations

from typing import Any

AUTO = "lmstv-cutoff"
REASON = "blokada windykacyjna LMS"


def handled_customers(db: Any) -> dict[int, int]:
    """customer id -> unix time follow-cutoff first saw the block."""
    return {int(r["customerid"]): int(r["blocked_since"])
            for r in db.query("SELECT customerid, blocked_since FROM tv_cutoff_customer")}


def auto_locks(db: Any, customer_id: int | None = None) -> dict[int, int]:
    """account id -> customer id of the accounts follow-cutoff locked."""
    sql = "SELECT account_id, customerid FROM tv_account_lock WHERE locked_by = %s"
    params: list[Any] = [AUTO]
    if customer_id is not None:
        sql += " AND customerid = %s"
        params.append(customer_id)
    return {int(r["account_id"]): int(r["customerid"]) for r in db.query(sql, params)}


def record_lock(db: Any, account_id: int, customer_id: int, by: str, reason: str,
                now: int) -> None:
    with db.transaction():
        db.execute("DELETE FROM tv_account_lock WHERE account_id = %s", [account_id])
        db.execute("INSERT INTO tv_account_lock (account_id, customerid, locked_by, reason, "
                   "locked_at) VALUES (%s, %s, %s, %s, %s)",
                   [account_id, customer_id, by, reason, now])


def forget_lock(db: Any, account_id: int) -> None:
    """The operator took the account over (locked or unlocked it by hand): follow-cutoff must
    no longer unlock it."""
    with db.transaction():
        db.execute("DELETE FROM tv_account_lock WHERE account_id = %s", [account_id])


def mark_handled(db: Any, customer_id: int, since: int) -> None:
    with db.transaction():
        db.execute("DELETE FROM tv_cutoff_customer WHERE customerid = %s", [customer_id])
        db.execute("INSERT INTO tv_cutoff_customer (customerid, blocked_since) VALUES (%s, %s)",
                   [customer_id, since])


def unmark_handled(db: Any, customer_id: int) -> None:
    with db.transaction():
        db.execute("DELETE FROM tv_cutoff_customer WHERE customerid = %s", [customer_id])


def auto_locked_since(db: Any, customer_id: int) -> dict[int, int]:
    """account id -> the LMS block's start, for the TV box ("blokada w LMS od …")."""
    rows = db.query("SELECT l.account_id, c.blocked_since FROM tv_account_lock l "
                    "JOIN tv_cutoff_customer c ON c.customerid = l.customerid "
                    "WHERE l.customerid = %s AND l.locked_by = %s", [customer_id, AUTO])
    return {int(r["account_id"]): int(r["blocked_since"]) for r in rows}
