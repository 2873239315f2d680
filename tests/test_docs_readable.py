"""The documentation is for a reader who has only this repository: no references to an issue
tracker, to notes that are not here, or to a machine's scratch directories, and every docs file
it names exists."""

from __future__ import annotations

import re

from tests.conftest import ROOT

DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
# phrases that only make sense to someone who saw the project's tracker or private notes
UNFOLLOWABLE = re.compile(r"issue #\d|\bfact sheet\b|shared docs|/tmp\b|sms-api-v1\.4\.1\.md|"
                          r"\bthe lead\b", re.I)


def test_docs_name_nothing_a_reader_cannot_follow() -> None:
    found = [f"{doc.relative_to(ROOT)}:{n}: {line.strip()}"
             for doc in DOCS for n, line in enumerate(doc.read_text("utf-8").splitlines(), 1)
             if UNFOLLOWABLE.search(line)]
    assert found == []


def test_every_docs_file_named_exists() -> None:
    missing = []
    for src in [*DOCS, *ROOT.glob("bridge/**/*.py"), *ROOT.glob("php-shim/**/*.php")]:
        for name in re.findall(r"docs/[\w./-]+\.md", src.read_text("utf-8")):
            if not (ROOT / name).is_file():
                missing.append(f"{src.relative_to(ROOT)}: {name}")
    assert missing == []
