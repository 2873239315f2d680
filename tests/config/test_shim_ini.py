"""lmstv-shim.ini seen from the CLI: `lmstv config show` names it, `lmstv check` inspects it
(secret, bind, who can read it, which file the shim really reads), and no output ever holds a
secret.  Real files, real `python -m bridge` subprocesses; SMS and the database are unreachable
on purpose (their lines fail, the shim's lines are what is checked)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.config import password_md5
from tests.conftest import ROOT

SECRET = "s3cret-for-the-shim-0123456789"
OTHER = "another-secret-0123456789abcdef"
WWW_DATA_GID = 33


def _layout(tmp_path: Path, *, shim: str | None, bridge: str = "", lms_root_shim: str | None = None,
            named: bool = True) -> Path:
    lms_dir = tmp_path / "lms"
    lms_dir.mkdir()
    shim_path = tmp_path / "etc" / "lmstv-shim.ini"
    if shim is not None:
        shim_path.parent.mkdir()
        shim_path.write_text(shim, encoding="utf-8")
        os.chown(shim_path, 0, WWW_DATA_GID)
        shim_path.chmod(0o640)
    if lms_root_shim is not None:
        (lms_dir / "lmstv-shim.ini").write_text(lms_root_shim, encoding="utf-8")
        os.chown(lms_dir / "lmstv-shim.ini", 0, WWW_DATA_GID)
        (lms_dir / "lmstv-shim.ini").chmod(0o640)
    ini = tmp_path / "lmstv.ini"
    ini.write_text(f"""[logowanie]
login = Jan Kowalski;
haslo = demo1234;
serwer = http://127.0.0.1:9/test/xmlrpc;

[bridge]
{f'shim_config = {shim_path}' if named else ''}
cache_dir = {tmp_path / 'cache'}
{bridge}
[lms]
lms_dir = {lms_dir}

[database]
type = postgres
host = 127.0.0.1
port = 9
""", encoding="utf-8")
    ini.chmod(0o640)
    return ini


def lmstv(ini: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), *args],
                          cwd=ROOT, capture_output=True, text=True, timeout=60)


def no_secrets(text: str) -> None:
    for secret in (SECRET, OTHER, "demo1234", password_md5("demo1234")):
        assert secret not in text


def shim_lines(out: str) -> list[str]:
    return [ln for ln in out.splitlines() if ln[6:14].strip() == "shim"]


def test_config_show_names_the_shim_file_and_hides_secrets(tmp_path: Path) -> None:
    ini = _layout(tmp_path, shim=f"[bridge]\nbind = 127.0.0.1:8790\nsecret = {SECRET}\n")
    proc = lmstv(ini, "config", "show")
    assert proc.returncode == 0, proc.stderr
    shim = str(tmp_path / "etc" / "lmstv-shim.ini")
    assert any(ln.startswith("[bridge] shim_config") and ln.endswith(shim)
               for ln in proc.stdout.splitlines()), proc.stdout
    assert f"127.0.0.1:8790 (from {shim})" in proc.stdout
    assert f"<hidden> (from {shim})" in proc.stdout
    no_secrets(proc.stdout + proc.stderr)


def test_config_show_without_a_shim_file_says_so(tmp_path: Path) -> None:
    ini = _layout(tmp_path, shim=None, named=False, bridge=f"secret = {SECRET}\n")
    proc = lmstv(ini, "config", "show")
    assert proc.returncode == 0, proc.stderr
    assert "<not set: bind and secret from this file>" in proc.stdout
    no_secrets(proc.stdout + proc.stderr)


def test_check_accepts_a_shim_file_that_agrees_with_the_bridge(tmp_path: Path) -> None:
    ini = _layout(tmp_path, shim=f"[bridge]\nbind = 127.0.0.1:8790\nsecret = {SECRET}\n")
    proc = lmstv(ini, "check")
    lines = shim_lines(proc.stdout)
    assert any(ln.startswith("OK    shim") and "agree with the bridge" in ln for ln in lines), \
        proc.stdout
    assert not any(ln.startswith("FAIL") for ln in lines)
    # a file outside the shim's search path is found only through $LMSTV_SHIM_CONFIG
    assert any(ln.startswith("WARN") and "LMSTV_SHIM_CONFIG" in proc.stdout for ln in lines)
    no_secrets(proc.stdout + proc.stderr)


@pytest.mark.parametrize("case,kw,expected", [
    ("no secret in the shim's file",
     {"shim": "[bridge]\nbind = 127.0.0.1:8765\n", "bridge": f"secret = {SECRET}\n"},
     "has no [bridge] secret"),
    ("another secret in the file the shim reads",
     {"shim": None, "named": False, "bridge": f"secret = {SECRET}\n",
      "lms_root_shim": f"[bridge]\nsecret = {OTHER}\n"},
     "differs from the bridge's"),
    ("another address",
     {"shim": None, "named": False, "bridge": f"secret = {SECRET}\nbind = 127.0.0.1:8765\n",
      "lms_root_shim": f"[bridge]\nbind = 127.0.0.1:9999\nsecret = {SECRET}\n"},
     "the shim calls 127.0.0.1:9999"),
    ("another address by bridge_url",
     {"shim": f"[bridge]\nsecret = {SECRET}\n[shim]\nbridge_url = http://127.0.0.1:9998\n"},
     "bridge_url in"),
    ("a second file shadowing shim_config",
     {"shim": f"[bridge]\nsecret = {SECRET}\n", "lms_root_shim": f"[bridge]\nsecret = {SECRET}\n"},
     "before"),
])
def test_check_fails_when_the_shim_could_not_reach_the_bridge(tmp_path: Path, case, kw,
                                                               expected) -> None:
    ini = _layout(tmp_path, **kw)
    proc = lmstv(ini, "check")
    lines = shim_lines(proc.stdout)
    assert proc.returncode == 1
    assert any(ln.startswith("FAIL  shim") and expected in ln for ln in lines), (case, proc.stdout)
    assert "fix:" in proc.stdout.split(expected, 1)[1].splitlines()[1], case
    no_secrets(proc.stdout + proc.stderr)


def test_check_fails_when_the_web_server_cannot_read_the_shim_file(tmp_path: Path) -> None:
    ini = _layout(tmp_path, shim=f"[bridge]\nsecret = {SECRET}\n")
    shim = tmp_path / "etc" / "lmstv-shim.ini"
    os.chown(shim, 0, 0)
    shim.chmod(0o600)
    proc = lmstv(ini, "check")
    assert any("not readable by the web server (www-data)" in ln
               for ln in shim_lines(proc.stdout)), proc.stdout
    assert f"chown lmstv:www-data {shim} && chmod 640 {shim}" in proc.stdout
    shim.chmod(0o644)  # readable by everybody: the secret is exposed
    out = lmstv(ini, "check").stdout
    assert any(ln.startswith("WARN  shim") and "every local user can read it" in ln
               for ln in shim_lines(out)), out


def test_check_warns_without_any_shim_file(tmp_path: Path) -> None:
    if Path("/etc/lms/lmstv-shim.ini").exists():
        pytest.fail("this test needs a machine without /etc/lms/lmstv-shim.ini")
    ini = _layout(tmp_path, shim=None, named=False, bridge=f"secret = {SECRET}\n")
    proc = lmstv(ini, "check")
    assert any(ln.startswith("WARN  shim") and "no lmstv-shim.ini" in ln
               for ln in shim_lines(proc.stdout)), proc.stdout
    assert "lmstv shim install" in proc.stdout
