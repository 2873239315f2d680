"""Put the TV plugin into current LMS (28-git) or take it out, without touching LMS's files.

Install = copy php-plugin/LMSTVPlugin/ to <lms>/plugins/LMSTVPlugin/ plus the shared bridge
client (php-shim/lib/LMSTV.class.php → plugins/LMSTVPlugin/lib/, one source for both LMS
versions), add LMSTVPlugin to uiconfig phpui.plugins, regenerate LMS's classmap. What was done
is recorded in plugins/LMSTVPlugin/.lmstv-install.json, so uninstall removes exactly that: the
files it wrote and its uiconfig change (the row deleted if install created it, else the value
restored or just our name removed when someone changed the row since), then the classmap again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from bridge.config import ConfigError, DatabaseConfig, load_lms_database
from bridge.lms.db import connect
from bridge.plugin import classmap, enabling

PLUGIN = "LMSTVPlugin"
ROOT = Path(__file__).resolve().parent.parent.parent
PLUGIN_SRC = ROOT / "php-plugin" / PLUGIN
CLIENT_SRC = ROOT / "php-shim" / "lib" / "LMSTV.class.php"
CLIENT_DEST = "lib/LMSTV.class.php"
# The shim's screens the plugin runs (its modules, templates and their helper), copied to shim/:
# one source for both LMS versions. The client itself goes to lib/ only (one class LMSTV in
# LMS's classmap).
SHIM_SRC = ROOT / "php-shim"
SHARED = ("modules", "templates", "lib/lmstv.stbsearch.php")
SHARED_DEST = "shim"
STATE = ".lmstv-install.json"


class PluginError(Exception):
    """Cannot install/uninstall here; the message says why and what to do."""


@dataclass
class Plan:
    lms_dir: Path
    writes: dict[str, bytes] = field(default_factory=dict)    # relpath in the LMS tree
    deletes: list[str] = field(default_factory=list)
    uiconfig: tuple[enabling.PluginsRow, str | None] | None = None   # (row now, new value)
    classmap: classmap.ClassmapAction | None = None
    state: dict | None = None
    notes: list[str] = field(default_factory=list)

    def describe(self) -> list[str]:
        lines = [f"write  {p}" for p in sorted(self.writes)]
        lines += [f"delete {p}" for p in sorted(self.deletes)]
        if self.uiconfig is not None:
            row, value = self.uiconfig
            if value is None:
                lines.append("uiconfig phpui.plugins: delete the row lmstv created")
            elif not row.exists:
                lines.append(f"uiconfig phpui.plugins: create it = '{value}'")
            else:
                lines.append(f"uiconfig phpui.plugins: '{row.value}' -> '{value}'")
        if self.classmap is not None:
            lines.append(self.classmap.describe())
        return lines + self.notes


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def plugin_files() -> dict[str, bytes]:
    """relpath inside the plugin directory -> content, the shared client and screens included."""
    if not (PLUGIN_SRC / f"{PLUGIN}.php").is_file() or not CLIENT_SRC.is_file():
        raise PluginError(f"{PLUGIN_SRC} or {CLIENT_SRC} is missing: run lmstv from its "
                          "source tree (the PHP files are not in the Python package)")
    files = {p.relative_to(PLUGIN_SRC).as_posix(): p.read_bytes()
             for p in sorted(PLUGIN_SRC.rglob("*")) if p.is_file()}
    files[CLIENT_DEST] = CLIENT_SRC.read_bytes()
    for rel in SHARED:
        src = SHIM_SRC / rel
        for path in sorted(src.rglob("*")) if src.is_dir() else [src]:
            if path.is_file():
                files[f"{SHARED_DEST}/{path.relative_to(SHIM_SRC).as_posix()}"] = path.read_bytes()
    return files


def check_lms(lms_dir: Path) -> None:
    if not (lms_dir / "lib" / "LMSPluginManager" / "LMSPlugin.php").is_file() \
            or not (lms_dir / "index.php").is_file():
        raise PluginError(f"{lms_dir} is not a current LMS tree (no lib/LMSPluginManager/"
                          "LMSPlugin.php); LMS 1.11.17 takes the shim: lmstv shim install")
    if not (lms_dir / "plugins").is_dir():
        raise PluginError(f"{lms_dir}/plugins does not exist; LMS's PLUGIN_DIR elsewhere is "
                          "not supported")


def lms_database(lms_dir: Path) -> DatabaseConfig:
    """[database] of the lms.ini LMS itself would read (./lms.ini first, as index.php)."""
    for ini in (lms_dir / "lms.ini", Path("/etc/lms/lms.ini")):
        if ini.is_file():
            try:
                return load_lms_database(str(ini))
            except ConfigError as exc:
                raise PluginError(str(exc)) from None
    raise PluginError(f"no lms.ini in {lms_dir} nor /etc/lms: cannot reach LMS's database")


def load_state(lms_dir: Path) -> dict | None:
    path = lms_dir / "plugins" / PLUGIN / STATE
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text("utf-8"))
    except ValueError as exc:
        raise PluginError(f"{path} is damaged ({exc}); remove plugins/{PLUGIN} by hand and "
                          "the LMSTVPlugin entry from phpui.plugins") from None


def plan_install(lms_dir: Path, row: enabling.PluginsRow) -> Plan:
    check_lms(lms_dir)
    base = f"plugins/{PLUGIN}"
    old = load_state(lms_dir)
    if old is None and (lms_dir / base).exists():
        raise PluginError(f"{lms_dir / base} exists but was not installed by lmstv; move it "
                          "away first")
    if row.disabled:
        raise PluginError("uiconfig phpui.plugins is disabled in LMS (Konfiguracja → "
                          "Interfejs użytkownika): enable it first, or no plugin loads")
    files = plugin_files()
    plan = Plan(lms_dir)
    for rel, data in files.items():
        if (lms_dir / base / rel).is_file() and (lms_dir / base / rel).read_bytes() == data:
            continue
        plan.writes[f"{base}/{rel}"] = data
    if old is not None:
        plan.deletes = [f"{base}/{rel}" for rel in old["files"] if rel not in files]
    # Reinstall keeps what the first install found, so uninstall still restores that.
    uiconfig = old["uiconfig"] if old else {"created": not row.exists, "before": row.value,
                                             "written": None}
    new_value = enabling.with_plugin(row.value, PLUGIN)
    if new_value != row.value or not row.exists:
        plan.uiconfig = (row, new_value)
        uiconfig = {**uiconfig, "written": new_value}
    plan.state = {"plugin": PLUGIN, "version": plugin_version(files[f"{PLUGIN}.php"]),
                  "files": {rel: _sha(data) for rel, data in files.items()},
                  "uiconfig": uiconfig}
    if plan.writes or plan.deletes:
        plan.classmap = classmap.plan(lms_dir)
    if not plan.writes and not plan.deletes and plan.uiconfig is None:
        plan.notes.append("already installed and enabled")
    return plan


def plan_uninstall(lms_dir: Path, row: enabling.PluginsRow) -> Plan:
    check_lms(lms_dir)
    state = load_state(lms_dir)
    plan = Plan(lms_dir)
    if state is None:
        plan.notes.append(f"plugins/{PLUGIN} not installed by lmstv: nothing to remove")
        return plan
    base = f"plugins/{PLUGIN}"
    plan.deletes = [f"{base}/{rel}" for rel in state["files"]
                    if (lms_dir / base / rel).exists()] + [f"{base}/{STATE}"]
    extra = sorted(p.relative_to(lms_dir).as_posix() for p in (lms_dir / base).rglob("*")
                   if p.is_file() and p.relative_to(lms_dir).as_posix() not in plan.deletes)
    if extra:
        plan.notes.append(f"kept (not installed by lmstv): {', '.join(extra)}")
    ui = state["uiconfig"]
    if row.exists and PLUGIN in enabling.names(row.value):
        if row.value == ui.get("written"):
            # Nobody changed the row since install: put it back exactly as it was.
            plan.uiconfig = (row, None if ui["created"] else ui["before"])
        else:
            rest = enabling.without_plugin(row.value, PLUGIN)
            plan.uiconfig = (row, None if ui["created"] and not rest else rest)
    plan.classmap = classmap.plan(lms_dir)
    return plan


def plugin_version(main_php: bytes) -> str:
    for line in main_php.decode("utf-8").splitlines():
        if "PLUGIN_SOFTWARE_VERSION" in line and "=" in line:
            return line.split("=", 1)[1].strip().strip(";").strip("'\"")
    return "?"


def _write(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(path.name + ".lmstv-tmp")
    tmp.write_bytes(data)
    tmp.replace(path)


def run(plan: Plan, cfg: DatabaseConfig) -> None:
    lms = plan.lms_dir
    for rel, data in plan.writes.items():
        _write(lms / rel, data)
    for rel in plan.deletes:
        (lms / rel).unlink(missing_ok=True)
    if plan.state is not None:
        _write(lms / "plugins" / PLUGIN / STATE,
               json.dumps(plan.state, indent=1, sort_keys=True).encode() + b"\n")
    elif plan.deletes:
        _prune(lms / "plugins" / PLUGIN)
    if plan.uiconfig is not None:
        db = connect(cfg)
        try:
            with db.transaction():
                enabling.write(db, *plan.uiconfig)
        finally:
            db.close()
    if plan.classmap is not None:
        try:
            classmap.run(plan.classmap)
        except classmap.ClassmapError as exc:
            raise PluginError(f"{exc}; run it again by hand") from None


def _prune(directory: Path) -> None:
    """Remove directories left empty (deepest first), the plugin's own directory last."""
    if not directory.is_dir():
        return
    for sub in sorted((p for p in directory.rglob("*") if p.is_dir()),
                      key=lambda p: len(p.parts), reverse=True):
        if not any(sub.iterdir()):
            sub.rmdir()
    if not any(directory.iterdir()):
        directory.rmdir()


