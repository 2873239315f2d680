<?php

/*
 * lmstv — TV → Lista zdarzeń bilingowych: events imported from SGT, filtered, sorted and totalled
 * by the bridge (GET /billing/events; the billing engineer's docs/billing.md). No SQL here.
 */

if (!LMSTV::allowView())
	return;

$tvfirst = date('Y/m/01');
$tvlast = date('Y/m/t');
$tvpreset = LMSTV::get_('preset');
$tvquery = array(
	'start_date' => LMSTV::get_('start_date', $tvfirst),
	'end_date' => LMSTV::get_('end_date', $tvlast),
	'group_id' => LMSTV::get_('group_id'),
	'status' => LMSTV::get_('status', 'all'),
	'sort' => LMSTV::get_('sort', 'beid'),
	'order' => LMSTV::get_('order') === 'desc' ? 'desc' : 'asc',
	'page' => LMSTV::get_('page') === 'all' ? 1 : max(1, intval(LMSTV::get_('page', '1'))),
	'per_page' => LMSTV::get_('page') === 'all' ? 'all' : 100,
);
if ($tvpreset === 'month') {
	$tvquery['start_date'] = $tvfirst;
	$tvquery['end_date'] = $tvlast;
	$tvquery['status'] = 'all';
} elseif ($tvpreset === 'skipped') {
	$tvquery['start_date'] = $tvquery['end_date'] = '';
	$tvquery['status'] = 'skipped';
} elseif ($tvpreset === 'all') {
	$tvquery['start_date'] = $tvquery['end_date'] = '';
	$tvquery['status'] = 'all';
}
if (!in_array($tvquery['status'], array('all', 'skipped', 'invoiced'), true))
	$tvquery['status'] = 'all';

$tverror = null;
$tvlist = array('items' => array(), 'total' => 0, 'page' => 1, 'pages' => 0, 'per_page' => 100, 'totals' => array());
$tvapi = $tvquery;
$tvapi['start_date'] = LMSTV::formDate($tvquery['start_date']);
$tvapi['end_date'] = LMSTV::formDate($tvquery['end_date']);
try {
	$tvlist = LMSTV::instance()->get('/billing/events', $tvapi);
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	$tverror = $e->bannerText();
}
$tvlist += array('sort' => $tvquery['sort'], 'order' => $tvquery['order'], 'totals' => array());
$tvlist['totals'] += array('be_gross' => '', 'be_b2b_netto' => '');

$tvfilter = '?m=tvbillingevents&start_date=' . rawurlencode($tvquery['start_date']) . '&end_date='
	. rawurlencode($tvquery['end_date']) . '&group_id=' . rawurlencode($tvquery['group_id'])
	. '&status=' . rawurlencode($tvquery['status']);
$layout['pagetitle'] = 'Lista zdarzeń bilingowych';
$SMARTY->assign(array(
	'list' => $tvlist,
	'filter' => $tvquery,
	'tverror' => $tverror,
	'tvnotice' => null,
	'sorturl' => $tvfilter,
	'pagerurl' => $tvfilter . '&sort=' . rawurlencode($tvlist['sort']) . '&order=' . rawurlencode($tvlist['order']),
	'smsweb' => LMSTV::instance()->smsWebUrl(),
));
$SMARTY->display('tvbillingevents.html');
