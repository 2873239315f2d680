"""The TV box marks accounts locked by follow-cutoff; an operator's own lock/unlock through the
bridge takes the account over, so follow-cutoff never unlocks it (both engines)."""

from __future__ import annotations

from bridge.cutoff.follow import follow_cutoff
from bridge.cutoff.settings import CutoffSettings
from bridge.sms.client import SmsClient


def _block(db, cid: int, access: int) -> None:
    if not db.scalar("SELECT COUNT(*) FROM nodes WHERE ownerid = %s", [cid]):
        net = db.insert_id("INSERT INTO networks (name, address, mask) VALUES ('LAN', "
                           "167772160, '255.0.0.0')", [], "networks")
        db.execute("INSERT INTO nodes (name, ipaddr, ownerid, access, netid) VALUES "
                   "('N1', 167772161, %s, %s, %s)", [cid, access, net])
    db.execute("UPDATE nodes SET access = %s WHERE ownerid = %s", [access, cid])


def _follow(bridge, sandbox):
    db = bridge.db()
    try:
        with SmsClient(sandbox.url, sandbox.login, sandbox.password_md5) as sms:
            return follow_cutoff(db, sms, CutoffSettings(), lambda *a: None)
    finally:
        db.close()


def test_box_says_locked_automatically_and_operator_takeover_sticks(bridge, sandbox, linked):
    cid, aid = linked["id"], linked["account_id"]
    db = bridge.db()
    try:
        _block(db, cid, 0)
    finally:
        db.close()
    assert _follow(bridge, sandbox).locked == [(cid, aid)]
    page = bridge.get(f"/api/v1/customers/{cid}/tv", params={"fresh": 1}).json()["data"]
    acc = page["accounts"][0]
    assert acc["locked"] and acc["auto_lock"]["label"].startswith(
        "wstrzymane automatycznie (blokada w LMS od 20")

    # The operator unlocks and locks again by hand: the lock is theirs now.
    assert bridge.post(f"/api/v1/customers/{cid}/accounts/{aid}/unlock").status_code == 200
    assert bridge.post(f"/api/v1/customers/{cid}/accounts/{aid}/lock").status_code == 200
    page = bridge.get(f"/api/v1/customers/{cid}/tv").json()["data"]
    assert page["accounts"][0]["auto_lock"] is None
    db = bridge.db()
    try:
        _block(db, cid, 1)
    finally:
        db.close()
    assert _follow(bridge, sandbox).unlocked == []
    page = bridge.get(f"/api/v1/customers/{cid}/tv").json()["data"]
    assert page["accounts"][0]["locked"] is True
