<?php

/*
 * lmstv — TV → Lista zdarzeń bilingowych: events imported from SGT, filtered, sorted, paged and
 * totalled by the bridge (GET /billing/events, docs/api.md §10). No SQL here.
 */

if (!LMSTV::allowView())
	return;

$tvfirst = date('Y/m/01');
$tvlast = date('Y/m/t');
$tvpreset = LMSTV::get_('preset');
$tvfilter = array(
	'date_from' => LMSTV::get_('date_from', $tvpreset === '' ? $tvfirst : ''),
	'date_to' => LMSTV::get_('date_to', $tvpreset === '' ? $tvlast : ''),
	'group_id' => LMSTV::get_('group_id'),
	'customerid' => LMSTV::get_('customerid'),
	'cust_number' => LMSTV::get_('cust_number'),
	'not_invoiced' => LMSTV::get_('not_invoiced') === '1' ? '1' : '',
);
if ($tvpreset === 'month') {
	$tvfilter = array_merge($tvfilter, array('date_from' => $tvfirst, 'date_to' => $tvlast, 'not_invoiced' => ''));
} elseif ($tvpreset === 'skipped') {
	$tvfilter = array_merge($tvfilter, array('date_from' => '', 'date_to' => '', 'not_invoiced' => '1'));
} elseif ($tvpreset === 'all') {
	$tvfilter = array_merge($tvfilter, array('date_from' => '', 'date_to' => '', 'not_invoiced' => ''));
}
$tvquery = $tvfilter + array(
	'sort' => LMSTV::get_('sort', 'beid'),
	'direction' => LMSTV::get_('direction') === 'desc' ? 'desc' : 'asc',
	'page' => max(1, intval(LMSTV::get_('page', '1'))),
	'per_page' => 100,
);

$tverror = null;
$tvitems = array();
$tvmeta = array();
try {
	$tvclient = LMSTV::instance();
	$tvitems = $tvclient->get('/billing/events', $tvquery);
	$tvmeta = $tvclient->lastMeta;
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	$tverror = $e->bannerText();
}
// The pager and column headers share one shape across the TV lists.
$tvmeta += array('total' => 0, 'page' => 1, 'pages' => 0, 'per_page' => $tvquery['per_page'],
	'sort' => $tvquery['sort'], 'direction' => $tvquery['direction'], 'totals' => array());
$tvmeta['totals'] += array('be_gross' => '0.00', 'be_b2b_netto' => '0.00');
$tvlist = array('items' => is_array($tvitems) ? $tvitems : array(), 'total' => $tvmeta['total'],
	'page' => $tvmeta['page'], 'pages' => $tvmeta['pages'], 'per_page' => $tvmeta['per_page'],
	'sort' => $tvmeta['sort'], 'order' => $tvmeta['direction'], 'totals' => $tvmeta['totals'], 'no_all' => true);

$tvurl = '?m=tvbillingevents';
foreach ($tvfilter as $tvk => $tvv)
	$tvurl .= '&' . $tvk . '=' . rawurlencode($tvv);
$layout['pagetitle'] = 'Lista zdarzeń bilingowych';
$SMARTY->assign(array(
	'list' => $tvlist,
	'filter' => $tvfilter,
	'tverror' => $tverror,
	'tvnotice' => null,
	'sorturl' => $tvurl,
	'sortparam' => 'direction',
	'pagerurl' => $tvurl . '&sort=' . rawurlencode($tvlist['sort']) . '&direction=' . rawurlencode($tvlist['order']),
));
$SMARTY->display('tvbillingevents.html');
