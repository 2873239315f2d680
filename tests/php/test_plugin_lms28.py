"""The current-LMS plugin (php-plugin/LMSTVPlugin): its hook handlers and modules run as LMS 28's
index.php runs them (tests/php/harness28.php: LMS 28's own AccessRights, Permission and extendsall
template resource from the LMS 28 tarball, real Smarty), against a real bridge and the sandbox."""

from __future__ import annotations

import json
import re
import subprocess
import tarfile
from pathlib import Path
from typing import Any

import pytest

from tests.php.conftest import SECRET
from tests.php.test_quicksearch import give_stbs
from tests.php.test_shim_modules import SESSION, TOKEN, add_lms_customer, text

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
TARBALL = ROOT.parent / "shared" / "lms-src" / "lms-28-git-d85aeab5.tar.gz"
LMS28_FILES = ("lib/LMSPermissions/Permission.class.php",
               "lib/LMSPermissions/AccessRights.class.php",
               "lib/SmartyPlugins/resource.extendsall.php")
TV_MODULES = ("tvcustomers", "tvpackageslist", "tvstblist", "tvsubnetlist", "tvbillingevents",
              "tvmessages", "tvmessagessend", "tvreconcile", "tvbulk", "tvcleancache")
READ_ONLY_MODULES = TV_MODULES[:6]


@pytest.fixture(scope="session")
def lms28_dir(tmp_path_factory) -> Path:
    """LMS 28 classes the plugin builds on, from the real LMS 28 tarball (missing: a failure)."""
    assert TARBALL.is_file(), f"{TARBALL} is missing"
    out = tmp_path_factory.mktemp("lms28src")
    with tarfile.open(TARBALL) as tar:
        for rel in LMS28_FILES:
            member = tar.getmember(f"lms-28-git/{rel}")
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(tar.extractfile(member).read())
    return out


