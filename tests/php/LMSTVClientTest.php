<?php
/*
 * LMSTV.class.php — the shim's bridge client — against a real bridge, a real sandbox and a real
 * migrated LMS 1.11.17 database (tests/php/stack.py): success, SMS faults reaching the operator's
 * banner verbatim, SMS down, bridge down/slow, wrong secret, validation, config reading.
 */

require_once(__DIR__ . '/bootstrap.php');

use PHPUnit\Framework\TestCase;

final class LMSTVClientTest extends TestCase
{
	const NOT_PERIOD_END = 'Usługa może zostać zaterminowana jedynie na koniec okresu rozliczeniowego';

	protected function setUp(): void
	{
		LmstvStack::reset();
		LmstvStack::client()->purgeCache();
	}

	private function expectBridgeError(callable $fn)
	{
		try {
			$fn();
		} catch (LMSTVError $e) {
			return $e;
		}
		$this->fail('the bridge call succeeded, an LMSTVError was expected');
	}

	/** An exported customer with one account and one active service (start 2025-01-10). */
	private function customerWithActiveService(LMSTV $tv)
	{
		$cid = LmstvStack::addCustomer(array('lastname' => 'Zielińska'));
		$tv->post(LMSTV::customerPath($cid, '/export'));
		$tv->post(LMSTV::customerPath($cid, '/accounts'), array('cust_i_street' => 'Polna',
			'cust_i_home_nr' => '1', 'cust_i_flat' => '', 'cust_i_postal_code' => '30-001', 'cust_i_city' => 'Kraków'));
		$page = $tv->customerTv($cid);
		$account = $page['accounts'][0];
		$package = $account['packages_available'][0]['packages'][0];
		$tv->post(LMSTV::accountPath($cid, $account['account_id'], '/subscriptions'),
			array('package_ids' => array($package['package_id']), 'start_date' => '2025/01/10', 'activate' => true));
		$page = $tv->customerTv($cid);
		$sub = $page['accounts'][0]['subscriptions'][0];
		return array($cid, $account['account_id'], $sub['subscription_id']);
	}

	public function testExportLinksTheCustomerAndTheBoxShowsIt()
	{
		$tv = LmstvStack::client();
		$cid = LmstvStack::addCustomer(array('lastname' => 'Nowak', 'name' => 'Jan'));
		$before = $tv->customerTv($cid);
		$this->assertFalse($before['customer']['linked']);

		$done = $tv->post(LMSTV::customerPath($cid, '/export'));
		$this->assertSame('created', $done['action']);
		$this->assertMatchesRegularExpression('/^\d{9}$/', $done['cust_number']);

		$after = $tv->customerTv($cid);
		$this->assertTrue($after['customer']['linked']);
		$this->assertSame($done['cust_number'], $after['customer']['tv_cust_number']);
		$rows = LmstvStack::query('SELECT tv_cust_number FROM customers WHERE id = %s', array($cid));
		$this->assertSame($done['cust_number'], $rows[0][0], 'the link is stored in LMS');
		$this->assertNotEmpty($tv->timings, 'each request is timed for the page footer');
	}

	public function testSmsBusinessFaultReachesTheBannerVerbatim()
	{
		$tv = LmstvStack::client();
		list($cid, $aid, $sid) = $this->customerWithActiveService($tv);
		$e = $this->expectBridgeError(function () use ($tv, $cid, $aid, $sid) {
			$tv->post(LMSTV::subscriptionPath($cid, $aid, $sid, '/terminate'),
				array('term_date' => '2025/01/15', 'term_fee' => '', 'term_desc' => ''));
		});
		$this->assertSame('sms_fault', $e->errorCode);
		$this->assertSame(422, $e->httpStatus);
		$this->assertIsInt($e->smsCode);
		$this->assertSame('Wystąpił błąd. ' . self::NOT_PERIOD_END, $e->getMessage());
		$this->assertStringContainsString(self::NOT_PERIOD_END, $e->bannerText());

		// the same service terminates on the month's last day: the refusal changed nothing
		$tv->post(LMSTV::subscriptionPath($cid, $aid, $sid, '/terminate'),
			array('term_date' => '2025-01-31', 'term_fee' => '', 'term_desc' => ''));
		$page = $tv->get(LMSTV::customerPath($cid, '/tv'), array('fresh' => 1));
		$this->assertSame('2025-01-31', $page['accounts'][0]['subscriptions'][0]['sub_valid_to']);
	}

