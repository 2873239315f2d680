"""One small connection wrapper over psycopg2 and pymysql.

Both drivers use the ``%s`` paramstyle, so SQL text is shared; what differs between the
dialects lives in :mod:`bridge.lms.dialect`.  Rows come back as dicts; money as Decimal.

Connections run in autocommit mode: a statement outside :meth:`Database.transaction` is its own
transaction, as it was before with an implicit transaction ended right after each statement --
but in one round trip instead of three (psycopg2 sent BEGIN, the statement, then ROLLBACK; a
warm customer page is one such read).  ``transaction()`` turns autocommit off for its block.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from bridge.config import DatabaseConfig
from bridge.lms import dialect


class DatabaseError(Exception):
    """The LMS database could not be reached or refused a statement (message is safe to log)."""


def _connect(cfg: DatabaseConfig, connect_timeout: int = 10) -> Any:
    if cfg.dialect == "postgres":
        import psycopg2
        import psycopg2.extras

        kwargs: dict[str, Any] = {"dbname": cfg.database, "user": cfg.user,
                                  "connect_timeout": connect_timeout,
                                  "cursor_factory": psycopg2.extras.RealDictCursor,
                                  "client_encoding": "UTF8", "application_name": "lmstv"}
        if cfg.password:
            kwargs["password"] = cfg.password
        if cfg.unix_socket:
            kwargs["host"] = cfg.unix_socket
        else:
            kwargs["host"] = cfg.host
            kwargs["port"] = cfg.port or 5432
        try:
            conn = psycopg2.connect(**kwargs)
        except psycopg2.Error as exc:
            raise DatabaseError(f"cannot connect to {cfg.describe()}: "
                                f"{str(exc).strip().splitlines()[0]}") from None
        conn.autocommit = True  # client-side only: psycopg2 sends nothing for it
        return conn
    import pymysql
    import pymysql.cursors

    kwargs = {"database": cfg.database, "user": cfg.user, "password": cfg.password,
              "charset": "utf8mb4", "cursorclass": pymysql.cursors.DictCursor,
              "connect_timeout": connect_timeout, "autocommit": True,
              "init_command": "SET SESSION sql_mode = CONCAT(@@sql_mode, '')"}
    if cfg.unix_socket:
        kwargs["unix_socket"] = cfg.unix_socket
    else:
        kwargs["host"] = cfg.host
        kwargs["port"] = cfg.port or 3306
    try:
        return pymysql.connect(**kwargs)
    except pymysql.Error as exc:
        raise DatabaseError(f"cannot connect to {cfg.describe()}: {exc.args[-1]}") from None


def _pg_tuple_cursor() -> Any:
    import psycopg2.extensions

    return psycopg2.extensions.cursor


class Database:
    """A connection to the LMS database; not shared between threads (use one per thread)."""

    def __init__(self, cfg: DatabaseConfig, connect_timeout: int = 10) -> None:
        self.cfg = cfg
        self.dialect = cfg.dialect
        self._conn = _connect(cfg, connect_timeout)
        self._in_tx = False
        self._owner = threading.get_ident()

    # -- plumbing ---------------------------------------------------------------------------

    @property
    def raw(self) -> Any:
        """The DB-API connection, for the few places that need driver features."""
        return self._conn

    def close(self) -> None:
        try:
            self._conn.close()
        except Exception:  # noqa: BLE001 - closing a dead connection must not raise
            pass

    def __enter__(self) -> Database:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextmanager
    def transaction(self, locks: dialect.TableLocks | None = None) -> Iterator[Database]:
        """Run a block in one transaction: commit on success, roll back on any exception.

        ``locks``: tables locked before the block's first statement and released after the
        commit or rollback (see :func:`bridge.lms.dialect.lock_tables_sql`).
        """
        if self._in_tx:
            if locks is not None:
                raise RuntimeError("table locks must be taken by the outermost transaction")
            yield self
            return
        self._begin(locks is not None)
        self._in_tx = True
        unlock = None
        try:
            if locks is not None:
                unlock = dialect.unlock_tables_sql(self)
                for sql in dialect.lock_tables_sql(self, locks):
                    self._run(sql, None).close()
            yield self
            self._conn.commit()
        except BaseException:
            try:
                self._conn.rollback()
            finally:
                self._in_tx = False
                if unlock:
                    self._unlock_quietly(unlock)
                self._end(quietly=True)
            raise
        self._in_tx = False
        if unlock:
            self._run(unlock, None).close()
        self._end()

    def _begin(self, locking: bool) -> None:
        if self.dialect == "postgres":
            # No round trip: psycopg2 sends BEGIN with the block's first statement.
            self._conn.autocommit = False
        elif locking:
            # MySQL's manual: LOCK TABLES with InnoDB goes with autocommit off (not BEGIN,
            # which LOCK TABLES would implicitly commit); see dialect.lock_tables_sql.
            self._conn.autocommit(False)
        else:
            self._conn.begin()

    def _end(self, quietly: bool = False) -> None:
        """Back to autocommit after the transaction's COMMIT or ROLLBACK (and UNLOCK TABLES)."""
        try:
            if self.dialect == "postgres":
                self._conn.autocommit = True
            elif not self._conn.get_autocommit():
                self._conn.autocommit(True)
        except Exception:
            # A connection left outside autocommit would keep every later read in one
            # transaction (stale data, held locks): never let it be used again.
            self.close()
            if not quietly:
                raise

    def _unlock_quietly(self, sql: str) -> None:
        try:
            self._run(sql, None).close()
        except Exception:  # noqa: BLE001 - a dead connection holds no locks any more
            pass

    def _run(self, sql: str, params: Sequence[Any] | None) -> Any:
        # PostgreSQL: a plain cursor, rows made into dicts by query(); the connection's
        # RealDictCursor (for code using ``raw``) builds each row in Python, one __setitem__
        # per column, and query() copied it again.  pymysql's DictCursor makes plain dicts.
        cur = self._conn.cursor(cursor_factory=_pg_tuple_cursor()) \
            if self.dialect == "postgres" else self._conn.cursor()
        try:
            cur.execute(sql, tuple(params) if params is not None else None)
        except Exception:
            cur.close()
            raise
        return cur

    # -- queries ----------------------------------------------------------------------------

    def query(self, sql: str, params: Sequence[Any] | None = None) -> list[dict[str, Any]]:
        cur = self._run(sql, params)
        try:
            rows = cur.fetchall()
            if self.dialect != "postgres":
                return list(rows)
            names = [column[0] for column in cur.description or ()]
            return [dict(zip(names, row, strict=True)) for row in rows]
        finally:
            cur.close()

    def one(self, sql: str, params: Sequence[Any] | None = None) -> dict[str, Any] | None:
        rows = self.query(sql, params)
        return rows[0] if rows else None

    def scalar(self, sql: str, params: Sequence[Any] | None = None) -> Any:
        row = self.one(sql, params)
        return next(iter(row.values())) if row else None

    def execute(self, sql: str, params: Sequence[Any] | None = None) -> int:
        """Run a statement; outside transaction() it is committed at once (autocommit)."""
        cur = self._run(sql, params)
        count = cur.rowcount
        cur.close()
        return count

    def executemany(self, sql: str, rows: Sequence[Sequence[Any]]) -> int:
        """Run a statement for every row, all or none of them (its own transaction when not
        inside one: the rows may go as several statements)."""
        if not rows:
            return 0
        with self.transaction():
            cur = self._conn.cursor()
            try:
                if self.dialect == "postgres":
                    return _pg_executemany(cur, sql, rows)
                cur.executemany(sql, rows)
                return cur.rowcount
            finally:
                cur.close()

    def insert_id(self, sql: str, params: Sequence[Any], table: str) -> int:
        """Insert one row and return its new ``id`` (RETURNING on PostgreSQL)."""
        if self.dialect == "postgres":
            cur = self._run(sql + " RETURNING id", params)
            new_id = int(cur.fetchone()[0])
        else:
            cur = self._run(sql, params)
            new_id = int(cur.lastrowid)
        cur.close()
        return new_id


