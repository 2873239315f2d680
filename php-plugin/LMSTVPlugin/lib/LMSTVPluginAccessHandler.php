<?php

/*
 * access_table_initialized: the two TV permissions LMS offers in a user's rights.
 *
 * tv_full opens every TV module (tv…); tv_readonly the screens that only show data: the shared
 * screens LMSTV::menuEntries() marks read-only, and any tv…list|info|view|search module. Every
 * change a screen makes is also refused by the screen itself without tv_full (LMSTV::perform).
 */

class LMSTVPluginAccessHandler
{
    const FULL_REGEXP = '^tv[a-z0-9]*$';
    const READONLY_SUFFIX_REGEXP = 'tv[a-z0-9]*(list|info|view|search)';

    public static function readOnlyScreens()
    {
        $out = array();
        foreach (LMSTV::menuEntries() as $module => $entry) {
            if ($entry['readonly']) {
                $out[] = $module;
            }
        }
        return $out;
    }

    public static function readOnlyRegexp()
    {
        return '^(' . self::READONLY_SUFFIX_REGEXP . '|' . implode('|', self::readOnlyScreens()) . ')$';
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
            if (defined('AccessRights::FIRST_FORBIDDEN_PERMISSION')
                && $access->getPermission(AccessRights::FIRST_FORBIDDEN_PERMISSION) !== null) {
                $access->insertPermission($permission, AccessRights::FIRST_FORBIDDEN_PERMISSION);
            } else {
                $access->appendPermission($permission);
            }
        }
        return $data;
    }
}
