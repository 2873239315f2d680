<?php
/*
 * Test harness for the current-LMS plugin (php-plugin/LMSTVPlugin): gives its hook handlers and
 * modules what LMS 28's index.php gives them — LMS's real AccessRights/Permission classes and its
 * extendsall template resource (from the LMS 28 tarball, extracted by the test), Smarty, $SESSION,
 * $AUTH, $layout, privileges derived from the user's rights as LMS derives them — and prints JSON:
 * the page HTML, any redirect, PHP warnings/notices, the session, the menu LMS would show, and
 * the quick search hook's answer.
 * Usage: php harness28.php SPEC.json   (spec: run = menu|customerinfo|customeredit|quicksearch|module,
 *        module, method, get, post, rights, bridge, session, vars, lms28_dir, compile_dir)
 */

$spec = json_decode(file_get_contents($argv[1]), true);
$ROOT = dirname(dirname(__DIR__));
$PLUGIN = $ROOT . '/php-plugin/LMSTVPlugin';
$problems = array();
set_error_handler(function ($no, $str, $file, $line) use (&$problems) {
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
	public function save($k, $v, $tab = false) { $this->data[$k] = $v; }
	public function get($k, $tab = false) { return isset($this->data[$k]) ? $this->data[$k] : null; }
	public function remove($k, $tab = false) { unset($this->data[$k]); }
	public function redirect($location) { throw new HarnessRedirect($location); }
	public function close() {}
}

/** LMS 28's ConfigHelper privilege checks over the [privileges] section UserRightsConfigParser builds. */
class ConfigHelper
{
	public static $privileges = array();
	public static function checkPrivilege($p, $checkIfSuperUser = true)
	{
		if ($checkIfSuperUser && in_array('superuser', self::$privileges, true))
			return !preg_match('/^hide_/', $p);
		return in_array($p, self::$privileges, true);
	}
	public static function checkConfig($k) { return false; }
	public static function getConfig($k, $d = null) { return $d; }
}

/** LMS's plugin base class without its observer plumbing: registerHandlers() and the handler table. */
abstract class LMSPlugin
{
	protected $handlers;
	public function __construct() { $this->registerHandlers(); }
	abstract public function registerHandlers();
	public function handlers() { return $this->handlers; }
	public static function insertDefaultTemplateDir(Smarty $smarty)
	{
		$reflector = new ReflectionClass(static::class);
		$dirs = $smarty->getTemplateDir();
		array_unshift($dirs, dirname($reflector->getFileName()) . DIRECTORY_SEPARATOR . 'templates');
		$smarty->setTemplateDir($dirs);
	}
}

require_once($spec['lms28_dir'] . '/lib/LMSPermissions/Permission.class.php');
require_once($spec['lms28_dir'] . '/lib/LMSPermissions/AccessRights.class.php');
require_once('/usr/share/php/smarty3/Smarty.class.php');
require_once($spec['lms28_dir'] . '/lib/SmartyPlugins/resource.extendsall.php');
require_once($PLUGIN . '/LMSTVPlugin.php');

// index.php: lib/accesstable.php's permissions (two of them are enough here), then the hook
$access = AccessRights::getInstance();
$access->appendPermission(new Permission('full_access', 'full access', '^.*$', null, Permission::MENU_ALL));
$access->appendPermission(new Permission('read_only', 'read only', '^(([a-z]+(list|info|view|search|balance|infoshort))|number)$',
	null, array('customers' => array('customerlist'))));
$plugin = new LMSTVPlugin();
$handlers = $plugin->handlers();
function hook($name, $data)
{
	global $handlers;
	if (!isset($handlers[$name]))
		return $data;
	$class = $handlers[$name]['class'];
	$method = $handlers[$name]['method'];
	$h = new $class();
	return $h->$method($data);
}

$_SERVER['REQUEST_METHOD'] = $spec['method'];
$_SERVER['QUERY_STRING'] = http_build_query($spec['get']);
parse_str(http_build_query($spec['get']), $_GET);
parse_str(http_build_query($spec['post']), $_POST);
$SESSION = new HarnessSession($spec['session']);
$AUTH = (object) array('id' => 1, 'login' => 'tester');
$LMS = null;
$layout = array('module' => $spec['module']);

$menu = hook('menu_initialized', array('customers' => array('name' => 'Klienci', 'submenu' => array('customerlist' => array('name' => 'Lista')))));
$modules_dirs = hook('modules_dir_initialized', array($spec['lms28_dir'] . '/modules'));
hook('lms_initialized', $LMS);
$SMARTY = new Smarty();
$SMARTY->registerResource('extendsall', new Smarty_Resource_Extendsall());
$SMARTY->setDefaultResourceType('extendsall');
$SMARTY->setTemplateDir(array(__DIR__ . '/stubs28'));
$SMARTY->setCompileDir($spec['compile_dir']);
$SMARTY->registerClass('ConfigHelper', 'ConfigHelper');
$SMARTY->assignByRef('layout', $layout);
hook('smarty_initialized', $SMARTY);
hook('access_table_initialized', null);
// LMSConfig's user rights: full_access means superuser; each right that is a permission a privilege
ConfigHelper::$privileges = array();
foreach ($spec['rights'] as $right) {
	if ($right === 'full_access')
		ConfigHelper::$privileges[] = 'superuser';
	if ($access->checkPrivilege($right))
		ConfigHelper::$privileges[] = $right;
}
LMSTV::setInstance(new LMSTV($spec['bridge'], 'tester'), $SESSION);
$allowed = array();
foreach ($spec['check_modules'] as $m)
	$allowed[$m] = $access->checkRights($m, $spec['rights']);
$access->applyMenuPermissions($menu, $spec['rights']);
foreach ($spec['vars'] as $k => $v)
	$$k = $v;

$redirect = null;
$hook_result = null;
register_shutdown_function(function () use (&$redirect, &$hook_result, &$problems, &$menu, &$allowed) {
	global $SESSION;
	$html = ob_get_clean();
	restore_error_handler();
	echo json_encode(array('html' => $html, 'redirect' => $redirect, 'problems' => $problems,
		'session' => $SESSION->data, 'status' => http_response_code(), 'menu' => $menu,
		'allowed' => $allowed, 'hook' => $hook_result));
});
ob_start();
try {
	if ($spec['run'] === 'customerinfo' || $spec['run'] === 'customeredit') {
		$SMARTY->assign('customerinfo', $spec['vars']['customerinfo']);
		$hook_result = hook($spec['run'] . '_before_display', array('customerinfo' => $spec['vars']['customerinfo'], 'smarty' => $SMARTY));
		$hook_result = array_keys($hook_result);
		$SMARTY->display('customer/' . $spec['run'] . '.html');
	} elseif ($spec['run'] === 'quicksearch') {
		$hook_result = hook('quicksearch_after_submit', array('mode' => $spec['vars']['mode'],
			'search' => $spec['vars']['search'], 'sql_search' => '', 'session' => $SESSION, 'target' => ''));
		unset($hook_result['session']);
	} elseif ($spec['run'] === 'quicksearchcontents') {
		$SMARTY->display('quicksearchcontents.html');
	} elseif ($spec['run'] === 'module') {
		$module_dir = null;
		foreach ($modules_dirs as $d)
			if (file_exists($d . '/' . $spec['module'] . '.php')) {
				$module_dir = $d;
				break;
			}
		if ($module_dir === null)
			echo 'notfound';
		elseif (!$access->checkRights($spec['module'], $spec['rights']))
			$SMARTY->display('noaccess.html');
		else
			include($module_dir . '/' . $spec['module'] . '.php');
	}
} catch (HarnessRedirect $r) {
	$redirect = $r->getMessage();
}
