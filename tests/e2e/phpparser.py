"""npm's php-parser (glayzzle), a version-aware PHP grammar: the lowest and newest PHP each PHP
part of lmstv supports are checked with it, not by reading the code."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

PARSER = "php-parser@3.2.5"
COMPAT = Path(__file__).resolve().parent / "compat"


@pytest.fixture(scope="session")
def parser_dir(tmp_path_factory) -> Path:
    where = tmp_path_factory.mktemp("php-parser")
    subprocess.run(["npm", "install", "--silent", "--no-audit", "--no-fund", "--prefix",
                    str(where), PARSER], check=True, capture_output=True, timeout=300)
    return where


def parse(parser_dir: Path, version: str, *files: Path) -> subprocess.CompletedProcess:
    """Exit 0 when every file parses with PHP ``version``'s grammar."""
    return subprocess.run(["node", str(COMPAT / "phpparse.js"), str(parser_dir), version,
                           *map(str, files)], capture_output=True, text=True, timeout=120)


def implicit_nullables(parser_dir: Path, *files: Path) -> subprocess.CompletedProcess:
    """Exit 1 (and one line each) when a typed parameter defaults to null without ``?``."""
    return subprocess.run(["node", str(COMPAT / "phpnullable.js"), str(parser_dir),
                           *map(str, files)], capture_output=True, text=True, timeout=120)
