"""The per-test database reuse of tests/templates.py: a database a test changed is, after
``reset``, exactly what a fresh clone of the template is (same pg_dump / mysqldump output:
schema, rows in scan order, sequence and AUTO_INCREMENT values), and a database whose schema a
test changed is refused (the fixture then drops it)."""

from __future__ import annotations

from dataclasses import replace

import pytest

from bridge.lms.bootstrap import drop_database
from bridge.lms.db import connect
from tests.support import add_lms_customer, server_config, unique_name
from tests.templates import Template, clone, dump, reset


@pytest.fixture
def template(request: pytest.FixtureRequest, dialect: str) -> Template:
    from tests.conftest import _template

    return _template(request, dialect, True)


@pytest.fixture
def fresh(template: Template, request: pytest.FixtureRequest):
    """A clone of the migrated template of its own (not from the fixtures' pool)."""

    def make():
        cfg = replace(server_config(template.cfg.dialect), database=unique_name("lmstv_t"))
        clone(template, cfg)
        request.addfinalizer(lambda: drop_database(cfg))
        return cfg

    return make


def test_a_reset_database_dumps_as_a_fresh_clone(template: Template, fresh) -> None:
    used, pristine = fresh(), fresh()
    db = connect(used)
    try:
        for n in range(3):
            add_lms_customer(db, lastname=f"Nowak{n}")
        db.execute("DELETE FROM customers WHERE lastname = 'Nowak1'")
        db.execute("INSERT INTO tv_billing_event (beid, cust_number, be_selling_date, be_desc, "
                   "be_vat, be_gross) VALUES (1, '100000001', '2024-03-01', 'Start', 0.23, "
                   "29.99)")
        # A seeded table: a row changed, one added, one removed.
        assert any("uiconfig" in name for name in template.plan.seeds)
        db.execute("UPDATE uiconfig SET value = 'changed' WHERE id = (SELECT m FROM "
                   "(SELECT MIN(id) AS m FROM uiconfig) x)")
        db.execute("INSERT INTO uiconfig (section, var, value, description, disabled) "
                   "VALUES ('lmstv', 'extra', '1', '', 0)")
        db.execute("DELETE FROM uiconfig WHERE id = (SELECT m FROM (SELECT MAX(id) AS m "
                   "FROM uiconfig WHERE section <> 'lmstv') x)")
    finally:
        db.close()
    assert dump(used) != dump(pristine)
    assert reset(template, template.plan, used)
    assert dump(used) == dump(pristine)


# One change of each kind the fingerprint reads (on MariaDB a digest of information_schema:
# indexes, columns, a column's default, tables, views, comments).
SCHEMA_CHANGES = {
    "index": "CREATE INDEX lmstv_test_extra ON customers (city)",
    "column type": "ALTER TABLE taxes ALTER COLUMN label TYPE varchar(17)",
    "new column": "ALTER TABLE customers ADD COLUMN lmstv_extra integer",
    "default": "ALTER TABLE customers ALTER COLUMN city SET DEFAULT 'x'",
    "table": "CREATE TABLE lmstv_extra (id integer)",
    "view": "CREATE VIEW lmstv_extra_view AS SELECT id FROM customers",
}
MARIADB = {"column type": "ALTER TABLE taxes MODIFY label varchar(17) NOT NULL DEFAULT ''"}


@pytest.mark.parametrize("change", SCHEMA_CHANGES)
def test_a_database_whose_schema_changed_is_not_reused(template: Template, fresh,
                                                       change: str) -> None:
    used = fresh()
    db = connect(used)
    try:
        sql = SCHEMA_CHANGES[change]
        db.execute(MARIADB.get(change, sql) if db.dialect == "mysql" else sql)
    finally:
        db.close()
    assert not reset(template, template.plan, used)
