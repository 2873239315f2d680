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

/**
 * The script's arguments as lmstv's: array(args, null) or array(null, complaint). Anything it
 * does not know is refused rather than dropped, so a misspelt --fakedate cannot quietly run
 * the job for today. Accepts -f VALUE, -fVALUE, --fakedate VALUE, --fakedate=VALUE, -q, -qn.
 */
function lmstv_script_args(array $argv, array $known)
{
	$flags = array('--quiet', '--dry-run');
	$values = array();  // lmstv option => value (true for a flag); a repeated option: last wins
	$n = count($argv);
	for ($i = 0; $i < $n; $i++) {
		$arg = (string) $argv[$i];
		$pairs = array();  // (name as typed, value or null)
		if (strlen($arg) > 2 && substr($arg, 0, 2) === '--') {
			$eq = strpos($arg, '=');
			$pairs[] = $eq === false ? array(substr($arg, 2), null) : array(substr($arg, 2, $eq - 2), substr($arg, $eq + 1));
		} elseif (strlen($arg) > 1 && $arg[0] === '-' && $arg !== '--') {
			for ($j = 1; $j < strlen($arg); $j++) {
				$name = $arg[$j];
				if (isset($known[$name]) && !in_array($known[$name], $flags, true) && $j + 1 < strlen($arg)) {
					$pairs[] = array($name, ltrim(substr($arg, $j + 1), '='));
					break;
				}
				$pairs[] = array($name, null);
			}
		} else {
			return array(null, "unexpected argument '$arg'");
		}
		foreach ($pairs as $pair) {
			list($name, $value) = $pair;
			$shown = (strlen($name) == 1 ? '-' : '--') . $name;
			if (!isset($known[$name]))
				return array(null, "unknown option $shown");
			$target = $known[$name];
			if (in_array($target, $flags, true)) {
				if ($value !== null)
					return array(null, "option $shown takes no value");
				$value = true;
			} elseif ($value === null) {
				if ($i + 1 >= $n)
					return array(null, "option $shown needs a value");
				$value = (string) $argv[++$i];
			}
			unset($values[$target]);
			$values[$target] = $value;
		}
	}
	$args = array();
	foreach ($values as $target => $value) {
		$args[] = $target;
		if ($value !== true)
			$args[] = $value;
	}
	return array($args, null);
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
	$argv = isset($_SERVER['argv']) && is_array($_SERVER['argv']) ? $_SERVER['argv'] : array();
	$script = $argv ? basename((string) $argv[0]) : 'lmstv';
	$rest = array_slice($argv, 1);
	if (in_array('-h', $rest, true) || in_array('--help', $rest, true)) {
		echo $description . "\nRuns: lmstv " . implode(' ', $command) . "\nOptions:";
		foreach ($known as $opt => $target)
			echo ' ' . (strlen($opt) == 1 ? '-' : '--') . $opt;
		echo "\n";
		exit(0);
	}
	list($args, $complaint) = lmstv_script_args($rest, $known);
	if ($complaint !== null) {
		fwrite(STDERR, "$script: $complaint; nothing was run (see $script --help)\n");
		exit(2);
	}
	exit(lmstv_run(array_merge($command, $args)));
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
	// Exit 3 = done, with something for the operator already listed above (docs/billing.md).
	if ($rc == 3)
		fwrite(STDERR, "lmstv: TV lines were added; some events need attention (listed above)\n");
	elseif ($rc != 0)
		fwrite(STDERR, "lmstv: 'lmstv " . implode(' ', $args) . "' failed with exit code $rc; TV lines were not added to today's invoices — run it again by hand\n");
	return $rc;
}
