"""Wheels of Balai and everything it needs, built the way a release is: the image build and the offline
update bundle both install from such a folder with `pip --no-index`, so the tests build one too."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Callable

PROJECT_ROOT = Path(__file__).resolve().parents[2]
# What a release ships: the package sources and the files setuptools needs to build the wheel.
_SOURCE_PARTS = ("kiosk", "printing", "sync", "pyproject.toml", "README.md")


def build_wheelhouse(dest: Path, version: str | None = None, extras: str = "usb",
                     mutate: Callable[[Path], None] | None = None) -> Path:
    """Build Balai (optionally re-versioned, as a later release would be) plus its dependencies into `dest`.

    Dependency wheels come from the package index (pip's cache makes a second build quick); Balai's own wheel
    is built from this checkout, so what is installed is exactly the code under test. `mutate(source)` may
    change the copied sources first (a release that is broken on purpose)."""
    dest.mkdir(parents=True, exist_ok=True)
    # Always from a copy: building in the checkout would leave build/ behind and race a parallel build.
    source = dest.parent / f"source-{version or 'checkout'}-{dest.name}"
    shutil.rmtree(source, ignore_errors=True)
    source.mkdir(parents=True)
    for part in _SOURCE_PARTS:
        origin = PROJECT_ROOT / part
        if origin.is_dir():
            shutil.copytree(origin, source / part, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(origin, source / part)
    if version is not None:
        pyproject = source / "pyproject.toml"
        text = pyproject.read_text(encoding="utf-8")
        pyproject.write_text(re.sub(r'(?m)^version = "[^"]*"', f'version = "{version}"', text, count=1),
                             encoding="utf-8")
    if mutate is not None:
        mutate(source)
    target = f"{source}[{extras}]" if extras else str(source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--disable-pip-version-check",
                    "--wheel-dir", str(dest), target], check=True, timeout=900)
    shutil.rmtree(source, ignore_errors=True)
    return dest


def balai_wheel(wheelhouse: Path) -> Path:
    """The one Balai wheel in a wheelhouse."""
    wheels = sorted(wheelhouse.glob("balai-*.whl"))
    if len(wheels) != 1:
        raise AssertionError(f"expected one balai wheel in {wheelhouse}, found {[w.name for w in wheels]}")
    return wheels[0]
