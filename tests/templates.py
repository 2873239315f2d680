"""Template LMS databases built once per test session and cloned for each test.

Creating LMS's ~100 tables costs seconds per test on MariaDB and PostgreSQL alike, so each
engine's schema (and its lmstv-migrated variant) is loaded once and copied:

* PostgreSQL copies a whole database file-wise with ``CREATE DATABASE … TEMPLATE``.
* MariaDB has no such thing, so the template's own ``SHOW CREATE TABLE``/``VIEW`` text is
  replayed in the new database (keeping foreign keys, which ``CREATE TABLE … LIKE`` would drop)
  and the few tables LMS seeds with rows are copied with ``INSERT … SELECT``.

Every test still gets its own database: nothing is shared but the read-only template.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

from bridge.config import DatabaseConfig
from bridge.lms.bootstrap import create_database, load_lms_schema
from bridge.lms.db import connect
from bridge.lms.migrate import migrate


@dataclass
class Template:
    """A read-only template database and, on MariaDB, the statements that recreate it."""

    cfg: DatabaseConfig
    tables: list[str] = field(default_factory=list)  # CREATE TABLE texts
    routines: list[str] = field(default_factory=list)  # CREATE FUNCTION/PROCEDURE texts
    views: list[str] = field(default_factory=list)  # CREATE VIEW texts, schema-less
    seeded: list[str] = field(default_factory=list)  # tables that hold rows
    plan: ResetPlan | None = None  # how to put a used clone back (see reset)


def build_template(cfg: DatabaseConfig, schema: Path, *, source: Template | None = None,
                   migrated: bool = False) -> Template:
    """Create ``cfg.database`` from LMS's schema (or as a clone of ``source``), migrate it if
    asked, and capture what a MariaDB clone needs."""
    if source is not None:
        clone(source, cfg)
    else:
        create_database(cfg)
        load_lms_schema(cfg, schema)
    db = connect(cfg)
    try:
        if migrated:
            migrate(db, out=lambda _line: None)
        tpl = Template(cfg)
        if cfg.dialect == "mysql":
            _capture_mysql(db, tpl)
        db.raw.commit()
        tpl.plan = reset_plan(db)
    finally:
        db.close()
    return tpl


def _capture_mysql(db, tpl: Template) -> None:
    name = tpl.cfg.database
    # The stored view text names the template's schema; a clone's views must name its own.
    prefixes = (f"`{name}`.", f"{name}.")
    for kind in ("FUNCTION", "PROCEDURE"):
        for row in db.query(f"SHOW {kind} STATUS WHERE Db = %s", [name]):
            text = db.one(f"SHOW CREATE {kind} `{row['Name']}`")[f"Create {kind.title()}"]
            tpl.routines.append(text)
    for row in db.query("SHOW FULL TABLES"):
        table, kind = list(row.values())
        if kind == "VIEW":
            text = list(db.one(f"SHOW CREATE VIEW `{table}`").values())[1]
            for prefix in prefixes:
                text = text.replace(prefix, "")
            tpl.views.append(text)
        else:
            tpl.tables.append(list(db.one(f"SHOW CREATE TABLE `{table}`").values())[1])
            if db.query(f"SELECT 1 FROM `{table}` LIMIT 1"):
                tpl.seeded.append(table)


def clone(tpl: Template, cfg: DatabaseConfig) -> None:
    """Create ``cfg.database`` as a copy of the template."""
    if cfg.dialect == "postgres":
        admin = connect(replace(cfg, database="postgres"))
        try:
            admin.raw.autocommit = True
            admin.raw.cursor().execute(
                f'CREATE DATABASE "{cfg.database}" TEMPLATE "{tpl.cfg.database}"')
        finally:
            admin.close()
        return
    create_database(cfg)
    db = connect(cfg)
    try:
        cur = db.raw.cursor()
        cur.execute("SET FOREIGN_KEY_CHECKS = 0")  # tables are created in name order
        for stmt in tpl.tables:
            cur.execute(stmt)
        for stmt in tpl.routines:
            cur.execute(stmt)
        for name in tpl.seeded:
            cur.execute(f"INSERT INTO `{name}` SELECT * FROM `{tpl.cfg.database}`.`{name}`")
        _create_views(cur, tpl.views)
        cur.execute("SET FOREIGN_KEY_CHECKS = 1")
        db.raw.commit()
    finally:
        db.close()


def _create_views(cur, views: list[str]) -> None:
    """Views may read other views; create them in passes until every one exists."""
    pending = list(views)
    while pending:
        failed: list[str] = []
        error: Exception | None = None
        for text in pending:
            try:
                cur.execute(text)
            except Exception as exc:  # a view whose base view does not exist yet
                failed.append(text)
                error = exc
        if len(failed) == len(pending):
            raise RuntimeError(f"cannot recreate views of the template: {error}")
        pending = failed


# -- reuse: reset a used clone instead of dropping it ------------------------------------------
#
# Creating and dropping a database are file-system operations (one file per table and index,
# fsync'd); on a busy machine they cost a second or more per test, most of the suite's time.
# A database a test has used is instead put back to the template's state: its rows deleted, the
# template's seed rows restored where they differ, sequences and AUTO_INCREMENT counters set
# back. That is only sound when the test left the schema alone, so every reset first compares a
# fingerprint of the schema with the template's; a test that changed the schema (migrate on a
# plain LMS database, ALTER, TRUNCATE on PostgreSQL, ...) gets its database dropped as before.

# Catalogs whose rows change when the schema does. pg_statistic is left out: ANALYZE (also
# autovacuum's) rewrites it without changing the schema; in-place statistics updates of pg_class
# by VACUUM keep xmin, so they do not show either.
_PG_CATALOGS_SQL = """
SELECT c.relname FROM pg_class c
WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' AND NOT c.relisshared
  AND c.relname NOT IN ('pg_statistic', 'pg_statistic_ext_data', 'pg_largeobject')
