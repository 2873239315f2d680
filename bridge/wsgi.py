"""WSGI entry for gunicorn: ``gunicorn -c bridge/gunicorn_conf.py bridge.wsgi:app``.

Reads lmstv.ini from $LMSTV_CONFIG (else /etc/lms/lmstv.ini).
"""

from __future__ import annotations

import gc
import logging
import sys

from bridge.api import create_app
from bridge.config import load_config

logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app(load_config())
# Everything imported and built so far (~40,000 objects: Flask, the database drivers, the
# app) lives as long as the worker; out of the collector's sight, a full collection no longer
# walks it (one cost 20-40 ms of CPU, 50-200 ms on a busy box, in whichever request set it off).
gc.freeze()
