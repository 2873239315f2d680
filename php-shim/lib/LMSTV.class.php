<?php

/*
 * lmstv — JAMBOX IPTV for LMS 1.11.17: the PHP side's only way to TV data.
 *
 * Every TV screen and action is one JSON request to the lmstv bridge (docs/api.md), over
 * HTTP on the loopback or a unix socket, with the shared secret and the acting LMS user's login.
 * Bridge errors become LMSTVError, whose getMessage() is the Polish text for LMS's red banner.
 * No XML-RPC, no TV SQL and no business rule live here.
 *
 * Kept to PHP 7.0 syntax: LMS 1.11.17 installations run old PHP.
 */

class LMSTVError extends Exception
{
	/** @var string bridge error code (validation_error, sms_fault, …) or transport/config */
	public $errorCode;
	/** @var int HTTP status, 0 when the bridge was not reached */
	public $httpStatus;
	/** @var array field => Polish message */
	public $fields;
	/** @var int|null SMS faultCode */
	public $smsCode;
	/** @var string|null English detail for the log */
	public $reason;

	public function __construct($message, $errorCode, $httpStatus = 0, $fields = array(), $smsCode = null, $reason = null)
	{
		parent::__construct($message);
		$this->errorCode = $errorCode;
		$this->httpStatus = $httpStatus;
		$this->fields = is_array($fields) ? $fields : array();
		$this->smsCode = $smsCode;
		$this->reason = $reason;
	}

	/** The banner text: the message plus each field's complaint. */
	public function bannerText()
	{
		$text = $this->getMessage();
		if ($this->fields) {
			$parts = array();
			foreach ($this->fields as $field => $msg)
				$parts[] = is_string($msg) ? $msg : json_encode($msg);
			$text .= ' ' . implode(' ', array_unique($parts));
		}
		return $text;
	}
}

class LMSTV
{
	const API = '/api/v1';
	const CSRF_KEY = 'lmstv_csrf';
	const NOTICE_KEY = 'lmstv_notice';

	private $baseUrl;
	private $socket;
	private $secret;
	private $user;
	private $timeout;
	private $connectTimeout;
	private $smsWebUrl;
	private $maxResponse;
	/** @var array seconds per request, for the page-time footer and benchmarks */
	public $timings = array();
	/** @var array "meta" of the last successful response (paging and totals of list endpoints) */
	public $lastMeta = array();

	/** @var LMSTV|null set by index.php (or tests) */
	private static $instance = null;
	private static $session = null;

	public function __construct(array $config, $user)
	{
		$bind = isset($config['bind']) && $config['bind'] !== '' ? $config['bind'] : '127.0.0.1:8765';
		if (!empty($config['url'])) {
			$this->baseUrl = rtrim($config['url'], '/');
			$this->socket = null;
		} elseif (strpos($bind, 'unix:') === 0) {
			$this->baseUrl = 'http://localhost';
			$this->socket = substr($bind, 5);
		} else {
			$this->baseUrl = 'http://' . $bind;
			$this->socket = null;
		}
		$this->secret = isset($config['secret']) ? (string) $config['secret'] : '';
		$this->user = (string) $user;
		// 0 or a negative value would make curl wait forever: fall back to the defaults.
		$this->timeout = isset($config['timeout']) && is_numeric($config['timeout']) && $config['timeout'] > 0
			? (float) $config['timeout'] : 15.0;
		$this->connectTimeout = isset($config['connect_timeout']) && is_numeric($config['connect_timeout'])
			&& $config['connect_timeout'] > 0 ? (float) $config['connect_timeout'] : 2.0;
		$this->smsWebUrl = isset($config['sms_web_url']) ? $config['sms_web_url'] : '';
		$this->maxResponse = (int) (1048576 * (isset($config['max_response_mb']) && is_numeric($config['max_response_mb'])
			&& $config['max_response_mb'] > 0 ? (float) $config['max_response_mb'] : 32.0));
	}

	// ---------------------------------------------------------------- configuration

