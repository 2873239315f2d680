<?php

/*
 * lmstv — TV → Lista dostępnych pakietów: packages on sale, grouped (docs/api.md 5).
 */

if (!LMSTV::allowView())
	return;

$tvgroups = array();
$tverror = null;
try {
	$tvgroups = LMSTV::instance()->get('/packages');
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	$tverror = $e->bannerText();
}

$layout['pagetitle'] = 'Pakiety aktualnie w sprzedaży';
$SMARTY->assign(array('groups' => $tvgroups, 'tverror' => $tverror, 'tvnotice' => null));
$SMARTY->display('tvpackageslist.html');
