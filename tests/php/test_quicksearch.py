"""LMS's quick search bar "STB (MAC)" field (tvquicksearchfield.html, ?m=tvquicksearch in LMS's
AutoSuggest format, the quicksearch.php edit for Enter), the customer edit page's "Eksport do SMS"
and the messages box of a customer without a TV account — run through tests/php/harness.php
against a real bridge, the real sandbox and a real LMS 1.11.17 database on both engines."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

from bridge.shim.edits import EDITS
from tests.php.test_shim_modules import SESSION, TOKEN, add_lms_customer, page

BASE_PACKAGE = 101  # sandbox package allowing VIP1960 / VIP1910-9 / STB-2101H, 2 devices


def give_stbs(bridge, sandbox, cid: int, macs: list[str]) -> str:
    """Export the LMS customer, open an account with an active base package, issue these STBs;
    returns the customer's SMS number."""
    bridge.call("POST", f"/customers/{cid}/export")
    bridge.call("POST", f"/customers/{cid}/accounts",
                json={"cust_i_street": "Polna", "cust_i_home_nr": "1", "cust_i_flat": "",
                      "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"})
    tv = bridge.call("GET", f"/customers/{cid}/tv", params={"fresh": 1})
    aid = tv["accounts"][0]["account_id"]
    acc = f"/customers/{cid}/accounts/{aid}"
    bridge.call("POST", acc + "/subscriptions",
                json={"package_ids": [BASE_PACKAGE], "activate": True})
    sub = bridge.call("GET", acc + "/subscriptions")[0]["subscription_id"]
    subnet = bridge.call("GET", "/subnets")["items"][0]["subnet_id"]
    for i, mac in enumerate(macs):
        sandbox.control().stbRegister(sandbox.auth, mac, f"SN-{cid}-{i}", "VIP1960")
        bridge.call("POST", f"{acc}/subscriptions/{sub}/stb",
                    json={"mac": mac, "subnet_id": subnet})
    return tv["customer"]["tv_cust_number"]


def suggest(run_module, q: str, **kw: Any) -> dict:
    out = run_module("tvquicksearch", get={"what": "stb", "format": "autosuggest", "q": q}, **kw)
    assert out["problems"] == [], out["problems"]
    return out


def arrays(js: str) -> dict[str, list[str]]:
    """The three arrays LMS's AutoSuggest reads from the answer (each a JSON literal)."""
    found = dict(re.findall(r"^this\.(eligible|descriptions|actions) = (\[.*\]);$", js, re.M))
    return {k: json.loads(v) for k, v in found.items()}


def quicksearch_module(tmp_path: Path) -> str:
    """LMS's modules/quicksearch.php reduced to the anchor, with the installer's edit applied."""
    edit = next(e for e in EDITS if e.ident == "quicksearch-stb")
    path = tmp_path / "quicksearch.php"
    path.write_text(edit.apply("<?php\n" + edit.anchor + "echo 'LMS-QUICKSEARCH';\n"))
    return str(path)


