"""WSGI entry for gunicorn: ``gunicorn -c bridge/gunicorn_conf.py bridge.wsgi:app``.

Reads lmstv.ini from $LMSTV_CONFIG (else /etc/lms/lmstv.ini).
"""

from __future__ import annotations

import logging
import sys

from bridge.api import create_app
from bridge.config import load_config

logging.basicConfig(level=logging.INFO, stream=sys.stderr,
                    format="%(asctime)s %(levelname)s %(name)s: %(message)s")
app = create_app(load_config())
