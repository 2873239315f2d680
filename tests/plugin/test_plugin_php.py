"""The plugin's PHP against the PHP versions current LMS supports (8.1-8.4): 8.1's grammar and
8.4's deprecation of implicitly nullable parameters, with the version-aware parser the shim's
check uses (tests/e2e/phpparser.py), for the plugin's files and the shim's, which the plugin
copies in and runs; and against this machine's PHP (`php -l`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

from bridge.plugin.installer import PLUGIN_SRC
from tests.e2e.lms11 import ROOT
from tests.e2e.phpparser import implicit_nullables, parse

LOWEST = "8.1"
FILES = sorted(PLUGIN_SRC.rglob("*.php"))
# the shim's modules and bridge client run inside the plugin (lmstv plugin install copies them)
RUN_BY_PLUGIN = FILES + sorted((ROOT / "php-shim").rglob("*.php"))


def test_plugin_parses_as_php_8_1(parser_dir: Path) -> None:
    assert len(FILES) >= 5 and len(RUN_BY_PLUGIN) > 30
    out = parse(parser_dir, LOWEST, *RUN_BY_PLUGIN)
    assert out.returncode == 0, out.stdout + out.stderr


def test_no_parameter_is_implicitly_nullable_as_php_8_4_deprecates(parser_dir: Path) -> None:
    out = implicit_nullables(parser_dir, *RUN_BY_PLUGIN)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_check_finds_implicit_nullables(parser_dir: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.php"
    bad.write_text("<?php\nclass A { function m(array $a = null, int|string $b = null) {} }\n")
    good = tmp_path / "good.php"
    good.write_text("<?php\nfunction f(?array $a = null, int|null $b = null, mixed $c = null,"
                    " $d = null) {}\n")
    out = implicit_nullables(parser_dir, bad)
    assert out.returncode == 1
    assert "bad.php:2: $a is implicitly nullable" in out.stdout
    assert "$b is implicitly nullable" in out.stdout
    out = implicit_nullables(parser_dir, good)
    assert out.returncode == 0, out.stdout


def test_plugin_lints_on_this_php() -> None:
    for path in FILES:
        out = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
