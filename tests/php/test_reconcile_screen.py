"""TV → Zgodność LMS–SMS rendered by the shim (real Smarty, harness.php) against a real bridge,
the real sandbox and a real LMS database on both engines; its fixes are POST + token + full
TV right."""

from __future__ import annotations

import re

from bridge.lms.db import connect
from tests.billing.conftest import Lms
from tests.sandbox.sandbox_helpers import INSTALL, Sms

TOKEN = "t" * 32
SESSION = {"lmstv_csrf": TOKEN}


def plant(sandbox, lms_db_config) -> dict[str, object]:
    sms = Sms(sandbox)
    gone = sms.customer(cust_external_id="61")
    acc = sms.accountAdd(gone, INSTALL)
    sms.packagesEntitle(acc, [101], sms.control.getToday())
    orphan = sms.customer(cust_external_id="62")
    db = connect(lms_db_config)
    try:
        lms = Lms(db)
        lms.customer(61, lastname="<b>Usunięty</b>", tv=gone, deleted=1)
        lms.customer(62, lastname="Bezlinku")
    finally:
        db.close()
    return {"gone": gone, "acc": acc, "orphan": orphan}


def test_screen_groups_totals_links_and_fixes(run_module, bridge, sandbox, lms_db_config):
    n = plant(sandbox, lms_db_config)
    out = run_module("tvreconcile", session=SESSION)
    assert out["problems"] == [], out["problems"]
    html = out["html"]
    assert "Zgodność LMS–SMS" in html and "<b>Usunięty</b>" not in html
    summary = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))
    assert "Klient usunięty w LMS, usługi TV aktywne w SMS 1 65.00 zł" in summary
    assert "Klient SMS bez powiązanego klienta LMS 1 0.00 zł" in summary
    assert '?m=customerinfo&amp;id=61' in html and '?m=customerinfo&amp;id=62' in html
    assert 'value="Zablokuj konta TV"' in html and 'value="Powiąż"' in html
    ro = run_module("tvreconcile", session=SESSION, privileges=("tv_read_only",))["html"]
    assert "value=\"Zablokuj konta TV\"" not in ro and "Zablokuj konta TV" in ro
    forged = run_module("tvreconcile", method="POST", session=SESSION,
                        post={"lmstv_token": "x" * 32, "tvaction": "lock", "customer_id": 61,
                              "account_ids": str(n["acc"])})
    assert forged["redirect"] is None
    lock = run_module("tvreconcile", method="POST", session=SESSION,
                      post={"lmstv_token": TOKEN, "tvaction": "lock", "customer_id": 61,
                            "account_ids": str(n["acc"])})
    assert lock["redirect"], lock["html"]
    link = run_module("tvreconcile", method="POST", session=SESSION,
                      post={"lmstv_token": TOKEN, "tvaction": "link", "customer_id": 62})
    assert link["redirect"], link["html"]
    after = bridge.call("GET", "/reconcile", params={"fresh": "1"})
    assert after["findings"] == [], after["findings"]
