-- lmstv step 2026112601 (MySQL/MariaDB): the billing-event table filled by
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
