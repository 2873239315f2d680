<?php

/*
 * ?m=tv_info — "O module TV": the plugin's version and whether the shared bridge client is in
 * place. Read-only (open to tv_readonly); no TV data, so no bridge call.
 */

$layout['pagetitle'] = 'Telewizja — o module';

$SMARTY->assign('lmstv_info', array(
    'plugin' => LMSTVPlugin::PLUGIN_NAME,
    'version' => LMSTVPlugin::PLUGIN_SOFTWARE_VERSION,
    'client' => class_exists('LMSTV'),
));
$SMARTY->display('tv/tv_info.html');
