<?php

/*
 * lmstv — TV → Lista STB: filter, register a box into stock, remove one (docs/api.md 6).
 * Register/remove are POSTs with the session token (also reachable as ?m=tvstbadd / tvstbremove).
 */

if (!LMSTV::allowView())
	return;

$tvmode = LMSTV::get_('mode', 'stock');
if (!in_array($tvmode, array('all', 'stock', 'customer'), true))
	$tvmode = 'stock';
$tvsort = LMSTV::get_('sort', 'stb_model');
$tvorder = LMSTV::get_('order') === 'desc' ? 'desc' : 'asc';
$tvback = '?m=tvstblist&mode=' . rawurlencode($tvmode) . '&sort=' . rawurlencode($tvsort) . '&order=' . $tvorder;
$tverror = null;
$tvform = array('stb_mac' => '', 'stb_serial' => '', 'stb_model' => '');

$tvop = isset($tvstb_operation) ? $tvstb_operation : LMSTV::post_('tvaction');
if ($tvop === 'stb_register') {
	foreach ($tvform as $k => $v)
		$tvform[$k] = LMSTV::post_($k);
	$tverror = LMSTV::perform(function ($tv) use ($tvform) {
		return $tv->post('/stb', array('mac' => $tvform['stb_mac'], 'serial' => $tvform['stb_serial'],
			'model' => $tvform['stb_model']));
	}, function ($r) {
		return 'Dodano STB ' . (isset($r['stb_mac']) ? $r['stb_mac'] : '') . ' do magazynu.';
	}, $tvback);
} elseif ($tvop === 'stb_remove') {
	$tvmac = LMSTV::post_('stb_mac');
	$tverror = LMSTV::perform(function ($tv) use ($tvmac) {
		return $tv->delete('/stb/' . rawurlencode($tvmac));
	}, 'Usunięto STB ' . $tvmac . ' z bazy.', $tvback);
} elseif ($tvop !== '') {
	$tverror = 'Nieznana operacja.';
}

$tvlist = array('items' => array(), 'total' => 0, 'models' => array(), 'sort' => $tvsort, 'order' => $tvorder);
try {
	$tvlist = LMSTV::instance()->get('/stb', array('mode' => $tvmode, 'sort' => $tvsort, 'order' => $tvorder));
	$tvlist += array('sort' => $tvsort, 'order' => $tvorder);
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	$tverror = $tverror ? $tverror . ' ' . $e->bannerText() : $e->bannerText();
}
if (empty($tvlist['models']))
	$tvlist['models'] = array('VIP1910-9', 'VIP1960', 'STB-2101H', 'STB-1001H', 'MAG200', 'MAG250', 'VIP1003');

$layout['pagetitle'] = 'Lista STB';
$SMARTY->assign(array(
	'list' => $tvlist,
	'mode' => $tvmode,
	'form' => $tvform,
	'tverror' => $tverror,
	'tvnotice' => LMSTV::notice(),
	'tvcanchange' => LMSTV::canChange(),
	'tvtoken' => LMSTV::csrfToken(),
	'sorturl' => '?m=tvstblist&mode=' . rawurlencode($tvmode),
));
$SMARTY->display('tvstblist.html');
