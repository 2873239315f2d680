<?php

/*
 * lmstv plugin — LMS hook handlers. Each one only wires LMS to the shared shim code: rights, the
 * TV menu, the modules and templates directories, the customer page boxes and quick search.
 * No TV logic here; every TV datum comes from the bridge through LMSTV.
 */

class LMSTVPluginHandler
{
    /** "TV — pełny dostęp" and "TV — tylko odczyt" in LMS's user rights (Permission objects). */
    public function accessTableInitialized($hook_data = null)
    {
        $access = AccessRights::getInstance();
        $readonly = array();
        foreach (LMSTV::menuEntries() as $module => $entry) {
            if ($entry['readonly']) {
                $readonly[] = $module;
            }
        }
        if ($access->getPermission(LMSTVPlugin::RIGHT_FULL) === null) {
            $access->appendPermission(new Permission(
                LMSTVPlugin::RIGHT_FULL,
                'TV — pełny dostęp',
                '^tv[a-z]*$',
                null,
                array('tv' => Permission::MENU_ALL)
            ));
        }
        if ($access->getPermission(LMSTVPlugin::RIGHT_READ) === null) {
            $access->appendPermission(new Permission(
                LMSTVPlugin::RIGHT_READ,
                'TV — tylko odczyt',
                '^(' . implode('|', $readonly) . '|tvquicksearch)$',
                null,
                array('tv' => $readonly)
            ));
        }
        return $hook_data;
    }

    /** The TV menu; LMS itself hides it (or its items) from users without a TV right. */
    public function menuInitialized($menu)
    {
        $submenu = array();
        foreach (LMSTV::menuEntries() as $module => $entry) {
            unset($entry['readonly']);
            $submenu[$module] = $entry;
        }
        $menu['tv'] = array(
            'name' => 'TV',
            'css' => 'lms-ui-icon-tv',
            'link' => '?m=tvcustomers',
            'tip' => 'Zarządzanie usługami TV JAMBOX',
            'accesskey' => 'v',
            'prio' => 19,
            'submenu' => $submenu,
        );
        return $menu;
    }

    public function modulesDirInitialized($dirs)
    {
        $dirs[] = dirname(__DIR__) . DIRECTORY_SEPARATOR . 'modules';
        return $dirs;
    }

    /**
     * The plugin's templates (extensions of LMS's customer page and quick search) go first, the
     * shared screen templates last, so LMS's own templates win any name they share.
     */
    public function smartyInitialized($smarty)
    {
        $dirs = $smarty->getTemplateDir();
        array_unshift($dirs, dirname(__DIR__) . DIRECTORY_SEPARATOR . 'templates');
        $shim = LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'templates';
        $dirs[] = $shim . DIRECTORY_SEPARATOR . 'default';
        $dirs[] = $shim;
        $smarty->setTemplateDir(array_values(array_unique($dirs)));
        $smarty->assign('lmstv_flavour', 'lms28');
        return $smarty;
    }

    /** The bridge client for this request, acting as the logged-in LMS user. */
    public function lmsInitialized($lms)
    {
        global $AUTH, $SESSION;
        LMSTV::forLms(isset($AUTH) ? $AUTH : null, isset($SESSION) ? $SESSION : null);
        return $lms;
    }

    public function customerInfoBeforeDisplay(array $hook_data)
    {
        $this->customerBox($hook_data);
        return $hook_data;
    }

    public function customerEditBeforeDisplay(array $hook_data)
    {
        $this->customerBox($hook_data);
        return $hook_data;
    }

    /**
     * The "Konta TV" and TV messages boxes: the shim's customer.tv.inc.php (a TV form POST first,
     * then the box's one bridge request), run with the variables it has on LMS 1.11.17.
     */
    private function customerBox(array $hook_data)
    {
        global $layout, $SESSION, $AUTH, $LMS;
        // xajax calls of the customer page carry no TV form and show no box
        if (isset($_POST['xjxfun']) || empty($hook_data['customerinfo']['id'])) {
            return;
        }
        $SMARTY = $hook_data['smarty'];
        $customerid = intval($hook_data['customerinfo']['id']);
        include LMSTVPlugin::shimDir() . DIRECTORY_SEPARATOR . 'modules' . DIRECTORY_SEPARATOR . 'customer.tv.inc.php';
    }

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
