<?php

/*
 * lmstv — suggestions for the TV forms and LMS's quick search bar (read-only):
 *   what=stbissue                 stock STBs allowed for a subscription (customerid, account_id,
 *                                 subscription_id, q) as JSON for the STB issue form
 *   what=stb                      STBs at customers whose MAC contains q, as JSON
 *   what=stb&format=autosuggest   the same for LMS's AutoSuggest (img/autosuggest.js) in the quick
 *                                 search bar's "STB (MAC)" field
 *   POST qsstb (from ?m=quicksearch, Enter in that field): jumps to the one customer found
 *
 * LMS's AutoSuggest eval()s the answer and puts the values into the page with innerHTML, so
 * every value is HTML-escaped first and then written as a JSON string literal (with <, >, &, '
 * and " as \u escapes): nothing typed or stored in SMS can become markup or script.
 */

/** STBs at customers matching $q (any spelling, ≥ 2 characters); LMSTVError from the bridge. */
function lmstv_stb_search($q)
{
	return strlen($q) >= 2 ? LMSTV::instance()->get('/stb/search', array('mac' => $q)) : array();
}

function lmstv_stb_target($stb)
{
	return isset($stb['lms_id']) && $stb['lms_id']
		? '?m=customerinfo&id=' . intval($stb['lms_id']) . '#tvaccountbox' : '';
}

function lmstv_stb_owner($stb)
{
	if (isset($stb['lms']['lastname']))
		return trim($stb['lms']['lastname'] . ' ' . $stb['lms']['name']);
	return 'klient SMS ' . (isset($stb['cust_number']) ? $stb['cust_number'] : '?') . ' (brak w LMS)';
}

/** The script text LMS's AutoSuggest evaluates: three parallel arrays, or false. */
function lmstv_autosuggest_js(array $stbs)
{
	$eligible = $descriptions = $actions = array();
	foreach ($stbs as $s) {
		$target = lmstv_stb_target($s);
		if ($target === '')
			continue;  // nowhere to jump to: the STB list shows these
		$eligible[] = htmlspecialchars($s['stb_mac'], ENT_QUOTES, 'UTF-8');
		$descriptions[] = htmlspecialchars(lmstv_stb_owner($s), ENT_QUOTES, 'UTF-8');
		$actions[] = $target;
	}
	if (!$eligible)
		return "false;\n";
	$flags = JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT;
	return 'this.eligible = ' . json_encode($eligible, $flags) . ";\n"
		. 'this.descriptions = ' . json_encode($descriptions, $flags) . ";\n"
		. 'this.actions = ' . json_encode($actions, $flags) . ";\n";
}

// Enter in the quick search bar's STB field: LMS's form posts to ?m=quicksearch, whose lmstv
// block hands over here.
if (isset($_POST['qsstb'])) {
	$tvq = LMSTV::post_('qsstb');
	$tvback = '?' . $SESSION->get('backto');
	if (!LMSTV::canView())
		$SESSION->redirect($tvback);
	try {
		$tvfound = lmstv_stb_search($tvq);
	} catch (LMSTVError $e) {
		LMSTV::logError($e);
		LMSTV::notice($e->bannerText());
		$SESSION->redirect('?m=tvstblist&mode=customer');
		return;
	}
	$tvowners = array();
	foreach ($tvfound as $s)
		if (lmstv_stb_target($s) !== '')
			$tvowners[lmstv_stb_target($s)] = true;
	if (count($tvowners) == 1)
		$SESSION->redirect(key($tvowners));
	LMSTV::notice(count($tvfound)
		? 'Adres „' . $tvq . '” pasuje do ' . count($tvfound) . ' STB u klientów — wybierz STB z podpowiedzi albo wpisz więcej znaków.'
		: 'Nie znaleziono STB u klienta, którego MAC zawiera „' . $tvq . '”.');
	$SESSION->redirect('?m=tvstblist&mode=customer');
	return;
}

$tvwhat = LMSTV::get_('what', 'stbissue');
$tvq = LMSTV::get_('q');

if (LMSTV::get_('format') === 'autosuggest') {
	header('Content-Type: text/plain; charset=utf-8');
	header('X-Content-Type-Options: nosniff');
	$tvjs = "false;\n";
	if (!LMSTV::canView()) {
		http_response_code(403);
	} elseif ($tvwhat === 'stb') {
		try {
			$tvjs = lmstv_autosuggest_js(lmstv_stb_search($tvq));
		} catch (LMSTVError $e) {
			LMSTV::logError($e);
			http_response_code(502);
		}
	}
	echo $tvjs;
	return;
}

header('Content-Type: application/json; charset=utf-8');
header('X-Content-Type-Options: nosniff');
if (!LMSTV::canView()) {
	http_response_code(403);
	echo json_encode(array());
	return;
}

$tvout = array();
try {
	if ($tvwhat === 'stb') {
		foreach (lmstv_stb_search($tvq) as $s)
			$tvout[] = array('stb_mac' => $s['stb_mac'],
				'label' => trim($s['stb_serial'] . ', ' . $s['stb_model'] . ' — ' . lmstv_stb_owner($s)),
				'lms_id' => isset($s['lms_id']) ? $s['lms_id'] : null,
				'href' => lmstv_stb_target($s));
	} elseif ($tvwhat === 'stbissue' && $tvq !== '') {
		$path = LMSTV::subscriptionPath(LMSTV::get_('customerid'), LMSTV::get_('account_id'),
			LMSTV::get_('subscription_id'), '/stb-suggestions');
		foreach (LMSTV::instance()->get($path, array('q' => $tvq)) as $s)
			$tvout[] = array('stb_mac' => $s['stb_mac'], 'label' => $s['label']);
	}
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	http_response_code(502);
	$tvout = array('error' => $e->bannerText());
}
echo json_encode($tvout, JSON_HEX_TAG | JSON_HEX_AMP | JSON_HEX_APOS | JSON_HEX_QUOT);
