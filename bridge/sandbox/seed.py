"""Seeds: "empty" (offer and subnets only) and "demo" (a believable operator, deterministic).

The demo operator has DEMO_CUSTOMERS customers with cust_external_id 1..N;
:func:`demo_customers` returns the same people so a demo LMS database can hold matching
customers (LMS id = external id).
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

from bridge.sandbox import catalog
from bridge.sandbox.ops_packages import STATUS_ACTIVE, STATUS_AWAITING, STATUS_ISSUE_STB
from bridge.sandbox.people import people
from bridge.sandbox.state import SmsState
from bridge.sandbox.values import add_months, iso, month_end, month_start

DEMO_CUSTOMERS = 300
UNKNOWN_TO_LMS = 3  # SMS customers the demo LMS does not know (docs/reconcile.md)
DEMO_SEED = 20150715  # the vendor manual's date; any fixed value keeps the demo reproducible
SUBNETS = (("Centrum", "10.20.0.0/23"), ("Osiedle Słoneczne", "10.20.2.0/24"),
           ("Stare Miasto", "10.20.3.0/25"), ("Wieliczka", "10.20.4.0/24"),
           ("Biznes", "10.20.5.0/26"))


def demo_customers(count: int = DEMO_CUSTOMERS) -> list[dict]:
    """The demo's customers as cust_data structs (cust_external_id = LMS customers.id)."""
    return people(count, 1, DEMO_SEED)


def seed_empty(state: SmsState) -> None:
    """An operator with nothing but its subnets (the offer is static)."""
    for name, cidr in SUBNETS:
        state.add_subnet(name, cidr)


def _mac(n: int) -> str:
    return "00:1A:79:" + ":".join(f"{(n >> s) & 0xFF:02X}" for s in (16, 8, 0))


def _register_stbs(state: SmsState, rng: random.Random, count: int) -> list[dict]:
    weights = {"VIP1910-9": 3, "VIP1960": 4, "STB-2101H": 4, "STB-1001H": 2, "MAG250": 1,
               "MAG200": 1, "VIP1003": 1}
    models = [m for m, w in weights.items() for _ in range(w)]
    out = []
    for n in range(count):
        model = rng.choice(models)
        serial = f"{model.split('-')[0][:3]}{rng.randint(10**8, 10**9 - 1)}"
        out.append(state.add_stb(_mac(0x100000 + n * 7), serial, model,
                                 sgt_owned=rng.random() < 0.3))
    return out


def seed_demo(state: SmsState) -> None:
    rng = random.Random(DEMO_SEED)
    today = state.today()
    seed_empty(state)
    stock = _register_stbs(state, rng, 480)
    subnet_ids = list(state.subnets)
    bases = [p for p in catalog.PACKAGES if p.kind == catalog.BASE
             and catalog.on_sale(p, iso(today))]
    extras = [p for p in catalog.PACKAGES if p.kind == catalog.EXTRA]
    for data in demo_customers():
        c = dict(data)
        c["cust_vod_pin"] = f"{rng.randint(0, 9999):04d}"
        c["cust_master_pin"] = f"{rng.randint(0, 9999):04d}"
        number = state.create_customer(c)
        if rng.random() < 0.08:
            continue  # exported to SMS, no TV service yet
        for _ in range(2 if rng.random() < 0.07 else 1):
            account_id = state.accountAdd(number, {
                "cust_i_street": c["cust_m_street"], "cust_i_home_nr": c["cust_m_home_nr"],
                "cust_i_flat": c["cust_m_flat"], "cust_i_postal_code": c["cust_m_postal_code"],
                "cust_i_city": c["cust_m_city"]})
            _demo_services(state, rng, account_id, bases, extras, stock, subnet_ids)
        _backdate(state, random.Random(f"{DEMO_SEED}/{number}"), number)
    _demo_messages(state, rng)
    _demo_unknown_to_lms(state, bases, stock, subnet_ids)
    # Two months of billing: the previous and the current month.
    first = month_start(add_months(month_start(today), -1))
    for s in state.subscriptions.values():
        if s["order_status_id"] == STATUS_ACTIVE:
            s["_billed"] = iso(add_months(first, -1))[:7]
    state.bill_through_today()
    _demo_penalties(state, rng, first)


