-- lmstv fresh install of the JAMBOX TV schema on an LMS 1.11.17 database (MySQL/MariaDB).
-- LMS 1.11.17 only: it recreates LMS 1.11.17's customersview and contractorview.  On current
-- LMS (28) use `lmstv migrate`, which leaves LMS's own views alone.
-- Apply by hand to a database without the original JAMBOX module, e.g.
--   mysql -u lms -p lms < sms-lms.sql
-- or simply run `lmstv migrate`, which does the same and also adopts the original module's
-- tv_billingevent table and upgrades older lmstv schemas.  This file equals the numbered
-- steps in mysql/ (a test keeps them in step) and records the latest version in dbinfo.

-- ---- from mysql/2026112600-customers-tv-columns.sql

-- Views selecting c.* freeze their column list when created, so both are dropped here and
-- recreated at the end with LMS 1.11.17's own definitions.
DROP VIEW IF EXISTS customersview;
DROP VIEW IF EXISTS contractorview;

ALTER TABLE customers ADD COLUMN tv_cust_number varchar(20) NULL DEFAULT NULL;

-- The original module left 9 or 12 characters; SMS numbers get up to 20.
ALTER TABLE customers MODIFY tv_cust_number varchar(20) NULL DEFAULT NULL;

-- Empty strings and stray spaces from the original module are "no link".
UPDATE customers SET tv_cust_number = NULL WHERE TRIM(tv_cust_number) = '';
UPDATE customers SET tv_cust_number = TRIM(tv_cust_number)
    WHERE CHAR_LENGTH(tv_cust_number) <> CHAR_LENGTH(TRIM(tv_cust_number));

-- This query must return no rows before the unique index can be built.
SELECT tv_cust_number, COUNT(*) AS customers, MIN(id) AS first_id, MAX(id) AS last_id
    FROM customers WHERE tv_cust_number IS NOT NULL
    GROUP BY tv_cust_number HAVING COUNT(*) > 1 ORDER BY tv_cust_number;

-- Two LMS customers can never point at one SMS customer (NULLs do not collide).
CREATE UNIQUE INDEX customers_tv_cust_number_key ON customers (tv_cust_number);

-- 1 = do not invoice TV for this customer.
ALTER TABLE customers ADD COLUMN tv_suspend_billing smallint NOT NULL DEFAULT 0;

CREATE VIEW customersview AS
    SELECT c.* FROM customers c
    WHERE NOT EXISTS (
        SELECT 1 FROM customerassignments a
        JOIN excludedgroups e ON (a.customergroupid = e.customergroupid)
        WHERE e.userid = lms_current_user() AND a.customerid = c.id)
    AND c.type < 2;

CREATE VIEW contractorview AS
    SELECT c.* FROM customers c
    WHERE c.type = '2';

-- ---- from mysql/2026112601-tv-billing-event.sql
-- `lmstv billing import`.  Money is exact (decimal(12,2)); VAT is a fraction with 4 decimals
-- (0.2300); the SMS event id (beid) is the natural key, so importing a period twice adds
-- nothing.  Indexes are part of the one CREATE statement so the table appears complete or not
-- at all.  The character set is the database's default, as for LMS's own tables.

CREATE TABLE IF NOT EXISTS tv_billing_event (
    id int(11) NOT NULL AUTO_INCREMENT,
    beid bigint NOT NULL,                            -- SMS event id
    customerid int(11) NULL DEFAULT NULL,            -- SMS cust_external_id (LMS customers.id)
    cust_number varchar(20) NOT NULL,
    account_id bigint NOT NULL DEFAULT 0,
    package_id bigint NOT NULL DEFAULT 0,
    be_selling_date date NOT NULL,
    be_desc text NOT NULL,
    be_vat decimal(6,4) NOT NULL,                    -- fraction: 0.2300
    be_gross decimal(12,2) NOT NULL,
    be_b2b_netto decimal(12,2) NULL DEFAULT NULL,
    group_id bigint NOT NULL DEFAULT 0,              -- SGT settlement report id
    docid int(11) NULL DEFAULT NULL,                 -- LMS documents.id; NULL = not invoiced
    itemid int(11) NULL DEFAULT NULL,                -- line number on that invoice
    tv_suspend_billing smallint NOT NULL DEFAULT 0,  -- customer flag at import time
    skip_reason varchar(32) NULL DEFAULT NULL,       -- why invoicing skipped it
    imported_at int(11) NOT NULL DEFAULT 0,          -- unix time
    PRIMARY KEY (id),
    UNIQUE KEY tv_billing_event_beid_key (beid),
    INDEX tv_billing_event_selling_date_idx (be_selling_date),
    INDEX tv_billing_event_group_id_idx (group_id),
    INDEX tv_billing_event_customerid_idx (customerid),
    INDEX tv_billing_event_cust_number_idx (cust_number),
    INDEX tv_billing_event_docid_idx (docid)
) ENGINE=InnoDB;

-- ---- from mysql/2026120110-tv-account-lock.sql
-- One row per TV account lmstv knows to be locked: locked_by is 'lmstv-cutoff' for the
-- automatic debtor block, else the LMS login of the operator.
CREATE TABLE IF NOT EXISTS tv_account_lock (
    account_id bigint NOT NULL,                      -- SMS account id
    customerid int(11) NOT NULL,                     -- LMS customers.id
    locked_by varchar(64) NOT NULL,
    reason varchar(255) NOT NULL,
    locked_at int(11) NOT NULL DEFAULT 0,            -- unix time
    PRIMARY KEY (account_id),
    INDEX tv_account_lock_customerid_idx (customerid)
) ENGINE=InnoDB;

-- Customers follow-cutoff has handled as blocked in LMS (since = first run that saw the
-- block; LMS itself does not record when lms-cutoff blocked the nodes).
CREATE TABLE IF NOT EXISTS tv_cutoff_customer (
    customerid int(11) NOT NULL,
    blocked_since int(11) NOT NULL DEFAULT 0,        -- unix time
    PRIMARY KEY (customerid)
) ENGINE=InnoDB;

INSERT INTO dbinfo (keytype, keyvalue) VALUES ('dbversion_lmstv', '2026120110');
