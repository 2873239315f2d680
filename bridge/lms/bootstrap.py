"""Create an LMS database from LMS's own schema file (used by the demo and the tests).

The schema file is LMS's (``doc/lms.pgsql`` / ``doc/lms.mysql``); lmstv never ships a copy.
"""

from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from bridge.config import DatabaseConfig, find_lms_schema
from bridge.lms.db import connect

_SAFE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


def _admin(cfg: DatabaseConfig) -> DatabaseConfig:
    return replace(cfg, database="postgres" if cfg.dialect == "postgres" else "mysql")


def create_database(cfg: DatabaseConfig, *, drop_first: bool = False) -> None:
    """Create ``cfg.database`` (UTF-8; utf8_polish_ci on MySQL, as LMS's install guide says)."""
    name = cfg.database
    if not _SAFE_NAME.match(name):
        raise ValueError(f"refusing unusual database name {name!r}")
    db = connect(_admin(cfg))
    try:
        if cfg.dialect == "postgres":
            db.raw.autocommit = True
            if drop_first:
                db.raw.cursor().execute(f'DROP DATABASE IF EXISTS "{name}"')
            db.raw.cursor().execute(f"CREATE DATABASE \"{name}\" ENCODING 'UTF8' "
                                    "TEMPLATE template0")
        else:
            if drop_first:
                db.execute(f"DROP DATABASE IF EXISTS `{name}`")
            db.execute(f"CREATE DATABASE `{name}` CHARACTER SET utf8 COLLATE utf8_polish_ci")
    finally:
        db.close()


def drop_database(cfg: DatabaseConfig) -> None:
    name = cfg.database
    if not _SAFE_NAME.match(name):
        raise ValueError(f"refusing unusual database name {name!r}")
    db = connect(_admin(cfg))
    try:
        if cfg.dialect == "postgres":
            db.raw.autocommit = True
            db.raw.cursor().execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        else:
            db.execute(f"DROP DATABASE IF EXISTS `{name}`")
    finally:
        db.close()


def load_lms_schema(cfg: DatabaseConfig, schema: Path | None = None) -> Path:
    """Run LMS's schema script in ``cfg.database``; returns the file used."""
    path = schema or find_lms_schema(cfg.dialect)
    script = path.read_text(encoding="utf-8")
    db = connect(cfg)
    try:
        if cfg.dialect == "postgres":
            db.raw.autocommit = True
            with db.raw.cursor() as cur:
                cur.execute(script)
        else:
            for stmt in split_mysql_script(script):
                with db.raw.cursor() as cur:
                    cur.execute(stmt)
            db.raw.commit()
    finally:
        db.close()
    return path


def split_mysql_script(script: str) -> list[str]:
    """Split a MySQL script as the mysql client does: on ``;`` at line ends, or on the
    delimiter a ``DELIMITER`` line sets (current LMS's file defines triggers that way)."""
    out, buf, delim = [], [], ";"
    for line in script.splitlines():
        stripped = line.strip()
        if not buf:
            if not stripped or stripped.startswith("--"):
                continue
            if stripped.upper().startswith("DELIMITER "):
                delim = stripped.split(None, 1)[1]
                continue
        buf.append(line)
        if stripped.endswith(delim):
            stmt = "\n".join(buf).strip()[: -len(delim)].strip()
            buf = []
            if stmt and not _only_comment(stmt):
                out.append(stmt)
    tail = "\n".join(buf).strip()
    if tail and not _only_comment(tail):
        out.append(tail)
    return out


def _only_comment(stmt: str) -> bool:
    return not re.sub(r"/\*.*?\*/", "", stmt, flags=re.S).strip()
