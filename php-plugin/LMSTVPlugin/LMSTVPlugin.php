<?php

/*
 * lmstv — JAMBOX IPTV (SGT SMS) for current LMS (28-git), as an LMS plugin.
 *
 * Installed by `lmstv plugin install --lms-dir DIR` into DIR/plugins/LMSTVPlugin/ and enabled
 * in uiconfig phpui.plugins; never by editing LMS's own files. Screens only: every TV read and
 * write goes to the lmstv bridge through the shared client LMSTV (php-shim/lib/LMSTV.class.php,
 * which the installer copies to lib/LMSTV.class.php here, so LMS's classmap loads it like any
 * plugin class). That client already owns the name "LMSTV", hence this class's name.
 *
 * Permissions (lib/LMSTVPluginAccessHandler.php), for Administracja → Użytkownicy:
 *   tv_full     "TV — pełny dostęp"  every TV module (?m=tv_…), reads and changes;
 *   tv_readonly "TV — tylko odczyt"  TV modules that only show data (?m=tv_…list|info|view|search).
 * Users with LMS's full_access get the TV menu and modules as well.
 */

class LMSTVPlugin extends LMSPlugin
{
    const PLUGIN_NAME = 'Telewizja JAMBOX (lmstv)';
    const PLUGIN_DESCRIPTION = 'Usługi telewizji JAMBOX (SGT SMS) w LMS: pakiety, dekodery, rozliczenia';
    const PLUGIN_AUTHOR = 'lmstv';
    const PLUGIN_SOFTWARE_VERSION = '0.1.0';

    /** Permission names (users.rights holds them, comma separated). */
    const PERMISSION_FULL = 'tv_full';
    const PERMISSION_READONLY = 'tv_readonly';

    /** Key of the TV menu in LMS's $menu; screens add their entries under its 'submenu'. */
    const MENU_KEY = 'tv';

    public function registerHandlers()
    {
        $this->handlers = array(
            'menu_initialized' => array(
                'class' => 'LMSTVPluginMenuHandler',
                'method' => 'menuInitialized',
            ),
            'modules_dir_initialized' => array(
                'class' => 'LMSTVPluginInitHandler',
                'method' => 'modulesDirInitialized',
            ),
            'smarty_initialized' => array(
                'class' => 'LMSTVPluginInitHandler',
                'method' => 'smartyInitialized',
            ),
            'access_table_initialized' => array(
                'class' => 'LMSTVPluginAccessHandler',
                'method' => 'accessTableInitialized',
            ),
        );
    }
}
