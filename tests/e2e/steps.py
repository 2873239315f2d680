"""Operator steps the LMS 1.11.17 and the current-LMS (28-git) browser tests both take, each with
the checks in the page and in SMS that make it a step: page, sort and search SMS's customer
list, lock and unlock a TV account, register and remove an STB on TV → Lista STB, send a TV
message and delete it from the customer page, plant hostile strings in SMS data, lock and
unlock a customer group (Akcje grupowe), split a subnet, plant billing events and filter them.
The screens are the same in both LMS versions (the shim's); only the look differs, so nothing
here depends on how a button is drawn."""

from __future__ import annotations

import ipaddress
from datetime import date, timedelta
from decimal import Decimal

from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as ec
from selenium.webdriver.support.ui import Select, WebDriverWait

from bridge.lms.db import connect
from tests.e2e.ui import (
    cells,
    login,
    open_module,
    post,
    submit_tv_form,
    text,
    token,
    tv_form,
    wait_new_page,
)
from tests.sandbox.sandbox_helpers import ADDRESS, INSTALL

IMG = '<img src=x id=xssimg onerror="window.__xss=1;alert(1)">'
SCRIPT = '"><script id=xssscript>window.__xss=2;alert(2)</script>'


def db_rows(stack, sql: str, params=()) -> list[dict]:
    db = connect(stack.db)
    try:
        return db.query(sql, list(params))
    finally:
        db.close()


def sms_customer(sms, cid: int, surname: str, *, services: bool) -> dict:
    number = sms.custAdd({"cust_name": "Jan", "cust_surname": surname, **ADDRESS,
                          "cust_external_id": cid})
    out = {"number": number, "account": None, "order": None}
    if services:
        acc = sms.accountAdd(number, INSTALL)
        sms.packagesEntitle(acc, [101], sms.sandbox.getToday())
        sub = sms.custGetSubscriptions(number)[0]["subscriptions"][0]
        out.update(account=acc, order=sub["cust_order_id"])
    return out


def unlink(stack, *ids: int) -> None:
    """Clear the test customers' SMS numbers: a sandbox restarted by a later test (its demo
    seed again) hands the same numbers out to other customers."""
    db = connect(stack.db)
    try:
        db.execute(f"UPDATE customers SET tv_cust_number = NULL WHERE id IN "
                   f"({', '.join(['%s'] * len(ids))})", list(ids))
    finally:
        db.close()


def customer_list_pages(browser, stack, sms) -> None:
    """TV → Lista klientów: one page of SMS's customers (not all), page 2 without them, the
    highest number first when sorted descending, a customer found by surname."""
    page = open_module(browser, stack, "m=tvcustomers")
    assert "Lista klientów w SMS" in page
    customers = sms.custList("")
    first = [c["cust_number"] for c in customers if c["cust_number"] in page]
    assert 5 <= len(first) < len(customers), "a page of customers, not all of them"
    page2 = open_module(browser, stack, "m=tvcustomers&page=2")
    assert not set(first) & {c["cust_number"] for c in customers if c["cust_number"] in page2}
    desc = open_module(browser, stack, "m=tvcustomers&sort=cust_number&order=desc")
    numbers = sorted(c["cust_number"] for c in customers)
    assert numbers[-1] in desc and numbers[0] not in desc
    who = customers[10]
    found = open_module(browser, stack, f"m=tvcustomers&q={who['cust_surname']}")
    assert who["cust_number"] in found


def lock_and_unlock(browser, sms, number: str, account_id: int) -> None:
    """"Wstrzymaj usługi", then "Wznów usługi" of a TV account on the open customer page; SMS's
    account inactive, then active again."""
    page = submit_tv_form(browser, "account_lock", account_id=account_id)
    assert "Wstrzymano usługi na koncie." in page
    assert sms.custGetSubscriptions(number)[0]["acc_active"] == 0
    page = submit_tv_form(browser, "account_unlock", account_id=account_id)
    assert "Wznowiono usługi na koncie." in page
    assert sms.custGetSubscriptions(number)[0]["acc_active"] == 1


