<?php
/*
 * PHPUnit bootstrap for the shim's client tests: starts tests/php/stack.py (a fresh migrated LMS
 * 1.11.17 database, a real `lmstv sandbox` and a real `lmstv serve` on free ports) once per run and
 * tears it down (database dropped) when PHP exits. Each *Test.php requires this file, because
 * lmstv.sh runs `phpunit tests/php` from the repository root without a configuration file.
 *
 * Env: LMSTV_PYTHON (the venv's python; default .venv/bin/python, else python3),
 *      LMSTV_PHP_DIALECT (postgres | mysql; default postgres), LMSTV_TEST_PG / LMSTV_TEST_MYSQL.
 */

require_once(dirname(dirname(__DIR__)) . '/php-shim/lib/LMSTV.class.php');

final class LmstvStack
{
	/** @var array|null bridge_url, sandbox_url, secret, config, dialect, database, python, free_port */
	private static $info = null;
	private static $proc = null;
	private static $pipes = array();

	public static function info()
	{
		if (self::$info === null)
			self::start();
		return self::$info;
	}

	private static function start()
	{
		$root = dirname(dirname(__DIR__));
		$python = getenv('LMSTV_PYTHON');
		if (!$python)
			$python = is_executable($root . '/.venv/bin/python') ? $root . '/.venv/bin/python' : 'python3';
		$cmd = escapeshellarg($python) . ' ' . escapeshellarg(__DIR__ . '/stack.py');
		self::$proc = proc_open($cmd, array(0 => array('pipe', 'r'), 1 => array('pipe', 'w'), 2 => STDERR),
			self::$pipes, $root);
		if (!is_resource(self::$proc))
			throw new RuntimeException("cannot start $cmd");
		register_shutdown_function(array('LmstvStack', 'stop'));
		$line = fgets(self::$pipes[1]);
		$info = $line === false ? null : json_decode($line, true);
		if (!is_array($info) || empty($info['bridge_url']))
			throw new RuntimeException('tests/php/stack.py did not start (see stderr above); got: ' . var_export($line, true));
		self::$info = $info;
	}

	/** One request to stack.py (control / add_customer / query); returns its result. */
	public static function call(array $request)
	{
		self::info();
		fwrite(self::$pipes[0], json_encode($request) . "\n");
		fflush(self::$pipes[0]);
		$answer = json_decode((string) fgets(self::$pipes[1]), true);
		if (!is_array($answer) || empty($answer['ok']))
			throw new RuntimeException('stack.py refused ' . json_encode($request) . ': '
				. (is_array($answer) && isset($answer['error']) ? $answer['error'] : 'no answer'));
		return $answer['result'];
	}

	public static function control($method, array $args = array())
	{
		return self::call(array('op' => 'control', 'method' => $method, 'args' => $args));
	}

	public static function reset()
	{
		return self::call(array('op' => 'reset'));
	}

	public static function addCustomer(array $fields = array())
	{
		return (int) self::call(array('op' => 'add_customer', 'fields' => (object) $fields));
	}

	public static function query($sql, array $args = array())
	{
		return self::call(array('op' => 'query', 'sql' => $sql, 'args' => $args));
	}

	/** A client as the shim builds it for an LMS user, with optional overrides. */
	public static function client(array $override = array(), $user = 'phpunit')
	{
		$info = self::info();
		return new LMSTV(array_merge(array('url' => $info['bridge_url'], 'secret' => $info['secret'],
			'timeout' => 10), $override), $user);
	}

	public static function stop()
	{
		if (self::$proc === null)
			return;
		fclose(self::$pipes[0]);  // stack.py tears down on EOF
		stream_get_contents(self::$pipes[1]);
		fclose(self::$pipes[1]);
		proc_close(self::$proc);
		self::$proc = null;
	}
}
