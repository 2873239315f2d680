<?php

/*
 * lmstv — the "TV" menu (included from lib/menu.php). The modules check the TV rights
 * themselves; the menu is hidden from users holding neither.
 */

// Shown only to users holding full access or a TV right (lib/accesstable.php levels 0, 40, 41).
// LMS builds the menu before it loads the privileges, so the rights mask is read directly.
$lmstv_menu_rights = (isset($AUTH) && is_object($AUTH) && $AUTH->id && isset($LMS))
	? $LMS->GetUserRights($AUTH->id) : array();
if (is_array($lmstv_menu_rights) && array_intersect(array(0, 40, 41), $lmstv_menu_rights))
$menu['tv'] = array(
	'name' => 'TV',
	'img' => 'tv_icon.png',
	'link' => '?m=tvcustomers',
	'tip' => 'Zarządzanie usługami TV JAMBOX',
	'accesskey' => 'v',
	'prio' => 19,
	'submenu' => array(
		array('name' => 'Lista klientów', 'link' => '?m=tvcustomers', 'tip' => 'Klienci zarejestrowani w SMS', 'prio' => 10),
		array('name' => 'Lista dostępnych pakietów', 'link' => '?m=tvpackageslist', 'tip' => 'Pakiety aktualnie w sprzedaży', 'prio' => 20),
		array('name' => 'Lista STB', 'link' => '?m=tvstblist', 'tip' => 'Dekodery: magazyn i klienci', 'prio' => 30),
		array('name' => 'Podziel podsieć', 'link' => '?m=tvsubnetlist', 'tip' => 'Lista i podział podsieci', 'prio' => 40),
		array('name' => 'Lista zdarzeń bilingowych', 'link' => '?m=tvbillingevents', 'tip' => 'Zdarzenia bilingowe pobrane z SGT', 'prio' => 50),
		array('name' => 'Lista wiadomości', 'link' => '?m=tvmessages', 'tip' => 'Wiadomości wysłane na TV', 'prio' => 60),
		array('name' => 'Nowa wiadomość', 'link' => '?m=tvmessagessend', 'tip' => 'Wiadomość do wszystkich aktywnych klientów', 'prio' => 61),
		array('name' => 'Zgodność LMS–SMS', 'link' => '?m=tvreconcile', 'tip' => 'Gdzie LMS i SMS się nie zgadzają', 'prio' => 65),
		array('name' => 'Akcje grupowe', 'link' => '?m=tvbulk', 'tip' => 'Akcja TV dla grupy klientów LMS', 'prio' => 66),
		array('name' => 'Odśwież dane', 'link' => '?m=tvcleancache', 'tip' => 'Wyczyść bufor danych z SMS', 'prio' => 71),
	),
);