	public function testInjectedSmsFaultKeepsItsPolishText()
	{
		$tv = LmstvStack::client();
		$cid = LmstvStack::addCustomer();
		$text = 'Klient zablokowany przez operatora — spróbuj później (żółć)';
		LmstvStack::control('sandbox.failNext', array(1, 'fault', 9123, $text));
		$e = $this->expectBridgeError(function () use ($tv, $cid) {
			$tv->post(LMSTV::customerPath($cid, '/export'));
		});
		$this->assertSame('sms_fault', $e->errorCode);
		$this->assertSame(9123, $e->smsCode);
		$this->assertSame('Wystąpił błąd. ' . $text, $e->getMessage());
		$rows = LmstvStack::query('SELECT tv_cust_number FROM customers WHERE id = %s', array($cid));
		$this->assertNull($rows[0][0], 'a refused export links nothing');
	}

	public function testSmsDownIsReportedAsRetryLater()
	{
		$tv = LmstvStack::client();
		$cid = LmstvStack::addCustomer();
		LmstvStack::control('sandbox.failNext', array(3, 'http502'));
		$e = $this->expectBridgeError(function () use ($tv, $cid) {
			$tv->post(LMSTV::customerPath($cid, '/export'));
		});
		$this->assertSame('sms_unavailable', $e->errorCode);
		$this->assertSame(503, $e->httpStatus);
		$this->assertStringStartsWith('Brak połączenia z SMS', $e->getMessage());
		$this->assertStringEndsWith('Spróbuj ponownie za chwilę.', $e->getMessage());
	}

	public function testBridgeDown()
	{
		$info = LmstvStack::info();
		$tv = LmstvStack::client(array('url' => 'http://127.0.0.1:' . $info['free_port']));
		$e = $this->expectBridgeError(function () use ($tv) {
			$tv->customerTv(1);
		});
		$this->assertSame('bridge_unavailable', $e->errorCode);
		$this->assertSame(0, $e->httpStatus);
		$this->assertStringStartsWith('Brak połączenia z mostkiem lmstv (http://127.0.0.1:' . $info['free_port'] . ')',
			$e->getMessage());
		$this->assertStringContainsString('bridge unreachable', $e->reason, 'English detail for the log');
	}

	public function testBridgeTooSlowHitsTheShortTimeout()
	{
		$tv = LmstvStack::client(array('timeout' => 0.5));
		$cid = LmstvStack::addCustomer();
		LmstvStack::control('sandbox.setLatency', array(2000));
		$started = microtime(true);
		$e = $this->expectBridgeError(function () use ($tv, $cid) {
			$tv->post(LMSTV::customerPath($cid, '/export'));
		});
		$this->assertSame('bridge_timeout', $e->errorCode);
		$this->assertSame('Mostek lmstv nie odpowiedział w ciągu 0.5 s. Spróbuj ponownie za chwilę.', $e->getMessage());
		$this->assertLessThan(5.0, microtime(true) - $started, 'the request was cut at its timeout');
	}

	public function testWrongSecretIsRefusedAndChangesNothing()
	{
		$tv = LmstvStack::client(array('secret' => 'not-the-secret-0000000000000'));
		$cid = LmstvStack::addCustomer();
		$e = $this->expectBridgeError(function () use ($tv, $cid) {
			$tv->post(LMSTV::customerPath($cid, '/export'));
		});
		$this->assertSame('unauthorized', $e->errorCode);
		$this->assertSame(401, $e->httpStatus);
		$this->assertStringContainsString('odrzucił sekret', $e->getMessage());
		$this->assertSame(array(), LmstvStack::control('sandbox.getCalls', array()), 'nothing reached SMS');
		$rows = LmstvStack::query('SELECT tv_cust_number FROM customers WHERE id = %s', array($cid));
		$this->assertNull($rows[0][0]);
	}

	public function testZeroOrNegativeTimeoutsFallBackToTheDefaults()
	{
		foreach (array(array('timeout' => '0', 'connect_timeout' => '-1'), array('timeout' => 'x')) as $cfg) {
			$tv = new LMSTV($cfg + array('secret' => 'x'), 'phpunit');
			$timeout = new ReflectionProperty('LMSTV', 'timeout');
			$timeout->setAccessible(true);
			$connect = new ReflectionProperty('LMSTV', 'connectTimeout');
			$connect->setAccessible(true);
			$this->assertSame(15.0, $timeout->getValue($tv), 'a zero timeout must not mean "wait forever"');
			$this->assertSame(2.0, $connect->getValue($tv));
		}
		$tv = new LMSTV(array('timeout' => '2.5', 'connect_timeout' => '1'), 'phpunit');
		$timeout = new ReflectionProperty('LMSTV', 'timeout');
		$timeout->setAccessible(true);
		$this->assertSame(2.5, $timeout->getValue($tv));
	}

