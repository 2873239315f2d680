"""Customers: export/link/re-export, PINs, the SMS customer list, the customer page."""

from __future__ import annotations

import re

import pytest

from tests.conftest import FLAVOURS


@pytest.fixture(params=FLAVOURS)
def lms_flavour(request) -> str:
    """Every database test here runs on LMS 1.11.17 and on LMS 28."""
    return request.param


ADDRESS = {"cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "3",
           "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"}


def _tv_number(bridge, customer_id):
    db = bridge.db()
    try:
        return db.scalar("SELECT tv_cust_number FROM customers WHERE id = %s", [customer_id])
    finally:
        db.close()


def test_export_creates_sms_customer_with_random_pins_and_stores_link(bridge, sandbox, customer):
    r = bridge.post(f"/api/v1/customers/{customer}/export")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["action"] == "created"
    assert _tv_number(bridge, customer) == data["cust_number"]
    sms = sandbox.control()
    got = sms.custList(sandbox.auth, data["cust_number"])
    assert int(got["cust_external_id"]) == customer
    assert got["cust_surname"] == "Kowalska"
    assert got["cust_pesel"] == "85010112345"
    assert got["cust_valid_num"] == "ABC123456"
    assert (got["cust_m_street"], got["cust_m_home_nr"], got["cust_m_flat"]) == \
        ("ul. Polna", "12", "3")
    assert re.fullmatch(r"\d{4}", str(got["cust_vod_pin"]))
    assert re.fullmatch(r"\d{4}", str(got["cust_master_pin"]))
    line = bridge.audit()[-1]
    assert (line["user"], line["action"], line["customer_id"], line["outcome"]) == \
        ("admin", "customer.export", customer, "ok")
    # PINs never reach the audit log
    assert line["params"]["cust_vod_pin"] == "****"
    assert str(got["cust_vod_pin"]) not in str(bridge.audit_path.read_text())

    # second export = re-export of personal data (custEdit), same number
    db = bridge.db()
    db.execute("UPDATE customers SET lastname = %s WHERE id = %s", ["Nowak", customer])
    db.close()
    r = bridge.post(f"/api/v1/customers/{customer}/export")
    assert r.json()["data"] == {"cust_number": data["cust_number"], "action": "updated"}
    assert sms.custList(sandbox.auth, data["cust_number"])["cust_surname"] == "Nowak"


def test_export_links_existing_sms_customer_by_external_id(bridge, sandbox, customer):
    [number] = sandbox.control().sandbox.addCustomers([{
        "cust_name": "Anna", "cust_surname": "Kowalska", "cust_m_street": "Polna",
        "cust_m_home_nr": "1", "cust_m_postal_code": "30-001", "cust_m_city": "Kraków",
        "cust_external_id": customer}])
    r = bridge.post(f"/api/v1/customers/{customer}/export")
    assert r.json()["data"] == {"cust_number": number, "action": "linked"}
    assert _tv_number(bridge, customer) == number  # the original forgot to store it


def test_export_refuses_number_linked_to_another_customer(bridge, sandbox, customer,
                                                          add_customer):
    [number] = sandbox.control().sandbox.addCustomers([{
        "cust_name": "Anna", "cust_surname": "Kowalska", "cust_m_street": "Polna",
        "cust_m_home_nr": "1", "cust_m_postal_code": "30-001", "cust_m_city": "Kraków",
        "cust_external_id": customer}])
    other = add_customer(lastname="Inny")
    db = bridge.db()
    db.execute("UPDATE customers SET tv_cust_number = %s WHERE id = %s", [number, other])
    db.close()
    r = bridge.post(f"/api/v1/customers/{customer}/export")
    assert r.status_code == 409
    assert str(other) in r.json()["error"]["message"]
    assert _tv_number(bridge, customer) is None
    assert bridge.audit()[-1]["outcome"] == "refused"


def test_export_unknown_customer_is_404(bridge):
    r = bridge.post("/api/v1/customers/999999/export")
    assert r.status_code == 404
    assert r.json()["error"]["code"] == "not_found"
    assert bridge.audit() == []


def test_pins_view_and_change(bridge, sandbox, linked):
    cid = linked["id"]
    r = bridge.put(f"/api/v1/customers/{cid}/pins",
                   json={"cust_vod_pin": "0123", "cust_master_pin": "9876"})
    assert r.status_code == 200, r.text
    got = sandbox.control().custList(sandbox.auth, linked["cust_number"])
    assert (str(got["cust_vod_pin"]), str(got["cust_master_pin"])) == ("0123", "9876")
    r = bridge.get(f"/api/v1/customers/{cid}/pins")
    assert r.json()["data"]["cust_vod_pin"] == "0123"
    assert r.json()["data"]["cust_master_pin"] == "9876"
    assert bridge.audit()[-1]["action"] == "customer.pins"
    assert bridge.audit()[-1]["params"]["cust_master_pin"] == "****"


