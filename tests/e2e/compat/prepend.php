<?php
// PHP 8.2 compatibility layer for the unmodified LMS 1.11.17 the e2e tests run (auto_prepend_file).
// Test scaffolding only: never part of php-shim/.

if (!function_exists('each')) {
	function each(&$array)
	{
		$key = key($array);
		if ($key === null)
			return false;
		$value = current($array);
		next($array);
		return array(1 => $value, 'value' => $value, 0 => $key, 'key' => $key);
	}
}
if (!function_exists('create_function')) {
	function create_function($args, $code)
	{
		return eval('return function(' . $args . ') {' . $code . '};');
	}
}
foreach (array('get_magic_quotes_gpc', 'get_magic_quotes_runtime') as $fn)
	if (!function_exists($fn))
		eval('function ' . $fn . '() { return false; }');
if (!function_exists('set_magic_quotes_runtime')) {
	function set_magic_quotes_runtime($v) { return false; }
}
// lib/locale/*/fortunes.php writes $layout[fortune] (a bare word, fatal in PHP 8).
if (!defined('fortune'))
	define('fortune', 'fortune');
// LMSDB_driver_postgres closes an already closed link on the way out; PHP 8 throws there.
set_exception_handler(function ($e) {
	if ($e instanceof Error && strpos($e->getMessage(), 'already been closed') !== false)
		return;
	error_log('PHP Fatal error:  Uncaught ' . get_class($e) . ': ' . $e->getMessage()
		. ' in ' . $e->getFile() . ':' . $e->getLine());
	http_response_code(500);
	echo 'Uncaught ' . htmlspecialchars(get_class($e) . ': ' . $e->getMessage());
});
// ...and, an Error inside a shutdown function being fatal all the same, it turned every short
// answer still in the buffer (the JSON of ?m=tvquicksearch) into a 500. Registered first, this
// runs before LMS's teardown: the answer goes out with its own status before that fatal.
register_shutdown_function(function () {
	while (ob_get_level() > 0)
		ob_end_flush();
	flush();
});