	public function testTalksToTheBridgeOverAUnixSocket()
	{
		$info = LmstvStack::info();
		$sock = sys_get_temp_dir() . '/lmstv-phpunit-' . getmypid() . '.sock';
		@unlink($sock);
		$cmd = 'exec ' . escapeshellarg($info['python']) . ' -m bridge --config ' . escapeshellarg($info['config'])
			. ' serve --bind ' . escapeshellarg('unix:' . $sock);
		$proc = proc_open($cmd, array(0 => array('file', '/dev/null', 'r'), 1 => array('file', '/dev/null', 'w'),
			2 => array('file', '/dev/null', 'w')), $pipes, dirname(dirname(__DIR__)));
		try {
			for ($i = 0; $i < 300 && !file_exists($sock); $i++)
				usleep(50000);
			$this->assertFileExists($sock, 'lmstv serve did not create its unix socket');
			$tv = new LMSTV(array('bind' => 'unix:' . $sock, 'secret' => $info['secret']), 'phpunit');
			$cid = LmstvStack::addCustomer(array('lastname' => 'Gniazdowska'));
			$page = $tv->customerTv($cid);
			$this->assertSame('Gniazdowska', $page['customer']['lastname']);
			$this->assertFalse($page['customer']['linked']);
		} finally {
			proc_terminate($proc);
			proc_close($proc);
			@unlink($sock);
		}
	}

	public function testValidationErrorNamesTheFieldInPolish()
	{
		$tv = LmstvStack::client();
		$cid = LmstvStack::addCustomer();
		$tv->post(LMSTV::customerPath($cid, '/export'));
		$e = $this->expectBridgeError(function () use ($tv, $cid) {
			$tv->put(LMSTV::customerPath($cid, '/pins'), array('cust_vod_pin' => '12a4', 'cust_master_pin' => '5678'));
		});
		$this->assertSame('validation_error', $e->errorCode);
		$this->assertSame(400, $e->httpStatus);
		$this->assertArrayHasKey('cust_vod_pin', $e->fields);
		$this->assertStringStartsWith('Niepoprawne dane.', $e->bannerText());
		$this->assertStringContainsString($e->fields['cust_vod_pin'], $e->bannerText());
	}

	public function testUnknownCustomerIsNotFound()
	{
		$e = $this->expectBridgeError(function () {
			LmstvStack::client()->customerTv(987654);
		});
		$this->assertSame('not_found', $e->errorCode);
		$this->assertSame(404, $e->httpStatus);
	}

	public function testConfigFromLmstvIniReachesTheBridge()
	{
		$info = LmstvStack::info();
		putenv('LMSTV_CONFIG=' . $info['config']);
		try {
			$cfg = LMSTV::loadConfig();
		} finally {
			putenv('LMSTV_CONFIG');
		}
		$this->assertSame($info['config'], $cfg['source']);
		$this->assertSame($info['secret'], $cfg['secret']);
		$tv = new LMSTV($cfg, 'phpunit');
		$this->assertSame(array('message' => 'Dane odświeżone.'), $tv->purgeCache());
	}

	public function testShimFileIsPreferredAndNeedsNoSmsPassword()
	{
		// The split layout: the web server reads only lmstv-shim.ini (no [logowanie] in it), even
		// where lmstv.ini is readable too.
		$info = LmstvStack::info();
		$shim = tempnam(sys_get_temp_dir(), 'lmstv-shim');
		file_put_contents($shim, "[bridge]\nbind = " . parse_url($info['bridge_url'], PHP_URL_HOST) . ':'
			. parse_url($info['bridge_url'], PHP_URL_PORT) . "\nsecret = " . $info['secret']
			. "\n\n[shim]\ntimeout = 10\nsms_web_url = https://sms.example.test/test/\n");
		putenv('LMSTV_SHIM_CONFIG=' . $shim);
		putenv('LMSTV_CONFIG=' . $info['config']);
		try {
			$cfg = LMSTV::loadConfig();
		} finally {
			putenv('LMSTV_SHIM_CONFIG');
			putenv('LMSTV_CONFIG');
			unlink($shim);
		}
		$this->assertSame($shim, $cfg['source']);
		$this->assertSame($info['secret'], $cfg['secret']);
		$this->assertSame('https://sms.example.test/test/', $cfg['sms_web_url']);
		$tv = new LMSTV($cfg, 'phpunit');
		$this->assertSame(array('message' => 'Dane odświeżone.'), $tv->purgeCache());
	}

	public function testMissingConfigGivesAPolishHintOnFirstUse()
	{
		putenv('LMSTV_CONFIG=/nonexistent/lmstv.ini');
		try {
			$tv = LMSTV::forLms((object) array('login' => 'admin'));
		} finally {
			putenv('LMSTV_CONFIG');
		}
		if (is_readable('/etc/lms/lmstv.ini'))
			$this->markTestSkipped('/etc/lms/lmstv.ini exists on this machine');
		$e = $this->expectBridgeError(function () use ($tv) {
			$tv->customerTv(1);
		});
		$this->assertSame('config', $e->errorCode);
		$this->assertStringContainsString('Brak pliku konfiguracji lmstv.ini', $e->getMessage());
	}
}
