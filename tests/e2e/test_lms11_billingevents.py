"""Flow 4 in a real LMS 1.11.17: TV → Lista zdarzeń bilingowych.  Events planted in the sandbox
and imported; the operator filters by dates, SGT report, LMS id, SMS number and "only skipped"
through the form, and the rows and the totals shown are what the LMS database holds."""

from __future__ import annotations

from decimal import Decimal

import pytest
from selenium.webdriver.common.by import By

from tests.e2e.test_lms11_reconcile import add_lms_customer, db_rows, sms_customer, unlink
from tests.e2e.ui import cells, login, text, wait_new_page

LINKED, WAITING = 9201, 9202
REPORT = 209901                      # an SGT report id no other event carries
NOT_LINKED_PL = "klient SMS nie ma uzupełnionego Zewnętrznego ID"


def plant(lms, sms) -> dict[str, object]:
    a = sms_customer(sms, LINKED, "E2E-Fakturowany", services=False)["number"]
    b = sms_customer(sms, WAITING, "E2E-Czekający", services=False)["number"]
    c = sms.custAdd({"cust_name": "Jan", "cust_surname": "E2E-BezID", "cust_m_street": "Długa",
                     "cust_m_home_nr": "5", "cust_m_postal_code": "30-001",
                     "cust_m_city": "Kraków"})
    add_lms_customer(lms, LINKED, "E2E-Fakturowany", tv_cust_number=a)
    add_lms_customer(lms, WAITING, "E2E-Czekający", tv_cust_number=b)
    ev = [(992000001, a, "2025-01-10", "65.00", "31.50"),
          (992000002, a, "2025-01-20", "10.00", "5.00"),
          (992000003, b, "2025-01-10", "29.90", "12.00"),
          (992000004, c, "2025-01-20", "54.90", "26.60")]
    sms.sandbox.addBillingEvents([
        {"id": beid, "cust_number": number, "be_selling_date": day, "be_gross": gross,
         "be_b2b_netto": b2b, "group_id": REPORT, "be_desc": f"E2E zdarzenie {beid}"}
        for beid, number, day, gross, b2b in ev])
    proc = lms.lmstv("billing", "import", "--start-date", "2025-01-01", "--end-date",
                     "2025-01-31", "-q", check=False)
    assert proc.returncode in (0, 3), proc.stdout + proc.stderr
    lms.lmstv("billing", "invoice", "--customer", str(LINKED), "-q")
    return {"a": a, "b": b, "c": c}


def filter_events(browser, **fields: str) -> str:
    """Fill the filter form as the operator would and press "Pokaż"."""
    form = browser.find_element(By.CSS_SELECTOR, "input[name=date_from]").find_element(
        By.XPATH, "ancestor::form")
    for name in ("date_from", "date_to", "group_id", "customerid", "cust_number"):
        box = form.find_element(By.NAME, name)
        box.clear()
        if fields.get(name):
            box.send_keys(fields[name])
    check = form.find_element(By.NAME, "not_invoiced")
    if check.is_selected() != bool(fields.get("not_invoiced")):
        check.click()
    old = browser.find_element(By.TAG_NAME, "html")
    form.find_element(By.CSS_SELECTOR, "input[type=submit][value='Pokaż']").click()
    wait_new_page(browser, old)
    return text(browser)


def shown(browser) -> dict[int, list[str]]:
    """beid -> the row's cells, for the events on the page."""
    out = {}
    for row in cells(browser, browser.find_elements(By.CSS_SELECTOR,
                                                     "table.lmsbox tbody tr.highlight")):
        out[int(row[0])] = row
    return out


def footer(browser) -> tuple[int, Decimal, Decimal]:
    foot = cells(browser, browser.find_elements(By.CSS_SELECTOR, "table.lmsbox tfoot tr"))[0]
    count = int(foot[0].removeprefix("Razem zdarzeń:").strip())
    return count, Decimal(foot[1]), Decimal(foot[2])


