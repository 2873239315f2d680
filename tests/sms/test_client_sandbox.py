"""SmsClient against the real sandbox (``lmstv sandbox``) over real HTTP: all 32 methods, their
reply shapes (field names of API doc section 2) and each business-rule refusal with its text."""

from __future__ import annotations

import re
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from bridge.sms import SmsClient, SmsFault, SmsUnavailable

TODAY = "2024-03-15"
ANY_IPTV = "VIP1910-9,VIP1960,STB-2101H,STB-1001H"


@dataclass
class Sms:
    client: SmsClient
    ctl: Any  # raw proxy for sandbox.* control methods

    def customer(self, ext: int | None = None, **extra: Any) -> str:
        data = {"cust_name": "Anna", "cust_surname": "Żółkiewska", "cust_pesel": "80010112345",
                "cust_m_street": "Piotrkowska", "cust_m_home_nr": "12", "cust_m_flat": "3",
                "cust_m_postal_code": "90-001", "cust_m_city": "Łódź",
                "cust_email": "anna@example.pl", "cust_phone1": "600100200"}
        if ext is not None:
            data["cust_external_id"] = ext
        data.update(extra)
        return self.client.custAdd(data)

    def account(self, number: str) -> int:
        return self.client.accountAdd(number, {
            "cust_i_street": "Wólczańska", "cust_i_home_nr": "5", "cust_i_flat": "",
            "cust_i_postal_code": "90-002", "cust_i_city": "Łódź"})

    def subs(self, number: str, account_id: int) -> list[dict]:
        accounts = {a["account_id"]: a for a in self.client.custGetSubscriptions(number)}
        return accounts[account_id]["subscriptions"]

    def sub(self, number: str, account_id: int, package_id: int) -> dict:
        found = [s for s in self.subs(number, account_id) if s["package_id"] == package_id]
        assert found, f"no subscription of package {package_id}"
        return found[-1]

    def stb(self, mac: str, model: str = "VIP1960") -> None:
        self.client.stbRegister(mac, f"SN{mac.replace(':', '')}", model)


@pytest.fixture
def sms(sandbox) -> Iterator[Sms]:
    ctl = sandbox.control()
    ctl.sandbox.setToday(TODAY)
    client = SmsClient(sandbox.url, sandbox.login, sandbox.password_md5, http_timeout=5.0,
                       long_timeout=10.0)
    yield Sms(client, ctl)
    client.close()


def refused(call: Any, code: int, text: str) -> SmsFault:
    """The call must fail with exactly this SMS fault code and Polish text."""
    with pytest.raises(SmsFault) as info:
        call()
    assert (info.value.code, info.value.message) == (code, text)
    return info.value


# -- auth -----------------------------------------------------------------------------------------


def test_wrong_password_is_an_auth_fault(sandbox) -> None:
    client = SmsClient(sandbox.url, sandbox.login, "0" * 32)
    refused(client.subnetList, 1001,
            "Błąd autoryzacji: nieprawidłowa nazwa użytkownika lub hasło")
    client.close()


# -- 2.1 customers --------------------------------------------------------------------------------


def test_custAdd_custList_custEdit(sms: Sms) -> None:  # noqa: N802
    number = sms.customer(ext=17)
    assert re.fullmatch(r"\d{9}", number)
    everyone = sms.client.custList()
    assert isinstance(everyone, list) and [c["cust_number"] for c in everyone] == [number]
    one = sms.client.custList(number)
    assert isinstance(one, dict)  # a single struct, not a one-element list (API doc 9.8)
    for field in ("cust_number", "cust_external_id", "cust_name", "cust_surname",
                  "cust_vod_pin", "cust_master_pin", "cust_m_street", "cust_m_home_nr",
                  "cust_m_flat", "cust_m_city"):
        assert field in one
    assert (one["cust_external_id"], one["cust_surname"], one["cust_m_city"]) == (
        17, "Żółkiewska", "Łódź")
    assert re.fullmatch(r"\d{4}", one["cust_vod_pin"])

    rows = sms.client.custList("", rows=True)  # the bridge's list: compact rows, same data
    assert [dict(zip(r[0], r[1:], strict=True)) for r in rows] == everyone

    assert sms.client.custEdit(number, {"cust_vod_pin": "0042", "cust_master_pin": "9876"})
    after = sms.client.custList(number)
    assert (after["cust_vod_pin"], after["cust_master_pin"]) == ("0042", "9876")
    assert after["cust_surname"] == "Żółkiewska"  # a partial edit keeps the rest