def test_stb_suggestions_in_autosuggest_format(run_module, bridge, sandbox,
                                               lms_db_config) -> None:
    anna = add_lms_customer(lms_db_config, lastname="<b>Nowak</b>", name="Anna")
    ewa = add_lms_customer(lms_db_config, lastname="Zielińska", name="Ewa")
    give_stbs(bridge, sandbox, anna, ["00:1A:2B:3C:4D:5E", "00:1A:2B:77:00:01"])
    give_stbs(bridge, sandbox, ewa, ["AB:CD:EF:00:1A:2B"])
    sandbox.control().stbRegister(sandbox.auth, "00:1A:2B:99:99:99", "SN-STOCK", "VIP1960")

    # a lower-case colon-less fragment matching at position 0 of the MAC (the original missed
    # those) and in the middle of another; stock boxes are not at customers, so not offered
    out = suggest(run_module, "001a2b")
    got = arrays(out["html"])
    pairs = sorted(zip(got["eligible"], got["descriptions"], got["actions"], strict=True))
    nowak = ("&lt;b&gt;Nowak&lt;/b&gt; Anna", f"?m=customerinfo&id={anna}#tvaccountbox")
    assert pairs == [("00:1A:2B:3C:4D:5E", *nowak), ("00:1A:2B:77:00:01", *nowak),
                     ("AB:CD:EF:00:1A:2B", "Zielińska Ewa",
                      f"?m=customerinfo&id={ewa}#tvaccountbox")]
    # nothing an SMS or LMS value holds can close the string or open a tag in the page
    assert "<" not in out["html"] and "'" not in out["html"]

    only = arrays(suggest(run_module, "3C:4d")["html"])
    assert only["eligible"] == ["00:1A:2B:3C:4D:5E"]

    for q in ("x", "ffffff"):  # too short for the bridge / no match
        assert suggest(run_module, q)["html"] == "false;\n"

    # the read-only TV right may search; without a TV right nothing is asked or shown
    assert arrays(suggest(run_module, "4d5e", privileges=("tv_read_only",))["html"])["eligible"]
    assert suggest(run_module, "4d5e", privileges=())["html"] == "false;\n"

    if shutil.which("node"):  # evaluated the way LMS's AutoSuggest does: eval() in its object
        js = ("var me = {}; (function () { eval(" + json.dumps(out["html"]) + "); }).call(me);"
              "process.stdout.write(JSON.stringify(me));")
        done = subprocess.run(["node", "-e", js], capture_output=True, text=True, timeout=30)
        assert done.returncode == 0, done.stderr
        assert json.loads(done.stdout)["eligible"] == got["eligible"]


def test_bridge_down_gives_no_suggestions_and_no_warning(run_module) -> None:
    out = suggest(run_module, "001a2b", url="http://127.0.0.1:9")
    assert out["html"] == "false;\n"


def test_enter_in_the_stb_field_jumps_to_the_customer(run_module, bridge, sandbox, tmp_path,
                                                      lms_db_config) -> None:
    anna = add_lms_customer(lms_db_config, lastname="Nowak", name="Anna")
    ewa = add_lms_customer(lms_db_config, lastname="Zielińska", name="Ewa")
    give_stbs(bridge, sandbox, anna, ["00:1A:2B:3C:4D:5E", "00:1A:2B:77:00:01"])
    give_stbs(bridge, sandbox, ewa, ["00:1A:2B:00:00:07"])
    module = quicksearch_module(tmp_path)

    def enter(value: str, **post: str) -> dict:
        out = run_module("quicksearch", module_file=module, method="POST",
                         post={"qscustomer": "", "qsnode": "", "qsstb": value, **post},
                         session={"backto": "m=customerlist"})
        assert out["problems"] == [], out["problems"]
        return out

    assert enter("4d5e")["redirect"] == f"?m=customerinfo&id={anna}#tvaccountbox"
    # two boxes, one customer: still a single place to go
    assert enter("001a2b3c4d5e")["redirect"] == f"?m=customerinfo&id={anna}#tvaccountbox"
    many = enter("001a2b")
    assert many["redirect"] == "?m=tvstblist&mode=customer"
    assert "pasuje do 3 STB" in many["session"]["lmstv_notice"]
    none = enter("ffff")
    assert none["redirect"] == "?m=tvstblist&mode=customer"
    assert "Nie znaleziono STB" in none["session"]["lmstv_notice"]
    # without a TV right: back where the user was, nothing revealed
    denied = run_module("quicksearch", module_file=module, method="POST", privileges=(),
                        post={"qsstb": "4d5e"}, session={"backto": "m=customerlist"})
    assert denied["redirect"] == "?m=customerlist" and "lmstv_notice" not in denied["session"]
    # an empty STB field (LMS's form always sends it) leaves LMS's own quick search alone
    lms = enter("", qscustomer="Nowak")
    assert lms["redirect"] is None and lms["html"] == "LMS-QUICKSEARCH"


def test_quick_search_field_only_for_tv_rights(run_module, tmp_path) -> None:
    show = tmp_path / "field.php"
    show.write_text("<?php\n$SMARTY->display('tvquicksearchfield.html');\n")
    for privileges in (("tv_full_access",), ("tv_read_only",)):
        html = run_module("quicksearch", module_file=str(show), privileges=privileges)["html"]
        assert 'name="qsstb"' in html
        assert "'?m=tvquicksearch&what=stb&format=autosuggest&q='" in html
    assert run_module("quicksearch", module_file=str(show), privileges=())["html"].strip() == ""


