"""The split configuration: SMS credentials in lmstv.ini (bridge only), the shim's part in
lmstv-shim.ini (readable by the web server), and `lmstv check` warning about a readable password."""

from __future__ import annotations

import os
import pwd
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.config import ConfigError, load_config
from bridge.secretfiles import web_server_readers
from tests.conftest import ROOT

SECRET = "s3cret-for-the-shim-0123456789"


def _write(tmp_path: Path, *, shim: str, bridge_extra: str = "") -> Path:
    (tmp_path / "lmstv-shim.ini").write_text(shim, encoding="utf-8")
    ini = tmp_path / "lmstv.ini"
    ini.write_text(f"""[logowanie]
login = Jan Kowalski;
haslo = demo1234;
serwer = http://127.0.0.1:9/test/xmlrpc;

[bridge]
shim_config = {tmp_path / 'lmstv-shim.ini'}
cache_dir = {tmp_path / 'cache'}
{bridge_extra}
[database]
type = postgres
host = 127.0.0.1
port = 9
""", encoding="utf-8")
    return ini


def test_bridge_takes_bind_and_secret_from_the_shim_file(tmp_path: Path) -> None:
    ini = _write(tmp_path, shim=f"[bridge]\nbind = 127.0.0.1:8790\nsecret = {SECRET}\n"
                               "[shim]\ntimeout = 20\n")
    cfg = load_config(str(ini))
    assert (cfg.bind, cfg.secret) == ("127.0.0.1:8790", SECRET)
    assert cfg.shim_config == str(tmp_path / "lmstv-shim.ini")


def test_a_secret_set_differently_in_both_files_is_refused(tmp_path: Path) -> None:
    ini = _write(tmp_path, shim=f"[bridge]\nsecret = {SECRET}\n",
                 bridge_extra="secret = another-secret-0123456789\n")
    with pytest.raises(ConfigError) as exc:
        load_config(str(ini))
    assert "keep it only in that file" in str(exc.value)
    assert "another-secret" not in str(exc.value) and SECRET not in str(exc.value)


@pytest.fixture
def web_user() -> pwd.struct_passwd:
    try:
        return pwd.getpwnam("www-data")
    except KeyError:
        pytest.fail("this test needs the www-data user (Debian's web server user)")


def test_web_server_readers_follows_owner_group_and_mode(tmp_path: Path,
                                                         web_user: pwd.struct_passwd) -> None:
    f = tmp_path / "lmstv.ini"
    f.write_text("[logowanie]\n")
    os.chown(f, 0, 0)
    f.chmod(0o644)
    assert "www-data" in web_server_readers(f)
    f.chmod(0o640)
    assert web_server_readers(f) == []
    os.chown(f, 0, web_user.pw_gid)
    assert web_server_readers(f) == ["www-data"]


def test_check_warns_when_the_web_server_can_read_the_sms_password(
        tmp_path: Path, web_user: pwd.struct_passwd) -> None:
    ini = _write(tmp_path, shim=f"[bridge]\nsecret = {SECRET}\n")

    def check() -> str:
        proc = subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "check"],
                              cwd=ROOT, capture_output=True, text=True, timeout=60)
        return proc.stdout

    ini.chmod(0o644)
    out = check()
    assert f"WARN  secrets   {ini} holds the SMS password and www-data" in out
    assert "demo1234" not in out and SECRET not in out
    ini.chmod(0o640)
    assert "WARN  secrets" not in check()


def test_check_warns_when_the_decoder_runs_without_its_c_loop(tmp_path: Path) -> None:
    ini = _write(tmp_path, shim=f"[bridge]\nsecret = {SECRET}\n")
    ini.chmod(0o640)

    def check(*, c_loop: bool) -> str:
        hide = "" if c_loop else "sys.modules['bridge.sms._fastrun'] = None; "
        code = (f"import sys; {hide}from bridge.cli import main; "
                f"sys.exit(main(['--config', {str(ini)!r}, 'check']))")
        proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                              text=True, timeout=60)
        return proc.stdout

    out = check(c_loop=False)
    assert "WARN  decoder   SMS replies are decoded without the C loop" in out, out
    assert "fix: apt-get install gcc python3-dev, then ./lmstv.sh setup" in out
    assert "WARN  decoder" not in check(c_loop=True)


def test_the_two_example_files_make_the_documented_layout(tmp_path: Path) -> None:
    shim = tmp_path / "lmstv-shim.ini"
    shim.write_text((ROOT / "lmstv-shim.ini.example").read_text(encoding="utf-8"))
    lines = (ROOT / "lmstv.ini.example").read_text(encoding="utf-8").splitlines()
    # as the example's own comment says: drop bind and secret, set shim_config
    kept = [ln for ln in lines if not ln.startswith(("bind =", "secret ="))]
    at = kept.index("[bridge]") + 1
    kept.insert(at, f"shim_config = {shim}")
    ini = tmp_path / "lmstv.ini"
    ini.write_text("\n".join(kept) + "\n", encoding="utf-8")
    cfg = load_config(str(ini), need_database=False)
    assert cfg.secret == "change-me-to-a-long-random-string" and cfg.bind == "127.0.0.1:8765"
    assert "haslo" not in shim.read_text() and "[logowanie]" not in shim.read_text()
