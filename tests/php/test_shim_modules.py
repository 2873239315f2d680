"""The shim's modules and templates, run like LMS runs them (tests/php/harness.php: real Smarty 3,
LMS's globals), against a real bridge, the real sandbox and a real LMS 1.11.17 database."""

from __future__ import annotations

import re
from typing import Any

import pytest

from bridge.lms.db import connect
from tests.support import add_lms_customer as insert_customer

TOKEN = "t" * 32
SESSION = {"lmstv_csrf": TOKEN}


def add_lms_customer(cfg, **fields: Any) -> int:
    db = connect(cfg)
    try:
        return insert_customer(db, **fields)
    finally:
        db.close()


def page(run_module, cid: int, **kw: Any) -> dict:
    info = {"id": cid, "address": "ul. Polna 12/3", "zip": "30-001", "city": "Kraków",
            "deleted": 0}
    out = run_module("customerinfo", customerid=cid, customerinfo=info, session=SESSION, **kw)
    assert out["problems"] == [], out["problems"]
    return out


def act(run_module, cid: int, action: str, **post: Any) -> dict:
    return page(run_module, cid, method="POST",
                post={"lmstv_token": TOKEN, "tvaction": action, **post})


def text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def test_customer_page_every_action(run_module, bridge, sandbox, lms_db_config) -> None:
    sandbox.control().sandbox.setToday("2025-01-10")
    cid = add_lms_customer(lms_db_config, name="<b>Ewa</b>")
    first = page(run_module, cid)
    assert "Klient nie jest jeszcze w SMS" in first["html"] and "Eksport do SMS" in first["html"]

    out = act(run_module, cid, "export")
    assert out["redirect"] == f"?m=customerinfo&id={cid}#tvaccountbox"
    assert "Dodano klienta do SMS" in out["session"]["lmstv_notice"]
    tv = bridge.call("GET", f"/customers/{cid}/tv")
    number = tv["customer"]["tv_cust_number"]
    assert number and tv["customer"]["linked"]

    shown = page(run_module, cid)["html"]
    assert "Numer klienta: " in shown and number in shown

    # PINs: the bridge's Polish validation text is shown and the input kept
    bad = act(run_module, cid, "pins", cust_vod_pin="12a4", cust_master_pin="5678")
    assert bad["redirect"] is None and "Niepoprawne dane" in bad["html"]
    assert 'value="12a4"' in bad["html"]
    assert act(run_module, cid, "pins", cust_vod_pin="0123", cust_master_pin="9876")["redirect"]
    assert bridge.call("GET", f"/customers/{cid}/pins")["cust_vod_pin"] == "0123"

    address = {"cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "3",
               "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"}
    assert act(run_module, cid, "account_add", **address)["redirect"]
    acc = bridge.call("GET", f"/customers/{cid}/tv")["accounts"][0]
    aid = acc["account_id"]
    shown = page(run_module, cid)["html"]
    assert f"Konto numer: {number}/{aid}" in text(shown) and "Usuń" in shown
    # LMS 1.11.17's look (the shim's tvboxhead/tvbutton/tvicon.html): an lmsbox table, link
    # buttons and 1.11.17's images; nothing of current LMS's (the plugin's) look
    assert '<TABLE class="lmsbox" id="tvaccountbox">' in shown
    assert re.search(r'<BUTTON type="submit" class="lmstv-link">Usuń\s*'
                     r'<IMG src="img/delete.gif"', shown)
    assert re.search(r'<INPUT type="submit" value="Zapisz">', shown)
    assert re.search(r"Nowe konto\s*&raquo;", shown)
    assert "lms-ui-" not in shown.replace("lms-ui-background-cycle", "")

    assert act(run_module, cid, "account_edit", account_id=aid,
               **{**address, "cust_i_city": "Wieliczka"})["redirect"]
    assert "Wieliczka" in page(run_module, cid)["html"]

    pkgs = [p for g in acc["packages_available"] for p in g["packages"]]
    assert pkgs, "the sandbox offers packages to a new account"
    out = act(run_module, cid, "packages_add", account_id=aid, pkglistdate="2025/01/10",
              add_and_activate="Dodaj i aktywuj", **{f"pkglist[{pkgs[0]['package_id']}]": "1"})
    assert out["redirect"], out["html"]
    tv = bridge.call("GET", f"/customers/{cid}/tv")
    sub = tv["accounts"][0]["subscriptions"][0]
    shown = page(run_module, cid)["html"]
    assert pkgs[0]["pkg_name"] in text(shown)
    # manual §4.3: further services can be added active too, not only on an empty account
    assert 'name="add_and_activate" value="Dodaj i aktywuj"' in shown
    # the service's forms carry the session token, their action and which service they act on
    assert (f'<INPUT type="hidden" name="lmstv_token" value="{TOKEN}"><INPUT type="hidden" '
            f'name="tvaction" value="terminate"><INPUT type="hidden" name="account_id" '
            f'value="{aid}"><INPUT type="hidden" name="subscription_id" '
            f'value="{sub["subscription_id"]}">') in shown

    # terminate mid-month (sandbox clock 2025-01-10): SMS's Polish fault verbatim, the form
    # reopened with what was entered, nothing changed; the month's last day then works
    assert sub["allowed"]["terminate"], sub
    out = act(run_module, cid, "terminate", account_id=aid,
              subscription_id=sub["subscription_id"], term_date="2025/01/15",
              term_fee="10,00", term_desc="rezygnacja")
    assert out["redirect"] is None
    assert ("Wystąpił błąd. Usługa może zostać zaterminowana jedynie na koniec okresu "
            "rozliczeniowego") in text(out["html"])
    assert 'value="rezygnacja"' in out["html"] and 'value="10,00"' in out["html"]
    fresh = bridge.call("GET", f"/customers/{cid}/tv", params={"fresh": 1})
    assert fresh["accounts"][0]["subscriptions"][0]["sub_valid_to"] in (None, "")
    out = act(run_module, cid, "terminate", account_id=aid,
              subscription_id=sub["subscription_id"], term_date="2025/01/31",
              term_fee="", term_desc="")
    assert out["redirect"] and out["session"]["lmstv_notice"] == "Zaterminowano usługę."
    fresh = bridge.call("GET", f"/customers/{cid}/tv", params={"fresh": 1})
    assert fresh["accounts"][0]["subscriptions"][0]["sub_valid_to"] == "2025-01-31"

    assert act(run_module, cid, "account_lock", account_id=aid)["redirect"]
    shown = page(run_module, cid)["html"]
    assert "wstrzymane" in shown and "Wznów usługi" in shown
    assert act(run_module, cid, "account_unlock", account_id=aid)["redirect"]

    # every value is escaped: the LMS name with markup never reaches the page as a tag
    assert "<b>Ewa</b>" not in page(run_module, cid)["html"]


