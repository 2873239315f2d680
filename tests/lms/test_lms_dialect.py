"""bridge.lms.dialect against real PostgreSQL and MariaDB."""

from __future__ import annotations

import datetime as dt
import time

import pytest

from bridge.lms import dialect
from bridge.lms import dialect as dialect_module
from bridge.lms.db import connect


def test_insert_ignore_skips_existing_keys_and_counts_new_rows(lms_db):
    sql = dialect.insert_ignore(lms_db, "dbinfo", ["keytype", "keyvalue"])
    assert lms_db.execute(sql, ["lmstv_test_a", "1"]) == 1
    assert lms_db.execute(sql, ["lmstv_test_a", "2"]) == 0
    assert lms_db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = %s", ["lmstv_test_a"]) == "1"
    rows = [["lmstv_test_a", "3"], ["lmstv_test_b", "4"], ["lmstv_test_c", "5"]]
    assert lms_db.executemany(sql, rows) == 2
    assert lms_db.scalar("SELECT COUNT(*) FROM dbinfo WHERE keytype LIKE %s",
                         ["lmstv\\_test\\_%"]) == 3


def test_insert_ignore_rejects_bad_identifiers(lms_db):
    with pytest.raises(ValueError):
        dialect.insert_ignore(lms_db, "dbinfo; DROP TABLE x", ["keytype"])
    with pytest.raises(ValueError):
        dialect.insert_ignore(lms_db, "dbinfo", ["key type"])


def test_ilike_and_like_escape_match_polish_text_case_insensitively(lms_db):
    lms_db.execute("INSERT INTO customers (lastname, name, info, notes, message) "
                   "VALUES (%s, %s, '', '', '')", ["Żółć", "Ąna"])
    op = dialect.ilike(lms_db)
    found = lms_db.scalar(f"SELECT COUNT(*) FROM customers WHERE lastname {op} %s", ["żół%"])
    assert found == 1
    none = lms_db.scalar(f"SELECT COUNT(*) FROM customers WHERE lastname {op} %s",
                         [dialect.like_escape("%") + "%"])
    assert none == 0


def test_concat_group_concat_and_cast(lms_db):
    assert lms_db.scalar(f"SELECT {dialect.concat(lms_db, '%s', '%s', '%s')} AS s",
                         ["a", "-", "ż"]) == "a-ż"
    for name in ("g1", "g2"):
        lms_db.execute("INSERT INTO customergroups (name, description) VALUES (%s, '')", [name])
    agg = dialect.group_concat(lms_db, "name", "|")
    text = lms_db.scalar(f"SELECT {agg} AS s FROM customergroups")
    assert sorted(text.split("|")) == ["g1", "g2"]
    assert lms_db.scalar(f"SELECT {dialect.cast_text(lms_db, '%s')} AS s", [42]) == "42"


def test_existing_keys_answers_which_values_a_table_holds(lms_db):
    ids = [7, 1_234_567, 2**31 - 1]
    for cid in ids:
        lms_db.execute("INSERT INTO customers (id, lastname, name, info, notes, message) "
                       "VALUES (%s, 'K', 'J', '', '', '')", [cid])
    asked = [*ids, 8, 99_999_999_999, 7]  # absent values, a repeat, past integer's range
    assert dialect.existing_keys(lms_db, "customers", "id", asked) == set(ids)
    assert dialect.existing_keys(lms_db, "customers", "id", [1, 2]) == set()
    assert dialect.existing_keys(lms_db, "customers", "id", []) == set()
    # Close values are asked for as a range: a stored value inside it that was not asked for
    # (9) must not be answered.
    lms_db.execute("INSERT INTO customers (id, lastname, name, info, notes, message) "
                   "VALUES (9, 'K', 'J', '', '', '')")
    assert dialect.existing_keys(lms_db, "customers", "id", [7, 8, 10, 11]) == {7}
    assert dialect.existing_keys(lms_db, "customers", "id", [6, 7, 8, 9]) == {7, 9}
    with pytest.raises(ValueError):
        dialect.existing_keys(lms_db, "customers; --", "id", [1])
    if not dialect.is_postgres(lms_db):
        # MySQL cuts a GROUP_CONCAT longer than group_concat_max_len without an error: the
        # answer must still be exact (cut after a value, inside one, right after a comma).
        for limit in (4, 5, 9, 10):
            lms_db.execute(f"SET SESSION group_concat_max_len = {limit}")
            assert dialect.existing_keys(lms_db, "customers", "id", asked) == set(ids), limit
            assert dialect.existing_keys(lms_db, "customers", "id", [7, 8, 10]) == {7}, limit
            assert dialect.existing_keys(lms_db, "customers", "id", [7, 8, 9]) == {7, 9}, limit


def test_time_helpers_agree_with_python(lms_db):
    now = lms_db.scalar(f"SELECT {dialect.now_unix_sql(lms_db)} AS t")
    assert abs(int(now) - time.time()) < 60
    midnight = int(lms_db.scalar(f"SELECT {dialect.unix_from_date_sql(lms_db, '%s')} AS t",
                                 ["2024-03-15"]))
    back = lms_db.scalar(f"SELECT {dialect.date_from_unix_sql(lms_db, '%s')} AS d",
                         [midnight + 3600])
    assert back == dt.date(2024, 3, 15)
    prev = lms_db.scalar(f"SELECT {dialect.date_from_unix_sql(lms_db, '%s')} AS d",
                         [midnight - 1])
    assert prev == dt.date(2024, 3, 14)


