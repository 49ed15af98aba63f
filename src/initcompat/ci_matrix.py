"""GitHub Actions matrix from `nox -l --json`: one matrix leg per probe session of a selection.

  python -m initcompat.ci_matrix --selection default >> "$GITHUB_OUTPUT"

prints `matrix=<json>` ({"include": [{"session", "python", "runs-on", "container"}, ...]}) and
`count=<legs>` (a matrix with no legs is an error in GitHub Actions: jobs test `count != '0'`).
Host side; stdlib only.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

# selection -> the Nox tag it runs
SELECTIONS = {"default": "default", "history": "history", "nightly": "nightly", "gpu": "gpu"}
# Sessions that are not one TensorFlow environment (the report carries every selection's tag).
NOT_PROBES = frozenset({"report", "tests"})
# actions/setup-python has Python 3.7 on ubuntu-22.04 only (not 24.04) and no 3.6 on either.
OLD_RUNNER = "ubuntu-22.04"
NEW_RUNNER = "ubuntu-latest"
# Python older than 3.7 exists neither in setup-python nor as a uv-managed build: run in the
# official image, where /usr/local/bin/python3.6 is on PATH for initcompat's interpreter search.
CONTAINER_IMAGE = "python:{version}-slim-bullseye"


def python_version(text: str) -> tuple[int, ...]:
    """'3.10' -> (3, 10): compared as numbers, so 3.10 sorts after 3.8."""
    return tuple(int(part) for part in text.split("."))


def leg(session: str, python: str) -> dict[str, str]:
    """The matrix entry for one session: where it runs and, for Python < 3.7, in which image."""
    version = python_version(python)
    return {"session": session, "python": python,
            "runs-on": OLD_RUNNER if version < (3, 8) else NEW_RUNNER,
            "container": CONTAINER_IMAGE.format(version=python) if version < (3, 7) else ""}


def matrix_from_nox_listing(listing: list[dict], selection: str) -> dict:
    """The strategy.matrix for a selection, from the parsed output of `nox -l --json`."""
    if selection not in SELECTIONS:
        raise ValueError(f"unknown selection {selection!r}: choose one of {', '.join(SELECTIONS)}")
    tag = SELECTIONS[selection]
    include = []
    for item in listing:
        name = item.get("session") or item.get("name")
        if name in NOT_PROBES or tag not in (item.get("tags") or []):
            continue
        python = item.get("python")
        if not isinstance(python, str):
            raise ValueError(f"session {name!r} has no single Python ({python!r}): "
                             "each probe session needs exactly one")
        include.append(leg(name, python))
    return {"include": include}


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding noxfile.py."""
    for folder in (start, *start.parents):
        if (folder / "noxfile.py").is_file():
            return folder
    raise FileNotFoundError(f"no noxfile.py in {start} or above")


def nox_command() -> list[str]:
    """Nox from this interpreter when installed here, else the `nox` on PATH."""
    if importlib.util.find_spec("nox") is not None:
        return [sys.executable, "-m", "nox"]
    found = shutil.which("nox")
    if found is None:
        raise FileNotFoundError("nox is not installed: python -m pip install nox")
    return [found]


def nox_listing(root: Path) -> list[dict]:
    """Every session the noxfile in `root` defines, as `nox -l --json` lists it."""
    completed = subprocess.run([*nox_command(), "-l", "--json"], cwd=root, capture_output=True,
                               text=True, check=False)
    if completed.returncode != 0:
        raise RuntimeError(f"nox -l --json failed ({completed.returncode}): {completed.stderr.strip()}")
    return json.loads(completed.stdout)


def main(argv: list[str] | None = None) -> int:
    """Print `matrix=<json>` and `count=<n>` for $GITHUB_OUTPUT; a summary goes to stderr."""
    parser = argparse.ArgumentParser(prog="python -m initcompat.ci_matrix", description=__doc__.split("\n")[0])
    parser.add_argument("--selection", default="default", choices=sorted(SELECTIONS))
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: found from cwd)")
    arguments = parser.parse_args(argv)
    try:
        root = arguments.root or find_root(Path.cwd())
        matrix = matrix_from_nox_listing(nox_listing(root), arguments.selection)
    except (OSError, RuntimeError, ValueError) as error:
        print(f"initcompat ci_matrix: {error}", file=sys.stderr)
        return 2
    print(f"matrix={json.dumps(matrix, separators=(',', ':'))}")
    print(f"count={len(matrix['include'])}")
    legs = ", ".join(f"{item['session']} (Python {item['python']}, {item['runs-on']})"
                     for item in matrix["include"]) or "none"
    print(f"initcompat ci_matrix: selection {arguments.selection}: {legs}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
