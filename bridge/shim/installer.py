"""Copy the PHP shim into an LMS tree and make the manual's edits; undo both exactly.

Everything is planned and checked before the first byte is written, so a refusal (not LMS
1.11.x, an anchor missing, a block changed by hand) leaves the tree untouched.  State lives in
``<lms>/.lmstv-shim/``: ``manifest.json`` (what was copied/edited, with checksums) and
``backup/`` (every LMS file as it was before we changed or replaced it).

Smarty recompiles a template only when its source is newer, by whole seconds, than the compiled
copy, so install and uninstall also delete the compiled copies (in LMS's ``templates_c``) of the
templates they write or delete: the shim's own and the LMS templates it edits.  Nothing else in
``templates_c`` is touched.
"""

from __future__ import annotations

import configparser
import hashlib
import json
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from bridge.shim.edits import EDITS, MARK, AnchorError, edits_for, leftover_markers

STATE_DIR = ".lmstv-shim"
MANIFEST = "manifest.json"
SHIM_DIR = Path(__file__).resolve().parent.parent.parent / "php-shim"
# Parts of php-shim/ that are not dropped into LMS.
NOT_COPIED = ("patches/", "README")
SUPPORTED = re.compile(r"1\.11(?:[.-]|$)")
# The lms.ini LMS 1.11.17's index.php reads when it exists (else the one in its directory).
ETC_LMS_INI = Path("/etc/lms/lms.ini")


class ShimError(Exception):
    """The shim cannot be installed/uninstalled here; the message says why and what to do."""


@dataclass
class Plan:
    """What install/uninstall would do; ``run`` carries it out."""

    lms_dir: Path
    writes: dict[str, bytes] = field(default_factory=dict)      # relpath -> new content
    deletes: list[str] = field(default_factory=list)
    backups: dict[str, bytes] = field(default_factory=dict)     # relpath -> original content
    manifest: dict | None = None
    remove_state: bool = False
    notes: list[str] = field(default_factory=list)
    compiled: list[Path] = field(default_factory=list)          # stale compiled templates

    def describe(self) -> list[str]:
        lines = [f"write  {p}" for p in sorted(self.writes)]
        lines += [f"delete {p}" for p in sorted(self.deletes)]
        lines += [f"clear  {p} (compiled template)" for p in sorted(self.compiled)]
        lines += [f"backup {p}" for p in sorted(self.backups)]
        return lines + self.notes


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def shim_files(shim_dir: Path = SHIM_DIR) -> dict[str, bytes]:
    """relpath -> content of every file the shim drops into LMS."""
    if not (shim_dir / "lib" / "LMSTV.class.php").is_file():
        raise ShimError(f"{shim_dir} does not hold the PHP shim (lib/LMSTV.class.php missing)")
    out: dict[str, bytes] = {}
    for path in sorted(shim_dir.rglob("*")):
        rel = path.relative_to(shim_dir).as_posix()
        if path.is_file() and not rel.startswith(NOT_COPIED):
            out[rel] = path.read_bytes()
    return out


def lms_version(lms_dir: Path) -> str:
    """The version LMS's front controller reports, e.g. '1.11-git'; ShimError if not LMS."""
    index = lms_dir / "index.php"
    if not index.is_file() or not (lms_dir / "lib" / "LMS.class.php").is_file():
        raise ShimError(f"{lms_dir} is not an LMS directory (index.php and lib/LMS.class.php "
                        "expected); pass the directory LMS is installed in with --lms-dir")
    match = re.search(r"\$layout\['lmsv'\]\s*=\s*'([^']+)'", index.read_text("utf-8", "replace"))
    if not match:
        raise ShimError(f"{index}: cannot tell the LMS version ($layout['lmsv'] not found); "
                        "the shim supports LMS 1.11.17 (1.11.x)")
    return match.group(1)


def _read(lms_dir: Path, rel: str) -> bytes | None:
    path = lms_dir / rel
    return path.read_bytes() if path.is_file() else None


