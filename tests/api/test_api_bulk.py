"""Bulk actions over HTTP: preview lists the group, a run touches exactly its members, dry-run
changes nothing, a re-run changes nothing more, bad input is a 400/404 (both engines)."""

from __future__ import annotations

from tests.lmsrows import insert_group


def _group(bridge, name: str, members: list[int]) -> None:
    db = bridge.db()
    try:
        insert_group(db, name, members)
    finally:
        db.close()


def test_preview_run_dry_run_and_rerun(bridge, linked, add_customer):
    other = add_customer()
    _group(bridge, "Blok 7", [linked["id"], other])
    r = bridge.get("/api/v1/bulk/preview", params={"group": "Blok 7"})
    assert r.status_code == 200, r.text
    data = r.json()["data"]
    assert (data["count"], data["linked"]) == (2, 1)
    assert {c["id"] for c in data["customers"]} == {linked["id"], other}

    r = bridge.post("/api/v1/bulk/lock", json={"group": "Blok 7", "dry_run": True})
    assert r.status_code == 200 and len(r.json()["data"]["changed"]) == 1
    acc = bridge.get(f"/api/v1/customers/{linked['id']}/accounts").json()["data"]
    assert acc["accounts"][0]["locked"] is False
    r = bridge.post("/api/v1/bulk/lock", json={"group": "Blok 7"})
    assert r.json()["data"]["changed"] == [
        f"LMS customer {linked['id']}: account {linked['account_id']} locked"]
    acc = bridge.get(f"/api/v1/customers/{linked['id']}/accounts").json()["data"]
    assert acc["accounts"][0]["locked"] is True  # the cache was cleaned
    assert bridge.post("/api/v1/bulk/lock", json={"group": "Blok 7"}).json()["data"][
        "changed"] == []
    line = bridge.audit()[-1]
    assert (line["action"], line["params"]["bulk_group"]) == ("account.lock", "Blok 7")


def test_groups_for_the_screen(bridge, linked, add_customer):
    other = add_customer()
    _group(bridge, "Żabia", [linked["id"], other])
    _group(bridge, "Łąkowa", [other])
    r = bridge.get("/api/v1/bulk/groups")
    assert r.status_code == 200, r.text
    ours = [g for g in r.json()["data"]["groups"] if g["name"] in ("Żabia", "Łąkowa")]
    assert [(g["name"], g["customers"], g["linked"]) for g in ours] == [
        ("Łąkowa", 1, 0), ("Żabia", 2, 1)]
    assert all(isinstance(g["id"], int) for g in ours)


def test_bad_input_changes_nothing(bridge, linked):
    assert bridge.get("/api/v1/bulk/preview", params={"group": "Nie ma"}).status_code == 404
    assert bridge.post("/api/v1/bulk/lock", json={}).status_code == 400
    assert bridge.post("/api/v1/bulk/explode", json={"group": "x"}).status_code == 404
    r = bridge.post("/api/v1/bulk/add-package", json={"group": "x", "package": "abc"})
    assert r.status_code == 400 and "package" in r.json()["error"]["fields"]
    assert bridge.audit() == [] or all(x["action"] != "account.lock" for x in bridge.audit())