def _with_db(lms_dir: str | Path) -> tuple[Path, DatabaseConfig, enabling.PluginsRow]:
    lms = Path(lms_dir).resolve()
    check_lms(lms)
    cfg = lms_database(lms)
    try:
        db = connect(cfg)
    except Exception as exc:  # driver errors differ per engine; the message is what matters
        raise PluginError(f"cannot connect to LMS's database ({cfg.describe()}): {exc}") from None
    try:
        row = enabling.read(db)
    finally:
        db.close()
    return lms, cfg, row


def install(lms_dir: str | Path, *, dry_run: bool = False) -> Plan:
    lms, cfg, row = _with_db(lms_dir)
    plan = plan_install(lms, row)
    if not dry_run:
        run(plan, cfg)
    return plan


def uninstall(lms_dir: str | Path, *, dry_run: bool = False) -> Plan:
    lms, cfg, row = _with_db(lms_dir)
    plan = plan_uninstall(lms, row)
    if not dry_run:
        run(plan, cfg)
    return plan


@dataclass
class Status:
    installed: bool
    version: str | None
    enabled: bool
    uiconfig_disabled: bool
    missing: list[str]
    changed: list[str]
    in_classmap: bool | None     # None: no classmap file lmstv can read


def status(lms_dir: str | Path) -> Status:
    lms, _cfg, row = _with_db(lms_dir)
    state = load_state(lms)
    base = lms / "plugins" / PLUGIN
    missing, changed = [], []
    for rel, sha in (state or {}).get("files", {}).items():
        path = base / rel
        if not path.is_file():
            missing.append(rel)
        elif _sha(path.read_bytes()) != sha:
            changed.append(rel)
    in_map = None
    for rel in (classmap.GENERATED, "vendor/composer/autoload_classmap.php"):
        if (lms / rel).is_file():
            in_map = f"'{PLUGIN}'" in (lms / rel).read_text("utf-8", "replace")
            break
    return Status(installed=state is not None, version=(state or {}).get("version"),
                  enabled=row.exists and PLUGIN in enabling.names(row.value),
                  uiconfig_disabled=row.disabled, missing=missing, changed=changed,
                  in_classmap=in_map)
