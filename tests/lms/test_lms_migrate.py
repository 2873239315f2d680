"""`lmstv migrate` on real LMS 1.11.17 databases (PostgreSQL and MariaDB)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from bridge.lms import dialect
from bridge.lms.bootstrap import split_mysql_script
from bridge.lms.db import connect
from bridge.lms.migrate import (
    FRESH_INSTALL_FILES,
    VERSION_KEY,
    MigrationLocked,
    MigrationRefused,
    load_steps,
    migrate,
    pending_steps,
    sql_dir,
)
from tests.lmsrows import insert_customer

from .conftest import create_original_table

LATEST = max(s.version for s in load_steps("postgres"))
LMS_VIEWS = ("customersview", "contractorview", "nas", "vnodes", "vmacs", "teryt_terc",
             "teryt_simc", "teryt_ulic")
QUIET = {"out": lambda _line: None}


def set_lms_user(db) -> None:
    """What LMS does per request: its views filter on the current LMS user."""
    if db.dialect == "postgres":
        db.execute("SELECT set_config('lms.current_user', '0', false)")
    else:
        db.execute("SET @lms_current_user = 0")


def add_customer(db, lastname="Kowalski", name="Jan", **extra) -> int:
    return insert_customer(db, {"lastname": lastname, "name": name, **extra})


def schema_snapshot(db) -> dict:
    """Columns and indexes of the objects lmstv touches, plus its version."""
    schema = dialect.current_schema_sql(db)
    cols = db.query(
        "SELECT table_name, column_name, data_type, character_maximum_length AS len, "
        "numeric_precision AS prec, numeric_scale AS scale, is_nullable AS nullable "
        f"FROM information_schema.columns WHERE table_schema = {schema} AND table_name IN "
        "('customers', 'tv_billing_event', 'customersview', 'contractorview') "
        "ORDER BY table_name, column_name")
    if db.dialect == "postgres":
        idx = db.query("SELECT tablename AS t, indexname AS i, indexdef AS d FROM pg_indexes "
                       "WHERE schemaname = current_schema() AND tablename IN "
                       "('customers', 'tv_billing_event') ORDER BY 1, 2")
    else:
        idx = db.query("SELECT table_name AS t, index_name AS i, column_name AS c, "
                       "non_unique AS u FROM information_schema.statistics WHERE table_schema "
                       "= DATABASE() AND table_name IN ('customers', 'tv_billing_event') "
                       "ORDER BY 1, 2, 3")
    version = db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = %s", [VERSION_KEY])
    return {"columns": [{k.lower(): v for k, v in r.items()} for r in cols],
            "indexes": [{k.lower(): v for k, v in r.items()} for r in idx], "version": version}


def test_fresh_install_creates_the_agreed_schema(lms_db):
    result = migrate(lms_db, **QUIET)
    assert [s.version for s in result.applied] == [s.version for s in load_steps(lms_db.dialect)]
    assert result.before is None and result.after == LATEST
    assert lms_db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = %s",
                         [VERSION_KEY]) == str(LATEST)

    num = dialect.column_info(lms_db, "customers", "tv_cust_number")
    assert num["char_length"] == 20 and num["is_nullable"] == "YES"
    flag = dialect.column_info(lms_db, "customers", "tv_suspend_billing")
    assert flag["data_type"] == "smallint" and flag["is_nullable"] == "NO"
    expected = {"id", "beid", "customerid", "cust_number", "account_id", "package_id",
                "be_selling_date", "be_desc", "be_vat", "be_gross", "be_b2b_netto", "group_id",
                "docid", "itemid", "tv_suspend_billing", "skip_reason", "imported_at"}
    got = {r["c"] for r in lms_db.query(
        "SELECT column_name AS c FROM information_schema.columns WHERE table_schema = "
        f"{dialect.current_schema_sql(lms_db)} AND table_name = 'tv_billing_event'")}
    assert got == expected
    for index in ("tv_billing_event_selling_date_idx", "tv_billing_event_group_id_idx",
                  "tv_billing_event_customerid_idx", "tv_billing_event_cust_number_idx",
                  "tv_billing_event_docid_idx", "tv_billing_event_beid_key"):
        assert dialect.index_exists(lms_db, "tv_billing_event", index), index
    assert dialect.index_exists(lms_db, "customers", "customers_tv_cust_number_key")
    assert not dialect.table_exists(lms_db, "tv_billingevent_adopted")


def test_lms_views_still_work_and_show_the_new_columns(migrated_db):
    db = migrated_db
    set_lms_user(db)
    private = add_customer(db, tv_cust_number="673041502", tv_suspend_billing=1)
    company = add_customer(db, "Firma Sp. z o.o.", "", type=2, tv_cust_number="673041503")
    row = db.one("SELECT id, tv_cust_number, tv_suspend_billing FROM customersview")
    assert row == {"id": private, "tv_cust_number": "673041502", "tv_suspend_billing": 1}
    row = db.one("SELECT id, tv_cust_number FROM contractorview")
    assert row == {"id": company, "tv_cust_number": "673041503"}
    for view in LMS_VIEWS:
        db.query(f"SELECT * FROM {view} WHERE 1 = 0")  # raises if LMS's view broke


def test_tv_number_is_unique_but_many_customers_may_have_none(migrated_db):
    db = migrated_db
    add_customer(db, tv_cust_number="111222333")
    add_customer(db)
    add_customer(db)  # several NULLs are fine
    with pytest.raises(Exception) as err:
        add_customer(db, "Nowak", tv_cust_number="111222333")
    assert "23505" == getattr(err.value, "pgcode", None) or err.value.args[0] == 1062
    assert db.scalar("SELECT COUNT(*) FROM customers WHERE tv_cust_number = '111222333'") == 1


def test_rerun_changes_nothing(migrated_db):
    before = schema_snapshot(migrated_db)
    result = migrate(migrated_db, **QUIET)
    assert result.applied == [] and result.after == LATEST
    assert schema_snapshot(migrated_db) == before
    assert pending_steps(migrated_db) == []


def test_interrupted_first_step_can_be_rerun(lms_db):
    db = lms_db
    # What an interrupted step 1 leaves behind on MySQL: views dropped, a narrow column added,
    # unique index and second column missing, no version recorded.
    db.execute("DROP VIEW customersview")
    db.execute("ALTER TABLE customers ADD COLUMN tv_cust_number varchar(12) NULL")
    cid = add_customer(db, tv_cust_number=" 673041502 ")
    add_customer(db, tv_cust_number="")
    migrate(db, **QUIET)
    assert dialect.column_info(db, "customers", "tv_cust_number")["char_length"] == 20
    assert dialect.column_info(db, "customers", "tv_suspend_billing") is not None
    set_lms_user(db)
    assert db.query("SELECT id, tv_cust_number FROM customersview WHERE tv_cust_number "
                    "IS NOT NULL") == [{"id": cid, "tv_cust_number": "673041502"}]


def test_interrupted_table_step_can_be_rerun(lms_db):
    db = lms_db
    steps = load_steps(db.dialect)
    # Step 1 complete, step 2 half done: the table exists but not all of its indexes.
    from bridge.lms.migrate import apply_step
    apply_step(db, steps[0])
    db.execute(steps[1].statements[0].sql)
    if db.dialect == "postgres":
        db.execute(steps[1].statements[1].sql)
    migrate(db, **QUIET)
    assert dialect.index_exists(db, "tv_billing_event", "tv_billing_event_docid_idx")
    assert db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = %s", [VERSION_KEY]) \
        == str(LATEST)


def test_duplicate_links_are_refused_and_nothing_is_half_done(lms_db):
    db = lms_db
    db.execute("ALTER TABLE customers ADD COLUMN tv_cust_number varchar(12) NULL")
    first = add_customer(db, tv_cust_number="555")
    second = add_customer(db, "Nowak", tv_cust_number="555")
    with pytest.raises(MigrationRefused) as err:
        migrate(db, **QUIET)
    text = str(err.value)
    assert "same SMS customer number" in text and f"first_id={first}" in text
    assert f"last_id={second}" in text
    assert db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = %s", [VERSION_KEY]) is None
    if db.dialect == "postgres":  # one transaction: the view drop was rolled back too
        assert dialect.view_exists(db, "customersview")
    db.execute("UPDATE customers SET tv_cust_number = NULL WHERE id = %s", [second])
    migrate(db, **QUIET)
    assert dialect.view_exists(db, "customersview")
    assert not pending_steps(db)


SAMPLE_ROWS = [
    # id, customerid, account, date, desc, vat, gross, group, cust_number, package, beid,
    # b2b, docid, suspend
    (7, 1, 10, "2015-06-01", "Pakiet Podstawowy – czerwiec", 0.23, 19.99, 3, "673041502", 5,
     90001, 12.5, 55, 0),
    (8, 0, 11, "2015-06-02", "Canal+ Prestiż (żółć)", 0.23, 0.01, 0, "673041503", 6,
     90002, None, 0, 1),
    (9, 2, 12, "2015-06-03", "HBO", 0.08, 999.99, 4, "673041504", 7, 90003, 0.1, None, 0),
    (10, 2, 12, "2015-06-04", "Zwrot", 0.23, -5.5, 4, "673041504", 7, 90004, None, -1, 0),
]


def _insert_original_rows(db, with_suspend: bool) -> None:
    cols = ("id, customerid, account_id, be_selling_date, be_desc, be_vat, be_gross, group_id, "
            "cust_number, package_id, beid, be_b2b_netto, docid, hash")
    for row in SAMPLE_ROWS:
        values = list(row[:13]) + [f"hash{row[10]}"]
        extra_col, extra = ("", [])
        if with_suspend:
            extra_col, extra = (", tv_suspend_billing", [row[13]])
        marks = ", ".join(["%s"] * (len(values) + len(extra)))
        db.execute(f"INSERT INTO tv_billingevent ({cols}{extra_col}) VALUES ({marks})",
                   values + extra)


@pytest.mark.parametrize("with_suspend", [True, False], ids=["module-B", "module-A"])
def test_adopts_the_original_module_table(lms_db, with_suspend):
    db = lms_db
    # The original module's customers column was narrower.
    db.execute("ALTER TABLE customers ADD COLUMN tv_cust_number varchar(9) NULL")
    add_customer(db, tv_cust_number="673041502")
    create_original_table(db, with_suspend=with_suspend)
    _insert_original_rows(db, with_suspend)

    migrate(db, **QUIET)

    assert not dialect.table_exists(db, "tv_billingevent")
    assert db.scalar("SELECT COUNT(*) FROM tv_billingevent_adopted") == len(SAMPLE_ROWS)
    rows = {r["beid"]: r for r in db.query("SELECT * FROM tv_billing_event")}
    assert set(rows) == {90001, 90002, 90003, 90004}
    first = rows[90001]
    assert first["id"] == 7 and first["customerid"] == 1 and first["docid"] == 55
    assert first["be_gross"] == Decimal("19.99") and str(first["be_vat"]) == "0.2300"
    assert first["be_b2b_netto"] == Decimal("12.50")
    assert first["be_selling_date"] == dt.date(2015, 6, 1)
    assert first["be_desc"] == "Pakiet Podstawowy – czerwiec"
    assert first["cust_number"] == "673041502" and first["account_id"] == 10
    assert first["package_id"] == 5 and first["group_id"] == 3 and first["itemid"] is None
    second = rows[90002]
    assert second["customerid"] is None and second["docid"] is None
    assert second["be_gross"] == Decimal("0.01") and second["be_b2b_netto"] is None
    assert second["be_desc"] == "Canal+ Prestiż (żółć)"
    assert second["tv_suspend_billing"] == (1 if with_suspend else 0)
    third = rows[90003]
    assert third["be_gross"] == Decimal("999.99") and str(third["be_vat"]) == "0.0800"
    assert third["docid"] is None and third["be_b2b_netto"] == Decimal("0.10")
    assert rows[90004]["docid"] is None and rows[90004]["be_gross"] == Decimal("-5.50")
    assert all(r["imported_at"] > 0 for r in rows.values())
    # New rows continue after the adopted ids.
    new_id = db.insert_id(
        "INSERT INTO tv_billing_event (beid, cust_number, be_selling_date, be_desc, be_vat, "
        "be_gross) VALUES (%s, %s, %s, %s, %s, %s)",
        [90005, "673041502", "2015-07-01", "x", Decimal("0.23"), Decimal("1.00")],
        "tv_billing_event")
    assert new_id > 10
    assert dialect.column_info(db, "customers", "tv_cust_number")["char_length"] == 20
    assert db.scalar("SELECT tv_cust_number FROM customers") == "673041502"


def test_interrupted_adoption_is_completed_without_duplicates(lms_db):
    db = lms_db
    create_original_table(db)
    _insert_original_rows(db, True)
    steps = load_steps(db.dialect)
    from bridge.lms.migrate import apply_step
    apply_step(db, steps[0])
    apply_step(db, steps[1])
    # Half a copy: one row arrived before the interruption.
    db.execute("INSERT INTO tv_billing_event (id, beid, customerid, docid, cust_number, "
               "be_selling_date, be_desc, be_vat, be_gross) VALUES (7, 90001, 1, 55, "
               "'673041502', '2015-06-01', 'x', 0.23, 19.99)")
    migrate(db, **QUIET)
    assert db.scalar("SELECT COUNT(*) FROM tv_billing_event") == len(SAMPLE_ROWS)
    assert db.scalar("SELECT COUNT(DISTINCT beid) FROM tv_billing_event") == len(SAMPLE_ROWS)
    assert dialect.table_exists(db, "tv_billingevent_adopted")


def test_damaged_copy_keeps_the_old_table(lms_db):
    db = lms_db
    create_original_table(db)
    _insert_original_rows(db, True)
    steps = load_steps(db.dialect)
    from bridge.lms.migrate import apply_step
    apply_step(db, steps[0])
    apply_step(db, steps[1])
    # A row already present under the same event id but with another amount.
    db.execute("INSERT INTO tv_billing_event (beid, cust_number, be_selling_date, be_desc, "
               "be_vat, be_gross) VALUES (90003, '673041504', '2015-06-03', 'HBO', 0.08, 1.00)")
    with pytest.raises(MigrationRefused) as err:
        migrate(db, **QUIET)
    assert "did not arrive intact" in str(err.value) and "beid=90003" in str(err.value)
    assert dialect.table_exists(db, "tv_billingevent")
    assert db.scalar("SELECT COUNT(*) FROM tv_billingevent") == len(SAMPLE_ROWS)


def test_refuses_a_database_that_is_not_lms(dialect, new_lms_database):
    cfg = new_lms_database(dialect, empty=True)
    db = connect(cfg)
    try:
        with pytest.raises(MigrationRefused, match="is not an LMS database"):
            migrate(db, **QUIET)
        db.execute("CREATE TABLE customers (id integer)")
        db.execute("CREATE TABLE dbinfo (keytype varchar(255), keyvalue varchar(255))")
        with pytest.raises(MigrationRefused, match="no 'dbversion'"):
            migrate(db, **QUIET)
        assert not dialect_table_exists(db, "tv_billing_event")
    finally:
        db.close()


def dialect_table_exists(db, name):
    # the test's parameter `dialect` shadows the module in the test above
    return dialect.table_exists(db, name)


def test_refuses_lms_older_than_1_11_17(lms_db):
    lms_db.execute("UPDATE dbinfo SET keyvalue = '2014103000' WHERE keytype = 'dbversion'")
    with pytest.raises(MigrationRefused, match="older than LMS 1.11.17"):
        migrate(lms_db, **QUIET)
    assert dialect.column_info(lms_db, "customers", "tv_cust_number") is None


def test_check_and_dry_run_change_nothing(lms_db):
    lines: list[str] = []
    result = migrate(lms_db, check_only=True, out=lines.append)
    assert len(result.pending) == len(load_steps(lms_db.dialect))
    assert lines == [f"pending: {s.label}" for s in result.pending]
    lines.clear()
    migrate(lms_db, dry_run=True, out=lines.append)
    text = "\n".join(lines)
    assert "CREATE TABLE IF NOT EXISTS tv_billing_event" in text
    assert "-- lmstv: skip-if column customers.tv_cust_number" in text
    assert dialect.column_info(lms_db, "customers", "tv_cust_number") is None
    assert not dialect.table_exists(lms_db, "tv_billing_event")


def test_a_second_concurrent_run_is_refused(lms_db, lms_db_config):
    other = connect(lms_db_config)
    try:
        assert dialect.advisory_lock(other, "migrate", 0)
        with pytest.raises(MigrationLocked):
            migrate(lms_db, **QUIET)
        assert dialect.column_info(lms_db, "customers", "tv_cust_number") is None
    finally:
        other.close()


def _apply_by_hand(db, path) -> None:
    """Apply a plain SQL file the way an operator would (comments are just comments)."""
    text = path.read_text(encoding="utf-8")
    if db.dialect == "postgres":
        db.raw.autocommit = True
        with db.raw.cursor() as cur:
            cur.execute(text)
        db.raw.autocommit = False
    else:
        for stmt in split_mysql_script(text):
            db.execute(stmt)


def test_fresh_install_file_matches_the_migrations(dialect, new_lms_database):
    by_hand = connect(new_lms_database(dialect))
    by_tool = connect(new_lms_database(dialect))
    try:
        _apply_by_hand(by_hand, sql_dir() / FRESH_INSTALL_FILES[dialect])
        migrate(by_tool, **QUIET)
        assert schema_snapshot(by_hand) == schema_snapshot(by_tool)
        assert migrate(by_hand, **QUIET).applied == []
    finally:
        by_hand.close()
        by_tool.close()


def test_polish_text_round_trips(migrated_db):
    db = migrated_db
    text = "Zażółć gęślą jaźń – ZAŻÓŁĆ GĘŚLĄ JAŹŃ"
    cid = add_customer(db, text, "Łukasz", address="ul. Źródlana 5/2", city="Łódź")
    row = db.one("SELECT lastname, name, address, city FROM customers WHERE id = %s", [cid])
    assert row == {"lastname": text, "name": "Łukasz", "address": "ul. Źródlana 5/2",
                   "city": "Łódź"}
    db.execute("INSERT INTO tv_billing_event (beid, cust_number, be_selling_date, be_desc, "
               "be_vat, be_gross) VALUES (1, '1', '2024-01-01', %s, 0.23, 10)", [text])
    assert db.scalar("SELECT be_desc FROM tv_billing_event WHERE beid = 1") == text
    assert db.scalar(f"SELECT COUNT(*) FROM tv_billing_event WHERE be_desc "
                     f"{dialect.ilike(db)} %s", ["%gęślą%"]) == 1


def test_polish_text_round_trips_in_utf8mb4_tables(migrated_db):
    db = migrated_db
    if db.dialect == "mysql":
        for table in ("customers", "tv_billing_event"):
            db.execute(f"ALTER TABLE {table} CONVERT TO CHARACTER SET utf8mb4 "
                       "COLLATE utf8mb4_polish_ci")
        assert db.scalar("SELECT table_collation FROM information_schema.tables WHERE "
                         "table_schema = DATABASE() AND table_name = 'customers'") \
            == "utf8mb4_polish_ci"
    text = "Świętokrzyska Łąka – Gżegżółka"
    cid = add_customer(db, text, "Źdźbło", tv_cust_number="900000001")
    assert db.one("SELECT lastname, name FROM customers WHERE tv_cust_number = %s",
                  ["900000001"]) == {"lastname": text, "name": "Źdźbło"}
    assert db.scalar(f"SELECT id FROM customers WHERE lastname {dialect.ilike(db)} %s",
                     ["świętokrzyska ł%"]) == cid
