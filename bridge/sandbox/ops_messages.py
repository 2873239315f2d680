"""Messages to subscribers' TV panels (API methods 28–30, "meldinger")."""

from __future__ import annotations

from datetime import datetime

from bridge.sandbox import faults
from bridge.sandbox.ops_packages import STATUS_ACTIVE
from bridge.sandbox.values import iso, optional_date, parse_date

MESSAGE_FIELDS = ("id", "cust_number", "msg_body", "msg_teaser_impressions",
                  "msg_body_extended", "msg_impressions", "msg_prio", "msg_show_priority",
                  "msg_created_date", "msg_valid_from", "msg_valid_to", "msg_teaser_valid_from",
                  "msg_teaser_valid_to", "msg_status")
MAX_BODY = 4000


def _bad(detail: str) -> faults.SandboxFault:
    return faults.fault(faults.BAD_MESSAGE, f"Nieprawidłowa wiadomość: {detail}")


def _body(value: object, what: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _bad(f"{what} nie może być pusta")
    if len(value) > MAX_BODY:
        raise _bad(f"{what} jest za długa (maks. {MAX_BODY} znaków)")
    # SMS turns newlines into <br /> itself (per the module's form help).
    return value.strip().replace("\r\n", "\n").replace("\n", "<br />")


def _int(value: object, what: str, allowed: range) -> int:
    if isinstance(value, bool):
        raise _bad(f"{what} musi być liczbą")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _bad(f"{what} musi być liczbą, jest {value!s}") from None
    if number not in allowed:
        raise _bad(f"{what} poza zakresem: {number}")
    return number


class MessageOps:
    """Mixin over :class:`bridge.sandbox.store.Store`."""

    def active_customers(self) -> list[str]:
        """Customers with an installed, running service on an unlocked open account."""
        today = iso(self.today())
        out = []
        for number in self.customers:  # customer order, as before accounts_of kept every one
            for account_id in self.accounts_of.get(number, ()):
                a = self.accounts[account_id]
                if a["acc_closed"] or not a["acc_active"]:
                    continue
                if any(self.subscriptions[s]["order_status_id"] == STATUS_ACTIVE
                       and self.subscriptions[s]["sub_valid_from"] <= today
                       and self.is_live(self.subscriptions[s]) for s in self.subs_of[account_id]):
                    out.append(number)
                    break
        return out

    def add_message(self, number: str, fields: dict) -> dict:
        m = {"id": self.next_id("message"), "cust_number": number, "msg_teaser_impressions": 0,
             "msg_impressions": 0, "msg_status": 0,
             "msg_created_date": datetime.combine(self.today(), datetime.now().time())
             .strftime("%Y-%m-%d %H:%M:%S")}
        m.update(fields)
        self.messages[m["id"]] = m
        return m

    def meldingerList(self, cust_number: str = "") -> list[dict]:
        if cust_number:
            self.customer(cust_number)
        return [dict(m) for m in self.messages.values()
                if not cust_number or m["cust_number"] == cust_number]

    def meldingerSend(self, cust_number: str | None, msg_body: object,
                      msg_teaser_valid_from: object, msg_teaser_valid_to: object,
                      msg_body_extended: object, msg_valid_from: object, msg_valid_to: object,
                      msg_prio: object, msg_show_priority: object) -> int:
        fields = {"msg_body": _body(msg_body, "treść zajawki (msg_body)"),
                  "msg_body_extended": _body(msg_body_extended,
                                             "treść rozszerzona (msg_body_extended)"),
                  "msg_prio": _int(msg_prio, "msg_prio", range(0, 3)),
                  "msg_show_priority": _int(msg_show_priority, "msg_show_priority",
                                            range(-1000, 1001))}
        teaser_from = parse_date(msg_teaser_valid_from)
        teaser_to = optional_date(msg_teaser_valid_to)
        valid_from = optional_date(msg_valid_from) or teaser_from
        valid_to = optional_date(msg_valid_to)
        for start, end in ((teaser_from, teaser_to), (valid_from, valid_to)):
            if end is not None and end < start:
                raise _bad("data końca jest wcześniejsza niż data początku")
        fields.update(msg_teaser_valid_from=iso(teaser_from), msg_teaser_valid_to=iso(teaser_to),
                      msg_valid_from=iso(valid_from), msg_valid_to=iso(valid_to))
        if cust_number is None:
            recipients = self.active_customers()
        else:
            recipients = [self.customer(cust_number)["cust_number"]]
        for number in recipients:
            self.add_message(number, dict(fields))
        return len(recipients)

    def meldingerDel(self, ids_or_nil: list | None, cust_number: str | None = None) -> int:
        if ids_or_nil is None:
            if not cust_number:
                raise faults.bad_params("meldingerDel", "podaj listę identyfikatorów wiadomości "
                                        "albo nil i numer klienta")
            self.customer(cust_number)
            doomed = [i for i, m in self.messages.items() if m["cust_number"] == cust_number]
        else:
            missing = [i for i in ids_or_nil if i not in self.messages]
            if missing:
                raise faults.fault(faults.UNKNOWN_MESSAGE,
                                   f"Wiadomość o numerze {missing[0]} nie istnieje")
            doomed = list(dict.fromkeys(ids_or_nil))
        for i in doomed:
            del self.messages[i]
        return len(doomed)