	/**
	 * Where the shim's settings are looked for. First lmstv-shim.ini ($LMSTV_SHIM_CONFIG, LMS's root,
	 * /etc/lms): the part of the configuration the web server may read (bridge address, secret,
	 * timeouts), while lmstv.ini with the SMS password stays readable by the bridge only. Then
	 * lmstv.ini itself ($LMSTV_CONFIG, LMS's root as the manual says, /etc/lms) for installations
	 * that still keep one file.
	 */
	public static function configCandidates()
	{
		$out = array();
		$sep = DIRECTORY_SEPARATOR;
		foreach (array(array('LMSTV_SHIM_CONFIG', 'lmstv-shim.ini'), array('LMSTV_CONFIG', 'lmstv.ini')) as $pair) {
			$env = getenv($pair[0]);
			if ($env)
				$out[] = $env;
			if (defined('SYS_DIR'))
				$out[] = SYS_DIR . $sep . $pair[1];
			$out[] = $sep . 'etc' . $sep . 'lms' . $sep . $pair[1];
		}
		return $out;
	}

	/**
	 * Reads the vendor-style ini: a value ends at its first ';' unless quoted (same rule as the
	 * bridge's Python reader), so both sides always agree on the secret.
	 */
	public static function parseIni($path)
	{
		$lines = @file($path, FILE_IGNORE_NEW_LINES);
		if ($lines === false)
			return null;
		$out = array();
		$section = '';
		foreach ($lines as $line) {
			$line = trim($line);
			if ($line === '' || $line[0] === ';' || $line[0] === '#')
				continue;
			if ($line[0] === '[' && substr($line, -1) === ']') {
				$section = strtolower(trim(substr($line, 1, -1)));
				continue;
			}
			$eq = strpos($line, '=');
			if ($eq === false)
				continue;
			$key = strtolower(trim(substr($line, 0, $eq)));
			$out[$section][$key] = self::cleanValue(substr($line, $eq + 1));
		}
		return $out;
	}

	public static function cleanValue($raw)
	{
		$raw = trim($raw);
		$n = strlen($raw);
		if ($n >= 2 && $raw[0] === $raw[$n - 1] && ($raw[0] === '"' || $raw[0] === "'"))
			return substr($raw, 1, -1);
		$semi = strpos($raw, ';');
		if ($semi !== false)
			$raw = rtrim(substr($raw, 0, $semi));
		$n = strlen($raw);
		if ($n >= 2 && $raw[0] === $raw[$n - 1] && ($raw[0] === '"' || $raw[0] === "'"))
			return substr($raw, 1, -1);
		return $raw;
	}

	/** Bridge settings from the first readable lmstv-shim.ini or lmstv.ini; LMSTVError if none. */
	public static function loadConfig()
	{
		foreach (self::configCandidates() as $path) {
			if (!is_readable($path))
				continue;
			$ini = self::parseIni($path);
			if ($ini === null)
				continue;
			$bridge = isset($ini['bridge']) ? $ini['bridge'] : array();
			$shim = isset($ini['shim']) ? $ini['shim'] : array();
			$sms = isset($ini['logowanie']['serwer']) ? $ini['logowanie']['serwer'] : '';
			return array(
				'bind' => isset($bridge['bind']) ? $bridge['bind'] : '',
				'secret' => isset($bridge['secret']) ? $bridge['secret'] : '',
				'url' => isset($shim['bridge_url']) ? $shim['bridge_url'] : '',
				'timeout' => isset($shim['timeout']) ? $shim['timeout'] : null,
				'connect_timeout' => isset($shim['connect_timeout']) ? $shim['connect_timeout'] : null,
				'max_response_mb' => isset($shim['max_response_mb']) ? $shim['max_response_mb'] : null,
				// lmstv-shim.ini has no [logowanie]: there the SMS web address is [shim] sms_web_url
				'sms_web_url' => isset($shim['sms_web_url']) ? $shim['sms_web_url'] : preg_replace('/xmlrpc$/', '', $sms),
				'source' => $path,
			);
		}
		throw new LMSTVError('Brak pliku konfiguracji lmstv.ini ani lmstv-shim.ini (szukano: '
			. implode(', ', self::configCandidates()) . '). Utwórz /etc/lms/lmstv-shim.ini z sekcją [bridge] (bind, secret), czytelny dla serwera WWW.',
			'config');
	}

