"""The billing-event list: shared filter logic, and GET /api/v1/billing/events over real HTTP."""

from __future__ import annotations

from datetime import date

import pytest

from bridge.billing.dates import RunClock
from bridge.billing.events import FilterError, list_events, parse_filter
from bridge.billing.invoicing import InvoicingOptions, run_invoicing

from .conftest import event, ts
from .helpers import store


@pytest.fixture
def invoiced(billing_db, lms):
    div = lms.division()
    lms.plan(divisions=(div,))
    tariff = lms.tariff()
    lms.tax("23.00")
    lms.customer(1, division=div, tv="100000001", lastname="Kowalski", name="Jan")
    store(billing_db, [
        event(1, ext=1, be_selling_date="2024-03-01", be_gross="10.00", be_b2b_netto=4,
              group_id=11),
        event(2, ext=1, be_selling_date="2024-03-15", be_gross="20.50", be_b2b_netto="8.25",
              group_id=11),
        event(3, "100000009", ext=9, be_selling_date="2024-03-20", be_gross="5.00",
              be_b2b_netto=None, group_id=12),
        event(4, ext=1, be_selling_date="2024-04-02", be_gross="1.00", group_id=13)])
    run_invoicing(billing_db, InvoicingOptions(tariff_id=tariff, mode="separate"),
                  RunClock(date(2024, 4, 1), ts(date(2024, 4, 1))))
    return billing_db


def test_filters_sort_paging_totals(invoiced):
    db = invoiced
    page = list_events(db, parse_filter({"date_from": "2024/03/01", "date_to": "2024-03-31"}))
    assert [e["beid"] for e in page["events"]] == [1, 2, 3]
    assert page["totals"] == {"be_gross": "35.50", "be_b2b_netto": "12.25"}
    first = page["events"][0]
    assert first["customer"]["name"] == "Kowalski Jan" and first["customer"]["id"] == 1
    assert first["invoice"]["number"] == "1/TV/04/2024"
    assert first["invoice"]["link"] == f"?m=invoice&id={first['invoice']['id']}"
    skipped = list_events(db, parse_filter({"not_invoiced": "1"}))
    assert [(e["beid"], e["skip_reason"]) for e in skipped["events"]] == [
        (3, "no_customer"), (4, None)]  # 4 is dated after the run day
    assert skipped["events"][0]["customer"]["id"] is None
    report = list_events(db, parse_filter({"group_id": "11", "sort": "be_gross",
                                           "direction": "desc"}))
    assert [e["beid"] for e in report["events"]] == [2, 1]
    paged = list_events(db, parse_filter({"per_page": "3", "page": "2"}))
    assert [e["beid"] for e in paged["events"]] == [4] and paged["pages"] == 2
    assert paged["total"] == 4 and paged["totals"]["be_gross"] == "36.50"
    by_customer = list_events(db, parse_filter({"customerid": "1", "sort": "invoice"}))
    assert {e["beid"] for e in by_customer["events"]} == {1, 2, 4}


@pytest.mark.parametrize("params,field", [
    ({"sort": "be_gross; DROP TABLE documents"}, "sort"),
    ({"direction": "sideways"}, "direction"),
    ({"group_id": "1 OR 1=1"}, "group_id"),
    ({"date_from": "2024-13-01"}, "date_from"),
    ({"per_page": "100000"}, "per_page"),
    ({"evil": "1"}, "evil"),
    ({"page": "\u00b2"}, "page"),  # '²' passes str.isdigit() but int() refuses it
    ({"customerid": "\u0661"}, "customerid"),  # Arabic-Indic one: not an LMS id
    ({"page": str(10**17)}, "page"),  # OFFSET beyond bigint
    ({"group_id": str(2**64)}, "group_id"),
    ({"customerid": str(2**31)}, "customerid"),
])
def test_bad_filters_rejected(params, field):
    with pytest.raises(FilterError) as info:
        parse_filter(params)
    assert info.value.field == field


