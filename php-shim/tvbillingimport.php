<?php

/*
 * lmstv — tvbillingimport.php from the vendor's manual, kept as a thin wrapper so its cron lines keep
 * working: runs `lmstv billing import`. Command line only.
 */

require_once(__DIR__ . '/lib/LMSTV.class.php');
require_once(__DIR__ . '/lib/lmstv.cli.php');
lmstv_script_main(array('billing', 'import'), 'Fetch SGT billing events into LMS (idempotent; run daily, e.g. 03:00).');
