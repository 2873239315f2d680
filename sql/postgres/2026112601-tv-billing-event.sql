-- lmstv step 2026112601 (PostgreSQL): the billing-event table filled by `lmstv billing import`.
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

-- lmstv: skip-if index tv_billing_event.tv_billing_event_selling_date_idx
CREATE INDEX tv_billing_event_selling_date_idx ON tv_billing_event (be_selling_date);
-- lmstv: skip-if index tv_billing_event.tv_billing_event_group_id_idx
CREATE INDEX tv_billing_event_group_id_idx ON tv_billing_event (group_id);
-- lmstv: skip-if index tv_billing_event.tv_billing_event_customerid_idx
CREATE INDEX tv_billing_event_customerid_idx ON tv_billing_event (customerid);
-- lmstv: skip-if index tv_billing_event.tv_billing_event_cust_number_idx
CREATE INDEX tv_billing_event_cust_number_idx ON tv_billing_event (cust_number);
-- lmstv: skip-if index tv_billing_event.tv_billing_event_docid_idx
CREATE INDEX tv_billing_event_docid_idx ON tv_billing_event (docid);