@pytest.fixture
def run_plugin(tmp_path: Path, bridge_url: str, lms28_dir: Path, smarty_compile_dirs):
    compile_dir = smarty_compile_dirs("templates_c28")

    def run(run: str, *, module: str = "", method: str = "GET", get: dict | None = None,
            post: dict | None = None, rights: tuple[str, ...] = ("tv_full",),
            session: dict | None = None, url: str | None = None, **vars: Any) -> dict:
        spec = {"run": run, "module": module or run, "method": method, "get": get or {},
                "post": post or {}, "rights": list(rights), "session": session or {},
                "vars": vars, "compile_dir": str(compile_dir), "lms28_dir": str(lms28_dir),
                "check_modules": [*TV_MODULES, "tvquicksearch", "tvstbadd", "tvstbremove",
                                  "tv_info", "customerinfo"],
                "bridge": {"url": url or bridge_url, "secret": SECRET, "timeout": 20}}
        path = tmp_path / "spec28.json"
        path.write_text(json.dumps(spec))
        out = subprocess.run(["php", str(HERE / "harness28.php"), str(path)],
                             capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr + out.stdout
        res = json.loads(out.stdout[out.stdout.rindex('{"html"'):]) if '{"html"' in out.stdout \
            else pytest.fail(out.stdout)
        res["stdout"] = out.stdout
        return res

    return run


def customer_page(run_plugin, cid: int, which: str = "customerinfo", **kw: Any) -> dict:
    info = {"id": cid, "deleted": 0}
    out = run_plugin(which, customerinfo=info, session=SESSION, **kw)
    assert out["problems"] == [], out["problems"]
    return out


def act(run_plugin, cid: int, action: str, **post: Any) -> dict:
    return customer_page(run_plugin, cid, method="POST",
                         post={"lmstv_token": TOKEN, "tvaction": action, **post})


def test_rights_and_menu_as_lms_applies_them(run_plugin) -> None:
    full = run_plugin("menu", rights=("tv_full",))
    assert full["problems"] == []
    assert list(full["menu"]["tv"]["submenu"]) == [*TV_MODULES, "tv_info"]
    assert full["menu"]["tv"]["css"] == "lms-ui-icon-tv"
    assert all(full["allowed"][m] for m in (*TV_MODULES, "tv_info"))
    assert not full["allowed"]["customerinfo"]

    ro = run_plugin("menu", rights=("tv_readonly",))
    assert list(ro["menu"]["tv"]["submenu"]) == [*READ_ONLY_MODULES, "tv_info"]
    assert all(ro["allowed"][m] for m in (*READ_ONLY_MODULES, "tvquicksearch", "tv_info"))
    assert not any(ro["allowed"][m] for m in ("tvmessagessend", "tvcleancache", "tvbulk",
                                              "tvreconcile", "tvstbadd", "tvstbremove"))

    # LMS's own rights: a superuser sees the TV menu; plain read-only and no right do not
    assert "tv" in run_plugin("menu", rights=("full_access",))["menu"]
    for rights in (("read_only",), ()):
        assert "tv" not in run_plugin("menu", rights=rights)["menu"]


def test_customer_page_box_and_every_kind_of_action(run_plugin, bridge, sandbox,
                                                      lms_db_config) -> None:
    sandbox.control().sandbox.setToday("2025-01-10")
    cid = add_lms_customer(lms_db_config, name="<b>Ewa</b>")
    first = customer_page(run_plugin, cid)
    html = first["html"]
    # LMS's own blocks stay, the TV boxes are appended to them; the export button sits among
    # the customer box's buttons
    assert "LMS VoIP" in html and "LMS messages" in html and 'id="lms-edit"' in html
    assert html.index("LMS VoIP") < html.index('id="tvaccountbox"')
    assert html.index('id="lms-edit"') < html.index("Eksport do SMS") < html.index("LMS VoIP")
    assert "Klient nie jest jeszcze w SMS" in html
    assert first["hook"] == ["customerinfo", "smarty"]
    # current LMS's look (the plugin's tvboxhead/tvbutton/tvicon.html): LMS's box frame, buttons
    # and font icons, not LMS 1.11.17's table, link buttons and images (current LMS has none)
    assert_lms28_look(html)

    out = act(run_plugin, cid, "export")
    assert out["redirect"] == f"?m=customerinfo&id={cid}#tvaccountbox"
    assert "Dodano klienta do SMS" in out["session"]["lmstv_notice"]
    number = bridge.call("GET", f"/customers/{cid}/tv")["customer"]["tv_cust_number"]
    assert number and number in customer_page(run_plugin, cid)["html"]

    bad = act(run_plugin, cid, "pins", cust_vod_pin="12a4", cust_master_pin="5678")
    assert bad["redirect"] is None and "Niepoprawne dane" in bad["html"]
    assert act(run_plugin, cid, "pins", cust_vod_pin="0123", cust_master_pin="9876")["redirect"]
    assert bridge.call("GET", f"/customers/{cid}/pins")["cust_vod_pin"] == "0123"

    address = {"cust_i_street": "Polna", "cust_i_home_nr": "12", "cust_i_flat": "3",
               "cust_i_postal_code": "30-001", "cust_i_city": "Kraków"}
    assert act(run_plugin, cid, "account_add", **address)["redirect"]
    aid = bridge.call("GET", f"/customers/{cid}/tv")["accounts"][0]["account_id"]
    assert f"Konto numer: {number}/{aid}" in text(customer_page(run_plugin, cid)["html"])
    assert act(run_plugin, cid, "account_lock", account_id=aid)["redirect"]
    locked = customer_page(run_plugin, cid)["html"]
    assert "Wznów usługi" in locked
    # the account's actions: LMS buttons with their icons, label as text
    assert re.search(r'<button type="submit" class="lms-ui-button">\s*'
                     r'<i class="lms-ui-icon-recover fa-fw"></i>\s*'
                     r'<span class="lms-ui-label">Wznów usługi</span>', locked)
    assert re.search(r'<a href="javascript:void\(0\);" class="lms-ui-button lms-ui-link-button" '
                     rf'onclick="showOrHide\(&#039;tvaccedit{aid}&#039;\);">\s*'
                     r'<i class="lms-ui-icon-edit fa-fw"></i>', locked)
    assert_lms28_look(locked)
    assert act(run_plugin, cid, "account_unlock", account_id=aid)["redirect"]
    assert act(run_plugin, cid, "account_del", account_id=aid)["redirect"]
    assert bridge.call("GET", f"/customers/{cid}/tv", params={"fresh": 1})["accounts"] == []
    assert "<b>Ewa</b>" not in customer_page(run_plugin, cid)["html"]


def assert_lms28_look(html: str) -> None:
    """The TV boxes in current LMS's look: its tab container (title bar toggling the panel),
    lms-ui-button buttons and lms-ui-icon-* font icons; nothing of LMS 1.11.17's look."""
    assert re.search(r'<div id="tvaccountbox" class="lms-ui-tab-container lms-ui-sortable"', html)
    assert re.search(r'class="lms-ui-tab-header lmsbox-titlebar" '
                     r'data-lmsbox-content="tvaccountspanel"', html)
    assert re.search(r'<div class="lms-ui-tab-contents lms-ui-multi-check" '
                     r'id="tvaccountspanel">', html)
    assert re.search(r'<i class="lms-ui-icon-tv lms-ui-sortable-handle"></i>', html)
    assert 'class="lms-ui-button"' in html
    for old in ('src="img/', "lmstv-link", '<TABLE class="lmsbox" id="tvaccountbox"', "&raquo;",
                'type="submit" value='):
        assert old not in html, old


def test_customer_edit_page_box_and_export_form(run_plugin, lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    html = customer_page(run_plugin, cid, "customeredit")["html"]
    assert 'id="tvaccountbox"' in html and "LMS VoIP" in html
    # the export button submits its own form, which lies outside LMS's edit form
    assert 'form="tvexportform"' in html
    assert html.index("</form>") < html.index('id="tvexportform"')
    assert 'name="tvback" value="customeredit"' in html


def test_read_only_and_forged_posts_change_nothing(run_plugin, bridge, lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    ro = customer_page(run_plugin, cid, rights=("tv_readonly",))
    assert 'id="tvaccountbox"' in ro["html"] and "Eksport do SMS" not in ro["html"]
    assert "<form" not in ro["html"].lower().replace('<form id="customeredit"', "")
    out = customer_page(run_plugin, cid, rights=("tv_readonly",), method="POST",
                        post={"lmstv_token": TOKEN, "tvaction": "export"})
    assert out["redirect"] is None and "TV — pełny dostęp" in out["html"]
    forged = customer_page(run_plugin, cid, method="POST",
                           post={"lmstv_token": "x" * 32, "tvaction": "export"})
    assert forged["redirect"] is None and "niepoprawny token" in forged["html"]
    assert not bridge.call("GET", f"/customers/{cid}/tv")["customer"]["linked"]
    # no TV right (LMS's read-only right alone): no TV box at all
    none = customer_page(run_plugin, cid, rights=("read_only",))
    assert "tvaccountbox" not in none["html"] and "LMS VoIP" in none["html"]


@pytest.mark.parametrize("module", TV_MODULES)
def test_every_tv_screen_renders_in_the_plugin(run_plugin, module) -> None:
    out = run_plugin("module", module=module, session=SESSION)
    assert out["problems"] == [], out["problems"]
    assert out["redirect"] is None and "<h1>" in out["html"].lower(), out["html"][:500]
    assert "Brak połączenia z mostkiem" not in out["html"]


def test_screens_refuse_users_without_the_right(run_plugin) -> None:
    # LMS's generic read-only right matches *list modules: the screen itself still refuses
    out = run_plugin("module", module="tvstblist", rights=("read_only",), session=SESSION)
    assert "Access denied!" in out["html"] and "STB" not in text(out["html"])
    out = run_plugin("module", module="tvcleancache", rights=("tv_readonly",), session=SESSION,
                     method="POST", post={"lmstv_token": TOKEN})
    assert "Access denied!" in out["html"]


def test_cache_refresh_posts_with_the_token(run_plugin) -> None:
    out = run_plugin("module", module="tvcleancache", session=SESSION, method="POST",
                     post={"lmstv_token": TOKEN})
    assert out["redirect"] == "?m=tvcleancache" and out["session"]["lmstv_notice"]


def test_bridge_down_banner(run_plugin, lms_db_config) -> None:
    cid = add_lms_customer(lms_db_config)
    out = customer_page(run_plugin, cid, url="http://127.0.0.1:9")
    assert "Brak połączenia z mostkiem lmstv" in out["html"]
    screen = run_plugin("module", module="tvcustomers", session=SESSION, url="http://127.0.0.1:9")
    assert "Brak połączenia z mostkiem lmstv" in screen["html"]


def test_quick_search_stb(run_plugin, bridge, sandbox, lms_db_config) -> None:
    anna = add_lms_customer(lms_db_config, lastname="<i>Nowak</i>", name="Anna")
    give_stbs(bridge, sandbox, anna, ["00:1A:2B:3C:4D:5E"])

    field = run_plugin("quicksearchcontents")
    assert 'data-mode="tvstb"' in field["html"] and 'name="qs[tvstb]"' in field["html"]
    no_tv = run_plugin("quicksearchcontents", rights=("read_only",))
    assert 'data-mode="tvstb"' not in no_tv["html"]

    # AutoSuggest (ajax=1): LMS's JSON rows, HTML-escaped, pointing at the customer
    sug = run_plugin("quicksearch", module="quicksearch", get={"ajax": "1"}, mode="tvstb",
                     search="3c4d")
    rows = json.loads(sug["html"])
    assert [r["name"] for r in rows] == ["00:1A:2B:3C:4D:5E"]
    assert rows[0]["action"] == f"?m=customerinfo&id={anna}#tvaccountbox"
    assert "&lt;i&gt;Nowak&lt;/i&gt;" in rows[0]["description"]
    assert json.loads(run_plugin("quicksearch", module="quicksearch", get={"ajax": "1"},
                                 mode="tvstb", search="3c4d", rights=("read_only",))["html"]) == []

    # Enter: the hook sets LMS's redirect target
    enter = run_plugin("quicksearch", module="quicksearch", method="POST", mode="tvstb",
                       search="4d5e", session=SESSION)
    assert enter["hook"]["target"] == f"?m=customerinfo&id={anna}#tvaccountbox"
    # other modes are LMS's business
    other = run_plugin("quicksearch", module="quicksearch", mode="customer", search="Nowak")
    assert other["hook"]["target"] == ""
