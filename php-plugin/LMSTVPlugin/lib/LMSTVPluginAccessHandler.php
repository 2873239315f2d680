<?php

/*
 * access_table_initialized: the two TV permissions LMS offers in a user's rights.
 *
 * Module naming contract for the plugin's screens: every TV module is named tv_<something>
 * (lowercase, digits, '_'); modules that only show data end in list|info|view|search and are
 * open to tv_readonly too. Changing actions live in modules with other endings (tv_…edit,
 * tv_…add, tv_…del, …).
 *
 * Why the '_': LMS's own read_only permission allows every module matching
 * ^[a-z]+(list|info|view|search|…)$, so a module "tvinfo" would open to any read-only user
 * without a TV right (a deny regexp cannot fix that: in LMS any deny beats every allow, and
 * TV read-only users hold read_only too). [a-z]+ does not match '_', so "tv_info" is ours only.
 */

class LMSTVPluginAccessHandler
{
    const FULL_REGEXP = '^tv_[a-z0-9_]+$';
    const READONLY_REGEXP = '^tv_[a-z0-9_]*(list|info|view|search)$';

    public function accessTableInitialized($data = null)
    {
        $access = AccessRights::getInstance();
        $menu = array(LMSTVPlugin::MENU_KEY => Permission::MENU_ALL);
        $access->insertPermission(
            new Permission(LMSTVPlugin::PERMISSION_FULL, 'TV — pełny dostęp', self::FULL_REGEXP, null, $menu),
            AccessRights::FIRST_FORBIDDEN_PERMISSION
        );
        $access->insertPermission(
            new Permission(LMSTVPlugin::PERMISSION_READONLY, 'TV — tylko odczyt', self::READONLY_REGEXP, null, $menu),
            AccessRights::FIRST_FORBIDDEN_PERMISSION
        );
        return $data;
    }
}
