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

require_once(dirname(__DIR__) . DIRECTORY_SEPARATOR . 'lib' . DIRECTORY_SEPARATOR . 'lmstv.stbsearch.php');

// Enter in the quick search bar's STB field: LMS's form posts to ?m=quicksearch, whose lmstv
// block hands over here.
if (isset($_POST['qsstb'])) {
	$SESSION->redirect(lmstv_stb_jump(LMSTV::post_('qsstb'), '?' . $SESSION->get('backto')));
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
