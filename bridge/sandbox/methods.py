"""The 32 SMS business methods: parameter checks, auth, dispatch onto :class:`SmsState`.

Every parameter is checked against a small spec before any rule runs, so wrong types or counts
become fault 623 and never a traceback.  Ids arrive as ints or digit strings (the PHP module
sent form strings), dates as "YYYY-MM-DD"/"YYYY/MM/DD".
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from dataclasses import dataclass

from bridge.sandbox import faults
from bridge.sandbox.state import SmsState

REQUIRED = object()


@dataclass(frozen=True)
class Param:
    name: str
    kind: str  # str | id | ids | date | struct | any | nilstr | idsnil | bool
    default: object = REQUIRED


@dataclass(frozen=True)
class Method:
    name: str
    params: tuple[Param, ...]
    mutates: bool
    signature: tuple[str, ...]  # XML-RPC types for system.methodSignature: return, params...


def _m(name: str, mutates: bool, ret: str, *params: Param) -> Method:
    xml = {"str": "string", "id": "int", "ids": "array", "date": "string", "struct": "struct",
           "any": "string", "nilstr": "string", "idsnil": "array", "bool": "boolean"}
    return Method(name, params, mutates, (ret, "struct", *(xml[p.kind] for p in params)))


P = Param
METHODS: dict[str, Method] = {m.name: m for m in (
    _m("custList", False, "array", P("cust_number", "str", "")),
    _m("custAdd", True, "string", P("cust_data", "struct")),
    _m("custEdit", True, "boolean", P("cust_number", "str"), P("cust_data", "struct")),
    _m("custGetSubscriptions", False, "array", P("cust_number", "str")),
    _m("accountAdd", True, "int", P("cust_number", "str"), P("acc_data", "struct")),
    _m("accountEdit", True, "boolean", P("account_id", "id"), P("acc_data", "struct")),
    _m("accountDel", True, "boolean", P("account_id", "id")),
    _m("accountLock", True, "boolean", P("account_id", "id")),
    _m("accountUnlock", True, "boolean", P("account_id", "id")),
    _m("accountGetSTB", False, "array", P("account_id", "id")),
    _m("packageGetAll", False, "array"),
    _m("packageGetAvail", False, "array", P("account_id", "id")),
    _m("packagesAdd", True, "array", P("account_id", "id"), P("package_ids", "ids"),
       P("start_date", "date")),
    _m("packagesEntitle", True, "array", P("account_id", "id"), P("package_ids", "ids"),
       P("start_date", "date")),
    _m("subscriptionActivate", True, "boolean", P("account_id", "id"),
       P("subscription_id", "id")),
    _m("subscriptionTerminate", True, "boolean", P("account_id", "id"),
       P("subscription_id", "id"), P("term_date", "date"), P("term_fee", "any", ""),
       P("term_desc", "str", "")),
    _m("getPackagesForUpgrade", False, "struct", P("subscription_id", "id")),
    _m("packageUpgrade", True, "int", P("subscription_id", "id"), P("new_package_id", "id"),
       P("new_package_date", "date"), P("confirm", "bool", True)),
    _m("getExtraPackagesForSubscription", False, "array", P("subscription_id", "id")),
    _m("addExtraPackageForSubscription", True, "int", P("subscription_id", "id"),
       P("package_id", "id")),
    _m("stbGetRegistered", False, "array", P("show_mode", "str", "")),
    _m("stbRegister", True, "int", P("stb_mac", "str"), P("stb_serial", "str"),
       P("stb_model", "str")),
    _m("stbRemove", True, "boolean", P("stb_mac", "str")),
    _m("stbLink", True, "boolean", P("account_id", "id"), P("stb_mac", "str"),
       P("subnet_id", "id"), P("cust_order_id", "id")),
    _m("stbUnlink", True, "boolean", P("account_id", "id"), P("stb_mac", "str")),
    _m("subnetList", False, "array"),
    _m("subnetSplit", True, "array", P("subnet_id", "id"), P("subnet_name1", "str"),
       P("subnet_name2", "str")),
    _m("meldingerList", False, "array", P("cust_number", "str", "")),
    _m("meldingerSend", True, "int", P("cust_number", "nilstr"), P("msg_body", "any"),
       P("msg_teaser_valid_from", "date"), P("msg_teaser_valid_to", "date"),
       P("msg_body_extended", "any"), P("msg_valid_from", "date"), P("msg_valid_to", "date"),
       P("msg_prio", "any"), P("msg_show_priority", "any")),
    _m("meldingerDel", True, "int", P("message_ids", "idsnil"), P("cust_number", "str", None)),
    _m("billingEventsGet", False, "array", P("start_date", "date"), P("end_date", "date"),
       P("id", "str", "")),
    _m("setCustomerPaymentInfo", True, "int", P("upload_date", "date"),
       P("payment_info", "any")),
)}


def _as_id(value: object) -> int:
    if isinstance(value, bool):
        raise ValueError
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    raise ValueError


def coerce(method: Method, args: tuple) -> list:
    """Arguments checked and converted per the method's spec (fault 623 otherwise)."""
    params = method.params
    required = sum(1 for p in params if p.default is REQUIRED)
    if not required <= len(args) <= len(params):
        expected = str(len(params)) if required == len(params) else f"{required}–{len(params)}"
        raise faults.bad_params(method.name, f"oczekiwano {expected} parametrów po strukturze "
                                f"autoryzacji, otrzymano {len(args)}")
    out: list = []
    for p, value in zip(params, args, strict=False):
        try:
            out.append(_convert(p.kind, value))
        except ValueError:
            raise faults.bad_params(method.name, f"parametr {p.name} ma nieprawidłowy typ lub "
                                    f"wartość ({type(value).__name__})") from None
    return out


def _convert(kind: str, value: object) -> object:
    if kind == "str":
        if isinstance(value, bool) or not isinstance(value, str | int):
            raise ValueError
        return str(value).strip()
    if kind == "nilstr":
        return None if value is None else _convert("str", value)
    if kind == "id":
        return _as_id(value)
    if kind == "ids":
        if not isinstance(value, list):
            raise ValueError
        return [_as_id(v) for v in value]
    if kind == "idsnil":
        return None if value is None else _convert("ids", value)
    if kind == "struct":
        if not isinstance(value, dict):
            raise ValueError
        return value
    if kind == "bool":
        if not isinstance(value, bool | int):
            raise ValueError
        return bool(value)
    if kind == "date" and value is not None and not isinstance(value, str):
        import xmlrpc.client

        if not isinstance(value, xmlrpc.client.DateTime):
            raise ValueError
    return value


def check_auth(auth: object, login: str, password_md5: str) -> None:
    if not isinstance(auth, dict):
        raise faults.auth_failed()
    user, password = auth.get("user_name"), auth.get("user_pass")
    if not isinstance(user, str) or not isinstance(password, str):
        raise faults.auth_failed()
    ok_user = hmac.compare_digest(user.encode(), login.encode())
    ok_pass = hmac.compare_digest(password.lower().encode(), password_md5.encode())
    if not (ok_user and ok_pass):
        raise faults.auth_failed()


def call(state: SmsState, name: str, params: tuple, login: str, password_md5: str) -> object:
    """Run one business call (auth struct first); the caller holds ``state.lock``."""
    method = METHODS.get(name)
    if method is None:
        raise faults.method_not_found(name)
    if not params:
        raise faults.auth_failed()
    check_auth(params[0], login, password_md5)
    args = coerce(method, tuple(params[1:]))
    handler: Callable[..., object] = getattr(state, name)
    result = handler(*args)
    if method.mutates:
        state.version += 1
    return result