def test_customer_refusals(sms: Sms) -> None:
    number = sms.customer(ext=17)
    refused(lambda: sms.client.custAdd({"cust_name": "Jan", "cust_m_street": "A",
                                        "cust_m_home_nr": "1", "cust_m_postal_code": "00-001",
                                        "cust_m_city": "B"}),
            2002, "Nieprawidłowe dane klienta: pole cust_surname jest wymagane")
    refused(lambda: sms.customer(ext=17), 2003,
            f"Zewnętrzne ID 17 jest już przypisane do klienta {number}")
    refused(lambda: sms.client.custEdit(number, {"cust_vod_pin": "12a4"}), 2002,
            "Nieprawidłowe dane klienta: PIN (cust_vod_pin) musi składać się z 4 cyfr")
    refused(lambda: sms.client.custList("999999999"), 2001,
            "Klient o numerze 999999999 nie istnieje")
    refused(lambda: sms.client.custGetSubscriptions("999999999"), 2001,
            "Klient o numerze 999999999 nie istnieje")


# -- 2.2 accounts ---------------------------------------------------------------------------------


def test_accounts_add_edit_lock_unlock(sms: Sms) -> None:
    number = sms.customer()
    assert sms.client.custGetSubscriptions(number) == []
    account_id = sms.account(number)
    assert isinstance(account_id, int)
    [acc] = sms.client.custGetSubscriptions(number)
    for field in ("account_id", "acc_active", "acc_closed", "cust_i_street", "cust_i_home_nr",
                  "cust_i_flat", "cust_i_postal_code", "cust_i_city", "subscriptions"):
        assert field in acc
    assert (acc["account_id"], acc["acc_active"], bool(acc["acc_closed"])) == (account_id, 1,
                                                                               False)
    assert acc["subscriptions"] == []

    assert sms.client.accountEdit(account_id, {"cust_i_street": "Zachodnia",
                                               "cust_i_home_nr": "7"})
    [acc] = sms.client.custGetSubscriptions(number)
    assert (acc["cust_i_street"], acc["cust_i_home_nr"], acc["cust_i_city"]) == (
        "Zachodnia", "7", "Łódź")

    sms.client.accountLock(account_id)
    assert sms.client.custGetSubscriptions(number)[0]["acc_active"] == 0
    assert sms.client.packageGetAvail(account_id) == []  # nothing to sell on a locked account
    sms.client.accountUnlock(account_id)
    assert sms.client.custGetSubscriptions(number)[0]["acc_active"] == 1


def test_account_refusals(sms: Sms) -> None:
    number = sms.customer()
    refused(lambda: sms.client.accountAdd(number, {"cust_i_street": "A", "cust_i_home_nr": "1",
                                                   "cust_i_postal_code": "00-001"}),
            3005, "Nieprawidłowe dane konta: pole cust_i_city jest wymagane")
    refused(lambda: sms.client.accountAdd("999999999", {"cust_i_city": "A"}), 2001,
            "Klient o numerze 999999999 nie istnieje")
    refused(lambda: sms.client.accountEdit(1, {"cust_i_city": "A"}), 3001,
            "Konto o numerze 1 nie istnieje")
    refused(lambda: sms.client.accountLock(1), 3001, "Konto o numerze 1 nie istnieje")
    refused(lambda: sms.client.accountUnlock(1), 3001, "Konto o numerze 1 nie istnieje")
    refused(lambda: sms.client.accountGetSTB(1), 3001, "Konto o numerze 1 nie istnieje")