def test_read_only_right_sees_but_cannot_change(run_module, bridge, lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    ro = page(run_module, cid, privileges=("tv_read_only",))
    assert "Konta TV" in ro["html"] and "Eksport do SMS" not in ro["html"]
    out = page(run_module, cid, privileges=("tv_read_only",), method="POST",
               post={"lmstv_token": TOKEN, "tvaction": "export"})
    assert out["redirect"] is None and "TV — pełny dostęp" in out["html"]
    assert not bridge.call("GET", f"/customers/{cid}/tv")["customer"]["linked"]


def test_state_changes_need_post_and_token(run_module, bridge, lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    forged = page(run_module, cid, method="POST", post={"lmstv_token": "x" * 32,
                                                        "tvaction": "export"})
    assert forged["redirect"] is None and "niepoprawny token" in forged["html"]
    assert not bridge.call("GET", f"/customers/{cid}/tv")["customer"]["linked"]


def test_no_tv_right_means_no_box_and_no_screens(run_module, lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    out = page(run_module, cid, privileges=())
    assert "Konta TV" not in out["html"]
    for module in ("tvcustomers", "tvstblist", "tvsubnetlist", "tvmessages"):
        assert run_module(module, privileges=())["html"].strip() == "NOACCESS"


@pytest.mark.parametrize("module", ["tvcustomers", "tvpackageslist", "tvstblist",
                                    "tvsubnetlist", "tvmessages", "tvmessagessend",
                                    "tvcleancache", "tvbillingevents", "tvreconcile"])
def test_menu_screens_render_without_warnings(run_module, bridge, lms_db_config,
                                              module: str) -> None:
    cid = add_lms_customer(lms_db_config, lastname="<script>x</script>")
    bridge.call("POST", f"/customers/{cid}/export")
    out = run_module(module, session=SESSION)
    assert out["problems"] == [], out["problems"]
    assert "<script>x</script>" not in out["html"]
    assert "<H1>" in out["html"]


@pytest.mark.parametrize("module", ["tvcustomers", "tvpackageslist", "tvstblist",
                                    "tvsubnetlist", "tvmessages", "tvmessagessend", "tvbulk",
                                    "tvcleancache", "tvbillingevents", "tvreconcile"])
def test_screen_shown_after_logging_in_at_its_address(run_module, bridge, module: str) -> None:
    # LMS posts its login form back to the address it was shown at and runs that module in
    # the same request: an operator logging in at a bookmarked TV screen gets the screen, not
    # the answer to a form (a token error) it never sent
    login = {"loginform": {"login": "admin", "pwd": "secret", "submit": "Zaloguj"}}
    out = run_module(module, method="POST", post=login, session=SESSION,
                     get={"group": "Blok 7"} if module == "tvbulk" else None)
    assert out["problems"] == [], out["problems"]
    assert out["redirect"] is None and out["session"].get("lmstv_notice") is None
    assert "niepoprawny token" not in out["html"] and "(POST)" not in out["html"]
    assert "<H1>" in out["html"]


def test_stb_register_and_remove_from_the_list(run_module, bridge) -> None:
    post = {"lmstv_token": TOKEN, "tvaction": "stb_register", "stb_mac": "aa:bb:cc:00:11:22",
            "stb_serial": "SN-TEST-1", "stb_model": "MAG250"}
    out = run_module("tvstbadd", method="POST", post=post, session=SESSION)
    assert out["redirect"], out["html"]
    listed = run_module("tvstblist", session=SESSION)["html"]
    assert "AA:BB:CC:00:11:22" in listed and "Usuń z bazy" in listed
    bad = run_module("tvstbadd", method="POST", session=SESSION,
                     post={**post, "stb_mac": "nonsense"})
    assert bad["redirect"] is None and 'value="nonsense"' in bad["html"]
    out = run_module("tvstbremove", method="POST", session=SESSION,
                     post={"lmstv_token": TOKEN, "tvaction": "stb_remove",
                           "stb_mac": "AA:BB:CC:00:11:22"})
    assert out["redirect"]
    assert "AA:BB:CC:00:11:22" not in run_module("tvstblist", session=SESSION)["html"]


def test_message_send_error_keeps_text(run_module, bridge) -> None:
    post = {"lmstv_token": TOKEN, "msg_body": "Awaria <i>jutro</i>", "msg_body_extended": "",
            "msg_teaser_valid_from": "2025/13/40"}
    out = run_module("tvmessagessend", method="POST", post=post, session=SESSION)
    assert out["redirect"] is None and out["problems"] == []
    assert "Niepoprawne dane" in out["html"]
    assert "Awaria &lt;i&gt;jutro&lt;/i&gt;" in out["html"]


def test_bridge_down_and_wrong_secret_give_polish_banners(run_module) -> None:
    down = run_module("tvcustomers", url="http://127.0.0.1:9")
    assert "Brak połączenia z mostkiem lmstv" in down["html"] and down["problems"] == []
    wrong = run_module("tvcustomers", secret="wrong-secret-0000000000")
    assert "odrzucił sekret" in wrong["html"]


def test_billing_suspension_toggle(run_module, bridge, lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    shown = page(run_module, cid)["html"]
    assert "Fakturowanie TV wstrzymane: <b>nie</b>" in shown and "Wstrzymaj fakturowanie" in shown
    out = act(run_module, cid, "suspend_billing", suspended="1")
    assert out["redirect"] == f"?m=customerinfo&id={cid}#tvaccountbox", out["html"]
    assert out["session"]["lmstv_notice"] == "Wstrzymano fakturowanie TV klienta."
    assert bridge.call("GET", f"/customers/{cid}/tv")["customer"]["tv_suspend_billing"] is True
    shown = page(run_module, cid)["html"]
    assert 'Fakturowanie TV wstrzymane: <span class="alert bold">tak</span>' in shown
    assert "Wznów fakturowanie" in shown
    # read-only users see the state but get no form, and a forged POST changes nothing
    ro = page(run_module, cid, privileges=("tv_read_only",))["html"]
    assert "wstrzymane: <span" in ro and "Wznów fakturowanie" not in ro
    page(run_module, cid, privileges=("tv_read_only",), method="POST",
         post={"lmstv_token": TOKEN, "tvaction": "suspend_billing", "suspended": "0"})
    assert bridge.call("GET", f"/customers/{cid}/tv")["customer"]["tv_suspend_billing"] is True
    assert act(run_module, cid, "suspend_billing", suspended="0")["redirect"]
    assert bridge.call("GET", f"/customers/{cid}/tv")["customer"]["tv_suspend_billing"] is False


def test_customer_edit_page_shows_the_accounts_box_but_changes_nothing(run_module, bridge,
                                                                       lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    bridge.call("POST", f"/customers/{cid}/export")
    out = run_module("customeredit", customerid=cid, session=SESSION, customerinfo={
        "id": cid, "deleted": 0, "address": "ul. Polna 12/3", "zip": "30-001", "city": "Kraków"})
    assert out["problems"] == [], out["problems"]
    number = bridge.call("GET", f"/customers/{cid}/tv")["customer"]["tv_cust_number"]
    assert "Konta TV" in out["html"] and number in out["html"]
    assert f'action="?m=customerinfo&amp;id={cid}"' in out["html"], "forms post to customerinfo"
    posted = run_module("customeredit", customerid=cid, session=SESSION, method="POST",
                        post={"lmstv_token": TOKEN, "tvaction": "pins", "cust_vod_pin": "0000",
                              "cust_master_pin": "0000"},
                        customerinfo={"id": cid, "deleted": 0, "address": "ul. Polna 12/3",
                                      "zip": "30-001", "city": "Kraków"})
    assert posted["redirect"] is None
    assert bridge.call("GET", f"/customers/{cid}/pins")["cust_vod_pin"] != "0000"


@pytest.mark.parametrize("module", ["customerinfo", "customeredit"])
def test_customer_page_with_the_bridge_down_warns_nothing(run_module, lms_db_config,
                                                          module: str) -> None:
    # the page LMS operators open most: a dead bridge must give the banner, not PHP warnings
    cid = add_lms_customer(lms_db_config)
    info = {"id": cid, "address": "a", "zip": "1", "city": "c", "deleted": 0}
    out = run_module(module, customerid=cid, customerinfo=info, session=SESSION,
                     url="http://127.0.0.1:9")
    assert out["problems"] == [], out["problems"]
    assert "Brak połączenia z mostkiem lmstv" in out["html"]


def test_a_token_sent_as_an_array_is_refused_without_a_warning(run_module, bridge,
                                                                lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    out = page(run_module, cid, method="POST",
               post={"lmstv_token[]": TOKEN, "tvaction": "export"})
    assert out["redirect"] is None and "niepoprawny token" in out["html"]
    assert not bridge.call("GET", f"/customers/{cid}/tv")["customer"]["linked"]


def test_customer_page_with_sms_down_and_a_cold_cache(run_module, bridge, lms_db_config,
                                                      sms_down_bridge) -> None:
    cid = add_lms_customer(lms_db_config)
    bridge.call("POST", f"/customers/{cid}/export")
    number = bridge.call("GET", f"/customers/{cid}/tv")["customer"]["tv_cust_number"]
    out = page(run_module, cid, url=sms_down_bridge)  # asserts no PHP warning
    shown = text(out["html"])
    # one Polish banner, no per-part lines naming the parts in English
    assert shown.count("Brak połączenia z SMS") == 2, shown  # accounts box + messages box
    assert 'id="tvsmsdown"' in out["html"]
    assert "Nie udało się pobrać" not in shown
    assert not re.search(r"\((accounts|customer|subnets|messages)\)", shown)
    # a title, and the LMS-side facts: the SMS number and the billing-suspension flag
    assert "Konta TV" in shown and f"Numer klienta: {number}" in shown
    assert "Fakturowanie TV wstrzymane: nie" in shown
    # nothing that needs SMS is offered …
    for action in ("Nowe konto", "Edytuj piny", 'value="account_add"', 'value="pins"',
                   "Nowa wiadomość", "Klient nie posiada kont", "Eksport do SMS"):
        assert action not in out["html"], action
    # … while the LMS-side switch still works with SMS down
    assert "Wstrzymaj fakturowanie" in shown
    done = page(run_module, cid, url=sms_down_bridge, method="POST",
                post={"lmstv_token": TOKEN, "tvaction": "suspend_billing", "suspended": "1"})
    assert done["session"]["lmstv_notice"] == "Wstrzymano fakturowanie TV klienta."
    assert bridge.call("GET", f"/customers/{cid}/tv")["customer"]["tv_suspend_billing"] is True


def test_new_account_form_gets_the_lms_address_split_like_the_export(run_module, bridge,
                                                                      lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config, address="ul. Testowa 5/3", zip="31-002",
                           city="Kraków")
    html = page(run_module, cid)["html"]
    for name, value in (("cust_i_street", "ul. Testowa"), ("cust_i_home_nr", "5"),
                        ("cust_i_flat", "3"), ("cust_i_postal_code", "31-002"),
                        ("cust_i_city", "Kraków")):
        assert re.search(rf'name="{name}" size="\d+" value="{value}"', html), name
    # an address with no flat: an empty field, not the export's "." placeholder
    cid = add_lms_customer(lms_db_config, address="Rynek 7")
    assert re.search(r'name="cust_i_flat" size="\d+" value=""', page(run_module, cid)["html"])


def test_sgt_placeholders_in_an_address_are_shown_empty(run_module, bridge,
                                                        lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    bridge.call("POST", f"/customers/{cid}/export")
    bridge.call("POST", f"/customers/{cid}/accounts", json={
        "cust_i_street": "ul. Bocheńska", "cust_i_home_nr": "35", "cust_i_flat": ".",
        "cust_i_postal_code": "31-002", "cust_i_city": "Kraków"})
    acc = bridge.call("GET", f"/customers/{cid}/tv")["accounts"][0]
    assert acc["cust_i_flat"] == ""
    shown = text(page(run_module, cid)["html"])
    assert "ul. Bocheńska 35, 31-002 Kraków" in shown and "35/." not in shown


def test_customer_list_pager_is_compact(run_module, bridge, sandbox) -> None:
    sandbox.control().sandbox.addCustomers(25 * 40)  # 40 pages
    out = run_module("tvcustomers", get={"page": "20"}, session=SESSION)
    assert out["problems"] == [], out["problems"]
    pages = re.findall(r"page=(\w+)\"", out["html"])
    # per pager (it is shown above and below the list): first, previous, 17–19, 21–23, next,
    # last, all — not one link per page
    assert len(pages) == 2 * 11, pages
    assert set(pages) == {"1", "19", "17", "18", "21", "22", "23", "40", "all"}
    assert "<b>[20]</b>" in out["html"] and "pierwsza" in out["html"]
    assert "ostatnia" in out["html"]
    last = run_module("tvcustomers", get={"page": "40"}, session=SESSION)
    assert "następna" not in last["html"] and "<b>[40]</b>" in last["html"]
    everything = run_module("tvcustomers", get={"page": "all"}, session=SESSION)
    assert everything["problems"] == [] and "Razem: 1000" in everything["html"]
