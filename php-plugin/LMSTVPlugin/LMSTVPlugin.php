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
 * The TV screens are the LMS 1.11.17 shim's own: the plugin's modules/ run the shim's modules,
 * the customer page hooks its customer.tv.inc.php, its templates are the shim's (the installer
 * copies php-shim's modules, templates and lib/lmstv.stbsearch.php to shim/ here; shimDir()).
 * The plugin adds only what differs on current LMS: hooks instead of edits of LMS's files,
 * Permission objects instead of access table levels, {block … append} instead of patches.
 *
 * Permissions (lib/LMSTVPluginAccessHandler.php), for Administracja → Użytkownicy:
 *   tv_full     "TV — pełny dostęp"  every TV module (?m=tv…), reads and changes;
 *   tv_readonly "TV — tylko odczyt"  TV screens that only show data.
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

    /**
     * Directory of the shared shim code (lib/, modules/, templates/): the installed copy in the
     * plugin's shim/, else the repository's php-shim/ beside php-plugin/.
     */
    public static function shimDir()
    {
        $candidates = array(__DIR__ . DIRECTORY_SEPARATOR . 'shim', dirname(__DIR__, 2) . DIRECTORY_SEPARATOR . 'php-shim');
        foreach ($candidates as $dir) {
            if (is_file($dir . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . 'customer.tv.inc.php')) {
                return $dir;
            }
        }
        throw new Exception('lmstv: the shared TV screens (shim/modules, shim/templates) are missing from '
            . __DIR__ . '; reinstall with "lmstv plugin install"');
    }

    /** The bridge client (from LMS's classmap, else the shared copy) with this plugin's rights. */
    public static function loadClient()
    {
        if (!class_exists('LMSTV')) {
            require_once self::shimDir() . DIRECTORY_SEPARATOR . 'lib' . DIRECTORY_SEPARATOR . 'LMSTV.class.php';
        }
        LMSTV::$rightFull = self::PERMISSION_FULL;
        LMSTV::$rightRead = self::PERMISSION_READONLY;
    }

    public function registerHandlers()
    {
        foreach (array('Access', 'Menu', 'Init', 'Customer', 'QuickSearch') as $part) {
            require_once __DIR__ . DIRECTORY_SEPARATOR . 'lib' . DIRECTORY_SEPARATOR . 'LMSTVPlugin' . $part . 'Handler.php';
        }
        self::loadClient();
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
            'lms_initialized' => array(
                'class' => 'LMSTVPluginInitHandler',
                'method' => 'lmsInitialized',
            ),
            'access_table_initialized' => array(
                'class' => 'LMSTVPluginAccessHandler',
                'method' => 'accessTableInitialized',
            ),
            'customerinfo_before_display' => array(
                'class' => 'LMSTVPluginCustomerHandler',
                'method' => 'customerInfoBeforeDisplay',
            ),
            'customeredit_before_display' => array(
                'class' => 'LMSTVPluginCustomerHandler',
                'method' => 'customerEditBeforeDisplay',
            ),
            'quicksearch_after_submit' => array(
                'class' => 'LMSTVPluginQuickSearchHandler',
                'method' => 'quickSearchAfterSubmit',
            ),
        );
    }
}
