"""`lmstv plugin`: the TV plugin for current LMS (28-git): install, uninstall, status."""
