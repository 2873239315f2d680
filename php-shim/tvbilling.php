<?php

/*
 * lmstv — tvbilling.php from the vendor's manual, kept as a thin wrapper so its cron lines keep
 * working: runs `lmstv billing invoice`. Command line only.
 */

require_once(__DIR__ . '/lib/LMSTV.class.php');
require_once(__DIR__ . '/lib/lmstv.cli.php');
lmstv_script_main(array('billing', 'invoice'), 'Invoice TV events of customers without an internet invoice (1st of the month, after lms-payments).');
