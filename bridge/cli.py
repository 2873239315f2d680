"""The ``lmstv`` command line: one sub-command per job, each defined in ``bridge.commands``.

Every module in ``bridge/commands/`` exposes ``register(subparsers)``, which adds its
sub-command(s) and sets ``func`` (returning an exit code), so areas add commands without
editing this file.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import pkgutil
import sys
import traceback
from typing import NoReturn

from bridge import __version__, clierrors, commands
from bridge.config import ConfigError

SERVER_COMMANDS = frozenset({"serve", "sandbox", "demo"})


class OneLineParser(argparse.ArgumentParser):
    """Usage errors as one line ending with where to look, not argparse's usage block: cron
    mails and operators read the last line.  Sub-command parsers inherit the class."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: {message}; see `{self.prog} --help`\n")


def build_parser() -> argparse.ArgumentParser:
    parser = OneLineParser(
        prog="lmstv", description="JAMBOX IPTV (SGT SMS) module for LMS: bridge, sandbox, "
        "billing and maintenance commands.")
    parser.add_argument("--version", action="version", version=f"lmstv {__version__}")
    parser.add_argument("--config", metavar="PATH", help="lmstv.ini to use (default: "
                        "$LMSTV_CONFIG, else /etc/lms/lmstv.ini)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log progress (INFO) and details (DEBUG) on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for info in sorted(pkgutil.iter_modules(commands.__path__), key=lambda m: m.name):
        module = importlib.import_module(f"{commands.__name__}.{info.name}")
        module.register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    # Interactive commands print their own results; INFO log lines would repeat them on stderr
    # (and land in cron mail).  Long-running servers keep INFO: it is their only output.
    quiet_level = logging.INFO if args.command in SERVER_COMMANDS else logging.WARNING
    logging.basicConfig(level=logging.DEBUG if args.verbose else quiet_level,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
                        stream=sys.stderr)
    if args.command not in SERVER_COMMANDS and not args.verbose:
        # A command reports an SMS failure itself, in one line with the fix; the client's
        # per-attempt warnings would only repeat it (-v shows them).
        logging.getLogger("lmstv.sms").setLevel(logging.ERROR)
    if not getattr(args, "func", None):
        parser.print_help()
        return 2
    try:
        return int(args.func(args) or 0)
    except ConfigError as exc:
        print(f"lmstv: configuration error: {exc}", file=sys.stderr)
        return 78  # EX_CONFIG
    except KeyboardInterrupt:
        print("lmstv: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the last net: one line, never a traceback
        if args.verbose:
            traceback.print_exc()
        code, line = clierrors.describe(exc)
        print(f"lmstv {args.command}: {line}", file=sys.stderr)
        return code


if __name__ == "__main__":
    sys.exit(main())
