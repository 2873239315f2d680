"""Every SQL difference between PostgreSQL and MySQL/MariaDB, in one place.

Functions take the :class:`~bridge.lms.db.Database` (or anything with a ``dialect`` attribute
that is ``"postgres"`` or ``"mysql"``) and return SQL text or run a small statement.  SQL text
returned here never contains caller data: values always travel as ``%s`` parameters, and the
identifiers accepted are checked against a strict pattern.  Other areas may append small
functions here when they meet a new difference.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Protocol

_IDENT = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,62}$")
_LOCK_POLL_SECONDS = 0.05
# MySQL's GET_LOCK names are limited to 64 characters.
_MYSQL_LOCK_MAX = 64


class _HasDialect(Protocol):
    dialect: str


def is_postgres(db: _HasDialect) -> bool:
    return db.dialect == "postgres"


def ident(name: str) -> str:
    """Check an SQL identifier (table/column) against a strict pattern; return it unquoted.

    Identifiers cannot be parameters, so anything built into SQL text must pass through here.
    """
    if not _IDENT.match(name):
        raise ValueError(f"refusing unusual SQL identifier {name!r}")
    return name


# -- text matching and building -------------------------------------------------------------


def ilike(db: _HasDialect) -> str:
    """Case-insensitive LIKE operator.

    MySQL's LIKE is already case-insensitive under LMS's ``utf8_polish_ci`` collation;
    PostgreSQL needs ILIKE.
    """
    return "ILIKE" if is_postgres(db) else "LIKE"


def like_escape(value: str) -> str:
    """Escape ``%``, ``_`` and ``\\`` so a user's search text matches literally.

    Both engines use backslash as the default LIKE escape character.
    """
    return value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def concat(db: _HasDialect, *exprs: str) -> str:
    """String concatenation of SQL expressions (NULL in -> NULL out on both engines)."""
    if not exprs:
        raise ValueError("concat needs at least one expression")
    if is_postgres(db):
        return "(" + " || ".join(exprs) + ")"
    return "CONCAT(" + ", ".join(exprs) + ")"


def cast_text(db: _HasDialect, expr: str) -> str:
    return f"CAST({expr} AS {'text' if is_postgres(db) else 'CHAR'})"


def group_concat(db: _HasDialect, expr: str, separator: str = ",") -> str:
    """Aggregate strings of a group into one; the separator must be a plain literal."""
    if "'" in separator or "\\" in separator:
        raise ValueError("separator must not contain quotes or backslashes")
    if is_postgres(db):
        return f"string_agg({cast_text(db, expr)}, '{separator}')"
    return f"GROUP_CONCAT({expr} SEPARATOR '{separator}')"


# -- time ------------------------------------------------------------------------------------


def now_unix_sql(db: _HasDialect) -> str:
    """Current time as an integer unix timestamp (LMS stores times as unix integers)."""
    if is_postgres(db):
        return "CAST(EXTRACT(EPOCH FROM NOW()) AS integer)"
    return "UNIX_TIMESTAMP()"


def date_from_unix_sql(db: _HasDialect, expr: str) -> str:
    """The local (session time zone) calendar date of a unix timestamp expression."""
    if is_postgres(db):
        return f"CAST(to_timestamp({expr}) AS date)"
    return f"DATE(FROM_UNIXTIME({expr}))"


def unix_from_date_sql(db: _HasDialect, expr: str) -> str:
    """Unix timestamp of local midnight starting a date expression."""
    if is_postgres(db):
        return f"CAST(EXTRACT(EPOCH FROM CAST({expr} AS timestamp with time zone)) AS bigint)"
    return f"UNIX_TIMESTAMP({expr})"


# -- writing ---------------------------------------------------------------------------------


def insert_ignore(db: _HasDialect, table: str, columns: Sequence[str]) -> str:
    """INSERT of one row (``%s`` per column) that silently skips rows whose unique key exists.

    The statement's rowcount counts only rows really inserted, on both engines (also with
    ``executemany``).  On MySQL this uses ``ON DUPLICATE KEY UPDATE c = c`` rather than
    ``INSERT IGNORE``, because IGNORE would also turn truncation and NOT NULL errors into
    warnings and store damaged data.
    """
    if not columns:
        raise ValueError("insert_ignore needs at least one column")
    cols = [ident(c) for c in columns]
    marks = ", ".join(["%s"] * len(cols))
    head = f"INSERT INTO {ident(table)} ({', '.join(cols)}) VALUES ({marks})"
    if is_postgres(db):
        return head + " ON CONFLICT DO NOTHING"
    return head + f" ON DUPLICATE KEY UPDATE {cols[0]} = {cols[0]}"


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_MYSQL_ROWS_PER_INSERT = 2000  # ~0.5 MB statements, far below max_allowed_packet's 16 MB


def bulk_load(db: Any, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Append many rows to a table at loading speed, inside the caller's transaction.

    Values: None, str, int, Decimal or date.  PostgreSQL gets one ``COPY ... FROM STDIN``
    (psycopg2's copy_expert): no per-value parameter handling on either side.  MySQL/MariaDB
    gets multi-row INSERTs whose literals are built here with the driver's own string escaping
    (which follows NO_BACKSLASH_ESCAPES): pymysql's generic %s escaping of every value was
    most of the client time, and LOAD DATA LOCAL needs local_infile on both server and client.
    """
    if not rows:
        return
    cols = ", ".join(ident(c) for c in columns)
    if is_postgres(db):
        import io

        tr = _COPY_ESCAPES
        # Text format: NULL is \N, strings escaped; int, Decimal and date print as PostgreSQL
        # reads them.  Inline, not a helper per value: the call was a third of the client time.
        text = "".join("\t".join(["\\N" if v is None else v.translate(tr) if isinstance(v, str)
                                  else str(v) for v in row]) + "\n" for row in rows)
        with db.raw.cursor() as cur:
            cur.copy_expert(f"COPY {ident(table)} ({cols}) FROM STDIN", io.StringIO(text))
        return
    escape = db.raw.escape_string
    cache: dict[str, str] = {}

    def lit(v: Any) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, str):
            out = cache.get(v)
            if out is None:
                out = cache[v] = "'" + escape(v) + "'"
            return out
        if isinstance(v, int | Decimal):
            return str(v)
        return "'" + str(v) + "'"  # date: ISO text

    head = f"INSERT INTO {ident(table)} ({cols}) VALUES "
    with db.raw.cursor() as cur:
        for first in range(0, len(rows), _MYSQL_ROWS_PER_INSERT):
            part = rows[first:first + _MYSQL_ROWS_PER_INSERT]
            cur.execute(head + ",".join("(" + ",".join([lit(v) for v in row]) + ")"
                                        for row in part))


