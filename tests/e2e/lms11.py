"""Build and run a real LMS 1.11.17 for the browser tests (no pytest import here).

The tarball in ../shared/lms-src is unpacked unmodified; PHP 8.2 compatibility comes only from
files *added* next to LMS's own (an auto_prepend_file, a Smarty plugin, a custom template dir, the
Smarty link), so `lmstv shim uninstall` can be checked to leave every LMS file as in the tarball.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import sys
import tarfile
from dataclasses import dataclass, field
from pathlib import Path

from bridge.config import DatabaseConfig
from bridge.lms.bootstrap import create_database, load_lms_schema
from bridge.lms.db import connect
from bridge.procs import free_port, stop_process, wait_for_port
from tests.support import SANDBOX_LOGIN, SANDBOX_MD5, lmstv_ini, untar

ROOT = Path(__file__).resolve().parent.parent.parent
COMPAT = Path(__file__).resolve().parent / "compat"
# Router of every test `php -S`: cache headers for static files (see the file).
ROUTER = Path(__file__).resolve().parent / "static-router.php"
SHARED = Path(os.environ.get("LMSTV_SHARED", ROOT.parent / "shared"))
TARBALL = SHARED / "lms-src" / "lms-1.11.17.tar.gz"
SMARTY3 = Path("/usr/share/php/smarty3")
SECRET = "e2e-bridge-secret-0123456789abcdef"
PASSWORD = "Haslo-e2e-123"
# LMS rights are a hex bit mask; 0 full access, 1 read only, 40/41 the shim's TV rights.
USERS = {"admin": (0, 40), "viewer": (1, 41), "notv": (1,)}


def unpack(dest: Path) -> Path:
    untar(TARBALL, dest)
    return dest / "lms-1.11.17"


def tarball_digests() -> dict[str, str]:
    """relpath (inside lms-1.11.17/) -> sha256 of every regular file in the tarball."""
    out = {}
    with tarfile.open(TARBALL) as tar:
        for member in tar:
            if member.isfile():
                rel = member.name.split("/", 1)[1]
                out[rel] = hashlib.sha256(tar.extractfile(member).read()).hexdigest()
    return out


def add_compat(lms: Path) -> None:
    """Additions (never edits) that let LMS 1.11.17 run on PHP 8.2 with Debian's Smarty 3."""
    (lms / "lib" / "Smarty").symlink_to(SMARTY3)
    (lms / "lib" / "SmartyPlugins" / "modifier.count.php").write_bytes(
        (COMPAT / "modifier.count.php").read_bytes())
    # Smarty 3.1.47 wants block names containing '-' quoted: a quoted copy in a custom dir.
    welcome = (lms / "templates" / "default" / "welcome" / "welcome.html").read_text("utf-8")
    custom = lms / "templates" / "e2e" / "welcome"
    custom.mkdir(parents=True)
    (custom / "welcome.html").write_text(
        re.sub(r"\{block name=([\w-]+)\}", r'{block name="\1"}', welcome), "utf-8")


def write_lms_ini(lms: Path, db: DatabaseConfig) -> None:
    driver = "postgres" if db.dialect == "postgres" else "mysqli"
    (lms / "lms.ini").write_text(
        f"[database]\ntype = {driver}\nhost = {db.host}\nuser = {db.user}\n"
        f"password = {db.password}\ndatabase = {db.database}\n\n"
        "[phpui]\ncustom_templates_dir = e2e\nlang = pl\nui_lang = pl\n")


def write_lmstv_ini(path: Path, work: Path, db: DatabaseConfig, sandbox_url: str,
                    bridge_port: int, tariff_id: int) -> None:
    # lms28 calls this too; the text itself is tests/support.py's.
    path.write_text(lmstv_ini(work, db, sandbox_url=sandbox_url, secret=SECRET,
                              bridge_port=bridge_port, tariff_id=tariff_id, http_timeout=5,
                              long_timeout=20, shim_timeout=10))


def rights_mask(bits: tuple[int, ...]) -> str:
    return format(sum(1 << b for b in bits), "x")