def _backdate(state: SmsState, rng: random.Random, number: str) -> None:
    """Creation dates that fit the story: SMS stamps "today" on everything the seed creates, but a
    service that started a year ago sits on an account, and a customer, created before it."""
    today = state.today()
    customer_created = today - timedelta(days=rng.randint(0, 20))
    for a in state.accounts.values():
        if a["cust_number"] != number:
            continue
        starts = [date.fromisoformat(s["sub_valid_from"]) for s in state.subscriptions.values()
                  if s["account_id"] == a["account_id"]]
        created = min([today, *starts]) - timedelta(days=rng.randint(0, 14))
        a["acc_created_date"] = iso(created)
        customer_created = min(customer_created, created - timedelta(days=rng.randint(0, 30)))
    state.customers[number]["cust_created_date"] = iso(customer_created)


def _link(state: SmsState, rng: random.Random, account_id: int, sub: dict, stock: list[dict],
          subnet_ids: list[int], count: int) -> None:
    p = catalog.BY_ID[sub["package_id"]]
    for _ in range(count):
        fits = [s for s in stock if s["stb_usage"] == "stock"
                and (not p.allowed_models() or s["stb_model"] in p.allowed_models())]
        if not fits:
            return
        stb = rng.choice(fits)
        # Pick subnets in proportion to their size so none runs out of addresses.
        sizes = [2 ** (32 - state.subnets[i]["_prefix"]) for i in subnet_ids]
        subnet_id = rng.choices(subnet_ids, weights=sizes)[0]
        state.stbLink(account_id, stb["stb_mac"], subnet_id, sub["cust_order_id"])


def _demo_services(state: SmsState, rng: random.Random, account_id: int, bases: list,
                   extras: list, stock: list[dict], subnet_ids: list[int]) -> None:
    today = state.today()
    roll = rng.random()
    base = rng.choice(bases)
    if roll < 0.05:
        return  # account created, nothing ordered yet
    if roll < 0.12:  # ordered, STB not issued yet
        state.new_subscription(account_id, base.package_id, iso(today), STATUS_ISSUE_STB)
        return
    if roll < 0.20:  # STB issued, waiting for installation
        sub = state.new_subscription(account_id, base.package_id, iso(today), STATUS_ISSUE_STB)
        _link(state, rng, account_id, sub, stock, subnet_ids, 1)
        if sub["order_status_id"] == STATUS_ISSUE_STB:
            sub["order_status_id"] = STATUS_AWAITING
        return
    start = add_months(today, -rng.randint(2, 30)).replace(day=rng.randint(1, 28))
    sub = state.new_subscription(account_id, base.package_id, iso(start), STATUS_ACTIVE)
    _link(state, rng, account_id, sub, stock, subnet_ids, rng.randint(1, base.devices))
    for extra in rng.sample(extras, k=rng.choice((0, 0, 1, 1, 2))):
        e = state.new_subscription(account_id, extra.package_id,
                                   iso(max(start, add_months(today, -1))), STATUS_ACTIVE)
        if extra.devices and rng.random() < 0.5:
            _link(state, rng, account_id, e, stock, subnet_ids, 1)
    roll = rng.random()
    if roll < 0.06:  # notice given, ends at the end of next month
        sub["sub_valid_to"] = iso(month_end(add_months(today, 1)))
        sub["term_desc"] = "Rezygnacja klienta"
    elif roll < 0.10:
        state.accountLock(account_id)
    elif roll < 0.16 and base.upgrades:  # renewed contract: upgraded, gift still to choose
        target = catalog.BY_ID[base.upgrades[0]]
        when = month_end(add_months(today, -1))
        if when > start:
            sub["sub_valid_to"] = iso(when)
            sub["term_desc"] = f"Upgrade do pakietu {target.name}"
            new = state.new_subscription(account_id, target.package_id,
                                         iso(when + timedelta(days=1)), STATUS_ACTIVE,
                                         order_id=sub["cust_order_id"])
            new["_gift_open"] = True


