"""gunicorn settings for the bridge: ``gunicorn -c python:bridge.gunicorn_conf bridge.wsgi:app``.

Bind comes from ``[bridge] bind`` of lmstv.ini ($LMSTV_CONFIG); workers share the disk cache.
Environment overrides: LMSTV_WORKERS, LMSTV_THREADS, LMSTV_CLIENT_TIMEOUT (seconds a client may
take for each read of its request), LMSTV_HEADER_DEADLINE and LMSTV_BODY_DEADLINE (seconds for a
request's whole headers, and for its whole body; bridge/gunicorn_worker.py).
"""

from __future__ import annotations

import os

from bridge.config import is_loopback_bind, load_config

_cfg = load_config(need_database=False)
if not is_loopback_bind(_cfg.bind) and os.environ.get("LMSTV_ALLOW_REMOTE") != "1":
    # Same rule as `lmstv serve`: the bridge holds SMS credentials and the LMS database, so it
    # listens on loopback or a unix socket unless the operator explicitly says otherwise.
    raise SystemExit(f"lmstv: [bridge] bind = {_cfg.bind} is not a loopback address or unix "
                     "socket; use 127.0.0.1:PORT or unix:/run/lmstv/bridge.sock, or set "
                     "LMSTV_ALLOW_REMOTE=1 if the bridge really must listen on the network")

bind = [_cfg.bind]
# 2–4 processes: enough for two cores and for one slow SMS call not to block the others.
workers = max(2, min(4, int(os.environ.get("LMSTV_WORKERS", (os.cpu_count() or 2) + 1))))
# Threads are cheap here (each mostly waits for SMS or a client); 32 a worker means a handful of
# slow or stalled clients cannot take them all; each read of a request is bounded by
# LMSTV_CLIENT_TIMEOUT and the whole headers / body by LMSTV_HEADER_DEADLINE / BODY_DEADLINE
# (bridge/gunicorn_worker.py).  bench/bench_slow_clients.py measures it.
threads = int(os.environ.get("LMSTV_THREADS", "32"))
worker_class = "bridge.gunicorn_worker.BridgeThreadWorker"
# Longer than the slowest SMS call (billing's long_timeout) so a worker is never killed mid-call.
timeout = int(max(_cfg.long_timeout, _cfg.http_timeout) * 2 + 10)
graceful_timeout = 30
keepalive = 5
# We log one line per request ourselves (request id, LMS user, endpoint, status, duration).
accesslog = None
errorlog = "-"
loglevel = "info"
umask = 0o077
proc_name = "lmstv-bridge"
