"""``lmstv shim install|uninstall|status``: put the PHP shim into LMS 1.11.17 or take it out."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bridge import installcli
from bridge.config import ConfigError, load_config
from bridge.shim import installer, shimini
from bridge.shim.edits import EDITS


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("shim", help="install the PHP shim into LMS 1.11.17, or remove it")
    installcli.add_actions(
        p, "shim_command", (
            ("install", _install, "copy the shim's files into LMS and make the manual's edits "
             "(idempotent; backups in <lms>/.lmstv-shim/)"),
            ("uninstall", _uninstall, "remove the shim's files and undo the edits byte-exact"),
            ("status", _status, "show whether the shim is installed and its edits are in place")),
        lms_dir_required=False,
        lms_dir_help="LMS's root directory (default: [lms] lms_dir of lmstv.ini)",
        dry_run_help="only print what would be done")


def _lms_dir(args: argparse.Namespace) -> Path:
    if args.lms_dir:
        return Path(args.lms_dir)
    try:
        return Path(load_config(args.config, need_database=False).lms_dir)
    except ConfigError as exc:
        raise ConfigError(exc.file, exc.key, "", f"{exc.fix}; or pass --lms-dir") from None


def _install(args: argparse.Namespace) -> int:
    if installcli.apply("shim", lambda: installer.install(_lms_dir(args), dry_run=args.dry_run),
                        installer.ShimError, args.dry_run, "installed") is None:
        return 1
    _shim_ini(args)
    if not args.dry_run:
        print("next: give LMS users the rights 'TV — pełny dostęp' or 'TV — tylko odczyt' "
              "(Administracja → Użytkownicy); the web server reads [bridge] bind and secret "
              "from /etc/lms/lmstv-shim.ini (lmstv:www-data 0640, see lmstv-shim.ini.example) "
              "and must not read lmstv.ini (docs/install-lms.md, step 2)")
    return 0


def _shim_ini(args: argparse.Namespace) -> None:
    """lmstv-shim.ini: created from the bridge's settings when missing, never overwritten."""
    try:
        plan = shimini.plan_shim_ini(args.config)
    except ConfigError as exc:
        print(f"  lmstv-shim.ini not created: {exc}", file=sys.stderr)
        return
    prefix = "would " if args.dry_run and not plan.exists else ""
    for line in plan.describe():
        print(f"  {prefix}{line}")
    if not args.dry_run:
        for warning in shimini.create(plan):
            print(f"  warning: {warning}", file=sys.stderr)


def _uninstall(args: argparse.Namespace) -> int:
    plan = installcli.apply("shim", lambda: installer.uninstall(_lms_dir(args),
                                                                dry_run=args.dry_run),
                            installer.ShimError, args.dry_run, "uninstalled")
    return 1 if plan is None else 0


def _status(args: argparse.Namespace) -> int:
    lms_dir = _lms_dir(args).resolve()
    try:
        version = installer.lms_version(lms_dir)
        manifest = installer.load_manifest(lms_dir)
    except installer.ShimError as exc:
        print(f"lmstv shim: {exc}", file=sys.stderr)
        return 1
    print(f"LMS {version} in {lms_dir}")
    if manifest is None:
        print("shim: not installed")
        return 3
    missing = [rel for rel in manifest["files"] if not (lms_dir / rel).is_file()]
    print(f"shim: installed, {len(manifest['files'])} files"
          + (f", {len(missing)} missing: {', '.join(missing)}" if missing else ""))
    bad = 0
    for edit in EDITS:
        path = lms_dir / edit.path
        ok = path.is_file() and edit.is_applied(path.read_text("utf-8", "surrogateescape"))
        bad += not ok
        print(f"  {'ok     ' if ok else 'MISSING'} {edit.path} ({edit.ident})")
    return 1 if bad or missing else 0