def test_api_events(invoiced, request, tmp_path, sandbox, lms_db_config):
    from tests.api.conftest import make_config, start_bridge

    bridge = start_bridge(request, make_config(tmp_path, sandbox, lms_db_config))
    r = bridge.get("/api/v1/billing/events", params={"date_from": "2024-03-01",
                                                     "not_invoiced": "0", "per_page": 2})
    assert r.status_code == 200, r.text
    body = r.json()
    assert [e["beid"] for e in body["data"]] == [1, 2]
    assert body["meta"]["total"] == 4 and body["meta"]["pages"] == 2
    assert body["meta"]["totals"]["be_gross"] == "36.50"
    for key in ("direction", "order"):
        desc = bridge.get("/api/v1/billing/events", params={"sort": "beid", key: "desc"})
        assert [e["beid"] for e in desc.json()["data"]][:2] == [4, 3], key
    # both spellings at once: `direction` wins, `order` is not taken for a sort column
    both = bridge.get("/api/v1/billing/events", params={"direction": "desc", "order": "asc"})
    assert both.status_code == 200, both.text
    assert [e["beid"] for e in both.json()["data"]][:2] == [4, 3]
    bad = bridge.get("/api/v1/billing/events", params={"direction": "desc", "order": "up"})
    assert bad.status_code == 400 and list(bad.json()["error"]["fields"]) == ["order"]
    bad = bridge.get("/api/v1/billing/events", params={"sort": "1; DROP TABLE cash"})
    assert bad.status_code == 400
    assert bad.json()["error"]["fields"] == {"sort": "Nie można sortować po tej kolumnie."}
    for params in ({"page": "\u00b2"}, {"page": str(10**17)}, {"group_id": str(2**64)}):
        r = bridge.get("/api/v1/billing/events", params=params)
        assert r.status_code == 400, (params, r.status_code, r.text)
        assert list(r.json()["error"]["fields"]) == list(params)
    assert bridge.get("/api/v1/billing/events", secret=None).status_code in (401, 403)


def test_text_sorts_are_polish_and_natural_and_pages_do_not_overlap(billing_db, lms):
    # PostgreSQL's collation is the cluster's locale and MariaDB's is not Polish either
    div = lms.division()
    names = {1: "Żak", 2: "Zając", 3: "Łukasz", 4: "Lis", 5: "Górska", 6: "Grabowska",
             7: "Ćwik", 8: "Czarny", 9: "żak"}
    for cid, lastname in names.items():
        lms.customer(cid, division=div, tv=f"{cid * 5}", lastname=lastname, name="Jan")
    events, beid = [], 0
    for cid in names:
        for _ in range(cid % 3 + 1):  # uneven group sizes, so pages cut through groups
            beid += 1
            events.append(event(beid, str(cid * 5), ext=cid, be_desc=f"Pakiet {cid}"))
    store(billing_db, events)
    order = ["Czarny", "Ćwik", "Górska", "Grabowska", "Lis", "Łukasz", "Zając", "Żak", "żak"]
    for direction in ("asc", "desc"):
        full = list_events(billing_db, parse_filter({"sort": "customer", "direction": direction,
                                                     "per_page": "500"}))["events"]
        got = [e["customer"]["name"].split()[0] for e in full]
        want = sorted(got, key=lambda n: order.index(n), reverse=direction == "desc")
        assert [n.lower() for n in got] == [n.lower() for n in want]
        paged = []
        for page in range(1, 6):
            paged += list_events(billing_db, parse_filter({
                "sort": "customer", "direction": direction, "per_page": "4",
                "page": str(page)}))["events"]
        assert [e["beid"] for e in paged] == [e["beid"] for e in full]
    # numbers compare as numbers: SMS number 5 before 10 (text order puts "10" first)
    by_number = list_events(billing_db, parse_filter({"sort": "cust_number", "per_page": "500"}))
    numbers = [int(e["cust_number"]) for e in by_number["events"]]
    assert numbers == sorted(numbers)
