<?php
/*
 * Test harness giving a shim module LMS 1.11.17's globals ($SMARTY as real Smarty 3, $SESSION,
 * $AUTH, $layout, ConfigHelper privileges, MODULES_DIR) and printing JSON: the page HTML, any
 * redirect, the PHP warnings/notices raised, and the session afterwards.
 * Usage: php harness.php SPEC.json   (spec: module, method, get, post, privileges, bridge, session, vars,
 *        module_file: run this file instead of the shim module named module)
 */

$spec = json_decode(file_get_contents($argv[1]), true);
$ROOT = dirname(dirname(__DIR__));
$SHIM = $ROOT . '/php-shim';
$problems = array();
set_error_handler(function ($no, $str, $file, $line) use (&$problems) {
	// Smarty 3.1's own PHP 8.2 deprecations are Debian's package's business, not the shim's.
	if ($no === E_DEPRECATED && (strpos($file, '/smarty3/') !== false || strpos($str, 'Smarty_') !== false))
		return true;
	$problems[] = "$str at $file:$line";
	return true;
});

class HarnessRedirect extends Exception {}

class HarnessSession
{
	public $data;
	public function __construct($data) { $this->data = $data; }
	public function save($k, $v) { $this->data[$k] = $v; }
	public function get($k) { return isset($this->data[$k]) ? $this->data[$k] : null; }
	public function remove($k) { unset($this->data[$k]); }
	public function is_set($k) { return isset($this->data[$k]); }
	public function redirect($location) { throw new HarnessRedirect($location); }
	public function close() {}
}

class ConfigHelper
{
	public static $privileges = array();
	public static function checkPrivilege($p) { return in_array($p, self::$privileges, true) || in_array('superuser', self::$privileges, true); }
	public static function checkConfig($k) { return false; }
	public static function getConfig($k, $d = null) { return $d; }
}

define('MODULES_DIR', $SHIM . '/modules');
define('SYS_DIR', sys_get_temp_dir());
require_once('/usr/share/php/smarty3/Smarty.class.php');
require_once($SHIM . '/lib/LMSTV.class.php');

ConfigHelper::$privileges = $spec['privileges'];
$_SERVER['REQUEST_METHOD'] = $spec['method'];
$_SERVER['QUERY_STRING'] = http_build_query($spec['get']);
// Through PHP's own form decoding, so 'pkglist[5]' becomes a nested array as in a real request.
parse_str(http_build_query($spec['get']), $_GET);
parse_str(http_build_query($spec['post']), $_POST);
$SESSION = new HarnessSession($spec['session']);
$AUTH = (object) array('id' => 1, 'login' => 'tester');
$layout = array('module' => $spec['module']);

$SMARTY = new Smarty();
$SMARTY->setTemplateDir(array(__DIR__ . '/stubs', $SHIM . '/templates/default', $SHIM . '/templates'));
$SMARTY->setCompileDir($spec['compile_dir']);
$SMARTY->assignByRef('layout', $layout);
LMSTV::setInstance(new LMSTV($spec['bridge'], 'tester'), $SESSION);
foreach ($spec['vars'] as $k => $v)
	$$k = $v;

$redirect = null;
ob_start();
try {
	if ($spec['module'] === 'customerinfo' || $spec['module'] === 'customeredit') {
		include(MODULES_DIR . '/customer.tv.inc.php');
		$SMARTY->assign('customerinfo', $spec['vars']['customerinfo']);
		$SMARTY->display('customerpage.html');
	} elseif (!empty($spec['module_file'])) {
		// an LMS module after the shim's edit (e.g. quicksearch.php), written by the test
		include($spec['module_file']);
	} else {
		include(MODULES_DIR . '/' . $spec['module'] . '.php');
	}
} catch (HarnessRedirect $r) {
	$redirect = $r->getMessage();
}
$html = ob_get_clean();
restore_error_handler();
echo json_encode(array('html' => $html, 'redirect' => $redirect, 'problems' => $problems,
	'session' => $SESSION->data, 'status' => http_response_code()));
