<?php

/*
 * lmstv — run an `lmstv` command from PHP (the manual's root scripts and the lms-payments hook).
 * The command comes from lmstv.ini [shim] lmstv_command (default: `lmstv` on the PATH).
 */

require_once(__DIR__ . DIRECTORY_SEPARATOR . 'LMSTV.class.php');

function lmstv_command_prefix()
{
	$cmd = 'lmstv';
	$config = null;
	foreach (array(getenv('LMSTV_CONFIG'), defined('SYS_DIR') ? SYS_DIR . '/lmstv.ini' : dirname(__DIR__) . '/lmstv.ini', '/etc/lms/lmstv.ini') as $path) {
		if ($path && is_readable($path)) {
			$config = $path;
			break;
		}
	}
	if ($config !== null && class_exists('LMSTV')) {
		$ini = LMSTV::parseIni($config);
		if (!empty($ini['shim']['lmstv_command']))
			$cmd = $ini['shim']['lmstv_command'];
	}
	$prefix = array();
	foreach (preg_split('/\s+/', trim($cmd)) as $part)
		$prefix[] = escapeshellarg($part);
	if ($config !== null)
		$prefix = array_merge($prefix, array('--config', escapeshellarg($config)));
	return implode(' ', $prefix);
}

/** Runs `lmstv ARGS…`, passing its output through; returns its exit code. */
function lmstv_run(array $args, $quiet = false)
{
	$line = lmstv_command_prefix();
	foreach ($args as $arg)
		$line .= ' ' . escapeshellarg($arg);
	if ($quiet)
		$line .= ' >/dev/null';
	$rc = 0;
	passthru($line, $rc);
	if ($rc == 127)
		fwrite(STDERR, "lmstv: command not found ($line); install lmstv or set [shim] lmstv_command in lmstv.ini\n");
	return $rc;
}

/** Translates the manual's script options (-f/--fakedate, -q) into lmstv's; refuses the web. */
function lmstv_script_main(array $command, $description)
{
	if (PHP_SAPI !== 'cli') {
		if (!headers_sent())
			header('HTTP/1.1 403 Forbidden');
		echo "This is a command-line script.\n";
		exit(1);
	}
	$opts = getopt('hqC:f:s:e:', array('help', 'quiet', 'config-file:', 'fakedate:', 'start:', 'end:'));
	if (isset($opts['h']) || isset($opts['help'])) {
		echo $description . "\nOptions: -q/--quiet, -f/--fakedate=YYYY/MM/DD, -s/--start, -e/--end (where the command takes them)\n";
		echo 'Runs: lmstv ' . implode(' ', $command) . "\n";
		exit(0);
	}
	$quiet = isset($opts['q']) || isset($opts['quiet']);
	$map = array('f' => 'fakedate', 'fakedate' => 'fakedate', 's' => 'start', 'start' => 'start', 'e' => 'end', 'end' => 'end');
	$args = $command;
	foreach ($map as $opt => $long)
		if (isset($opts[$opt]) && in_array('--' . $long, $command, true) === false && lmstv_accepts($command, $long))
			$args = array_merge($args, array('--' . $long, (string) $opts[$opt]));
	exit(lmstv_run($args, $quiet));
}

/** Which pass-through options each command takes. */
function lmstv_accepts(array $command, $option)
{
	$key = implode(' ', $command);
	$table = array(
		'billing import' => array('start', 'end'),
		'billing invoice' => array('fakedate'),
		'billing attach' => array('fakedate'),
	);
	return isset($table[$key]) && in_array($option, $table[$key], true);
}

/**
 * Called at the end of bin/lms-payments.php: puts the imported TV events on the invoices that
 * run issued, with the same fakedate. A failure is reported on stderr and never stops LMS's run.
 */
function lmstv_payments_attach($fakedate, $quiet)
{
	$args = array('billing', 'attach');
	if (!empty($fakedate))
		$args = array_merge($args, array('--fakedate', (string) $fakedate));
	$rc = lmstv_run($args, $quiet);
	if ($rc != 0)
		fwrite(STDERR, "lmstv: 'lmstv " . implode(' ', $args) . "' failed with exit code $rc; TV lines were not added to today's invoices — run it again by hand\n");
	return $rc;
}