def register_stb(browser, stack, sms, mac: str, serial: str) -> str:
    """Register an STB of the first offered model into stock on TV → Lista STB; returns the
    model after checking the notice and SMS's stock."""
    open_module(browser, stack, "m=tvstblist")
    form = tv_form(browser, "stb_register")
    assert form is not None, "no form to register an STB"
    model = form.find_element(By.CSS_SELECTOR, "select[name=stb_model] option").get_attribute(
        "value")
    page = submit_tv_form(browser, "stb_register",
                          {"stb_mac": mac, "stb_serial": serial, "stb_model": model})
    assert f"Dodano STB {mac} do magazynu." in page
    [stb] = [s for s in sms.stbGetRegistered("stock") if s["stb_mac"] == mac]
    assert (stb["stb_serial"], stb["stb_model"]) == (serial, model)
    return model


def remove_stb(browser, stack, sms, mac: str) -> None:
    """"Usuń z bazy" of a stock STB (the list's own POST with the session's token); gone from
    SMS afterwards."""
    page = post(browser, stack, "m=tvstblist&mode=stock",
                {"lmstv_token": token(browser), "tvaction": "stb_remove", "stb_mac": mac})
    assert f"Usunięto STB {mac} z bazy." in page
    assert [s for s in sms.stbGetRegistered("") if s["stb_mac"] == mac] == []


def send_message(browser, stack, sms, cid: int, number: str, body: str,
                 extended: str) -> dict:
    """Compose a TV message to one customer (?m=tvmessagessend, valid a week from today) and
    press its submit button; returns the message as SMS lists it."""
    before = {m["id"] for m in sms.meldingerList(number)}
    open_module(browser, stack, f"m=tvmessagessend&customerid={cid}")
    form = browser.find_element(By.CSS_SELECTOR, "form[action*='m=tvmessagessend']")
    today = date.today()
    week = today + timedelta(days=7)
    fields = {"msg_body": body, "msg_body_extended": extended,
              "msg_teaser_valid_from": f"{today:%Y/%m/%d}",
              "msg_teaser_valid_to": f"{week:%Y/%m/%d}",
              "msg_valid_from": f"{today:%Y/%m/%d}", "msg_valid_to": f"{week:%Y/%m/%d}",
              "msg_show_priority": "0"}
    for name, value in fields.items():
        browser.execute_script("arguments[0].elements[arguments[1]].value = arguments[2];",
                               form, name, value)
    old = browser.find_element(By.TAG_NAME, "html")
    form.find_element(By.CSS_SELECTOR, "[type=submit]").click()
    wait_new_page(browser, old)
    assert "Wysłano wiadomości: 1." in text(browser)
    [msg] = [m for m in sms.meldingerList(number) if m["id"] not in before]
    assert msg["msg_body"] == body
    return msg


def delete_message(browser, sms, number: str, message_id: int) -> str:
    """"Usuń" of one message in the customer page's TV messages box (the page must be open);
    returns the page after checking the notice and SMS."""
    page = submit_tv_form(browser, "msg_del", message_id=message_id)
    assert "Usunięto wiadomość." in page
    assert message_id not in {m["id"] for m in sms.meldingerList(number)}
    return page


def plant_hostile(stack, sms, number: str, account_id: int, event_id: int) -> None:
    """Hostile strings in an SMS customer's names and street, its account's street, a message
    and a billing event (imported into LMS with `lmstv billing import`)."""
    sms.custEdit(number, {"cust_surname": IMG, "cust_name": SCRIPT, "cust_m_street": IMG})
    sms.accountEdit(account_id, {"cust_i_street": SCRIPT})
    today = sms.sandbox.getToday()
    sms.meldingerSend(number, IMG, today, today, SCRIPT, today, today, 2, 1)
    sms.sandbox.addBillingEvents([{"id": event_id, "cust_number": number,
                                   "be_selling_date": today, "be_gross": "12.30",
                                   "be_desc": IMG}])
    stack.lmstv("billing", "import", "--start-date", today, "--end-date", today)


