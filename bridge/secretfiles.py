"""Who besides the bridge can read lmstv.ini, which holds the SMS password.

The documented layout splits the configuration: ``/etc/lms/lmstv.ini`` (SMS credentials, database)
is ``root:lmstv 0640`` and only the bridge and root read it; the PHP shim reads
``/etc/lms/lmstv-shim.ini`` (bridge address, secret, timeouts), ``lmstv:www-data 0640``.
``lmstv check`` uses :func:`web_server_readers` to warn when the web server could read the password.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from pathlib import Path

# The web server's user on Debian/Ubuntu, RHEL, nginx builds and Arch.
WEB_SERVER_USERS = ("www-data", "apache", "nginx", "http")


def _can_read(st: os.stat_result, user: pwd.struct_passwd) -> bool:
    if user.pw_uid == 0:
        return True
    if st.st_uid == user.pw_uid:
        return bool(st.st_mode & stat.S_IRUSR)
    groups = {user.pw_gid} | {g.gr_gid for g in grp.getgrall() if user.pw_name in g.gr_mem}
    if st.st_gid in groups:
        return bool(st.st_mode & stat.S_IRGRP)
    return bool(st.st_mode & stat.S_IROTH)


def web_server_readers(path: str | Path, users: tuple[str, ...] = WEB_SERVER_USERS) -> list[str]:
    """The web server users existing on this machine that the file's mode lets read it."""
    st = os.stat(path)
    found = []
    for name in users:
        try:
            user = pwd.getpwnam(name)
        except KeyError:
            continue
        if _can_read(st, user):
            found.append(name)
    return found
