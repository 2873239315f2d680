"""`lmstv plugin install|uninstall|status` on a real LMS 28 tree and database, both engines."""

from __future__ import annotations

import subprocess
import sys

import pytest

from bridge.plugin import classmap, enabling, installer
from tests.e2e.lms28 import tree_digests

ROOT = installer.ROOT


def lmstv(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "bridge", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def plugins_rows(db) -> list[dict]:
    return db.query("SELECT value, disabled, userid, divisionid FROM uiconfig "
                    "WHERE section = 'phpui' AND var = 'plugins'")


def set_plugins(db, value: str, disabled: int = 0) -> None:
    db.execute("INSERT INTO uiconfig (section, var, value, description, disabled) "
               "VALUES ('phpui', 'plugins', %s, '', %s)", [value, disabled])


def classmap_text(lms_dir) -> str:
    return (lms_dir / classmap.GENERATED).read_text("utf-8")


def test_install_copies_enables_and_maps_the_plugin(lms_dir, lms_db):
    proc = lmstv("plugin", "install", "--lms-dir", str(lms_dir))
    assert proc.returncode == 0, proc.stderr
    base = lms_dir / "plugins" / installer.PLUGIN
    assert (base / "LMSTVPlugin.php").is_file()
    # The shared client is the shim's very file, not a fork.
    assert (base / "lib" / "LMSTV.class.php").read_bytes() == installer.CLIENT_SRC.read_bytes()
    assert plugins_rows(lms_db) == [{"value": "LMSTVPlugin", "disabled": 0, "userid": None,
                                     "divisionid": None}]
    text = classmap_text(lms_dir)
    for cls in ("LMSTVPlugin", "LMSTVPluginMenuHandler", "LMSTVPluginAccessHandler",
                "LMSTVPluginInitHandler", "LMSTV", "LMSTVError", "PluginExample"):
        assert f"'{cls}' =>" in text, cls
    status = lmstv("plugin", "status", "--lms-dir", str(lms_dir))
    assert status.returncode == 0, status.stdout + status.stderr
    assert "installed, version 0.1.0" in status.stdout
    assert "enabled in phpui.plugins: yes" in status.stdout
    assert "in LMS's classmap: yes" in status.stdout


def test_install_twice_changes_nothing_the_second_time(lms_dir, lms_db):
    installer.install(lms_dir)
    before = tree_digests(lms_dir), plugins_rows(lms_db)
    plan = installer.install(lms_dir)
    assert plan.describe() == ["already installed and enabled"]
    assert (tree_digests(lms_dir), plugins_rows(lms_db)) == before


def test_uninstall_leaves_tree_and_uiconfig_as_before(lms_dir, lms_db):
    before = tree_digests(lms_dir)
    assert plugins_rows(lms_db) == []
    installer.install(lms_dir)
    assert tree_digests(lms_dir) != before
    proc = lmstv("plugin", "uninstall", "--lms-dir", str(lms_dir))
    assert proc.returncode == 0, proc.stderr
    assert tree_digests(lms_dir) == before
    assert plugins_rows(lms_db) == []
    assert lmstv("plugin", "status", "--lms-dir", str(lms_dir)).returncode == 3


def test_other_enabled_plugins_are_kept(lms_dir, lms_db):
    set_plugins(lms_db, "PluginExample:10,  Other")
    installer.install(lms_dir)
    value = plugins_rows(lms_db)[0]["value"]
    assert value == "PluginExample:10,  Other LMSTVPlugin"
    assert enabling.names(value) == ["PluginExample", "Other", "LMSTVPlugin"]
    installer.uninstall(lms_dir)
    # Untouched since install: restored byte for byte, separators included.
    assert plugins_rows(lms_db)[0]["value"] == "PluginExample:10,  Other"


def test_uninstall_after_admin_changed_the_row_removes_only_ours(lms_dir, lms_db):
    installer.install(lms_dir)
    lms_db.execute("UPDATE uiconfig SET value = %s WHERE section = 'phpui' AND var = 'plugins'",
                   ["LMSTVPlugin PluginExample"])
    installer.uninstall(lms_dir)
    assert [r["value"] for r in plugins_rows(lms_db)] == ["PluginExample"]


def test_dry_run_changes_nothing(lms_dir, lms_db):
    before = tree_digests(lms_dir), plugins_rows(lms_db)
    proc = lmstv("plugin", "install", "--lms-dir", str(lms_dir), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "would write  plugins/LMSTVPlugin/LMSTVPlugin.php" in proc.stdout
    assert "would uiconfig phpui.plugins: create it = 'LMSTVPlugin'" in proc.stdout
    assert "dry run, nothing changed" in proc.stdout
    assert (tree_digests(lms_dir), plugins_rows(lms_db)) == before

    installer.install(lms_dir)
    installed = tree_digests(lms_dir), plugins_rows(lms_db)
    proc = lmstv("plugin", "uninstall", "--lms-dir", str(lms_dir), "--dry-run")
    assert proc.returncode == 0, proc.stderr
    assert "would delete plugins/LMSTVPlugin/LMSTVPlugin.php" in proc.stdout
    assert (tree_digests(lms_dir), plugins_rows(lms_db)) == installed


def test_refuses_a_foreign_plugin_directory(lms_dir, lms_db):
    (lms_dir / "plugins" / installer.PLUGIN).mkdir()
    (lms_dir / "plugins" / installer.PLUGIN / "mine.txt").write_text("x")
    before = tree_digests(lms_dir)
    proc = lmstv("plugin", "install", "--lms-dir", str(lms_dir))
    assert proc.returncode == 1 and "not installed by lmstv" in proc.stderr
    assert tree_digests(lms_dir) == before and plugins_rows(lms_db) == []


def test_refuses_when_phpui_plugins_is_disabled(lms_dir, lms_db):
    set_plugins(lms_db, "PluginExample", disabled=1)
    with pytest.raises(installer.PluginError, match="disabled"):
        installer.install(lms_dir)
    assert not (lms_dir / "plugins" / installer.PLUGIN).exists()


def test_without_composer_or_generated_classmap_prints_the_command(lms_dir, lms_db,
                                                                   monkeypatch):
    (lms_dir / classmap.GENERATED).unlink()
    monkeypatch.setenv("PATH", "/usr/bin:/bin")   # Debian has no composer in /usr/bin here
    proc = lmstv("plugin", "install", "--lms-dir", str(lms_dir))
    assert proc.returncode == 0, proc.stderr
    assert f"next: cd {lms_dir} && composer dump-autoload -o" in proc.stdout
    assert not (lms_dir / classmap.GENERATED).exists()


@pytest.mark.parametrize("dialect", ["postgres"])
def test_refuses_lms_1_11_17(tmp_path, dialect):
    old = tmp_path / "lms-1.11.17"
    (old / "lib").mkdir(parents=True)
    (old / "index.php").write_text("<?php\n")
    proc = lmstv("plugin", "install", "--lms-dir", str(old))
    assert proc.returncode == 1 and "lmstv shim install" in proc.stderr
    assert sorted(p.name for p in old.rglob("*")) == ["index.php", "lib"]
