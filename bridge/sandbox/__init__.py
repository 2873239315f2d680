"""Stateful simulator of SGT's SMS XML-RPC API v1.4.1 (``lmstv sandbox``).

It stands for SGT's side, so it shares no code with the client in ``bridge.sms``.
:func:`demo_customers` gives the people of ``--seed demo`` for building a matching LMS database.
"""

from bridge.sandbox.seed import DEMO_CUSTOMERS, demo_customers

__all__ = ["DEMO_CUSTOMERS", "demo_customers"]
