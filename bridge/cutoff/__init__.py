"""TV follows LMS's debtor block (``lmstv accounts follow-cutoff``)."""
