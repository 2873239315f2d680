"""The ``lmstv demo``: sandbox + embedded PostgreSQL with an LMS database + bridge, on defaults."""