_PG_PAGE = 1000


def _split_values(sql: str) -> tuple[str, str, str] | None:
    """Split ``INSERT ... VALUES (row template) [suffix]`` into its three parts, else None."""
    if not sql.lstrip().upper().startswith("INSERT"):
        return None
    match = re.search(r"\bVALUES\s*\(", sql, re.IGNORECASE)
    if match is None:
        return None
    start = match.end() - 1
    depth = 0
    for pos in range(start, len(sql)):
        if sql[pos] == "(":
            depth += 1
        elif sql[pos] == ")":
            depth -= 1
            if depth == 0:
                return sql[:start], sql[start:pos + 1], sql[pos + 1:]
    return None


def _pg_executemany(cur: Any, sql: str, rows: Sequence[Sequence[Any]]) -> int:
    # psycopg2's execute_batch reports only the last statement's rowcount; callers need the
    # real total (e.g. rows actually inserted by an ON CONFLICT DO NOTHING import), so INSERTs
    # become one multi-row statement per page and anything else runs row by row.
    parts = _split_values(sql)
    total = 0
    if parts is not None and ("%s" in parts[0] or "%s" in parts[2]):
        parts = None  # parameters outside the row template: no safe way to batch them
    if parts is None:
        for row in rows:
            cur.execute(sql, tuple(row))
            total += max(cur.rowcount, 0)
        return total
    head, template, tail = parts
    for first in range(0, len(rows), _PG_PAGE):
        page = rows[first:first + _PG_PAGE]
        values = b",".join(cur.mogrify(template, tuple(row)) for row in page)
        # Run without parameters, so the fixed parts need their %% escapes undone.
        cur.execute(head.replace("%%", "%").encode() + values
                    + tail.replace("%%", "%").encode())
        total += max(cur.rowcount, 0)
    return total


def connect(cfg: DatabaseConfig, connect_timeout: int = 10) -> Database:
    return Database(cfg, connect_timeout)
