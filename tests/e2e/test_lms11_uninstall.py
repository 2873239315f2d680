"""Flow 9: `lmstv shim uninstall` leaves every LMS file byte-identical to the tarball (the TV menu
and box disappear from the running LMS); `install` brings them back.  Both clear lmstv's compiled
templates (and those of the LMS templates it edits) from templates_c, so LMS never renders a stale
compiled copy, even when the page was viewed within the same second (Smarty compares mtimes by
whole seconds); LMS's other compiled templates stay."""

from __future__ import annotations

import hashlib

from selenium.webdriver.common.by import By

from tests.e2e import lms11
from tests.e2e.ui import login, open_module


def changed_files(lms) -> list[str]:
    out = []
    for rel, digest in lms11.tarball_digests().items():
        path = lms.lms / rel
        if not path.is_file() or hashlib.sha256(path.read_bytes()).hexdigest() != digest:
            out.append(rel)
    return out


def compiled(lms) -> set[str]:
    """The template names templates_c holds compiled copies of."""
    return {p.name.partition(".file.")[2].removesuffix(".php")
            for p in (lms.lms / "templates_c").glob("*.file.*.php")}


def test_uninstall_restores_lms_byte_for_byte_and_install_again(browser, lms) -> None:
    installed = changed_files(lms)
    assert "lib/menu.php" in installed and "index.php" in installed   # the manual's edits
    login(browser, lms, "admin", "m=customerinfo&id=259")
    open_module(browser, lms, "m=tvcustomers")
    before = compiled(lms)
    assert {"customertvinfobox.html", "tvcustomers.html", "customerinfo.html",
            "welcome.html"} <= before
    lms.lmstv("shim", "uninstall", "--lms-dir", str(lms.lms))
    try:
        after = compiled(lms)
        assert not any(n.startswith(("tv", "customertv")) for n in after), after
        assert "customerinfo.html" not in after and "welcome.html" in after
        assert changed_files(lms) == []
        assert not (lms.lms / "lib" / "LMSTV.class.php").exists()
        page = login(browser, lms, "admin", "m=customerinfo&id=259")
        assert "Komputery klienta" in page and "Konta TV" not in page
        assert browser.find_elements(By.CSS_SELECTOR, "a[href='?m=tvcustomers']") == []
    finally:
        lms.lmstv("shim", "install", "--lms-dir", str(lms.lms))
    assert sorted(changed_files(lms)) == sorted(installed)
    page = open_module(browser, lms, "m=customerinfo&id=259")
    assert "Konta TV (1)" in page
    assert "Lista klientów" in open_module(browser, lms, "m=tvcustomers")
    assert browser.find_elements(By.CSS_SELECTOR, "a[href='?m=tvcustomers']")
