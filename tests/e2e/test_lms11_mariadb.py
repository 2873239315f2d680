"""The core flows once on MariaDB: LMS 1.11.17 built from its doc/lms.mysql, log in, the customer
page's TV box, one account action checked in SMS."""

from __future__ import annotations

import pytest

from tests.e2e.conftest import Sms, start_lms
from tests.e2e.ui import log_length, login, php_problems, submit_tv_form

CUSTOMER = 259
CUST_NUMBER = "673100259"


@pytest.fixture(scope="module")
def lms_mysql(tmp_path_factory):
    yield from start_lms(tmp_path_factory, "mysql")


def test_mariadb_login_customer_page_and_lock(browser, lms_mysql) -> None:
    sms = Sms(lms_mysql.sandbox_url)
    since = log_length(lms_mysql)
    page = login(browser, lms_mysql, "admin", f"m=customerinfo&id={CUSTOMER}")
    assert "Konta TV (1)" in page and f"Numer klienta: {CUST_NUMBER}" in page
    assert "Komputery klienta" in page
    acc = sms.custGetSubscriptions(CUST_NUMBER)[0]["account_id"]
    page = submit_tv_form(browser, "account_lock", account_id=acc)
    assert "Wstrzymano" in page
    assert sms.custGetSubscriptions(CUST_NUMBER)[0]["acc_active"] == 0
    assert php_problems(lms_mysql, since) == []
