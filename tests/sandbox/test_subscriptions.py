"""Offer, subscriptions, termination rule, upgrades with penalties, gift packages."""

from __future__ import annotations

from tests.sandbox.sandbox_helpers import fault_of

TERMINATE_TEXT = "Usługa może zostać zaterminowana jedynie na koniec okresu rozliczeniowego"


def _packages(groups):
    return {p["package_id"]: p for g in groups for p in g["packages"]}


def test_package_get_all_shape_and_offer(sms):
    groups = sms.packageGetAll()
    assert {g["pkgt_name"] for g in groups} == {
        "Pakiety podstawowe", "Pakiety dodatkowe", "Prezenty dla przedłużających umowę"}
    pkgs = _packages(groups)
    p = pkgs[101]
    assert {"package_id", "pkg_name", "pkg_desc", "pkg_valid_from", "pkg_valid_to",
            "pkg_class", "pkg_additional_type"} <= set(p)
    assert p["pkg_class"] == "pkg_base,pkg_device(2)" and "VIP1960" in p["pkg_additional_type"]
    assert pkgs[199]["pkg_valid_to"] == "2015-12-31"  # withdrawn, still listed


def test_package_get_avail_base_then_extras(sms):
    number, account = sms.account()
    avail = _packages(sms.packageGetAvail(account))
    assert 101 in avail and 201 in avail and 199 not in avail and 301 not in avail
    sms.packagesAdd(account, [101], "2026-03-10")
    avail = _packages(sms.packageGetAvail(str(account)))
    assert 101 not in avail and 102 not in avail and 201 in avail
    sms.accountLock(account)
    assert sms.packageGetAvail(account) == []


def test_packages_add_inactive_then_stb_then_activate(sms):
    number, account = sms.account()
    ids = sms.packagesAdd(account, [101, 201], "2026-03-10")
    assert len(ids) == 2
    subs = {s["subscription_id"]: s for s in sms.custGetSubscriptions(number)[0]["subscriptions"]}
    base, extra = subs[ids[0]], subs[ids[1]]
    assert base["order_status_id"] == 1 and extra["order_status_id"] == 2  # base needs an STB
    assert base["sub_valid_to"] is None and base["cust_order_id"] != extra["cust_order_id"]
    f = fault_of(sms.subscriptionActivate, account, ids[0])
    assert f.faultCode == 4006 and "STB" in f.faultString
    sms.stbRegister("00:1A:79:00:00:01", "SN1", "VIP1960")
    subnet = sms.subnetList()[0]["subnet_id"]
    sms.stbLink(account, "00:1A:79:00:00:01", subnet, base["cust_order_id"])
    status = sms.custGetSubscriptions(number)[0]["subscriptions"][0]["order_status_id"]
    assert status == 2
    assert sms.subscriptionActivate(str(account), str(ids[0])) is True
    sub = sms.custGetSubscriptions(number)[0]["subscriptions"][0]
    assert sub["order_status_id"] == 3 and sub["sub_valid_from"] == "2026-03-10"
    assert fault_of(sms.subscriptionActivate, account, ids[0]).faultCode == 4005


def test_packages_entitle_activates_at_once(sms):
    ids = sms.active_subscription()
    sub = sms.custGetSubscriptions(ids["number"])[0]["subscriptions"][0]
    assert sub["order_status_id"] == 3 and sub["pkg_name"] == "Pakiet Wielotematyczny 65"


def test_packages_add_refusals(sms):
    number, account = sms.account()
    assert fault_of(sms.packagesAdd, account, [], "2026-03-10").faultCode == 4013
    assert fault_of(sms.packagesAdd, account, [999], "2026-03-10").faultCode == 4001
    f = fault_of(sms.packagesAdd, account, [201], "2026-03-10")
    assert f.faultCode == 4014 and "podstawowego" in f.faultString
    assert fault_of(sms.packagesAdd, account, [101, 102], "2026-03-10").faultCode == 4014
    f = fault_of(sms.packagesAdd, account, [199], "2026-03-10")
    assert f.faultCode == 4002 and "Pakiet Startowy" in f.faultString
    assert fault_of(sms.packagesAdd, account, [301], "2026-03-10").faultCode == 4002
    f = fault_of(sms.packagesAdd, account, [101], "10.03.2026")
    assert f.faultCode == 4012
    sms.accountLock(account)
    assert fault_of(sms.packagesAdd, account, [101], "2026-03-10").faultCode == 3003
    assert sms.custGetSubscriptions(number)[0]["subscriptions"] == []


