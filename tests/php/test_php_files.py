"""Static checks of the shim: every PHP file parses, every template compiles in Smarty 3, every
value a template prints is escaped."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

SHIM = Path(__file__).resolve().parent.parent.parent / "php-shim"
PHP_FILES = sorted(SHIM.rglob("*.php"))
TEMPLATES = sorted(SHIM.rglob("*.html"))


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


SAFE = re.compile(r"\|escape|\|@?count\b")


@pytest.mark.parametrize("path", TEMPLATES, ids=lambda p: p.name)
def test_every_printed_value_is_escaped(path: Path) -> None:
    unescaped = []
    for tag in re.findall(r"\{\$[^}]*\}", path.read_text()):
        if "=" in tag.split("|")[0]:  # assignment, prints nothing
            continue
        if not SAFE.search(tag):
            unescaped.append(tag)
    assert unescaped == [], f"print these with |escape: {unescaped}"