def test_accountDel_rules(sms: Sms) -> None:  # noqa: N802
    number = sms.customer()
    busy = sms.account(number)
    sms.client.packagesEntitle(busy, [107], TODAY)
    refused(lambda: sms.client.accountDel(busy), 3002,
            "Nie można usunąć konta, do którego przypisane są usługi")

    empty = sms.account(number)
    assert sms.client.accountDel(empty)
    closed = [a for a in sms.client.custGetSubscriptions(number) if a["account_id"] == empty]
    assert not closed or closed[0]["acc_closed"]
    refused(lambda: sms.client.accountLock(empty), 3006,
            f"Konto o numerze {empty} zostało zamknięte")


def test_accountDel_refused_while_an_stb_is_on_the_account(sms: Sms) -> None:  # noqa: N802
    number = sms.customer()
    account_id = sms.account(number)
    sms.client.packagesAdd(account_id, [107], TODAY)  # Pakiet Mini: 1 device, status 1
    sub = sms.sub(number, account_id, 107)
    sms.stb("00:1A:79:00:00:01")
    subnet_id = sms.client.subnetList()[0]["subnet_id"]
    sms.client.stbLink(account_id, "00:1A:79:00:00:01", subnet_id, sub["cust_order_id"])
    sms.client.subscriptionTerminate(account_id, sub["subscription_id"], TODAY)
    sms.ctl.sandbox.setToday("2024-03-16")  # the cancelled order has ended
    refused(lambda: sms.client.accountDel(account_id), 3004,
            "Nie można usunąć konta, do którego przypisane są dekodery STB")


# -- 2.3 packages and subscriptions ---------------------------------------------------------------


def test_packageGetAll_and_packageGetAvail_shapes(sms: Sms) -> None:  # noqa: N802
    groups = sms.client.packageGetAll()
    assert groups and all(set(g) == {"pkgt_name", "packages"} for g in groups)
    packages = [p for g in groups for p in g["packages"]]
    for p in packages:
        for field in ("package_id", "pkg_name", "pkg_desc", "pkg_valid_from", "pkg_valid_to"):
            assert field in p
    assert isinstance(packages[0]["package_id"], int)

    account_id = sms.account(sms.customer())
    avail = sms.client.packageGetAvail(account_id)
    ids = {p["package_id"] for g in avail for p in g["packages"]}
    assert 101 in ids and 199 not in ids  # 199 is no longer on sale
    sms.client.packagesEntitle(account_id, [101], TODAY)
    ids = {p["package_id"] for g in sms.client.packageGetAvail(account_id) for p in g["packages"]}
    assert 101 not in ids and 102 not in ids and 201 in ids  # one base package per account


def test_packagesEntitle_activates_and_packagesAdd_does_not(sms: Sms) -> None:  # noqa: N802
    number = sms.customer()
    account_id = sms.account(number)
    sms.client.packagesEntitle(account_id, [101], "2024/03/01")
    base = sms.sub(number, account_id, 101)
    for field in ("subscription_id", "cust_order_id", "pkg_name", "pkg_class",
                  "pkg_additional_type", "sub_valid_from", "sub_valid_to", "order_status_id"):
        assert field in base
    assert (base["order_status_id"], base["sub_valid_from"], base["sub_valid_to"]) == (
        3, "2024-03-01", None)
    assert base["pkg_class"] == "pkg_base,pkg_device(2)"
    assert base["pkg_additional_type"] == ANY_IPTV

    sms.client.packagesAdd(account_id, [201], TODAY)  # an extra without devices: status 2
    extra = sms.sub(number, account_id, 201)
    assert extra["order_status_id"] == 2
    assert sms.client.subscriptionActivate(account_id, extra["subscription_id"])
    assert sms.sub(number, account_id, 201)["order_status_id"] == 3


def test_package_refusals(sms: Sms) -> None:
    number = sms.customer()
    account_id = sms.account(number)
    refused(lambda: sms.client.packagesAdd(account_id, [201], TODAY), 4014,
            "Pakiet dodatkowy wymaga pakietu podstawowego na koncie")
    refused(lambda: sms.client.packagesEntitle(account_id, [101, 102], TODAY), 4014,
            "Można wybrać tylko jeden pakiet podstawowy")
    refused(lambda: sms.client.packagesAdd(account_id, [999], TODAY), 4001,
            "Pakiet o numerze 999 nie istnieje")
    refused(lambda: sms.client.packagesAdd(account_id, [199], TODAY), 4002,
            "Pakiet Pakiet Startowy nie jest dostępny dla tego konta")
    sms.client.accountLock(account_id)
    refused(lambda: sms.client.packagesEntitle(account_id, [101], TODAY), 3003,
            "Nie można dodać usług do konta z blokadą windykacyjną")


