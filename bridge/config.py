"""lmstv configuration: one ini file (``lmstv.ini``) plus LMS's own ``lms.ini`` for the database.

The vendor's manual fixes ``[logowanie] login, haslo, serwer`` and ``[opcje] cache,
cache_lifetime``; its example file ends every value with ``;`` and may carry a comment after it
(``cache = 1; 1 włączony; 0 wyłączony``), so a value ends at its first ``;`` unless quoted.
Everything the bridge adds lives in further sections.  Every problem is reported as a
:class:`ConfigError` naming the file, the key, the bad value (never for secrets) and the fix.
"""

from __future__ import annotations

import configparser
import hashlib
import os
import re
import secrets
from dataclasses import dataclass, field, replace
from pathlib import Path
from urllib.parse import urlparse

DEFAULT_CONFIG_PATH = "/etc/lms/lmstv.ini"
DEFAULT_LMS_INI_PATH = "/etc/lms/lms.ini"
ENV_CONFIG = "LMSTV_CONFIG"

SECRET_KEYS = {"haslo", "secret", "password"}
_MD5_RE = re.compile(r"^[0-9a-fA-F]{32}$")
_DB_TYPES = {"mysql": "mysql", "mysqli": "mysql", "postgres": "postgres", "postgresql": "postgres"}
INVOICING_MODES = ("append", "separate")


class ConfigError(Exception):
    """A configuration problem an operator can fix; the message says where, what and how."""

    def __init__(self, file: str | None, key: str, value: object, fix: str) -> None:
        self.file, self.key, self.fix = file, key, fix
        # Keys look like "[section] name"; a secret's value is never echoed.
        name = key.split()[-1] if key.split() else key
        shown = "<hidden>" if name in SECRET_KEYS else repr(value)
        where = f"{file}: " if file else ""
        super().__init__(f"{where}{key} = {shown} is invalid: {fix}")


@dataclass(frozen=True)
class DatabaseConfig:
    """Connection settings of the LMS database (dialect is 'postgres' or 'mysql')."""

    dialect: str
    host: str = "localhost"
    port: int | None = None
    user: str = ""
    password: str = field(default="", repr=False)
    database: str = "lms"
    unix_socket: str | None = None

    def describe(self) -> str:
        """Human-readable target without the password, for logs and ``lmstv check``."""
        where = self.unix_socket or f"{self.host}:{self.port or self.default_port}"
        return f"{self.dialect} {self.user}@{where}/{self.database}"

    @property
    def default_port(self) -> int:
        return 5432 if self.dialect == "postgres" else 3306


@dataclass(frozen=True)
class Config:
    """Everything lmstv reads from its ini file, validated."""

    # [logowanie]
    sms_login: str
    sms_password_md5: str = field(repr=False)
    sms_url: str
    # [opcje]
    cache_enabled: bool = True
    cache_lifetime: int = 472000
    http_timeout: float = 10.0
    long_timeout: float = 30.0
    max_reply_mb: int = 256
    # [bridge]
    bind: str = "127.0.0.1:8765"
    secret: str = field(default="", repr=False)
    shim_config: str | None = None
    cache_dir: str = "/var/cache/lmstv"
    audit_log: str = "/var/log/lmstv/audit.log"
    # [billing]
    tv_tariff_id: int | None = None
    invoicing_mode: str = "append"
    numberplan_id: int | None = None
    customergroups: tuple[str, ...] = ()
    lock_dir: str = "/run/lock"
    # [lms]
    lms_ini: str = DEFAULT_LMS_INI_PATH
    lms_dir: str = "/var/www/lms"
    database: DatabaseConfig | None = None
    source: str | None = None

    @property
    def sms_web_url(self) -> str:
        """Base of SMS's web UI: the XML-RPC URL without its trailing ``xmlrpc``."""
        url = self.sms_url
        return url[: -len("xmlrpc")] if url.endswith("xmlrpc") else url.rstrip("/") + "/"

    def with_overrides(self, **changes: object) -> Config:
        return replace(self, **changes)


# ---------------------------------------------------------------------------------------------
# value helpers


def clean_value(raw: str) -> str:
    """Strip the vendor's trailing ``;`` (and any comment after it) and optional quotes."""
    raw = raw.strip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    if ";" in raw:
        raw = raw.split(";", 1)[0].rstrip()
    if len(raw) >= 2 and raw[0] == raw[-1] and raw[0] in "\"'":
        return raw[1:-1]
    return raw


