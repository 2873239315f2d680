"""cron/lmstv.cron: the manual's schedule, one lock per job, and command lines lmstv accepts
(a typo there would only show as a cron mail on the 1st of the month)."""

from __future__ import annotations

import shlex
from pathlib import Path

from bridge.cli import build_parser

CRON = Path(__file__).resolve().parents[2] / "cron" / "lmstv.cron"


def jobs() -> list[tuple[str, list[str]]]:
    """(schedule, command words) of every job line, including the commented-out optional one."""
    out = []
    for line in CRON.read_text(encoding="utf-8").splitlines():
        text = line.lstrip("#").strip()
        words = text.split()
        if len(words) > 6 and words[5] == "root":
            out.append((" ".join(words[:5]), shlex.split(" ".join(words[6:]))))
    return out


def test_schedule_locks_and_commands_parse():
    found = {}
    locks = set()
    for schedule, words in jobs():
        assert words[:2] == ["flock", "-n"], words
        locks.add(words[2])
        command = words[3:]
        if command[0] == "$LMSTV":
            args = build_parser().parse_args(command[1:])  # exits on an unknown option
            assert args.quiet, command  # cron mails any output: quiet on success
            found[" ".join(command[1:3])] = schedule
        else:
            found["lms-payments"] = schedule
    assert found == {"billing import": "0 3 * * *", "lms-payments": "0 5 1 * *",
                     "billing invoice": "0 6 1 * *", "billing export-balances": "30 6 * * *",
                     "accounts follow-cutoff": "*/15 * * * *", "uke sync": "30 3 * * *"}
    assert len(locks) == 6  # a lock per job