def update_by_key(db: Any, table: str, key: str, columns: Sequence[str],
                  rows: Sequence[Sequence[int]], *, also: str = "", unset: str = "") -> int:
    """Set integer ``columns`` of many rows at once, by an integer ``key``; the row count.

    ``rows``: ``(key, value, ...)`` tuples of ints.  ``also``: a constant SET part (no
    parameters), ``unset``: a column of ``table`` that must still be NULL.  PostgreSQL
    gets one ``UPDATE ... FROM unnest(array, ...)`` with one array literal per column (three
    parameters parse and plan in a fraction of the time of a CASE over hundreds of constants);
    MySQL/MariaDB a ``CASE key WHEN ...`` per column whose integer literals are printed here --
    every value passes ``int()``, so nothing but digits reaches the text -- instead of
    pymysql's pure-Python escaping of every value.
    """
    if not rows:
        return 0
    for name in (table, key, *columns, *([unset] if unset else [])):
        ident(name)
    width = 1 + len(columns)
    if any(len(r) != width for r in rows):
        raise ValueError("every row needs its key and one value per column")
    cols = [[str(int(r[n])) for r in rows] for n in range(width)]
    extra_set = f", {also}" if also else ""
    extra_where = f" AND {table}.{unset} IS NULL" if unset else ""
    if is_postgres(db):
        names = ", ".join((key, *columns))
        sets = ", ".join(f"{c} = u.{c}" for c in columns)
        arrays = ", ".join(["%s::bigint[]"] * width)
        sql = (f"UPDATE {table} SET {sets}{extra_set} FROM unnest({arrays}) AS u({names}) "
               f"WHERE {table}.{key} = u.{key}{extra_where}")
        return db.execute(sql, ["{" + ",".join(c) + "}" for c in cols])
    sets = ", ".join(
        f"{c} = CASE {key} " + " ".join(f"WHEN {k} THEN {v}" for k, v in zip(
            cols[0], cols[n + 1], strict=True)) + " END" for n, c in enumerate(columns))
    sql = (f"UPDATE {table} SET {sets}{extra_set} WHERE {key} IN ({','.join(cols[0])})"
           f"{extra_where}")
    return db.execute(sql)  # no parameters: the driver leaves the text as it is