def test_subscriptionActivate_refusals(sms: Sms) -> None:  # noqa: N802
    number = sms.customer()
    account_id = sms.account(number)
    sms.client.packagesAdd(account_id, [101], TODAY)  # has devices: must issue an STB first
    sub = sms.sub(number, account_id, 101)
    assert sub["order_status_id"] == 1
    refused(lambda: sms.client.subscriptionActivate(account_id, sub["subscription_id"]), 4006,
            "Przed aktywacją usługi należy wydać STB")
    other = sms.account(number)
    sms.client.packagesEntitle(other, [107], TODAY)
    active = sms.sub(number, other, 107)
    refused(lambda: sms.client.subscriptionActivate(other, active["subscription_id"]), 4005,
            "Usługa jest już aktywna")
    refused(lambda: sms.client.subscriptionActivate(account_id, active["subscription_id"]), 4003,
            f"Usługa o numerze {active['subscription_id']} nie należy do konta {account_id}")
    refused(lambda: sms.client.subscriptionActivate(account_id, 1), 4003,
            "Usługa o numerze 1 nie istnieje")


def test_subscriptionTerminate_rules(sms: Sms) -> None:  # noqa: N802
    number = sms.customer()
    account_id = sms.account(number)
    sms.client.packagesEntitle(account_id, [107], "2024-01-01")
    sub_id = sms.sub(number, account_id, 107)["subscription_id"]
    refused(lambda: sms.client.subscriptionTerminate(account_id, sub_id, "2024/04/15"), 4004,
            "Usługa może zostać zaterminowana jedynie na koniec okresu rozliczeniowego")
    refused(lambda: sms.client.subscriptionTerminate(account_id, sub_id, "2024-02-29"), 4008,
            "Data terminacji nie może być wcześniejsza niż dzisiejsza")
    assert sms.client.subscriptionTerminate(account_id, sub_id, "2024/03/31", "150,00",
                                            "Przeprowadzka")
    sub = sms.sub(number, account_id, 107)
    assert (sub["sub_valid_to"], sub["term_fee"], sub["term_desc"]) == (
        "2024-03-31", "150.00", "Przeprowadzka")
    refused(lambda: sms.client.subscriptionTerminate(account_id, sub_id, "2024-04-30"), 4007,
            "Usługa została już zaterminowana")


def test_upgrade_and_gift(sms: Sms) -> None:
    number = sms.customer()
    account_id = sms.account(number)
    sms.client.packagesEntitle(account_id, [101], "2023-01-01")
    sub_id = sms.sub(number, account_id, 101)["subscription_id"]
    assert sms.client.getExtraPackagesForSubscription(sub_id) == []

    offer = sms.client.getPackagesForUpgrade(sub_id)
    assert set(offer) == {"packages"}
    targets = {p["package_id"]: p for p in offer["packages"]}
    assert set(targets) == {102, 103, 106}
    first = targets[102]
    assert {"package_id", "pkg_name", "pkg_desc", "upgrade_dates"} <= set(first)
    date0 = first["upgrade_dates"][0]
    assert set(date0) == {"upgrade_date", "termination_fee"}
    assert {"fee_cust_gross", "fee_b2b_netto"} <= set(date0["termination_fee"])
    assert date0["upgrade_date"] == "2024-03-31"

    refused(lambda: sms.client.packageUpgrade(sub_id, 107, "2024-03-31"), 4009,
            "Tej usługi nie można zmienić na pakiet Pakiet Mini")
    refused(lambda: sms.client.packageUpgrade(sub_id, 102, "2024-03-20"), 4010,
            "Niedozwolona data przejścia 2024-03-20 na pakiet Pakiet Rozrywkowy")
    new_sub = sms.client.packageUpgrade(sub_id, 102, "2024/03/31")
    assert isinstance(new_sub, int)
    assert sms.sub(number, account_id, 101)["sub_valid_to"] == "2024-03-31"

    gifts = sms.client.getExtraPackagesForSubscription(new_sub)
    assert gifts and all(set(g) >= {"package_id", "pkg_name", "pkg_desc"} for g in gifts)
    gift_id = gifts[0]["package_id"]
    assert sms.client.addExtraPackageForSubscription(new_sub, gift_id)
    gift = sms.sub(number, account_id, gift_id)
    assert gift["sub_valid_to"] is not None  # gifts end by themselves (3 months)
    refused(lambda: sms.client.addExtraPackageForSubscription(new_sub, gifts[1]["package_id"]),
            4011, f"Pakietu {gifts[1]['pkg_name']} nie można wydać jako prezentu do tej usługi")
    refused(lambda: sms.client.getPackagesForUpgrade(1), 4003, "Usługa o numerze 1 nie istnieje")


