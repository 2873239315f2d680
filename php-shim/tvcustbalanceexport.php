<?php

/*
 * lmstv — tvcustbalanceexport.php from the vendor's manual, kept as a thin wrapper so its cron lines keep
 * working: runs `lmstv billing export-balances`. Command line only.
 */

require_once(__DIR__ . '/lib/LMSTV.class.php');
require_once(__DIR__ . '/lib/lmstv.cli.php');
lmstv_script_main(array('billing', 'export-balances'), 'Export customer balances to the TV panel (optional cron).');
