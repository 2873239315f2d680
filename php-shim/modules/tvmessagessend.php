<?php

/*
 * lmstv — compose a TV message to one customer (?customerid=N) or to all active customers.
 * A refusal shows SMS's/the bridge's text and keeps everything typed (docs/api.md 8).
 */

if (!LMSTV::allowView())
	return;

$tvcustomer = intval(LMSTV::get_('customerid', LMSTV::post_('customerid', '0')));
$tvtoday = date('Y/m/d');
$tvform = array(
	'msg_body' => '', 'msg_body_extended' => '',
	'msg_teaser_valid_from' => $tvtoday, 'msg_teaser_valid_to' => $tvtoday,
	'msg_valid_from' => $tvtoday, 'msg_valid_to' => $tvtoday,
	'msg_prio' => '1', 'msg_show_priority' => '0',
);
$tverror = null;
$tvrecipient = null;

if (LMSTV::formPosted()) {
	foreach ($tvform as $k => $v)
		$tvform[$k] = isset($_POST[$k]) && !is_array($_POST[$k]) ? (string) $_POST[$k] : '';
	$tvbody = $tvform;
	foreach (array('msg_teaser_valid_from', 'msg_teaser_valid_to', 'msg_valid_from', 'msg_valid_to') as $k)
		$tvbody[$k] = LMSTV::formDate($tvbody[$k]);
	$tverror = LMSTV::perform(function ($tv) use ($tvcustomer, $tvbody) {
		$path = $tvcustomer > 0 ? LMSTV::customerPath($tvcustomer, '/messages') : '/messages';
		return $tv->post($path, $tvbody);
	}, function ($r) {
		return 'Wysłano wiadomości: ' . (isset($r['sent']) ? $r['sent'] : 0) . '.';
	}, $tvcustomer > 0 ? '?m=customerinfo&id=' . $tvcustomer . '#tvmessagesbox' : '?m=tvmessages');
}

if ($tvcustomer > 0) {
	try {
		$tvbox = LMSTV::instance()->customerTv($tvcustomer);
		$tvrecipient = $tvbox['customer'];
	} catch (LMSTVError $e) {
		LMSTV::logError($e);
		$tverror = $tverror ? $tverror . ' ' . $e->bannerText() : $e->bannerText();
		$tvrecipient = array('id' => $tvcustomer, 'name' => '', 'lastname' => '#' . $tvcustomer);
	}
}

$layout['pagetitle'] = 'Nowa wiadomość na TV';
$SMARTY->assign(array(
	'form' => $tvform,
	'recipient' => $tvrecipient,
	'customerid' => $tvcustomer,
	'tverror' => $tverror,
	'tvnotice' => LMSTV::notice(),
	'tvcanchange' => LMSTV::canChange(),
	'tvtoken' => LMSTV::csrfToken(),
));
$SMARTY->display('tvmessagessend.html');
