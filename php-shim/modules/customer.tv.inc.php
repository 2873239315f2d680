<?php

/*
 * lmstv — the customer page's "Konta TV" and "Wiadomości wysłane na TV" boxes.
 *
 * Included from modules/customer.inc.php. On customerinfo it first handles a TV form POST
 * (tvaction=…, each one bridge call, then a redirect back), then loads the whole box with one
 * bridge request. Needs a TV right to show anything and "TV — pełny dostęp" to change anything.
 */

// customerinfo handles the TV forms and shows both boxes; customeredit shows the accounts box,
// whose forms post to customerinfo.
if (isset($layout['module']) && ($layout['module'] == 'customerinfo' || $layout['module'] == 'customeredit')
	&& LMSTV::canView()) {
	$tv_customerid = intval($customerid);
	// Forms posted from the edit page (customertvexportform.html) go back there; whitelisted.
	$tv_back = '?m=' . (LMSTV::post_('tvback') === 'customeredit' ? 'customeredit' : 'customerinfo')
		. '&id=' . $tv_customerid . '#tvaccountbox';
	$tv_error = null;
	// What the operator entered, re-shown after a refusal; every key present so templates never
	// read a missing index.
	$tv_fields = array('cust_vod_pin', 'cust_master_pin', 'cust_i_street', 'cust_i_home_nr', 'cust_i_flat',
		'cust_i_postal_code', 'cust_i_city', 'pkglistdate', 'term_date', 'term_fee', 'term_desc',
		'upgrade_choice', 'extra_package_id', 'stb_mac', 'subnet_id');
	$tv_form = array('action' => '', 'account_id' => 0, 'subscription_id' => 0,
		'post' => array_fill_keys($tv_fields, '') + array('pkglist' => array()));

	if (isset($_POST['tvaction']) && $layout['module'] == 'customerinfo') {
		$tv_action = LMSTV::post_('tvaction');
		$tv_account = intval(LMSTV::post_('account_id'));
		$tv_sub = intval(LMSTV::post_('subscription_id'));
		$tv_form['action'] = $tv_action;
		$tv_form['account_id'] = $tv_account;
		$tv_form['subscription_id'] = $tv_sub;
		foreach ($tv_fields as $tv_f)
			$tv_form['post'][$tv_f] = LMSTV::post_($tv_f);
		if (isset($_POST['pkglist']) && is_array($_POST['pkglist']))
			$tv_form['post']['pkglist'] = $_POST['pkglist'];
		$tv_address = array(
			'cust_i_street' => LMSTV::post_('cust_i_street'),
			'cust_i_home_nr' => LMSTV::post_('cust_i_home_nr'),
			'cust_i_flat' => LMSTV::post_('cust_i_flat'),
			'cust_i_postal_code' => LMSTV::post_('cust_i_postal_code'),
			'cust_i_city' => LMSTV::post_('cust_i_city'),
		);
		switch ($tv_action) {
			case 'export':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid) {
					return $tv->post(LMSTV::customerPath($tv_customerid, '/export'));
				}, function ($r) {
					$what = array('created' => 'Dodano klienta do SMS', 'linked' => 'Powiązano klienta z SMS',
						'updated' => 'Zaktualizowano dane klienta w SMS');
					$a = isset($r['action'], $what[$r['action']]) ? $what[$r['action']] : 'Wyeksportowano klienta do SMS';
					return $a . ' (numer klienta: ' . (isset($r['cust_number']) ? $r['cust_number'] : '?') . ').';
				}, $tv_back);
				break;
			case 'pins':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid) {
					return $tv->put(LMSTV::customerPath($tv_customerid, '/pins'), array(
						'cust_vod_pin' => LMSTV::post_('cust_vod_pin'),
						'cust_master_pin' => LMSTV::post_('cust_master_pin')));
				}, 'Zapisano PIN-y.', $tv_back);
				break;
			case 'account_add':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_address) {
					return $tv->post(LMSTV::customerPath($tv_customerid, '/accounts'), $tv_address);
				}, 'Dodano konto TV.', $tv_back);
				break;
			case 'account_edit':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_address) {
					return $tv->put(LMSTV::accountPath($tv_customerid, $tv_account), $tv_address);
				}, 'Zapisano adres instalacji.', $tv_back);
				break;
			case 'account_del':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account) {
					return $tv->delete(LMSTV::accountPath($tv_customerid, $tv_account));
				}, 'Usunięto konto TV.', $tv_back);
				break;
			case 'account_lock':
			case 'account_unlock':
				$tv_verb = $tv_action == 'account_lock' ? 'lock' : 'unlock';
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_verb) {
					return $tv->post(LMSTV::accountPath($tv_customerid, $tv_account, '/' . $tv_verb));
				}, $tv_verb == 'lock' ? 'Wstrzymano usługi na koncie.' : 'Wznowiono usługi na koncie.', $tv_back);
				break;
			case 'packages_add':
				$tv_ids = array();
				if (isset($_POST['pkglist']) && is_array($_POST['pkglist']))
					foreach ($_POST['pkglist'] as $tv_id => $tv_on)
						$tv_ids[] = intval($tv_id);
				// The button pressed decides; there is no hidden default that activates (and bills).
				$tv_activate = isset($_POST['add_and_activate']);
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_ids, $tv_activate) {
					return $tv->post(LMSTV::accountPath($tv_customerid, $tv_account, '/subscriptions'), array(
						'package_ids' => $tv_ids,
						'start_date' => LMSTV::formDate(LMSTV::post_('pkglistdate')),
						'activate' => $tv_activate));
				}, $tv_activate ? 'Dodano i aktywowano usługi.' : 'Dodano usługi (nieaktywne).', $tv_back);
				break;
			case 'activate':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_sub) {
					return $tv->post(LMSTV::subscriptionPath($tv_customerid, $tv_account, $tv_sub, '/activate'));
				}, 'Aktywowano usługę.', $tv_back);
				break;
			case 'terminate':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_sub) {
					return $tv->post(LMSTV::subscriptionPath($tv_customerid, $tv_account, $tv_sub, '/terminate'), array(
						'term_date' => LMSTV::formDate(LMSTV::post_('term_date')),
						'term_fee' => LMSTV::post_('term_fee'),
						'term_desc' => LMSTV::post_('term_desc')));
				}, 'Zaterminowano usługę.', $tv_back);
				break;
			case 'upgrade':
				// One radio per (package, date) pair, so a date can only go with its own package.
				$tv_choice = explode('|', LMSTV::post_('upgrade_choice'), 2);
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_sub, $tv_choice) {
					return $tv->post(LMSTV::subscriptionPath($tv_customerid, $tv_account, $tv_sub, '/upgrade'), array(
						'package_id' => $tv_choice[0],
						'date' => isset($tv_choice[1]) ? $tv_choice[1] : ''));
				}, 'Zmieniono pakiet.', $tv_back);
				break;
			case 'gift':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_sub) {
					return $tv->post(LMSTV::subscriptionPath($tv_customerid, $tv_account, $tv_sub, '/gift'), array(
						'package_id' => LMSTV::post_('extra_package_id')));
				}, 'Wydano pakiet prezent.', $tv_back);
				break;
			case 'stb_issue':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_sub) {
					return $tv->post(LMSTV::subscriptionPath($tv_customerid, $tv_account, $tv_sub, '/stb'), array(
						'mac' => LMSTV::post_('stb_mac'),
						'subnet_id' => LMSTV::post_('subnet_id')));
				}, 'Wydano STB.', $tv_back);
				break;
			case 'stb_return':
				$tv_mac = LMSTV::post_('stb_mac');
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_account, $tv_mac) {
					return $tv->delete(LMSTV::accountPath($tv_customerid, $tv_account, '/stb/' . rawurlencode($tv_mac)));
				}, 'Zwrócono STB na magazyn.', $tv_back);
				break;
			case 'suspend_billing':
				$tv_suspend = LMSTV::post_('suspended') === '1';
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_suspend) {
					return $tv->put(LMSTV::customerPath($tv_customerid, '/billing-suspension'),
						array('suspended' => $tv_suspend));
				}, $tv_suspend ? 'Wstrzymano fakturowanie TV klienta.' : 'Wznowiono fakturowanie TV klienta.', $tv_back);
				break;
			case 'msg_del':
				$tv_msg = intval(LMSTV::post_('message_id'));
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid, $tv_msg) {
					return $tv->delete(LMSTV::customerPath($tv_customerid, '/messages/' . $tv_msg));
				}, 'Usunięto wiadomość.', '?m=customerinfo&id=' . $tv_customerid . '#tvmessagesbox');
				break;
			case 'msg_del_all':
				$tv_error = LMSTV::perform(function ($tv) use ($tv_customerid) {
					return $tv->delete(LMSTV::customerPath($tv_customerid, '/messages'));
				}, 'Usunięto wszystkie wiadomości klienta.', '?m=customerinfo&id=' . $tv_customerid . '#tvmessagesbox');
				break;
			default:
				$tv_error = 'Nieznana operacja TV.';
		}
	}

	$tvbox = null;
	try {
		$tvbox = LMSTV::instance()->customerTv($tv_customerid);
	} catch (LMSTVError $e) {
		LMSTV::logError($e);
		$tv_error = $tv_error ? $tv_error . ' ' . $e->bannerText() : $e->bannerText();
	}

	$SMARTY->assign(array(
		'tvbox' => $tvbox,
		'tverror' => $tv_error,
		'tvnotice' => LMSTV::notice(),
		'tvform' => $tv_form,
		'tvcanchange' => LMSTV::canChange(),
		'tvtoken' => LMSTV::csrfToken(),
		'tvtoday' => date('Y/m/d'),
	));
}
