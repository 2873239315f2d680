"""Set-top boxes and subnets (API methods 10, 21–27): stock, issuing limits, IPs, splits."""

from __future__ import annotations

import ipaddress
import re

from bridge.sandbox import catalog, faults
from bridge.sandbox.ops_packages import STATUS_AWAITING, STATUS_ISSUE_STB

_MAC_RE = re.compile(r"^[0-9A-F]{2}(:[0-9A-F]{2}){5}$")
STB_PUBLIC = ("stb_id", "stb_mac", "stb_serial", "stb_model", "stb_usage", "stb_ip",
              "cust_number", "account_id", "subnet_id", "cust_order_id", "stb_owner")
MAX_NAME = 64


def normalise_mac(mac: str) -> str:
    value = mac.strip().upper()
    if not _MAC_RE.match(value):
        raise faults.fault(faults.BAD_MAC, f"Nieprawidłowy adres MAC: {mac}. Wymagany format "
                           "XX:XX:XX:XX:XX:XX")
    return value


def subnet_struct(n: dict) -> dict:
    net = ipaddress.IPv4Network(f"{n['subnet_net']}/{n['_prefix']}")
    return {"subnet_id": n["subnet_id"], "subnet_name": n["subnet_name"],
            "subnet_net": n["subnet_net"], "subnet_mask": str(net.netmask)}


