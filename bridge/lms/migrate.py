"""lmstv's schema migrations on the LMS database: find, check and apply the steps in ``sql/``.

Each step is a plain SQL file per dialect (``sql/postgres/<version>-<name>.sql`` and
``sql/mysql/<version>-<name>.sql``), so an operator can also read or apply it by hand.
Comment lines of the form ``-- lmstv: <directive>`` just before a statement make it
re-runnable, because MySQL cannot roll DDL back when a step is interrupted:

* ``skip-if <check>`` / ``only-if <check>``: run the statement only when the check is false /
  true.  Checks: ``table T``, ``view V``, ``column T.C``, ``index T.I``, ``wide T.C N`` (the
  column exists and holds at least N characters), ``lms F`` (the LMS schema is flavour F of
  :mod:`bridge.lms.flavour`: ``lms1117`` or ``lms28``) -- so a statement that touches LMS's own
  views runs only on the LMS version whose views it reproduces.
* ``expect-no-rows <message>``: the statement is a SELECT that must return nothing; otherwise
  the migration stops with the message and the offending rows.

On PostgreSQL a whole step runs in one transaction.  After each step the version is stored in
``dbinfo`` under ``dbversion_lmstv``.
"""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bridge.lms import dialect
from bridge.lms import flavour as lms_flavour
from bridge.lms.db import Database

VERSION_KEY = "dbversion_lmstv"
LMS_MIN_DBVERSION = lms_flavour.LMS1117_DBVERSION  # LMS 1.11.17's schema version
# LMS schema versions the steps in sql/ are written for (LMS 1.11.17 and current LMS 28-git).
# Any other LMS may define its views differently, and a step must never replace or add a view
# LMS defines otherwise: refuse instead.
KNOWN_LMS_DBVERSIONS = frozenset(lms_flavour.BY_DBVERSION)
ENV_SQL_DIR = "LMSTV_SQL_DIR"
LOCK_NAME = "migrate"
DIALECT_DIRS = {"postgres": "postgres", "mysql": "mysql"}
FRESH_INSTALL_FILES = {"postgres": "sms-lms-psql.sql", "mysql": "sms-lms.sql"}

_STEP_FILE = re.compile(r"^(?P<version>\d{10})-(?P<name>[a-z0-9-]+)\.sql$")
_DIRECTIVE = re.compile(r"^--\s*lmstv:\s*(?P<body>.+?)\s*$")
_CHECK_KINDS = {"table": 1, "view": 1, "column": 1, "index": 1, "wide": 2, "lms": 1}


class MigrationError(Exception):
    """Migration could not run or failed; the message is for the operator."""


class MigrationRefused(MigrationError):
    """The database is not one lmstv may migrate (not LMS, too old, or data in the way)."""


class MigrationLocked(MigrationError):
    """Another ``lmstv migrate`` is running on this database."""


@dataclass(frozen=True)
class Guard:
    negate: bool  # True for skip-if
    kind: str
    args: tuple[str, ...]

    def describe(self) -> str:
        return f"{'skip-if' if self.negate else 'only-if'} {self.kind} {' '.join(self.args)}"


@dataclass
class Statement:
    sql: str
    guards: list[Guard] = field(default_factory=list)
    expect_no_rows: str | None = None


@dataclass
class Step:
    version: int
    name: str
    path: Path
    statements: list[Statement]

    @property
    def label(self) -> str:
        return f"{self.version} {self.name}"


# -- locating and parsing ------------------------------------------------------------------------


def sql_dir() -> Path:
    """The ``sql/`` directory: $LMSTV_SQL_DIR, else the source checkout's, else the system's."""
    env = os.environ.get(ENV_SQL_DIR)
    if env:
        path = Path(env)
        if not path.is_dir():
            raise MigrationError(f"{ENV_SQL_DIR}={env} is not a directory")
        return path
    candidates = [Path(__file__).resolve().parents[2] / "sql", Path("/usr/share/lmstv/sql")]
    for cand in candidates:
        if (cand / "postgres").is_dir() and (cand / "mysql").is_dir():
            return cand
    raise MigrationError("lmstv's sql/ directory was not found (looked in "
                         + ", ".join(str(c) for c in candidates)
                         + f"); set {ENV_SQL_DIR} to its path")