def password_md5(value: str) -> str:
    """SMS wants the lower-case MD5 hex of the password; a 32-hex value already is one."""
    if _MD5_RE.match(value):
        return value.lower()
    return hashlib.md5(value.encode("utf-8")).hexdigest()


_TRUE = {"1", "y", "yes", "on", "true", "t", "tak", "enabled"}
_FALSE = {"0", "n", "no", "off", "false", "f", "nie", "disabled", ""}


class _Reader:
    """Reads typed values from a parsed ini file and reports problems with file and key."""

    def __init__(self, parser: configparser.RawConfigParser, file: str | None) -> None:
        self.parser, self.file = parser, file

    def get(self, section: str, key: str, default: str | None = None) -> str | None:
        if self.parser.has_option(section, key):
            return clean_value(self.parser.get(section, key))
        return default

    def required(self, section: str, key: str, fix: str) -> str:
        value = self.get(section, key)
        if not value:
            raise ConfigError(self.file, f"[{section}] {key}", value or "", fix)
        return value

    def boolean(self, section: str, key: str, default: bool) -> bool:
        value = self.get(section, key)
        if value is None:
            return default
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise ConfigError(self.file, f"[{section}] {key}", value, "use 1 (on) or 0 (off)")

    def number(self, section: str, key: str, default: float | None, *, integer: bool,
               minimum: float = 0, maximum: float | None = None) -> float | int | None:
        value = self.get(section, key)
        if value is None or value == "":
            return default
        try:
            num: float | int = int(value) if integer else float(value)
        except ValueError:
            kind = "a whole number" if integer else "a number"
            raise ConfigError(self.file, f"[{section}] {key}", value, f"use {kind}") from None
        if num < minimum or (maximum is not None and num > maximum):
            rng = f"from {minimum}" + (f" to {maximum}" if maximum is not None else " up")
            raise ConfigError(self.file, f"[{section}] {key}", value, f"use a value {rng}")
        return num


def _parser() -> configparser.RawConfigParser:
    # Raw: '%' in passwords must not be interpolated; strict=False: LMS ini files repeat keys.
    # Only '=' separates a key from its value: PHP's ini reader (LMS, the shim) knows no ':', so
    # a "key: value" line must be an error here too rather than a value only one side sees.
    p = configparser.RawConfigParser(strict=False, comment_prefixes=(";", "#"),
                                     inline_comment_prefixes=None, interpolation=None,
                                     delimiters=("=",))
    p.optionxform = str.lower  # type: ignore[assignment,method-assign]
    return p


def _read_file(path: str, what: str) -> configparser.RawConfigParser:
    parser = _parser()
    try:
        with open(path, encoding="utf-8") as fh:
            parser.read_file(fh, source=path)
    except FileNotFoundError:
        if what == "lms.ini":
            fix = ("LMS's lms.ini not found; set [lms] lms_ini in lmstv.ini to its path, or put a "
                   "[database] section into lmstv.ini")
        else:
            fix = (f"file not found; create it (see lmstv.ini.example) or point to it with "
                   f"--config / ${ENV_CONFIG}")
        raise ConfigError(None, what, path, fix) from None
    except PermissionError:
        raise ConfigError(None, what, path, "file not readable by this user; fix its "
                          "permissions (the bridge's user must read it)") from None
    except UnicodeDecodeError:
        raise ConfigError(None, what, path, "file is not UTF-8; save it as UTF-8") from None
    except configparser.Error as exc:
        first = str(exc).splitlines()[0]
        raise ConfigError(None, what, path, f"not a valid ini file ({first})") from None
    return parser


def parse_database(reader: _Reader, section: str) -> DatabaseConfig:
    """A ``[database]`` section in LMS's own format (type, host, user, password, database)."""
    raw_type = (reader.get(section, "type") or "mysql").lower()
    dialect = _DB_TYPES.get(raw_type)
    if dialect is None:
        raise ConfigError(reader.file, f"[{section}] type", raw_type,
                          "use mysql, mysqli or postgres (as in LMS's lms.ini)")
    host = reader.get(section, "host") or "localhost"
    port = reader.number(section, "port", None, integer=True, minimum=1, maximum=65535)
    unix_socket = reader.get(section, "socket") or None
    # LMS accepts 'host:port' and 'localhost:/path/to/socket'.
    if ":" in host and not host.startswith("["):
        head, tail = host.split(":", 1)
        if tail.startswith("/"):
            host, unix_socket = head, tail
        elif tail.isdigit():
            host, port = head, int(tail)
        else:
            raise ConfigError(reader.file, f"[{section}] host", host,
                              "use a host name, host:port or localhost:/path/to/socket")
    elif host.startswith("/"):
        unix_socket = host
    user = reader.get(section, "user") or ("postgres" if dialect == "postgres" else "root")
    return DatabaseConfig(
        dialect=dialect, host=host, port=int(port) if port else None, user=user,
        password=reader.get(section, "password") or "",
        database=reader.get(section, "database") or "lms", unix_socket=unix_socket,
    )


