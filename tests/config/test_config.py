"""lmstv.ini and lms.ini loading: every key, the vendor's ';' endings, MD5 vs plain passwords,
LMS's [database] section, and a clear error (key, value, fix) for each bad value."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.config import (
    ConfigError,
    clean_value,
    is_loopback_bind,
    load_config,
    load_lms_database,
    password_md5,
)

ROOT = Path(__file__).resolve().parents[2]

VENDOR_STYLE = """\
[logowanie]
login = Jan Kowalski;
haslo = {haslo};
serwer = https://sms.sgtsa.pl/test/xmlrpc;

[opcje]
cache = {cache}; 1 włączony; 0 wyłączony
cache_lifetime = 472000; czas życia w sekundach
"""

LMS_INI = """\
[database]
type = {type}
host = {host}
user = lms
password = "s3cr;et"
database = lmsdb
"""


def write(tmp_path: Path, name: str, text: str) -> str:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def vendor_config(tmp_path: Path, *, haslo: str = "tajne", cache: str = "1",
                  extra: str = "", db_type: str = "postgres", host: str = "localhost") -> str:
    lms = write(tmp_path, "lms.ini", LMS_INI.format(type=db_type, host=host))
    text = VENDOR_STYLE.format(haslo=haslo, cache=cache) + f"\n[lms]\nlms_ini = {lms}\n" + extra
    return write(tmp_path, "lmstv.ini", text)


def test_vendor_file_with_semicolons_and_comments(tmp_path: Path) -> None:
    cfg = load_config(vendor_config(tmp_path))
    assert cfg.sms_login == "Jan Kowalski"
    assert cfg.sms_url == "https://sms.sgtsa.pl/test/xmlrpc"
    assert cfg.sms_web_url == "https://sms.sgtsa.pl/test/"
    assert cfg.cache_enabled is True
    assert cfg.cache_lifetime == 472000
    assert cfg.http_timeout == 10.0 and cfg.long_timeout == 30.0
    assert cfg.max_reply_mb == 256
    assert cfg.bind == "127.0.0.1:8765"
    assert cfg.invoicing_mode == "append" and cfg.tv_tariff_id is None


def test_cache_off(tmp_path: Path) -> None:
    assert load_config(vendor_config(tmp_path, cache="0")).cache_enabled is False


@pytest.mark.parametrize("haslo,expected", [
    ("tajne", hashlib.md5(b"tajne").hexdigest()),
    ("6e9bece1914809fb8493146417e722f6", "6e9bece1914809fb8493146417e722f6"),
    # upper-case hex is still a hash: never hash it a second time (original's bug)
    ("6E9BECE1914809FB8493146417E722F6", "6e9bece1914809fb8493146417e722f6"),
    ("zażółć", hashlib.md5("zażółć".encode()).hexdigest()),
])
def test_password_md5_or_plain(tmp_path: Path, haslo: str, expected: str) -> None:
    assert load_config(vendor_config(tmp_path, haslo=haslo)).sms_password_md5 == expected
    assert password_md5(haslo) == expected


def test_quoted_value_keeps_semicolon() -> None:
    assert clean_value('"pa;ss"') == "pa;ss"
    assert clean_value("abc;") == "abc"
    assert clean_value("1; 1 włączony; 0 wyłączony") == "1"
    assert clean_value("  plain  ") == "plain"


def test_every_added_key(tmp_path: Path) -> None:
    extra = """
[bridge]
bind = unix:/run/lmstv/bridge.sock
secret = 0123456789abcdef0123
cache_dir = /tmp/lmstv-cache
audit_log = /tmp/lmstv-audit.log

