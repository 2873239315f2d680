"""The lowest PHP the shim supports (README: PHP 7.0, for old LMS 1.11.17 servers), checked with a
version-aware PHP parser from the npm registry (glayzzle php-parser), not by reading the code."""

from __future__ import annotations

from pathlib import Path

from tests.e2e.lms11 import ROOT
from tests.e2e.phpparser import parse

LOWEST = "7.0"


def test_every_shim_file_parses_as_the_lowest_supported_php(parser_dir: Path) -> None:
    files = sorted((ROOT / "php-shim").rglob("*.php"))
    assert len(files) > 10
    out = parse(parser_dir, LOWEST, *files)
    assert out.returncode == 0, out.stdout + out.stderr


def test_the_parser_refuses_newer_syntax(parser_dir: Path, tmp_path: Path) -> None:
    newer = tmp_path / "arrow.php"
    newer.write_text("<?php\n$f = fn($x) => $x ?? 1;\n")     # PHP 7.4
    assert parse(parser_dir, LOWEST, newer).returncode == 1
    assert parse(parser_dir, "7.4", newer).returncode == 0
