"""Fixtures of the LMS database area: migrated LMS databases and the original module's table."""

from __future__ import annotations

from pathlib import Path

import pytest

from bridge.lms.migrate import migrate

ROOT_CONFTEST = Path(__file__).resolve().parent.parent / "conftest.py"

# The original JAMBOX module's billing table (API doc §4.1), variant B (with
# tv_suspend_billing); variant A lacks that column.  Test data only: lmstv never creates it.
ORIGINAL_TABLE = {
    "mysql": """CREATE TABLE tv_billingevent (
        id int(11) NOT NULL AUTO_INCREMENT, customerid int(11) NOT NULL,
        account_id int(11) NOT NULL, be_selling_date date NOT NULL, be_desc text NOT NULL,
        be_vat float(5,2) NOT NULL, be_gross float(5,2) NOT NULL, group_id int(11) NOT NULL,
        cust_number varchar(10) NOT NULL, package_id int(11) NOT NULL,
        hash varchar(32) NOT NULL, beid int(11) NOT NULL, be_b2b_netto float(5,2) NULL,
        docid int(11) NULL, {suspend}
        PRIMARY KEY (id), UNIQUE KEY hash (hash)) ENGINE=InnoDB DEFAULT CHARSET=utf8""",
    "postgres": """CREATE TABLE tv_billingevent (
        id serial PRIMARY KEY, customerid integer NOT NULL, account_id integer NOT NULL,
        be_selling_date date NOT NULL, be_desc text NOT NULL, be_vat numeric(5,2) NOT NULL,
        be_gross numeric(5,2) NOT NULL, group_id integer NOT NULL,
        cust_number varchar(10) NOT NULL, package_id integer NOT NULL,
        hash varchar(32) NOT NULL, beid integer NOT NULL, be_b2b_netto numeric(5,2) NULL,
        docid integer NULL {suspend_pg});
        CREATE UNIQUE INDEX hash ON tv_billingevent (hash)""",
}


def create_original_table(db, *, with_suspend: bool = True) -> None:
    sql = ORIGINAL_TABLE[db.dialect]
    if db.dialect == "mysql":
        sql = sql.format(suspend="tv_suspend_billing smallint NOT NULL DEFAULT 0,"
                         if with_suspend else "")
        db.execute(sql)
    else:
        sql = sql.format(suspend_pg=", tv_suspend_billing smallint NOT NULL DEFAULT 0"
                         if with_suspend else "")
        for stmt in sql.split(";"):
            db.execute(stmt)


@pytest.fixture
def migrated_db(lms_db):
    """A fresh LMS 1.11.17 database with lmstv's schema applied."""
    migrate(lms_db, out=lambda _line: None)
    return lms_db


@pytest.fixture
def new_lms_database(request):
    """``make_lms_database`` of the root conftest: call as new_lms_database(dialect, empty=...).

    Taken from the registered root conftest plugin, because a plain ``import conftest`` may
    give another directory's conftest module.
    """
    for plugin in request.config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) and Path(plugin.__file__).resolve() == ROOT_CONFTEST:
            maker = plugin.make_lms_database
            return lambda dialect, empty=False, migrated=False, flavour="lms1117": maker(
                dialect, request, empty=empty, migrated=migrated, flavour=flavour)
    raise RuntimeError("root conftest not loaded")