	/** The client for this LMS request (index.php). Never fails: config errors surface on first use. */
	public static function forLms($auth, $session = null)
	{
		self::$session = $session;
		$login = is_object($auth) && isset($auth->login) ? $auth->login : 'unknown';
		try {
			self::$instance = new LMSTV(self::loadConfig(), $login);
		} catch (LMSTVError $e) {
			self::$instance = new LMSTVBroken($e, $login);
		}
		return self::$instance;
	}

	public static function instance()
	{
		if (self::$instance === null) {
			global $AUTH, $SESSION;
			self::forLms(isset($AUTH) ? $AUTH : null, isset($SESSION) ? $SESSION : null);
		}
		return self::$instance;
	}

	public static function setInstance($client, $session = null)
	{
		self::$instance = $client;
		self::$session = $session;
	}

	public function smsWebUrl()
	{
		return $this->smsWebUrl;
	}

	// ---------------------------------------------------------------- transport

	/**
	 * One bridge request; returns the response's "data". $query goes into the URL, $body (array
	 * or null) is sent as JSON.
	 */
	public function request($method, $path, array $query = array(), $body = null)
	{
		$query = array_filter($query, function ($v) { return $v !== null && $v !== ''; });
		$url = $this->baseUrl . self::API . $path . ($query ? '?' . http_build_query($query) : '');
		if (strpos($path, '/health/') === 0)
			$url = $this->baseUrl . $path;
		$headers = array(
			'Accept: application/json',
			'X-LMSTV-Secret: ' . $this->secret,
			'X-LMSTV-User: ' . self::headerSafe($this->user),
		);
		// Without curl a call would be a fatal error: a blank customer page instead of a banner.
		if (!function_exists('curl_init'))
			throw new LMSTVError('Brak rozszerzenia PHP curl (pakiet php-curl). Zainstaluj je i uruchom ponownie '
				. 'serwer WWW — bez niego LMS nie połączy się z mostkiem lmstv.', 'config', 0, array(), null,
				'the PHP curl extension is not loaded');
		// The reply is collected here with a cap, so a reply larger than PHP's memory can take
		// (json_decode needs about six times its size) ends as a banner, not a fatal error.
		$cap = self::responseCap($this->maxResponse);
		$raw = '';
		$tooLarge = false;
		$ch = curl_init($url);
		$opts = array(
			CURLOPT_CUSTOMREQUEST => $method,
			CURLOPT_WRITEFUNCTION => function ($ch, $chunk) use (&$raw, &$tooLarge, $cap) {
				if (strlen($raw) + strlen($chunk) > $cap) {
					$tooLarge = true;
					return 0;  // curl stops the transfer
				}
				$raw .= $chunk;
				return strlen($chunk);
			},
			CURLOPT_HEADER => false,
			CURLOPT_CONNECTTIMEOUT_MS => (int) ($this->connectTimeout * 1000),
			CURLOPT_TIMEOUT_MS => (int) ($this->timeout * 1000),
			CURLOPT_NOSIGNAL => true,
			CURLOPT_FOLLOWLOCATION => false,
			CURLOPT_PROXY => '',
		);
		if ($body !== null) {
			$json = json_encode($body);
			$opts[CURLOPT_POSTFIELDS] = $json;
			$headers[] = 'Content-Type: application/json';
		}
		if ($this->socket !== null)
			$opts[CURLOPT_UNIX_SOCKET_PATH] = $this->socket;
		$opts[CURLOPT_HTTPHEADER] = $headers;
		curl_setopt_array($ch, $opts);
		$started = microtime(true);
		$ok = curl_exec($ch);
		$errno = curl_errno($ch);
		$errstr = curl_error($ch);
		$status = (int) curl_getinfo($ch, CURLINFO_HTTP_CODE);
		curl_close($ch);
		$this->timings[] = array($method . ' ' . $path, microtime(true) - $started);

		if ($tooLarge)
			throw new LMSTVError(sprintf('Odpowiedź mostka lmstv jest zbyt duża (ponad %d MB). Zawęź listę '
				. '(np. wybierz stronę zamiast „wszystkie”) albo zwiększ memory_limit PHP i [shim] max_response_mb.',
				max(1, (int) round($cap / 1048576))), 'bridge_too_large', 0, array(), null,
				"bridge reply over $cap bytes ($method $path), cut off");
		if ($ok === false || $errno) {
			$where = $this->socket !== null ? 'unix:' . $this->socket : $this->baseUrl;
			if ($errno == 28) // CURLE_OPERATION_TIMEDOUT
				throw new LMSTVError(sprintf('Mostek lmstv nie odpowiedział w ciągu %s s. Spróbuj ponownie za chwilę.',
					rtrim(rtrim(number_format($this->timeout, 1, '.', ''), '0'), '.')),
					'bridge_timeout', 0, array(), null, "bridge timeout ($where): $errstr");
			throw new LMSTVError('Brak połączenia z mostkiem lmstv (' . $where . '). Sprawdź, czy usługa lmstv działa.',
				'bridge_unavailable', 0, array(), null, "bridge unreachable ($where): $errstr");
		}
		$doc = json_decode($raw, true);
		if (!is_array($doc)) {
			throw new LMSTVError(sprintf('Mostek lmstv zwrócił niepoprawną odpowiedź (HTTP %d).', $status),
				'bridge_garbage', $status, array(), null, 'unparsable bridge reply: ' . substr($raw, 0, 200));
		}
		if ($status >= 200 && $status < 300 && array_key_exists('data', $doc)) {
			$this->lastMeta = isset($doc['meta']) && is_array($doc['meta']) ? $doc['meta'] : array();
			return $doc['data'];
		}
		if ($status >= 200 && $status < 300 && strpos($path, '/health/') === 0)
			return $doc;
		$err = isset($doc['error']) && is_array($doc['error']) ? $doc['error'] : array();
		$code = isset($err['code']) ? (string) $err['code'] : 'http_' . $status;
		$message = isset($err['message']) && $err['message'] !== '' ? (string) $err['message']
			: sprintf('Mostek lmstv zwrócił błąd (HTTP %d).', $status);
		$fields = isset($err['fields']) && is_array($err['fields']) ? $err['fields'] : array();
		$smsCode = isset($err['sms_code']) ? $err['sms_code'] : null;
		$reason = isset($err['reason']) ? $err['reason'] : null;
		if ($status == 401)
			$message = 'Mostek lmstv odrzucił sekret. Ustaw ten sam [bridge] secret w lmstv.ini mostka i LMS.';
		elseif ($code === 'sms_fault')
			$message = 'Wystąpił błąd. ' . $message;
		elseif ($code === 'sms_unavailable' || $code === 'db_unavailable')
			$message .= '. Spróbuj ponownie za chwilę.';
		throw new LMSTVError($message, $code, $status, $fields, $smsCode, $reason);
	}

