<?php

/*
 * access_table_initialized: the two TV permissions LMS offers in a user's rights.
 *
 * tv_full opens every TV module: the shared screens (tv<name>, the names they have on LMS
 * 1.11.17, so links and forms are the same in both) and the plugin's own (tv_<name>).
 * tv_readonly opens the screens that only show data: the shared ones LMSTV::menuEntries() marks
 * read-only, and the plugin's tv_…list|info|view|search.
 *
 * LMS's own read_only permission allows every module matching ^[a-z]+(list|info|view|…)$, so
 * it also lets tvstblist, tvpackageslist, tvsubnetlist through (a deny regexp cannot fix that: in
 * LMS any deny beats every allow, and TV read-only users hold read_only too). Those shared
 * screens therefore check a TV right themselves (LMSTV::allowView(): LMS's no-access page), and
 * every change they make needs tv_full (LMSTV::perform). The plugin's own screens avoid the
 * question: [a-z]+ does not match '_', so "tv_info" is reachable with a TV right only.
 */

class LMSTVPluginAccessHandler
{
    const FULL_REGEXP = '^tv[a-z0-9_]+$';
    const READONLY_OWN_REGEXP = 'tv_[a-z0-9_]*(list|info|view|search)';

    /** Read-only screens of the TV menu: the shared ones marked so, and the plugin's own. */
    public static function readOnlyScreens()
    {
        $out = array();
        foreach (LMSTV::menuEntries() as $module => $entry) {
            if ($entry['readonly']) {
                $out[] = $module;
            }
        }
        foreach (array_keys(LMSTVPluginMenuHandler::ENTRIES) as $module) {
            if (preg_match('/^' . self::READONLY_OWN_REGEXP . '$/', $module)) {
                $out[] = $module;
            }
        }
        return $out;
    }

    public static function readOnlyRegexp()
    {
        $shared = array();
        foreach (LMSTV::menuEntries() as $module => $entry) {
            if ($entry['readonly']) {
                $shared[] = $module;
            }
        }
        // tvquicksearch: the STB suggestions of the quick search and the STB issue form (read-only)
        $shared[] = 'tvquicksearch';
        return '^(' . self::READONLY_OWN_REGEXP . '|' . implode('|', $shared) . ')$';
    }

    public function accessTableInitialized($data = null)
    {
        $access = AccessRights::getInstance();
        $full = new Permission(LMSTVPlugin::PERMISSION_FULL, 'TV — pełny dostęp', self::FULL_REGEXP, null,
            array(LMSTVPlugin::MENU_KEY => Permission::MENU_ALL));
        $readonly = new Permission(LMSTVPlugin::PERMISSION_READONLY, 'TV — tylko odczyt', self::readOnlyRegexp(), null,
            array(LMSTVPlugin::MENU_KEY => self::readOnlyScreens()));
        foreach (array($full, $readonly) as $permission) {
            if ($access->getPermission($permission->getName()) !== null) {
                continue;
            }
            if ($access->getPermission(AccessRights::FIRST_FORBIDDEN_PERMISSION) !== null) {
                $access->insertPermission($permission, AccessRights::FIRST_FORBIDDEN_PERMISSION);
            } else {
                $access->appendPermission($permission);
            }
        }
        return $data;
    }
}
