<?php

/*
 * lmstv — TV → Lista klientów: SMS's customers, sorted and paged by the bridge (docs/api.md 3.1).
 */

if (!LMSTV::allowView())
	return;

$tvquery = array(
	'page' => LMSTV::get_('page') === 'all' ? 1 : max(1, intval(LMSTV::get_('page', '1'))),
	'per_page' => LMSTV::get_('page') === 'all' ? 'all' : 25,
	'sort' => LMSTV::get_('sort', 'cust_surname'),
	'order' => LMSTV::get_('order') === 'desc' ? 'desc' : 'asc',
	'q' => LMSTV::get_('q'),
);
$tvlist = array('items' => array(), 'total' => 0, 'page' => 1, 'pages' => 0, 'per_page' => 25,
	'sort' => $tvquery['sort'], 'order' => $tvquery['order']);
$tverror = null;
try {
	$tvlist = LMSTV::instance()->get('/customers', $tvquery);
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	$tverror = $e->bannerText();
}

$layout['pagetitle'] = 'Lista klientów w SMS';
$SESSION->save('backto', $_SERVER['QUERY_STRING']);
$SMARTY->assign(array(
	'list' => $tvlist,
	'tverror' => $tverror,
	'tvnotice' => LMSTV::notice(),
	'q' => $tvquery['q'],
	'sorturl' => '?m=tvcustomers&q=' . rawurlencode($tvquery['q']),
	'pagerurl' => '?m=tvcustomers&q=' . rawurlencode($tvquery['q']) . '&sort=' . rawurlencode($tvlist['sort'])
		. '&order=' . rawurlencode($tvlist['order']),
));
$SMARTY->display('tvcustomers.html');