	/** Bytes of reply this request may hold: the configured cap, or less when memory is short. */
	private static function responseCap($configured)
	{
		$limit = trim((string) ini_get('memory_limit'));
		if ($limit === '' || $limit === '-1' || !preg_match('/^(\d+)\s*([kmg]?)/i', $limit, $m))
			return $configured;
		$units = array('' => 1, 'k' => 1024, 'm' => 1048576, 'g' => 1073741824);
		$bytes = (float) $m[1] * $units[strtolower($m[2])];
		$free = $bytes - memory_get_usage();
		return (int) max(65536, min($configured, $free / 8));
	}

	private static function headerSafe($value)
	{
		$value = preg_replace('/[^\x20-\x7e]/', '?', (string) $value);
		return $value === '' ? 'unknown' : substr($value, 0, 64);
	}

	public function get($path, array $query = array())
	{
		return $this->request('GET', $path, $query);
	}

	public function post($path, array $body = array())
	{
		return $this->request('POST', $path, array(), (object) $body);
	}

	public function put($path, array $body = array())
	{
		return $this->request('PUT', $path, array(), (object) $body);
	}

	public function delete($path, $body = null)
	{
		return $this->request('DELETE', $path, array(), $body === null ? null : (object) $body);
	}

	// ---------------------------------------------------------------- endpoints (docs/api.md)

