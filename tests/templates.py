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