def existing_keys(db: Any, table: str, key: str, values: Sequence[int]) -> set[int]:
    """Which of many integer ``values`` are present in ``table.key``: one statement, one row.

    The answer comes back aggregated in one row: thousands of one-column rows cost pymysql
    more in packet handling than the lookup costs the server.  PostgreSQL gets the values as
    one array parameter (``= ANY``) and answers an array; MySQL/MariaDB an ``IN`` list of
    integer literals printed here -- every value passes ``int()``, so nothing but digits
    reaches the text -- and answers a ``GROUP_CONCAT``, checked against ``COUNT`` and ``SUM``
    because MySQL silently cuts one longer than ``group_concat_max_len`` (then the rows are
    read one by one).

    Values that lie close together (an SMS reply lists events by id) are asked for as one
    range: a range scan of the key's index reads at most twice as many entries, where a list
    costs one index descent per value (5,000 consecutive ids of a 1,000,000-row table: 1.0 ms
    of PostgreSQL's CPU as a range, 3.6 ms as a list); the answer is cut down to the values
    asked for here.
    """
    ident(table)
    ident(key)
    keys = sorted({int(v) for v in values})
    if not keys:
        return set()
    low, high = keys[0], keys[-1]
    dense = high - low < 2 * len(keys)
    if is_postgres(db):
        if dense:
            row = db.one(f"SELECT array_agg({key}) AS ks FROM {table} "
                         f"WHERE {key} BETWEEN %s AND %s", [low, high])
        else:
            row = db.one(f"SELECT array_agg({key}) AS ks FROM {table} "
                         f"WHERE {key} = ANY(%s::bigint[])",
                         ["{" + ",".join(map(str, keys)) + "}"])
        return {int(k) for k in (row or {}).get("ks") or ()}.intersection(keys)
    where = (f"FROM {table} WHERE {key} BETWEEN {low} AND {high}" if dense else
             f"FROM {table} WHERE {key} IN ({','.join(map(str, keys))})")
    row = db.one(f"SELECT COUNT(*) AS n, SUM({key}) AS total, "
                 f"GROUP_CONCAT({key} SEPARATOR ',') AS ks {where}") or {}
    n, total = int(row.get("n") or 0), int(row.get("total") or 0)
    try:
        found = {int(k) for k in (row.get("ks") or "").split(",")} if n else set()
    except ValueError:  # cut right after a comma
        found = set()
    # A cut list lacks values or ends in a shortened one: the count or the sum differs.
    if len(found) != n or sum(found) != total:
        found = {int(r["k"]) for r in db.query(f"SELECT {key} AS k {where}")}
    return found.intersection(keys)


def for_update(db: _HasDialect) -> str:
    """Row-lock suffix for a SELECT inside a transaction (same text on both engines)."""
    return " FOR UPDATE"


def limit_offset(limit: int, offset: int = 0) -> tuple[str, list[int]]:
    """A LIMIT/OFFSET clause and its parameters (identical syntax on both engines)."""
    if limit < 0 or offset < 0:
        raise ValueError("limit and offset must not be negative")
    return " LIMIT %s OFFSET %s", [int(limit), int(offset)]


# -- table locks -----------------------------------------------------------------------------


@dataclass(frozen=True)
class TableLocks:
    """Tables a transaction locks before its first statement, in the order LMS locks them.

    ``exclusive``: tables both we and LMS write (LMS's invoice form locks documents, cash,
    invoicecontents, numberplans, divisions in that order).  ``shared``: tables LMS locks and we
    only read.  ``private``: tables only lmstv writes; PostgreSQL's row locks are enough for
    them, but MySQL's LOCK TABLES lets a session touch nothing it did not lock.
    """

    exclusive: tuple[str, ...]
    shared: tuple[str, ...] = ()
    private: tuple[str, ...] = ()


def lock_tables_sql(db: _HasDialect, locks: TableLocks) -> list[str]:
    """Statements taking ``locks`` at the start of a transaction (run them in order).

    PostgreSQL: ``LOCK TABLE`` takes the tables one by one in the listed order, so taking them
    in LMS's order means the two can only queue.  EXCLUSIVE blocks every writer (LMS's ACCESS
    EXCLUSIVE included) but not plain readers; SHARE keeps the read tables from changing.

    MySQL/MariaDB: one ``LOCK TABLES`` statement acquires all its metadata locks in one sorted
    pass, as LMS's own ``LOCK TABLES`` does, so neither can hold part of the set while waiting
    for the rest.  It must come first: it implicitly commits an open transaction, and with
    autocommit off (our connections) InnoDB keeps the following statements in one transaction
    that only COMMIT ends -- UNLOCK TABLES must come after COMMIT/ROLLBACK, see
    :func:`unlock_tables_sql`.  Every table the transaction touches must be named (queries
    using an alias would need the alias locked too; the billing writer uses none).
    """
    for name in (*locks.exclusive, *locks.shared, *locks.private):
        ident(name)
    if is_postgres(db):
        out = []
        if locks.exclusive:
            out.append(f"LOCK TABLE {', '.join(locks.exclusive)} IN EXCLUSIVE MODE")
        if locks.shared:
            out.append(f"LOCK TABLE {', '.join(locks.shared)} IN SHARE MODE")
        return out
    parts = ([f"{t} WRITE" for t in locks.exclusive] + [f"{t} READ" for t in locks.shared]
             + [f"{t} WRITE" for t in locks.private])
    return ["LOCK TABLES " + ", ".join(parts)] if parts else []


