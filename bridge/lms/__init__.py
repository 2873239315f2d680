"""Access to the LMS database (PostgreSQL or MySQL/MariaDB) shared with LMS itself."""
