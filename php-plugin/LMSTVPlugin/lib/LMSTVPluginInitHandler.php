<?php

/*
 * modules_dir_initialized, smarty_initialized and lms_initialized: LMS finds the plugin's
 * modules (?m=tv…) and templates, and the bridge client acts as the logged-in user. Core modules
 * stay first, so a TV module can never shadow one of LMS's.
 */

class LMSTVPluginInitHandler
{
    public static function pluginDir()
    {
        return dirname(__DIR__);
    }

    public function modulesDirInitialized(array $modules_dirs)
    {
        $modules_dirs[] = self::pluginDir() . DIRECTORY_SEPARATOR . 'modules';
        return $modules_dirs;
    }

    public function smartyInitialized($smarty)
    {
        // First in the list, so the plugin's same-named templates extend LMS's through the
        // extendsall resource ({block name=… append}) instead of replacing them, and its
        // tvicon/tvbutton/tvboxhead/… replace the blocks of the shim's (LMS 1.11.17's look)
        // with current LMS's; the shared screen templates last, so LMS's own win any name
        // they share.
        LMSTVPlugin::insertDefaultTemplateDir($smarty);
        $shared = LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'templates';
        $smarty->addTemplateDir(array($shared . DIRECTORY_SEPARATOR . 'default', $shared));
        $smarty->assign('lmstv_plugin_version', LMSTVPlugin::PLUGIN_SOFTWARE_VERSION);
        return $smarty;
    }

    public function lmsInitialized($lms)
    {
        global $AUTH, $SESSION;
        LMSTVPlugin::loadClient();
        LMSTV::forLms(isset($AUTH) ? $AUTH : null, isset($SESSION) ? $SESSION : null);
        return $lms;
    }
}
