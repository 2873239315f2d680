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
    # LMS 28's number plans have a validity (datefrom/dateto) and may serve one customer type
    numberplan_rules: bool


LMS1117 = Flavour("lms1117", LMS1117_DBVERSION, "LMS 1.11.17", address_columns=True,
                  servicetype_columns=False, numberplan_rules=False)
LMS28 = Flavour("lms28", LMS28_DBVERSION, "LMS 28-git", address_columns=False,
                servicetype_columns=True, numberplan_rules=True)
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


# -- customer addresses and contacts -------------------------------------------------------------

# The address fields lmstv reads for a customer, under the names LMS 1.11.17 gives them.
ADDRESS_FIELDS = ("address", "zip", "city", "countryid", "post_name", "post_address", "post_zip",
                  "post_city", "email")
# Structured parts current LMS keeps (1.11.17 only has the one-line address to split).
PART_FIELDS = ("street", "house", "flat", "post_street", "post_house", "post_flat")


def customer_address_sql(db: Any, alias: str = "c") -> tuple[str, str]:
    """``(select list, joins)`` giving ``ADDRESS_FIELDS`` (and on LMS 28 ``PART_FIELDS``) of the
    customer row aliased ``alias``.

    LMS 28 keeps the main (billing) address and the postal address in ``addresses`` linked by
    ``customer_addresses``; its own view ``vaddresses`` formats the one-line ``address`` exactly
    as LMS prints it, so lmstv reads that view (it never defines it).
    """
    if detect(db).address_columns:
        return ", ".join(f"{alias}.{f}" for f in ADDRESS_FIELDS), ""
    joins = (f" LEFT JOIN customer_addresses lmstv_ca1 ON lmstv_ca1.customer_id = {alias}.id"
             f" AND lmstv_ca1.type = {BILLING_ADDRESS}"
             " LEFT JOIN vaddresses lmstv_a1 ON lmstv_a1.id = lmstv_ca1.address_id"
             f" LEFT JOIN customer_addresses lmstv_ca2 ON lmstv_ca2.customer_id = {alias}.id"
             f" AND lmstv_ca2.type = {POSTAL_ADDRESS}"
             " LEFT JOIN vaddresses lmstv_a2 ON lmstv_a2.id = lmstv_ca2.address_id")
    email = (f"(SELECT MIN(cc.contact) FROM customercontacts cc WHERE cc.customerid = {alias}.id"
             f" AND (cc.type & {CONTACT_EMAIL}) <> 0)")
    select = ", ".join([
        "lmstv_a1.address AS address", "lmstv_a1.zip AS zip", "lmstv_a1.city AS city",
        "lmstv_a1.country_id AS countryid", "lmstv_a2.name AS post_name",
        "lmstv_a2.address AS post_address", "lmstv_a2.zip AS post_zip",
        "lmstv_a2.city AS post_city", f"{email} AS email",
        "lmstv_a1.street AS street", "lmstv_a1.house AS house", "lmstv_a1.flat AS flat",
        "lmstv_a2.street AS post_street", "lmstv_a2.house AS post_house",
        "lmstv_a2.flat AS post_flat"])
    return select, joins


# LMS 1.11.17: CONTACT_MOBILE = 1, CONTACT_FAX = 2, NULL = landline, the number in ``phone``.
# LMS 28: the same bits plus CONTACT_LANDLINE = 4 and CONTACT_EMAIL = 8 etc., the value in
# ``contact`` (one table for phones, e-mails, IMs...).
CONTACT_MOBILE = 1
CONTACT_FAX = 2
CONTACT_LANDLINE = 4


def phone_contacts_sql(db: Any) -> tuple[str, list[int]]:
    """``SELECT <number> AS phone ...`` of one customer's phone numbers (not fax), in the order
    entered; the first parameter is the customer id."""
    if detect(db).address_columns:
        return ("SELECT phone FROM customercontacts WHERE customerid = %s AND phone <> '' "
                "AND (type IS NULL OR (type & %s) = 0) ORDER BY id", [CONTACT_FAX])
    return ("SELECT contact AS phone FROM customercontacts WHERE customerid = %s "
            "AND contact <> '' AND (type & %s) <> 0 AND (type & %s) = 0 ORDER BY id",
            [CONTACT_MOBILE | CONTACT_LANDLINE, CONTACT_FAX])


def divisions_sql(db: Any, columns: tuple[str, ...]) -> str:
    """``SELECT`` of ``columns`` from every division; ``address``, ``city``, ``zip`` and
    ``countryid`` come from the division's address on LMS 28 (as LMS's vdivisions has them)."""
    moved = {"address": "a.address", "city": "a.city", "zip": "a.zip",
             "countryid": "a.country_id"}
    if detect(db).address_columns:
        return "SELECT " + ", ".join(f"d.{c}" for c in columns) + " FROM divisions d ORDER BY d.id"
    cols = [f"{moved[c]} AS {c}" if c in moved else f"d.{c}" for c in columns]
    return ("SELECT " + ", ".join(cols) + " FROM divisions d "
            "LEFT JOIN vaddresses a ON a.id = d.address_id ORDER BY d.id")


# -- what a new invoice and its cash rows carry -------------------------------------------------

# LMS 28 stores a currency on documents and cash rows; lms-payments fills the customer's (PLN for
# a Polish LMS).  lmstv bills in PLN only, as SGT does.
CURRENCY = "PLN"
# LMS 28 guards these document columns with foreign keys, where LMS 1.11.17 wrote 0 for "none".
_DOCUMENT_REFERENCES = ("numberplanid", "countryid", "divisionid", "userid", "div_countryid")


def document_header(db: Any, header: dict[str, Any]) -> dict[str, Any]:
    """An invoice header in the form this LMS version stores it: on LMS 28 "none" is NULL in its
    foreign-key columns, and the currency is set as lms-payments sets it."""
    if not detect(db).servicetype_columns:
        return header
    out = {k: (None if k in _DOCUMENT_REFERENCES and not v else v) for k, v in header.items()}
    out.update(currency=CURRENCY, currencyvalue=1)
    return out


def cash_columns(db: Any) -> tuple[tuple[str, ...], list[Any], Any]:
    """``(extra columns, their values, userid)`` of a TV cash debit: on LMS 28 the service type
    TV (what LMS's income report by service type groups by) and the currency, and a NULL user
    (a foreign key there) where LMS 1.11.17 takes 0."""
    if not detect(db).servicetype_columns:
        return (), [], 0
    return ("servicetype", "currency", "currencyvalue"), [SERVICE_TV, CURRENCY, 1], None


# -- customer groups -----------------------------------------------------------------------------


def group_memberships(db: Any) -> str:
    """The relation of current customer-group memberships (customerid, customergroupid).

    LMS 28 keeps ended memberships in ``customerassignments`` (``startdate``/``enddate``) and
    reads the current ones through its own view ``vcustomerassignments``; LMS 1.11.17 deletes a
    membership when it ends.
    """
    return "customerassignments" if detect(db).address_columns else "vcustomerassignments"