def bulk_lock_and_unlock(browser, stack, sms, group: str, number: str) -> None:
    """TV → Akcje grupowe for ``group`` (two LMS customers, one of them linked to SMS as
    ``number`` with one account): "Wstrzymaj usługi", then "Wznów usługi" — each picked in the
    form, previewed (nothing changes in SMS), then confirmed."""
    for action, label, active in (("lock", "Wstrzymaj usługi", 0),
                                  ("unlock", "Wznów usługi", 1)):
        open_module(browser, stack, "m=tvbulk")
        form = browser.find_element(By.CSS_SELECTOR, "form[method=get]:has(select[name=group])")
        groups = Select(form.find_element(By.NAME, "group"))
        assert f"{group} (klienci: 2, w SMS: 1)" in [o.text for o in groups.options]
        groups.select_by_value(group)
        Select(form.find_element(By.NAME, "tvbulkaction")).select_by_value(action)
        old = browser.find_element(By.TAG_NAME, "html")
        form.find_element(By.CSS_SELECTOR, "[type=submit]").click()
        wait_new_page(browser, old)
        page = text(browser)
        assert f"Grupa „{group}” — klienci: 2, powiązani z SMS: 1" in page, page[:600]
        assert "brak — pominięty" in page
        assert sms.custGetSubscriptions(number)[0]["acc_active"] == 1 - active  # preview only
        confirm = browser.find_element(By.CSS_SELECTOR, "form[method=post][action='?m=tvbulk']")
        old = browser.find_element(By.TAG_NAME, "html")
        confirm.find_element(By.CSS_SELECTOR, "[type=submit]").click()
        wait_new_page(browser, old)
        page = text(browser)
        assert "Zmieniono: 1, pominięto: 1, błędy: 0." in page, (label, page[:600])
        assert sms.custGetSubscriptions(number)[0]["acc_active"] == active


def subnets_listed(browser) -> dict[str, tuple[str, str, str]]:
    """TV → Podsieci: subnet name -> (id, IP, mask) as the list shows them."""
    out = {}
    for sid, name, net, mask, _fn in cells(browser, browser.find_elements(
            By.CSS_SELECTOR, "table.lmsbox tbody tr.highlight")):
        out[name] = (sid, net, mask)
    return out


def split_in_browser(browser, subnet_id: int, name1: str, name2: str) -> str:
    row = browser.find_element(By.XPATH, f"//tr[td[1][normalize-space()='{subnet_id}']]")
    form_row = browser.find_element(By.ID, f"tvsplit{subnet_id}")
    if not form_row.is_displayed():      # "Podziel" opens (or closes) the split form
        row.find_element(By.PARTIAL_LINK_TEXT, "Podziel").click()
    WebDriverWait(browser, 10).until(lambda _d: form_row.is_displayed())
    for field, value in (("name1", name1), ("name2", name2)):
        box = form_row.find_element(By.NAME, field)
        box.clear()
        box.send_keys(value)
    old = browser.find_element(By.TAG_NAME, "html")
    form_row.find_element(By.CSS_SELECTOR, "[type=submit]").click()  # "OK"
    WebDriverWait(browser, 10).until(ec.alert_is_present())
    assert browser.switch_to.alert.text == "Czy na pewno podzielić tę podsieć?"
    browser.switch_to.alert.accept()
    wait_new_page(browser, old)
    return text(browser)


