"""Fixtures of the sandbox tests."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.sandbox.sandbox_helpers import Sms

ROOT_CONFTEST = Path(__file__).resolve().parents[1] / "conftest.py"


@pytest.fixture
def sms(sandbox) -> Sms:
    sandbox.control().sandbox.setToday("2026-03-10")
    return Sms(sandbox)


@pytest.fixture
def root(request):
    """The root conftest module (start_sandbox, stop_process, ...).

    Taken from the registered plugin, because ``import conftest`` may give this directory's.
    """
    for plugin in request.config.pluginmanager.get_plugins():
        if getattr(plugin, "__file__", None) and Path(plugin.__file__).resolve() == ROOT_CONFTEST:
            return plugin
    raise RuntimeError("root conftest not loaded")


@pytest.fixture
def spawn(root):
    """Start extra ``lmstv sandbox`` processes; all are stopped after the test."""
    procs = []

    def start(*args: str):
        sb = root.start_sandbox(*args)
        procs.append(sb.proc)
        return sb

    yield start
    for proc in procs:
        root.stop_process(proc)