def load_manifest(lms_dir: Path) -> dict | None:
    path = lms_dir / STATE_DIR / MANIFEST
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise ShimError(f"{path} is unreadable ({exc}); restore it or reinstall LMS's files "
                        f"from {lms_dir / STATE_DIR / 'backup'}") from None


def _backup(lms_dir: Path, rel: str) -> bytes | None:
    return _read(lms_dir / STATE_DIR / "backup", rel)


def compile_dirs(lms_dir: Path) -> list[Path]:
    """Where LMS keeps compiled templates: ``<lms>/templates_c`` and ``[directories]
    smarty_compile_dir`` of the lms.ini LMS reads, when that is set."""
    ini = ETC_LMS_INI if ETC_LMS_INI.is_file() else lms_dir / "lms.ini"
    parser = configparser.RawConfigParser(strict=False, inline_comment_prefixes=(";",))
    try:
        parser.read(ini, encoding="utf-8")
        configured = parser.get("directories", "smarty_compile_dir", fallback="").strip(" '\"")
    except (configparser.Error, OSError, UnicodeDecodeError):
        configured = ""
    dirs = [lms_dir / "templates_c"]
    if configured and Path(configured).resolve() not in [d.resolve() for d in dirs]:
        dirs.append(Path(configured))
    return [d for d in dirs if d.is_dir()]


def stale_compiled(lms_dir: Path, templates: list[str]) -> list[Path]:
    """The compiled copies (Smarty names them ``<hash>_<n>.file.<name>.php``) of the given
    template paths; compiled copies of any other template are not listed."""
    names = {Path(rel).name for rel in templates if rel.endswith(".html")}
    found: list[Path] = []
    for directory in compile_dirs(lms_dir):
        for path in sorted(directory.iterdir()):
            head, sep, tail = path.name.partition(".file.")
            if sep and head and path.is_file() and tail.endswith(".php") \
                    and tail[:-len(".php")] in names:
                found.append(path)
    return found


def plan_install(lms_dir: Path, shim_dir: Path = SHIM_DIR) -> Plan:
    lms_dir = Path(lms_dir).resolve()
    version = lms_version(lms_dir)
    if not SUPPORTED.match(version):
        raise ShimError(f"{lms_dir} is LMS {version}; the shim is made for LMS 1.11.17 and "
                        "works with 1.11.x only (newer LMS needs the plugin form)")
    old = load_manifest(lms_dir) or {}
    old_files: dict[str, str] = old.get("files", {})
    plan = Plan(lms_dir)
    manifest = {"lms_version": version, "files": {}, "replaced": list(old.get("replaced", [])),
                "edits": dict(old.get("edits", {}))}

    for rel, data in shim_files(shim_dir).items():
        manifest["files"][rel] = _sha(data)
        current = _read(lms_dir, rel)
        if current == data:
            continue
        if current is not None and rel not in old_files and rel not in manifest["replaced"]:
            # A file of the same name that is not ours (e.g. SGT's original module): keep it.
            plan.backups[rel] = current
            manifest["replaced"].append(rel)
        plan.writes[rel] = data
    for rel in old_files:  # files of an older shim version that this one no longer has
        if rel not in manifest["files"] and (lms_dir / rel).is_file():
            plan.deletes.append(rel)

    errors = []
    for rel in sorted({e.path for e in EDITS}):
        current = _read(lms_dir, rel)
        if current is None:
            errors.append(f"{rel}: file not found; is {lms_dir} a complete LMS 1.11.17 tree?")
            continue
        text = current.decode("utf-8", "surrogateescape")
        new = text
        try:
            for edit in edits_for(rel):
                span = edit.marked_span(new)
                if span is not None and new[span[0]:span[1]] != edit.block:
                    plan.notes.append(f"note: {rel}: replaced lmstv block '{edit.ident}' (from "
                                      "an older release or changed by hand)")
                new = edit.apply(new)
        except AnchorError as exc:
            errors.append(str(exc))
            continue
        if new != text:
            if rel not in manifest["edits"]:
                plan.backups[rel] = current
            plan.writes[rel] = new.encode("utf-8", "surrogateescape")
        manifest["edits"][rel] = _sha(plan.writes.get(rel, current))
    if errors:
        raise ShimError("refusing to install, nothing was changed:\n  " + "\n  ".join(errors))
    plan.manifest = manifest
    plan.compiled = stale_compiled(lms_dir, [*manifest["files"], *plan.writes, *plan.deletes])
    return plan


