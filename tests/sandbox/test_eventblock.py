"""Generated events kept as a rule give exactly the tuples the old per-event loop stored."""

from __future__ import annotations

from bridge.sandbox import catalog
from bridge.sandbox.control import Controls
from bridge.sandbox.ops_billing import report_id
from bridge.sandbox.state import SmsState
from bridge.sandbox.values import add_months, iso, month_start, parse_date


def old_loop(st: SmsState, count: int, numbers: list[str], start: str, months: int) -> list:
    """The per-event generation this replaced (sorted by sale date like events_between)."""
    first = month_start(parse_date(start))
    month_days = [add_months(first, m) for m in range(months)]
    bases = [catalog.BY_ID[p] for p in catalog.BASE_IDS]
    out = []
    for i in range(count):
        number = numbers[i % len(numbers)]
        month = month_days[i * months // count]
        p = bases[i % len(bases)]
        out.append(st.make_event(number, (st.accounts_of.get(number) or [0])[0], p.package_id,
                                 iso(month.replace(day=1 + i % 28)),
                                 f"{p.name} - abonament {month:%m/%Y}", p.price, p.b2b,
                                 event_id=700001 + i, group_id=report_id(month)))
    return sorted(out, key=lambda e: (e[5], e[0]))


def test_block_matches_the_per_event_loop() -> None:
    for count, customers, months in ((1, 1, 1), (97, 7, 3), (1000, 30, 2), (57, 100, 1)):
        st = SmsState()
        c = Controls(st)
        c.addCustomers(customers)
        assert c.generateBillingEvents(count, customers, "2026-01-01", months) == count
        numbers = list(st.customers)[:customers]
        got = st.events_between("2000-01-01", "2099-12-31")
        assert got == old_loop(st, count, numbers, "2026-01-01", months)
        assert st.event_count() == count and st.has_event(700001) and not st.has_event(1)
        # a one-day window and the snapshot see the same events
        assert st.events_between("2026-01-05", "2026-01-05") == [
            e for e in got if e[5] == "2026-01-05"]
        assert [tuple(e) for e in st.snapshot()["events"]] == got
