<?php

/*
 * modules_dir_initialized and smarty_initialized: LMS finds the plugin's modules (?m=tv_…) and
 * templates. Core modules stay first, so a TV module can never shadow one of LMS's.
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
        // extendsall resource ({block name=… append}) instead of replacing them.
        LMSTVPlugin::insertDefaultTemplateDir($smarty);
        $smarty->assign('lmstv_plugin_version', LMSTVPlugin::PLUGIN_SOFTWARE_VERSION);
        return $smarty;
    }
}
