-- lmstv step 2026120110 (MySQL/MariaDB): who locked which TV account and why, so that
-- `lmstv accounts follow-cutoff` unlocks only what it locked itself, never an account an
-- operator locked by hand.  Indexes are part of each CREATE so a table appears complete.

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
