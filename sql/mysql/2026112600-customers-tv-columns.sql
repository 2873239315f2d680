-- lmstv step 2026112600 (MySQL/MariaDB): TV columns on LMS's customers table.
-- Lines "-- lmstv: ..." are conditions read by `lmstv migrate` so that an interrupted step can
-- be re-run (MySQL DDL is not transactional); applied by hand they are ordinary comments.

-- Views selecting c.* freeze their column list when created, so both are dropped here and
-- recreated at the end with LMS 1.11.17's own definitions.
-- lmstv: only-if lms lms1117
DROP VIEW IF EXISTS customersview;
-- lmstv: only-if lms lms1117
DROP VIEW IF EXISTS contractorview;

-- lmstv: skip-if column customers.tv_cust_number
ALTER TABLE customers ADD COLUMN tv_cust_number varchar(20) NULL DEFAULT NULL;

-- The original module left 9 or 12 characters; SMS numbers get up to 20.
-- lmstv: skip-if wide customers.tv_cust_number 20
ALTER TABLE customers MODIFY tv_cust_number varchar(20) NULL DEFAULT NULL;

-- Empty strings and stray spaces from the original module are "no link".
UPDATE customers SET tv_cust_number = NULL WHERE TRIM(tv_cust_number) = '';
UPDATE customers SET tv_cust_number = TRIM(tv_cust_number)
    WHERE CHAR_LENGTH(tv_cust_number) <> CHAR_LENGTH(TRIM(tv_cust_number));

-- This query must return no rows before the unique index can be built.
-- lmstv: expect-no-rows Several LMS customers carry the same SMS customer number (customers.tv_cust_number); keep each number on one customer only, then run `lmstv migrate` again
SELECT tv_cust_number, COUNT(*) AS customers, MIN(id) AS first_id, MAX(id) AS last_id
    FROM customers WHERE tv_cust_number IS NOT NULL
    GROUP BY tv_cust_number HAVING COUNT(*) > 1 ORDER BY tv_cust_number;

-- Two LMS customers can never point at one SMS customer (NULLs do not collide).
-- lmstv: skip-if index customers.customers_tv_cust_number_key
CREATE UNIQUE INDEX customers_tv_cust_number_key ON customers (tv_cust_number);

-- 1 = do not invoice TV for this customer.
-- lmstv: skip-if column customers.tv_suspend_billing
ALTER TABLE customers ADD COLUMN tv_suspend_billing smallint NOT NULL DEFAULT 0;

-- lmstv: only-if lms lms1117
CREATE VIEW customersview AS
    SELECT c.* FROM customers c
    WHERE NOT EXISTS (
        SELECT 1 FROM customerassignments a
        JOIN excludedgroups e ON (a.customergroupid = e.customergroupid)
        WHERE e.userid = lms_current_user() AND a.customerid = c.id)
    AND c.type < 2;

-- lmstv: only-if lms lms1117
CREATE VIEW contractorview AS
    SELECT c.* FROM customers c
    WHERE c.type = '2';
