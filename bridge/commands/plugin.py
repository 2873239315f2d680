"""``lmstv plugin install|uninstall|status``: the TV plugin in current LMS (28-git)."""

from __future__ import annotations

import argparse
import sys

from bridge import installcli
from bridge.plugin import installer


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("plugin", help="install the TV plugin into current LMS (28-git), or "
                       "remove it")
    installcli.add_actions(
        p, "plugin_command", (
            ("install", _install, f"copy the plugin to <lms>/plugins/{installer.PLUGIN}, "
             "enable it in uiconfig phpui.plugins and regenerate LMS's classmap (idempotent)"),
            ("uninstall", _uninstall, "remove exactly what install added (files, the "
             "phpui.plugins entry) and regenerate the classmap"),
            ("status", _status, "show whether the plugin is installed, enabled and loadable")),
        lms_dir_required=True,
        lms_dir_help="current LMS's root directory (its lms.ini, else /etc/lms/lms.ini, "
                     "gives the database)",
        dry_run_help="change nothing, only print what would be done")


def _classmap_note(plan: installer.Plan, dry_run: bool) -> None:
    if plan.classmap is not None and plan.classmap.kind == "manual" and not dry_run:
        print(f"next: cd {plan.lms_dir} && composer dump-autoload -o   (LMS loads plugin "
              "classes only through Composer's classmap)")


def _install(args: argparse.Namespace) -> int:
    plan = installcli.apply("plugin", lambda: installer.install(args.lms_dir, dry_run=args.dry_run),
                            installer.PluginError, args.dry_run, "installed")
    if plan is None:
        return 1
    _classmap_note(plan, args.dry_run)
    if not args.dry_run:
        print("next: give LMS users 'TV — pełny dostęp' (tv_full) or 'TV — tylko odczyt' "
              "(tv_readonly) in Administracja → Użytkownicy")
    return 0


def _uninstall(args: argparse.Namespace) -> int:
    plan = installcli.apply("plugin",
                            lambda: installer.uninstall(args.lms_dir, dry_run=args.dry_run),
                            installer.PluginError, args.dry_run, "uninstalled")
    if plan is None:
        return 1
    _classmap_note(plan, args.dry_run)
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
