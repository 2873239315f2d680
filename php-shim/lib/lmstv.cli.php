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

/** Runs `lmstv ARGS…`, passing its output and exit code through. */
function lmstv_run(array $args)
{
	$line = lmstv_command_prefix();
	foreach ($args as $arg)
		$line .= ' ' . escapeshellarg($arg);
	$rc = 0;
	passthru($line, $rc);
	if ($rc == 127)
		fwrite(STDERR, "lmstv: command not found ($line); install lmstv or set [shim] lmstv_command in lmstv.ini\n");
	return $rc;
}

/**
 * The options each wrapped command takes (docs/billing.md), as script option => lmstv option.
 * Short forms follow LMS's own scripts (-f/--fakedate, -q/--quiet as in lms-payments.php).
 */
function lmstv_script_options(array $command)
{
	$fakedate = array('f' => '--fakedate', 'fakedate' => '--fakedate');
	$quiet = array('q' => '--quiet', 'quiet' => '--quiet');
	$dry = array('n' => '--dry-run', 'dry-run' => '--dry-run');
	$table = array(
		'billing import' => $fakedate + $quiet + array('s' => '--start-date', 'start-date' => '--start-date',
			'e' => '--end-date', 'end-date' => '--end-date'),
		'billing invoice' => $fakedate + $quiet + $dry + array('m' => '--mode', 'mode' => '--mode',
			'g' => '--customergroups', 'customergroups' => '--customergroups'),
		'billing attach' => $fakedate + $quiet + $dry,
		'billing export-balances' => $quiet + $dry,
		'customers sync-ids' => $quiet + $dry,
	);
	$key = implode(' ', $command);
	return isset($table[$key]) ? $table[$key] : array();
}

/** Translates the manual's script options into lmstv's and runs the command; refuses the web. */
function lmstv_script_main(array $command, $description)
{
	if (PHP_SAPI !== 'cli') {
		if (!headers_sent())
			header('HTTP/1.1 403 Forbidden');
		echo "This is a command-line script.\n";
		exit(1);
	}
	$known = lmstv_script_options($command);
	$short = 'h';
	$long = array('help');
	foreach ($known as $opt => $target) {
		$flag = in_array($target, array('--quiet', '--dry-run'), true);
		if (strlen($opt) == 1)
			$short .= $opt . ($flag ? '' : ':');
		else
			$long[] = $opt . ($flag ? '' : ':');
	}
	$opts = getopt($short, $long);
	if (isset($opts['h']) || isset($opts['help'])) {
		echo $description . "\nRuns: lmstv " . implode(' ', $command) . "\nOptions:";
		foreach ($known as $opt => $target)
			echo ' ' . (strlen($opt) == 1 ? '-' : '--') . $opt;
		echo "\n";
		exit(0);
	}
	$args = $command;
	$given = array();
	foreach ($known as $opt => $target) {
		if (!isset($opts[$opt]) || isset($given[$target]))
			continue;
		$given[$target] = true;
		$args[] = $target;
		if (!in_array($target, array('--quiet', '--dry-run'), true))
			$args[] = (string) (is_array($opts[$opt]) ? end($opts[$opt]) : $opts[$opt]);
	}
	exit(lmstv_run($args));
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
	if ($quiet)
		$args[] = '--quiet';
	$rc = lmstv_run($args);
	if ($rc != 0)
		fwrite(STDERR, "lmstv: 'lmstv " . implode(' ', $args) . "' failed with exit code $rc; TV lines were not added to today's invoices — run it again by hand\n");
	return $rc;
}
