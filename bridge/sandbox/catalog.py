"""The sandbox operator's offer: package groups, base/extra/gift packages, upgrade paths.

Static data modelled on the vendor manual's screens (package names, 24-month contracts, gifts
that end after 3 months).  Prices are gross monthly fees; ``b2b`` is the operator's net cost.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

STB_MODELS = ("VIP1910-9", "VIP1960", "STB-2101H", "STB-1001H", "MAG200", "MAG250", "VIP1003")
VAT = Decimal("0.23")
GIFT_MONTHS = 3
CONTRACT_MONTHS = 24

BASE, EXTRA, GIFT = "base", "extra", "gift"


@dataclass(frozen=True)
class Package:
    package_id: int
    name: str
    desc: str
    kind: str
    price: Decimal
    b2b: Decimal
    devices: int = 0
    models: str = ""  # pkg_additional_type: allowed STB models, comma separated; "" = any
    valid_from: str = "2014-01-01"
    valid_to: str = ""
    upgrades: tuple[int, ...] = field(default=())

    @property
    def pkg_class(self) -> str:
        tokens = ["pkg_base"] if self.kind == BASE else []
        if self.devices:
            tokens.append(f"pkg_device({self.devices})")
        return ",".join(tokens)

    @property
    def group(self) -> str:
        return GROUP_NAMES[self.kind]

    def allowed_models(self) -> list[str]:
        return [m for m in self.models.split(",") if m]


GROUP_NAMES = {BASE: "Pakiety podstawowe", EXTRA: "Pakiety dodatkowe",
               GIFT: "Prezenty dla przedłużających umowę"}

_HD = "VIP1960,STB-2101H"
_ANY_IPTV = "VIP1910-9,VIP1960,STB-2101H,STB-1001H"
_GIFT_DESC = "Prezent dla Abonenta za przedłużenie umowy. Automatyczna terminacja pakietu po " \
             "3 miesiącach."


def _p(pid: int, name: str, desc: str, kind: str, price: str, b2b: str, **kw: object) -> Package:
    return Package(pid, name, desc, kind, Decimal(price), Decimal(b2b), **kw)  # type: ignore[arg-type]


PACKAGES: tuple[Package, ...] = (
    _p(101, "Pakiet Wielotematyczny 65", "Pakiet Wielotematyczny, umowa na 24 miesiące, "
       "abonament 65 zł.", BASE, "65.00", "31.50", devices=2, models=_ANY_IPTV,
       upgrades=(102, 103, 106)),
    _p(102, "Pakiet Rozrywkowy", "Pakiet Rozrywkowy. Umowa na 24 miesiące, abonament 65 zł.",
       BASE, "65.00", "31.50", devices=2, models=_ANY_IPTV, upgrades=(103, 106)),
    _p(103, "Pakiet Rodzinny HD", "Pakiet Rodzinny HD. Umowa na 24 miesiące, abonament 95 zł.",
       BASE, "95.00", "46.00", devices=3, models=_HD, upgrades=(106,)),
    _p(104, "Pakiet xPlay 54,90", "Pakiet Wielotematyczny, umowa na 24 miesiące, "
       "abonament 54,90 zł.", BASE, "54.90", "26.60", devices=1, models=_ANY_IPTV,
       upgrades=(101, 105, 103)),
    _p(105, "Pakiet xPlay 59,90", "Produkt try&buy, umowa na 12 miesięcy, abonament 59,90 zł.",
       BASE, "59.90", "29.00", devices=1, models=_ANY_IPTV, upgrades=(101, 103)),
    _p(106, "Pakiet Wielotematyczny Super HD", "Pakiet Wielotematyczny Super HD, umowa na "
       "24 miesiące, abonament 64,90 zł.", BASE, "64.90", "33.00", devices=2, models=_HD),
    _p(107, "Pakiet Mini", "Pakiet Mini: 40 kanałów, bez umowy, abonament 29,90 zł.",
       BASE, "29.90", "14.50", devices=1, upgrades=(101, 104)),
    _p(199, "Pakiet Startowy", "Pakiet wycofany ze sprzedaży.", BASE, "39.00", "19.00",
       devices=1, valid_to="2015-12-31", upgrades=(101,)),
    _p(201, "HBO HD", "HBO, HBO2, HBO3 w jakości HD oraz HBO GO.", EXTRA, "24.99", "13.00"),
    _p(202, "Canal+ Prestige", "Pakiet Canal+ Prestige.", EXTRA, "49.00", "27.00"),
    _p(203, "Pakiet Sport HD", "Eleven Sports 1-3 i Polsat Sport w HD.", EXTRA, "19.90",
       "10.50"),
    _p(204, "Multiroom", "Dodatkowy dekoder w drugim pokoju.", EXTRA, "10.00", "5.00",
       devices=1, models=_ANY_IPTV),
    _p(205, "Pakiet Dzieci", "Kanały dla dzieci.", EXTRA, "9.90", "5.00"),
    _p(301, "Prezent Więcej Bajek", _GIFT_DESC, GIFT, "0.00", "0.00"),
    _p(302, "Prezent Więcej Discovery HD", _GIFT_DESC, GIFT, "0.00", "0.00"),
    _p(303, "Prezent Więcej Filmów HD", _GIFT_DESC, GIFT, "0.00", "0.00"),
    _p(304, "Prezent Więcej Luzu HD", _GIFT_DESC, GIFT, "0.00", "0.00"),
    _p(305, "Prezent Więcej Muzyki HD", _GIFT_DESC, GIFT, "0.00", "0.00"),
    _p(306, "Prezent Więcej Nauki HD", _GIFT_DESC, GIFT, "0.00", "0.00"),
    _p(307, "Prezent Więcej Seriali HD", _GIFT_DESC, GIFT, "0.00", "0.00"),
    _p(308, "Prezent Więcej Sportu HD", _GIFT_DESC, GIFT, "0.00", "0.00"),
    _p(309, "Prezent Więcej Świata", _GIFT_DESC, GIFT, "0.00", "0.00"),
)

BY_ID: dict[int, Package] = {p.package_id: p for p in PACKAGES}
BASE_IDS = tuple(p.package_id for p in PACKAGES if p.kind == BASE)
GIFT_IDS = tuple(p.package_id for p in PACKAGES if p.kind == GIFT)


def package_struct(p: Package) -> dict[str, object]:
    """A Package as packageGetAll/packageGetAvail return it."""
    return {"package_id": p.package_id, "pkg_name": p.name, "pkg_desc": p.desc,
            "pkg_tvpanel_desc": p.desc, "pkg_valid_from": p.valid_from,
            "pkg_valid_to": p.valid_to, "pkg_class": p.pkg_class,
            "pkg_additional_type": p.models, "pkg_autoinclude": "", "pkg_denied": "",
            "pkg_price_gross": float(p.price)}


def grouped(packages: list[Package]) -> list[dict[str, object]]:
    """PackageGroup list: [{pkgt_name, packages: [...]}] in the offer's order."""
    groups: dict[str, list[dict[str, object]]] = {}
    for p in packages:
        groups.setdefault(p.group, []).append(package_struct(p))
    return [{"pkgt_name": name, "packages": items} for name, items in groups.items()]


def on_sale(p: Package, today_iso: str) -> bool:
    return p.valid_from <= today_iso and (not p.valid_to or today_iso <= p.valid_to)
