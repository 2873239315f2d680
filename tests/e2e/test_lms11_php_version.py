"""The lowest PHP the shim supports (README: PHP 7.0, for old LMS 1.11.17 servers), checked with a
version-aware PHP parser from the npm registry (glayzzle php-parser), not by reading the code."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.e2e.lms11 import ROOT

LOWEST = "7.0"
PARSER = "php-parser@3.2.5"
SCRIPT = Path(__file__).resolve().parent / "compat" / "phpparse.js"


@pytest.fixture(scope="session")
def parser_dir(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("php-parser")
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                    str(where), PARSER], check=True, capture_output=True, timeout=300)
    return where


def parse(parser_dir: Path, version: str, *files: Path) -> subprocess.CompletedProcess:
    return subprocess.run(["node", str(SCRIPT), str(parser_dir), version, *map(str, files)],
                          capture_output=True, text=True, timeout=120)


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