def unlock_tables_sql(db: _HasDialect) -> str | None:
    """The statement releasing :func:`lock_tables_sql`'s locks after COMMIT or ROLLBACK.

    PostgreSQL releases table locks at transaction end by itself.  MySQL keeps them until
    UNLOCK TABLES -- which, run before COMMIT, would itself commit: after a failure it would
    commit the half-done work, so it only ever runs after the transaction has ended.
    """
    return None if is_postgres(db) else "UNLOCK TABLES"


# -- advisory locks --------------------------------------------------------------------------


def _pg_lock_key(name: str) -> int:
    digest = hashlib.sha256(("lmstv:" + name).encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def _mysql_lock_name(db: Any, name: str) -> str:
    # GET_LOCK names are global to the whole MySQL server, while PostgreSQL's advisory locks
    # belong to one database; scope by database so two LMS databases never block each other.
    cfg = getattr(db, "cfg", None)
    scope = getattr(cfg, "database", "") or ""
    full = f"lmstv:{scope}:{name}"
    if len(full) <= _MYSQL_LOCK_MAX:
        return full
    return "lmstv:" + hashlib.sha256(full.encode("utf-8")).hexdigest()[:40]


def advisory_lock(db: Any, name: str, wait_seconds: float = 0.0) -> bool:
    """Take a named, session-level lock held until :func:`advisory_unlock` or disconnect.

    Returns False when another session still holds it after ``wait_seconds``.  The lock is
    tied to the connection, not to a transaction, so commits and rollbacks do not release it.
    Its scope is the database: the same name in another database is another lock.
    """
    if is_postgres(db):
        sql, param = "SELECT pg_try_advisory_lock(%s) AS ok", _pg_lock_key(name)
    else:
        sql, param = "SELECT GET_LOCK(%s, 0) AS ok", _mysql_lock_name(db, name)
    deadline = time.monotonic() + max(0.0, wait_seconds)
    while True:
        got = db.scalar(sql, [param])
        if got in (True, 1):
            return True
        if time.monotonic() >= deadline:
            return False
        time.sleep(min(_LOCK_POLL_SECONDS, max(0.0, deadline - time.monotonic())))


def advisory_unlock(db: Any, name: str) -> bool:
    """Release a lock taken by :func:`advisory_lock`; False when this session did not hold it."""
    if is_postgres(db):
        got = db.scalar("SELECT pg_advisory_unlock(%s) AS ok", [_pg_lock_key(name)])
    else:
        got = db.scalar("SELECT RELEASE_LOCK(%s) AS ok", [_mysql_lock_name(db, name)])
    return got in (True, 1)


# -- catalogue -------------------------------------------------------------------------------


def current_schema_sql(db: _HasDialect) -> str:
    """SQL expression naming the schema that holds LMS's tables (for information_schema)."""
    return "current_schema()" if is_postgres(db) else "DATABASE()"


def table_exists(db: Any, table: str) -> bool:
    return bool(db.scalar(
        "SELECT COUNT(*) AS n FROM information_schema.tables WHERE table_schema = "
        f"{current_schema_sql(db)} AND table_name = %s", [table]))


def view_exists(db: Any, view: str) -> bool:
    return bool(db.scalar(
        "SELECT COUNT(*) AS n FROM information_schema.views WHERE table_schema = "
        f"{current_schema_sql(db)} AND table_name = %s", [view]))


def column_info(db: Any, table: str, column: str) -> dict[str, Any] | None:
    """Type facts of a column: data_type, char_length, is_nullable ('YES'/'NO'); or None."""
    row = db.one(
        "SELECT data_type AS data_type, character_maximum_length AS char_length, "
        "is_nullable AS is_nullable FROM information_schema.columns WHERE table_schema = "
        f"{current_schema_sql(db)} AND table_name = %s AND column_name = %s", [table, column])
    if row is None:
        return None
    return {"data_type": str(row["data_type"]).lower(),
            "char_length": int(row["char_length"]) if row["char_length"] is not None else None,
            "is_nullable": str(row["is_nullable"])}


def index_exists(db: Any, table: str, index: str) -> bool:
    """Whether a table has an index (PostgreSQL: any index or constraint index of that name)."""
    if is_postgres(db):
        sql = ("SELECT COUNT(*) AS n FROM pg_indexes WHERE schemaname = current_schema() "
               "AND tablename = %s AND indexname = %s")
    else:
        sql = ("SELECT COUNT(*) AS n FROM information_schema.statistics WHERE table_schema = "
               "DATABASE() AND table_name = %s AND index_name = %s")
    return bool(db.scalar(sql, [table, index]))
