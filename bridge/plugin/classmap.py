"""Class loading of current LMS after a plugin's files were added or removed.

Current LMS loads its own classes and its plugins' classes through Composer's classmap only
(composer.json: ``"autoload": {"classmap": ["lib/", "plugins/"]}``), so a new plugin is
invisible until the map is regenerated. Three cases, tried in this order:

1. ``composer`` on PATH and a Composer-built tree (``vendor/composer/``): ``composer
   dump-autoload -o`` in the LMS directory, as LMS's own install instructions do;
2. the tree uses lmstv's generated classmap (``vendor/lmstv-classmap.php``, trees built without
   Composer's registry such as lmstv's tests): regenerate it with bridge/data/lms-classmap.php;
3. otherwise: nothing is run; the caller prints the one command the administrator must run.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

GENERATED = "vendor/lmstv-classmap.php"
GENERATOR = Path(__file__).resolve().parent.parent / "data" / "lms-classmap.php"


class ClassmapError(Exception):
    """Regenerating the classmap failed; the message has the tool's output."""


@dataclass
class ClassmapAction:
    kind: str          # "composer" | "generated" | "manual"
    command: list[str]
    cwd: Path

    def describe(self) -> str:
        cmd = " ".join(self.command)
        if self.kind == "manual":
            return f"regenerate LMS's classmap yourself: cd {self.cwd} && {cmd}"
        return f"regenerate LMS's classmap: {cmd} (in {self.cwd})"


def plan(lms_dir: Path) -> ClassmapAction:
    composer = shutil.which("composer")
    if composer and (lms_dir / "vendor" / "composer").is_dir():
        return ClassmapAction("composer", [composer, "dump-autoload", "-o"], lms_dir)
    if (lms_dir / GENERATED).is_file():
        return ClassmapAction("generated", ["php", str(GENERATOR), str(lms_dir)], lms_dir)
    return ClassmapAction("manual", ["composer", "dump-autoload", "-o"], lms_dir)


def run(action: ClassmapAction) -> None:
    if action.kind == "manual":
        return
    proc = subprocess.run(action.command, cwd=action.cwd, capture_output=True, text=True,
                          timeout=300)
    if proc.returncode != 0:
        raise ClassmapError(f"{' '.join(action.command)} failed ({proc.returncode}): "
                            f"{proc.stdout}{proc.stderr}".strip())


def generate(lms_dir: Path) -> None:
    """Write vendor/lmstv-classmap.php for an LMS tree (used by the tests' LMS build)."""
    run(ClassmapAction("generated", ["php", str(GENERATOR), str(lms_dir)], lms_dir))