def _demo_unknown_to_lms(state: SmsState, bases: list, stock: list[dict],
                         subnet_ids: list[int]) -> None:
    """SMS customers no LMS customer is linked to (no external id), with active services, so
    the billing events and `lmstv reconcile` of the demo show them.  Their own generator
    leaves the demo's other customers exactly as before."""
    rng = random.Random(DEMO_SEED + 13)
    for data in people(UNKNOWN_TO_LMS, DEMO_CUSTOMERS + 1, DEMO_SEED + 13):
        c = {**data, "cust_external_id": "", "cust_vod_pin": f"{rng.randint(0, 9999):04d}",
             "cust_master_pin": f"{rng.randint(0, 9999):04d}"}
        number = state.create_customer(c)
        account_id = state.accountAdd(number, {
            "cust_i_street": c["cust_m_street"], "cust_i_home_nr": c["cust_m_home_nr"],
            "cust_i_flat": c["cust_m_flat"], "cust_i_postal_code": c["cust_m_postal_code"],
            "cust_i_city": c["cust_m_city"]})
        base = bases[0]
        start = add_months(state.today(), -3).replace(day=1)
        sub = state.new_subscription(account_id, base.package_id, iso(start), STATUS_ACTIVE)
        _link(state, rng, account_id, sub, stock, subnet_ids, 1)
        _backdate(state, rng, number)


def _demo_messages(state: SmsState, rng: random.Random) -> None:
    today = state.today()
    active = state.active_customers()
    texts = (("Przerwa techniczna", "W nocy z wtorku na środę w godz. 1:00-4:00 możliwe "
              "przerwy w dostępie do usług TV."),
             ("Nowy kanał HD", "Od <b>1 dnia miesiąca</b> w pakiecie Wielotematycznym nowy "
              "kanał w jakości HD."),
             ("Zaległa płatność", "Prosimy o uregulowanie zaległej płatności. Dziękujemy!"),
             ("Promocja HBO", "Pakiet HBO HD przez 3 miesiące za 1 zł."))
    for n, number in enumerate(rng.sample(active, k=min(40, len(active)))):
        teaser, body = texts[n % len(texts)]
        valid_from = today - timedelta(days=rng.randint(0, 40))
        m = state.add_message(number, {
            "msg_body": teaser, "msg_body_extended": body, "msg_prio": n % 3,
            "msg_show_priority": rng.randint(-2, 5), "msg_teaser_valid_from": iso(valid_from),
            "msg_teaser_valid_to": iso(valid_from + timedelta(days=14)),
            "msg_valid_from": iso(valid_from),
            "msg_valid_to": iso(valid_from + timedelta(days=60))})
        m["msg_teaser_impressions"] = rng.randint(0, 25)
        m["msg_impressions"] = rng.randint(0, m["msg_teaser_impressions"])
        m["msg_status"] = 1 if m["msg_impressions"] else 0
        m["msg_created_date"] = iso(valid_from) + " 09:30:00"


def _demo_penalties(state: SmsState, rng: random.Random, first_day) -> None:
    subs = [s for s in state.subscriptions.values() if s["order_status_id"] == STATUS_ACTIVE]
    for s in rng.sample(subs, k=min(5, len(subs))):
        a = state.accounts[s["account_id"]]
        name = catalog.BY_ID[s["package_id"]].name
        day = first_day + timedelta(days=rng.randint(3, 25))
        state.add_event(state.make_event(a["cust_number"], a["account_id"], s["package_id"],
                                         iso(day), f"Kara za zerwanie umowy - {name}",
                                         Decimal("150.00"), Decimal("0.00")))
