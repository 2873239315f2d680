"""Fixtures of the sandbox tests."""

from __future__ import annotations

import pytest
from sandbox_helpers import Sms


@pytest.fixture
def sms(sandbox) -> Sms:
    sandbox.control().sandbox.setToday("2026-03-10")
    return Sms(sandbox)
