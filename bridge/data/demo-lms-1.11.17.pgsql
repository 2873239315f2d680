-- lmstv demo: the part of an LMS 1.11.17 database that lmstv, its shim and the demo's data use.
-- Written for lmstv (not LMS's file): only for `lmstv demo` on a machine that has no LMS tree.
-- Table and column names, types and nullability follow LMS 1.11.17 (database version
-- 2015042700); tests/test_demo_schema.py compares them with LMS's own doc/lms.pgsql.
-- Everything else LMS has (nodes, networks, users, ...) is left out: lmstv never reads it.

-- key/value facts about the database; lmstv migrate checks 'dbversion'
CREATE TABLE dbinfo (
    keytype  varchar(255) NOT NULL DEFAULT '' PRIMARY KEY,
    keyvalue varchar(255) NOT NULL DEFAULT ''
);
INSERT INTO dbinfo (keytype, keyvalue) VALUES ('dbversion', '2015042700');

CREATE TABLE countries (
    id   serial PRIMARY KEY,
    name varchar(255) NOT NULL DEFAULT ''
);
INSERT INTO countries (name) VALUES ('Poland');

-- the user LMS acts as (0 = none); customersview hides groups excluded for that user
CREATE FUNCTION lms_current_user() RETURNS integer LANGUAGE sql STABLE AS
    $$ SELECT COALESCE(NULLIF(current_setting('lms.current_user', true), ''), '0')::integer $$;

CREATE TABLE divisions (
    id          serial PRIMARY KEY,
    shortname   varchar(255) NOT NULL DEFAULT '',
    name        text NOT NULL DEFAULT '',
    address     varchar(255) NOT NULL DEFAULT '',
    city        varchar(255) NOT NULL DEFAULT '',
    zip         varchar(255) NOT NULL DEFAULT '',
    countryid   integer NOT NULL DEFAULT 0,
    ten         varchar(16) NOT NULL DEFAULT '',
    regon       varchar(255) NOT NULL DEFAULT '',
    account     varchar(48) NOT NULL DEFAULT '',
    inv_header  text NOT NULL DEFAULT '',
    inv_footer  text NOT NULL DEFAULT '',
    inv_author  text NOT NULL DEFAULT '',
    inv_cplace  text NOT NULL DEFAULT '',
    inv_paytime smallint,
    inv_paytype smallint,
    description text NOT NULL DEFAULT '',
    status      smallint NOT NULL DEFAULT 0,
    UNIQUE (shortname)
);

CREATE TABLE customers (
    id             serial PRIMARY KEY,
    lastname       varchar(128) NOT NULL DEFAULT '',
    name           varchar(128) NOT NULL DEFAULT '',
    status         smallint NOT NULL DEFAULT 0,
    type           smallint NOT NULL DEFAULT 0,
    email          varchar(255) NOT NULL DEFAULT '',
    address        varchar(255) NOT NULL DEFAULT '',
    zip            varchar(10) NOT NULL DEFAULT '',
    city           varchar(32) NOT NULL DEFAULT '',
    countryid      integer,
    post_name      varchar(255),
    post_address   varchar(255),
    post_zip       varchar(10),
    post_city      varchar(32),
    post_countryid integer,
    ten            varchar(16) NOT NULL DEFAULT '',
    ssn            varchar(11) NOT NULL DEFAULT '',
    regon          varchar(255) NOT NULL DEFAULT '',
    rbe            varchar(255) NOT NULL DEFAULT '',
    icn            varchar(255) NOT NULL DEFAULT '',
    info           text NOT NULL DEFAULT '',
    notes          text NOT NULL DEFAULT '',
    creationdate   integer NOT NULL DEFAULT 0,
    moddate        integer NOT NULL DEFAULT 0,
    creatorid      integer NOT NULL DEFAULT 0,
    modid          integer NOT NULL DEFAULT 0,
    deleted        smallint NOT NULL DEFAULT 0,
    message        text NOT NULL DEFAULT '',
    pin            varchar(6) NOT NULL DEFAULT '0',
    cutoffstop     integer NOT NULL DEFAULT 0,
    consentdate    integer NOT NULL DEFAULT 0,
    einvoice       smallint,
    invoicenotice  smallint,
    mailingnotice  smallint,
    divisionid     integer NOT NULL DEFAULT 0,
    paytime        smallint NOT NULL DEFAULT -1,
    paytype        smallint
);

CREATE TABLE customercontacts (
    id         serial PRIMARY KEY,
    customerid integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE ON UPDATE CASCADE,
    name       varchar(255) NOT NULL DEFAULT '',
    phone      varchar(255) NOT NULL DEFAULT '',
    type       smallint
);

CREATE TABLE customergroups (
    id          serial PRIMARY KEY,
    name        varchar(255) NOT NULL DEFAULT '' UNIQUE,
    description text NOT NULL DEFAULT ''
);

CREATE TABLE customerassignments (
    id              serial PRIMARY KEY,
    customergroupid integer NOT NULL REFERENCES customergroups (id) ON DELETE CASCADE,
    customerid      integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    UNIQUE (customergroupid, customerid)
);

CREATE TABLE excludedgroups (
    id              serial PRIMARY KEY,
    customergroupid integer NOT NULL REFERENCES customergroups (id) ON DELETE CASCADE,
    userid          integer NOT NULL DEFAULT 0,
    UNIQUE (userid, customergroupid)
);

CREATE TABLE taxes (
    id        serial PRIMARY KEY,
    value     numeric(4,2) NOT NULL DEFAULT 0,
    taxed     smallint NOT NULL DEFAULT 0,
    label     varchar(16) NOT NULL DEFAULT '',
    validfrom integer NOT NULL DEFAULT 0,
    validto   integer NOT NULL DEFAULT 0
);

CREATE TABLE numberplans (
    id        serial PRIMARY KEY,
    template  varchar(255) NOT NULL DEFAULT '',
    period    smallint NOT NULL DEFAULT 0,
    doctype   integer NOT NULL DEFAULT 0,
    isdefault smallint NOT NULL DEFAULT 0
);

CREATE TABLE numberplanassignments (
    id         serial PRIMARY KEY,
    planid     integer NOT NULL DEFAULT 0,
    divisionid integer NOT NULL DEFAULT 0,
    UNIQUE (planid, divisionid)
);

-- type 1 internet ... 5 TV in LMS's tariff types; the demo's "TV" tariff carries TV lines
CREATE TABLE tariffs (
    id               serial PRIMARY KEY,
    name             varchar(255) NOT NULL DEFAULT '',
    type             smallint NOT NULL DEFAULT 1,
    value            numeric(9,2) NOT NULL DEFAULT 0,
    period           smallint,
    taxid            integer NOT NULL DEFAULT 0,
    prodid           varchar(255) NOT NULL DEFAULT '',
    uprate           integer NOT NULL DEFAULT 0,
    upceil           integer NOT NULL DEFAULT 0,
    downrate         integer NOT NULL DEFAULT 0,
    downceil         integer NOT NULL DEFAULT 0,
    climit           integer NOT NULL DEFAULT 0,
    plimit           integer NOT NULL DEFAULT 0,
    dlimit           integer NOT NULL DEFAULT 0,
    uprate_n         integer,
    upceil_n         integer,
    downrate_n       integer,
    downceil_n       integer,
    climit_n         integer,
    plimit_n         integer,
    domain_limit     integer,
    alias_limit      integer,
    sh_limit         integer,
    www_limit        integer,
    mail_limit       integer,
    ftp_limit        integer,
    sql_limit        integer,
    quota_sh_limit   integer,
    quota_www_limit  integer,
    quota_mail_limit integer,
    quota_ftp_limit  integer,
    quota_sql_limit  integer,
    description      text NOT NULL DEFAULT '',
    disabled         smallint NOT NULL DEFAULT 0,
    UNIQUE (name, value, period)
);

CREATE TABLE assignments (
    id           serial PRIMARY KEY,
    tariffid     integer NOT NULL DEFAULT 0,
    liabilityid  integer NOT NULL DEFAULT 0,
    customerid   integer NOT NULL REFERENCES customers (id) ON DELETE CASCADE,
    period       smallint NOT NULL DEFAULT 0,
    at           integer NOT NULL DEFAULT 0,
    datefrom     integer NOT NULL DEFAULT 0,
    dateto       integer NOT NULL DEFAULT 0,
    invoice      smallint NOT NULL DEFAULT 0,
    suspended    smallint NOT NULL DEFAULT 0,
    settlement   smallint NOT NULL DEFAULT 0,
    pdiscount    numeric(4,2) NOT NULL DEFAULT 0,
    vdiscount    numeric(9,2) NOT NULL DEFAULT 0,
    paytype      smallint,
    numberplanid integer,
    attribute    varchar(255)
);

-- invoices and other documents, with the seller's and the buyer's data frozen on them
CREATE TABLE documents (
    id             serial PRIMARY KEY,
    type           smallint NOT NULL DEFAULT 0,
    number         integer NOT NULL DEFAULT 0,
    numberplanid   integer NOT NULL DEFAULT 0,
    extnumber      varchar(255) NOT NULL DEFAULT '',
    cdate          integer NOT NULL DEFAULT 0,
    sdate          integer NOT NULL DEFAULT 0,
    customerid     integer NOT NULL DEFAULT 0,
    userid         integer NOT NULL DEFAULT 0,
    divisionid     integer NOT NULL DEFAULT 0,
    name           varchar(255) NOT NULL DEFAULT '',
    address        varchar(255) NOT NULL DEFAULT '',
    zip            varchar(10) NOT NULL DEFAULT '',
    city           varchar(32) NOT NULL DEFAULT '',
    countryid      integer NOT NULL DEFAULT 0,
    ten            varchar(16) NOT NULL DEFAULT '',
    ssn            varchar(11) NOT NULL DEFAULT '',
    paytime        smallint NOT NULL DEFAULT 0,
    paytype        smallint,
    closed         smallint NOT NULL DEFAULT 0,
    reference      integer NOT NULL DEFAULT 0,
    reason         varchar(255) NOT NULL DEFAULT '',
    div_name       text NOT NULL DEFAULT '',
    div_shortname  text NOT NULL DEFAULT '',
    div_address    varchar(255) NOT NULL DEFAULT '',
    div_city       varchar(255) NOT NULL DEFAULT '',
    div_zip        varchar(255) NOT NULL DEFAULT '',
    div_countryid  integer NOT NULL DEFAULT 0,
    div_ten        varchar(255) NOT NULL DEFAULT '',
    div_regon      varchar(255) NOT NULL DEFAULT '',
    div_account    varchar(48) NOT NULL DEFAULT '',
    div_inv_header text NOT NULL DEFAULT '',
    div_inv_footer text NOT NULL DEFAULT '',
    div_inv_author text NOT NULL DEFAULT '',
    div_inv_cplace text NOT NULL DEFAULT '',
    fullnumber     varchar(50)
);
CREATE INDEX documents_cdate_idx ON documents (cdate);
CREATE INDEX documents_numberplanid_idx ON documents (numberplanid);
CREATE INDEX documents_customerid_idx ON documents (customerid);

CREATE TABLE invoicecontents (
    docid       integer NOT NULL DEFAULT 0,
    itemid      smallint NOT NULL DEFAULT 0,
    value       numeric(9,2) NOT NULL DEFAULT 0,
    taxid       integer NOT NULL DEFAULT 0,
    prodid      varchar(255) NOT NULL DEFAULT '',
    content     varchar(16) NOT NULL DEFAULT '',
    count       numeric(9,2) NOT NULL DEFAULT 0,
    description text NOT NULL DEFAULT '',
    tariffid    integer NOT NULL DEFAULT 0,
    pdiscount   numeric(4,2) NOT NULL DEFAULT 0,
    vdiscount   numeric(9,2) NOT NULL DEFAULT 0
);
CREATE INDEX invoicecontents_docid_idx ON invoicecontents (docid);

-- the customer's balance: charges negative, payments positive
CREATE TABLE cash (
    id         serial PRIMARY KEY,
    time       integer NOT NULL DEFAULT 0,
    type       smallint NOT NULL DEFAULT 0,
    userid     integer NOT NULL DEFAULT 0,
    value      numeric(9,2) NOT NULL DEFAULT 0,
    taxid      integer NOT NULL DEFAULT 0,
    customerid integer NOT NULL DEFAULT 0,
    comment    text NOT NULL DEFAULT '',
    docid      integer NOT NULL DEFAULT 0,
    itemid     smallint NOT NULL DEFAULT 0,
    importid   integer,
    sourceid   integer
);
CREATE INDEX cash_customerid_idx ON cash (customerid);
CREATE INDEX cash_docid_idx ON cash (docid);

CREATE TABLE uiconfig (
    id          serial PRIMARY KEY,
    section     varchar(64) NOT NULL DEFAULT '',
    var         varchar(64) NOT NULL DEFAULT '',
    value       text NOT NULL DEFAULT '',
    description text NOT NULL DEFAULT '',
    disabled    smallint NOT NULL DEFAULT 0,
    UNIQUE (section, var)
);

-- LMS's two customer views; `lmstv migrate` drops and recreates them around its column changes
CREATE VIEW customersview AS
    SELECT c.* FROM customers c
    WHERE c.type < 2 AND NOT EXISTS (
        SELECT 1 FROM customerassignments a
        JOIN excludedgroups e ON e.customergroupid = a.customergroupid
        WHERE a.customerid = c.id AND e.userid = lms_current_user());

CREATE VIEW contractorview AS
    SELECT c.* FROM customers c WHERE c.type = 2;