[billing]
tv_tariff_id = 7
mode = separate
numberplan_id = 3
customergroups = tv  vip
lock_dir = /tmp/locks
"""
    path = vendor_config(tmp_path, extra=extra.replace("[lms]", ""))
    text = Path(path).read_text().replace("[opcje]", "[opcje]\nhttp_timeout = 5\nlong_timeout = 90")
    Path(path).write_text(text)
    cfg = load_config(path)
    assert cfg.bind == "unix:/run/lmstv/bridge.sock" and is_loopback_bind(cfg.bind)
    assert cfg.secret == "0123456789abcdef0123"
    assert cfg.cache_dir == "/tmp/lmstv-cache" and cfg.audit_log == "/tmp/lmstv-audit.log"
    assert cfg.tv_tariff_id == 7 and cfg.invoicing_mode == "separate" and cfg.numberplan_id == 3
    assert cfg.customergroups == ("tv", "vip") and cfg.lock_dir == "/tmp/locks"
    assert cfg.http_timeout == 5.0 and cfg.long_timeout == 90.0


@pytest.mark.parametrize("db_type,dialect", [("mysql", "mysql"), ("mysqli", "mysql"),
                                             ("postgres", "postgres")])
def test_database_from_lms_ini(tmp_path: Path, db_type: str, dialect: str) -> None:
    cfg = load_config(vendor_config(tmp_path, db_type=db_type))
    assert cfg.database is not None
    assert cfg.database.dialect == dialect
    assert (cfg.database.user, cfg.database.database) == ("lms", "lmsdb")
    assert cfg.database.password == "s3cr;et"
    assert "s3cr" not in repr(cfg.database) and "s3cr" not in cfg.database.describe()


@pytest.mark.parametrize("host,expect_host,port,sock", [
    ("db.example:5433", "db.example", 5433, None),
    ("localhost:/var/run/mysqld/mysqld.sock", "localhost", None, "/var/run/mysqld/mysqld.sock"),
    ("/run/postgresql", "/run/postgresql", None, "/run/postgresql"),
])
def test_lms_host_forms(tmp_path: Path, host: str, expect_host: str, port, sock) -> None:
    db = load_lms_database(write(tmp_path, "lms.ini", LMS_INI.format(type="mysql", host=host)))
    assert (db.host, db.port, db.unix_socket) == (expect_host, port, sock)


def test_database_override_in_lmstv_ini(tmp_path: Path) -> None:
    extra = "\n[database]\ntype = mysql\nhost = 127.0.0.1\nport = 3307\nuser = tv\ndatabase = x\n"
    cfg = load_config(vendor_config(tmp_path, extra=extra))
    assert cfg.database is not None
    assert (cfg.database.dialect, cfg.database.port, cfg.database.user) == ("mysql", 3307, "tv")


BAD_VALUES = [
    ("[opcje]", "cache = maybe", "[opcje] cache", "'maybe'", "use 1 (on) or 0 (off)"),
    ("[opcje]", "cache_lifetime = -5", "[opcje] cache_lifetime", "'-5'", "from 0"),
    ("[opcje]", "cache_lifetime = dużo", "[opcje] cache_lifetime", "'dużo'", "whole number"),
    ("[opcje]", "http_timeout = 0", "[opcje] http_timeout", "'0'", "from 0.1"),
    ("[opcje]", "long_timeout = abc", "[opcje] long_timeout", "'abc'", "use a number"),
    ("[opcje]", "max_reply_mb = 0", "[opcje] max_reply_mb", "'0'", "from 1"),
    ("[bridge]", "bind = 8765", "[bridge] bind", "'8765'", "HOST:PORT"),
    ("[bridge]", "bind = unix:relative.sock", "[bridge] bind", "'unix:relative.sock'",
     "absolute"),
    ("[billing]", "mode = sometimes", "[billing] mode", "'sometimes'", "append or separate"),
    ("[billing]", "tv_tariff_id = 0", "[billing] tv_tariff_id", "'0'", "from 1"),
]


@pytest.mark.parametrize("section,line,key,shown,fix", BAD_VALUES)
def test_bad_values_name_key_value_and_fix(tmp_path: Path, section, line, key, shown, fix) -> None:
    path = vendor_config(tmp_path)
    # A repeated section is merged and its later value wins, as in LMS's own ini files.
    Path(path).write_text(Path(path).read_text() + f"\n{section}\n{line}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    msg = str(err.value)
    assert key in msg and shown in msg and fix in msg and path in msg


def test_short_secret_is_refused_without_echoing_it(tmp_path: Path) -> None:
    path = vendor_config(tmp_path, extra="\n[bridge]\nsecret = short-one\n")
    with pytest.raises(ConfigError) as err:
        load_config(path)
    assert "[bridge] secret" in str(err.value) and "short-one" not in str(err.value)
    assert "<hidden>" in str(err.value)


@pytest.mark.parametrize("remove,key", [("login = Jan Kowalski;", "[logowanie] login"),
                                        ("haslo = tajne;", "[logowanie] haslo"),
                                        ("serwer = https://sms.sgtsa.pl/test/xmlrpc;",
                                         "[logowanie] serwer")])
def test_missing_required_keys(tmp_path: Path, remove: str, key: str) -> None:
    path = vendor_config(tmp_path)
    Path(path).write_text(Path(path).read_text().replace(remove, ""))
    with pytest.raises(ConfigError, match=key.replace("[", r"\[").replace("]", r"\]")):
        load_config(path)


def test_bad_url(tmp_path: Path) -> None:
    path = vendor_config(tmp_path)
    Path(path).write_text(Path(path).read_text().replace(
        "https://sms.sgtsa.pl/test/xmlrpc", "sms.sgtsa.pl/test/xmlrpc"))
    with pytest.raises(ConfigError, match="full http"):
        load_config(path)


def test_bad_lms_database_type(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="mysql, mysqli or postgres"):
        load_config(vendor_config(tmp_path, db_type="oracle"))


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="file not found"):
        load_config(str(tmp_path / "nope.ini"))
    path = vendor_config(tmp_path)
    os.remove(tmp_path / "lms.ini")
    with pytest.raises(ConfigError, match="lms.ini"):
        load_config(path)
    assert load_config(path, need_database=False).database is None


def test_not_an_ini_file(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="not a valid ini file"):
        load_config(write(tmp_path, "lmstv.ini", "this is not ini\n"))


def test_env_variable_selects_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LMSTV_CONFIG", vendor_config(tmp_path))
    assert load_config().sms_login == "Jan Kowalski"


def test_example_file_is_valid() -> None:
    cfg = load_config(str(ROOT / "lmstv.ini.example"), need_database=False)
    assert cfg.sms_url == "http://127.0.0.1:8899/test/xmlrpc"
    assert cfg.sms_password_md5 == hashlib.md5(b"demo1234").hexdigest()


def test_cli_reports_config_error_without_traceback(tmp_path: Path) -> None:
    path = vendor_config(tmp_path, cache="perhaps")
    proc = subprocess.run([sys.executable, "-m", "bridge", "--config", path, "config",
                           "show"], capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 78, proc.stderr
    assert "[opcje] cache" in proc.stderr and "Traceback" not in proc.stderr


def test_colon_is_not_a_key_value_separator(tmp_path: Path) -> None:
    # PHP's parse_ini_file (LMS, the shim) knows only '='; the bridge must not read a value
    # the shim cannot see.
    path = vendor_config(tmp_path, extra="\n[bridge]\nsecret: 0123456789abcdef0123\n")
    with pytest.raises(ConfigError, match="not a valid ini file"):
        load_config(path)