def split_subnet(browser, stack, sms) -> None:
    """TV → Podsieci: the subnet holding the most issued STBs is split in the browser ("Podziel",
    two names, OK, confirm) — first refused (the same name twice: the page says why, SMS is not
    asked), then done: the page and SMS show the two halves, the STBs are in the halves."""
    before = {n["subnet_id"]: n for n in sms.subnetList()}
    # the subnet holding the most issued STBs (still big enough to halve)
    stbs = sms.stbGetRegistered("customer")
    target = max((n for n in before.values()
                  if ipaddress.IPv4Network(f"{n['subnet_net']}/{n['subnet_mask']}").prefixlen
                  < 30),
                 key=lambda n: sum(s["subnet_id"] == n["subnet_id"] for s in stbs))
    sid = target["subnet_id"]
    moved = {s["stb_mac"]: s["stb_ip"] for s in stbs if s["subnet_id"] == sid}
    net = ipaddress.IPv4Network(f"{target['subnet_net']}/{target['subnet_mask']}")
    halves = list(net.subnets(prefixlen_diff=1))

    login(browser, stack, "admin", "m=tvsubnetlist")
    assert subnets_listed(browser)[target["subnet_name"]] == (
        str(sid), target["subnet_net"], target["subnet_mask"])
    # refused (checked before SMS is asked): the page says why, nothing changes
    calls = len(sms.sandbox.getCalls(1000))
    page = split_in_browser(browser, sid, "E2E-Sieć", "E2E-Sieć")
    assert "Nazwy obu części muszą się różnić." in page
    assert "subnetSplit" not in [c["method"] for c in sms.sandbox.getCalls(1000)[calls:]]
    assert {n["subnet_id"] for n in sms.subnetList()} == set(before)
    assert browser.find_element(By.ID, f"tvsplit{sid}").is_displayed()  # form kept open

    page = split_in_browser(browser, sid, "E2E-Północ", "E2E-Południe")
    assert "Podzielono podsieć na E2E-Północ i E2E-Południe." in page
    after = {n["subnet_name"]: n for n in sms.subnetList()}
    assert sid not in {n["subnet_id"] for n in after.values()}
    assert len(after) == len(before) + 1
    north, south = after["E2E-Północ"], after["E2E-Południe"]
    assert (north["subnet_net"], north["subnet_mask"]) == (str(halves[0].network_address),
                                                           str(halves[0].netmask))
    assert (south["subnet_net"], south["subnet_mask"]) == (str(halves[1].network_address),
                                                           str(halves[1].netmask))
    shown = subnets_listed(browser)
    assert target["subnet_name"] not in shown
    assert shown["E2E-Północ"] == (str(north["subnet_id"]), north["subnet_net"],
                                   north["subnet_mask"])
    assert shown["E2E-Południe"] == (str(south["subnet_id"]), south["subnet_net"],
                                     south["subnet_mask"])
    assert f"Razem: {len(after)}" in page
    # the STBs of the old subnet are in the half holding their address
    now = {s["stb_mac"]: s for s in sms.stbGetRegistered("customer")}
    for mac, ip in moved.items():
        half = north if ipaddress.IPv4Address(ip) in halves[0] else south
        assert now[mac]["subnet_id"] == half["subnet_id"], mac


# -- TV → Lista zdarzeń bilingowych ---------------------------------------------------------------

EVENTS_REPORT = 209901                      # an SGT report id no other event carries
NOT_LINKED_PL = "klient SMS nie ma uzupełnionego Zewnętrznego ID"


def plant_billing_events(stack, sms, linked: int, waiting: int) -> dict[str, str]:
    """Four events of report EVENTS_REPORT in January 2025: two of LMS customer ``linked``
    (then invoiced), one of ``waiting`` (not invoiced), one of an SMS customer with no external
    id; imported and invoiced with lmstv.  Both LMS customers exist, not linked yet.  Returns
    the SMS numbers (a, b, c)."""
    a = sms_customer(sms, linked, "E2E-Fakturowany", services=False)["number"]
    b = sms_customer(sms, waiting, "E2E-Czekający", services=False)["number"]
    c = sms.custAdd({"cust_name": "Jan", "cust_surname": "E2E-BezID", "cust_m_street": "Długa",
                     "cust_m_home_nr": "5", "cust_m_postal_code": "30-001",
                     "cust_m_city": "Kraków"})
    db = connect(stack.db)
    try:
        for cid, number in ((linked, a), (waiting, b)):
            db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = %s", [number, cid])
    finally:
        db.close()
    ev = [(992000001, a, "2025-01-10", "65.00", "31.50"),
          (992000002, a, "2025-01-20", "10.00", "5.00"),
          (992000003, b, "2025-01-10", "29.90", "12.00"),
          (992000004, c, "2025-01-20", "54.90", "26.60")]
    sms.sandbox.addBillingEvents([
        {"id": beid, "cust_number": number, "be_selling_date": day, "be_gross": gross,
         "be_b2b_netto": b2b, "group_id": EVENTS_REPORT, "be_desc": f"E2E zdarzenie {beid}"}
        for beid, number, day, gross, b2b in ev])
    proc = stack.lmstv("billing", "import", "--start-date", "2025-01-01", "--end-date",
                       "2025-01-31", "-q", check=False)
    assert proc.returncode in (0, 3), proc.stdout + proc.stderr
    stack.lmstv("billing", "invoice", "--customer", str(linked), "-q")
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
    form.find_element(By.CSS_SELECTOR, "[type=submit]").click()  # "Pokaż"
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


