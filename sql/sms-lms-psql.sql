-- lmstv fresh install of the JAMBOX TV schema on an LMS 1.11.17 database (PostgreSQL).
-- LMS 1.11.17 only: it recreates LMS 1.11.17's customersview and contractorview.  On current
-- LMS (28) use `lmstv migrate`, which leaves LMS's own views alone.
-- Apply by hand to a database without the original JAMBOX module, e.g.
--   psql -U lms -d lms -f sms-lms-psql.sql
-- or simply run `lmstv migrate`, which does the same and also adopts the original module's
-- tv_billingevent table and upgrades older lmstv schemas.  This file equals the numbered
-- steps in postgres/ (a test keeps them in step) and records the latest version in dbinfo.

BEGIN;

-- ---- from postgres/2026112600-customers-tv-columns.sql

-- Views selecting c.* freeze their column list when created, and PostgreSQL refuses to change
-- the type of a column a view uses, so both are dropped here and recreated at the end with
-- LMS 1.11.17's own definitions.
DROP VIEW IF EXISTS customersview;
DROP VIEW IF EXISTS contractorview;

ALTER TABLE customers ADD COLUMN tv_cust_number varchar(20) NULL;

-- The original module left 9 or 12 characters; SMS numbers get up to 20.
ALTER TABLE customers ALTER COLUMN tv_cust_number TYPE varchar(20);

-- Empty strings and stray spaces from the original module are "no link".
UPDATE customers SET tv_cust_number = NULL WHERE TRIM(tv_cust_number) = '';
UPDATE customers SET tv_cust_number = TRIM(tv_cust_number)
    WHERE char_length(tv_cust_number) <> char_length(TRIM(tv_cust_number));

-- This query must return no rows before the unique index can be built.
SELECT tv_cust_number, COUNT(*) AS customers, MIN(id) AS first_id, MAX(id) AS last_id
    FROM customers WHERE tv_cust_number IS NOT NULL
    GROUP BY tv_cust_number HAVING COUNT(*) > 1 ORDER BY tv_cust_number;

-- Two LMS customers can never point at one SMS customer.
CREATE UNIQUE INDEX customers_tv_cust_number_key ON customers (tv_cust_number)
    WHERE tv_cust_number IS NOT NULL;

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

-- ---- from postgres/2026112601-tv-billing-event.sql
-- Money is exact (numeric(12,2)); VAT is a fraction with 4 decimals (0.2300); the SMS event
-- id (beid) is the natural key, so importing the same period twice adds nothing.

CREATE TABLE IF NOT EXISTS tv_billing_event (
    id serial NOT NULL,
    beid bigint NOT NULL,                            -- SMS event id
    customerid integer NULL,                         -- SMS cust_external_id (LMS customers.id)
    cust_number varchar(20) NOT NULL,
    account_id bigint NOT NULL DEFAULT 0,
    package_id bigint NOT NULL DEFAULT 0,
    be_selling_date date NOT NULL,
    be_desc text NOT NULL,
    be_vat numeric(6,4) NOT NULL,                    -- fraction: 0.2300
    be_gross numeric(12,2) NOT NULL,
    be_b2b_netto numeric(12,2) NULL,
    group_id bigint NOT NULL DEFAULT 0,              -- SGT settlement report id
    docid integer NULL,                              -- LMS documents.id; NULL = not invoiced
    itemid integer NULL,                             -- line number on that invoice
    tv_suspend_billing smallint NOT NULL DEFAULT 0,  -- customer flag at import time
    skip_reason varchar(32) NULL,                    -- why invoicing skipped it
    imported_at integer NOT NULL DEFAULT 0,          -- unix time
    PRIMARY KEY (id),
    CONSTRAINT tv_billing_event_beid_key UNIQUE (beid)
);

CREATE INDEX tv_billing_event_selling_date_idx ON tv_billing_event (be_selling_date);
CREATE INDEX tv_billing_event_group_id_idx ON tv_billing_event (group_id);
CREATE INDEX tv_billing_event_customerid_idx ON tv_billing_event (customerid);
CREATE INDEX tv_billing_event_cust_number_idx ON tv_billing_event (cust_number);
CREATE INDEX tv_billing_event_docid_idx ON tv_billing_event (docid);

-- ---- from postgres/2026120110-tv-account-lock.sql
-- One row per TV account lmstv knows to be locked: locked_by is 'lmstv-cutoff' for the
-- automatic debtor block, else the LMS login of the operator.
CREATE TABLE IF NOT EXISTS tv_account_lock (
    account_id bigint NOT NULL,                      -- SMS account id
    customerid integer NOT NULL,                     -- LMS customers.id
    locked_by varchar(64) NOT NULL,
    reason varchar(255) NOT NULL,
    locked_at integer NOT NULL DEFAULT 0,            -- unix time
    PRIMARY KEY (account_id)
);
CREATE INDEX tv_account_lock_customerid_idx ON tv_account_lock (customerid);

-- Customers follow-cutoff has handled as blocked in LMS (since = first run that saw the
-- block; LMS itself does not record when lms-cutoff blocked the nodes).
CREATE TABLE IF NOT EXISTS tv_cutoff_customer (
    customerid integer NOT NULL,
    blocked_since integer NOT NULL DEFAULT 0,        -- unix time
    PRIMARY KEY (customerid)
);

INSERT INTO dbinfo (keytype, keyvalue) VALUES ('dbversion_lmstv', '2026120110');

COMMIT;