def test_terminate_only_at_end_of_billing_period(sms):
    ids = sms.active_subscription()
    f = fault_of(sms.subscriptionTerminate, ids["account"], ids["sub"], "2026/04/15", "", "")
    assert f.faultCode == 4004 and f.faultString == TERMINATE_TEXT
    f = fault_of(sms.subscriptionTerminate, ids["account"], ids["sub"], "2026-02-28", "", "")
    assert f.faultCode == 4008  # in the past
    assert sms.custGetSubscriptions(ids["number"])[0]["subscriptions"][0]["sub_valid_to"] is None
    assert sms.subscriptionTerminate(ids["account"], ids["sub"], "2026/04/30", "150,00",
                                     "Przeprowadzka") is True
    sub = sms.custGetSubscriptions(ids["number"])[0]["subscriptions"][0]
    assert (sub["sub_valid_to"], sub["term_fee"], sub["term_desc"]) == \
        ("2026-04-30", "150.00", "Przeprowadzka")
    f = fault_of(sms.subscriptionTerminate, ids["account"], ids["sub"], "2026-05-31")
    assert f.faultCode == 4007
    penalty = [e for e in sms.billingEventsGet("2026-03-01", "2026-03-31", "")
               if e["be_desc"].startswith("Kara")]
    assert len(penalty) == 1 and penalty[0]["be_gross"] == 150.0
    assert penalty[0]["be_desc"] == "Kara za zerwanie umowy - Pakiet Wielotematyczny 65 " \
                                    "(Przeprowadzka)"


def test_terminated_account_can_be_deleted_after_end(sms):
    ids = sms.active_subscription()
    sms.subscriptionTerminate(ids["account"], ids["sub"], "2026-03-31")
    assert fault_of(sms.accountDel, ids["account"]).faultCode == 3002
    sms.control.setToday("2026-04-01")
    assert sms.accountDel(ids["account"]) is True


def test_subscription_of_other_account_is_refused(sms):
    a = sms.active_subscription()
    _, other = sms.account()
    f = fault_of(sms.subscriptionTerminate, other, a["sub"], "2026-03-31")
    assert f.faultCode == 4003 and str(other) in f.faultString


def test_upgrade_offer_dates_penalties_and_gift(sms):
    ids = sms.active_subscription(101, "2025-06-15")
    offer = sms.getPackagesForUpgrade(str(ids["sub"]))
    targets = {p["package_id"]: p for p in offer["packages"]}
    assert set(targets) == {102, 103, 106}
    dates = targets[103]["upgrade_dates"]
    assert [d["upgrade_date"] for d in dates] == ["2026-03-31", "2026-04-30", "2027-06-30"]
    first = dates[0]["termination_fee"]
    assert first["fee_cust_gross"] > 0 and first["fee_b2b_netto"] > 0
    assert dates[-1]["termination_fee"] == {"fee_cust_gross": 0.0, "fee_b2b_netto": 0.0}
    assert sms.getExtraPackagesForSubscription(ids["sub"]) == []
    f = fault_of(sms.packageUpgrade, ids["sub"], 103, "2026-04-15", True)
    assert f.faultCode == 4010
    f = fault_of(sms.packageUpgrade, ids["sub"], 104, "2026-03-31", True)
    assert f.faultCode == 4009
    new_sub = sms.packageUpgrade(str(ids["sub"]), "103", "2026-03-31", True)
    subs = {s["subscription_id"]: s for s in
            sms.custGetSubscriptions(ids["number"])[0]["subscriptions"]}
    assert subs[ids["sub"]]["sub_valid_to"] == "2026-03-31"
    assert subs[new_sub]["sub_valid_from"] == "2026-04-01"
    assert subs[new_sub]["cust_order_id"] == ids["order"]  # STBs stay with the order
    assert sms.getPackagesForUpgrade(ids["sub"]) == {"packages": []}
    fee = [e for e in sms.billingEventsGet("2026-03-10", "2026-03-10", "")
           if e["be_desc"].startswith("Kara za zmianę")]
    assert fee and fee[0]["be_gross"] == first["fee_cust_gross"]
    assert fee[0]["be_b2b_netto"] == first["fee_b2b_netto"]
    gifts = sms.getExtraPackagesForSubscription(new_sub)
    assert len(gifts) == 9 and {"package_id", "pkg_name", "pkg_desc"} == set(gifts[0])
    assert all("3 miesiącach" in g["pkg_desc"] for g in gifts)
    gift_sub = sms.addExtraPackageForSubscription(str(new_sub), str(gifts[0]["package_id"]))
    gift = {s["subscription_id"]: s for s in
            sms.custGetSubscriptions(ids["number"])[0]["subscriptions"]}[gift_sub]
    assert (gift["sub_valid_from"], gift["sub_valid_to"]) == ("2026-04-01", "2026-06-30")
    assert sms.getExtraPackagesForSubscription(new_sub) == []  # one gift per renewal
    assert fault_of(sms.addExtraPackageForSubscription, new_sub, 302).faultCode == 4011


def test_inactive_order_can_be_cancelled_any_day(sms):
    number, account = sms.account()
    [sub] = sms.packagesAdd(account, [101], "2026-03-10")
    assert sms.subscriptionTerminate(account, sub, "2026-03-12") is True
