"""`lmstv migrate` on a current LMS database (28-git schema, DB version 2026081100).

lmstv's tables and columns are created there without touching any of LMS's own views or LMS's
dbinfo rows (issue 9 item 26 / issue 11); a schema version lmstv does not know is refused with
one line and changes nothing.  LMS 28's schema is read from ../shared/lms-src at test time and
never copied into the project.
"""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from bridge.lms import dialect as sql_dialect
from bridge.lms import flavour
from bridge.lms.db import connect
from bridge.lms.migrate import MigrationRefused, load_steps, migrate
from bridge.services.checks import check_database

from .test_lms_migrate_cli import lmstv, write_config

LMS28_DBVERSION = flavour.LMS28_DBVERSION
LMSTV_TABLES = {"tv_billing_event", "tv_account_lock", "tv_cutoff_customer"}


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
            "columns": [(c["t"], c["c"]) for c in cols],
            "dbinfo": [(r["keytype"], r["keyvalue"]) for r in dbinfo]}


@pytest.fixture
def lms28_config(dialect, new_lms_database):
    return new_lms_database(dialect, flavour="lms28")


def test_migrate_current_lms_keeps_every_lms_view_and_dbinfo(lms28_config, tmp_path):
    db = connect(lms28_config)
    try:
        assert db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = 'dbversion'") \
            == LMS28_DBVERSION
        assert flavour.detect(db) is flavour.LMS28
        before = snapshot(db)
    finally:
        db.close()
    assert any(name == "contractorview" for name, _ in before["views"])
    assert not any(name == "customersview" for name, _ in before["views"])

    config = write_config(tmp_path, lms28_config)
    check = lmstv(config, "--check")
    assert check.returncode == 1 and "pending" in check.stdout, (check.stdout, check.stderr)
    dry = lmstv(config, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert "-- lmstv: only-if lms lms1117" in dry.stdout  # the view statements, skipped here
    run = lmstv(config)
    assert run.returncode == 0, (run.stdout, run.stderr)
    again = lmstv(config, "--check")
    assert again.returncode == 0, (again.stdout, again.stderr)

    db = connect(lms28_config)
    try:
        after = snapshot(db)
        # every LMS view byte-for-byte what LMS created; no view added or removed
        assert after["views"] == before["views"]
        # LMS's own dbinfo rows untouched; lmstv's version row added
        last = str(load_steps(db.dialect)[-1].version)
        assert after["dbinfo"] == sorted(before["dbinfo"] + [("dbversion_lmstv", last)])
        assert set(after["tables"]) - set(before["tables"]) == LMSTV_TABLES
        added = set(after["columns"]) - set(before["columns"])
        assert {c for c in added if c[0] not in LMSTV_TABLES} == {
            ("customers", "tv_cust_number"), ("customers", "tv_suspend_billing")}
        assert migrate(db, out=lambda _line: None).applied == []
        assert snapshot(db) == after
    finally:
        db.close()

    result = check_database(lambda: connect(lms28_config), SimpleNamespace(database=lms28_config))
    assert result.ok, result


def _lms28_view_script(path, engine: str) -> list[str]:
    """LMS 28's own DROP VIEW / CREATE VIEW statements, as its upgrade scripts replay them."""
    text = path.read_text(encoding="utf-8")
    stmts = re.findall(r"^(?:DROP VIEW IF EXISTS|CREATE (?:OR REPLACE )?VIEW)\b.*?;\s*$", text,
                       flags=re.M | re.S)
    assert any(s.startswith("CREATE") and "contractorview" in s for s in stmts), engine
    return stmts


def test_lms_recreating_its_views_after_migrate_still_works(lms28_config, lms28_schema_files):
    """LMS's own upgrades drop and recreate its views (all select c.*); after lmstv's columns
    are added that still runs, and the views then simply carry the TV columns too."""
    db = connect(lms28_config)
    try:
        migrate(db, out=lambda _line: None)
        names_before = [n for n, _ in snapshot(db)["views"]]
        stmts = _lms28_view_script(lms28_schema_files[db.dialect], db.dialect)
        drops = [f"DROP VIEW IF EXISTS {n}" for n in reversed(names_before)]
        if db.dialect == "postgres":
            drops = [d + " CASCADE" for d in drops]
        for stmt in drops + [s.rstrip().rstrip(";") for s in stmts if s.startswith("CREATE")]:
            db.execute(stmt)
        db.raw.commit()
        assert [n for n, _ in snapshot(db)["views"]] == names_before
        row = db.one("SELECT tv_cust_number, tv_suspend_billing FROM contractorview WHERE 1 = 0")
        assert row is None
    finally:
        db.close()


def test_migrate_refuses_an_unknown_lms_version_and_changes_nothing(lms28_config, tmp_path):
    db = connect(lms28_config)
    try:
        db.execute("UPDATE dbinfo SET keyvalue = '2099010100' WHERE keytype = 'dbversion'")
        db.raw.commit()
        before = snapshot(db)
    finally:
        db.close()
    config = write_config(tmp_path, lms28_config)
    for args in ((), ("--check",), ("--dry-run",)):
        run = lmstv(config, *args)
        assert run.returncode == 3, (args, run.stdout, run.stderr)
        lines = run.stderr.strip().splitlines()
        assert len(lines) == 1, (args, run.stderr)
        assert "2099010100" in lines[0] and "does not know" in lines[0], lines[0]
        assert "CREATE" not in run.stdout and "pending" not in run.stdout, run.stdout
    db = connect(lms28_config)
    try:
        with pytest.raises(MigrationRefused, match="does not know"):
            migrate(db, out=lambda _line: None)
        assert snapshot(db) == before
    finally:
        db.close()


def test_narrow_original_column_on_current_lms_postgres_is_refused(new_lms_database):
    """PostgreSQL cannot widen a column LMS 28's views use, and lmstv never drops them."""
    cfg = new_lms_database("postgres", flavour="lms28")
    db = connect(cfg)
    try:
        db.execute("ALTER TABLE customers ADD COLUMN tv_cust_number varchar(12) NULL")
        db.raw.commit()
        before = snapshot(db)
        with pytest.raises(MigrationRefused, match="narrower than 20"):
            migrate(db, out=lambda _line: None)
        db.raw.rollback()
        assert snapshot(db) == before
    finally:
        db.close()