# -- 2.4 set-top boxes ----------------------------------------------------------------------------


def test_stb_register_list_link_unlink_remove(sms: Sms) -> None:
    number = sms.customer()
    account_id = sms.account(number)
    sms.stb("00:1A:79:00:00:01")
    sms.stb("00:1A:79:00:00:02")
    assert isinstance(sms.client.stbRegister("00:1A:79:00:00:03", "SN3", "MAG250"), int)
    stock = sms.client.stbGetRegistered("stock")
    assert [s["stb_mac"] for s in stock] == ["00:1A:79:00:00:01", "00:1A:79:00:00:02",
                                             "00:1A:79:00:00:03"]
    for field in ("stb_id", "stb_mac", "stb_serial", "stb_model", "stb_usage", "stb_ip",
                  "cust_number"):
        assert field in stock[0]
    assert sms.client.stbGetRegistered("customer") == []

    sms.client.packagesAdd(account_id, [101], TODAY)
    sub = sms.sub(number, account_id, 101)
    subnet = sms.client.subnetList()[0]
    assert sms.client.stbLink(account_id, "00:1A:79:00:00:01", subnet["subnet_id"],
                              sub["cust_order_id"])
    [on_account] = sms.client.accountGetSTB(account_id)
    assert set(on_account) >= {"stb_mac", "stb_serial", "stb_model", "stb_ip", "subnet_id",
                               "cust_order_id"}
    assert (on_account["stb_mac"], on_account["subnet_id"], on_account["cust_order_id"]) == (
        "00:1A:79:00:00:01", subnet["subnet_id"], sub["cust_order_id"])
    assert on_account["stb_ip"].startswith(subnet["subnet_net"].rsplit(".", 1)[0])
    assert sms.sub(number, account_id, 101)["order_status_id"] == 2  # awaiting activation
    issued = sms.client.stbGetRegistered("customer")
    assert [(s["stb_mac"], s["stb_usage"], s["cust_number"]) for s in issued] == [
        ("00:1A:79:00:00:01", "customer", number)]
    assert len(sms.client.stbGetRegistered()) == 3

    assert sms.client.stbUnlink(account_id, "00:1A:79:00:00:01")
    assert sms.client.accountGetSTB(account_id) == []
    assert sms.client.stbRemove("00:1A:79:00:00:01")
    assert len(sms.client.stbGetRegistered("stock")) == 2


