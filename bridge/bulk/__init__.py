"""TV actions for a whole LMS customer group (``lmstv bulk``)."""