	public static function customerPath($customerId, $rest = '')
	{
		return '/customers/' . intval($customerId) . $rest;
	}

	public static function accountPath($customerId, $accountId, $rest = '')
	{
		return self::customerPath($customerId, '/accounts/' . intval($accountId) . $rest);
	}

	public static function subscriptionPath($customerId, $accountId, $subscriptionId, $rest = '')
	{
		return self::accountPath($customerId, $accountId, '/subscriptions/' . intval($subscriptionId) . $rest);
	}

	public function customerTv($customerId)
	{
		return $this->get(self::customerPath($customerId, '/tv'));
	}

	public function purgeCache()
	{
		return $this->post('/system/cache/purge');
	}

	// ---------------------------------------------------------------- LMS-side helpers

	/**
	 * The TV menu's screens (module => name, tip, order), shared by the 1.11.17 menu (lib/lmstv.menu.php)
	 * and the current-LMS plugin; read-only marks what "TV — tylko odczyt" may open.
	 */
	public static function menuEntries()
	{
		$entries = array(
			array('tvcustomers', 'Lista klientów', 'Klienci zarejestrowani w SMS', 10, true),
			array('tvpackageslist', 'Lista dostępnych pakietów', 'Pakiety aktualnie w sprzedaży', 20, true),
			array('tvstblist', 'Lista STB', 'Dekodery: magazyn i klienci', 30, true),
			array('tvsubnetlist', 'Podziel podsieć', 'Lista i podział podsieci', 40, true),
			array('tvbillingevents', 'Lista zdarzeń bilingowych', 'Zdarzenia bilingowe pobrane z SGT', 50, true),
			array('tvmessages', 'Lista wiadomości', 'Wiadomości wysłane na TV', 60, true),
			array('tvmessagessend', 'Nowa wiadomość', 'Wiadomość do wszystkich aktywnych klientów', 61, false),
			array('tvreconcile', 'Zgodność LMS–SMS', 'Gdzie LMS i SMS się nie zgadzają', 65, false),
			array('tvbulk', 'Akcje grupowe', 'Akcja TV dla grupy klientów LMS', 66, false),
			array('tvcleancache', 'Odśwież dane', 'Wyczyść bufor danych z SMS', 71, false),
		);
		$out = array();
		foreach ($entries as $e)
			$out[$e[0]] = array('name' => $e[1], 'link' => '?m=' . $e[0], 'tip' => $e[2], 'prio' => $e[3], 'readonly' => $e[4]);
		return $out;
	}

	/** Privilege names of the two TV rights: LMS 1.11.17's access table; the current-LMS plugin
	 * sets its own permission names. */
	public static $rightFull = 'tv_full_access';
	public static $rightRead = 'tv_read_only';

	/** LMS rights "TV — pełny dostęp" / "TV — tylko odczyt" (lib/accesstable.php 40/41). */
	public static function canChange()
	{
		return class_exists('ConfigHelper') && ConfigHelper::checkPrivilege(self::$rightFull);
	}

	public static function canView()
	{
		return self::canChange() || (class_exists('ConfigHelper') && ConfigHelper::checkPrivilege(self::$rightRead));
	}

	/** Per-session token embedded in every TV form. */
	public static function csrfToken()
	{
		$session = self::$session;
		if (!$session) {
			global $SESSION;
			$session = $SESSION;
		}
		$token = $session ? $session->get(self::CSRF_KEY) : null;
		if (!is_string($token) || strlen($token) < 32) {
			$token = bin2hex(random_bytes(16));
			if ($session)
				$session->save(self::CSRF_KEY, $token);
		}
		return $token;
	}

	/**
	 * True for a POST sent by one of the module's own forms. LMS posts its login form back to
	 * the address it was shown at and then runs that module in the same request, so an
	 * operator logging in again at ?m=tvbulk (a bookmark, an expired session) must not be
	 * taken as submitting the page's form (and told the form has expired).
	 */
	public static function formPosted()
	{
		return self::isPost() && !isset($_POST['loginform']);
	}

