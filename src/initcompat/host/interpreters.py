"""Finding a Python X.Y the way a user's machine has it: PATH, then pyenv, then uv-managed.

Host side (runs under nox on a current Python); stdlib only.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
from pathlib import Path


def _reports_version(executable: str, version: str) -> bool:
    """True when `executable` runs and is Python `version` (pyenv shims may exist yet fail)."""
    try:
        completed = subprocess.run(
            [executable, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
            capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return completed.returncode == 0 and completed.stdout.strip() == version


def _pyenv_root() -> Path | None:
    root = os.environ.get("PYENV_ROOT")
    if root:
        return Path(root)
    pyenv = shutil.which("pyenv")
    if pyenv:
        completed = subprocess.run([pyenv, "root"], capture_output=True, text=True)
        if completed.returncode == 0 and completed.stdout.strip():
            return Path(completed.stdout.strip())
    default = Path.home() / ".pyenv"
    return default if default.is_dir() else None


def _uv_python_dir() -> Path | None:
    uv = shutil.which("uv")
    if not uv:
        return None
    completed = subprocess.run([uv, "python", "dir"], capture_output=True, text=True)
    return Path(completed.stdout.strip()) if completed.returncode == 0 else None


def _version_key(path: str) -> tuple:
    digits = [part for part in Path(path).parts if part[:1].isdigit() or "cpython-" in part]
    text = digits[-1].replace("cpython-", "") if digits else ""
    return tuple(int(p) if p.isdigit() else 0 for p in text.split("-")[0].split("."))


def candidates(version: str) -> list[tuple[str, str]]:
    """(origin, path) of every place a Python `version` may live, in lookup order."""
    found: list[tuple[str, str]] = []
    on_path = shutil.which("python" + version)
    if on_path:
        found.append(("PATH", on_path))
    root = _pyenv_root()
    if root:
        matches = glob.glob(str(root / "versions" / (version + ".*") / "bin" / ("python" + version)))
        found.extend(("pyenv", p) for p in sorted(matches, key=_version_key, reverse=True))
    uv_dir = _uv_python_dir()
    if uv_dir:
        matches = glob.glob(str(uv_dir / ("cpython-" + version + ".*") / "bin" / ("python" + version)))
        found.extend(("uv", p) for p in sorted(matches, key=_version_key, reverse=True))
    return found


def find_interpreter(version: str) -> tuple[str, str] | None:
    """(origin, path) of the first working Python `version`, or None."""
    for origin, path in candidates(version):
        if _reports_version(path, version):
            return origin, path
    return None


def how_to_install(version: str) -> str:
    """One line telling a user how to get a missing interpreter."""
    return (f"no Python {version} found on PATH, in pyenv or among uv-managed Pythons; "
            f"install it with `uv python install {version}` or `pyenv install {version}`")
