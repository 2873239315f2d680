<?php

/*
 * lmstv — tvcustidupdate.php from the vendor's manual, kept as a thin wrapper so its cron lines keep
 * working: runs `lmstv customers sync-ids`. Command line only.
 */

require_once(__DIR__ . '/lib/LMSTV.class.php');
require_once(__DIR__ . '/lib/lmstv.cli.php');
lmstv_script_main(array('customers', 'sync-ids'), 'First synchronisation: fill customers.tv_cust_number from the external ids in SMS (safe to re-run).');
