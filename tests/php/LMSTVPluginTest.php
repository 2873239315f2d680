<?php
/*
 * The current-LMS plugin's hook handlers (php-plugin/LMSTVPlugin/lib) on LMS 28's own
 * AccessRights and Permission classes (read from the LMS 28 tarball), and its quick search
 * handler against a real bridge and sandbox (bootstrap.php's stack).
 */

use PHPUnit\Framework\TestCase;

require_once(__DIR__ . '/bootstrap.php');

if (!class_exists('LMSPlugin')) {
	/** LMS's plugin base class without its observer plumbing. */
	abstract class LMSPlugin
	{
		protected $handlers;
		public function __construct() { $this->registerHandlers(); }
		abstract public function registerHandlers();
		public function handlers() { return $this->handlers; }
	}
}
if (!class_exists('ConfigHelper')) {
	class ConfigHelper
	{
		public static $privileges = array();
		public static function checkPrivilege($p) { return in_array($p, self::$privileges, true); }
	}
}

final class LMSTVPluginTest extends TestCase
{
	public static function setUpBeforeClass(): void
	{
		$tarball = dirname(__DIR__, 3) . '/shared/lms-src/lms-28-git-d85aeab5.tar.gz';
		if (!class_exists('AccessRights')) {
			$phar = new PharData($tarball);
			foreach (array('Permission', 'AccessRights') as $class) {
				$code = file_get_contents($phar['lms-28-git/lib/LMSPermissions/' . $class . '.class.php']->getPathname());
				$file = tempnam(sys_get_temp_dir(), 'lms28');
				file_put_contents($file, $code);
				require_once($file);
				unlink($file);
			}
		}
		require_once(dirname(__DIR__, 2) . '/php-plugin/LMSTVPlugin/LMSTVPlugin.php');
	}

	public function testPluginRegistersEveryHookWithExistingHandlers(): void
	{
		$plugin = new LMSTVPlugin();
		$handlers = $plugin->handlers();
		foreach (array('menu_initialized', 'modules_dir_initialized', 'smarty_initialized', 'access_table_initialized',
			'customerinfo_before_display', 'customeredit_before_display', 'quicksearch_after_submit') as $hook)
			$this->assertArrayHasKey($hook, $handlers);
		foreach ($handlers as $h)
			$this->assertTrue(method_exists($h['class'], $h['method']), $h['class'] . '::' . $h['method']);
		$this->assertSame('tv_full', LMSTV::$rightFull);
		$this->assertSame('tv_readonly', LMSTV::$rightRead);
	}

	public function testRightsAndMenuAsLmsAppliesThem(): void
	{
		$access = AccessRights::getInstance();
		(new LMSTVPluginAccessHandler())->accessTableInitialized();
		(new LMSTVPluginAccessHandler())->accessTableInitialized();  // twice: no duplicate
		$this->assertTrue($access->checkRights('tvmessagessend', array('tv_full')));
		$this->assertTrue($access->checkRights('tvcustomers', array('tv_readonly')));
		$this->assertTrue($access->checkRights('tvstblist', array('tv_readonly')));
		$this->assertFalse($access->checkRights('tvmessagessend', array('tv_readonly')));
		$this->assertFalse($access->checkRights('tvstbadd', array('tv_readonly')));
		$this->assertFalse($access->checkRights('customerlist', array('tv_full')));

		$menu = (new LMSTVPluginMenuHandler())->menuInitialized(array());
		$this->assertSame('lms-ui-icon-tv', $menu['tv']['css']);
		$this->assertSame('?m=tvcustomers', $menu['tv']['submenu']['tvcustomers']['link']);
		$ro = $menu;
		$access->applyMenuPermissions($ro, array('tv_readonly'));
		$this->assertArrayHasKey('tvpackageslist', $ro['tv']['submenu']);
		$this->assertArrayNotHasKey('tvmessagessend', $ro['tv']['submenu']);
		$none = $menu;
		$access->applyMenuPermissions($none, array());
		$this->assertArrayNotHasKey('tv', $none);
	}

	public function testQuickSearchSuggestionsComeFromTheBridgeEscaped(): void
	{
		LmstvStack::reset();
		LMSTV::setInstance(LmstvStack::client());
		ConfigHelper::$privileges = array('tv_readonly');
		require_once(LMSTVPlugin::shimDir() . '/lib/lmstv.stbsearch.php');
		// nothing issued yet: no rows; a search of one character asks nothing
		$this->assertSame(array(), LMSTVPluginQuickSearchHandler::suggestions('00:1A'));
		$this->assertSame(array(), LMSTVPluginQuickSearchHandler::suggestions('0'));
		ConfigHelper::$privileges = array();
		$this->assertSame(array(), LMSTVPluginQuickSearchHandler::suggestions('00:1A'));
		// other modes pass through untouched
		$data = array('mode' => 'customer', 'search' => 'x', 'target' => '');
		$this->assertSame($data, (new LMSTVPluginQuickSearchHandler())->quickSearchAfterSubmit($data));
	}
}