def add_users(db_cfg: DatabaseConfig) -> None:
    hashed = subprocess.run(["php", "-r", 'echo crypt($argv[1], "$6$lmstve2e$");', PASSWORD],
                            capture_output=True, text=True, check=True).stdout
    db = connect(db_cfg)
    try:
        with db.transaction():
            for login, bits in USERS.items():
                db.execute(
                    "INSERT INTO users (login, name, email, rights, hosts, passwd, access, "
                    "position, ntype, phone) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [login, f"E2E {login}", "", rights_mask(bits), "", hashed, 1, "", 0, ""])
    finally:
        db.close()


def lmstv(ini: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    proc = subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    if check and proc.returncode != 0:
        raise RuntimeError(f"lmstv {' '.join(args)} failed ({proc.returncode}): "
                           f"{proc.stdout}{proc.stderr}")
    return proc


@dataclass
class LmsStack:
    """LMS 1.11.17 under `php -S`, the sandbox and the bridge (gunicorn), all on loopback."""

    work: Path
    lms: Path
    db: DatabaseConfig
    dialect: str
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)
    ports: dict[str, int] = field(default_factory=dict)
    ini: Path | None = None
    made: dict | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.ports['lms']}/"

    @property
    def sandbox_url(self) -> str:
        return f"http://127.0.0.1:{self.ports['sandbox']}/test/xmlrpc"

    @property
    def php_log(self) -> Path:
        return self.work / "php-errors.log"

    def start_sandbox(self) -> None:
        port = self.ports.setdefault("sandbox", free_port())
        proc = subprocess.Popen(
            [sys.executable, "-m", "bridge", "sandbox", "--host", "127.0.0.1", "--port",
             str(port), "--seed", "demo", "--latency-ms", "20",
             # a restart (the SMS-down tests) keeps SMS's data, as SGT's SMS would: a sandbox
             # reseeded from scratch would hand out customer numbers LMS already links
             "--state", str(self.work / "sandbox-state.json")], cwd=ROOT,
            stdout=subprocess.DEVNULL, stderr=open(self.work / "sandbox.log", "a"))
        self.procs["sandbox"] = proc
        wait_for_port(port, timeout=60, proc=proc)

    def start_bridge(self) -> None:
        port = self.ports["bridge"]
        gunicorn = str(Path(sys.executable).with_name("gunicorn"))
        proc = subprocess.Popen(
            [gunicorn, "-c", "python:bridge.gunicorn_conf", "bridge.wsgi:app"], cwd=ROOT,
            env={**os.environ, "LMSTV_CONFIG": str(self.ini), "LMSTV_WORKERS": "2"},
            stdout=subprocess.DEVNULL, stderr=open(self.work / "bridge.log", "a"))
        self.procs["bridge"] = proc
        wait_for_port(port, timeout=60, proc=proc)

    def start_php(self) -> None:
        port = self.ports.setdefault("lms", free_port())
        proc = subprocess.Popen(
            # OPcache is on for `php -S` (enable_cli covers only the plain CLI) and by default
            # looks at a changed PHP file again only every 2 s: the shim (un)install tests
            # change LMS's PHP files between two page views.
            ["php", "-d", "opcache.revalidate_freq=0",
             "-d", f"auto_prepend_file={COMPAT / 'prepend.php'}", "-d", "log_errors=1",
             "-d", f"error_log={self.php_log}", "-d", "display_errors=0",
             "-d", "error_reporting=E_ALL", "-S", f"127.0.0.1:{port}", "-t", str(self.lms),
             str(ROUTER)],
            cwd=self.lms, env={**os.environ, "PHP_CLI_SERVER_WORKERS": "2"},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # stop_process then stops PHP's forked workers too
        self.procs["php"] = proc
        wait_for_port(port, timeout=30, proc=proc)

    def stop(self, name: str) -> None:
        stop_process(self.procs.pop(name, None))

    def stop_all(self) -> None:
        for name in ("php", "bridge", "sandbox"):
            self.stop(name)

    def lmstv(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        return lmstv(self.ini, *args, check=check)


def build(work: Path, db: DatabaseConfig) -> LmsStack:
    """Unpack LMS, create its database from its own schema, start everything, install the shim."""
    import xmlrpc.client

    from bridge.demo.lmsdata import populate_lms

    lms = unpack(work)
    add_compat(lms)
    stack = LmsStack(work=work, lms=lms, db=db, dialect=db.dialect)
    create_database(db)
    schema = lms / "doc" / ("lms.pgsql" if db.dialect == "postgres" else "lms.mysql")
    load_lms_schema(db, schema)
    stack.start_sandbox()
    stack.ports["bridge"] = free_port()
    stack.ini = lms / "lmstv.ini"   # where the shim looks first (LMS's root, as the manual says)
    write_lmstv_ini(stack.ini, work, db, stack.sandbox_url, stack.ports["bridge"], 0)
    stack.lmstv("migrate")
    customers = xmlrpc.client.ServerProxy(stack.sandbox_url).custList(
        {"user_name": SANDBOX_LOGIN, "user_pass": SANDBOX_MD5}, "")
    conn = connect(db)
    try:
        stack.made = populate_lms(conn, customers)
    finally:
        conn.close()
    add_users(db)
    write_lms_ini(lms, db)
    write_lmstv_ini(stack.ini, work, db, stack.sandbox_url, stack.ports["bridge"],
                    stack.made["tv_tariff_id"])
    stack.lmstv("shim", "install", "--lms-dir", str(lms))
    stack.start_bridge()
    stack.start_php()
    return stack