def test_stb_refusals(sms: Sms) -> None:
    number = sms.customer()
    account_id = sms.account(number)
    refused(lambda: sms.client.stbRegister("00-1A-79-00-00-01", "SN1", "VIP1960"), 5001,
            "Nieprawidłowy adres MAC: 00-1A-79-00-00-01. Wymagany format XX:XX:XX:XX:XX:XX")
    sms.stb("00:1A:79:00:00:01")
    refused(lambda: sms.client.stbRegister("00:1A:79:00:00:01", "SN9", "VIP1960"), 5002,
            "STB o adresie MAC 00:1A:79:00:00:01 jest już zarejestrowany")
    refused(lambda: sms.client.stbRegister("00:1A:79:00:00:09", "SN9", "XYZ"), 5010,
            "Nieznany model STB: XYZ. Dozwolone: VIP1910-9, VIP1960, STB-2101H, STB-1001H, "
            "MAG200, MAG250, VIP1003")
    refused(lambda: sms.client.stbRemove("00:1A:79:00:00:99"), 5003,
            "STB o adresie MAC 00:1A:79:00:00:99 nie istnieje")

    sms.client.packagesAdd(account_id, [101], TODAY)  # 2 devices of ANY_IPTV models
    order = sms.sub(number, account_id, 101)["cust_order_id"]
    subnet_id = sms.client.subnetList()[0]["subnet_id"]
    sms.stb("00:1A:79:00:00:0A", "MAG250")
    refused(lambda: sms.client.stbLink(account_id, "00:1A:79:00:00:0A", subnet_id, order), 5007,
            f"Model STB MAG250 nie jest dozwolony dla pakietu Pakiet Wielotematyczny 65 "
            f"(dozwolone: {ANY_IPTV})")
    sms.stb("00:1A:79:00:00:02")
    sms.stb("00:1A:79:00:00:03")
    sms.client.stbLink(account_id, "00:1A:79:00:00:01", subnet_id, order)
    refused(lambda: sms.client.stbLink(account_id, "00:1A:79:00:00:01", subnet_id, order), 5008,
            "STB 00:1A:79:00:00:01 nie znajduje się na magazynie (jest wydany klientowi)")
    sms.client.stbLink(account_id, "00:1A:79:00:00:02", subnet_id, order)
    refused(lambda: sms.client.stbLink(account_id, "00:1A:79:00:00:03", subnet_id, order), 5006,
            f"Do zamówienia {order} wydano już maksymalną liczbę STB (2)")
    refused(lambda: sms.client.stbLink(account_id, "00:1A:79:00:00:03", subnet_id, 1), 5012,
            f"Zamówienie 1 nie istnieje lub nie jest aktywne na koncie {account_id}")
    refused(lambda: sms.client.stbLink(account_id, "00:1A:79:00:00:03", 1, order), 6001,
            "Podsieć o numerze 1 nie istnieje")
    refused(lambda: sms.client.stbRemove("00:1A:79:00:00:01"), 5004,
            "Nie można usunąć STB 00:1A:79:00:00:01, ponieważ jest wydany klientowi")
    other = sms.account(number)
    refused(lambda: sms.client.stbUnlink(other, "00:1A:79:00:00:01"), 5009,
            f"STB 00:1A:79:00:00:01 nie jest przypisany do konta {other}")


def test_sgt_owned_stb_cannot_be_removed(sms: Sms) -> None:
    sms.ctl.sandbox.reset("demo", TODAY)
    owned = [s for s in sms.client.stbGetRegistered("stock") if s.get("stb_owner") == "sgt"]
    assert owned, "the demo seed has SGT-owned boxes in stock"
    mac = owned[0]["stb_mac"]
    refused(lambda: sms.client.stbRemove(mac), 5005,
            f"Nie można usunąć STB {mac} zakupionego przez SGT")


# -- 2.5 subnets ----------------------------------------------------------------------------------


def test_subnetList_and_subnetSplit(sms: Sms) -> None:  # noqa: N802
    subnets = sms.client.subnetList()
    assert subnets and all(set(n) >= {"subnet_id", "subnet_name", "subnet_net", "subnet_mask"}
                           for n in subnets)
    biznes = next(n for n in subnets if n["subnet_name"] == "Biznes")
    assert (biznes["subnet_net"], biznes["subnet_mask"]) == ("10.20.5.0", "255.255.255.192")
    sms.client.subnetSplit(biznes["subnet_id"], "Biznes.1", "Biznes.2")
    after = {n["subnet_name"]: n for n in sms.client.subnetList()}
    assert "Biznes" not in after
    assert (after["Biznes.1"]["subnet_net"], after["Biznes.1"]["subnet_mask"]) == (
        "10.20.5.0", "255.255.255.224")
    assert after["Biznes.2"]["subnet_net"] == "10.20.5.32"


