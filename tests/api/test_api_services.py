"""Packages and services: on sale, add inactive / add and activate, activate, terminate,
upgrade (date must belong to the package), gift."""

from __future__ import annotations

import calendar
import datetime as dt


def _month_end(day: dt.date) -> str:
    return day.replace(day=calendar.monthrange(day.year, day.month)[1]).isoformat()


def _today(sandbox) -> dt.date:
    return dt.date.fromisoformat(sandbox.control().sandbox.getToday())


def test_packages_on_sale_grouped(bridge):
    data = bridge.get("/api/v1/packages").json()["data"]
    names = [g["pkgt_name"] for g in data]
    assert "Pakiety podstawowe" in names
    ids = {p["package_id"] for g in data for p in g["packages"]}
    assert 101 in ids and 201 in ids


def test_add_inactive_then_activate(bridge, linked, sandbox):
    acc = f"/api/v1/customers/{linked['id']}/accounts/{linked['account_id']}"
    assert {p["package_id"] for g in bridge.get(acc + "/packages").json()["data"]
            for p in g["packages"]} >= {101, 107}
    r = bridge.post(acc + "/subscriptions", json={"package_ids": [107], "activate": False,
                                                  "start_date": _today(sandbox).isoformat()
                                                  .replace("-", "/")})
    assert r.status_code == 200, r.text
    [sub] = bridge.get(acc + "/subscriptions").json()["data"]
    assert sub["order_status_id"] == 1 and sub["status_label"] == "Wydaj STB"
    assert not sub["allowed"]["activate"] and sub["allowed"]["issue_stb"]
    # status 1: activation refused locally, before SMS
    r = bridge.post(acc + f"/subscriptions/{sub['subscription_id']}/activate")
    assert r.status_code == 409
    subnet = sandbox.control().subnetList(sandbox.auth)[0]["subnet_id"]
    sandbox.control().stbRegister(sandbox.auth, "00:1A:2B:3C:4D:01", "S1", "MAG250")
    r = bridge.post(acc + f"/subscriptions/{sub['subscription_id']}/stb",
                    json={"mac": "00-1a-2b-3c-4d-01", "subnet_id": subnet})
    assert r.status_code == 200, r.text
    [sub] = bridge.get(acc + "/subscriptions").json()["data"]
    assert sub["order_status_id"] == 2 and sub["allowed"]["activate"]
    r = bridge.post(acc + f"/subscriptions/{sub['subscription_id']}/activate")
    assert r.status_code == 200, r.text
    [sub] = bridge.get(acc + "/subscriptions").json()["data"]
    assert sub["order_status_id"] == 3 and sub["allowed"]["terminate"]
    actions = [(a["action"], a["outcome"]) for a in bridge.audit()]
    assert actions[-4:] == [("subscription.add", "ok"), ("subscription.activate", "refused"),
                            ("stb.issue", "ok"), ("subscription.activate", "ok")]


def test_add_requires_explicit_activate_and_available_packages(bridge, linked):
    acc = f"/api/v1/customers/{linked['id']}/accounts/{linked['account_id']}"
    r = bridge.post(acc + "/subscriptions", json={"package_ids": [101]})
    assert r.status_code == 400 and "activate" in r.json()["error"]["fields"]
    r = bridge.post(acc + "/subscriptions", json={"package_ids": [301], "activate": False})
    # well-formed, but not on offer for this account: a conflict, not bad input
    assert r.status_code == 409 and "301" in r.json()["error"]["message"]
    r = bridge.post(acc + "/subscriptions", json={"package_ids": [101], "activate": False,
                                                  "start_date": "2025-02-30"})
    assert r.status_code == 400 and "start_date" in r.json()["error"]["fields"]
    assert bridge.get(acc + "/subscriptions").json()["data"] == []


def test_add_and_activate_also_on_an_account_with_services(bridge, installed):
    # manual §4.3: any new service may be added active, as SMS allows
    page = bridge.get(f"/api/v1/customers/{installed['id']}/tv").json()["data"]
    assert page["accounts"][0]["subscriptions"]
    assert page["accounts"][0]["allowed"]["add_and_activate"] is True
    r = bridge.post(installed["acc"] + "/subscriptions",
                    json={"package_ids": [201], "activate": True})
    assert r.status_code == 200, r.text
    subs = bridge.get(installed["acc"] + "/subscriptions").json()["data"]
    assert len(subs) == 2 and all(s["order_status_id"] == 3 for s in subs)


