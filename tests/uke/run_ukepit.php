<?php
// Runs LMS 28's own modules/ukepit.php from the command line, the way LMS's bin/lms-stub.php
// starts a script (LMS's script-options.php reads -C lms.ini, connects the database and loads
// LMS's libraries), with the report form's fields in $_POST.  Test harness only: prints the
// report ukepit.php sends (the CSV of "customer-services", or its error page).
// Usage: LMS_DIR=<lms dir> php run_ukepit.php -C <lms.ini> -q
// (LMS's option parser reads the process's own arguments, so the LMS directory comes from the
// environment.)
$lms_dir = getenv('LMS_DIR');
$script_parameters = array();
$script_help = '';
require_once $lms_dir . '/bin/script-options.php';
$SYSLOG = SYSLOG::getInstance();
$AUTH = null;
$LMS = new LMS($DB, $AUTH, $SYSLOG);
$_POST = array('report-type' => 'customer-services');
include MODULES_DIR . DIRECTORY_SEPARATOR . 'ukepit.php';
