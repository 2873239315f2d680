<?php

/*
 * menu_initialized: the "Telewizja" menu — the shared TV screens (LMSTV::menuEntries(), the
 * same list the 1.11.17 shim's menu shows), then the plugin's own. What a user sees of it is
 * filtered by LMS itself (AccessRights::applyMenuPermissions) with the menu items the TV
 * permissions allow.
 */

class LMSTVPluginMenuHandler
{
    /** The plugin's own screens: key => [name, module, tip, prio]. */
    const ENTRIES = array(
        'tv_info' => array('O module TV', 'tv_info', 'Wersja modułu TV i jego połączenie z LMS', 90),
    );

    public function menuInitialized(array $menu)
    {
        $submenu = array();
        foreach (LMSTV::menuEntries() as $module => $entry) {
            unset($entry['readonly']);
            $submenu[$module] = $entry;
        }
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
            'link' => '?m=tvcustomers',
            'tip' => 'Usługi telewizji JAMBOX',
            'accesskey' => 'j',
            // Right after LMS's "Klienci" (customers, prio 5): TV work starts from a customer.
            'prio' => 6,
            'submenu' => $submenu,
        );
        return $menu;
    }
}
