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
	'submenu' => array_values(LMSTV::menuEntries()),
);