def plan_uninstall(lms_dir: Path) -> Plan:
    lms_dir = Path(lms_dir).resolve()
    manifest = load_manifest(lms_dir)
    if manifest is None:
        raise ShimError(f"the shim is not installed in {lms_dir} ({STATE_DIR}/{MANIFEST} "
                        "not found); nothing to do")
    plan = Plan(lms_dir, remove_state=True)
    errors = []
    for rel, sha in manifest.get("files", {}).items():
        current = _read(lms_dir, rel)
        original = _backup(lms_dir, rel) if rel in manifest.get("replaced", []) else None
        if original is not None:
            plan.writes[rel] = original
        elif current is not None:
            if _sha(current) != sha:
                plan.notes.append(f"note: {rel} was changed after installation; removed anyway")
            plan.deletes.append(rel)
    for rel in manifest.get("edits", {}):
        current = _read(lms_dir, rel)
        if current is None:
            continue
        text = current.decode("utf-8", "surrogateescape")
        try:
            for edit in reversed(edits_for(rel)):
                text = edit.remove(text)
        except AnchorError as exc:
            errors.append(str(exc))
            continue
        left = leftover_markers(text)
        if left:
            # Lines that would outlive the shim's files (and require them): never leave those.
            errors.append(f"{rel}: lmstv lines this release does not know remain after removing "
                          f"its edits (blocks {', '.join(left)}); remove the lines between their "
                          f"'{MARK} begin:' and '{MARK} end:' markers by hand")
            continue
        restored = text.encode("utf-8", "surrogateescape")
        original = _backup(lms_dir, rel)
        if original is not None and restored != original:
            plan.notes.append(f"note: {rel} was changed outside lmstv's blocks since "
                              "installation; only lmstv's lines were removed")
        if restored != current:
            plan.writes[rel] = restored
    if errors:
        raise ShimError("refusing to uninstall, nothing was changed:\n  " + "\n  ".join(errors))
    plan.compiled = stale_compiled(lms_dir, [*manifest.get("files", {}), *plan.writes,
                                             *plan.deletes])
    return plan


def _write_atomic(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o7777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise


def run(plan: Plan) -> None:
    """Carry out a plan: backups first, then files, then the manifest."""
    state = plan.lms_dir / STATE_DIR
    for rel, data in plan.backups.items():
        target = state / "backup" / rel
        if not target.exists():  # the first backup is the pristine one
            _write_atomic(target, data)
    for rel, data in plan.writes.items():
        _write_atomic(plan.lms_dir / rel, data)
    for rel in plan.deletes:
        path = plan.lms_dir / rel
        path.unlink(missing_ok=True)
        _prune_empty_dirs(path.parent, plan.lms_dir)
    for path in plan.compiled:  # after the sources changed, so no page recompiles the old ones
        path.unlink(missing_ok=True)
    if plan.manifest is not None:
        _write_atomic(state / MANIFEST,
                      json.dumps(plan.manifest, indent=1, sort_keys=True).encode() + b"\n")
    if plan.remove_state and state.exists():
        shutil.rmtree(state)


def _prune_empty_dirs(start: Path, stop: Path) -> None:
    path = start
    while path != stop and path.is_dir() and not any(path.iterdir()):
        path.rmdir()
        path = path.parent


def install(lms_dir: str | Path, *, dry_run: bool = False, shim_dir: Path = SHIM_DIR) -> Plan:
    plan = plan_install(Path(lms_dir), shim_dir)
    if not dry_run:
        run(plan)
    return plan


def uninstall(lms_dir: str | Path, *, dry_run: bool = False) -> Plan:
    plan = plan_uninstall(Path(lms_dir))
    if not dry_run:
        run(plan)
    return plan