def test_bad_pins_are_refused_before_sms(bridge, sandbox, linked):
    cid = linked["id"]
    before = len(bridge.audit())
    r = bridge.put(f"/api/v1/customers/{cid}/pins",
                   json={"cust_vod_pin": "12a4", "cust_master_pin": "12345"})
    assert r.status_code == 400
    fields = r.json()["error"]["fields"]
    assert set(fields) == {"cust_vod_pin", "cust_master_pin"}
    assert "4 cyfr" in fields["cust_vod_pin"]
    assert len(bridge.audit()) == before
    # Digits of other scripts (Arabic-Indic, full-width) are not PIN digits a TV remote has.
    pins = dict(sandbox.control().custList(sandbox.auth, linked["cust_number"]))
    r = bridge.put(f"/api/v1/customers/{cid}/pins",
                   json={"cust_vod_pin": "\u0661\u0662\u0663\u0664",
                         "cust_master_pin": "\uff11\uff12\uff13\uff14"})
    assert r.status_code == 400, r.text
    assert set(r.json()["error"]["fields"]) == {"cust_vod_pin", "cust_master_pin"}
    got = sandbox.control().custList(sandbox.auth, linked["cust_number"])
    assert (got["cust_vod_pin"], got["cust_master_pin"]) == \
        (pins["cust_vod_pin"], pins["cust_master_pin"])
    assert len(bridge.audit()) == before


def test_pins_of_unlinked_customer_is_409(bridge, customer):
    r = bridge.put(f"/api/v1/customers/{customer}/pins",
                   json={"cust_vod_pin": "1111", "cust_master_pin": "2222"})
    assert r.status_code == 409
    assert r.json()["error"]["code"] == "not_linked"


def test_customer_list_joins_lms_sorts_searches_and_pages(bridge, sandbox, add_customer):
    ids = [add_customer(lastname=f"Klient{i}", name="Jan", address=f"Długa {i}")
           for i in range(1, 31)]
    sms = sandbox.control()
    sms.sandbox.addCustomers([{"cust_name": "Jan", "cust_surname": f"Klient{i}",
                               "cust_m_street": "Długa", "cust_m_home_nr": str(i),
                               "cust_m_postal_code": "30-001", "cust_m_city": "Kraków",
                               "cust_external_id": cid} for i, cid in enumerate(ids, 1)])
    r = bridge.get("/api/v1/customers")
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert (data["total"], data["page"], data["per_page"], data["pages"]) == (30, 1, 25, 2)
    # natural order: Klient1, Klient2, ... Klient10 (not Klient1, Klient10, Klient11)
    assert [i["cust_surname"] for i in data["items"][:3]] == ["Klient1", "Klient2", "Klient3"]
    first = data["items"][0]
    assert first["lms_id"] == ids[0]
    assert first["lms"]["lastname"] == "Klient1"
    assert first["lms"]["balance"] == "0.00"
    assert first["sms_url"].endswith("customer/show/id/" + first["cust_number"][-6:])
    assert len(bridge.get("/api/v1/customers", params={"page": 2}).json()["data"]["items"]) == 5
    everyone = bridge.get("/api/v1/customers", params={"per_page": "all"}).json()["data"]
    assert len(everyone["items"]) == 30
    desc = bridge.get("/api/v1/customers", params={"sort": "cust_surname", "order": "desc"})
    assert desc.json()["data"]["items"][0]["cust_surname"] == "Klient30"
    by_id = bridge.get("/api/v1/customers", params={"q": str(ids[4])}).json()["data"]
    assert ids[4] in [i["lms_id"] for i in by_id["items"]]
    by_name = bridge.get("/api/v1/customers", params={"q": "klient2"}).json()["data"]
    assert {i["cust_surname"] for i in by_name["items"]} == {"Klient2"} | {
        f"Klient2{i}" for i in range(10)}
    number = first["cust_number"]
    by_number = bridge.get("/api/v1/customers", params={"q": number}).json()["data"]
    assert [i["cust_number"] for i in by_number["items"]] == [number]
    # balance sort uses LMS cash
    db = bridge.db()
    db.execute("INSERT INTO cash (time, value, customerid, comment) "
               "VALUES (0, %s, %s, '')", ["-50.00", ids[7]])
    db.close()
    low = bridge.get("/api/v1/customers", params={"sort": "balance", "fresh": "1"}).json()
    assert low["data"]["items"][0]["lms_id"] == ids[7]
    assert low["data"]["items"][0]["lms"]["balance"] == "-50.00"


