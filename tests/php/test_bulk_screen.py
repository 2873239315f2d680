"""TV → Akcje grupowe, run like LMS runs it: the group's customers and count before the
confirmation; only a POST with the session token and the full TV right changes SMS."""

from __future__ import annotations

from bridge.lms.db import connect
from tests.lmsrows import insert_group
from tests.php.test_shim_modules import SESSION, TOKEN, add_lms_customer

ADDRESS = {"cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "",
           "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"}


def _setup(bridge, cfg) -> tuple[int, int]:
    cid = add_lms_customer(cfg, lastname="<b>Nowak</b>")
    bridge.call("POST", f"/customers/{cid}/accounts", json=ADDRESS)
    other = add_lms_customer(cfg)
    _add_group(cfg, "Blok 7", (cid, other))
    return cid, other


def _locked(bridge, cid: int) -> bool:
    return bridge.call("GET", f"/customers/{cid}/accounts",
                       params={"fresh": 1})["accounts"][0]["locked"]


def test_preview_then_confirm(run_module, bridge, lms_db_config) -> None:
    cid, _ = _setup(bridge, lms_db_config)
    out = run_module("tvbulk", get={"group": "Blok 7", "tvbulkaction": "lock"}, session=SESSION)
    assert out["problems"] == [], out["problems"]
    html = out["html"]
    assert "— klienci: 2, powiązani z SMS: 1" in html and "brak — pominięty" in html
    assert "<b>Nowak</b>" not in html and 'name="lmstv_token"' in html
    assert "Potwierdź: Wstrzymaj usługi — klienci w SMS: 1" in html
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


def _add_group(cfg, name: str, members: tuple[int, ...] = ()) -> None:
    db = connect(cfg)
    try:
        insert_group(db, name, members)
    finally:
        db.close()


def _options(html: str, name: str) -> list[str]:
    select = html.split(f'<SELECT name="{name}">', 1)[1].split("</SELECT>", 1)[0]
    return [" ".join(o.split(">", 1)[1].replace("</OPTION>", "").split())
            for o in select.split("<OPTION")[1:]]


def test_groups_and_packages_are_picked_from_lists(run_module, bridge, lms_db_config) -> None:
    _setup(bridge, lms_db_config)
    _add_group(lms_db_config, "Żabia <i>7</i>")
    _add_group(lms_db_config, "Łąkowa")
    out = run_module("tvbulk", get={"group": "Blok 7", "tvbulkaction": "add-package"},
                     session=SESSION)
    assert out["problems"] == [], out["problems"]
    html = out["html"]
    groups = _options(html, "group")
    assert groups[0].startswith("— wybierz grupę —")
    # in the bridge's order (Polish: tests/cutoff/test_bulk.py), with counts, names escaped
    assert [g for g in groups if not g.startswith("—")] == [
        "Blok 7 (klienci: 2, w SMS: 1)", "Łąkowa (klienci: 0, w SMS: 0)",
        "Żabia &lt;i&gt;7&lt;/i&gt; (klienci: 0, w SMS: 0)"], groups
    assert '<OPTION value="Blok 7" selected>' in html  # the group asked stays chosen
    packages = _options(html, "package")
    assert packages[0].startswith("— wybierz pakiet —") and len(packages) > 2
    assert any("(ID 101)" in p for p in packages), packages
    assert "<OPTGROUP label=" in html and "— klienci: 2, powiązani z SMS: 1" in html


def test_no_groups_says_where_to_add_one(run_module, bridge, lms_db_config) -> None:
    out = run_module("tvbulk", session=SESSION)
    assert out["problems"] == [], out["problems"]
    assert "W LMS nie ma grup klientów: dodaj grupę w Klienci → Grupy." in out["html"]
    assert '<SELECT name="group">' not in out["html"]


def test_sms_down_still_lists_groups_and_previews(run_module, bridge, lms_db_config,
                                                  sms_down_bridge) -> None:
    _setup(bridge, lms_db_config)
    out = run_module("tvbulk", get={"group": "Blok 7"}, session=SESSION, url=sms_down_bridge)
    assert out["problems"] == [], out["problems"]
    html = out["html"]
    assert "Blok 7 (klienci: 2, w SMS: 1)" in html and "— klienci: 2, powiązani z SMS: 1" in html
    # the packages come from SMS: the field is typed in instead
    assert '<SELECT name="package">' not in html and 'name="package" size="6"' in html


def test_bridge_down_falls_back_to_typing_the_group(run_module) -> None:
    out = run_module("tvbulk", get={"group": "Blok 7"}, session=SESSION,
                     url="http://127.0.0.1:9")
    assert out["problems"] == [], out["problems"]
    html = out["html"]
    assert "Brak połączenia z mostkiem lmstv" in html
    assert '<INPUT type="text" name="group" value="Blok 7">' in html


def test_message_with_its_extended_text(run_module, bridge, lms_db_config) -> None:
    cid, _ = _setup(bridge, lms_db_config)
    form = {"group": "Blok 7", "tvbulkaction": "message", "body": "Przerwa techniczna",
            "extended": "Przerwa techniczna w nocy 2:00–4:00 <b>całe osiedle</b>"}
    html = run_module("tvbulk", get=form, session=SESSION)["html"]
    # the confirmation carries both texts (escaped) to the POST
    assert '<INPUT type="hidden" name="extended" value="Przerwa techniczna w nocy 2:00–4:00 ' \
           '&lt;b&gt;całe osiedle&lt;/b&gt;">' in html
    done = run_module("tvbulk", method="POST", post={**form, "lmstv_token": TOKEN},
                      session=SESSION)
    assert done["redirect"], done["html"]
    [msg] = bridge.call("GET", f"/customers/{cid}/messages", params={"fresh": 1})["items"]
    assert (msg["msg_body"], msg["msg_body_extended"]) == (
        "Przerwa techniczna", "Przerwa techniczna w nocy 2:00–4:00 <b>całe osiedle</b>")
