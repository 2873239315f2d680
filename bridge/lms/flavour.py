"""Which LMS schema lmstv is talking to, and every difference between the LMS versions it knows.

lmstv supports two LMS schemas:

* ``lms1117``: LMS 1.11.17 (``dbinfo`` ``dbversion`` 2015042700) -- addresses are text
  columns on ``customers`` and ``divisions``, e-mail is a column of ``customers``.
* ``lms28``: current LMS (28-git, ``dbversion`` 2026081100) -- addresses live in ``addresses``
  linked through ``customer_addresses`` (type 0 = postal, 1 = billing) and
  ``divisions.address_id``; e-mail is a ``customercontacts`` row with the e-mail type bit.

The flavour is read from ``dbinfo`` once per database connection.  SQL *dialect* differences
(PostgreSQL vs MySQL) stay in :mod:`bridge.lms.dialect`; this module only holds *LMS version*
differences, so neither kind is scattered through the callers.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

LMS1117_DBVERSION = "2015042700"
LMS28_DBVERSION = "2026081100"


@dataclass(frozen=True)
class Flavour:
    name: str  # "lms1117" or "lms28"; also the argument of the migration guard "lms"
    dbversion: str
    label: str  # for operators' messages
    # customers/divisions carry one-line address columns (1.11.17) or point into addresses (28)
    address_columns: bool
    # LMS 28 has cash.servicetype / tariffs type TV for the UKE income report by service type
    servicetype_columns: bool


LMS1117 = Flavour("lms1117", LMS1117_DBVERSION, "LMS 1.11.17", address_columns=True,
                  servicetype_columns=False)
LMS28 = Flavour("lms28", LMS28_DBVERSION, "LMS 28-git", address_columns=False,
                servicetype_columns=True)
BY_DBVERSION = {f.dbversion: f for f in (LMS1117, LMS28)}
BY_NAME = {f.name: f for f in (LMS1117, LMS28)}

# LMS 28 lib/definitions.php: the service types of tariffs and cash rows; the income report by
# service type (modules/ukeincome.php) and the UKE PIT report group by these.
SERVICE_TV = 5
# LMS 28: customer_addresses.type -- POSTAL_ADDRESS = 0, BILLING_ADDRESS = 1,
# LOCATION_ADDRESS = 2, DEFAULT_LOCATION_ADDRESS = 3.
POSTAL_ADDRESS = 0
BILLING_ADDRESS = 1
# LMS 28 customercontacts.type bit for an e-mail address (CONTACT_EMAIL).
CONTACT_EMAIL = 8

_CACHE_ATTR = "_lmstv_flavour"


def lms_dbversion(db: Any) -> str | None:
    value = db.scalar("SELECT keyvalue FROM dbinfo WHERE keytype = 'dbversion'")
    return str(value).strip() if value is not None else None


def detect(db: Any) -> Flavour:
    """The flavour of the LMS database behind ``db`` (cached on the connection object).

    Unknown versions are treated as LMS 1.11.17 for reads (the only schema lmstv was written
    against before current LMS); ``lmstv migrate`` refuses them separately.
    """
    cached = getattr(db, _CACHE_ATTR, None)
    if isinstance(cached, Flavour):
        return cached
    found = BY_DBVERSION.get(lms_dbversion(db) or "", LMS1117)
    try:
        setattr(db, _CACHE_ATTR, found)
    except AttributeError:  # objects with __slots__: detect again next time
        pass
    return found
