-- lmstv step 2026112602 (MySQL/MariaDB): adopt the original PHP module's tv_billingevent.
-- Every row is copied into tv_billing_event with exact amounts (the old float(5,2) columns
-- are rounded to cents, VAT to 4 places: 0.23 becomes 0.2300), customerid 0 -> NULL,
-- docid 0/NULL/negative -> NULL (not invoiced), ids and invoice links kept.  The old table is
-- then renamed to tv_billingevent_adopted (never dropped), and only after a check that every
-- row arrived intact.  Each statement can be re-run.  Nothing happens when the old table does
-- not exist.

-- lmstv: only-if table tv_billingevent
-- lmstv: expect-no-rows The original module's tv_billingevent holds the same SMS event id (beid) more than once; remove the duplicates, then run `lmstv migrate` again
SELECT beid, COUNT(*) AS copies FROM tv_billingevent GROUP BY beid HAVING COUNT(*) > 1;

-- lmstv: only-if table tv_billingevent
-- lmstv: only-if column tv_billingevent.tv_suspend_billing
INSERT INTO tv_billing_event (id, beid, customerid, cust_number, account_id, package_id,
        be_selling_date, be_desc, be_vat, be_gross, be_b2b_netto, group_id, docid, itemid,
        tv_suspend_billing, skip_reason, imported_at)
    SELECT o.id, o.beid, NULLIF(o.customerid, 0), TRIM(o.cust_number),
        COALESCE(o.account_id, 0), COALESCE(o.package_id, 0), o.be_selling_date,
        COALESCE(o.be_desc, ''),
        CAST(ROUND(o.be_vat, 4) AS DECIMAL(6,4)),
        CAST(ROUND(o.be_gross, 2) AS DECIMAL(12,2)),
        CAST(ROUND(o.be_b2b_netto, 2) AS DECIMAL(12,2)),
        COALESCE(o.group_id, 0), CASE WHEN o.docid > 0 THEN o.docid END, NULL,
        COALESCE(o.tv_suspend_billing, 0), NULL, UNIX_TIMESTAMP()
    FROM tv_billingevent o
    WHERE NOT EXISTS (SELECT 1 FROM tv_billing_event n WHERE n.beid = o.beid);

-- The same copy for the module's first version, which had no tv_suspend_billing column.
-- lmstv: only-if table tv_billingevent
-- lmstv: skip-if column tv_billingevent.tv_suspend_billing
INSERT INTO tv_billing_event (id, beid, customerid, cust_number, account_id, package_id,
        be_selling_date, be_desc, be_vat, be_gross, be_b2b_netto, group_id, docid, itemid,
        tv_suspend_billing, skip_reason, imported_at)
    SELECT o.id, o.beid, NULLIF(o.customerid, 0), TRIM(o.cust_number),
        COALESCE(o.account_id, 0), COALESCE(o.package_id, 0), o.be_selling_date,
        COALESCE(o.be_desc, ''),
        CAST(ROUND(o.be_vat, 4) AS DECIMAL(6,4)),
        CAST(ROUND(o.be_gross, 2) AS DECIMAL(12,2)),
        CAST(ROUND(o.be_b2b_netto, 2) AS DECIMAL(12,2)),
        COALESCE(o.group_id, 0), CASE WHEN o.docid > 0 THEN o.docid END, NULL,
        0, NULL, UNIX_TIMESTAMP()
    FROM tv_billingevent o
    WHERE NOT EXISTS (SELECT 1 FROM tv_billing_event n WHERE n.beid = o.beid);

-- This query must return no rows: every old row is present with the same amount, customer
-- and invoice link.
-- lmstv: only-if table tv_billingevent
-- lmstv: expect-no-rows Some rows of tv_billingevent did not arrive intact in tv_billing_event; the old table was left in place
SELECT o.id, o.beid FROM tv_billingevent o
    LEFT JOIN tv_billing_event n ON n.beid = o.beid
    WHERE n.id IS NULL
       OR n.be_gross <> CAST(ROUND(o.be_gross, 2) AS DECIMAL(12,2))
       OR n.be_vat <> CAST(ROUND(o.be_vat, 4) AS DECIMAL(6,4))
       OR COALESCE(n.customerid, 0) <> COALESCE(o.customerid, 0)
       OR COALESCE(n.docid, 0) <> (CASE WHEN o.docid > 0 THEN o.docid ELSE 0 END);

-- lmstv: only-if table tv_billingevent
RENAME TABLE tv_billingevent TO tv_billingevent_adopted;
