<?php

/*
 * menu_initialized: the "Telewizja" menu. Its entries are the plugin's screens; what a user
 * sees of it is filtered by LMS itself (AccessRights::applyMenuPermissions) with the menu items
 * the TV permissions allow.
 */

class LMSTVPluginMenuHandler
{
    /** TV menu entries: key => [name, module, tip, prio]; screens add theirs here. */
    const ENTRIES = array(
        'tv_info' => array('O module TV', 'tv_info', 'Wersja modułu TV i jego połączenie z LMS', 90),
    );

    public function menuInitialized(array $menu)
    {
        $submenu = array();
        foreach (self::ENTRIES as $key => $entry) {
            $submenu[$key] = array(
                'name' => $entry[0],
                'link' => '?m=' . $entry[1],
                'tip' => $entry[2],
                'prio' => $entry[3],
            );
        }
        $menu[LMSTVPlugin::MENU_KEY] = array(
            'name' => 'Telewizja',
            'css' => 'lms-ui-icon-tv',
            'link' => '?m=' . self::ENTRIES[array_key_first(self::ENTRIES)][1],
            'tip' => 'Usługi telewizji JAMBOX',
            'accesskey' => 'j',
            // Right after LMS's "Klienci" (customers, prio 5): TV work starts from a customer.
            'prio' => 6,
            'submenu' => $submenu,
        );
        return $menu;
    }
}