def load_lms_database(path: str) -> DatabaseConfig:
    """Read the ``[database]`` section of LMS's ``lms.ini``."""
    parser = _read_file(path, "lms.ini")
    if not parser.has_section("database"):
        raise ConfigError(path, "[database]", "", "LMS's lms.ini has no [database] section; "
                          "add it, or set [database] in lmstv.ini")
    return parse_database(_Reader(parser, path), "database")


def load_config(path: str | None = None, *, need_database: bool = True) -> Config:
    """Load and validate lmstv.ini (path, else $LMSTV_CONFIG, else /etc/lms/lmstv.ini)."""
    path = path or os.environ.get(ENV_CONFIG) or DEFAULT_CONFIG_PATH
    parser = _read_file(path, "lmstv.ini")
    r = _Reader(parser, path)

    login = r.required("logowanie", "login", "set the SMS user's login (first and last name, "
                       "exactly as used to log into SMS)")
    haslo = r.required("logowanie", "haslo", "set the SMS password or its MD5 hash")
    url = r.required("logowanie", "serwer", "set the SMS XML-RPC URL, e.g. "
                     "https://sms.sgtsa.pl/test/xmlrpc (sandbox) or "
                     "https://sms.sgtsa.pl/sms/xmlrpc (production)")
    parsed = urlparse(url)
    if parsed.scheme not in ("http", "https") or not parsed.netloc:
        raise ConfigError(path, "[logowanie] serwer", url,
                          "use a full http(s) URL such as https://sms.sgtsa.pl/test/xmlrpc")

    http_timeout = r.number("opcje", "http_timeout", 10.0, integer=False, minimum=0.1,
                            maximum=600)
    long_timeout = r.number("opcje", "long_timeout", 30.0, integer=False, minimum=0.1,
                            maximum=3600)

    # One cap on an SMS reply for the screens and the CLI alike.  custList("") is the biggest:
    # about 1.9 KB a customer, so 256 MiB serves 100,000 customers with a third to spare.
    max_reply_mb = r.number("opcje", "max_reply_mb", 256, integer=True, minimum=1,
                            maximum=4096)

    shim_config = r.get("bridge", "shim_config") or None
    bind, secret, where = _bridge_access(r, shim_config)
    _check_bind(where, bind)
    if secret and len(secret) < 16:
        raise ConfigError(where, "[bridge] secret", secret,
                          "use at least 16 random characters, e.g. the output of "
                          "`python3 -c 'import secrets; print(secrets.token_hex(24))'`")

    mode = (r.get("billing", "mode") or "append").lower()
    if mode not in INVOICING_MODES:
        raise ConfigError(path, "[billing] mode", mode, "use append or separate")
    tariff = r.number("billing", "tv_tariff_id", None, integer=True, minimum=1)
    plan = r.number("billing", "numberplan_id", None, integer=True, minimum=1)
    groups = tuple((r.get("billing", "customergroups") or "").split())

    lms_ini = r.get("lms", "lms_ini") or DEFAULT_LMS_INI_PATH
    database: DatabaseConfig | None = None
    if parser.has_section("database") and r.get("database", "type"):
        database = parse_database(r, "database")
    elif need_database:
        database = load_lms_database(lms_ini)

    return Config(
        sms_login=login, sms_password_md5=password_md5(haslo), sms_url=url,
        cache_enabled=r.boolean("opcje", "cache", True),
        cache_lifetime=int(r.number("opcje", "cache_lifetime", 472000, integer=True,
                                    minimum=0) or 0),
        http_timeout=float(http_timeout or 10.0), long_timeout=float(long_timeout or 30.0),
        max_reply_mb=int(max_reply_mb or 256),
        bind=bind, secret=secret, shim_config=shim_config,
        cache_dir=r.get("bridge", "cache_dir") or "/var/cache/lmstv",
        audit_log=r.get("bridge", "audit_log") or "/var/log/lmstv/audit.log",
        tv_tariff_id=int(tariff) if tariff else None, invoicing_mode=mode,
        numberplan_id=int(plan) if plan else None, customergroups=groups,
        lock_dir=r.get("billing", "lock_dir") or "/run/lock",
        lms_ini=lms_ini, lms_dir=r.get("lms", "lms_dir") or "/var/www/lms",
        database=database, source=path,
    )