def _parse_directive(body: str, path: Path, lineno: int) -> tuple[str, Any]:
    word, _, rest = body.partition(" ")
    rest = rest.strip()
    if word == "expect-no-rows":
        if not rest:
            raise MigrationError(f"{path}:{lineno}: expect-no-rows needs a message")
        return "expect", rest
    if word in ("skip-if", "only-if"):
        parts = rest.split()
        if not parts or parts[0] not in _CHECK_KINDS or len(parts) - 1 != _CHECK_KINDS[parts[0]]:
            raise MigrationError(f"{path}:{lineno}: bad condition {body!r}")
        if parts[0] == "lms" and parts[1] not in lms_flavour.BY_NAME:
            raise MigrationError(f"{path}:{lineno}: unknown LMS flavour in {body!r}")
        return "guard", Guard(word == "skip-if", parts[0], tuple(parts[1:]))
    raise MigrationError(f"{path}:{lineno}: unknown lmstv directive {body!r}")


def parse_sql(text: str, path: Path) -> list[Statement]:
    """Split a step file into statements (each ends with ``;`` at a line end) with directives."""
    statements: list[Statement] = []
    pending = Statement(sql="")
    buf: list[str] = []
    for lineno, line in enumerate(text.splitlines(), 1):
        stripped = line.strip()
        if not buf:
            directive = _DIRECTIVE.match(stripped)
            if directive:
                kind, value = _parse_directive(directive.group("body"), path, lineno)
                if kind == "guard":
                    pending.guards.append(value)
                else:
                    pending.expect_no_rows = value
                continue
            if not stripped or stripped.startswith("--"):
                continue
        buf.append(line)
        if stripped.endswith(";"):
            pending.sql = "\n".join(buf).strip().rstrip(";").rstrip()
            statements.append(pending)
            pending, buf = Statement(sql=""), []
    if buf or pending.guards or pending.expect_no_rows:
        raise MigrationError(f"{path}: the last statement does not end with ';'")
    return statements


def load_steps(db_dialect: str, directory: Path | None = None) -> list[Step]:
    """All steps for a dialect, in version order."""
    base = (directory or sql_dir()) / DIALECT_DIRS[db_dialect]
    steps = []
    for path in sorted(base.glob("*.sql")):
        match = _STEP_FILE.match(path.name)
        if not match:
            raise MigrationError(f"{path}: step files are named <10-digit version>-<name>.sql")
        statements = parse_sql(path.read_text(encoding="utf-8"), path)
        steps.append(Step(int(match.group("version")), match.group("name"), path, statements))
    versions = [s.version for s in steps]
    if len(set(versions)) != len(versions):
        raise MigrationError(f"{base}: two step files share a version")
    return steps


# -- database state ------------------------------------------------------------------------------


def check_lms(db: Database) -> str:
    """Refuse anything but an LMS database of a schema version lmstv knows (LMS 1.11.17 or
    LMS 28-git); return its dbversion."""
    where = db.cfg.describe()
    if not (dialect.table_exists(db, "dbinfo") and dialect.table_exists(db, "customers")):
        raise MigrationRefused(f"{where} is not an LMS database (it has no dbinfo and customers "
                               "tables); point lmstv at LMS's database ([database] in lms.ini "
                               "or lmstv.ini)")
    version = db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = 'dbversion'")
    if not version:
        raise MigrationRefused(f"{where} is not an LMS database (dbinfo has no 'dbversion')")
    version = str(version).strip()
    if not version.isdigit() or version < LMS_MIN_DBVERSION:
        raise MigrationRefused(f"{where} holds LMS schema version {version}, older than LMS "
                               f"1.11.17 ({LMS_MIN_DBVERSION}); upgrade LMS first, then run "
                               "`lmstv migrate` again")
    if version not in KNOWN_LMS_DBVERSIONS:
        known = ", ".join(f"{f.label} ({f.dbversion})" for f in lms_flavour.BY_NAME.values())
        raise MigrationRefused(f"{where} holds LMS schema version {version}, which lmstv does "
                               f"not know (it supports {known}); nothing was changed")
    return version


def current_version(db: Database) -> int | None:
    value = db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = %s", [VERSION_KEY])
    if value is None or str(value).strip() == "":
        return None
    try:
        return int(str(value).strip())
    except ValueError:
        raise MigrationRefused(f"dbinfo {VERSION_KEY} holds {value!r}, not a version number; "
                               "fix or delete that row") from None


def pending_steps(db: Database, steps: list[Step] | None = None) -> list[Step]:
    steps = load_steps(db.dialect) if steps is None else steps
    done = current_version(db) or 0
    return [s for s in steps if s.version > done]


