<?php

/*
 * lmstv — TV → Lista wiadomości: every message sent to TV, paged and sorted by the bridge;
 * delete one or all (POST + token, confirmed). Message bodies are shown as text (docs/api.md 8).
 */

if (!LMSTV::allowView())
	return;

$tvquery = array(
	'page' => LMSTV::get_('page') === 'all' ? 1 : max(1, intval(LMSTV::get_('page', '1'))),
	'per_page' => LMSTV::get_('page') === 'all' ? 'all' : 25,
	'sort' => LMSTV::get_('sort', 'id'),
	'order' => LMSTV::get_('order') === 'desc' ? 'desc' : 'asc',
);
$tvback = '?m=tvmessages&sort=' . rawurlencode($tvquery['sort']) . '&order=' . $tvquery['order'];
$tverror = null;

$tvop = LMSTV::post_('tvaction');
if ($tvop === 'msg_del') {
	$tvmsg = intval(LMSTV::post_('message_id'));
	$tvcust = intval(LMSTV::post_('customer_id'));
	$tverror = LMSTV::perform(function ($tv) use ($tvmsg, $tvcust) {
		if ($tvcust <= 0)
			throw new LMSTVError('Ta wiadomość nie należy do klienta LMS; usuń ją w SMS.', 'not_linked');
		return $tv->delete(LMSTV::customerPath($tvcust, '/messages/' . $tvmsg));
	}, 'Usunięto wiadomość ' . $tvmsg . '.', $tvback);
} elseif ($tvop === 'msg_del_all') {
	$tverror = LMSTV::perform(function ($tv) {
		return $tv->delete('/messages', array('confirm' => true));
	}, function ($r) {
		return 'Usunięto wszystkie wiadomości (' . (isset($r['deleted']) ? $r['deleted'] : 0) . ').';
	}, '?m=tvmessages');
} elseif ($tvop !== '') {
	$tverror = 'Nieznana operacja.';
}

$tvlist = array('items' => array(), 'total' => 0, 'page' => 1, 'pages' => 0, 'per_page' => 25);
try {
	$tvlist = LMSTV::instance()->get('/messages', $tvquery);
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	$tverror = $tverror ? $tverror . ' ' . $e->bannerText() : $e->bannerText();
}
$tvlist += array('sort' => $tvquery['sort'], 'order' => $tvquery['order']);

$layout['pagetitle'] = 'Wiadomości wysłane na TV';
$SMARTY->assign(array(
	'list' => $tvlist,
	'tverror' => $tverror,
	'tvnotice' => LMSTV::notice(),
	'tvcanchange' => LMSTV::canChange(),
	'tvtoken' => LMSTV::csrfToken(),
	'sorturl' => '?m=tvmessages',
	'pagerurl' => '?m=tvmessages&sort=' . rawurlencode($tvlist['sort']) . '&order=' . rawurlencode($tvlist['order']),
));
$SMARTY->display('tvmessages.html');