def _bridge_access(r: _Reader, shim_config: str | None) -> tuple[str, str, str]:
    """``[bridge] bind`` and ``secret``: from lmstv.ini, or from the shim's file it names.

    The PHP shim reads only lmstv-shim.ini (the web server must never read lmstv.ini and its SMS
    password), so in the split layout the two keys live there and the bridge reads them too.
    Returns (bind, secret, file they came from).
    """
    bind, secret, where = r.get("bridge", "bind"), r.get("bridge", "secret"), r.file
    if shim_config:
        s = _Reader(_read_file(shim_config, "lmstv-shim.ini"), shim_config)
        for key, mine in (("bind", bind), ("secret", secret)):
            theirs = s.get("bridge", key)
            if mine and theirs and mine != theirs:
                raise ConfigError(r.file, f"[bridge] {key}", mine,
                                  f"it differs from [bridge] {key} in {shim_config}; keep it "
                                  "only in that file")
        bind, secret = bind or s.get("bridge", "bind"), secret or s.get("bridge", "secret")
        where = shim_config
    return bind or "127.0.0.1:8765", secret or "", where


def _check_bind(path: str, bind: str) -> None:
    if bind.startswith("unix:"):
        if not bind[5:].startswith("/"):
            raise ConfigError(path, "[bridge] bind", bind, "use unix:/absolute/path.sock")
        return
    host, sep, port = bind.rpartition(":")
    if not sep or not port.isdigit() or not 0 < int(port) < 65536 or not host:
        raise ConfigError(path, "[bridge] bind", bind,
                          "use HOST:PORT (e.g. 127.0.0.1:8765) or unix:/run/lmstv/bridge.sock")


def is_loopback_bind(bind: str) -> bool:
    if bind.startswith("unix:"):
        return True
    host = bind.rpartition(":")[0].strip("[]")
    return host in ("localhost", "::1") or host.startswith("127.")


def new_secret() -> str:
    return secrets.token_hex(24)


class LmsSchemaNotFound(ConfigError):
    """LMS's schema file is in none of the places lmstv looks; one line says what to set."""

    def __init__(self, name: str, lms_dir: str | None, tried: list[Path]) -> None:
        where = ", ".join(str(c.parent) for c in tried)
        if lms_dir:
            msg = (f"LMS_DIR={lms_dir} has no doc/{name}: point LMS_DIR at an LMS 1.11.17 tree "
                   f"(its doc/ holds lms.pgsql and lms.mysql)")
        else:
            msg = (f"LMS's schema file {name} was not found (looked in {where}): set LMS_DIR to "
                   "an LMS 1.11.17 tree, e.g. git clone -b LMS_011117 "
                   "https://github.com/chilek/lms && export LMS_DIR=$PWD/lms")
        # Not ConfigError's "KEY = VALUE is invalid" form: an unset variable is not a bad value.
        Exception.__init__(self, msg)
        self.file, self.key, self.fix = None, "LMS_DIR", msg


def find_lms_schema(dialect: str, lms_dir: str | None = None) -> Path:
    """Locate LMS's own schema file (lms.pgsql / lms.mysql); it is never shipped with lmstv.

    Looked for in ``$LMS_DIR/doc``, the given LMS directory, ``../shared/lms-schema/1.11.17``
    next to a source checkout, and the usual LMS install directories.
    """
    name = "lms.pgsql" if dialect == "postgres" else "lms.mysql"
    env_dir = os.environ.get("LMS_DIR", "").strip()
    candidates: list[Path] = []
    for base in (env_dir, lms_dir):
        if base:
            candidates.append(Path(base) / "doc" / name)
    here = Path(__file__).resolve().parent.parent
    candidates += [here.parent / "shared" / "lms-schema" / "1.11.17" / name,
                   Path("/usr/share/lms/doc") / name, Path("/var/www/lms/doc") / name]
    for cand in candidates:
        if cand.is_file():
            return cand
    raise LmsSchemaNotFound(name, env_dir or None, candidates)