def test_customer_list_rejects_unknown_sort(bridge):
    r = bridge.get("/api/v1/customers", params={"sort": "cust_pesel; DROP TABLE customers"})
    assert r.status_code == 400
    assert "sort" in r.json()["error"]["fields"]
    r = bridge.get("/api/v1/customers", params={"page": "0"})
    assert r.status_code == 400


def test_customer_list_is_cached_says_its_age_and_can_be_refreshed(bridge, sandbox,
                                                                   add_customer):
    sms = sandbox.control()
    sms.sandbox.addCustomers(2)
    first = bridge.get("/api/v1/customers").json()
    assert first["meta"]["cached"] is False
    assert first["data"]["total"] == 2
    sms.sandbox.addCustomers(1)  # behind the bridge's back
    second = bridge.get("/api/v1/customers").json()
    assert second["meta"]["cached"] is True
    assert second["meta"]["age_seconds"] >= 0 and second["meta"]["cached_at"]
    assert second["data"]["total"] == 2
    fresh = bridge.get("/api/v1/customers", params={"fresh": "1"}).json()
    assert fresh["data"]["total"] == 3
    sms.sandbox.addCustomers(1)
    assert bridge.post("/api/v1/system/cache/purge").json()["data"]["message"] == \
        "Dane odświeżone."
    assert bridge.get("/api/v1/customers").json()["data"]["total"] == 4
    assert bridge.audit()[-1]["action"] == "cache.purge"


def test_export_invalidates_customer_list(bridge, customer):
    assert bridge.get("/api/v1/customers").json()["data"]["total"] == 0
    bridge.post(f"/api/v1/customers/{customer}/export")
    data = bridge.get("/api/v1/customers").json()["data"]
    assert data["total"] == 1 and data["items"][0]["lms_id"] == customer


def test_cache_off_always_asks_sms(make_bridge, migrated_config, sandbox):
    b = make_bridge(migrated_config, cache_enabled=False)
    sms = sandbox.control()
    sms.sandbox.addCustomers(1)
    assert b.get("/api/v1/customers").json()["data"]["total"] == 1
    sms.sandbox.addCustomers(1)
    r = b.get("/api/v1/customers").json()
    assert r["data"]["total"] == 2 and r["meta"]["cached"] is False


def test_customer_page_of_unlinked_customer(bridge, customer):
    r = bridge.get(f"/api/v1/customers/{customer}/tv")
    assert r.status_code == 200
    data = r.json()["data"]
    assert data["customer"]["linked"] is False
    assert data["customer"]["can_add_account"] is True
    assert data["accounts"] == [] and data["errors"] == []
    assert bridge.get("/api/v1/customers/999999/tv").status_code == 404


def test_a_non_digit_sms_number_stored_in_lms_is_a_clear_409(bridge, add_customer):
    # e.g. adopted from the original module or edited by hand; SMS numbers are digits
    cid = add_customer(tv_cust_number="ABC-12")
    for path in (f"/api/v1/customers/{cid}/pins", f"/api/v1/customers/{cid}/accounts"):
        r = bridge.get(path)
        assert r.status_code == 409, r.text
        assert r.json()["error"]["code"] == "conflict"
        assert "ABC-12" in r.json()["error"]["message"]
    page = bridge.get(f"/api/v1/customers/{cid}/tv").json()["data"]
    assert page["customer"]["linked"] is True and page["accounts"] == []
    assert [(e["part"], e["code"]) for e in page["errors"]] == [("customer", "conflict")]


@pytest.mark.parametrize("dialect", ["postgres"], indirect=True)
def test_fresh_reads_keep_sorted_lists_of_the_newest_fetch_only(bridge, sandbox):
    from bridge.services import customers as cs

    sandbox.control().sandbox.addCustomers(50)
    for sort in ("cust_surname", "cust_name", "cust_surname", "cust_m_city", "cust_name"):
        r = bridge.get("/api/v1/customers", params={"fresh": "1", "sort": sort})
        assert r.status_code == 200 and r.json()["data"]["total"] == 50
    # every fetch made an entry before; older fetches pinned whole customer lists
    tokens = {key[0] for key in cs._sorted_memo}
    assert len(tokens) == 1 and len(cs._sorted_memo) == 1
    r = bridge.get("/api/v1/customers", params={"sort": "cust_m_city"})
    assert r.json()["meta"]["cached"] is True
    assert len(cs._sorted_memo) == 2
    assert sum(len(rows) for rows in cs._sorted_memo.values()) <= cs.SORTED_MEMO_ROWS
