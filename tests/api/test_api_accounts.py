"""Accounts and the customer page: add (with export), edit, delete, lock/unlock, counts."""

from __future__ import annotations

ADDRESS = {"cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "3",
           "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"}


def test_add_account_exports_customer_first(bridge, sandbox, customer):
    r = bridge.post(f"/api/v1/customers/{customer}/accounts", json=ADDRESS)
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert data["exported"] is True
    accounts = sandbox.control().custGetSubscriptions(sandbox.auth, data["cust_number"])
    assert len(accounts) == 1 and accounts[0]["cust_i_city"] == "Kraków"
    actions = [a["action"] for a in bridge.audit()]
    assert actions == ["customer.export", "account.add"]


def test_add_account_validates_address_before_sms(bridge, customer):
    r = bridge.post(f"/api/v1/customers/{customer}/accounts",
                    json={**ADDRESS, "cust_i_postal_code": "30001", "cust_i_street": " "})
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"cust_i_postal_code", "cust_i_street"}
    assert bridge.audit() == []


def test_add_account_refused_for_interested_customer(bridge, add_customer):
    cid = add_customer(status=1)
    r = bridge.post(f"/api/v1/customers/{cid}/accounts", json=ADDRESS)
    assert r.status_code == 409
    assert bridge.get(f"/api/v1/customers/{cid}/tv").json()["data"]["customer"][
        "can_add_account"] is False


def test_edit_account_and_cache_invalidation(bridge, linked):
    base = f"/api/v1/customers/{linked['id']}/accounts"
    assert bridge.get(base).json()["data"]["accounts"][0]["cust_i_street"] == "Polna"
    r = bridge.put(f"{base}/{linked['account_id']}", json={**ADDRESS, "cust_i_street": "Leśna"})
    assert r.status_code == 200, r.text
    again = bridge.get(base).json()
    assert again["data"]["accounts"][0]["cust_i_street"] == "Leśna"


def test_foreign_account_is_404(bridge, linked, add_customer):
    other = add_customer(lastname="Obcy")
    bridge.post(f"/api/v1/customers/{other}/accounts", json=ADDRESS)
    r = bridge.post(f"/api/v1/customers/{other}/accounts/{linked['account_id']}/lock")
    assert r.status_code == 404
    assert bridge.audit()[-1]["action"] == "account.add"


def test_lock_unlock_and_header_counts(bridge, linked):
    cid, aid = linked["id"], linked["account_id"]
    bridge.post(f"/api/v1/customers/{cid}/accounts", json=ADDRESS)
    page = bridge.get(f"/api/v1/customers/{cid}/tv").json()["data"]
    assert page["summary"] == {"accounts": 2, "locked": 0, "label": "Konta TV (2)"}
    r = bridge.post(f"/api/v1/customers/{cid}/accounts/{aid}/lock")
    assert r.status_code == 200, r.text
    page = bridge.get(f"/api/v1/customers/{cid}/tv").json()["data"]
    assert page["summary"]["label"] == "Konta TV (2) (1 wstrzymane)"
    acc = next(a for a in page["accounts"] if a["account_id"] == aid)
    assert acc["locked"] is True and acc["allowed"]["unlock"] and not acc["allowed"]["lock"]
    assert not acc["allowed"]["add_service"]
    bridge.post(f"/api/v1/customers/{cid}/accounts/{aid}/unlock")
    page = bridge.get(f"/api/v1/customers/{cid}/tv").json()["data"]
    assert page["summary"]["locked"] == 0
    assert [a["action"] for a in bridge.audit()][-2:] == ["account.lock", "account.unlock"]


def test_delete_account_only_without_services(bridge, installed, sandbox):
    cid, aid = installed["id"], installed["account_id"]
    r = bridge.delete(f"/api/v1/customers/{cid}/accounts/{aid}")
    assert r.status_code == 409
    assert "usługami" in r.json()["error"]["message"]
    assert bridge.audit()[-1]["outcome"] == "refused"
    assert len(sandbox.control().custGetSubscriptions(sandbox.auth,
                                                      installed["cust_number"])) == 1
    bridge.post(f"/api/v1/customers/{cid}/accounts", json=ADDRESS)
    empty = [a for a in bridge.get(f"/api/v1/customers/{cid}/accounts").json()["data"][
        "accounts"] if not a["subscriptions"]][0]
    assert empty["allowed"]["delete"] is True
    r = bridge.delete(f"/api/v1/customers/{cid}/accounts/{empty['account_id']}")
    assert r.status_code == 200, r.text
    ids = [a["account_id"] for a in bridge.get(f"/api/v1/customers/{cid}/accounts").json()[
        "data"]["accounts"]]
    assert ids == [aid]


def test_customer_page_in_one_call(bridge, installed, sandbox):
    cid = installed["id"]
    sms = sandbox.control()
    sms.stbRegister(sandbox.auth, "00:1A:2B:3C:4D:5E", "SER001", "VIP1960")
    subnet = sms.subnetList(sandbox.auth)[0]
    r = bridge.post(installed["acc"] + f"/subscriptions/{installed['subscription_id']}/stb",
                    json={"mac": "001a2b3c4d5e", "subnet_id": subnet["subnet_id"]})
    assert r.status_code == 200, r.text
    page = bridge.get(f"/api/v1/customers/{cid}/tv").json()
    data = page["data"]
    assert data["errors"] == []
    assert data["customer"]["linked"] is True
    assert data["sms_customer"]["cust_number"] == installed["cust_number"]
    [acc] = data["accounts"]
    assert acc["number"] == f"{installed['cust_number']}/{installed['account_id']}"
    assert acc["allowed"]["delete"] is False
    [sub] = acc["subscriptions"]
    assert sub["status_label"] == "Zainstalowana"
    assert (sub["stb_max"], sub["stb_count"], sub["stb_left"]) == (2, 1, 1)
    assert sub["allowed"]["terminate"] and sub["allowed"]["issue_stb"]
    assert sub["allowed"]["upgrade"] and sub["upgrade_offers"]
    assert sub["stbs"][0]["subnet_name"] == subnet["subnet_name"]
    assert sub["stbs"][0]["trace_url"].endswith("stock/tracestb/stb/SER001")
    assert acc["packages_available"]
    assert data["subnets"] and data["messages"] == []
    warm = bridge.get(f"/api/v1/customers/{cid}/tv").json()
    assert warm["meta"]["cached"] is True and warm["meta"]["age_seconds"] is not None
    assert warm["data"] == data


def test_customer_page_reports_failed_part_instead_of_blank(bridge, installed, sandbox):
    cid = installed["id"]
    sandbox.control().sandbox.failNext(1, "garbage")
    data = bridge.get(f"/api/v1/customers/{cid}/tv", params={"fresh": "1"}).json()["data"]
    # one of the first-round calls failed; whichever it was is named, the rest is there
    assert len(data["errors"]) == 1
    err = data["errors"][0]
    assert err["code"] == "sms_unavailable" and err["message"] == "Brak połączenia z SMS"
    assert "unparsable" in err["reason"] or "garbage" in err["reason"].lower()
    if err["part"] == "accounts":
        assert data["accounts"] is None and data["summary"] is None
    else:
        assert data["accounts"] and data["accounts"][0]["subscriptions"]
