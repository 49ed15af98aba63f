"""Building one TensorFlow environment per matrix entry, reused while its install spec is unchanged.

uv makes and fills the environment when it is on PATH (fast, shares its cache, resolves as of a
date); otherwise `python -m venv` and pip, which cannot cut by date. The probe is made importable
with a .pth file pointing at src/: nothing of the report side ever enters a TF environment.
Host side; stdlib only.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from initcompat.host.causes import last_line, transient_cause
from initcompat.host.matrix import Entry
from initcompat.probe.schema import TAIL_CHARS

MARKER = "initcompat-env.json"


class InstallFailed(Exception):
    """Creating or filling the environment failed; `tail` holds the end of the installer's output,
    `cause` its one-line reason, `transient` whether the fault lies outside the release (index
    unreachable, disk full, installer killed: no fact about the version)."""

    def __init__(self, step: str, tail: str, returncode: int | None = None,
                 transient: str | None = None):
        super().__init__(f"{step} failed")
        self.step = step
        self.tail = tail
        self.transient = transient or transient_cause(tail, returncode)
        self.cause = self.transient or last_line(tail)


INSTALL_ATTEMPTS_VARIABLE = "INITCOMPAT_INSTALL_ATTEMPTS"
INSTALL_BACKOFF_VARIABLE = "INITCOMPAT_INSTALL_BACKOFF"
DEFAULT_ATTEMPTS = 3  # each a whole install; uv also retries each request itself
DEFAULT_BACKOFF = 10.0  # seconds before the second attempt, doubled before each later one


def install_retries() -> tuple[int, float]:
    """(attempts, first backoff in seconds) for an install that fails transiently:
    $INITCOMPAT_INSTALL_ATTEMPTS (default 3) and $INITCOMPAT_INSTALL_BACKOFF (default 10 s,
    doubled before each further attempt); ValueError with one line when either is not a number."""
    attempts_text = os.environ.get(INSTALL_ATTEMPTS_VARIABLE, "").strip() or str(DEFAULT_ATTEMPTS)
    backoff_text = os.environ.get(INSTALL_BACKOFF_VARIABLE, "").strip() or str(DEFAULT_BACKOFF)
    try:
        attempts = int(attempts_text)
    except ValueError:
        raise ValueError(f"{INSTALL_ATTEMPTS_VARIABLE}={attempts_text!r} is not a whole number") \
            from None
    try:
        backoff = float(backoff_text)
    except ValueError:
        raise ValueError(f"{INSTALL_BACKOFF_VARIABLE}={backoff_text!r} is not a number") from None
    if attempts < 1 or not 0 <= backoff < float("inf"):
        raise ValueError(f"{INSTALL_ATTEMPTS_VARIABLE} must be at least 1 and "
                         f"{INSTALL_BACKOFF_VARIABLE} a number of seconds >= 0")
    return attempts, backoff


@dataclass(frozen=True)
class Environment:
    path: Path
    python: Path
    reused: bool
    install_seconds: float
    record: dict


def _run_once(command: list[str], step: str, timeout: float) -> str:
    try:
        completed = subprocess.run(command, capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired as error:
        # a hung installer (a stalled download) is a fault of the moment, not of the release
        raise InstallFailed(step, f"timed out after {timeout:.0f} s: {' '.join(command)}\n"
                                  + str(error.stderr or "")[-TAIL_CHARS:],
                            transient=f"installer still running after {timeout:.0f} s; "
                                      "killed") from None
    except OSError as error:
        raise InstallFailed(step, f"{command[0]}: {error.strerror}") from None
    if completed.returncode != 0:
        output = (completed.stdout + completed.stderr).strip()
        raise InstallFailed(step, f"$ {' '.join(command)}\n{output[-TAIL_CHARS:]}",
                            completed.returncode)
    return completed.stdout


def _run(command: list[str], step: str, timeout: float = 1800,
         retries: tuple[int, float] = (1, 0.0)) -> str:
    """Run an installer command; a transient failure is tried again `retries` = (attempts,
    first backoff) times, the wait doubling, and the last failure raised."""
    attempts, backoff = retries
    for attempt in range(1, attempts + 1):
        try:
            return _run_once(command, step, timeout)
        except InstallFailed as failure:
            if failure.transient is None or attempt == attempts:
                raise
            time.sleep(backoff * 2 ** (attempt - 1))
    raise AssertionError("unreachable")


def _read_marker(path: Path) -> dict | None:
    try:
        return json.loads((path / MARKER).read_text())
    except (OSError, ValueError):
        return None


def _site_packages(python: Path) -> Path:
    output = _run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                  "locate site-packages")
    return Path(output.strip())


def ensure_environment(entry: Entry, interpreter: str, resolution: str, root: Path,
                       source: Path) -> Environment:
    """The environment for `entry`, created and installed unless an identical one exists."""
    path = root / entry.name
    python = path / "bin" / "python"
    key = entry.install_key(resolution)
    marker = _read_marker(path)
    if marker and marker.get("install_key") == key and python.exists():
        _link_probe(_site_packages(python), source)
        return Environment(path, python, True, 0.0, marker)
    started = time.monotonic()
    if path.exists():
        shutil.rmtree(path)
    uv = shutil.which("uv")
    requirements = entry.requirements(resolution)
    cut = entry.exclude_newer(resolution) if uv else None
    if uv:
        _run([uv, "venv", "--quiet", "--python", interpreter, str(path)], "create environment")
        pip = [uv, "pip"]
        target = ["--python", str(python)]
    else:
        _run([interpreter, "-m", "venv", str(path)], "create environment")
        pip = [str(python), "-m", "pip"]
        target = []
    date_cut = []
    if cut:
        # Build tools are exempt from the date cut: TF 1.4-1.11 pull sdists (html5lib,
        # absl-py) whose builds need setuptools >= 40.8 (2019), newer than those releases.
        now = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
        date_cut = ["--exclude-newer", cut, "--exclude-newer-package", f"setuptools={now}",
                    "--exclude-newer-package", f"wheel={now}"]
    retries = install_retries()
    _run([*pip, "install", "--quiet", *target, *date_cut, *requirements],
         "install " + " ".join(requirements), retries=retries)
    if entry.pyperf:
        _run([*pip, "install", "--quiet", *target, "--no-deps", f"pyperf=={entry.pyperf}"],
             f"install pyperf=={entry.pyperf}", retries=retries)
    freeze = _run([*pip, "freeze", *target], "freeze")
    site_packages = _site_packages(python)
    _compile_bytecode(python, site_packages)
    _link_probe(site_packages, source)
    record = {
        "install_key": key,
        "installer": "uv" if uv else "pip",
        "resolution": resolution if (cut or resolution == "today") else "today (no uv: no date cut)",
        "exclude_newer": cut,
        "requirements": requirements,
        "pins": [{"spec": p.spec, "reason": p.reason} for p in entry.pins_today]
        if resolution == "today" else [],
        "interpreter": interpreter,
        "lock": sorted(line for line in freeze.splitlines() if line and not line.startswith("#")),
        "install_seconds": round(time.monotonic() - started, 2),
    }
    (path / MARKER).write_text(json.dumps(record, indent=1, sort_keys=True) + "\n")
    return Environment(path, python, False, record["install_seconds"], record)


def _compile_bytecode(python: Path, site_packages: Path) -> None:
    """Byte-compile site-packages once: with PYTHONDONTWRITEBYTECODE set (as here and on many CI
    machines) every TF import would otherwise recompile thousands of modules. compileall, not
    uv's --compile-bytecode, which fails on Python 3.6. Files that do not compile (Python 2
    leftovers in old packages) are skipped, not fatal."""
    environment = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    subprocess.run([str(python), "-m", "compileall", "-q", "-j", "0", str(site_packages)],
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=environment)


def _link_probe(site_packages: Path, source: Path) -> None:
    """Make `initcompat.probe` importable from `source` without installing anything."""
    pth = site_packages / "initcompat-probe.pth"
    wanted = str(source.resolve()) + "\n"
    if not pth.exists() or pth.read_text() != wanted:
        pth.write_text(wanted)
