<?php

/*
 * lmstv — JSON suggestions for the TV forms (read-only):
 *   what=stbissue  stock STBs allowed for a subscription (customerid, account_id, subscription_id, q)
 *   what=stb       STBs at customers whose MAC contains q
 * The page's script inserts the values as text, never as HTML.
 */

header('Content-Type: application/json; charset=utf-8');
header('X-Content-Type-Options: nosniff');
if (!LMSTV::canView()) {
	http_response_code(403);
	echo json_encode(array());
	return;
}

$tvwhat = LMSTV::get_('what', 'stbissue');
$tvq = LMSTV::get_('q');
$tvout = array();
try {
	if ($tvwhat === 'stb' && strlen($tvq) >= 2) {
		foreach (LMSTV::instance()->get('/stb/search', array('mac' => $tvq)) as $s)
			$tvout[] = array('stb_mac' => $s['stb_mac'],
				'label' => trim($s['stb_serial'] . ', ' . $s['stb_model']
					. (isset($s['lms']['id']) ? ' — ' . $s['lms']['lastname'] . ' ' . $s['lms']['name'] : '')),
				'lms_id' => isset($s['lms_id']) ? $s['lms_id'] : null);
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
