"""UKE fixtures: the billing tests' LMS database (both engines) and the real sandbox."""

from tests.billing.conftest import billing_db, lms  # noqa: F401