def test_terminate_outside_period_end_keeps_sms_text_verbatim(bridge, installed, sandbox):
    today = _today(sandbox)
    sub = f"{installed['acc']}/subscriptions/{installed['subscription_id']}"
    day = today if today.isoformat() != _month_end(today) else today + dt.timedelta(days=1)
    r = bridge.post(sub + "/terminate", json={"term_date": day.isoformat()})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["code"] == "sms_fault"
    assert err["message"] == ("Usługa może zostać zaterminowana jedynie na koniec okresu "
                              "rozliczeniowego")
    assert isinstance(err["sms_code"], int)
    assert bridge.audit()[-1]["outcome"] == "sms_fault"


def test_terminate_with_penalty(bridge, installed, sandbox):
    sub = f"{installed['acc']}/subscriptions/{installed['subscription_id']}"
    r = bridge.post(sub + "/terminate", json={"term_date": "2025/13/01", "term_fee": "-5"})
    assert r.status_code == 400
    assert set(r.json()["error"]["fields"]) == {"term_date", "term_fee"}
    end = _month_end(_today(sandbox))
    r = bridge.post(sub + "/terminate", json={"term_date": end, "term_fee": "49,99",
                                              "term_desc": "Rezygnacja"})
    assert r.status_code == 200, r.text
    [s] = bridge.get(installed["acc"] + "/subscriptions").json()["data"]
    assert s["sub_valid_to"] == end and s["term_fee"] == "49.99"
    assert not any(s["allowed"].values())
    r = bridge.post(sub + "/terminate", json={"term_date": end})
    assert r.status_code == 409


def test_upgrade_date_must_belong_to_chosen_package(bridge, installed):
    sub = f"{installed['acc']}/subscriptions/{installed['subscription_id']}"
    offers = bridge.get(sub + "/upgrades").json()["data"]
    assert {o["package_id"] for o in offers} == {102, 103, 106}
    first = offers[0]
    assert first["dates"] and {"date", "fee_cust_gross", "fee_b2b_netto"} <= set(
        first["dates"][0])
    r = bridge.post(sub + "/upgrade", json={"package_id": 999, "date": first["dates"][0]["date"]})
    assert r.status_code == 409 and "upgrade" in r.json()["error"]["message"]
    r = bridge.post(sub + "/upgrade", json={"package_id": first["package_id"],
                                            "date": "2001-01-31"})
    assert r.status_code == 409 and "data przejścia" in r.json()["error"]["message"]
    r = bridge.post(sub + "/upgrade", json={"package_id": first["package_id"],
                                            "date": first["dates"][0]["date"]})
    assert r.status_code == 200, r.text
    subs = bridge.get(installed["acc"] + "/subscriptions").json()["data"]
    assert len(subs) == 2
    new = next(s for s in subs if s["sub_valid_to"] is None)
    # gift after renewal (4.9)
    gifts = bridge.get(f"{installed['acc']}/subscriptions/{new['subscription_id']}/gifts")
    gifts = gifts.json()["data"]
    assert gifts
    r = bridge.post(f"{installed['acc']}/subscriptions/{new['subscription_id']}/gift",
                    json={"package_id": 1})
    assert r.status_code == 409  # not offered as a gift: a conflict, not bad input
    r = bridge.post(f"{installed['acc']}/subscriptions/{new['subscription_id']}/gift",
                    json={"package_id": gifts[0]["package_id"]})
    assert r.status_code == 200, r.text
    assert len(bridge.get(installed["acc"] + "/subscriptions").json()["data"]) == 3
    assert [a["action"] for a in bridge.audit()][-2:] == ["subscription.upgrade",
                                                          "subscription.gift"]


def test_account_packages_only_for_this_customers_account(bridge, linked, add_customer):
    # Like every other account path: someone else's account is 404, an unknown customer 404,
    # a customer not exported yet 409 -- never another customer's offer.
    aid = linked["account_id"]
    other = add_customer(lastname="Inna")
    r = bridge.get(f"/api/v1/customers/{other}/accounts/{aid}/packages")
    assert r.status_code == 409, r.text
    assert r.json()["error"]["code"] == "not_linked"
    assert bridge.post(f"/api/v1/customers/{other}/export").status_code == 200
    r = bridge.get(f"/api/v1/customers/{other}/accounts/{aid}/packages")
    assert r.status_code == 404, r.text
    r = bridge.get(f"/api/v1/customers/999999/accounts/{aid}/packages")
    assert r.status_code == 404, r.text
    r = bridge.get(f"/api/v1/customers/{linked['id']}/accounts/{aid}/packages")
    assert r.status_code == 200 and r.json()["data"]


def test_packages_in_a_group_sorted_by_name_in_polish_order(bridge):
    from bridge.validation import natural_key

    for group in bridge.get("/api/v1/packages").json()["data"]:
        names = [p["pkg_name"] for p in group["packages"]]
        assert names == sorted(names, key=natural_key), group["pkgt_name"]