def test_subnet_refusals(sms: Sms) -> None:
    subnet_id = next(n["subnet_id"] for n in sms.client.subnetList() if n["subnet_name"] ==
                     "Biznes")
    refused(lambda: sms.client.subnetSplit(subnet_id, "A", "A"), 6003,
            "Nazwy nowych podsieci muszą się różnić")
    refused(lambda: sms.client.subnetSplit(subnet_id, "A", ""), 6003,
            "Nazwa podsieci jest wymagana (maks. 64 znaków)")
    refused(lambda: sms.client.subnetSplit(1, "A", "B"), 6001,
            "Podsieć o numerze 1 nie istnieje")
    for n in range(4):  # /26 -> /27 -> /28 -> /29 -> /30, which cannot be split
        name = f"B{n}"
        subnet_id = sms.client.subnetSplit(subnet_id, name, f"X{n}")[0]
    refused(lambda: sms.client.subnetSplit(subnet_id, "Y", "Z"), 6002,
            "Podsieci B3 nie można podzielić: jest za mała")


# -- 2.6 messages ---------------------------------------------------------------------------------


def test_messages_send_list_delete(sms: Sms) -> None:
    active = sms.customer()
    sms.client.packagesEntitle(sms.account(active), [107], "2024-03-01")
    idle = sms.customer()
    sent = sms.client.meldingerSend(idle, "Awaria <b>sieci</b>", "2024/03/15", "2024/03/20",
                                    "Szczegóły awarii", "", "", 1, -5)
    assert sent == 1
    [msg] = sms.client.meldingerList(idle)
    for field in ("id", "cust_number", "msg_body", "msg_teaser_impressions",
                  "msg_body_extended", "msg_impressions", "msg_prio", "msg_created_date",
                  "msg_valid_from", "msg_valid_to", "msg_teaser_valid_from",
                  "msg_teaser_valid_to", "msg_status"):
        assert field in msg
    assert (msg["cust_number"], msg["msg_body"], msg["msg_teaser_valid_from"],
            msg["msg_teaser_valid_to"], msg["msg_prio"]) == (
        idle, "Awaria <b>sieci</b>", "2024-03-15", "2024-03-20", 1)

    assert sms.client.meldingerSend(None, "Do wszystkich", TODAY, "", "Treść", "", "", 0, 0) == 1
    assert [m["cust_number"] for m in sms.client.meldingerList(active)] == [active]
    assert len(sms.client.meldingerList()) == 2

    assert sms.client.meldingerDel([msg["id"]]) == 1
    assert sms.client.meldingerList(idle) == []
    sms.client.meldingerSend(active, "Druga", TODAY, "", "Treść", "", "", 2, 0)
    assert len(sms.client.meldingerList(active)) == 2
    assert sms.client.meldingerDelCustomer(active) == 2
    assert sms.client.meldingerList() == []


def test_message_refusals(sms: Sms) -> None:
    number = sms.customer()
    refused(lambda: sms.client.meldingerSend(number, "A", "2024-03-15", "2024-03-01", "B", "",
                                             "", 1, 0),
            7002, "Nieprawidłowa wiadomość: data końca jest wcześniejsza niż data początku")
    refused(lambda: sms.client.meldingerSend("999999999", "A", TODAY, "", "B", "", "", 1, 0),
            2001, "Klient o numerze 999999999 nie istnieje")
    refused(lambda: sms.client.meldingerDel([9999]), 7001,
            "Wiadomość o numerze 9999 nie istnieje")
    refused(lambda: sms.client.meldingerList("999999999"), 2001,
            "Klient o numerze 999999999 nie istnieje")
    refused(lambda: sms.client.meldingerDelCustomer("999999999"), 2001,
            "Klient o numerze 999999999 nie istnieje")


# -- 2.7 billing ----------------------------------------------------------------------------------


def test_billingEventsGet_shapes_and_window(sms: Sms) -> None:  # noqa: N802
    number = sms.customer(ext=42)
    account_id = sms.account(number)
    sms.client.packagesEntitle(account_id, [107], "2024-01-10")
    events = sms.client.billingEventsGet("2024/01/01", "2024-03-31")
    assert [e["be_selling_date"] for e in events] == ["2024-01-10", "2024-02-01", "2024-03-01"]
    fields = {"id", "cust_external_id", "cust_number", "account_id", "package_id",
              "be_selling_date", "be_desc", "be_vat", "be_gross", "be_b2b_netto", "group_id"}
    for e in events:
        assert fields <= set(e)
        assert (e["cust_external_id"], e["cust_number"], e["account_id"], e["package_id"]) == (
            42, number, account_id, 107)
        assert e["be_vat"] == pytest.approx(0.23) and e["be_gross"] == pytest.approx(29.90)
    assert len({e["id"] for e in events}) == 3
    assert sms.client.billingEventsGet("2024-02-01", "2024-02-29") == [events[1]]
    assert sms.client.billingEventsGet("2024-01-01", "2024-03-31", 202402) == [events[1]]
    assert sms.client.billingEventsGet("2023-01-01", "2023-12-31") == []


