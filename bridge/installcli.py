"""The install / uninstall / status shape shared by ``lmstv shim`` and ``lmstv plugin``.

Both put lmstv's PHP side into an LMS tree (1.11.17 and current LMS) with the same three
actions, the same ``--lms-dir`` / ``--dry-run`` options and the same way of printing a plan, so
the two commands keep answering alike. It lives outside ``bridge/commands`` because every
module there must register a sub-command of its own (bridge/cli.py).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Protocol, TypeVar

Handler = Callable[[argparse.Namespace], int]


class Plan(Protocol):
    """What bridge.shim.installer.Plan and bridge.plugin.installer.Plan both offer."""

    lms_dir: Path

    def describe(self) -> list[str]: ...


P = TypeVar("P", bound=Plan)


def add_actions(parser: argparse.ArgumentParser, dest: str,
                actions: Sequence[tuple[str, Handler, str]], *, lms_dir_help: str,
                lms_dir_required: bool, dry_run_help: str) -> None:
    """One sub-command per (name, handler, help) under *parser*, each with ``--lms-dir``; all
    but ``status`` (which only reads) also take ``--dry-run``."""
    sub = parser.add_subparsers(dest=dest, metavar="ACTION", required=True)
    for name, func, text in actions:
        cmd = sub.add_parser(name, help=text, description=text)
        cmd.add_argument("--lms-dir", metavar="DIR", required=lms_dir_required,
                         help=lms_dir_help)
        if name != "status":
            cmd.add_argument("--dry-run", action="store_true", help=dry_run_help)
        cmd.set_defaults(func=func)


def apply(command: str, step: Callable[[], P], refused: type[Exception], dry_run: bool,
          done: str) -> P | None:
    """Run *step* (an install or uninstall) and print its plan, ending with "lmstv *command*:
    *done*". A *refused* error is printed on stderr and gives None: the caller exits 1."""
    try:
        plan = step()
    except refused as exc:
        print(f"lmstv {command}: {exc}", file=sys.stderr)
        return None
    lines = plan.describe()
    for line in lines:
        print(f"  {'would ' if dry_run else ''}{line}")
    if not lines:
        print("  nothing to change")
    print(f"lmstv {command}: {'dry run, nothing changed' if dry_run else done} ({plan.lms_dir})")
    return plan
