"""The PHP versions the plugin for current LMS supports (README: PHP 8.1–8.4), checked with a
version-aware PHP parser (tests/e2e/phpparser.py) where this machine's PHP (8.2) cannot tell:
8.1's grammar for the lowest, and 8.4's one deprecation that code written for 8.1 walks into
(implicitly nullable parameters), for the plugin and for the shim files it runs."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.lms11 import ROOT
from tests.e2e.phpparser import implicit_nullables, parse

LOWEST = "8.1"


def php_files() -> list[Path]:
    # the plugin's own files, and the shim's, which the plugin copies in and runs (modules, client)
    files = [*sorted((ROOT / "php-plugin").rglob("*.php")),
             *sorted((ROOT / "php-shim").rglob("*.php"))]
    assert len(files) > 30
    return files


def test_every_plugin_file_parses_as_the_lowest_supported_php(parser_dir: Path) -> None:
    out = parse(parser_dir, LOWEST, *php_files())
    assert out.returncode == 0, out.stdout + out.stderr


def test_no_parameter_is_implicitly_nullable_as_php_8_4_deprecates(parser_dir: Path) -> None:
    out = implicit_nullables(parser_dir, *php_files())
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
