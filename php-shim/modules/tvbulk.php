<?php

/*
 * lmstv — TV → Akcje grupowe: one TV action (lock, unlock, message, add package) for every
 * linked customer of an LMS customer group. GET with a group shows the affected customers and
 * their count; only the confirmation POST (session token, full TV right) changes anything.
 */

if (!LMSTV::allowView())
	return;

$tvactions = array('lock' => 'Wstrzymaj usługi', 'unlock' => 'Wznów usługi',
	'message' => 'Wyślij wiadomość', 'add-package' => 'Dodaj pakiet');
$form = array(
	'group' => trim(LMSTV::get_('group', LMSTV::post_('group'))),
	'action' => LMSTV::get_('tvbulkaction', LMSTV::post_('tvbulkaction', 'lock')),
	'body' => LMSTV::get_('body', LMSTV::post_('body')),
	'extended' => LMSTV::get_('extended', LMSTV::post_('extended')),
	'package' => LMSTV::get_('package', LMSTV::post_('package')),
	'activate' => LMSTV::get_('activate', LMSTV::post_('activate')) ? 1 : 0,
);
if (!isset($tvactions[$form['action']]))
	$form['action'] = 'lock';

$tverror = null;
if (LMSTV::formPosted()) {
	$payload = array('group' => $form['group']);
	if ($form['action'] === 'message') {
		$payload['body'] = $form['body'];
		if (trim($form['extended']) !== '')
			$payload['extended'] = $form['extended'];
	}
	if ($form['action'] === 'add-package') {
		$payload['package'] = $form['package'];
		$payload['activate'] = (bool) $form['activate'];
	}
	$tverror = LMSTV::perform(function ($tv) use ($form, $payload) {
		return $tv->post('/bulk/' . $form['action'], $payload);
	}, function ($r) {
		return sprintf('Zmieniono: %d, pominięto: %d, błędy: %d.', count($r['changed']),
			count($r['skipped']), count($r['failures']))
			. ($r['failures'] ? ' ' . implode('; ', $r['failures']) : '');
	}, '?m=tvbulk');
}

// What the operator picks from: LMS's customer groups (with members and linked ones) and the
// packages on sale. Without them (bridge or SMS down) the field is typed in instead; only the
// groups' failure is shown (the preview needs the bridge, not SMS).
$tvgroups = null;
$tvpackages = null;
try {
	$tvgroups = LMSTV::instance()->get('/bulk/groups');
	$tvgroups = $tvgroups['groups'];
} catch (LMSTVError $e) {
	LMSTV::logError($e);
	if ($tverror === null)
		$tverror = $e->bannerText();
}
if ($tvgroups !== null) {
	try {
		$tvpackages = LMSTV::instance()->get('/packages');
	} catch (LMSTVError $e) {
		LMSTV::logError($e);
	}
}

$preview = null;
if ($tverror === null && $form['group'] !== '') {
	try {
		$preview = LMSTV::instance()->get('/bulk/preview', array('group' => $form['group']));
	} catch (LMSTVError $e) {
		LMSTV::logError($e);
		$tverror = $e->bannerText();
	}
}

$layout['pagetitle'] = 'Akcje grupowe';
$SMARTY->assign(array(
	'tverror' => $tverror,
	'tvnotice' => LMSTV::notice(),
	'tvcanchange' => LMSTV::canChange(),
	'tvtoken' => LMSTV::csrfToken(),
	'tvactions' => $tvactions,
	'tvform' => $form,
	'tvpreview' => $preview,
	'tvgroups' => $tvgroups,
	'tvpackages' => $tvpackages,
));
$SMARTY->display('tvbulk.html');
