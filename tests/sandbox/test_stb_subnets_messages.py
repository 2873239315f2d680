"""STBs (registration, issuing limits, removal rules), subnets and messages."""

from __future__ import annotations

import ipaddress

from tests.sandbox.sandbox_helpers import fault_of

MAC = "00:1A:79:00:00:0"


def _register(sms, n: int, model: str = "VIP1960") -> list[str]:
    macs = [f"{MAC}{i}" for i in range(n)]
    for i, mac in enumerate(macs):
        sms.stbRegister(mac, f"SN{i}", model)
    return macs


def test_register_list_and_mac_validation(sms):
    stb_id = sms.stbRegister("00:1a:79:ab:cd:ef", "SN-1", "VIP1960")
    [stb] = sms.stbGetRegistered("")
    assert stb["stb_id"] == stb_id and stb["stb_mac"] == "00:1A:79:AB:CD:EF"
    assert (stb["stb_usage"], stb["stb_ip"], stb["cust_number"]) == ("stock", "", "")
    assert sms.stbGetRegistered("stock") == [stb] and sms.stbGetRegistered("customer") == []
    for bad in ("00:1A:79:AB:CD", "001A79ABCDEF", "00-1A-79-AB-CD-EF", "GG:1A:79:AB:CD:EF"):
        f = fault_of(sms.stbRegister, bad, "SN-2", "VIP1960")
        assert f.faultCode == 5001 and "XX:XX:XX:XX:XX:XX" in f.faultString
    assert fault_of(sms.stbRegister, "00:1A:79:AB:CD:EF", "SN-3", "VIP1960").faultCode == 5002
    assert fault_of(sms.stbRegister, "00:1A:79:AB:CD:E0", "SN-3", "XBOX").faultCode == 5010
    assert fault_of(sms.stbRegister, "00:1A:79:AB:CD:E0", "SN-1", "VIP1960").faultCode == 5011
    assert fault_of(sms.stbGetRegistered, "warehouse").faultCode == 623
    assert len(sms.stbGetRegistered("")) == 1


def test_link_limits_models_ip_and_unlink(sms):
    ids = sms.active_subscription(101)  # 2 devices, IPTV models
    macs = _register(sms, 3)
    sms.stbRegister("00:1A:79:00:00:09", "SN9", "MAG250")
    subnet = sms.subnetList()[0]
    for mac in macs[:2]:
        assert sms.stbLink(ids["account"], mac, subnet["subnet_id"], ids["order"]) is True
    f = fault_of(sms.stbLink, ids["account"], macs[2], subnet["subnet_id"], ids["order"])
    assert f.faultCode == 5006 and "(2)" in f.faultString
    on_account = sms.accountGetSTB(str(ids["account"]))
    assert {s["stb_mac"] for s in on_account} == set(macs[:2])
    net = ipaddress.IPv4Network(f"{subnet['subnet_net']}/{subnet['subnet_mask']}")
    assert all(ipaddress.IPv4Address(s["stb_ip"]) in net for s in on_account)
    assert all(s["cust_order_id"] == ids["order"] for s in on_account)
    issued = sms.stbGetRegistered("customer")
    assert {s["cust_number"] for s in issued} == {ids["number"]}
    f = fault_of(sms.stbLink, ids["account"], macs[0], subnet["subnet_id"], ids["order"])
    assert f.faultCode == 5008
    sms.stbUnlink(ids["account"], macs[0])
    f = fault_of(sms.stbLink, ids["account"], "00:1A:79:00:00:09", subnet["subnet_id"],
                 ids["order"])
    assert f.faultCode == 5007 and "MAG250" in f.faultString
    assert sms.stbLink(ids["account"], macs[2], subnet["subnet_id"], ids["order"]) is True
    assert fault_of(sms.stbLink, ids["account"], macs[0], 999, ids["order"]).faultCode == 6001
    assert fault_of(sms.stbLink, ids["account"], macs[0], subnet["subnet_id"], 1).faultCode \
        == 5012
    _, other = sms.account()
    assert fault_of(sms.stbUnlink, other, macs[2]).faultCode == 5009


def test_extra_package_without_devices_takes_no_stb(sms):
    ids = sms.active_subscription(101)
    [hbo] = sms.packagesEntitle(ids["account"], [201], "2026-03-10")
    order = [s for s in sms.custGetSubscriptions(ids["number"])[0]["subscriptions"]
             if s["subscription_id"] == hbo][0]["cust_order_id"]
    _register(sms, 1)
    f = fault_of(sms.stbLink, ids["account"], f"{MAC}0", sms.subnetList()[0]["subnet_id"], order)
    assert f.faultCode == 5006


