"""lmstv-shim.ini, the PHP shim's settings file: which one the shim reads, whether it agrees with
the bridge (for ``lmstv check``), and writing it from the bridge's settings when it is missing
(for ``lmstv shim install``).

The shim (php-shim/lib/LMSTV.class.php ``configCandidates``) reads the first readable of
``$LMSTV_SHIM_CONFIG``, ``<LMS root>/lmstv-shim.ini``, ``/etc/lms/lmstv-shim.ini`` and only then
falls back to ``lmstv.ini``.  Nothing here ever prints a secret.
"""

from __future__ import annotations

import grp
import os
import pwd
import stat
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

from bridge.config import (
    DEFAULT_CONFIG_PATH,
    Config,
    ConfigError,
    _read_file,
    _Reader,
    new_secret,
)
from bridge.secretfiles import WEB_SERVER_USERS, web_server_readers

DEFAULT_SHIM_CONFIG = "/etc/lms/lmstv-shim.ini"
SHIM_DEFAULT_BIND = "127.0.0.1:8765"  # the shim's own default when [bridge] bind is empty
# The documented owner and mode (README "Files", docs/install-lms.md step 2).
OWNER, GROUP, MODE = "lmstv", "www-data", 0o640


@dataclass
class Finding:
    """One line of ``lmstv check`` about the shim's file."""

    level: str  # "OK", "WARN" or "FAIL"
    detail: str
    fix: str | None = None


def shim_candidates(lms_dir: str) -> list[Path]:
    """Where the shim looks for lmstv-shim.ini, in its order ($LMSTV_SHIM_CONFIG aside: that is
    the web server's environment, which lmstv cannot see)."""
    return [Path(lms_dir) / "lmstv-shim.ini", Path(DEFAULT_SHIM_CONFIG)]


