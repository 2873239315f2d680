"""`lmstv shim install/uninstall` on a tree holding LMS's anchor lines: round trip, refusals."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path

import pytest

from bridge.shim import installer
from bridge.shim.edits import EDITS, MARK, AnchorError

ROOT = Path(__file__).resolve().parent.parent.parent


def _snapshot(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture
def lms_tree(tmp_path: Path) -> Path:
    """Files with the anchor lines of LMS 1.11.17 in their places (text around them invented)."""
    root = tmp_path / "lms"
    files: dict[str, str] = {
        "index.php": "<?php\n$layout['lmsv'] = '1.11-git';\n",
        "lib/LMS.class.php": "<?php\nclass LMS { public $_version = '1.11-git'; }\n",
        "modules/tvcustomers.php": "<?php\n// SGT's original module file\n",
    }
    for edit in EDITS:
        text = files.get(edit.path, "<?php\n")
        files[edit.path] = text + "// before\n" + edit.anchor + "// after\n"
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    (root / "index.php").chmod(0o640)
    return root


def test_install_reinstall_uninstall_round_trip(lms_tree: Path) -> None:
    # the tree holds every anchor, including the quick search and edit-page ones
    assert {"quicksearch-field", "quicksearch-stb", "tv-export-edit",
            "tv-exportform-edit"} <= {e.ident for e in EDITS}
    before = _snapshot(lms_tree)
    plan = installer.install(lms_tree)
    assert "lib/LMSTV.class.php" in plan.writes
    assert (lms_tree / "modules" / "customer.tv.inc.php").is_file()
    for edit in EDITS:
        text = (lms_tree / edit.path).read_text("utf-8")
        assert text.count(edit.begin_line) == 1
        assert edit.anchor in text
        # the block sits on the documented side of its anchor
        pos_block, pos_anchor = text.index(edit.block), text.index(edit.anchor)
        assert (pos_block < pos_anchor) == edit.before
    assert (lms_tree / "index.php").stat().st_mode & 0o777 == 0o640
    # SGT's file of the same name was kept as a backup, not lost
    backup = lms_tree / ".lmstv-shim" / "backup" / "modules" / "tvcustomers.php"
    assert b"SGT's original" in backup.read_bytes()

    installed = _snapshot(lms_tree)
    again = installer.install(lms_tree)
    assert again.writes == {} and again.backups == {}
    assert _snapshot(lms_tree) == installed

    installer.uninstall(lms_tree)
    assert _snapshot(lms_tree) == before


def test_dry_run_changes_nothing(lms_tree: Path) -> None:
    before = _snapshot(lms_tree)
    plan = installer.install(lms_tree, dry_run=True)
    assert plan.writes
    assert _snapshot(lms_tree) == before


def test_refuses_when_an_anchor_is_missing_and_changes_nothing(lms_tree: Path) -> None:
    menu = lms_tree / "lib" / "menu.php"
    menu.write_text(menu.read_text().replace("// Adding Userpanel menu items", "// other"))
    before = _snapshot(lms_tree)
    with pytest.raises(installer.ShimError) as exc:
        installer.install(lms_tree)
    assert "lib/menu.php" in str(exc.value) and "menu" in str(exc.value)
    assert _snapshot(lms_tree) == before


def test_refuses_an_ambiguous_anchor(lms_tree: Path) -> None:
    inc = lms_tree / "modules" / "customer.inc.php"
    inc.write_text(inc.read_text() * 2)
    with pytest.raises(installer.ShimError, match="2 times"):
        installer.install(lms_tree)


def test_refuses_other_lms_versions(lms_tree: Path) -> None:
    idx = lms_tree / "index.php"
    idx.write_text(idx.read_text().replace("1.11-git", "28.0"))
    with pytest.raises(installer.ShimError, match="LMS 28.0"):
        installer.install(lms_tree)


def test_refuses_a_directory_that_is_not_lms(tmp_path: Path) -> None:
    with pytest.raises(installer.ShimError, match="not an LMS directory"):
        installer.install(tmp_path)


def test_uninstall_refuses_a_block_changed_by_hand(lms_tree: Path) -> None:
    installer.install(lms_tree)
    menu = lms_tree / "lib" / "menu.php"
    menu.write_text(menu.read_text().replace("lmstv.menu.php", "lmstv.menu2.php"))
    before = _snapshot(lms_tree)
    with pytest.raises(installer.ShimError, match="changed after installation"):
        installer.uninstall(lms_tree)
    assert _snapshot(lms_tree) == before


def test_uninstall_keeps_operator_changes_outside_our_blocks(lms_tree: Path) -> None:
    installer.install(lms_tree)
    inc = lms_tree / "modules" / "customer.inc.php"
    inc.write_text(inc.read_text() + "// operator's own line\n")
    plan = installer.uninstall(lms_tree)
    text = inc.read_text()
    assert "operator's own line" in text and MARK not in text
    assert any("changed outside" in n for n in plan.notes)


def test_edit_markers_are_unambiguous() -> None:
    # one edit's marker must never be found inside another's in the same file
    for edit in EDITS:
        for other in EDITS:
            if other is not edit and other.path == edit.path:
                assert edit.begin_line not in other.block, (edit.ident, other.ident)


def test_edit_remove_is_exact_inverse() -> None:
    for edit in EDITS:
        original = "x\n" + edit.anchor + "y\n"
        applied = edit.apply(original)
        assert applied != original and edit.apply(applied) == applied
        assert edit.remove(applied) == original
        with pytest.raises(AnchorError):
            edit.apply("nothing here\n")


def test_cli_install_status_uninstall(lms_tree: Path, tmp_path: Path) -> None:
    # No lmstv.ini: install must not go looking for /etc/lms/lmstv.ini on the test machine (it
    # would create /etc/lms/lmstv-shim.ini next to a real one).
    env = dict(os.environ, LMSTV_CONFIG=str(tmp_path / "no-lmstv.ini"))

    def lmstv(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "bridge", "shim", *args,
                               "--lms-dir", str(lms_tree)], cwd=ROOT, capture_output=True,
                              text=True, timeout=60, env=env)

    before = _snapshot(lms_tree)
    assert lmstv("status").returncode == 3
    out = lmstv("install", "--dry-run")
    assert out.returncode == 0 and "would write" in out.stdout and _snapshot(lms_tree) == before
    installed = lmstv("install")
    assert installed.returncode == 0
    assert "lmstv-shim.ini not created" in installed.stderr and "file not found" in \
        installed.stderr
    status = lmstv("status")
    assert status.returncode == 0 and "MISSING" not in status.stdout
    assert lmstv("uninstall").returncode == 0
    assert _snapshot(lms_tree) == before
    missing = lmstv("uninstall")
    assert missing.returncode == 1 and "not installed" in missing.stderr


def test_shipped_patch_matches_the_edits() -> None:
    patch = (ROOT / "php-shim" / "patches" / "lms-1.11.17.patch").read_text("utf-8")
    for edit in EDITS:
        assert f"+++ b/{edit.path}" in patch
        for line in edit.block.splitlines():
            assert f"+{line}" in patch, (edit.ident, line)


def _stale(text: str) -> str:
    """The menu block as an older lmstv release (or a hand edit) left it: same markers."""
    return text.replace("lmstv.menu.php');", "lmstv.menu.php'); // older release")


def test_reinstall_replaces_a_block_left_by_an_older_release(lms_tree: Path) -> None:
    before = _snapshot(lms_tree)
    installer.install(lms_tree)
    menu = lms_tree / "lib" / "menu.php"
    menu.write_text(_stale(menu.read_text()))
    plan = installer.install(lms_tree)
    text = menu.read_text()
    edit = next(e for e in EDITS if e.ident == "menu")
    assert text.count(edit.begin_line) == 1 and edit.block in text, text
    assert "older release" not in text
    assert any("menu" in n and "replaced" in n for n in plan.notes), plan.notes
    installer.uninstall(lms_tree)
    assert _snapshot(lms_tree) == before


def test_uninstall_refuses_to_leave_lmstv_lines_behind(lms_tree: Path) -> None:
    # A second copy of a block (what re-installing over an older release used to produce), or
    # a block of an edit this release no longer has, would stay after uninstall and require
    # the deleted LMSTV.class.php: every LMS page a fatal error.
    installer.install(lms_tree)
    index = lms_tree / "index.php"
    edit = next(e for e in EDITS if e.ident == "bridge-client")
    index.write_text(index.read_text().replace(edit.block, _stale(edit.block) + edit.block))
    before = _snapshot(lms_tree)
    with pytest.raises(installer.ShimError, match="bridge-client"):
        installer.uninstall(lms_tree)
    assert _snapshot(lms_tree) == before

    index.write_text(index.read_text().replace(_stale(edit.block), "")
                     + "// lmstv-shim begin: dropped-edit\nrequire 'x.php';\n"
                       "// lmstv-shim end: dropped-edit\n")
    before = _snapshot(lms_tree)
    with pytest.raises(installer.ShimError, match="dropped-edit"):
        installer.uninstall(lms_tree)
    assert _snapshot(lms_tree) == before


# -- lmstv-shim.ini --------------------------------------------------------------------------

SHIM_SECRET = "bridge-secret-0123456789abcdef"


def _lmstv_ini(tmp_path: Path, bridge: str) -> Path:
    ini = tmp_path / "conf" / "lmstv.ini"
    ini.parent.mkdir(exist_ok=True)
    ini.write_text("[logowanie]\nlogin = Jan Kowalski\nhaslo = demo1234\n"
                   f"serwer = http://127.0.0.1:9/test/xmlrpc\n[bridge]\n{bridge}\n",
                   encoding="utf-8")
    return ini


def _shim_cli(ini: Path, lms_tree: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge", "--config", str(ini), "shim",
                           "install", "--lms-dir", str(lms_tree), *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_install_creates_the_missing_shim_file_from_the_bridge_config(lms_tree: Path,
                                                                     tmp_path: Path) -> None:
    from bridge.config import load_config

    shim = tmp_path / "etc-lms" / "lmstv-shim.ini"
    ini = _lmstv_ini(tmp_path, f"shim_config = {shim}\n")
    # split layout, file missing: the bridge cannot even load its configuration yet
    dry = _shim_cli(ini, lms_tree, "--dry-run")
    assert dry.returncode == 0, dry.stderr
    assert f"would create {shim} (lmstv:www-data 640) with [bridge] bind = 127.0.0.1:8765 " \
           "and a new random secret" in dry.stdout
    assert not shim.exists()
    done = _shim_cli(ini, lms_tree)
    assert done.returncode == 0, done.stderr
    assert f"create {shim}" in done.stdout
    assert shim.stat().st_mode & 0o777 == 0o640
    cfg = load_config(str(ini), need_database=False)  # the bridge now reads it
    assert len(cfg.secret) >= 32 and cfg.bind == "127.0.0.1:8765"
    assert cfg.secret not in done.stdout + done.stderr + dry.stdout + dry.stderr
    assert "demo1234" not in shim.read_text() and "[logowanie]" not in shim.read_text()
    # never overwritten
    shim.write_text(f"[bridge]\nsecret = {SHIM_SECRET}\n; edited by hand\n")
    again = _shim_cli(ini, lms_tree)
    assert again.returncode == 0 and f"keep {shim} (exists; never overwritten)" in again.stdout
    assert "edited by hand" in shim.read_text()


def test_install_writes_the_bridge_secret_next_to_a_single_file_config(lms_tree: Path,
                                                                       tmp_path: Path) -> None:
    ini = _lmstv_ini(tmp_path, f"bind = 127.0.0.1:8799\nsecret = {SHIM_SECRET}\n")
    done = _shim_cli(ini, lms_tree)
    assert done.returncode == 0, done.stderr
    shim = ini.parent / "lmstv-shim.ini"
    text = shim.read_text()
    assert f"secret = {SHIM_SECRET}" in text and "bind = 127.0.0.1:8799" in text
    assert SHIM_SECRET not in done.stdout + done.stderr
    assert f"then set [bridge] shim_config = {shim} in lmstv.ini" in done.stdout


def test_created_shim_file_gets_the_documented_owner_and_mode(tmp_path: Path) -> None:
    import grp

    from bridge.shim import shimini

    plan = shimini.ShimIniPlan(tmp_path / "lmstv-shim.ini", False, secret=SHIM_SECRET,
                               owner="root", group="www-data")
    old = os.umask(0o077)
    try:
        assert shimini.create(plan) == []
    finally:
        os.umask(old)
    st = plan.path.stat()
    assert (st.st_mode & 0o777, st.st_uid, st.st_gid) == (0o640, 0,
                                                          grp.getgrnam("www-data").gr_gid)
    # an owner that does not exist is a warning with the command to run, not a failure
    plan2 = shimini.ShimIniPlan(tmp_path / "b.ini", False, secret=SHIM_SECRET,
                                owner="no-such-user-lmstv")
    warnings = shimini.create(plan2)
    assert len(warnings) == 1 and "chown no-such-user-lmstv:www-data" in warnings[0]
    with pytest.raises(FileExistsError):
        shimini.create(shimini.ShimIniPlan(plan.path, False, secret="x" * 20))


def _compiled(directory: Path, *names: str) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    out = {}
    for n, name in enumerate(names):
        path = directory / f"{n:040x}_0.file.{name}.php"
        path.write_text("<?php /* compiled */\n", encoding="utf-8")
        out[name] = path
    return out


def test_install_and_uninstall_clear_only_lmstv_compiled_templates(
        lms_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(installer, "ETC_LMS_INI", tmp_path / "no-etc-lms.ini")
    own = tmp_path / "compiled-elsewhere"
    (lms_tree / "lms.ini").write_text(
        f"[database]\ntype = postgres\n\n[directories]\nsmarty_compile_dir = {own}\n", "utf-8")
    ours = ("tvcustomers.html", "tvreconcile.html", "customertvinfobox.html",
            "customerinfo.html")  # the last is LMS's, but installing edits it
    lms_own = ("welcome.html", "welcome_links.html", "customernodesbox.html")
    default = _compiled(lms_tree / "templates_c", *ours, *lms_own)
    (lms_tree / "templates_c" / "README").write_text("not a compiled template\n", "utf-8")
    elsewhere = _compiled(own, "tvstblist.html", "login.html")

    dry = installer.install(lms_tree, dry_run=True)
    assert all(p.exists() for p in [*default.values(), *elsewhere.values()])
    assert sorted(dry.compiled) == sorted([*(default[n] for n in ours),
                                           elsewhere["tvstblist.html"]])
    assert any(line.startswith("clear  ") for line in dry.describe())

    installer.install(lms_tree)
    assert [n for n in ours if default[n].exists()] == []
    assert not elsewhere["tvstblist.html"].exists()
    assert all(default[n].exists() for n in lms_own) and elsewhere["login.html"].exists()
    assert (lms_tree / "templates_c" / "README").exists()

    # pages viewed after the install compile the templates again; uninstall clears them too
    default = {**default, **_compiled(lms_tree / "templates_c", *ours)}
    lms_copy = {n: default[n].read_bytes() for n in lms_own}
    installer.uninstall(lms_tree)
    assert [n for n in ours if default[n].exists()] == []
    assert {n: default[n].read_bytes() for n in lms_own} == lms_copy
    assert elsewhere["login.html"].exists()


def test_a_tree_without_templates_c_installs(lms_tree: Path, monkeypatch, tmp_path) -> None:
    monkeypatch.setattr(installer, "ETC_LMS_INI", tmp_path / "no-etc-lms.ini")
    assert installer.install(lms_tree).compiled == []
    assert installer.uninstall(lms_tree).compiled == []
