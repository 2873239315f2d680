"""TV → Akcje grupowe, run like LMS runs it: the group's customers and count before the
confirmation; only a POST with the session token and the full TV right changes SMS."""

from __future__ import annotations

from bridge.lms.db import connect
from tests.php.test_shim_modules import SESSION, TOKEN, add_lms_customer

ADDRESS = {"cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "",
           "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"}


def _setup(bridge, cfg) -> tuple[int, int]:
    cid = add_lms_customer(cfg, lastname="<b>Nowak</b>")
    bridge.call("POST", f"/customers/{cid}/accounts", json=ADDRESS)
    other = add_lms_customer(cfg)
    db = connect(cfg)
    try:
        gid = db.insert_id("INSERT INTO customergroups (name, description) VALUES ('Blok 7', '')",
                           [], "customergroups")
        for c in (cid, other):
            db.execute("INSERT INTO customerassignments (customergroupid, customerid) VALUES "
                       "(%s, %s)", [gid, c])
    finally:
        db.close()
    return cid, other


def _locked(bridge, cid: int) -> bool:
    return bridge.call("GET", f"/customers/{cid}/accounts",
                       params={"fresh": 1})["accounts"][0]["locked"]


def test_preview_then_confirm(run_module, bridge, lms_db_config) -> None:
    cid, _ = _setup(bridge, lms_db_config)
    out = run_module("tvbulk", get={"group": "Blok 7", "tvbulkaction": "lock"}, session=SESSION)
    assert out["problems"] == [], out["problems"]
    html = out["html"]
    assert "2 klientów, powiązanych z SMS: 1" in html and "brak — pominięty" in html
    assert "<b>Nowak</b>" not in html and 'name="lmstv_token"' in html
    assert "Potwierdź: Wstrzymaj usługi — 1 klientów" in html
    assert not _locked(bridge, cid)  # showing the preview changes nothing

    post = {"group": "Blok 7", "tvbulkaction": "lock"}
    forged = run_module("tvbulk", method="POST", post={**post, "lmstv_token": "x" * 32},
                        session=SESSION)
    assert forged["redirect"] is None and not _locked(bridge, cid)
    ro = run_module("tvbulk", method="POST", post={**post, "lmstv_token": TOKEN},
                    session=SESSION, privileges=("tv_read_only",))
    assert ro["redirect"] is None and not _locked(bridge, cid)
    assert 'name="lmstv_token"' not in run_module(
        "tvbulk", get={"group": "Blok 7"}, session=SESSION,
        privileges=("tv_read_only",))["html"]

    done = run_module("tvbulk", method="POST", post={**post, "lmstv_token": TOKEN},
                      session=SESSION)
    assert done["redirect"], done["html"]
    assert _locked(bridge, cid)


def test_unknown_group_is_a_clear_message(run_module, bridge) -> None:
    out = run_module("tvbulk", get={"group": "Nie ma"}, session=SESSION)
    assert out["problems"] == [], out["problems"]
    assert "W LMS nie ma grupy klientów" in out["html"] and "Potwierdź" not in out["html"]
