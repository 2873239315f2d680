<?php

/*
 * quicksearch_after_submit: the "STB (MAC)" field of LMS's quick search (mode tvstb,
 * templates/quicksearchcontents.html). The search itself is the shim's lib/lmstv.stbsearch.php.
 */

class LMSTVPluginQuickSearchHandler
{
    /**
     * Quick search "STB (MAC)" (templates/quicksearchcontents.html, mode tvstb): LMS's AutoSuggest
     * asks with ajax=1 and gets JSON; Enter jumps to the one customer holding the STB.
     */
    public function quickSearchAfterSubmit(array $hook_data)
    {
        if (!isset($hook_data['mode']) || $hook_data['mode'] !== 'tvstb') {
            return $hook_data;
        }
        require_once LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'lib' . DIRECTORY_SEPARATOR . 'lmstv.stbsearch.php';
        $search = (string) $hook_data['search'];
        if (isset($_GET['ajax'])) {
            header('Content-Type: application/json; charset=utf-8');
            header('X-Content-Type-Options: nosniff');
            echo json_encode(self::suggestions($search));
            if (isset($hook_data['session'])) {
                $hook_data['session']->close();
            }
            exit;
        }
        $hook_data['target'] = lmstv_stb_jump($search, '?m=welcome');
        return $hook_data;
    }

    /** LMS's AutoSuggest rows (name and description go in as HTML, so they are escaped here). */
    public static function suggestions($search)
    {
        if (!LMSTV::canView()) {
            return array();
        }
        try {
            $stbs = lmstv_stb_search($search);
        } catch (LMSTVError $e) {
            LMSTV::logError($e);
            return array(array('name' => htmlspecialchars($e->bannerText(), ENT_QUOTES, 'UTF-8'),
                'name_class' => 'lms-ui-alert', 'description' => '', 'description_class' => '', 'action' => ''));
        }
        $out = array();
        foreach ($stbs as $s) {
            $target = lmstv_stb_target($s);
            if ($target === '') {
                continue;  // nowhere to jump to: TV → Lista STB shows these
            }
            $out[] = array(
                'name' => htmlspecialchars($s['stb_mac'], ENT_QUOTES, 'UTF-8'),
                'icon' => 'lms-ui-icon-tv',
                'name_class' => '',
                'description' => htmlspecialchars(lmstv_stb_owner($s), ENT_QUOTES, 'UTF-8'),
                'description_class' => '',
                'action' => $target,
            );
        }
        return $out;
    }
}