def _check(db: Database, guard: Guard) -> bool:
    kind, args = guard.kind, guard.args
    if kind == "lms":
        return lms_flavour.detect(db).name == args[0]
    if kind == "table":
        return dialect.table_exists(db, args[0])
    if kind == "view":
        return dialect.view_exists(db, args[0])
    table, _, name = args[0].partition(".")
    if kind == "index":
        return dialect.index_exists(db, table, name)
    info = dialect.column_info(db, table, name)
    if kind == "column":
        return info is not None
    return info is not None and (info["char_length"] or 0) >= int(args[1])  # wide


def _should_run(db: Database, stmt: Statement) -> bool:
    return all(_check(db, g) != g.negate for g in stmt.guards)


def _record_version(db: Database, version: int) -> None:
    updated = db.execute("UPDATE dbinfo SET keyvalue = %s WHERE keytype = %s",
                         [str(version), VERSION_KEY])
    if not updated and current_version(db) != version:
        db.execute("INSERT INTO dbinfo (keytype, keyvalue) VALUES (%s, %s)",
                   [VERSION_KEY, str(version)])


def _run_statement(db: Database, stmt: Statement, step: Step) -> bool:
    if not _should_run(db, stmt):
        return False
    if stmt.expect_no_rows is not None:
        rows = db.query(stmt.sql)
        if rows:
            shown = "; ".join(", ".join(f"{k}={v}" for k, v in r.items()) for r in rows[:10])
            more = f" (and {len(rows) - 10} more)" if len(rows) > 10 else ""
            raise MigrationRefused(f"step {step.label}: {stmt.expect_no_rows}. Found: "
                                   f"{shown}{more}")
        return True
    db.execute(stmt.sql)
    return True


def apply_step(db: Database, step: Step) -> int:
    """Run one step (one transaction on PostgreSQL); returns how many statements ran."""
    ran = 0
    try:
        if dialect.is_postgres(db):
            with db.transaction():
                for stmt in step.statements:
                    ran += _run_statement(db, stmt, step)
                _record_version(db, step.version)
        else:
            for stmt in step.statements:
                ran += _run_statement(db, stmt, step)
            _record_version(db, step.version)
    except MigrationError:
        raise
    except Exception as exc:  # driver errors: say which step, keep the server's words
        text = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise MigrationError(f"step {step.label} failed: {text}. Fix the cause and run "
                             "`lmstv migrate` again; completed parts are not repeated") from exc
    return ran


# -- entry point ---------------------------------------------------------------------------------


@dataclass
class MigrationResult:
    lms_version: str
    before: int | None
    after: int | None
    applied: list[Step]
    pending: list[Step]


def migrate(db: Database, *, dry_run: bool = False, check_only: bool = False,
            out: Callable[[str], None] = print) -> MigrationResult:
    """Apply pending steps (or just report them), under a lock against concurrent runs."""
    lms_version = check_lms(db)  # refuses any LMS schema the steps are not written for
    steps = load_steps(db.dialect)
    before = current_version(db)
    pending = pending_steps(db, steps)
    if check_only or dry_run:
        for step in pending:
            if dry_run:
                out(f"-- step {step.label} ({step.path.name})")
                for stmt in step.statements:
                    for guard in stmt.guards:
                        out(f"-- lmstv: {guard.describe()}")
                    if stmt.expect_no_rows:
                        out(f"-- lmstv: expect-no-rows {stmt.expect_no_rows}")
                    out(stmt.sql + ";")
                out(f"-- then: dbinfo {VERSION_KEY} = {step.version}")
            else:
                out(f"pending: {step.label}")
        return MigrationResult(lms_version, before, before, [], pending)

    if not dialect.advisory_lock(db, LOCK_NAME, 0):
        raise MigrationLocked("another `lmstv migrate` is running on this database; wait for "
                              "it to finish")
    applied: list[Step] = []
    try:
        for step in pending_steps(db, steps):
            ran = apply_step(db, step)
            applied.append(step)
            out(f"applied {step.label} ({ran} statements)")
    finally:
        dialect.advisory_unlock(db, LOCK_NAME)
    return MigrationResult(lms_version, before, current_version(db), applied, [])


def apply_pending(db: Database, out: Callable[[str], None] = lambda _line: None) -> list[Step]:
    """Apply every pending step quietly (for the demo and tests); returns the steps applied."""
    return migrate(db, out=out).applied
