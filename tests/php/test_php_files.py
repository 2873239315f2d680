"""Static checks of the shim: every PHP file parses, every template compiles in Smarty 3, every
value a template prints is escaped."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

SHIM = Path(__file__).resolve().parent.parent.parent / "php-shim"
PLUGIN_TEMPLATES = SHIM.parent / "php-plugin" / "LMSTVPlugin" / "templates"
PHP_FILES = sorted(SHIM.rglob("*.php"))
TEMPLATES = sorted(SHIM.rglob("*.html"))
# the plugin's own, among them its current-LMS variants of the shim's look templates
ALL_TEMPLATES = TEMPLATES + sorted(PLUGIN_TEMPLATES.rglob("*.html"))


@pytest.mark.parametrize("path", PHP_FILES, ids=lambda p: p.relative_to(SHIM).as_posix())
def test_php_lint(path: Path) -> None:
    out = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True, timeout=30)
    assert out.returncode == 0, out.stdout + out.stderr


def test_no_syntax_newer_than_php_7_0() -> None:
    # LMS 1.11.17 sites run old PHP: no nullable/void types, arrow functions, typed properties,
    # ?-> or match.
    newer = re.compile(r"\bfn\s*\(|\?->|\bmatch\s*\(|\)\s*:\s*(\?|void\b)|"
                       r"(public|private|protected)\s+(int|string|array|bool|float|\?)\s+\$")
    bad = [f"{p.name}:{n}" for p in PHP_FILES
           for n, line in enumerate(p.read_text().splitlines(), 1) if newer.search(line)]
    assert bad == []


def test_templates_compile_in_smarty3(tmp_path: Path) -> None:
    script = f"""<?php
require '/usr/share/php/smarty3/Smarty.class.php';
$s = new Smarty();
$s->setTemplateDir(array('{SHIM}/templates/default', '{SHIM}/templates',
                         '{Path(__file__).parent}/stubs'));
$s->setCompileDir('{tmp_path}');
foreach (array_slice($argv, 1) as $t) {{
    $s->createTemplate($t)->compileTemplateSource();
    echo "ok $t\\n";
}}
"""
    (tmp_path / "c.php").write_text(script)
    names = [t.relative_to(SHIM / "templates").as_posix().removeprefix("default/")
             for t in TEMPLATES]
    out = subprocess.run(["php", "-d", "error_reporting=E_ALL & ~E_DEPRECATED",
                          str(tmp_path / "c.php"), *names], capture_output=True, text=True,
                         timeout=60)
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.count("ok ") == len(names)


def test_plugin_look_templates_mirror_the_shims() -> None:
    # Each of the plugin's top-level templates but quicksearchcontents.html is current LMS's
    # variant of a shim template of the same name (found first on current LMS), so the shim
    # must have it too, or LMS 1.11.17 would miss it.
    own = {"quicksearchcontents.html"}
    look = sorted(p.name for p in PLUGIN_TEMPLATES.glob("*.html") if p.name not in own)
    assert look and all((SHIM / "templates" / name).is_file() for name in look), look


# Variables named *_html hold markup a template built from escaped parts ({capture}); they are
# printed as they are (the capture check below keeps the name for captures only).
SAFE = re.compile(r"\|escape|\|@?count\b|^\{\$\w+_html\}$")


@pytest.mark.parametrize("path", ALL_TEMPLATES,
                         ids=lambda p: p.relative_to(SHIM.parent).as_posix())
def test_every_printed_value_is_escaped(path: Path) -> None:
    unescaped = []
    text = path.read_text()
    for tag in re.findall(r"\{\$[^}]*\}", text):
        if "=" in tag.split("|")[0]:  # assignment, prints nothing
            continue
        if not SAFE.search(tag):
            unescaped.append(tag)
    assert unescaped == [], f"print these with |escape: {unescaped}"
    # *_html comes from a capture (or an include parameter holding one), never from PHP data
    assigned = re.findall(r"\{\$(\w+_html)\s*=", text)
    captured = re.findall(r"\{capture assign=(\w+)\}", text)
    assert assigned == [] and all(c.endswith("_html") for c in captured), (assigned, captured)
