"""STBs: register, list, suggestions, issue (limit), return, remove, quick search; subnets."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("spelling", ["00:1a:2b:3c:4d:5e", "00-1A-2B-3C-4D-5E", "001a.2b3c.4d5e",
                                      "001A2B3C4D5E"])
def test_register_normalises_mac(bridge, sandbox, spelling):
    r = bridge.post("/api/v1/stb", json={"mac": spelling, "serial": "SN1", "model": "MAG250"})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["stb_mac"] == "00:1A:2B:3C:4D:5E"
    stock = sandbox.control().stbGetRegistered(sandbox.auth, "stock")
    assert [s["stb_mac"] for s in stock] == ["00:1A:2B:3C:4D:5E"]


def test_register_refuses_bad_input_before_sms(bridge, sandbox):
    r = bridge.post("/api/v1/stb", json={"mac": "00:1a:2b:3c:4d", "serial": "", "model": "X"})
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"mac", "serial", "model"}
    assert r.json()["error"]["fields"]["mac"] == "Niepoprawny adres MAC."
    assert sandbox.control().stbGetRegistered(sandbox.auth, "") == []
    assert bridge.audit() == []


def test_duplicate_register_is_422_with_sms_text(bridge):
    body = {"mac": "00:1a:2b:3c:4d:5e", "serial": "SN1", "model": "MAG250"}
    assert bridge.post("/api/v1/stb", json=body).status_code == 200
    r = bridge.post("/api/v1/stb", json=body)
    assert r.status_code == 422 and r.json()["error"]["message"]


def test_issue_suggest_limit_return_and_remove(bridge, installed, sandbox):
    sms = sandbox.control()
    for i, model in enumerate(["VIP1960", "MAG250", "VIP1910-9", "STB-2101H"]):
        sms.stbRegister(sandbox.auth, f"00:1A:2B:3C:4D:0{i}", f"SER{i}", model)
    sub = f"{installed['acc']}/subscriptions/{installed['subscription_id']}"
    # allowed models of package 101 exclude MAG250; match anywhere, lower-case without colons
    sug = bridge.get(sub + "/stb-suggestions", params={"q": "001a2b"}).json()["data"]
    assert {s["stb_mac"] for s in sug} == {"00:1A:2B:3C:4D:00", "00:1A:2B:3C:4D:02",
                                           "00:1A:2B:3C:4D:03"}
    assert bridge.get(sub + "/stb-suggestions", params={"q": "ser2"}).json()["data"][0][
        "label"] == "SER2, VIP1910-9"
    subnets = bridge.get("/api/v1/subnets").json()["data"]["items"]
    sid = subnets[0]["subnet_id"]
    r = bridge.post(sub + "/stb", json={"mac": "00:1A:2B:3C:4D:01", "subnet_id": sid})
    assert r.status_code == 409  # MAG250 not allowed for this service
    r = bridge.post(sub + "/stb", json={"mac": "00:1A:2B:3C:4D:00", "subnet_id": 999999})
    assert r.status_code == 404 and "999999" in r.json()["error"]["message"]
    for mac in ("00:1A:2B:3C:4D:00", "00:1A:2B:3C:4D:02"):
        r = bridge.post(sub + "/stb", json={"mac": mac, "subnet_id": sid})
        assert r.status_code == 200, r.text
    r = bridge.post(sub + "/stb", json={"mac": "00:1A:2B:3C:4D:03", "subnet_id": sid})
    assert r.status_code == 409
    assert "maksymalną liczbę STB (2)" in r.json()["error"]["message"]

    # list: at customers, with the LMS customer; cache invalidated by the issue
    listed = bridge.get("/api/v1/stb", params={"mode": "customer"}).json()["data"]["items"]
    assert {s["stb_mac"] for s in listed} == {"00:1A:2B:3C:4D:00", "00:1A:2B:3C:4D:02"}
    assert all(s["lms_id"] == installed["id"] and s["lms"]["lastname"] == "Kowalska"
               for s in listed)
    found = bridge.get("/api/v1/stb/search", params={"mac": "3c4d02"}).json()["data"]
    assert [(f["stb_mac"], f["lms_id"]) for f in found] == [("00:1A:2B:3C:4D:02",
                                                             installed["id"])]
    # separators alone are no search text (they would match every customer's box)
    for text in ("::", "-.", " : "):
        r = bridge.get("/api/v1/stb/search", params={"mac": text})
        assert r.status_code == 400, (text, r.text)
        assert "mac" in r.json()["error"]["fields"]
    r = bridge.get(sub + "/stb-suggestions", params={"q": ":"})
    assert r.status_code == 400 and "q" in r.json()["error"]["fields"]

    # an issued box cannot be removed from stock
    r = bridge.delete("/api/v1/stb/00:1a:2b:3c:4d:00")
    assert r.status_code == 409
    # return to stock, then remove
    r = bridge.delete(f"{installed['acc']}/stb/001a2b3c4d00")
    assert r.status_code == 200, r.text
    page = bridge.get(f"/api/v1/customers/{installed['id']}/tv").json()["data"]
    assert page["accounts"][0]["subscriptions"][0]["stb_count"] == 1
    r = bridge.delete(f"{installed['acc']}/stb/001a2b3c4d00")
    assert r.status_code == 404
    r = bridge.delete("/api/v1/stb/00:1a:2b:3c:4d:00")
    assert r.status_code == 200, r.text
    stock = bridge.get("/api/v1/stb", params={"mode": "all"}).json()["data"]["items"]
    assert "00:1A:2B:3C:4D:00" not in {s["stb_mac"] for s in stock}
    assert bridge.delete("/api/v1/stb/00:1a:2b:3c:4d:00").status_code == 404
    assert bridge.delete("/api/v1/stb/zz").status_code == 400
    assert [a["action"] for a in bridge.audit() if a["outcome"] == "ok"][-2:] == [
        "stb.return", "stb.remove"]


def test_subnet_split_defaults_names_and_refreshes_customer_stb_data(bridge, installed,
                                                                      sandbox):
    subnets = bridge.get("/api/v1/subnets").json()["data"]["items"]
    target = subnets[0]
    assert target["split_names"] == [target["subnet_name"] + ".1", target["subnet_name"] + ".2"]
    sandbox.control().stbRegister(sandbox.auth, "00:1A:2B:3C:4D:09", "S9", "VIP1960")
    sub = f"{installed['acc']}/subscriptions/{installed['subscription_id']}"
    assert bridge.post(sub + "/stb", json={"mac": "00:1A:2B:3C:4D:09",
                                           "subnet_id": target["subnet_id"]}).status_code == 200
    before = bridge.get(f"/api/v1/customers/{installed['id']}/tv").json()["data"]
    assert before["accounts"][0]["stbs"][0]["subnet_name"] == target["subnet_name"]
    r = bridge.post(f"/api/v1/subnets/{target['subnet_id']}/split", json={})
    assert r.status_code == 200, r.text
    assert r.json()["data"]["name1"] == target["subnet_name"] + ".1"
    names = {s["subnet_name"] for s in bridge.get("/api/v1/subnets").json()["data"]["items"]}
    assert {target["subnet_name"] + ".1", target["subnet_name"] + ".2"} <= names
    after = bridge.get(f"/api/v1/customers/{installed['id']}/tv").json()["data"]
    stb = after["accounts"][0]["stbs"][0]
    assert stb["subnet_name"] != target["subnet_name"]
    assert stb["subnet_name"].startswith(target["subnet_name"] + ".")
    assert bridge.post("/api/v1/subnets/999999/split", json={}).status_code == 404
    r = bridge.post(f"/api/v1/subnets/{target['subnet_id']}/split",
                    json={"name1": "A", "name2": "A"})
    assert r.status_code in (400, 404)


def test_sgt_owned_stock_is_not_offered_for_removal_and_is_refused_before_sms(bridge, sandbox):
    sms = sandbox.control()
    sms.stbRegister(sandbox.auth, "00:1A:2B:3C:4D:01", "OWN1", "MAG250")
    assert sms.sandbox.addSgtStbs([{"stb_mac": "00:1A:2B:3C:4D:02", "stb_serial": "SGT1",
                                    "stb_model": "MAG250"}]) == ["00:1A:2B:3C:4D:02"]
    items = bridge.get("/api/v1/stb", params={"mode": "stock"}).json()["data"]["items"]
    assert {s["stb_mac"]: s["can_remove"] for s in items} == {
        "00:1A:2B:3C:4D:01": True, "00:1A:2B:3C:4D:02": False}
    r = bridge.delete("/api/v1/stb/00:1A:2B:3C:4D:02")
    assert r.status_code == 409, r.text
    assert r.json()["error"]["message"] == \
        "STB zakupiony przez SGT nie może zostać usunięty z bazy."
    assert not any(c["method"] == "stbRemove" for c in sms.sandbox.getCalls())
    assert bridge.delete("/api/v1/stb/00:1A:2B:3C:4D:01").status_code == 200