ORDER BY 1
"""


# A session's first temporary table creates the schemas pg_temp_N and pg_toast_temp_N in the
# database, and PostgreSQL keeps them (empty) after the session ends, for the next backend of
# that number. They are not part of the database's schema (pg_dump leaves them out) and are
# empty once the test's sessions have ended, so they do not make a database unusable: without
# this, every test of the billing import (a TEMPORARY staging table) had its database dropped.
_PG_NOT_TEMP = r" WHERE nspname !~ '^pg_(toast_)?temp_[0-9]+$'"


def _pg_state_sql(catalogs: list[str]) -> str:
    """One query whose result changes with any schema change: every DDL statement inserts,
    updates or deletes catalog rows, so each catalog's row count or newest xmin moves."""
    parts = [f"SELECT '{name}' AS k, count(*)::text || '/' || "
             f"coalesce(max(xmin::text::bigint), 0)::text AS v FROM pg_catalog.{name}"
             + (_PG_NOT_TEMP if name == "pg_namespace" else "")
             for name in catalogs]
    parts.append("SELECT 'db_settings', coalesce(string_agg(array_to_string(setconfig, ','), ';'"
                 " ORDER BY setrole), '') FROM pg_db_role_setting WHERE setdatabase = "
                 "(SELECT oid FROM pg_database WHERE datname = current_database())")
    parts.append("SELECT 'lo', count(*)::text FROM pg_largeobject")
    return " UNION ALL ".join(parts)