def test_advisory_lock_excludes_a_second_session(lms_db, lms_db_config):
    other = connect(lms_db_config)
    try:
        assert dialect.advisory_lock(lms_db, "billing-invoice", 0)
        # Commits/rollbacks on the holder must not release a session lock.
        lms_db.execute("UPDATE dbinfo SET keyvalue = keyvalue WHERE keytype = 'dbversion'")
        started = time.monotonic()
        assert not dialect.advisory_lock(other, "billing-invoice", 0.3)
        assert time.monotonic() - started >= 0.25
        assert dialect.advisory_lock(other, "another-name", 0)
        assert dialect.advisory_unlock(lms_db, "billing-invoice")
        assert dialect.advisory_lock(other, "billing-invoice", 1.0)
        assert not dialect.advisory_unlock(lms_db, "billing-invoice")
        long_name = "x" * 200
        assert dialect.advisory_lock(lms_db, long_name, 0)
        assert not dialect.advisory_lock(other, long_name, 0)
    finally:
        other.close()


def test_catalogue_helpers(lms_db):
    assert dialect.table_exists(lms_db, "customers")
    assert not dialect.table_exists(lms_db, "no_such_table")
    assert dialect.view_exists(lms_db, "customersview")
    assert not dialect.view_exists(lms_db, "customers")
    info = dialect.column_info(lms_db, "customers", "zip")
    assert info is not None and info["char_length"] == 10
    assert dialect.column_info(lms_db, "customers", "nope") is None
    assert not dialect.index_exists(lms_db, "customers", "no_such_index")


def test_limit_offset_rejects_negative_values():
    with pytest.raises(ValueError):
        dialect.limit_offset(-1)
    assert dialect.limit_offset(10, 20) == (" LIMIT %s OFFSET %s", [10, 20])


def test_advisory_locks_are_per_database(dialect, new_lms_database):
    first = connect(new_lms_database(dialect, empty=True))
    second = connect(new_lms_database(dialect, empty=True))
    try:
        assert dialect_module.advisory_lock(first, "migrate", 0)
        assert dialect_module.advisory_lock(second, "migrate", 0)
    finally:
        first.close()
        second.close()


LOCKS = dialect.TableLocks(exclusive=("documents", "cash"), shared=("numberplans",),
                           private=("taxes",))


def _other_session_blocked(lms_db_config, sql: str) -> bool:
    """Whether ``sql`` on a second connection has to wait (for a lock) longer than a second."""
    other = connect(lms_db_config)
    try:
        if other.dialect == "postgres":
            other.execute("SET lock_timeout = '1s'")
        else:
            other.execute("SET SESSION lock_wait_timeout = 1")
        try:
            other.execute(sql)
        except Exception:  # noqa: BLE001 - the lock wait timeout is the answer
            return True
        return False
    finally:
        other.close()


def test_table_locks_hold_until_commit_and_block_writers_not_readers(lms_db, lms_db_config):
    insert_cash = ("INSERT INTO cash (time, value, customerid, comment) VALUES "
                   "(1, 1, 1, 'other')")
    with lms_db.transaction(locks=LOCKS):
        lms_db.execute("INSERT INTO cash (time, value, customerid, comment) VALUES "
                       "(1, 2, 1, 'ours')")
        assert _other_session_blocked(lms_db_config, insert_cash)
        assert _other_session_blocked(lms_db_config, "UPDATE numberplans SET period = 3")
        if lms_db.dialect == "postgres":
            # EXCLUSIVE/SHARE leave plain readers alone (MySQL's WRITE lock does not).
            assert not _other_session_blocked(lms_db_config, "SELECT COUNT(*) FROM cash")
    # released at commit: the other session writes at once, our row is committed
    assert not _other_session_blocked(lms_db_config, insert_cash)
    assert lms_db.scalar("SELECT COUNT(*) AS n FROM cash") == 2
    # and the connection is back to normal: tables that were not locked are usable again
    assert lms_db.scalar("SELECT COUNT(*) AS n FROM customers") == 0


def test_table_locks_failed_transaction_rolls_back_before_unlocking(lms_db, lms_db_config):
    """MySQL's UNLOCK TABLES commits an open transaction: a failure must roll back first."""
    with pytest.raises(RuntimeError, match="boom"):
        with lms_db.transaction(locks=LOCKS):
            lms_db.execute("INSERT INTO cash (time, value, customerid, comment) VALUES "
                           "(1, 2, 1, 'half done')")
            raise RuntimeError("boom")
    assert lms_db.scalar("SELECT COUNT(*) AS n FROM cash") == 0
    assert not _other_session_blocked(
        lms_db_config, "INSERT INTO cash (time, value, customerid, comment) VALUES "
                       "(1, 1, 1, 'other')")


def test_table_locks_only_in_the_outermost_transaction(lms_db):
    with lms_db.transaction():
        with pytest.raises(RuntimeError, match="outermost"):
            with lms_db.transaction(locks=LOCKS):
                pass


def test_lock_tables_sql_follows_lms_order(lms_db):
    sql = dialect.lock_tables_sql(lms_db, LOCKS)
    if lms_db.dialect == "postgres":
        assert sql == ["LOCK TABLE documents, cash IN EXCLUSIVE MODE",
                       "LOCK TABLE numberplans IN SHARE MODE"]
    else:
        assert sql == ["LOCK TABLES documents WRITE, cash WRITE, numberplans READ, taxes WRITE"]
    with pytest.raises(ValueError):
        dialect.lock_tables_sql(lms_db, dialect.TableLocks(exclusive=("cash; DROP",)))
