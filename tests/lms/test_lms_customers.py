"""bridge.lms.customers on migrated LMS 1.11.17 and LMS 28 databases (PostgreSQL and MariaDB)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from bridge.lms import customers as cu
from tests.conftest import FLAVOURS
from tests.lmsrows import insert_phone

from .test_lms_migrate import add_customer

pytestmark = pytest.mark.parametrize("lms_flavour", FLAVOURS)


def add_contact(db, customerid, phone, ctype=None, name=""):
    insert_phone(db, customerid, phone, ctype, name)


def add_cash(db, customerid, value):
    db.execute("INSERT INTO cash (time, value, customerid, comment) VALUES (1, %s, %s, '')",
               [Decimal(value), customerid])


def test_get_customer_and_by_tv_number(migrated_db):
    db = migrated_db
    cid = add_customer(db, "Wójcik", "Żaneta", status=3, divisionid=2, email="z@example.pl",
                       ssn="80010112345", icn="ABC123456", address="ul. Długa 12/3",
                       zip="00-950", city="Łódź", paytime=14)
    cu.link_tv_number(db, cid, "673041502")
    row = cu.get_customer(db, cid)
    assert row["id"] == cid and row["lastname"] == "Wójcik" and row["name"] == "Żaneta"
    assert row["status"] == 3 and row["deleted"] == 0 and row["divisionid"] == 2
    assert row["tv_cust_number"] == "673041502" and row["tv_suspend_billing"] == 0
    assert row["city"] == "Łódź" and row["paytime"] == 14 and row["post_address"] is None
    assert set(cu.CUSTOMER_COLUMNS) <= set(row)
    assert cu.get_customer_by_tv_number(db, " 673041502 ")["id"] == cid
    assert cu.get_customer_by_tv_number(db, "999") is None
    assert cu.get_customer_by_tv_number(db, "") is None
    assert cu.get_customer(db, cid + 1000) is None


def test_list_reads_and_balances(migrated_db):
    db = migrated_db
    a = add_customer(db, "Adamska", address="Kwiatowa 4a", zip="11-111", city="Kraków")
    b = add_customer(db, "Bąk", deleted=1)
    c = add_customer(db, "Cichy")
    add_cash(db, a, "100.10")
    add_cash(db, a, "-30.05")
    add_cash(db, b, "-19.99")
    cu.link_tv_number(db, a, "1001")
    cu.link_tv_number(db, b, "1002")
    rows = cu.customers_by_ids(db, [a, b, c, c, 999999])
    assert set(rows) == {a, b, c}
    assert rows[a]["balance"] == Decimal("70.05") and rows[a]["address"] == "Kwiatowa 4a"
    assert rows[b]["balance"] == Decimal("-19.99") and rows[b]["deleted"] == 1
    assert rows[c]["balance"] == Decimal("0.00")
    assert cu.customers_by_ids(db, []) == {}
    by_number = cu.customers_by_tv_numbers(db, ["1001", "1002", "1003", "", None])
    assert {k: v["id"] for k, v in by_number.items()} == {"1001": a, "1002": b}
    assert cu.balances_by_ids(db, [a, b, c]) == {a: Decimal("70.05"), b: Decimal("-19.99")}
    assert cu.customer_balance(db, a) == Decimal("70.05")
    assert cu.customer_balance(db, c) == Decimal("0.00")


def test_list_reads_handle_more_ids_than_one_chunk(migrated_db):
    db = migrated_db
    ids = [add_customer(db, f"K{i}") for i in range(3)]
    many = list(range(100000, 100000 + 2500)) + ids
    assert set(cu.customers_by_ids(db, many)) == set(ids)


def test_sms_customer_data_maps_the_1_11_17_row(migrated_db):
    db = migrated_db
    cid = add_customer(db, "Wiśniewska", "Małgorzata", email="m@example.pl", ssn="80010112345",
                       icn="ABC123456", address="Al. Jana Pawła II 5 m. 7", zip="00-950",
                       city="Warszawa", post_address="os. Tysiąclecia 12/34",
                       post_zip="40-001", post_city="Katowice")
    add_contact(db, cid, "22 123 45 67")          # landline (type NULL)
    add_contact(db, cid, "22 765 43 21", ctype=2)  # fax: never sent
    add_contact(db, cid, "601 000 001", ctype=1)   # mobile
    add_contact(db, cid, "601 000 002", ctype=1)   # third phone: only two are sent
    data = cu.sms_customer_data(db, cid)
    assert data == {
        "cust_name": "Małgorzata", "cust_surname": "Wiśniewska", "cust_pesel": "80010112345",
        "cust_valid_num": "ABC123456",
        "cust_m_street": "Al. Jana Pawła II", "cust_m_home_nr": "5", "cust_m_flat": "7",
        "cust_m_postal_code": "00-950", "cust_m_city": "Warszawa",
        "cust_c_street": "os. Tysiąclecia", "cust_c_home_nr": "12", "cust_c_flat": "34",
        "cust_c_postal_code": "40-001", "cust_c_city": "Katowice",
        "cust_email": "m@example.pl", "cust_phone1": "22 123 45 67",
        "cust_phone2": "601 000 001", "cust_external_id": cid,
    }


def test_sms_customer_data_falls_back_to_the_main_address(migrated_db):
    db = migrated_db
    cid = add_customer(db, "Nowak", "Jan", address="Kwiatowa 4a", zip="", city="Wieś",
                       post_address="", post_city="")
    add_contact(db, cid, "22 765 43 21", ctype=2)
    data = cu.sms_customer_data(db, cid)
    assert (data["cust_m_street"], data["cust_m_home_nr"], data["cust_m_flat"]) == \
        ("Kwiatowa", "4a", ".")
    assert (data["cust_c_street"], data["cust_c_home_nr"], data["cust_c_flat"]) == \
        ("Kwiatowa", "4a", ".")
    assert data["cust_m_postal_code"] == "." and data["cust_c_postal_code"] == "."
    assert data["cust_c_city"] == "Wieś"
    assert data["cust_phone1"] == "" and data["cust_phone2"] == "" and data["cust_email"] == ""
    with pytest.raises(cu.CustomerNotFound):
        cu.sms_customer_data(db, cid + 1000)


def test_link_is_unique_and_checked(migrated_db):
    db = migrated_db
    a = add_customer(db, "A")
    b = add_customer(db, "B")
    cu.link_tv_number(db, a, "673041502")
    cu.link_tv_number(db, a, "673041502")  # same link again: fine
    with pytest.raises(cu.LinkConflict) as err:
        cu.link_tv_number(db, b, "673041502")
    assert err.value.customer_id == a and "673041502" in str(err.value)
    assert cu.get_customer(db, b)["tv_cust_number"] is None
    for bad in ("", "   ", "12 34", "1" * 21, "67'; DROP TABLE customers; --", None):
        with pytest.raises(cu.InvalidTvNumber):
            cu.link_tv_number(db, b, bad)
    assert cu.get_customer(db, b)["tv_cust_number"] is None
    with pytest.raises(cu.CustomerNotFound):
        cu.link_tv_number(db, b + 1000, "777")
    assert cu.get_customer_by_tv_number(db, "777") is None
    assert cu.unlink_tv_number(db, a) == "673041502"
    assert cu.unlink_tv_number(db, a) is None
    cu.link_tv_number(db, b, "673041502")
    assert cu.get_customer_by_tv_number(db, "673041502")["id"] == b
    with pytest.raises(cu.CustomerNotFound):
        cu.unlink_tv_number(db, b + 1000)


def test_unique_index_backs_up_a_racing_link(migrated_db):
    """If the number appears between our check and the UPDATE, the index still refuses it."""
    db = migrated_db
    a = add_customer(db, "A")
    b = add_customer(db, "B")
    db.execute("UPDATE customers SET tv_cust_number = '42' WHERE id = %s", [a])
    # Bypass the Python check: call the UPDATE path through the index directly.
    with pytest.raises(cu.LinkConflict) as err:
        original = db.scalar

        def blind_scalar(sql, params=None):
            if "id <> %s" in sql:
                return None
            return original(sql, params)

        db.scalar = blind_scalar
        try:
            cu.link_tv_number(db, b, "42")
        finally:
            db.scalar = original
    assert err.value.customer_id == a
    assert cu.get_customer(db, b)["tv_cust_number"] is None


def test_suspend_billing_flag(migrated_db):
    db = migrated_db
    cid = add_customer(db)
    cu.set_suspend_billing(db, cid, True)
    assert cu.get_customer(db, cid)["tv_suspend_billing"] == 1
    cu.set_suspend_billing(db, cid, False)
    assert cu.get_customer(db, cid)["tv_suspend_billing"] == 0
    with pytest.raises(cu.CustomerNotFound):
        cu.set_suspend_billing(db, cid + 1000, True)


def test_customer_groups(migrated_db):
    db = migrated_db
    a, b, c = (add_customer(db, n) for n in ("A", "B", "C"))
    gids = {}
    for name in ("TV Kablowa", "Internet", "Pusta"):
        gids[name] = db.insert_id("INSERT INTO customergroups (name, description) "
                                  "VALUES (%s, '')", [name], "customergroups")
    for gid, cid in ((gids["TV Kablowa"], a), (gids["TV Kablowa"], b), (gids["Internet"], b),
                     (gids["Internet"], c)):
        db.execute("INSERT INTO customerassignments (customergroupid, customerid) "
                   "VALUES (%s, %s)", [gid, cid])
    groups = cu.customer_groups(db)
    assert [(g["name"], g["customers"]) for g in groups] == \
        [("Internet", 2), ("Pusta", 0), ("TV Kablowa", 2)]
    assert cu.customer_ids_in_groups(db, ["tv kablowa"]) == {a, b}
    assert cu.customer_ids_in_groups(db, ["TV KABLOWA", "internet"]) == {a, b, c}
    assert cu.customer_ids_in_groups(db, ["Pusta", "nie ma"]) == set()
    assert cu.customer_ids_in_groups(db, []) == set()
    assert cu.customer_ids_in_groups(db, ["x') OR 1=1 --"]) == set()
