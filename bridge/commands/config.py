"""``lmstv config show``: the effective configuration, secrets hidden (for support requests)."""

from __future__ import annotations

import argparse

from bridge.config import load_config


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("config", help="show the effective configuration (secrets hidden)")
    csub = p.add_subparsers(dest="config_command", metavar="ACTION", required=True)
    show = csub.add_parser("show", help="print every setting as lmstv understands it")
    show.set_defaults(func=_show)


def _show(args: argparse.Namespace) -> int:
    cfg = load_config(args.config, need_database=False)
    hidden = "<hidden>" if cfg.secret else "<not set>"
    # In the split layout bind and secret are read from the shim's file: say so.
    origin = f" (from {cfg.shim_config})" if cfg.shim_config else ""
    rows = [
        ("file", cfg.source), ("[logowanie] login", cfg.sms_login),
        ("[logowanie] haslo", "<hidden>"), ("[logowanie] serwer", cfg.sms_url),
        ("[opcje] cache", int(cfg.cache_enabled)), ("[opcje] cache_lifetime", cfg.cache_lifetime),
        ("[opcje] http_timeout", cfg.http_timeout), ("[opcje] long_timeout", cfg.long_timeout),
        ("[opcje] max_reply_mb", cfg.max_reply_mb),
        ("[bridge] shim_config", cfg.shim_config or "<not set: bind and secret from this file>"),
        ("[bridge] bind", f"{cfg.bind}{origin}"), ("[bridge] secret", f"{hidden}{origin}"),
        ("[bridge] cache_dir", cfg.cache_dir), ("[bridge] audit_log", cfg.audit_log),
        ("[billing] tv_tariff_id", cfg.tv_tariff_id or "<not set>"),
        ("[billing] mode", cfg.invoicing_mode),
        ("[billing] numberplan_id", cfg.numberplan_id or "<division default>"),
        ("[billing] customergroups", " ".join(cfg.customergroups) or "<all>"),
        ("[lms] lms_ini", cfg.lms_ini), ("[lms] lms_dir", cfg.lms_dir),
    ]
    try:
        full = load_config(args.config)
        rows.append(("database", full.database.describe() if full.database else "<none>"))
    except Exception as exc:  # noqa: BLE001 - shown, not fatal: 'show' must work to debug it
        rows.append(("database", f"ERROR: {exc}"))
    width = max(len(k) for k, _ in rows)
    for key, value in rows:
        print(f"{key.ljust(width)}  {value}")
    return 0