def _same(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve()
    except OSError:
        return False


def inspect(cfg: Config) -> list[Finding]:
    """Check the lmstv-shim.ini the shim will read against the bridge's settings."""
    candidates = shim_candidates(cfg.lms_dir)
    first = next((c for c in candidates if c.is_file()), None)
    out: list[Finding] = []
    if cfg.shim_config:
        path = Path(cfg.shim_config)
        if first is not None and not _same(first, path):
            out.append(Finding("FAIL", f"the shim reads {first} before {path} ([bridge] "
                               "shim_config)", f"remove {first}, or point [bridge] shim_config "
                               "at it"))
        elif first is None:
            out.append(Finding("WARN", f"the shim does not look in {path.parent}; it finds "
                               f"{path.name} there only through $LMSTV_SHIM_CONFIG",
                               f"set LMSTV_SHIM_CONFIG={path} in the web server's environment, "
                               f"or move the file to {DEFAULT_SHIM_CONFIG}"))
    elif first is not None:
        path = first
    else:
        looked = ", ".join(str(c) for c in candidates)
        return [Finding("WARN", f"no lmstv-shim.ini (looked in {looked}): the shim reads "
                        "lmstv.ini, which holds the SMS password",
                        "run `lmstv shim install` (creates /etc/lms/lmstv-shim.ini from the "
                        "bridge's settings) and set [bridge] shim_config in lmstv.ini")]
    return out + _inspect_file(cfg, path)


def _inspect_file(cfg: Config, path: Path) -> list[Finding]:
    try:
        shim = _Reader(_read_file(str(path), "lmstv-shim.ini"), str(path))
    except ConfigError as exc:
        return [Finding("FAIL", str(exc), exc.fix)]
    out: list[Finding] = []
    secret = shim.get("bridge", "secret") or ""
    if not secret:
        out.append(Finding("FAIL", f"{path} has no [bridge] secret: the bridge refuses every "
                           "call of the shim", f"put the bridge's [bridge] secret into {path} "
                           "(and keep it only there)"))
    elif secret != cfg.secret:
        out.append(Finding("FAIL", f"[bridge] secret in {path} differs from the bridge's: the "
                           "bridge refuses every call of the shim", "keep [bridge] secret in "
                           f"{path} only and name that file in lmstv.ini [bridge] shim_config"))
    url = shim.get("shim", "bridge_url") or ""
    if url:
        shim_at = urlparse(url).netloc or url
        bridge_at = cfg.bind if not cfg.bind.startswith("unix:") else None
        if bridge_at is not None and shim_at != bridge_at:
            out.append(Finding("FAIL", f"[shim] bridge_url in {path} goes to {shim_at}, the "
                               f"bridge listens on {cfg.bind}", "make them agree (or drop "
                               "bridge_url: the shim then uses [bridge] bind)"))
    else:
        shim_bind = shim.get("bridge", "bind") or SHIM_DEFAULT_BIND
        if shim_bind != cfg.bind:
            out.append(Finding("FAIL", f"the shim calls {shim_bind} ([bridge] bind in {path}), "
                               f"the bridge listens on {cfg.bind}", "set [bridge] bind once, "
                               f"in {path}"))
    if shim.get("logowanie", "haslo"):
        out.append(Finding("WARN", f"{path} holds the SMS password ([logowanie] haslo), and the "
                           "web server reads this file", "keep [logowanie] in lmstv.ini only"))
    out += _permissions(path)
    if not any(f.level == "FAIL" for f in out):
        where = url or shim.get("bridge", "bind") or SHIM_DEFAULT_BIND
        out.insert(0, Finding("OK", f"{path}: secret and bridge address ({where}) agree with "
                              "the bridge"))
    return out


def _permissions(path: Path) -> list[Finding]:
    mode = stat.S_IMODE(path.stat().st_mode)
    known = [u for u in WEB_SERVER_USERS if _user_exists(u)]
    out = []
    if known and not web_server_readers(path):
        out.append(Finding("FAIL", f"{path} is not readable by the web server "
                           f"({', '.join(known)}): the TV screens cannot reach the bridge",
                           f"chown {OWNER}:{GROUP} {path} && chmod 640 {path}"))
    if mode & stat.S_IROTH:
        out.append(Finding("WARN", f"{path} holds the bridge's secret and every local user can "
                           f"read it (mode {mode:o})",
                           f"chown {OWNER}:{GROUP} {path} && chmod 640 {path}"))
    return out


def _user_exists(name: str) -> bool:
    try:
        pwd.getpwnam(name)
        return True
    except KeyError:
        return False


# -- creating it --------------------------------------------------------------------------


@dataclass
class ShimIniPlan:
    """What ``lmstv shim install`` does about lmstv-shim.ini."""

    path: Path
    exists: bool
    bind: str = SHIM_DEFAULT_BIND
    secret: str = field(default="", repr=False)
    new_secret: bool = False
    named_in_config: bool = True
    owner: str = OWNER
    group: str = GROUP

    def describe(self) -> list[str]:
        if self.exists:
            return [f"keep {self.path} (exists; never overwritten)"]
        origin = "a new random secret" if self.new_secret else "the bridge's secret"
        lines = [f"create {self.path} ({self.owner}:{self.group} {MODE:o}) with [bridge] bind "
                 f"= {self.bind} and {origin}"]
        if not self.named_in_config:
            lines.append(f"then set [bridge] shim_config = {self.path} in lmstv.ini and remove "
                         "bind and secret there (not done automatically)")
        return lines


def plan_shim_ini(config_path: str | None) -> ShimIniPlan:
    """Where lmstv-shim.ini belongs and what goes in, read from lmstv.ini alone.

    lmstv.ini's ``[bridge] shim_config`` names it; without that the file is made next to
    lmstv.ini (``/etc/lms/lmstv-shim.ini`` in the documented layout).  bind and secret come
    from lmstv.ini; without a secret there a new random one is written -- the bridge then reads
    it from the new file once shim_config names it.
    """
    path = config_path or os.environ.get("LMSTV_CONFIG") or DEFAULT_CONFIG_PATH
    r = _Reader(_read_file(path, "lmstv.ini"), path)
    named = r.get("bridge", "shim_config") or ""
    target = Path(named) if named else Path(path).resolve().parent / "lmstv-shim.ini"
    if target.exists():
        return ShimIniPlan(target, True)
    secret = r.get("bridge", "secret") or ""
    return ShimIniPlan(target, False, bind=r.get("bridge", "bind") or SHIM_DEFAULT_BIND,
                       secret=secret or new_secret(), new_secret=not secret,
                       named_in_config=bool(named))


def render(plan: ShimIniPlan) -> str:
    return (
        "; lmstv: the PHP shim's settings -- the only lmstv file the web server reads.\n"
        "; Written by `lmstv shim install` from the bridge's settings (see "
        "lmstv-shim.ini.example).\n"
        "; The SMS login and password stay in lmstv.ini, which the web server cannot read.\n\n"
        "[bridge]\n"
        f"bind = {plan.bind}\n"
        f"secret = {plan.secret}\n\n"
        "[shim]\n"
        "; seconds for one bridge call (default 15)\n"
        "timeout = 15\n")


def create(plan: ShimIniPlan) -> list[str]:
    """Write the file (exclusively: an existing one is never touched); return warnings."""
    if plan.exists:
        return []
    plan.path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(plan.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, MODE)
    try:
        os.write(fd, render(plan).encode("utf-8"))
        os.fchmod(fd, MODE)  # the umask may have taken bits off
    finally:
        os.close(fd)
    try:
        uid = pwd.getpwnam(plan.owner).pw_uid
        gid = grp.getgrnam(plan.group).gr_gid
    except KeyError as exc:
        return [f"{plan.path}: {exc.args[0]} does not exist here; run `chown {plan.owner}:"
                f"{plan.group} {plan.path}` once the bridge's user and the web server exist"]
    try:
        os.chown(plan.path, uid, gid)
    except PermissionError:
        return [f"{plan.path}: not allowed to change its owner; run `chown {plan.owner}:"
                f"{plan.group} {plan.path}` as root"]
    return []