def in_db(stack, where: str, params=()) -> tuple[list[int], int, Decimal, Decimal]:
    ids = [r["beid"] for r in db_rows(stack, f"SELECT beid FROM tv_billing_event WHERE {where} "
                                            "ORDER BY beid", params)]
    sums = db_rows(stack, "SELECT COUNT(*) AS n, COALESCE(SUM(be_gross), 0) AS g, "
                        f"COALESCE(SUM(be_b2b_netto), 0) AS b FROM tv_billing_event "
                        f"WHERE {where}", params)[0]
    return ids, int(sums["n"]), Decimal(sums["g"]), Decimal(sums["b"])


def billing_events_filters(browser, stack, n: dict[str, str], linked: int,
                           linked_name: str) -> None:
    """TV → Lista zdarzeń bilingowych over plant_billing_events' events: the operator filters
    by dates, SGT report, LMS id, SMS number and "only skipped" through the form, and the rows
    and the totals shown are what the LMS database holds; a wrong date is said in Polish."""
    [doc] = db_rows(stack, "SELECT id, fullnumber FROM documents WHERE customerid = %s", [linked])
    login(browser, stack, "admin", "m=tvbillingevents")
    month = {"date_from": "2025/01/01", "date_to": "2025/01/31",
             "group_id": str(EVENTS_REPORT)}
    cases = [
        (month, "group_id = %s", [EVENTS_REPORT],
         [992000001, 992000002, 992000003, 992000004], "159.80", "75.10"),
        ({**month, "customerid": str(linked)}, "group_id = %s AND customerid = %s",
         [EVENTS_REPORT, linked], [992000001, 992000002], "75.00", "36.50"),
        ({**month, "cust_number": n["b"]}, "group_id = %s AND cust_number = %s",
         [EVENTS_REPORT, n["b"]], [992000003], "29.90", "12.00"),
        ({**month, "date_from": "2025/01/15"},
         "group_id = %s AND be_selling_date >= '2025-01-15'", [EVENTS_REPORT],
         [992000002, 992000004], "64.90", "31.60"),
        ({**month, "not_invoiced": "1"}, "group_id = %s AND docid IS NULL", [EVENTS_REPORT],
         [992000003, 992000004], "84.80", "38.60"),
    ]
    for fields, where, params, beids, gross, b2b in cases:
        page = filter_events(browser, **fields)
        assert "Błąd" not in page, page[:300]
        ids, count, g, b = in_db(stack, where, params)
        assert ids == beids, (fields, ids)         # the planted events, as the database holds
        assert sorted(shown(browser)) == beids, fields
        assert footer(browser) == (count, Decimal(gross), Decimal(b2b)) == (len(beids), g, b)
        # the form keeps what was asked
        assert browser.find_element(By.NAME, "group_id").get_attribute("value") == \
            str(EVENTS_REPORT)

    filter_events(browser, **month)
    rows = shown(browser)
    assert rows[992000001][3] == "E2E zdarzenie 992000001" and rows[992000001][5] == "65.00"
    assert rows[992000001][10] == rows[992000002][10] == doc["fullnumber"]   # invoiced: its number
    assert f"{linked_name} ({linked})".lower() in rows[992000001][8].lower()
    assert rows[992000003][10] == "czeka na fakturę"
    assert rows[992000004][10] == NOT_LINKED_PL and rows[992000004][8] == "-"

    # the preset "skipped at invoicing": every event on no invoice, totals over all of them
    old = browser.find_element(By.TAG_NAME, "html")
    browser.find_element(By.LINK_TEXT, "[ pominięte przy fakturowaniu ]").click()
    wait_new_page(browser, old)
    _ids, count, g, b = in_db(stack, "docid IS NULL")
    assert footer(browser) == (count, g, b)
    assert browser.find_element(By.NAME, "not_invoiced").is_selected()

    # a wrong date is said in Polish, and nothing is listed
    page = filter_events(browser, date_from="2025/13/01", group_id=str(EVENTS_REPORT))
    assert "Niepoprawna data początkowa" in page and shown(browser) == {}
