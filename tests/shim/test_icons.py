"""Every icon the TV screens name is one LMS has: on LMS 1.11.17 an image of LMS's img/ (or one
the shim installs there), on current LMS one of the plugin's font icons. A name LMS 1.11.17 does
not have showed as a broken image on the customer page ("Zwróć STB", "Wiadomości TV")."""

from __future__ import annotations

import re
import tarfile
from pathlib import Path

from tests.e2e.lms11 import TARBALL

ROOT = Path(__file__).resolve().parent.parent.parent
SHIM = ROOT / "php-shim"
PLUGIN_ICONS = ROOT / "php-plugin" / "LMSTVPlugin" / "templates" / "tvicon.html"
# icon="…", btn_icon="…", box_icon="…" (tvicon.html, tvbutton.html, tvboxhead.html) and
# img/… written out in a template or module
NAMED = re.compile(r"""\b(?:icon|btn_icon|box_icon)="([A-Za-z0-9_.-]+\.(?:gif|png))"|"""
                   r"""\bimg/([A-Za-z0-9_.-]+\.(?:gif|png))\b""")


def shim_images() -> dict[str, set[str]]:
    """image name -> the shim files naming it"""
    out: dict[str, set[str]] = {}
    for path in sorted(SHIM.rglob("*")):
        if path.suffix in (".html", ".php"):
            for m in NAMED.finditer(path.read_text("utf-8")):
                out.setdefault(m.group(1) or m.group(2), set()).add(str(path.relative_to(SHIM)))
    return out


def lms_images() -> set[str]:
    with tarfile.open(TARBALL) as tar:
        return {name.split("/img/", 1)[1] for name in tar.getnames()
                if name.startswith("lms-1.11.17/img/") and name.count("/") == 2}


def test_every_image_the_shim_names_is_in_lms_1_11_17_or_installed_by_the_shim() -> None:
    named = shim_images()
    assert len(named) >= 15, sorted(named)  # the pattern still finds the screens' icons
    have = lms_images() | {p.name for p in (SHIM / "img").iterdir()}
    missing = {name: sorted(files) for name, files in named.items() if name not in have}
    assert missing == {}, missing


def test_every_image_name_of_the_screens_has_a_font_icon_on_current_lms() -> None:
    mapped = set(re.findall(r"'([A-Za-z0-9_.-]+\.(?:gif|png))' => '[a-z-]+'",
                            PLUGIN_ICONS.read_text("utf-8")))
    # tvicon.html's names (img/… in a template is LMS 1.11.17's own markup, not the plugin's)
    icons = {m.group(1) for path in SHIM.rglob("*.html")
             for m in NAMED.finditer(path.read_text("utf-8")) if m.group(1)}
    assert icons and icons - mapped == set(), sorted(icons - mapped)
