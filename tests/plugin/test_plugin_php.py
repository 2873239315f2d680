"""The plugin's PHP against the lowest PHP current LMS supports (8.1, its composer.json), with
the version-aware parser the shim's check uses, and against this machine's PHP (`php -l`)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from bridge.plugin.installer import PLUGIN_SRC
from tests.e2e.test_lms11_php_version import PARSER, parse

LOWEST = "8.1"
FILES = sorted(PLUGIN_SRC.rglob("*.php"))


@pytest.fixture(scope="module")
def parser_dir(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("php-parser")
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                    str(where), PARSER], check=True, capture_output=True, timeout=300)
    return where


def test_plugin_parses_as_php_8_1(parser_dir: Path) -> None:
    assert len(FILES) >= 5
    out = parse(parser_dir, LOWEST, *FILES)
    assert out.returncode == 0, out.stdout + out.stderr


def test_plugin_lints_on_this_php() -> None:
    for path in FILES:
        out = subprocess.run(["php", "-l", str(path)], capture_output=True, text=True,
                             timeout=60)
        assert out.returncode == 0, out.stdout + out.stderr
