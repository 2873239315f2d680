<?php

/*
 * lmstv — TV → Zgodność LMS–SMS: where LMS and SMS disagree (docs/reconcile.md, docs/api.md 11).
 * One fixing action per row where lmstv can fix it; each is a POST with the session token and
 * the full TV right (LMSTV::perform), sent to the existing bridge endpoint the report names.
 */

if (!LMSTV::allowView())
	return;

$tvback = '?m=tvreconcile';
$tverror = null;
$tvaction = LMSTV::post_('tvaction');

if (in_array($tvaction, array('link', 'lock', 'unlink_stb', 'invoice'), true)) {
	$tvcid = intval(LMSTV::post_('customer_id'));
	$tvaccounts = array_filter(array_map('intval', explode(',', LMSTV::post_('account_ids'))));
	$tvmac = LMSTV::post_('stb_mac');
	$tverror = LMSTV::perform(function ($tv) use ($tvaction, $tvcid, $tvaccounts, $tvmac) {
		if ($tvaction === 'link')
			return $tv->post(LMSTV::customerPath($tvcid, '/export'));
		if ($tvaction === 'invoice')
			return $tv->post(LMSTV::customerPath($tvcid, '/billing/invoice'));
		if ($tvaction === 'lock') {
			foreach ($tvaccounts as $acc)
				$tv->post(LMSTV::accountPath($tvcid, $acc, '/lock'));
			return array();
		}
		return $tv->delete(LMSTV::accountPath($tvcid, reset($tvaccounts), '/stb/' . rawurlencode($tvmac)));
	}, function ($r) use ($tvaction) {
		if ($tvaction === 'invoice') {
			if (empty($r['events_invoiced']))
				return 'Nie było zdarzeń do zafakturowania.';
			$numbers = array();
			foreach ($r['invoices'] as $inv)
				$numbers[] = $inv['number'];
			return 'Zafakturowano zdarzenia: ' . intval($r['events_invoiced']) . ', kwota '
				. $r['total'] . ' zł, faktura ' . implode(', ', $numbers) . '.';
		}
		$done = array('link' => 'Powiązano klienta z SMS.', 'lock' => 'Zablokowano konta TV.',
			'unlink_stb' => 'Zwrócono dekoder na magazyn.');
		return $done[$tvaction];
	}, $tvback);
} elseif ($tvaction !== '') {
	$tverror = 'Nieznana operacja.';
}

$tvreport = array('summary' => array(), 'findings' => array());
try {
	$tvreport = LMSTV::instance()->get('/reconcile', array('fresh' => LMSTV::get_('fresh') === '1' ? '1' : null));
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	$tverror = $tverror ? $tverror . ' ' . $e->bannerText() : $e->bannerText();
}

// grouped by kind, in the report's order, with the kind's count and total on top
$tvgroups = array();
foreach ($tvreport['summary'] as $kind => $s)
	$tvgroups[$kind] = array('title' => $s['title_pl'], 'count' => $s['count'], 'total' => $s['total'], 'rows' => array());
foreach ($tvreport['findings'] as $f) {
	if (!isset($tvgroups[$f['kind']]))
		continue;
	$fix = isset($f['fix']) && is_array($f['fix']) ? $f['fix'] : array();
	$f['fix_action'] = isset($fix['action']) ? $fix['action'] : '';
	$f['fix_accounts'] = isset($fix['account_ids']) ? implode(',', $fix['account_ids'])
		: (isset($fix['account_id']) ? (string) $fix['account_id'] : '');
	$f['fix_mac'] = isset($fix['stb_mac']) ? $fix['stb_mac'] : '';
	$tvgroups[$f['kind']]['rows'][] = $f;
}

$layout['pagetitle'] = 'Zgodność LMS–SMS';
$SMARTY->assign(array(
	'groups' => $tvgroups,
	'tverror' => $tverror,
	'tvnotice' => LMSTV::notice(),
	'tvcanchange' => LMSTV::canChange(),
	'tvtoken' => LMSTV::csrfToken(),
));
$SMARTY->display('tvreconcile.html');
