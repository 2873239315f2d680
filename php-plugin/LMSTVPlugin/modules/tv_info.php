<?php

/*
 * ?m=tv_info — "O module TV": the plugin's version, the user's TV right (LMS's privileges from
 * the plugin's permissions; full_access counts as every right) and whether the bridge answers
 * with the configured secret (/health/ready). Read-only (open to tv_readonly); no TV data.
 */

$layout['pagetitle'] = 'Telewizja — o module';

$bridge = array('ok' => false, 'message' => 'brak pliku lib/LMSTV.class.php — uruchom ponownie „lmstv plugin install”');
if (class_exists('LMSTV')) {
    try {
        LMSTV::instance()->get('/health/ready');
        $bridge = array('ok' => true, 'message' => 'działa');
    } catch (LMSTVError $e) {
        $bridge = array('ok' => false, 'message' => $e->bannerText());
    }
}

$SMARTY->assign('lmstv_info', array(
    'plugin' => LMSTVPlugin::PLUGIN_NAME,
    'version' => LMSTVPlugin::PLUGIN_SOFTWARE_VERSION,
    'right' => ConfigHelper::checkPrivilege(LMSTVPlugin::PERMISSION_FULL) ? 'pełny dostęp'
        : (ConfigHelper::checkPrivilege(LMSTVPlugin::PERMISSION_READONLY) ? 'tylko odczyt' : 'brak'),
    'bridge' => $bridge,
));
$SMARTY->display('tv/tv_info.html');
