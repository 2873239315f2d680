"""``sandbox.*`` control methods (no auth): reset, clock, bulk data, latency, fault injection.

They are not part of SGT's API; tests and demos use them to arrange the SMS side.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from bridge.sandbox import catalog, faults, seed
from bridge.sandbox.eventblock import Base, EventBlock
from bridge.sandbox.ops_billing import VAT, report_id
from bridge.sandbox.ops_customers import clean_customer_data
from bridge.sandbox.people import iter_people
from bridge.sandbox.state import SmsState
from bridge.sandbox.values import add_months, iso, month_start, parse_amount, parse_date

FAILURE_KINDS = ("fault", "http500", "http502", "html", "truncated", "reset", "timeout",
                 "garbage")
MAX_LATENCY_MS = 60_000
MAX_BULK = 1_000_000
MAX_TEXT = 1000
CALL_LOG = 1000


def _control_fault(message: str) -> faults.SandboxFault:
    return faults.fault(faults.CONTROL, message)


def _count(value: object, what: str, maximum: int = MAX_BULK) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= maximum:
        raise _control_fault(f"{what} must be an integer 0..{maximum}")
    return value


def _text(value: object, what: str) -> str:
    """Any non-blank text (markup and quotes included: SMS stores what its panel is given)."""
    if not isinstance(value, str) or not value.strip() or len(value) > MAX_TEXT:
        raise _control_fault(f"{what} must be a non-blank string of at most {MAX_TEXT} "
                             "characters")
    return value


def _id(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise _control_fault(f"{what} must be an integer")
    return value


class Controls:
    """Runtime knobs around one :class:`SmsState` (shared by all request threads)."""

    def __init__(self, state: SmsState, default_seed: str = "empty") -> None:
        self.state = state
        self.default_seed = default_seed
        self.latency_ms = 0
        self.failures: deque[tuple[str, int, str]] = deque()
        self.calls: deque[dict] = deque(maxlen=CALL_LOG)
        self.knob_lock = threading.Lock()

    # -- used by the server -----------------------------------------------------------------

    def take_failure(self) -> tuple[str, int, str] | None:
        with self.knob_lock:
            return self.failures.popleft() if self.failures else None

    def record(self, method: str, outcome: str, seconds: float) -> None:
        self.calls.append({"method": method, "outcome": outcome, "ms": round(seconds * 1000, 1),
                           "at": time.strftime("%Y-%m-%d %H:%M:%S")})

    def apply_seed(self, name: str) -> None:
        """Replace all data with a seed (caller holds the state lock)."""
        if name not in ("empty", "demo"):
            raise _control_fault(f"unknown seed {name!r}: use 'empty' or 'demo'")
        today = self.state.today_override
        self.state.clear()
        self.state.today_override = today
        if name == "demo":
            seed.seed_demo(self.state)
        else:
            seed.seed_empty(self.state)
        self.state.version += 1

    # -- control methods ------------------------------------------------------------------

    def reset(self, name: str = "empty", today: str = "") -> bool:
        with self.knob_lock:
            self.latency_ms = 0
            self.failures.clear()
            self.calls.clear()
        with self.state.lock:
            self.state.today_override = parse_date(today) if today else None
            self.apply_seed(name)
        return True

    def setToday(self, day: str) -> str:
        with self.state.lock:
            self.state.today_override = parse_date(day) if day else None
            self.state.version += 1
            return self.state.today().isoformat()

    def getToday(self) -> str:
        return self.state.today().isoformat()

    def addCustomers(self, customers: object) -> list[str]:
        st = self.state
        with st.lock:
            if isinstance(customers, int) and not isinstance(customers, bool):
                count = _count(customers, "count")
                first = max((e for e in st.by_external), default=0) + 1
                # Generated people are valid and their external ids (above every taken one)
                # free: created one at a time, never all 100,000 cust_data structs at once.
                numbers = [st.create_customer(clean_customer_data(c, partial=False))
                           for c in iter_people(count, first, first)]
                st.version += 1
                return numbers
            if not isinstance(customers, list):
                raise _control_fault("addCustomers takes a list of cust_data structs or a count")
            cleaned = [clean_customer_data(c, partial=False) for c in customers]
            seen = set()
            for c in cleaned:
                ext = c.get("cust_external_id", "")
                if ext != "" and (ext in seen or ext in st.by_external):
                    raise faults.fault(faults.EXTERNAL_ID_TAKEN,
                                       f"Zewnętrzne ID {ext} jest już przypisane")
                seen.add(ext)
            numbers = [st.create_customer(c) for c in cleaned]
            st.version += 1
            return numbers

    def addSgtStbs(self, stbs: object) -> list[str]:
        """Stock STBs bought through SGT (``stb_owner = sgt``), which ``stbRemove`` refuses;
        each struct has ``stb_mac``, ``stb_serial``, ``stb_model`` → their MACs."""
        if not isinstance(stbs, list) or not all(isinstance(s, dict) for s in stbs):
            raise _control_fault("addSgtStbs takes a list of {stb_mac, stb_serial, stb_model}")
        st = self.state
        with st.lock:
            macs = [st.add_stb(str(s.get("stb_mac", "")), str(s.get("stb_serial", "")),
                               str(s.get("stb_model", "")), sgt_owned=True)["stb_mac"]
                    for s in stbs]
            st.version += 1
            return macs

    def addBillingEvents(self, events: object) -> int:
        st = self.state
        if not isinstance(events, list):
            raise _control_fault("addBillingEvents takes a list of event structs")
        with st.lock:
            built = []
            ids = set()
            for n, e in enumerate(events):
                if not isinstance(e, dict):
                    raise _control_fault(f"event #{n} is not a struct")
                try:
                    built.append(self._event(e))
                except (KeyError, TypeError, ValueError) as exc:
                    raise _control_fault(f"event #{n}: bad or missing field {exc}") from None
                if st.has_event(built[-1][0]) or built[-1][0] in ids:
                    raise _control_fault(f"event #{n}: id {built[-1][0]} already exists")
                ids.add(built[-1][0])
            for e in built:
                st.add_event(e)
                st.seq["event"] = max(st.seq["event"], e[0] + 1)
            st.version += 1
            return len(built)

    def _event(self, e: dict) -> tuple:
        st = self.state
        day = iso(parse_date(e["be_selling_date"]))
        gross = parse_amount(e["be_gross"], "be_gross")
        b2b = parse_amount(e.get("be_b2b_netto", float(gross) * 0.5), "be_b2b_netto")
        event_id = e.get("id")
        if event_id is not None and (isinstance(event_id, bool) or not isinstance(event_id, int)):
            raise TypeError("id")
        vat = e.get("be_vat", 0.23)
        if isinstance(vat, bool) or not isinstance(vat, int | float) or not 0 <= vat < 1:
            raise ValueError("be_vat (a fraction such as 0.23)")
        return st.make_event(
            str(e["cust_number"]), int(e.get("account_id", 0)), int(e.get("package_id", 0)), day,
            str(e.get("be_desc", "Pakiet Wielotematyczny 65 - abonament")), gross, b2b,
            event_id=event_id if event_id is not None else st.next_id("event"),
            group_id=int(e.get("group_id", report_id(parse_date(day)))), vat=float(vat),
            external=e.get("cust_external_id"))

    def generateBillingEvents(self, count: int, customers: object = 0, start_date: str = "",
                              months: int = 2) -> int:
        """``count`` monthly-fee events spread over ``months`` months and the customers."""
        st = self.state
        count = _count(count, "count")
        months = _count(months, "months", 120) or 1
        with st.lock:
            if isinstance(customers, list):
                numbers = [st.customer(str(n))["cust_number"] for n in customers]
            else:
                wanted = _count(customers, "customers") or len(st.customers)
                if wanted > len(st.customers):
                    self.addCustomers(wanted - len(st.customers))
                numbers = list(st.customers)[:wanted]
            if not numbers:
                raise _control_fault("no customers to bill: add customers first")
            first = (month_start(parse_date(start_date)) if start_date
                     else month_start(add_months(st.today(), -(months - 1))))
            month_days = [add_months(first, m) for m in range(months)]
            bases = [st.packages[p] for p in catalog.BASE_IDS]
            next_id = st.seq["event"]
            # Kept as a rule (bridge/sandbox/eventblock.py): 1,000,000 events as tuples would be
            # ~200 MB; the reply yields the same tuples a day at a time.
            st.add_block(EventBlock(
                first_id=next_id, count=count, numbers=tuple(numbers),
                externals=tuple(st.customers[n]["cust_external_id"] for n in numbers),
                accounts=tuple((st.accounts_of.get(n) or [0])[0] for n in numbers),
                months=tuple(month_days),
                bases=tuple(Base(p.package_id, float(p.price), float(p.b2b)) for p in bases),
                texts=tuple(tuple(f"{p.name} - abonament {m:%m/%Y}" for p in bases)
                            for m in month_days),
                groups=tuple(report_id(m) for m in month_days), vat=VAT))
            st.seq["event"] = next_id + count
            st.version += 1
            return count

    # -- names SGT's own panel sets (the API cannot), e.g. hostile strings for XSS tests ------

    def setPackageName(self, package_id: int, name: str) -> str:
        """Rename a package of the offer (every reply naming it changes; the demo's names come
        back with ``reset``)."""
        name = _text(name, "name")
        st = self.state
        with st.lock:
            st.rename_package(_id(package_id, "package_id"), name)
            st.version += 1
            return name

    def setStbSerial(self, stb_mac: str, serial: str) -> str:
        serial = _text(serial, "serial")
        st = self.state
        with st.lock:
            s = st.stb(str(stb_mac))
            if any(o["stb_serial"] == serial and o is not s for o in st.stbs.values()):
                raise _control_fault(f"another STB has serial {serial!r}")
            s["stb_serial"] = serial
            st.version += 1
            return serial

    def setSubnetName(self, subnet_id: int, name: str) -> str:
        name = _text(name, "name")
        st = self.state
        with st.lock:
            st.subnet(_id(subnet_id, "subnet_id"))["subnet_name"] = name
            st.version += 1
            return name

    def setLatency(self, ms: int) -> int:
        with self.knob_lock:
            self.latency_ms = _count(ms, "latency ms", MAX_LATENCY_MS)
            return self.latency_ms

    def failNext(self, n: int, kind: str, fault_code: int = 0, fault_string: str = "") -> int:
        n = _count(n, "n", 10_000)
        if kind not in FAILURE_KINDS:
            raise _control_fault(f"unknown failure kind {kind!r}: use one of "
                                 + ", ".join(FAILURE_KINDS))
        if isinstance(fault_code, bool) or not isinstance(fault_code, int):
            raise _control_fault("faultCode must be an integer")
        with self.knob_lock:
            self.failures.extend([(kind, fault_code, str(fault_string))] * n)
            return len(self.failures)

    def getPaymentInfo(self) -> dict:
        with self.state.lock:
            return self.state.payment_info

    def getCalls(self, limit: int = CALL_LOG) -> list[dict]:
        return list(self.calls)[-_count(limit, "limit", CALL_LOG):] if limit else []

    def getState(self) -> dict:
        with self.state.lock:
            out = self.state.counts()
        with self.knob_lock:
            out.update(latency_ms=self.latency_ms, pending_failures=len(self.failures))
        return out

    def getDemoCustomers(self, count: int = seed.DEMO_CUSTOMERS) -> list[dict]:
        return seed.demo_customers(_count(count, "count", 100_000))


CONTROL_METHODS = ("reset", "setToday", "getToday", "addCustomers", "addSgtStbs",
                   "addBillingEvents", "generateBillingEvents", "setPackageName", "setStbSerial",
                   "setSubnetName", "setLatency", "failNext",
                   "getPaymentInfo", "getCalls", "getState", "getDemoCustomers", "save")