class StbOps:
    """Mixin over :class:`bridge.sandbox.store.Store`."""

    def stb(self, mac: str) -> dict:
        s = self.stbs.get(normalise_mac(mac))
        if s is None:
            raise faults.fault(faults.UNKNOWN_STB, f"STB o adresie MAC {mac} nie istnieje")
        return s

    def subnet(self, subnet_id: int) -> dict:
        n = self.subnets.get(subnet_id)
        if n is None:
            raise faults.fault(faults.UNKNOWN_SUBNET, f"Podsieć o numerze {subnet_id} nie istnieje")
        return n

    def add_stb(self, mac: str, serial: str, model: str, *, sgt_owned: bool = False) -> dict:
        mac = normalise_mac(mac)
        if mac in self.stbs:
            raise faults.fault(faults.STB_EXISTS, f"STB o adresie MAC {mac} jest już "
                               "zarejestrowany")
        if model not in catalog.STB_MODELS:
            raise faults.fault(faults.UNKNOWN_MODEL, f"Nieznany model STB: {model}. Dozwolone: "
                               + ", ".join(catalog.STB_MODELS))
        serial = serial.strip()
        if not serial or len(serial) > MAX_NAME:
            raise faults.fault(faults.BAD_SERIAL, "Numer seryjny STB jest wymagany "
                               f"(maks. {MAX_NAME} znaków)")
        if any(s["stb_serial"] == serial for s in self.stbs.values()):
            raise faults.fault(faults.BAD_SERIAL, f"STB o numerze seryjnym {serial} jest już "
                               "zarejestrowany")
        s = {"stb_id": self.next_id("stb"), "stb_mac": mac, "stb_serial": serial,
             "stb_model": model, "stb_usage": "stock", "stb_ip": "", "cust_number": "",
             "account_id": 0, "subnet_id": 0, "cust_order_id": 0,
             "stb_owner": "sgt" if sgt_owned else "operator"}
        self.stbs[mac] = s
        return s

    def stbGetRegistered(self, show_mode: str = "") -> list[dict]:
        if show_mode not in ("", "stock", "customer"):
            raise faults.bad_params("stbGetRegistered", "show_mode musi być '', 'stock' lub "
                                    "'customer'")
        return [dict(s) for s in self.stbs.values()
                if not show_mode or s["stb_usage"] == show_mode]

    def stbRegister(self, stb_mac: str, stb_serial: str, stb_model: str) -> int:
        return self.add_stb(stb_mac, stb_serial, stb_model)["stb_id"]

    def stbRemove(self, stb_mac: str) -> bool:
        s = self.stb(stb_mac)
        if s["stb_usage"] != "stock":
            raise faults.fault(faults.STB_ISSUED, f"Nie można usunąć STB {s['stb_mac']}, "
                               "ponieważ jest wydany klientowi")
        if s["stb_owner"] == "sgt":
            raise faults.fault(faults.STB_SGT_OWNED, f"Nie można usunąć STB {s['stb_mac']} "
                               "zakupionego przez SGT")
        del self.stbs[s["stb_mac"]]
        return True

    def accountGetSTB(self, account_id: int) -> list[dict]:
        self.account(account_id, open_only=False)
        return [{k: s[k] for k in ("stb_id", "stb_mac", "stb_serial", "stb_model", "stb_ip",
                                   "subnet_id", "cust_order_id")}
                for s in self.stbs.values() if s["account_id"] == account_id]

    def order_subscription(self, account_id: int, order_id: int) -> dict:
        """The order's current subscription (an upgrade keeps the order number)."""
        subs = [self.subscriptions[i] for i in self.subs_of[account_id]
                if self.subscriptions[i]["cust_order_id"] == order_id]
        live = [s for s in subs if self.is_live(s)]
        if not live:
            raise faults.fault(faults.UNKNOWN_ORDER, f"Zamówienie {order_id} nie istnieje lub "
                               f"nie jest aktywne na koncie {account_id}")
        return max(live, key=lambda s: s["sub_valid_from"])

    def _free_ip(self, n: dict, taken_extra: set[str] | None = None) -> str:
        net = ipaddress.IPv4Network(f"{n['subnet_net']}/{n['_prefix']}")
        used = {s["stb_ip"] for s in self.stbs.values() if s["subnet_id"] == n["subnet_id"]}
        used |= taken_extra or set()
        for host in net.hosts():
            if str(host) not in used:
                return str(host)
        raise faults.fault(faults.SUBNET_FULL, f"Brak wolnych adresów IP w podsieci "
                           f"{n['subnet_name']}")

    def stbLink(self, account_id: int, stb_mac: str, subnet_id: int, cust_order_id: int) -> bool:
        a = self.account(account_id)
        s = self.stb(stb_mac)
        n = self.subnet(subnet_id)
        if s["stb_usage"] != "stock":
            raise faults.fault(faults.STB_NOT_IN_STOCK, f"STB {s['stb_mac']} nie znajduje się "
                               "na magazynie (jest wydany klientowi)")
        sub = self.order_subscription(account_id, cust_order_id)
        p = self.packages[sub["package_id"]]
        if not p.devices:
            raise faults.fault(faults.DEVICE_LIMIT, f"Do usługi {p.name} nie wydaje się STB")
        issued = sum(1 for x in self.stbs.values()
                     if x["account_id"] == account_id and x["cust_order_id"] == cust_order_id)
        if issued >= p.devices:
            raise faults.fault(faults.DEVICE_LIMIT, f"Do zamówienia {cust_order_id} wydano już "
                               f"maksymalną liczbę STB ({p.devices})")
        if p.allowed_models() and s["stb_model"] not in p.allowed_models():
            raise faults.fault(faults.MODEL_NOT_ALLOWED, f"Model STB {s['stb_model']} nie jest "
                               f"dozwolony dla pakietu {p.name} (dozwolone: {p.models})")
        s.update(stb_usage="customer", cust_number=a["cust_number"], account_id=account_id,
                 subnet_id=subnet_id, cust_order_id=cust_order_id, stb_ip=self._free_ip(n))
        if sub["order_status_id"] == STATUS_ISSUE_STB:
            sub["order_status_id"] = STATUS_AWAITING
        return True

    def stbUnlink(self, account_id: int, stb_mac: str) -> bool:
        self.account(account_id, open_only=False)
        s = self.stb(stb_mac)
        if s["account_id"] != account_id:
            raise faults.fault(faults.STB_NOT_ON_ACCOUNT, f"STB {s['stb_mac']} nie jest "
                               f"przypisany do konta {account_id}")
        s.update(stb_usage="stock", cust_number="", account_id=0, subnet_id=0, cust_order_id=0,
                 stb_ip="")
        return True

    # -- subnets ----------------------------------------------------------------------------

    def add_subnet(self, name: str, cidr: str) -> dict:
        net = ipaddress.IPv4Network(cidr)
        n = {"subnet_id": self.next_id("subnet"), "subnet_name": name,
             "subnet_net": str(net.network_address), "_prefix": net.prefixlen}
        self.subnets[n["subnet_id"]] = n
        return n

    def subnetList(self) -> list[dict]:
        return [subnet_struct(n) for n in self.subnets.values()]

    def subnetSplit(self, subnet_id: int, subnet_name1: str, subnet_name2: str) -> list[int]:
        n = self.subnet(subnet_id)
        names = [subnet_name1.strip(), subnet_name2.strip()]
        for name in names:
            if not name or len(name) > MAX_NAME:
                raise faults.fault(faults.BAD_SUBNET_NAME, "Nazwa podsieci jest wymagana "
                                   f"(maks. {MAX_NAME} znaków)")
        if names[0] == names[1]:
            raise faults.fault(faults.BAD_SUBNET_NAME, "Nazwy nowych podsieci muszą się różnić")
        if n["_prefix"] >= 30:
            raise faults.fault(faults.SUBNET_TOO_SMALL, f"Podsieci {n['subnet_name']} nie można "
                               "podzielić: jest za mała")
        net = ipaddress.IPv4Network(f"{n['subnet_net']}/{n['_prefix']}")
        halves = list(net.subnets(prefixlen_diff=1))
        saved_subnets = dict(self.subnets)
        saved_stbs = {mac: dict(s) for mac, s in self.stbs.items() if s["subnet_id"] == subnet_id}
        try:
            return self._split(subnet_id, names, halves)
        except faults.SandboxFault:
            self.subnets = saved_subnets  # a refused call changes nothing
            for mac, s in saved_stbs.items():
                self.stbs[mac].update(s)
            raise

    def _split(self, subnet_id: int, names: list[str], halves: list) -> list[int]:
        del self.subnets[subnet_id]
        new = [self.add_subnet(name, str(h)) for name, h in zip(names, halves, strict=True)]
        # STBs follow their address into the half that holds it; an address that became the
        # half's network or broadcast address gets a fresh one.
        for s in self.stbs.values():
            if s["subnet_id"] != subnet_id:
                continue
            ip = ipaddress.IPv4Address(s["stb_ip"])
            idx = 0 if ip in halves[0] else 1
            s["subnet_id"] = new[idx]["subnet_id"]
            if ip in (halves[idx].network_address, halves[idx].broadcast_address):
                s["stb_ip"] = ""
                s["stb_ip"] = self._free_ip(new[idx])
        return [x["subnet_id"] for x in new]
