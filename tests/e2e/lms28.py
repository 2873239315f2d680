"""Build and run a real current LMS (28-git) for the browser tests (no pytest import here).

The tarball in ../shared/lms-src is unpacked unmodified. What Composer would put in vendor/ is
added beside it, never into LMS's own files: vendor/autoload.php (tests/e2e/compat28), the
classmap over lib/ and plugins/ (bridge/data/lms-classmap.php, the generator `lmstv plugin`
also uses), phine/* from the LMS 1.11.17 tarball, Debian's PHP libraries, and the JS/CSS from
the npm registry linked under Composer's package names (cached in ~/.cache/lmstv/).

Process handling (sandbox, bridge under gunicorn, `php -S`) is lms11's: LmsStack28 only changes
how PHP is started (no PHP 8 compat layer: current LMS runs on PHP 8 as it is).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from bridge.config import DatabaseConfig
from bridge.lms.bootstrap import create_database, load_lms_schema
from bridge.lms.db import connect
from bridge.plugin import classmap
from bridge.procs import free_port, wait_for_port
from tests.e2e import lms11
from tests.lmsrows import insert_plan, insert_tax, insert_tv_tariff
from tests.support import untar

COMPAT28 = Path(__file__).resolve().parent / "compat28"
TARBALL = lms11.SHARED / "lms-src" / "lms-28-git-d85aeab5.tar.gz"
TOP = "lms-28-git"
CACHE = Path(os.environ.get("LMSTV_CACHE", Path.home() / ".cache" / "lmstv"))
PASSWORD = lms11.PASSWORD
DIVISION = "E2E"   # shortname of the division every test user belongs to
# login -> LMS 28 permission names (users.rights is a comma list of them). tv_full and
# tv_readonly are the plugin's own (php-plugin/LMSTVPlugin/lib/LMSTVPluginAccessHandler.php).
USERS = {
    "admin": "full_access",
    "tvfull": "read_only,tv_full",
    "tvro": "read_only,tv_readonly",
    "notv": "read_only",
}
# Composer package name -> (npm package, sub-directory): where LMS's js/ and css/ symlinks
# (js/jquery -> ../vendor/components/jquery, …) expect Composer to have put each library.
ASSETS = {
    "components/jquery": ("jquery", "dist"),
    "components/jqueryui": ("jquery-ui", ""),
    "xdan/datetimepicker": ("jquery-datetimepicker", ""),
    "datatables/datatables": ("datatables", ""),
    "tinymce/tinymce": ("tinymce", ""),
    "zenorocha/clipboardjs": ("clipboard", ""),
    "harvesthq/chosen": ("chosen-js", ""),
    "select2/select2": ("select2", ""),
    "alexei/sprintf.js": ("sprintf-js", ""),
    "galleriajs/galleria": ("galleria", ""),
    "ccampbell/mousetrap": ("mousetrap", ""),
    "fortawesome/font-awesome": ("@fortawesome/fontawesome-free", ""),
    "westonganger/input-autogrow": ("input-autogrow", ""),
}
# Not in the snapshot's file lists: the tree comparison of install/uninstall ignores what LMS
# itself writes while it runs.
RUNTIME_DIRS = ("templates_c", "cache", "documents", "storage", "backups")
# Writable directories lib/checkdirs.php refuses to start without (an installer makes them).
WRITABLE = ("templates_c", "backups", "documents", "cache", "js/xajax_js/deferred",
            *(f"storage/{d}" for d in ("rt", "voipcalls", "customercalls", "promotions",
                                       "promotionschemas", "messagetemplates")))


def unpack(dest: Path) -> Path:
    if not TARBALL.is_file():   # a missing prerequisite fails the tests, never skips them
        raise RuntimeError(f"{TARBALL} not found: the LMS sources live in ../shared/lms-src "
                           "(or set $LMSTV_SHARED)")
    untar(TARBALL, dest)
    return dest / TOP


def npm_assets() -> Path:
    """node_modules with LMS's JS/CSS, installed once per package.json into the cache."""
    spec = (COMPAT28 / "package.json").read_bytes()
    target = CACHE / "lms28-assets" / hashlib.sha256(spec).hexdigest()[:16]
    if (target / "node_modules" / ".lmstv-complete").is_file():
        return target / "node_modules"
    npm = shutil.which("npm")
    if npm is None:
        raise RuntimeError("npm is missing: `./lmstv.sh test` installs it (ensure_browser)")
    tmp = target.with_name(target.name + f".tmp{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    (tmp / "package.json").write_bytes(spec)
    proc = subprocess.run([npm, "install", "--no-audit", "--no-fund", "--ignore-scripts",
                           "--omit=dev", "--loglevel=error"], cwd=tmp, capture_output=True,
                          text=True, timeout=600)
    if proc.returncode != 0:
        raise RuntimeError(f"npm install of LMS 28's assets failed: {proc.stdout}{proc.stderr}")
    (tmp / "node_modules" / ".lmstv-complete").write_text("ok\n")
    shutil.rmtree(target, ignore_errors=True)
    tmp.rename(target)   # atomic: a parallel session sees either nothing or the whole tree
    return target / "node_modules"


def add_vendor(lms: Path) -> None:
    """vendor/ as Composer would leave it, from Debian, npm and the 1.11.17 tarball."""
    vendor = lms / "vendor"
    vendor.mkdir()
    shutil.copyfile(COMPAT28 / "autoload.php", vendor / "autoload.php")
    stubs = COMPAT28 / "stubs"
    if stubs.is_dir():
        shutil.copytree(stubs, vendor / "lmstv-stubs")
    (vendor / ".phine").mkdir()
    untar(lms11.TARBALL, vendor / ".phine", "lms-1.11.17/lib/phine/*", exclude="*/tests/*")
    (vendor / ".phine" / "lms-1.11.17" / "lib" / "phine").rename(vendor / "phine")
    shutil.rmtree(vendor / ".phine")
    modules = npm_assets()
    for composer_name, (npm_name, sub) in ASSETS.items():
        link = vendor / composer_name
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(modules / npm_name / sub if sub else modules / npm_name)
    # drmonty/datatables-responsive ships js/ and css/ together; npm splits them in two.
    responsive = vendor / "drmonty" / "datatables-responsive"
    (responsive / "css").mkdir(parents=True)
    (responsive / "js").symlink_to(modules / "datatables.net-responsive" / "js")
    (responsive / "css" / "dataTables.responsive.min.css").symlink_to(
        modules / "datatables.net-responsive-dt" / "css" / "responsive.dataTables.min.css")
    classmap.generate(lms)


def php_tree(dest: Path) -> Path:
    """LMS unpacked under *dest* with its writable directories and vendor/: enough to run its
    PHP, under a web server or from the command line."""
    lms = unpack(dest)
    for rel in WRITABLE:
        (lms / rel).mkdir(parents=True, exist_ok=True)
    add_vendor(lms)
    return lms


def lms_ini_text(db: DatabaseConfig, rest: str) -> str:
    """An lms.ini for database *db*, followed by the sections in *rest*."""
    driver = "postgres" if db.dialect == "postgres" else "mysqli"
    return (f"[database]\ntype = {driver}\nhost = {db.host}\nuser = {db.user}\n"
            f"password = {db.password}\ndatabase = {db.database}\n"
            + (f"port = {db.port}\n" if db.port else "") + "\n" + rest)


def write_lms_ini(lms: Path, db: DatabaseConfig) -> None:
    (lms / "lms.ini").write_text(lms_ini_text(db, "[phpui]\nlang = pl\nui_lang = pl\n"))


def add_division_and_users(db_cfg: DatabaseConfig) -> None:
    """The division LMS's first-run form needs, and the users (made by SQL: that form is for
    humans). SHA-512 crypt() hashes, which LMS 28's Auth accepts like its own."""
    hashed = subprocess.run(["php", "-r", 'echo crypt($argv[1], "$6$lmstve2e$");', PASSWORD],
                            capture_output=True, text=True, check=True).stdout
    db = connect(db_cfg)
    try:
        with db.transaction():
            # LMS lists divisions through the view vdivisions, which joins the address: a
            # division without one is invisible and customerlist dies on it.
            address = db.insert_id(
                "INSERT INTO addresses (name, city, street, zip, house) "
                "VALUES (%s, %s, %s, %s, %s)",
                ["E2E Telewizja Sp. z o.o.", "Kraków", "ul. Długa", "30-001", "1"], "addresses")
            division = db.insert_id(
                "INSERT INTO divisions (shortname, name, status, address_id, ten, account, "
                "inv_header, inv_footer, inv_author, inv_cplace, description) "
                "VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                [DIVISION, "E2E Telewizja Sp. z o.o.", 0, address, "", "", "", "", "", "", ""],
                "divisions")
            for login, rights in USERS.items():
                uid = db.insert_id(
                    # LMS shows "lastname firstname": "E2E admin", what ui.login looks for.
                    "INSERT INTO users (login, firstname, lastname, email, rights, hosts, passwd,"
                    " access, position, ntype, settings, persistentsettings) VALUES "
                    "(%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
                    [login, login, "E2E", "", rights, "", hashed, 1, "", 0, "", ""], "users")
                db.execute("INSERT INTO userdivisions (userid, divisionid) VALUES (%s, %s)",
                           [uid, division])
    finally:
        db.close()


def add_tv_billing(db_cfg: DatabaseConfig) -> int:
    """What TV invoicing needs in LMS, as an operator sets it up: a 23 % tax, the tariff "TV"
    (type TV) and an invoice number plan of division E2E. Returns the tariff's id, for
    lmstv.ini's [billing] tv_tariff_id."""
    db = connect(db_cfg)
    try:
        with db.transaction():
            tariff = insert_tv_tariff(db, insert_tax(db, "23.00", "23%"))
            division = db.scalar("SELECT id FROM divisions WHERE shortname = %s", [DIVISION])
            insert_plan(db, divisions=[int(division)])
    finally:
        db.close()
    return tariff


def add_customer(db_cfg: DatabaseConfig, lastname: str, name: str, *, city: str = "Kraków",
                 street: str = "ul. Polna", house: str = "12", zip_code: str = "30-001",
                 **fields: object) -> int:
    """An LMS 28 customer as LMS's own screens need it: the row plus a billing address
    (customer_addresses type 1; LMS's customer views join it, a customer without one does not
    exist for customerinfo or the search). Returns the customer's id."""
    row: dict[str, object] = {"lastname": lastname, "name": name, "status": 3, "type": 0,
                              "info": "", "message": "", "creationdate": int(time.time())}
    row.update(fields)
    db = connect(db_cfg)
    try:
        with db.transaction():
            # The users belong to division E2E only, and LMS hides other divisions' customers.
            row.setdefault("divisionid", db.scalar(
                "SELECT id FROM divisions WHERE shortname = %s", [DIVISION]))
            cols, marks = ", ".join(row), ", ".join(["%s"] * len(row))
            cid = db.insert_id(f"INSERT INTO customers ({cols}) VALUES ({marks})",
                               list(row.values()), "customers")
            address = db.insert_id(
                "INSERT INTO addresses (name, city, street, zip, house) "
                "VALUES (%s, %s, %s, %s, %s)",
                [f"{name} {lastname}", city, street, zip_code, house], "addresses")
            db.execute("INSERT INTO customer_addresses (customer_id, address_id, type) "
                       "VALUES (%s, %s, 1)", [cid, address])
    finally:
        db.close()
    return cid


@dataclass
class LmsStack28(lms11.LmsStack):
    """Current LMS under `php -S`, the sandbox and the bridge (gunicorn), all on loopback."""

    build_seconds: float = 0.0

    @property
    def shim_ini(self) -> Path:
        """What the web server may read (bridge address and secret, no SMS password), given
        to PHP as $LMSTV_SHIM_CONFIG: the plugin's client finds it without a file in LMS's
        tree, so install/uninstall comparisons see only the plugin's own files."""
        return self.work / "lmstv-shim.ini"

    def start_php(self) -> None:
        port = self.ports.setdefault("lms", free_port())
        self.shim_ini.write_text(f"[bridge]\nbind = 127.0.0.1:{self.ports['bridge']}\n"
                                 f"secret = {lms11.SECRET}\n\n[shim]\ntimeout = 10\n")
        proc = subprocess.Popen(
            # opcache.revalidate_freq=0 as for 1.11.17: `lmstv plugin install` rewrites the
            # classmap (vendor/lmstv-classmap.php) between two page views, and with OPcache's
            # default (2 s) a page could still autoload from the old one and miss the plugin.
            ["php", "-d", "opcache.revalidate_freq=0",
             "-d", "log_errors=1", "-d", f"error_log={self.php_log}",
             "-d", "display_errors=0", "-d", "error_reporting=E_ALL",
             "-S", f"127.0.0.1:{port}", "-t", str(self.lms), str(lms11.ROUTER)],
            cwd=self.lms, env={**os.environ, "PHP_CLI_SERVER_WORKERS": "2",
                               "LMSTV_SHIM_CONFIG": str(self.shim_ini)},
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True)  # stop_process then stops PHP's forked workers too
        self.procs["php"] = proc
        wait_for_port(port, timeout=30, proc=proc)

    def restart_php(self) -> None:
        self.stop("php")
        self.start_php()

    def plugin(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """`lmstv plugin ARGS --lms-dir <this LMS>`."""
        return self.lmstv("plugin", *args, "--lms-dir", str(self.lms), check=check)


def prepare_lmstv_schema(stack: LmsStack28) -> None:
    """`lmstv migrate` on LMS 28's schema: lmstv's tables and columns, LMS's views untouched."""
    stack.lmstv("migrate")


def build(work: Path, db: DatabaseConfig) -> LmsStack28:
    """Unpack LMS, add vendor/, create its database from its own schema, start everything."""
    started = time.monotonic()
    lms = php_tree(work)
    stack = LmsStack28(work=work, lms=lms, db=db, dialect=db.dialect)
    create_database(db)
    schema = lms / "doc" / ("lms.pgsql" if db.dialect == "postgres" else "lms.mysql")
    load_lms_schema(db, schema)
    add_division_and_users(db)
    tariff = add_tv_billing(db)
    write_lms_ini(lms, db)
    stack.start_sandbox()
    stack.ports["bridge"] = free_port()
    stack.ini = work / "lmstv.ini"
    lms11.write_lmstv_ini(stack.ini, work, db, stack.sandbox_url, stack.ports["bridge"], tariff)
    prepare_lmstv_schema(stack)
    stack.start_bridge()
    stack.start_php()
    stack.build_seconds = time.monotonic() - started
    (work / "build-seconds.json").write_text(json.dumps({"seconds": stack.build_seconds}))
    return stack


def tree_digests(lms: Path) -> dict[str, str]:
    """relpath -> sha256 (files) or '-> target' (symlinks) of an LMS tree, minus what LMS
    writes while it runs (RUNTIME_DIRS)."""
    out = {}
    for top, dirs, files in os.walk(lms):   # symlinks to node_modules are not followed
        rel_top = Path(top).relative_to(lms)
        if rel_top == Path("."):
            dirs[:] = [d for d in dirs if d not in RUNTIME_DIRS]
        for name in dirs + files:
            path = Path(top) / name
            rel = (rel_top / name).as_posix()
            if path.is_symlink():
                out[rel] = "-> " + os.readlink(path)
            elif path.is_dir():
                out[rel + "/"] = "dir"
            else:
                out[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
    return dict(sorted(out.items()))
