"""Every fault the sandbox can raise: stable codes and SMS-style Polish texts.

The codes are ours (SGT publishes none); the texts imitate SMS's Polish messages, and the
termination one is quoted verbatim from the vendor's manual.  docs/sandbox.md lists them all.
"""

from __future__ import annotations


class SandboxFault(Exception):
    """A business or protocol fault, sent to the caller as an XML-RPC <fault>."""

    def __init__(self, code: int, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


# Protocol level (codes as Zend_XmlRpc_Server, on which SGT's side is built, uses them).
METHOD_NOT_FOUND = 620
BAD_PARAMS = 623
BAD_REQUEST = 631
# Business level.
AUTH = 1001
UNKNOWN_CUSTOMER = 2001
BAD_CUSTOMER_DATA = 2002
EXTERNAL_ID_TAKEN = 2003
UNKNOWN_ACCOUNT = 3001
ACCOUNT_HAS_SERVICES = 3002
ACCOUNT_LOCKED = 3003
ACCOUNT_HAS_STB = 3004
BAD_ACCOUNT_DATA = 3005
ACCOUNT_CLOSED = 3006
UNKNOWN_PACKAGE = 4001
PACKAGE_NOT_AVAILABLE = 4002
UNKNOWN_SUBSCRIPTION = 4003
NOT_PERIOD_END = 4004
NOT_AWAITING_ACTIVATION = 4005
STB_REQUIRED = 4006
ALREADY_TERMINATED = 4007
TERMINATE_DATE_PAST = 4008
UPGRADE_NOT_ALLOWED = 4009
UPGRADE_DATE = 4010
GIFT_NOT_ALLOWED = 4011
BAD_DATE = 4012
NO_PACKAGES = 4013
BASE_PACKAGE = 4014
BAD_AMOUNT = 4015
BAD_MAC = 5001
STB_EXISTS = 5002
UNKNOWN_STB = 5003
STB_ISSUED = 5004
STB_SGT_OWNED = 5005
DEVICE_LIMIT = 5006
MODEL_NOT_ALLOWED = 5007
STB_NOT_IN_STOCK = 5008
STB_NOT_ON_ACCOUNT = 5009
UNKNOWN_MODEL = 5010
BAD_SERIAL = 5011
UNKNOWN_ORDER = 5012
UNKNOWN_SUBNET = 6001
SUBNET_TOO_SMALL = 6002
BAD_SUBNET_NAME = 6003
SUBNET_FULL = 6004
UNKNOWN_MESSAGE = 7001
BAD_MESSAGE = 7002
BAD_WINDOW = 8001
BAD_PAYMENT_INFO = 8002
# Raised by the sandbox's own control methods.
CONTROL = 9001


def fault(code: int, message: str) -> SandboxFault:
    return SandboxFault(code, message)


def method_not_found(name: str) -> SandboxFault:
    return SandboxFault(METHOD_NOT_FOUND, f'Metoda "{name}" nie istnieje')


def bad_params(method: str, detail: str) -> SandboxFault:
    return SandboxFault(BAD_PARAMS, f"Nieprawidłowe parametry wywołania metody {method}: {detail}")


def auth_failed() -> SandboxFault:
    return SandboxFault(AUTH, "Błąd autoryzacji: nieprawidłowa nazwa użytkownika lub hasło")


def unknown_customer(number: object) -> SandboxFault:
    return SandboxFault(UNKNOWN_CUSTOMER, f"Klient o numerze {number} nie istnieje")


def unknown_account(account_id: object) -> SandboxFault:
    return SandboxFault(UNKNOWN_ACCOUNT, f"Konto o numerze {account_id} nie istnieje")


def account_closed(account_id: object) -> SandboxFault:
    return SandboxFault(ACCOUNT_CLOSED, f"Konto o numerze {account_id} zostało zamknięte")


def unknown_subscription(sub_id: object) -> SandboxFault:
    return SandboxFault(UNKNOWN_SUBSCRIPTION, f"Usługa o numerze {sub_id} nie istnieje")


def unknown_package(package_id: object) -> SandboxFault:
    return SandboxFault(UNKNOWN_PACKAGE, f"Pakiet o numerze {package_id} nie istnieje")


def bad_date(value: object) -> SandboxFault:
    return SandboxFault(BAD_DATE, f"Nieprawidłowa data: {value!s}. Wymagany format RRRR-MM-DD")


NOT_PERIOD_END_TEXT = "Usługa może zostać zaterminowana jedynie na koniec okresu rozliczeniowego"