	private static function isPost()
	{
		return isset($_SERVER['REQUEST_METHOD']) && $_SERVER['REQUEST_METHOD'] === 'POST';
	}

	/** True only for a POST carrying this session's token. */
	public static function validPost()
	{
		if (!self::isPost())
			return false;
		$sent = self::post_('lmstv_token');
		return $sent !== '' && hash_equals(self::csrfToken(), $sent);
	}

	/**
	 * Gatekeeper for a state change: POST + token + full TV right. Returns null when allowed,
	 * else the Polish reason.
	 */
	public static function changeRefusal()
	{
		if (!self::isPost())
			return 'Zmiany wymagają wysłania formularza (POST).';
		if (!self::validPost())
			return 'Formularz wygasł lub pochodzi spoza LMS (niepoprawny token). Odśwież stronę i spróbuj ponownie.';
		if (!self::canChange())
			return 'Brak uprawnień: ta operacja wymaga prawa „TV — pełny dostęp”.';
		return null;
	}

	public static function notice($text = null)
	{
		global $SESSION;
		$session = self::$session ? self::$session : $SESSION;
		if (!$session)
			return null;
		if ($text !== null) {
			$session->save(self::NOTICE_KEY, $text);
			return $text;
		}
		$text = $session->get(self::NOTICE_KEY);
		if ($text !== null && $text !== false)
			$session->remove(self::NOTICE_KEY);
		return $text ? $text : null;
	}

	/** Normalise a form date (YYYY/MM/DD or YYYY-MM-DD) for the bridge; '' stays ''. */
	public static function formDate($value)
	{
		$value = trim((string) $value);
		return str_replace('/', '-', $value);
	}

	public static function post_($name, $default = '')
	{
		return isset($_POST[$name]) && !is_array($_POST[$name]) ? trim((string) $_POST[$name]) : $default;
	}

	public static function get_($name, $default = '')
	{
		return isset($_GET[$name]) && !is_array($_GET[$name]) ? trim((string) $_GET[$name]) : $default;
	}

	/**
	 * Runs one state change: refuses unless POST + token + full TV right, calls $fn with the
	 * client, and on success stores $notice and redirects (never returns). On failure returns
	 * the Polish banner text, so the module can re-show the form with what was entered.
	 */
	public static function perform($fn, $notice, $redirect)
	{
		global $SESSION;
		$refusal = self::changeRefusal();
		if ($refusal !== null)
			return $refusal;
		try {
			$result = call_user_func($fn, self::instance());
		} catch (LMSTVError $e) {
			self::logError($e);
			return $e->bannerText();
		}
		if (is_callable($notice))
			$notice = call_user_func($notice, $result);
		if ($notice)
			self::notice($notice);
		$SESSION->redirect($redirect);
		return null;
	}

	/** Transport and bridge problems go to the web server's log in English, for the admin. */
	public static function logError(LMSTVError $e)
	{
		if ($e->reason || $e->httpStatus == 0 || $e->httpStatus >= 500 || $e->httpStatus == 401)
			error_log('lmstv: ' . $e->errorCode . ($e->reason ? ': ' . $e->reason : '') . ' (HTTP ' . $e->httpStatus . ')');
	}

	/**
	 * For the top of every TV module: shows LMS's "no access" page and returns false unless the
	 * user holds a TV right (LMS's generic read-only right alone matches tv*list, so it is not enough).
	 */
	public static function allowView()
	{
		global $SMARTY;
		if (self::canView())
			return true;
		$SMARTY->display('noaccess.html');
		return false;
	}
}

/** Stand-in when lmstv.ini is missing: every call reports the configuration problem. */
class LMSTVBroken extends LMSTV
{
	private $error;

	public function __construct(LMSTVError $error, $user)
	{
		parent::__construct(array(), $user);
		$this->error = $error;
	}

	public function request($method, $path, array $query = array(), $body = null)
	{
		throw $this->error;
	}
}