def test_remove_rules(sms, sandbox):
    ids = sms.active_subscription(101)
    macs = _register(sms, 2)
    sms.stbLink(ids["account"], macs[0], sms.subnetList()[0]["subnet_id"], ids["order"])
    f = fault_of(sms.stbRemove, macs[0])
    assert f.faultCode == 5004 and "wydany" in f.faultString
    assert sms.stbRemove(macs[1]) is True
    assert fault_of(sms.stbRemove, macs[1]).faultCode == 5003
    # SGT-bought boxes exist only in the demo seed
    sms.control.reset("demo")
    sgt = [s for s in sms.stbGetRegistered("stock") if s["stb_owner"] == "sgt"]
    f = fault_of(sms.stbRemove, sgt[0]["stb_mac"])
    assert f.faultCode == 5005 and "SGT" in f.faultString


def test_subnet_split_into_named_halves_keeps_stbs(sms):
    ids = sms.active_subscription(101)
    [mac] = _register(sms, 1)
    subnets = {s["subnet_name"]: s for s in sms.subnetList()}
    centrum = subnets["Centrum"]
    assert set(centrum) == {"subnet_id", "subnet_name", "subnet_net", "subnet_mask"}
    sms.stbLink(ids["account"], mac, centrum["subnet_id"], ids["order"])
    sms.subnetSplit(str(centrum["subnet_id"]), "Centrum.1", "Centrum.2")
    after = {s["subnet_name"]: s for s in sms.subnetList()}
    assert "Centrum" not in after
    one, two = after["Centrum.1"], after["Centrum.2"]
    old = ipaddress.IPv4Network(f"{centrum['subnet_net']}/{centrum['subnet_mask']}")
    halves = list(old.subnets(prefixlen_diff=1))
    assert ipaddress.IPv4Network(f"{one['subnet_net']}/{one['subnet_mask']}") == halves[0]
    assert ipaddress.IPv4Network(f"{two['subnet_net']}/{two['subnet_mask']}") == halves[1]
    [stb] = sms.accountGetSTB(ids["account"])
    assert stb["subnet_id"] == one["subnet_id"]
    assert fault_of(sms.subnetSplit, centrum["subnet_id"], "a", "b").faultCode == 6001
    assert fault_of(sms.subnetSplit, one["subnet_id"], "", "x").faultCode == 6003
    sub = one["subnet_id"]
    for n in range(6):  # /24 -> /30 after six splits, then it is too small
        sms.subnetSplit(sub, f"a{n}", f"b{n}")
        sub = {s["subnet_name"]: s for s in sms.subnetList()}[f"b{n}"]["subnet_id"]
    assert fault_of(sms.subnetSplit, sub, "c", "d").faultCode == 6002


def test_messages_send_list_delete(sms):
    one = sms.active_subscription()
    two = sms.active_subscription()
    idle = sms.customer()  # no services: not "active"
    sent = sms.meldingerSend(None, "Przerwa\ntechniczna", "2026/03/10", "2026/03/20",
                             "Szczegóły <b>przerwy</b>", "2026-03-10", "", "1", "-1")
    assert sent == 2
    listed = sms.meldingerList("")
    assert sorted(m["cust_number"] for m in listed) == sorted([one["number"], two["number"]])
    m = listed[0]
    assert m["msg_body"] == "Przerwa<br />techniczna"
    assert (m["msg_prio"], m["msg_show_priority"], m["msg_status"]) == (1, -1, 0)
    assert (m["msg_teaser_impressions"], m["msg_impressions"]) == (0, 0)
    assert (m["msg_teaser_valid_from"], m["msg_teaser_valid_to"]) == ("2026-03-10", "2026-03-20")
    assert sms.meldingerSend(idle, "a", "2026-03-10", "", "b", "", "", 0, 0) == 1
    assert len(sms.meldingerList(idle)) == 1
    f = fault_of(sms.meldingerSend, idle, "", "2026-03-10", "", "b", "", "", 0, 0)
    assert f.faultCode == 7002
    assert fault_of(sms.meldingerSend, idle, "a", "2026-03-10", "", "b", "", "", 7, 0).faultCode \
        == 7002
    assert fault_of(sms.meldingerDel, [m["id"], 99999]).faultCode == 7001
    assert len(sms.meldingerList("")) == 3  # nothing deleted by the refused call
    assert sms.meldingerDel([m["id"]]) == 1
    assert sms.meldingerDel(None, one["number"]) + sms.meldingerDel(None, two["number"]) == 1
    assert [x["cust_number"] for x in sms.meldingerList("")] == [idle]
    assert fault_of(sms.meldingerList, "673999999").faultCode == 2001
