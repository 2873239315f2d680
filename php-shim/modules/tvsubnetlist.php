<?php

/*
 * lmstv — TV → Podziel podsieć: subnet list and split (docs/api.md 7).
 */

if (!LMSTV::allowView())
	return;

$tvsort = LMSTV::get_('sort', 'subnet_name');
$tvorder = LMSTV::get_('order') === 'desc' ? 'desc' : 'asc';
$tvback = '?m=tvsubnetlist&sort=' . rawurlencode($tvsort) . '&order=' . $tvorder;
$tverror = null;
$tvform = array('subnet_id' => 0, 'name1' => '', 'name2' => '');

if (LMSTV::post_('tvaction') === 'subnet_split') {
	$tvform = array('subnet_id' => intval(LMSTV::post_('subnet_id')), 'name1' => LMSTV::post_('name1'),
		'name2' => LMSTV::post_('name2'));
	$tverror = LMSTV::perform(function ($tv) use ($tvform) {
		return $tv->post('/subnets/' . $tvform['subnet_id'] . '/split',
			array('name1' => $tvform['name1'], 'name2' => $tvform['name2']));
	}, function ($r) {
		return 'Podzielono podsieć na ' . (isset($r['name1']) ? $r['name1'] : '') . ' i '
			. (isset($r['name2']) ? $r['name2'] : '') . '.';
	}, $tvback);
} elseif (LMSTV::post_('tvaction') !== '') {
	$tverror = 'Nieznana operacja.';
}

$tvlist = array('items' => array(), 'total' => 0);
try {
	$tvlist = LMSTV::instance()->get('/subnets', array('sort' => $tvsort, 'order' => $tvorder));
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	$tverror = $tverror ? $tverror . ' ' . $e->bannerText() : $e->bannerText();
}
$tvlist += array('sort' => $tvsort, 'order' => $tvorder);

$layout['pagetitle'] = 'Podsieci';
$SMARTY->assign(array(
	'list' => $tvlist,
	'form' => $tvform,
	'tverror' => $tverror,
	'tvnotice' => LMSTV::notice(),
	'tvcanchange' => LMSTV::canChange(),
	'tvtoken' => LMSTV::csrfToken(),
	'sorturl' => '?m=tvsubnetlist',
));
$SMARTY->display('tvsubnetlist.html');