# What MariaDB's information_schema says about a schema, minus what DML changes (row counts,
# AUTO_INCREMENT, update times): a change of any column, index, key, view, routine or trigger
# changes one of these results.
_MYSQL_SCHEMA_SQL = [
    "SELECT DEFAULT_CHARACTER_SET_NAME, DEFAULT_COLLATION_NAME FROM information_schema.SCHEMATA "
    "WHERE SCHEMA_NAME = %s",
    "SELECT TABLE_NAME, TABLE_TYPE, ENGINE, ROW_FORMAT, TABLE_COLLATION, CREATE_OPTIONS, "
    "TABLE_COMMENT FROM information_schema.TABLES WHERE TABLE_SCHEMA = %s ORDER BY 1",
    "SELECT TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, COLUMN_DEFAULT, IS_NULLABLE, COLUMN_TYPE, "
    "CHARACTER_SET_NAME, COLLATION_NAME, COLUMN_KEY, EXTRA, COLUMN_COMMENT, GENERATION_EXPRESSION "
    "FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = %s ORDER BY 1, 3",
    "SELECT TABLE_NAME, INDEX_NAME, SEQ_IN_INDEX, COLUMN_NAME, NON_UNIQUE, SUB_PART, INDEX_TYPE, "
    "COMMENT, INDEX_COMMENT FROM information_schema.STATISTICS WHERE TABLE_SCHEMA = %s "
    "ORDER BY 1, 2, 3",
    "SELECT CONSTRAINT_NAME, TABLE_NAME, COLUMN_NAME, ORDINAL_POSITION, REFERENCED_TABLE_NAME, "
    "REFERENCED_COLUMN_NAME FROM information_schema.KEY_COLUMN_USAGE WHERE TABLE_SCHEMA = %s "
    "ORDER BY 2, 1, 4",
    "SELECT CONSTRAINT_NAME, TABLE_NAME, UPDATE_RULE, DELETE_RULE FROM "
    "information_schema.REFERENTIAL_CONSTRAINTS WHERE CONSTRAINT_SCHEMA = %s ORDER BY 2, 1",
    "SELECT TABLE_NAME, CONSTRAINT_NAME, CHECK_CLAUSE FROM information_schema.CHECK_CONSTRAINTS "
    "WHERE CONSTRAINT_SCHEMA = %s ORDER BY 1, 2",
    "SELECT TABLE_NAME, VIEW_DEFINITION, CHECK_OPTION, SECURITY_TYPE FROM "
    "information_schema.VIEWS WHERE TABLE_SCHEMA = %s ORDER BY 1",
    "SELECT ROUTINE_NAME, ROUTINE_TYPE, DTD_IDENTIFIER, ROUTINE_DEFINITION, IS_DETERMINISTIC, "
    "SQL_DATA_ACCESS, SECURITY_TYPE, SQL_MODE, ROUTINE_COMMENT FROM information_schema.ROUTINES "
    "WHERE ROUTINE_SCHEMA = %s ORDER BY 1, 2",
    "SELECT SPECIFIC_NAME, ORDINAL_POSITION, PARAMETER_MODE, PARAMETER_NAME, DTD_IDENTIFIER "
    "FROM information_schema.PARAMETERS WHERE SPECIFIC_SCHEMA = %s ORDER BY 1, 2",
    "SELECT TRIGGER_NAME, EVENT_MANIPULATION, EVENT_OBJECT_TABLE, ACTION_ORDER, "
    "ACTION_STATEMENT, ACTION_TIMING, SQL_MODE FROM information_schema.TRIGGERS "
    "WHERE TRIGGER_SCHEMA = %s ORDER BY 1",
    "SELECT EVENT_NAME, EVENT_DEFINITION, STATUS FROM information_schema.EVENTS "
    "WHERE EVENT_SCHEMA = %s ORDER BY 1",
]


@dataclass
class ResetPlan:
    """What a reset compares against and restores, captured once from the template."""

    schema: str  # fingerprint of the template's schema
    readable_schema: str  # the same, readable (MariaDB: the rows, not their digest)
    tables: list[str]  # base tables
    seeds: dict[str, str]  # seeded table -> content hash in the template
    counters: dict[str, tuple]  # sequence -> (last_value, is_called) / table -> AUTO_INCREMENT
    copies: dict[str, bytes] = field(default_factory=dict)  # PostgreSQL: seeded rows, COPY text


def _q(dialect: str, name: str) -> str:
    return f'"{name}"' if dialect == "postgres" else f"`{name}`"


def _mysql_digest_sql(sql: str) -> str:
    """``sql`` (one of _MYSQL_SCHEMA_SQL) as a subquery answering the MD5 of its rows, joined
    in the same order: the server hashes what the client would otherwise fetch and decode
    (thousands of column rows, through pure-Python pymysql, at every reset)."""
    m = re.fullmatch(r"SELECT (.+?) FROM (.+?)(?: ORDER BY (.+))?", sql)
    assert m, sql
    cols = [c.strip() for c in m.group(1).split(",")]
    order = ", ".join(cols[int(n) - 1] for n in (m.group(3) or "1").split(", "))
    row = "CONCAT_WS(0x1f, " + ", ".join(f"IFNULL({c}, 0x00)" for c in cols) + ")"
    # view texts name their own schema: left out, as in the text form
    return (f"(SELECT MD5(REPLACE(GROUP_CONCAT({row} ORDER BY {order} SEPARATOR 0x1e), %s, ''))"
            f" FROM {m.group(2)})")


_MYSQL_DIGEST_SQL = "SELECT CONCAT_WS(',', " + ", ".join(
    f"IFNULL({_mysql_digest_sql(q)}, '-')" for q in _MYSQL_SCHEMA_SQL) + ") AS d"


def _schema_fingerprint(db, *, readable: bool = False) -> str:
    """Changes with any schema change. MariaDB: a digest, or with ``readable`` the rows
    themselves (to show what changed)."""
    if db.dialect == "postgres":
        catalogs = [r["relname"] for r in db.query(_PG_CATALOGS_SQL)]
        rows = db.query(_pg_state_sql(catalogs))
        return "\n".join(f"{r['k']}={r['v']}" for r in rows)
    name = db.scalar("SELECT DATABASE()")
    if readable:
        text = "\n".join(repr(db.query(sql, [name])) for sql in _MYSQL_SCHEMA_SQL)
        return text.replace(f"`{name}`.", "")
    db.execute("SET SESSION group_concat_max_len = 1073741824")  # never cut short
    return db.scalar(_MYSQL_DIGEST_SQL, [f"`{name}`.", name] * len(_MYSQL_SCHEMA_SQL))


