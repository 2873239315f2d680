"""``lmstv serve``: the bridge on werkzeug's development server (production: gunicorn).

Binds ``[bridge] bind`` (loopback or a unix socket by default) and refuses any other address
unless ``--allow-remote`` is given: the API carries PINs and changes customers' services.
"""

from __future__ import annotations

import argparse
import logging
import os
import socket
import sys

from bridge.config import is_loopback_bind, load_config

log = logging.getLogger("lmstv.serve")


def register(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser("serve", help="run the bridge's JSON API (development server; production "
                       "uses gunicorn with bridge/gunicorn_conf.py)")
    p.add_argument("--bind", metavar="HOST:PORT|unix:PATH",
                   help="override [bridge] bind from lmstv.ini")
    p.add_argument("--allow-remote", action="store_true",
                   help="allow binding an address other than loopback (not recommended)")
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from werkzeug.serving import make_server

    from bridge.api import create_app

    cfg = load_config(args.config)
    bind = args.bind or cfg.bind
    if not is_loopback_bind(bind) and not args.allow_remote:
        print(f"lmstv serve: refusing to listen on {bind}: it is not a loopback address. Use "
              "127.0.0.1:PORT or unix:/path.sock, or pass --allow-remote if a firewall "
              "protects it.", file=sys.stderr)
        return 2
    app = create_app(cfg.with_overrides(bind=bind))
    if bind.startswith("unix:"):
        path = bind[5:]
        if os.path.exists(path):
            os.unlink(path)
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.bind(path)
        os.chmod(path, 0o660)
        sock.listen(128)
        server = make_server("localhost", 0, app, threaded=True, fd=sock.fileno())
    else:
        host, _, port = bind.rpartition(":")
        server = make_server(host.strip("[]"), int(port), app, threaded=True)
    # The bridge writes its own line per request (id, LMS user, endpoint, status, time).
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    log.info("bridge listening on %s (development server)", bind)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
