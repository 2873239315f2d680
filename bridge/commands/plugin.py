"""``lmstv plugin install|uninstall|status``: the TV plugin in current LMS (28-git)."""

from __future__ import annotations

import argparse
import sys

from bridge.plugin import installer


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugin", help="install the TV plugin into current LMS (28-git), or "
                       "remove it")
    psub = p.add_subparsers(dest="plugin_command", metavar="ACTION", required=True)
    for name, func, text in (
            ("install", _install, f"copy the plugin to <lms>/plugins/{installer.PLUGIN}, "
             "enable it in uiconfig phpui.plugins and regenerate LMS's classmap (idempotent)"),
            ("uninstall", _uninstall, "remove exactly what install added (files, the "
             "phpui.plugins entry) and regenerate the classmap"),
            ("status", _status, "show whether the plugin is installed, enabled and loadable")):
        cmd = psub.add_parser(name, help=text, description=text)
        cmd.add_argument("--lms-dir", metavar="DIR", required=True,
                         help="current LMS's root directory (its lms.ini, else "
                              "/etc/lms/lms.ini, gives the database)")
        if name != "status":
            cmd.add_argument("--dry-run", action="store_true",
                             help="change nothing, only print what would be done")
        cmd.set_defaults(func=func)


def _report(plan: installer.Plan, dry_run: bool, done: str) -> None:
    lines = plan.describe()
    for line in lines:
        print(f"  {'would ' if dry_run else ''}{line}")
    if not lines:
        print("  nothing to change")
    print(f"lmstv plugin: {'dry run, nothing changed' if dry_run else done} ({plan.lms_dir})")
    if plan.classmap is not None and plan.classmap.kind == "manual" and not dry_run:
        print(f"next: cd {plan.lms_dir} && composer dump-autoload -o   (LMS loads plugin "
              "classes only through Composer's classmap)")


def _install(args: argparse.Namespace) -> int:
    try:
        plan = installer.install(args.lms_dir, dry_run=args.dry_run)
    except installer.PluginError as exc:
        print(f"lmstv plugin: {exc}", file=sys.stderr)
        return 1
    _report(plan, args.dry_run, "installed")
    if not args.dry_run:
        print("next: give LMS users 'TV — pełny dostęp' (tv_full) or 'TV — tylko odczyt' "
              "(tv_readonly) in Administracja → Użytkownicy")
    return 0


def _uninstall(args: argparse.Namespace) -> int:
    try:
        plan = installer.uninstall(args.lms_dir, dry_run=args.dry_run)
    except installer.PluginError as exc:
        print(f"lmstv plugin: {exc}", file=sys.stderr)
        return 1
    _report(plan, args.dry_run, "uninstalled")
    return 0


def _status(args: argparse.Namespace) -> int:
    """Exit 0 installed and enabled, 3 not installed, 1 installed but not working."""
    try:
        st = installer.status(args.lms_dir)
    except installer.PluginError as exc:
        print(f"lmstv plugin: {exc}", file=sys.stderr)
        return 1
    if not st.installed:
        print(f"plugin {installer.PLUGIN}: not installed")
        return 3
    print(f"plugin {installer.PLUGIN}: installed, version {st.version}")
    print(f"  enabled in phpui.plugins: {'yes' if st.enabled else 'no'}"
          + (" (but the phpui.plugins row is disabled)" if st.uiconfig_disabled else ""))
    if st.in_classmap is not None:
        print(f"  in LMS's classmap: {'yes' if st.in_classmap else 'no'}")
    for rel in st.missing:
        print(f"  MISSING {rel}")
    for rel in st.changed:
        print(f"  CHANGED {rel}")
    bad = (not st.enabled or st.uiconfig_disabled or st.missing or st.in_classmap is False)
    return 1 if bad else 0