def test_billingEventsGet_many_events(sms: Sms) -> None:  # noqa: N802
    assert sms.ctl.sandbox.generateBillingEvents(5000, 50, "2024-02-01", 1) == 5000
    events = sms.client.billingEventsGet("2024-02-01", "2024-02-29")
    assert len(events) == 5000 and len({e["id"] for e in events}) == 5000
    assert len({e["cust_number"] for e in events}) == 50


def test_setCustomerPaymentInfo(sms: Sms) -> None:  # noqa: N802
    from decimal import Decimal

    a, b = sms.customer(ext=1), sms.customer(ext=2)
    assert sms.client.setCustomerPaymentInfo("2024/03/15", {
        a: {"cust_total_balance": Decimal("-49.90")}, b: {"cust_total_balance": None}}) == 2
    got = sms.ctl.sandbox.getPaymentInfo()
    assert got["upload_date"] == "2024-03-15"
    assert got["payment_info"] == {a: {"cust_total_balance": "-49.90"},
                                   b: {"cust_total_balance": None}}
    assert sms.client.custList(a)["cust_total_balance"] == "-49.90"
    refused(lambda: sms.client.setCustomerPaymentInfo(TODAY, {
        "999999999": {"cust_total_balance": "1.00"}}), 2001,
        "Klient o numerze 999999999 nie istnieje")


# -- faults injected by the sandbox, end to end ----------------------------------------------------


@pytest.mark.parametrize("kind,reason", [
    ("http500", "SMS sent HTTP 500 (Internal Server Error)"),
    ("http502", "SMS sent HTTP 502 (Bad Gateway)"),
    ("html", "SMS sent an HTML page instead of an XML-RPC reply"),
    ("truncated", "SMS sent an unparsable reply: incomplete XML"),
    ("garbage", "SMS sent an unparsable reply"),
    ("reset", "SMS connection broke off mid-reply after "),
])
def test_sandbox_injected_failures_on_a_write(sms: Sms, kind: str, reason: str) -> None:
    sms.ctl.sandbox.failNext(1, kind)
    with pytest.raises(SmsUnavailable) as info:
        sms.client.stbRegister("00:1A:79:00:00:01", "SN1", "VIP1960")
    assert info.value.reason.startswith(reason)
    if kind == "reset":
        assert info.value.reason.endswith(" (connection reset)")
    assert sms.client.stbGetRegistered() == []  # the failed write did not happen, nor retried


def test_sandbox_injected_502_on_a_read_is_retried(sms: Sms) -> None:
    sms.ctl.sandbox.failNext(1, "http502")
    assert len(sms.client.subnetList()) == 5
    calls = [c["method"] for c in sms.ctl.sandbox.getCalls()]
    assert calls[-2:] == ["subnetList", "subnetList"]


def test_sandbox_injected_fault_is_verbatim(sms: Sms) -> None:
    sms.ctl.sandbox.failNext(1, "fault", 4242, "Błąd wewnętrzny: spróbuj ponownie później")
    refused(sms.client.packageGetAll, 4242, "Błąd wewnętrzny: spróbuj ponownie później")


def test_sandbox_injected_timeout(sandbox, sms: Sms) -> None:
    client = SmsClient(sandbox.url, sandbox.login, sandbox.password_md5, http_timeout=1.0)
    sms.ctl.sandbox.failNext(1, "timeout")
    started = time.monotonic()
    with pytest.raises(SmsUnavailable, match="^SMS did not answer within 1 s$"):
        client.packageGetAll()
    assert time.monotonic() - started < 2.0
    client.close()
