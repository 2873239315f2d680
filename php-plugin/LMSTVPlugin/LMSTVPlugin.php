<?php

/*
 * lmstv — JAMBOX IPTV for current LMS (28-git), as an LMS plugin.
 *
 * The same screens as the LMS 1.11.17 shim: the plugin's modules and the customer-page hooks run
 * the shim's shared code (lib/LMSTV.class.php, modules/*.php, templates/*.html) — which lives in
 * this plugin's shim/ directory when installed (lmstv plugin install), or in the repository's
 * php-shim/ next to php-plugin/ — and differ only where LMS differs: hooks instead of edits of
 * LMS's files, Permission objects instead of access table levels, {block … append} templates.
 *
 * The class is not called LMSTV: that is the bridge client's name (lib/LMSTV.class.php), and LMS
 * requires a plugin's class to bear its directory's name.
 */

class LMSTVPlugin extends LMSPlugin
{
    const PLUGIN_NAME = 'LMSTV — JAMBOX IPTV';
    const PLUGIN_DESCRIPTION = 'Usługi TV JAMBOX (SMS) w LMS: konta TV klientów, pakiety, STB, wiadomości, zdarzenia bilingowe';
    const PLUGIN_AUTHOR = 'lmstv';
    const PLUGIN_SOFTWARE_VERSION = '1.0.0';

    /** LMS's rights for TV (the same names the 1.11.17 shim's access table levels carry). */
    const RIGHT_FULL = 'tv_full_access';
    const RIGHT_READ = 'tv_read_only';

    /** Directory of the shared shim code: the installed copy, else the repository's php-shim/. */
    public static function shimDir()
    {
        foreach (array(__DIR__ . DIRECTORY_SEPARATOR . 'shim', dirname(__DIR__, 2) . DIRECTORY_SEPARATOR . 'php-shim') as $dir) {
            if (is_file($dir . DIRECTORY_SEPARATOR . 'lib' . DIRECTORY_SEPARATOR . 'LMSTV.class.php')) {
                return $dir;
            }
        }
        throw new Exception('lmstv: the shared PHP code (shim/lib/LMSTV.class.php) is missing from '
            . __DIR__ . '; reinstall with "lmstv plugin install"');
    }

    public static function loadShared()
    {
        require_once self::shimDir() . DIRECTORY_SEPARATOR . 'lib' . DIRECTORY_SEPARATOR . 'LMSTV.class.php';
        require_once __DIR__ . DIRECTORY_SEPARATOR . 'handlers' . DIRECTORY_SEPARATOR . 'LMSTVPluginHandler.php';
    }

    public function registerHandlers()
    {
        self::loadShared();
        $hooks = array(
            'access_table_initialized' => 'accessTableInitialized',
            'menu_initialized' => 'menuInitialized',
            'modules_dir_initialized' => 'modulesDirInitialized',
            'smarty_initialized' => 'smartyInitialized',
            'lms_initialized' => 'lmsInitialized',
            'customerinfo_before_display' => 'customerInfoBeforeDisplay',
            'customeredit_before_display' => 'customerEditBeforeDisplay',
            'quicksearch_after_submit' => 'quickSearchAfterSubmit',
        );
        $this->handlers = array();
        foreach ($hooks as $hook => $method) {
            $this->handlers[$hook] = array('class' => 'LMSTVPluginHandler', 'method' => $method);
        }
    }
}
