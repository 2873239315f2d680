"""Customers and accounts (API methods 1–9): data checks, PINs, lock/unlock, delete rules."""

from __future__ import annotations

import re
import secrets

from bridge.sandbox import faults
from bridge.sandbox.record import CUSTOMER_FIELDS
from bridge.sandbox.store import CUSTOMER_PREFIX
from bridge.sandbox.values import iso

_INPUT_FIELDS = set(CUSTOMER_FIELDS) - {"cust_number", "cust_created_date", "cust_total_balance"}
_REQUIRED = ("cust_surname", "cust_m_street", "cust_m_home_nr", "cust_m_postal_code",
             "cust_m_city")
_ADDRESS_PAIRS = ("street", "home_nr", "flat", "postal_code", "city")
ACCOUNT_INPUT = ("cust_i_street", "cust_i_home_nr", "cust_i_flat", "cust_i_postal_code",
                 "cust_i_city")
_ACCOUNT_REQUIRED = ("cust_i_street", "cust_i_home_nr", "cust_i_postal_code", "cust_i_city")
# [0-9], not \d: \d also matches other scripts' digits, which SMS's PINs and PESELs are not.
_PIN_RE = re.compile(r"^[0-9]{4}$")
_PESEL_RE = re.compile(r"^[0-9]{11}$")
MAX_TEXT = 255


def _bad(detail: str) -> faults.SandboxFault:
    return faults.fault(faults.BAD_CUSTOMER_DATA, f"Nieprawidłowe dane klienta: {detail}")


def _text(key: str, value: object, bad=_bad) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int):
        raise bad(f"pole {key} musi być tekstem")
    text = str(value).strip()
    if len(text) > MAX_TEXT:
        raise bad(f"pole {key} jest za długie (maks. {MAX_TEXT} znaków)")
    return text


def clean_customer_data(data: object, *, partial: bool) -> dict:
    """Validated cust_data: known keys only, texts, 4-digit PINs, numeric external id."""
    if not isinstance(data, dict):
        raise _bad("oczekiwano struktury cust_data")
    out: dict = {}
    for key, value in data.items():
        if key not in _INPUT_FIELDS:
            raise _bad(f"nieznane pole {key}")
        if key == "cust_external_id":
            out[key] = external_id(value)
        elif key in ("cust_vod_pin", "cust_master_pin"):
            pin = _text(key, value)
            if not _PIN_RE.match(pin):
                raise _bad(f"PIN ({key}) musi składać się z 4 cyfr")
            out[key] = pin
        else:
            out[key] = _text(key, value)
    for key in _REQUIRED:
        if (not partial or key in out) and not out.get(key):
            raise _bad(f"pole {key} jest wymagane")
    if out.get("cust_pesel") and not _PESEL_RE.match(out["cust_pesel"]):
        raise _bad("PESEL musi składać się z 11 cyfr")
    if out.get("cust_email") and "@" not in out["cust_email"]:
        raise _bad(f"nieprawidłowy adres e-mail {out['cust_email']}")
    return out


