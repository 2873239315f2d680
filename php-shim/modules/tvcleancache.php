<?php

/*
 * lmstv — TV → Odśwież dane: empties the bridge's SMS cache. A POST with the session token;
 * the menu link (GET) shows the confirmation form.
 */

if (!LMSTV::allowView())
	return;

$tverror = null;
if (LMSTV::formPosted()) {
	$tverror = LMSTV::perform(function ($tv) {
		return $tv->purgeCache();
	}, function ($r) {
		return isset($r['message']) ? $r['message'] : 'Dane odświeżone.';
	}, '?m=tvcleancache');
}

$layout['pagetitle'] = 'Odśwież dane';
$SMARTY->assign(array(
	'tverror' => $tverror,
	'tvnotice' => LMSTV::notice(),
	'tvcanchange' => LMSTV::canChange(),
	'tvtoken' => LMSTV::csrfToken(),
));
$SMARTY->display('tvcleancache.html');