def test_export_button_on_the_edit_page(run_module, bridge, lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    info = {"id": cid, "deleted": 0, "address": "ul. Polna 12/3", "zip": "30-001",
            "city": "Kraków"}
    edit = run_module("customeredit", customerid=cid, session=SESSION, customerinfo=info)
    assert edit["problems"] == [], edit["problems"]
    html = edit["html"]
    # the button among the edit form's links names its own form, which is outside LMS's form
    lms_form = html[html.index('<FORM name="customeredit"'):html.index("</FORM>")]
    assert 'form="tvexportform"' in lms_form and "Eksport do SMS" in lms_form
    own = re.search(r'<FORM [^>]*id="tvexportform".*?</FORM>', html, re.S)
    assert own and own.start() > html.index("</FORM>")
    assert f'action="?m=customerinfo&amp;id={cid}"' in own.group(0)
    assert 'name="tvaction" value="export"' in own.group(0)
    assert 'name="tvback" value="customeredit"' in own.group(0)
    # read-only users get neither
    ro = run_module("customeredit", customerid=cid, session=SESSION, customerinfo=info,
                    privileges=("tv_read_only",))["html"]
    assert "tvexportform" not in ro and "Eksport do SMS" not in ro

    # the form as the browser sends it: exported, and back on the edit page
    token = re.search(r'name="lmstv_token" value="([^"]+)"', own.group(0)).group(1)
    assert token == TOKEN
    fields = dict(re.findall(r'name="(\w+)" value="([^"]*)"', own.group(0)))
    out = page(run_module, cid, method="POST", post=fields)
    assert out["redirect"] == f"?m=customeredit&id={cid}#tvaccountbox"
    assert "Dodano klienta do SMS" in out["session"]["lmstv_notice"]
    assert bridge.call("GET", f"/customers/{cid}/tv")["customer"]["linked"]
    # any other tvback value is ignored: forms go back to the info page
    again = page(run_module, cid, method="POST", post={**fields, "tvback": "//evil.example"})
    assert again["redirect"] == f"?m=customerinfo&id={cid}#tvaccountbox"


def test_messages_box_without_a_tv_account(run_module, bridge, sandbox, lms_db_config) -> None:
    """Original bug #34: the messages box was loaded only for customers with a TV account."""
    cid = add_lms_customer(lms_db_config)
    bridge.call("POST", f"/customers/{cid}/export")
    bridge.call("POST", f"/customers/{cid}/messages",
                json={"msg_body": "Przerwa <b>serwisowa</b>", "msg_body_extended": "W nocy.",
                      "msg_teaser_valid_from": "2025-01-01", "msg_valid_to": "2099-12-31",
                      "msg_teaser_valid_to": "2099-12-31"})
    tv = bridge.call("GET", f"/customers/{cid}/tv", params={"fresh": 1})
    assert tv["accounts"] == [] and tv["customer"]["linked"]
    html = page(run_module, cid)["html"]
    box = html[html.index('id="tvmessagesbox"'):]
    assert "Wiadomości wysłane na TV (1)" in box
    # shown as text: the tag SMS keeps in the teaser is printed, not applied
    assert "Przerwa &lt;b&gt;serwisowa&lt;/b&gt;" in box and "Brak wiadomości" not in box


def test_quick_search_field_without_the_shim_class_loaded(tmp_path) -> None:
    # a page drawn by something other than the patched index.php must not die on LMSTV
    shim = Path(__file__).resolve().parent.parent.parent / "php-shim"
    script = tmp_path / "bare.php"
    script.write_text(f"""<?php
require '/usr/share/php/smarty3/Smarty.class.php';
$s = new Smarty();
$s->setTemplateDir('{shim}/templates');
$s->setCompileDir('{tmp_path}');
$s->display('tvquicksearchfield.html');
echo 'END';
""")
    out = subprocess.run(["php", "-d", "error_reporting=E_ALL & ~E_DEPRECATED", str(script)],
                         capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.strip() == "END"