def external_id(value: object) -> int | str:
    """cust_external_id: a positive integer, or "" for none."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        raise _bad("cust_external_id musi być liczbą")
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if not isinstance(value, int) or value <= 0:
        raise _bad(f"cust_external_id musi być dodatnią liczbą całkowitą, jest {value!s}")
    return value


def _bad_account(detail: str) -> faults.SandboxFault:
    return faults.fault(faults.BAD_ACCOUNT_DATA, f"Nieprawidłowe dane konta: {detail}")


def clean_account_data(data: object, *, partial: bool) -> dict:
    if not isinstance(data, dict):
        raise _bad_account("oczekiwano struktury acc_data")
    out = {}
    for key, value in data.items():
        if key not in ACCOUNT_INPUT:
            raise _bad_account(f"nieznane pole {key}")
        out[key] = _text(key, value, _bad_account)
    for key in _ACCOUNT_REQUIRED:
        if (not partial or key in out) and not out.get(key):
            raise _bad_account(f"pole {key} jest wymagane")
    return out


class CustomerOps:
    """Mixin over :class:`bridge.sandbox.store.Store`."""

    def new_customer_number(self) -> str:
        return f"{CUSTOMER_PREFIX}{self.next_id('customer'):06d}"

    def _claim_external_id(self, ext: int | str, number: str) -> None:
        if ext == "":
            return
        owner = self.by_external.get(ext)
        if owner is not None and owner != number:
            raise faults.fault(faults.EXTERNAL_ID_TAKEN,
                               f"Zewnętrzne ID {ext} jest już przypisane do klienta {owner}")

    def create_customer(self, data: dict) -> str:
        """custAdd's effect on validated data; returns the new cust_number."""
        ext = data.get("cust_external_id", "")
        self._claim_external_id(ext, "")
        number = self.new_customer_number()
        # Built as a dict (cheap), stored as a compact record by index_customer.
        c = dict.fromkeys(CUSTOMER_FIELDS, "")
        c.update(data)
        for part in _ADDRESS_PAIRS:  # correspondence address defaults to the registered one
            if not c[f"cust_c_{part}"]:
                c[f"cust_c_{part}"] = c[f"cust_m_{part}"]
        for pin in ("cust_vod_pin", "cust_master_pin"):
            if not c[pin]:
                c[pin] = f"{secrets.randbelow(10000):04d}"
        c["cust_number"] = number
        c["cust_external_id"] = ext
        c["cust_created_date"] = iso(self.today())
        self.index_customer(c)
        return number

    def custList(self, cust_number: str = "") -> list | dict:
        if cust_number == "":
            return [dict(c) for c in self.customers.values()]
        return dict(self.customer(cust_number))

    def custAdd(self, cust_data: object) -> str:
        return self.create_customer(clean_customer_data(cust_data, partial=False))

    def custEdit(self, cust_number: str, cust_data: object) -> bool:
        c = self.customer(cust_number)
        data = clean_customer_data(cust_data, partial=True)
        if "cust_external_id" in data:
            self._claim_external_id(data["cust_external_id"], cust_number)
            if c["cust_external_id"] != "":
                self.by_external.pop(c["cust_external_id"], None)
            if data["cust_external_id"] != "":
                self.by_external[data["cust_external_id"]] = cust_number
        c.update(data)
        return True

    def custGetSubscriptions(self, cust_number: str) -> list[dict]:
        self.customer(cust_number)
        out = []
        for account_id in self.accounts_of.get(cust_number, []):
            a = dict(self.accounts[account_id])
            a["subscriptions"] = [self.subscription_struct(self.subscriptions[s])
                                  for s in self.subs_of.get(account_id, [])]
            out.append(a)
        return out

    # -- accounts -------------------------------------------------------------------------

    def accountAdd(self, cust_number: str, acc_data: object) -> int:
        self.customer(cust_number)
        data = clean_account_data(acc_data, partial=False)
        account_id = self.next_id("account")
        a = {"account_id": account_id, "cust_number": cust_number, "acc_active": 1,
             "acc_closed": 0, "cust_i_flat": "", "acc_created_date": iso(self.today())}
        a.update(data)
        self.index_account(a)
        return account_id

    def accountEdit(self, account_id: int, acc_data: object) -> bool:
        a = self.account(account_id)
        a.update(clean_account_data(acc_data, partial=True))
        return True

    def accountDel(self, account_id: int) -> bool:
        a = self.account(account_id)
        if any(self.is_live(self.subscriptions[s]) for s in self.subs_of[account_id]):
            raise faults.fault(faults.ACCOUNT_HAS_SERVICES,
                               "Nie można usunąć konta, do którego przypisane są usługi")
        if any(s["account_id"] == account_id for s in self.stbs.values()):
            raise faults.fault(faults.ACCOUNT_HAS_STB,
                               "Nie można usunąć konta, do którego przypisane są dekodery STB")
        a["acc_closed"] = 1
        return True

    def accountLock(self, account_id: int) -> bool:
        self.account(account_id)["acc_active"] = 0
        return True

    def accountUnlock(self, account_id: int) -> bool:
        self.account(account_id)["acc_active"] = 1
        return True
