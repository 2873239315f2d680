"""Offer and subscriptions (API methods 11–20): add, activate, terminate, upgrade, gifts."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from bridge.sandbox import catalog, faults
from bridge.sandbox.values import add_months, iso, month_end, parse_amount, parse_date

STATUS_ISSUE_STB, STATUS_AWAITING, STATUS_ACTIVE = 1, 2, 3


class PackageOps:
    """Mixin over :class:`bridge.sandbox.store.Store`."""

    def _package(self, package_id: int) -> catalog.Package:
        p = self.packages.get(package_id)
        if p is None:
            raise faults.unknown_package(package_id)
        return p

    def is_live(self, s: dict) -> bool:
        """Not terminated, or terminated with an end date still ahead."""
        return s["sub_valid_to"] is None or s["sub_valid_to"] >= iso(self.today())

    def subscription_struct(self, s: dict) -> dict:
        p = self.packages[s["package_id"]]
        return {"subscription_id": s["subscription_id"], "cust_order_id": s["cust_order_id"],
                "package_id": p.package_id, "pkg_name": p.name, "pkg_class": p.pkg_class,
                "pkg_additional_type": p.models, "sub_valid_from": s["sub_valid_from"],
                "sub_valid_to": s["sub_valid_to"], "order_status_id": s["order_status_id"],
                "term_fee": s["term_fee"], "term_desc": s["term_desc"]}

    def _account_subscription(self, account_id: int, sub_id: int) -> dict:
        self.account(account_id)
        s = self.subscription(sub_id)
        if s["account_id"] != account_id:
            raise faults.fault(faults.UNKNOWN_SUBSCRIPTION,
                               f"Usługa o numerze {sub_id} nie należy do konta {account_id}")
        return s

    def _live_packages(self, account_id: int) -> list[catalog.Package]:
        return [self.packages[self.subscriptions[s]["package_id"]]
                for s in self.subs_of[account_id] if self.is_live(self.subscriptions[s])]

    def _available(self, account_id: int) -> list[catalog.Package]:
        a = self.account(account_id)
        if not a["acc_active"]:
            return []
        today = iso(self.today())
        live = self._live_packages(account_id)
        has_base = any(p.kind == catalog.BASE for p in live)
        taken = {p.package_id for p in live}
        return [p for p in self.packages.values() if catalog.on_sale(p, today)
                and p.package_id not in taken
                and (p.kind == catalog.EXTRA or (p.kind == catalog.BASE and not has_base))]

    def packageGetAll(self) -> list[dict]:
        return catalog.grouped(list(self.packages.values()))

    def packageGetAvail(self, account_id: int) -> list[dict]:
        return catalog.grouped(self._available(account_id))

    def new_subscription(self, account_id: int, package_id: int, start: str, status: int,
                         *, order_id: int | None = None, valid_to: str | None = None) -> dict:
        s = {"subscription_id": self.next_id("subscription"), "account_id": account_id,
             "cust_order_id": order_id or self.next_id("order"), "package_id": package_id,
             "sub_valid_from": start, "sub_valid_to": valid_to, "order_status_id": status,
             "term_fee": "", "term_desc": "", "_gift_open": False, "_billed": ""}
        self.index_subscription(s)
        return s

    def _add_packages(self, account_id: int, package_ids: list[int], start_date: object,
                      *, activate: bool) -> list[int]:
        a = self.account(account_id)
        start = parse_date(start_date)
        if not a["acc_active"]:
            raise faults.fault(faults.ACCOUNT_LOCKED, "Nie można dodać usług do konta z "
                               "blokadą windykacyjną")
        if not package_ids:
            raise faults.fault(faults.NO_PACKAGES, "Nie wybrano żadnego pakietu")
        wanted = [self._package(pid) for pid in dict.fromkeys(package_ids)]
        available = {p.package_id for p in self._available(account_id)}
        for p in wanted:
            if p.package_id not in available:
                raise faults.fault(faults.PACKAGE_NOT_AVAILABLE,
                                   f"Pakiet {p.name} nie jest dostępny dla tego konta")
        bases = [p for p in wanted if p.kind == catalog.BASE]
        if len(bases) > 1:
            raise faults.fault(faults.BASE_PACKAGE, "Można wybrać tylko jeden pakiet podstawowy")
        has_base = bases or any(p.kind == catalog.BASE for p in self._live_packages(account_id))
        if not has_base:
            raise faults.fault(faults.BASE_PACKAGE,
                               "Pakiet dodatkowy wymaga pakietu podstawowego na koncie")
        ids = []
        for p in sorted(wanted, key=lambda p: p.kind != catalog.BASE):
            if activate:
                status = STATUS_ACTIVE
            else:
                status = STATUS_ISSUE_STB if p.devices else STATUS_AWAITING
            ids.append(self.new_subscription(account_id, p.package_id, iso(start),
                                             status)["subscription_id"])
        return ids

    def packagesAdd(self, account_id: int, package_ids: list[int], start_date: object) -> list:
        return self._add_packages(account_id, package_ids, start_date, activate=False)

    def packagesEntitle(self, account_id: int, package_ids: list[int],
                        start_date: object) -> list:
        return self._add_packages(account_id, package_ids, start_date, activate=True)

    def subscriptionActivate(self, account_id: int, subscription_id: int) -> bool:
        s = self._account_subscription(account_id, subscription_id)
        if not self.accounts[account_id]["acc_active"]:
            raise faults.fault(faults.ACCOUNT_LOCKED, "Nie można aktywować usługi na koncie z "
                               "blokadą windykacyjną")
        if s["sub_valid_to"] is not None:
            raise faults.fault(faults.ALREADY_TERMINATED, "Usługa została zaterminowana")
        if s["order_status_id"] == STATUS_ACTIVE:
            raise faults.fault(faults.NOT_AWAITING_ACTIVATION, "Usługa jest już aktywna")
        if s["order_status_id"] == STATUS_ISSUE_STB:
            raise faults.fault(faults.STB_REQUIRED, "Przed aktywacją usługi należy wydać STB")
        s["order_status_id"] = STATUS_ACTIVE
        s["sub_valid_from"] = iso(self.today())
        return True

    def subscriptionTerminate(self, account_id: int, subscription_id: int, term_date: object,
                              term_fee: object = "", term_desc: object = "") -> bool:
        s = self._account_subscription(account_id, subscription_id)
        end = parse_date(term_date)
        if s["sub_valid_to"] is not None:
            raise faults.fault(faults.ALREADY_TERMINATED, "Usługa została już zaterminowana")
        if end < self.today():
            raise faults.fault(faults.TERMINATE_DATE_PAST,
                               "Data terminacji nie może być wcześniejsza niż dzisiejsza")
        # An order never activated is simply cancelled: nothing was billed, any day will do.
        if s["order_status_id"] == STATUS_ACTIVE and end != month_end(end):
            raise faults.fault(faults.NOT_PERIOD_END, faults.NOT_PERIOD_END_TEXT)
        fee = Decimal("0.00")
        if term_fee not in ("", None):
            fee = parse_amount(term_fee, "kara")
            if fee < 0:
                raise faults.fault(faults.BAD_AMOUNT, f"Kwota kary nie może być ujemna: {term_fee}")
        desc = str(term_desc or "").strip()
        if len(desc) > 255:
            raise faults.fault(faults.BAD_PARAMS,
                               "Powód terminacji jest za długi (maks. 255 znaków)")
        s["sub_valid_to"] = iso(end)
        s["term_fee"] = f"{fee:.2f}" if fee else ""
        s["term_desc"] = desc
        if fee:
            name = self.packages[s["package_id"]].name
            text = f"Kara za zerwanie umowy - {name}" + (f" ({desc})" if desc else "")
            self.penalty_event(s, text, fee, Decimal("0.00"))
        return True

    # -- upgrades and gifts -----------------------------------------------------------------

    def _upgrade_dates(self, s: dict) -> list[tuple[date, Decimal, Decimal]]:
        today = self.today()
        contract_end = month_end(add_months(parse_date(s["sub_valid_from"]),
                                            catalog.CONTRACT_MONTHS) - timedelta(days=1))
        days = sorted({month_end(today), month_end(add_months(today, 1)),
                       max(contract_end, month_end(today))})
        out = []
        for d in days:
            months_left = max(0, (contract_end.year - d.year) * 12 + contract_end.month - d.month)
            out.append((d, Decimal(5 * months_left).quantize(Decimal("0.01")),
                        Decimal(20 * months_left).quantize(Decimal("0.01"))))
        return out

    def _upgrade_offer(self, s: dict) -> list[tuple[catalog.Package, list]]:
        if s["order_status_id"] != STATUS_ACTIVE or s["sub_valid_to"] is not None:
            return []
        if not self.accounts[s["account_id"]]["acc_active"]:
            return []
        today = iso(self.today())
        p = self.packages[s["package_id"]]
        targets = [self.packages[t] for t in p.upgrades if catalog.on_sale(self.packages[t], today)]
        dates = self._upgrade_dates(s)
        return [(t, dates) for t in targets]

    def getPackagesForUpgrade(self, subscription_id: int) -> dict:
        s = self.subscription(subscription_id)
        packages = []
        for target, dates in self._upgrade_offer(s):
            packages.append({
                "package_id": target.package_id, "pkg_name": target.name,
                "pkg_desc": target.desc,
                "upgrade_dates": [{"upgrade_date": iso(d), "termination_fee": {
                    "fee_cust_gross": float(fee), "fee_b2b_netto": float(b2b)}}
                    for d, fee, b2b in dates]})
        return {"packages": packages}

    def packageUpgrade(self, subscription_id: int, new_package_id: int,
                       new_package_date: object, confirm: bool = True) -> int:
        s = self.subscription(subscription_id)
        target = self._package(new_package_id)
        when = parse_date(new_package_date)
        offer = dict((t.package_id, dates) for t, dates in self._upgrade_offer(s))
        if target.package_id not in offer:
            raise faults.fault(faults.UPGRADE_NOT_ALLOWED,
                               f"Tej usługi nie można zmienić na pakiet {target.name}")
        match = [x for x in offer[target.package_id] if x[0] == when]
        if not match:
            raise faults.fault(faults.UPGRADE_DATE, f"Niedozwolona data przejścia {iso(when)} "
                               f"na pakiet {target.name}")
        _, fee, b2b = match[0]
        old_name = self.packages[s["package_id"]].name
        s["sub_valid_to"] = iso(when)
        s["term_desc"] = f"Upgrade do pakietu {target.name}"
        new = self.new_subscription(s["account_id"], target.package_id,
                                    iso(when + timedelta(days=1)), STATUS_ACTIVE,
                                    order_id=s["cust_order_id"])
        new["_gift_open"] = True
        if fee or b2b:
            self.penalty_event(s, f"Kara za zmianę pakietu - {old_name}", fee, b2b)
        return new["subscription_id"]

    def getExtraPackagesForSubscription(self, subscription_id: int) -> list[dict]:
        s = self.subscription(subscription_id)
        if not s["_gift_open"] or not self.is_live(s):
            return []
        return [{"package_id": g, "pkg_name": self.packages[g].name,
                 "pkg_desc": self.packages[g].desc} for g in catalog.GIFT_IDS]

    def addExtraPackageForSubscription(self, subscription_id: int, package_id: int) -> int:
        s = self.subscription(subscription_id)
        gift = self._package(package_id)
        if gift.package_id not in {g["package_id"]
                                   for g in self.getExtraPackagesForSubscription(subscription_id)}:
            raise faults.fault(faults.GIFT_NOT_ALLOWED,
                               f"Pakietu {gift.name} nie można wydać jako prezentu do tej usługi")
        start = max(self.today(), parse_date(s["sub_valid_from"]))
        end = add_months(start, catalog.GIFT_MONTHS) - timedelta(days=1)
        new = self.new_subscription(s["account_id"], gift.package_id, iso(start), STATUS_ACTIVE,
                                    valid_to=iso(end))
        new["term_desc"] = "Prezent: automatyczna terminacja po 3 miesiącach"
        s["_gift_open"] = False
        return new["subscription_id"]