def in_db(lms, where: str, params=()) -> tuple[list[int], int, Decimal, Decimal]:
    ids = [r["beid"] for r in db_rows(lms, f"SELECT beid FROM tv_billing_event WHERE {where} "
                                            "ORDER BY beid", params)]
    sums = db_rows(lms, "SELECT COUNT(*) AS n, COALESCE(SUM(be_gross), 0) AS g, "
                        f"COALESCE(SUM(be_b2b_netto), 0) AS b FROM tv_billing_event "
                        f"WHERE {where}", params)[0]
    return ids, int(sums["n"]), Decimal(sums["g"]), Decimal(sums["b"])


@pytest.fixture
def planted(lms, sms):
    yield plant(lms, sms)
    # a sandbox restarted by a later test hands its customer numbers out again
    unlink(lms, LINKED, WAITING)


def test_filters_rows_and_totals_match_the_database(browser, lms, sms, planted) -> None:
    n = planted
    [doc] = db_rows(lms, "SELECT id, fullnumber FROM documents WHERE customerid = %s", [LINKED])
    login(browser, lms, "admin", "m=tvbillingevents")
    month = {"date_from": "2025/01/01", "date_to": "2025/01/31", "group_id": str(REPORT)}
    cases = [
        (month, "group_id = %s", [REPORT],
         [992000001, 992000002, 992000003, 992000004], "159.80", "75.10"),
        ({**month, "customerid": str(LINKED)}, "group_id = %s AND customerid = %s",
         [REPORT, LINKED], [992000001, 992000002], "75.00", "36.50"),
        ({**month, "cust_number": n["b"]}, "group_id = %s AND cust_number = %s",
         [REPORT, n["b"]], [992000003], "29.90", "12.00"),
        ({**month, "date_from": "2025/01/15"},
         "group_id = %s AND be_selling_date >= '2025-01-15'", [REPORT],
         [992000002, 992000004], "64.90", "31.60"),
        ({**month, "not_invoiced": "1"}, "group_id = %s AND docid IS NULL", [REPORT],
         [992000003, 992000004], "84.80", "38.60"),
    ]
    for fields, where, params, beids, gross, b2b in cases:
        page = filter_events(browser, **fields)
        assert "Błąd" not in page, page[:300]
        ids, count, g, b = in_db(lms, where, params)
        assert ids == beids, (fields, ids)         # the planted events, as the database holds
        assert sorted(shown(browser)) == beids, fields
        assert footer(browser) == (count, Decimal(gross), Decimal(b2b)) == (len(beids), g, b)
        # the form keeps what was asked
        assert browser.find_element(By.NAME, "group_id").get_attribute("value") == str(REPORT)

    filter_events(browser, **month)
    rows = shown(browser)
    assert rows[992000001][3] == "E2E zdarzenie 992000001" and rows[992000001][5] == "65.00"
    assert rows[992000001][10] == rows[992000002][10] == doc["fullnumber"]   # invoiced: its number
    assert f"E2E-Fakturowany Jan ({LINKED})".lower() in rows[992000001][8].lower()
    assert rows[992000003][10] == "czeka na fakturę"
    assert rows[992000004][10] == NOT_LINKED_PL and rows[992000004][8] == "-"

    # the preset "skipped at invoicing": every event on no invoice, totals over all of them
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.LINK_TEXT, "[ pominięte przy fakturowaniu ]").click()
    wait_new_page(browser, old)
    _ids, count, g, b = in_db(lms, "docid IS NULL")
    assert footer(browser) == (count, g, b)
    assert browser.find_element(By.NAME, "not_invoiced").is_selected()

    # a wrong date is said in Polish, and nothing is listed
    page = filter_events(browser, date_from="2025/13/01", group_id=str(REPORT))
    assert "Niepoprawna data początkowa" in page and shown(browser) == {}
