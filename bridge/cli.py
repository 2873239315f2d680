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


class _ProbeError(Exception):
    pass


class _CommandProbe(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise _ProbeError(message)


def command_in(argv: list[str]) -> str | None:
    """The module of ``bridge.commands`` whose command ``argv`` names, read with the top-level
    options as the full parser reads them (``--config PATH``, abbreviations); None when it
    asks for help, names no command or one no module is named after."""
    if "--" in argv:
        return None  # argparse's "--" handling differs between the probe and the full parser
    probe = _CommandProbe(add_help=False, allow_abbrev=True)
    probe.add_argument("--config")
    probe.add_argument("-v", "--verbose", action="store_true")
    probe.add_argument("--version", action="store_true")
    probe.add_argument("-h", "--help", action="store_true")
    probe.add_argument("command", nargs="?")
    probe.add_argument("rest", nargs=argparse.REMAINDER)
    try:
        known, _unknown = probe.parse_known_args(argv)
    except _ProbeError:
        return None
    if known.help or known.version or known.command not in _command_modules():
        return None
    return known.command


def _command_modules() -> list[str]:
    return sorted(m.name for m in pkgutil.iter_modules(commands.__path__))


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The full parser; with ``only`` (a module of ``bridge.commands``, each registers the
    command of its name) just that command's.  Importing and registering every module costs
    a cron job or a script calling ``lmstv`` ~60 ms of CPU for parsers it never uses."""
    parser = OneLineParser(
        prog="lmstv", description="JAMBOX IPTV (SGT SMS) module for LMS: bridge, sandbox, "
        "billing and maintenance commands.")
    parser.add_argument("--version", action="version", version=f"lmstv {__version__}")
    parser.add_argument("--config", metavar="PATH", help="lmstv.ini to use (default: "
                        "$LMSTV_CONFIG, else /etc/lms/lmstv.ini)")
    parser.add_argument("-v", "--verbose", action="store_true",
                        help="log progress (INFO) and details (DEBUG) on stderr")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    names = _command_modules()
    for name in [only] if only in names else names:
        importlib.import_module(f"{commands.__name__}.{name}").register(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    command = command_in(sys.argv[1:] if argv is None else argv)
    parser = build_parser(command) if command else build_parser()
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
