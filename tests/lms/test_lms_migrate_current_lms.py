"""`lmstv migrate` on a current LMS database (28-git schema, DB version 2026081100).

lmstv's steps are written for LMS 1.11.17; on a schema it does not know it must refuse and
change nothing, above all none of LMS's own views (issue 9 item 26).  LMS 28's schema is read
from ../shared/lms-src at test time and never copied into the project.
"""

from __future__ import annotations

import tarfile
from pathlib import Path
from types import SimpleNamespace

import pytest

from bridge.lms import dialect as sql_dialect
from bridge.lms.bootstrap import load_lms_schema
from bridge.lms.db import connect
from bridge.lms.migrate import MigrationRefused, migrate
from bridge.services.checks import check_database

from .test_lms_migrate_cli import lmstv, write_config

ROOT = Path(__file__).resolve().parents[2]
TARBALL = ROOT.parent / "shared" / "lms-src" / "lms-28-git-d85aeab5.tar.gz"
LMS28_DBVERSION = "2026081100"
MEMBERS = {"postgres": "lms-28-git/doc/lms.pgsql", "mysql": "lms-28-git/doc/lms.mysql"}


@pytest.fixture(scope="module")
def lms28_schema(tmp_path_factory) -> dict[str, Path]:
    if not TARBALL.is_file():
        pytest.fail(f"{TARBALL} not found (LMS 28-git sources live in ../shared/lms-src)")
    out = tmp_path_factory.mktemp("lms28")
    with tarfile.open(TARBALL) as tar:
        for member in MEMBERS.values():
            tar.extract(tar.getmember(member), out, filter="data")
    return {d: out / m for d, m in MEMBERS.items()}


def snapshot(db) -> dict:
    """Every view's definition as the server stores it, every table, and dbinfo."""
    if db.dialect == "postgres":
        views = db.query("SELECT viewname AS name, definition AS d FROM pg_views "
                         "WHERE schemaname = current_schema() ORDER BY viewname")
        tables = db.query("SELECT tablename AS name FROM pg_tables "
                          "WHERE schemaname = current_schema() ORDER BY tablename")
    else:
        views = db.query("SELECT TABLE_NAME AS name, VIEW_DEFINITION AS d "
                         "FROM information_schema.VIEWS WHERE TABLE_SCHEMA = DATABASE() "
                         "ORDER BY TABLE_NAME")
        tables = db.query("SELECT TABLE_NAME AS name FROM information_schema.TABLES "
                          "WHERE TABLE_SCHEMA = DATABASE() AND TABLE_TYPE = 'BASE TABLE' "
                          "ORDER BY TABLE_NAME")
    cols = db.query("SELECT table_name AS t, column_name AS c FROM information_schema.columns "
                    f"WHERE table_schema = {sql_dialect.current_schema_sql(db)} "
                    "ORDER BY table_name, column_name")
    dbinfo = db.query("SELECT keytype, keyvalue FROM dbinfo ORDER BY keytype")
    return {"views": [(v["name"], v["d"]) for v in views],
            "tables": [t["name"] for t in tables],
            "columns": [(c["t"], c["c"]) for c in cols], "dbinfo": dbinfo}


@pytest.fixture
def lms28_config(dialect, new_lms_database, lms28_schema):
    cfg = new_lms_database(dialect, empty=True)
    load_lms_schema(cfg, lms28_schema[dialect])
    return cfg


def test_migrate_refuses_current_lms_and_changes_nothing(lms28_config, tmp_path):
    db = connect(lms28_config)
    try:
        assert db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = 'dbversion'") \
            == LMS28_DBVERSION
        before = snapshot(db)
    finally:
        db.close()
    assert any(name == "contractorview" for name, _ in before["views"])
    assert not any(name == "customersview" for name, _ in before["views"])

    config = write_config(tmp_path, lms28_config)
    for args in ((), ("--check",), ("--dry-run",)):
        run = lmstv(config, *args)
        assert run.returncode == 3, (args, run.stdout, run.stderr)
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, (args, run.stderr)
        assert LMS28_DBVERSION in lines[0] and "not supported yet" in lines[0], lines[0]
        assert "CREATE" not in run.stdout and "pending" not in run.stdout, run.stdout

    db = connect(lms28_config)
    try:
        with pytest.raises(MigrationRefused, match="not supported yet"):
            migrate(db, out=lambda _line: None)
        assert snapshot(db) == before
    finally:
        db.close()

    # `lmstv check` says the same, not "N steps pending, run lmstv migrate"
    result = check_database(lambda: connect(lms28_config), SimpleNamespace(database=lms28_config))
    assert not result.ok and "not supported yet" in result.detail, result