def _base_tables(db) -> list[str]:
    if db.dialect == "postgres":
        rows = db.query("SELECT quote_ident(n.nspname) || '.' || quote_ident(c.relname) AS t "
                        "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                        "WHERE c.relkind IN ('r', 'p') AND n.nspname NOT IN ('pg_catalog', "
                        "'information_schema') AND n.nspname NOT LIKE 'pg_toast%%' "
                        "AND n.nspname NOT LIKE 'pg_temp%%' ORDER BY 1")
        return [r["t"] for r in rows]
    rows = db.query("SELECT TABLE_NAME AS t FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' ORDER BY 1")
    return [f"`{r['t']}`" for r in rows]


def _contents(db, tables: list[str], seeds: set[str]) -> dict[str, str]:
    """Per table: '' when empty, else (seeded tables) a hash of its rows in scan order or
    (others) '1'. One row of one column a table on PostgreSQL (a UNION ALL of a row a table
    took the server 36 ms to plan and run for LMS's 102 tables, this 6.5 ms, at every reset);
    CHECKSUM TABLE on MariaDB."""
    if not tables:
        return {}
    if db.dialect == "postgres":
        exprs = [f"(SELECT coalesce(md5(string_agg(x::text, E'\\n')), '') FROM {t} x)"
                 if t in seeds else
                 f"CASE WHEN EXISTS (SELECT 1 FROM {t}) THEN '1' ELSE '' END"
                 for t in tables]
        row = db.one("SELECT " + ", ".join(f"{e} AS c{i}" for i, e in enumerate(exprs)))
        return {t: row[f"c{i}"] for i, t in enumerate(tables)}
    out: dict[str, str] = {}
    parts = [f"SELECT {i} AS i, EXISTS (SELECT 1 FROM {t}) AS v" for i, t in enumerate(tables)]
    for r in db.query(" UNION ALL ".join(parts)):
        out[tables[r["i"]]] = "1" if r["v"] else ""
    seeded = [t for t in tables if t in seeds]
    if seeded:
        for r in db.query(f"CHECKSUM TABLE {', '.join(seeded)}"):
            table = "`" + r["Table"].split(".", 1)[1] + "`"
            out[table] = f"{out[table]}:{r['Checksum']}"
    return out


def _counters(db) -> dict[str, tuple]:
    if db.dialect == "postgres":
        seqs = db.query("SELECT quote_ident(schemaname) || '.' || quote_ident(sequencename) AS s "
                        "FROM pg_sequences ORDER BY 1")
        if not seqs:
            return {}
        sql = " UNION ALL ".join(f"SELECT {i} AS i, last_value, is_called FROM {r['s']}"
                                 for i, r in enumerate(seqs))
        return {seqs[r["i"]]["s"]: (int(r["last_value"]), bool(r["is_called"]))
                for r in db.query(sql)}
    rows = db.query("SELECT TABLE_NAME AS t, AUTO_INCREMENT AS a FROM information_schema.TABLES "
                    "WHERE TABLE_SCHEMA = DATABASE() AND AUTO_INCREMENT IS NOT NULL")
    return {f"`{r['t']}`": (int(r["a"]),) for r in rows}


def reset_plan(db) -> ResetPlan:
    """Capture, from the template itself, what resetting a clone of it needs."""
    tables = _base_tables(db)
    have = _contents(db, tables, set())
    seeded = {t for t in tables if have[t]}
    plan = ResetPlan(schema=_schema_fingerprint(db),
                     readable_schema=_schema_fingerprint(db, readable=True), tables=tables,
                     seeds={t: v for t, v in _contents(db, tables, seeded).items() if t in seeded},
                     counters=_counters(db))
    if db.dialect == "postgres":
        import io

        for t in sorted(seeded):
            buf = io.BytesIO()
            db.raw.cursor().copy_expert(f"COPY {t} TO STDOUT", buf)
            plan.copies[t] = buf.getvalue()
    db.raw.commit()
    return plan


def _disconnect_others(db, name: str) -> None:
    """End sessions a test left open on the database (DROP … WITH (FORCE) did the same)."""
    if db.dialect == "postgres":
        db.query("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                 "WHERE datname = %s AND pid <> pg_backend_pid()", [name])
        # Terminated sessions drop their temporary objects while exiting; wait for that.
        import time

        deadline = time.monotonic() + 10
        while db.scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = %s "
                        "AND pid <> pg_backend_pid()", [name]):
            if time.monotonic() > deadline:
                raise RuntimeError(f"sessions on {name} do not end")
            time.sleep(0.02)
    else:
        for r in db.query("SELECT ID FROM information_schema.PROCESSLIST WHERE DB = %s "
                          "AND ID <> CONNECTION_ID()", [name]):
            try:
                db.execute(f"KILL {int(r['ID'])}")
            except Exception:  # already gone
                pass
    db.raw.commit()


def reset(tpl: Template, plan: ResetPlan, cfg: DatabaseConfig) -> bool:
    """Put a used clone of ``tpl`` back to the template's state. False when the test changed
    its schema (or it vanished): the caller drops it then."""
    try:
        db = connect(cfg)
    except Exception:
        return False
    try:
        _disconnect_others(db, cfg.database)
        schema = _schema_fingerprint(db)
        if schema != plan.schema:
            if os.environ.get("LMSTV_TEST_RESET_DEBUG"):  # why a database is not reused
                import difflib

                print("\n".join(difflib.unified_diff(
                    plan.readable_schema.splitlines(),
                    _schema_fingerprint(db, readable=True).splitlines(), lineterm="", n=0)))
            return False
        tables = _base_tables(db)
        if tables != plan.tables:
            return False
        seeds = set(plan.seeds)
        now = _contents(db, tables, seeds)
        dirty = [t for t in tables if now[t] != plan.seeds.get(t, "")]
        now_counters = _counters(db) if db.dialect == "postgres" else {}
        # The writes below are one transaction (lmstv's connections are in autocommit): SET
        # LOCAL needs one to take effect, and one commit is one wait for the disk, not one a
        # table.
        if db.dialect == "postgres":
            db.raw.autocommit = False
        else:
            db.raw.autocommit(False)
        cur = db.raw.cursor()
        if db.dialect == "postgres":
            # Durability of a throw-away database is not needed; without the WAL flush the
            # commit does not wait for the disk. Replica role: no FK or user triggers fire.
            cur.execute("SET LOCAL synchronous_commit = off")
            cur.execute("SET LOCAL session_replication_role = replica")
            if dirty:
                cur.execute("; ".join(f"DELETE FROM {t}" for t in dirty))
            import io

            for t in dirty:
                if t in plan.copies:
                    cur.copy_expert(f"COPY {t} FROM STDIN", io.BytesIO(plan.copies[t]))
            fixes = [f"SELECT setval('{s}', {v[0]}, {str(v[1]).lower()})"
                     for s, v in plan.counters.items() if now_counters.get(s) != v]
            if set(now_counters) != set(plan.counters):
                return False
            if fixes:
                cur.execute("; ".join(fixes))
        else:
            cur.execute("SET FOREIGN_KEY_CHECKS = 0")
            for t in dirty:
                cur.execute(f"DELETE FROM {t}")
                if t in seeds:
                    cur.execute(f"INSERT INTO {t} SELECT * FROM `{tpl.cfg.database}`.{t}")
            db.raw.commit()
            now_counters = _counters(db)
            if set(now_counters) != set(plan.counters):
                return False
            for t, v in plan.counters.items():
                if now_counters[t] != v:
                    cur.execute(f"ALTER TABLE {t} AUTO_INCREMENT = {v[0]}")
            cur.execute("SET FOREIGN_KEY_CHECKS = 1")
        db.raw.commit()
        return True
    except Exception:
        return False
    finally:
        db.close()


def dump(cfg: DatabaseConfig) -> str:
    """The whole database as pg_dump / mariadb-dump print it (schema, rows in scan order,
    sequence and AUTO_INCREMENT values), with its own name replaced: for comparing two."""
    import os
    import subprocess

    if cfg.dialect == "postgres":
        cmd = ["pg_dump", "--no-owner", "-h", cfg.host, "-p", str(cfg.port or 5432),
               "-U", cfg.user, cfg.database]
        env = {**os.environ, "PGPASSWORD": cfg.password}
    else:
        cmd = ["mysqldump", "--skip-dump-date", "--skip-comments", "--routines", "--triggers",
               "--events", "--skip-extended-insert", "-h", cfg.host, "-P",
               str(cfg.port or 3306), "-u", cfg.user, cfg.database]
        env = {**os.environ, "MYSQL_PWD": cfg.password}
    out = subprocess.run(cmd, env=env, capture_output=True, text=True, check=True).stdout
    # pg_dump 15.14+ brackets its output with a random \restrict key.
    lines = [line for line in out.splitlines() if not line.startswith(("\\restrict",
                                                                       "\\unrestrict"))]
    return "\n".join(lines).replace(cfg.database, "<db>")
