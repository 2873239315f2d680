<?php

/*
 * lmstv — the STB search behind the quick search "STB (MAC)" field, shared by the 1.11.17 shim
 * (modules/tvquicksearch.php) and the current-LMS plugin (its quicksearch hook). Read-only.
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

/**
 * Enter in the quick search "STB (MAC)" field: where to go for $tvq. The one customer holding the
 * matching STB(s), else TV → Lista STB with a notice saying why; $back for a user with no TV right.
 */
function lmstv_stb_jump($tvq, $back)
{
	if (!LMSTV::canView())
		return $back;
	try {
		$tvfound = lmstv_stb_search($tvq);
	} catch (LMSTVError $e) {
		LMSTV::logError($e);
		LMSTV::notice($e->bannerText());
		return '?m=tvstblist&mode=customer';
	}
	$tvowners = array();
	foreach ($tvfound as $s)
		if (lmstv_stb_target($s) !== '')
			$tvowners[lmstv_stb_target($s)] = true;
	if (count($tvowners) == 1)
		return key($tvowners);
	LMSTV::notice(count($tvfound)
		? 'Adres „' . $tvq . '” pasuje do ' . count($tvfound) . ' STB u klientów — wybierz STB z podpowiedzi albo wpisz więcej znaków.'
		: 'Nie znaleziono STB u klienta, którego MAC zawiera „' . $tvq . '”.');
	return '?m=tvstblist&mode=customer';
}
