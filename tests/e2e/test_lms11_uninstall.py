"""Flow 9: `lmstv shim uninstall` leaves every LMS file byte-identical to the tarball (the TV menu
and box disappear from the running LMS); `install` brings them back."""

from __future__ import annotations

import hashlib
import time

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


def test_uninstall_restores_lms_byte_for_byte_and_install_again(browser, lms) -> None:
    installed = changed_files(lms)
    assert "lib/menu.php" in installed and "index.php" in installed   # the manual's edits
    time.sleep(1.1)                 # see the note on Smarty's compile check below
    lms.lmstv("shim", "uninstall", "--lms-dir", str(lms.lms))
    try:
        assert changed_files(lms) == []
        assert not (lms.lms / "lib" / "LMSTV.class.php").exists()
        login(browser, lms, "admin")
        page = open_module(browser, lms, "m=customerinfo&id=259")
        assert "Komputery klienta" in page and "Konta TV" not in page
        assert browser.find_elements(By.CSS_SELECTOR, "a[href='?m=tvcustomers']") == []
    finally:
        # Smarty recompiles a template only when its file is newer, by whole seconds, than the
        # compiled copy: an install within the second of the last page view would go unseen.
        time.sleep(1.1)
        lms.lmstv("shim", "install", "--lms-dir", str(lms.lms))
    assert sorted(changed_files(lms)) == sorted(installed)
    page = open_module(browser, lms, "m=customerinfo&id=259")
    assert "Konta TV (1)" in page
    assert "Lista klientów" in open_module(browser, lms, "m=tvcustomers")
    assert browser.find_elements(By.CSS_SELECTOR, "a[href='?m=tvcustomers']")
