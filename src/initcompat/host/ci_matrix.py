"""GitHub Actions matrix from suites/matrix.toml: one matrix leg per probe session of a selection.

  python -m initcompat.host.ci_matrix --selection default >> "$GITHUB_OUTPUT"

prints `matrix=<json>` ({"include": [{"session", "python", "runs-on", "container"}, ...]}) and
`count=<legs>` (a matrix with no legs is an error in GitHub Actions: jobs test `count != '0'`).
The legs are the matrix entries carrying the selection's tag, the same ones the noxfile turns
into sessions of that tag. Host side; stdlib only.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from initcompat.host.matrix import Entry, MatrixError, load_matrix

# selection -> the matrix tag it runs
SELECTIONS = {"default": "default", "history": "history", "nightly": "nightly", "gpu": "gpu",
              "smoke": "smoke",  # smoke: one TF1 and one TF2 session, the whole workflow in minutes
              "frameworks": "frameworks"}  # PyTorch, Flax, stax (porting; several GB each)
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


def matrix_for_selection(entries: list[Entry] | tuple[Entry, ...], selection: str) -> dict:
    """The strategy.matrix for a selection: a leg per entry with the selection's tag."""
    if selection not in SELECTIONS:
        raise ValueError(f"unknown selection {selection!r}: choose one of {', '.join(SELECTIONS)}")
    tag = SELECTIONS[selection]
    return {"include": [leg(entry.name, entry.python) for entry in entries if tag in entry.tags]}


def find_root(start: Path) -> Path:
    """The nearest folder at or above `start` holding suites/matrix.toml."""
    for folder in (start, *start.parents):
        if (folder / "suites" / "matrix.toml").is_file():
            return folder
    raise FileNotFoundError(f"no suites/matrix.toml in {start} or above")


def main(argv: list[str] | None = None) -> int:
    """Print `matrix=<json>` and `count=<n>` for $GITHUB_OUTPUT; a summary goes to stderr."""
    parser = argparse.ArgumentParser(prog="python -m initcompat.host.ci_matrix", description=__doc__.split("\n")[0])
    parser.add_argument("--selection", default="default", choices=sorted(SELECTIONS))
    parser.add_argument("--root", type=Path, default=None, help="repository root (default: found from cwd)")
    arguments = parser.parse_args(argv)
    try:
        root = arguments.root or find_root(Path.cwd())
        matrix = matrix_for_selection(load_matrix(root / "suites" / "matrix.toml").entries,
                                      arguments.selection)
    except (OSError, MatrixError, ValueError) as error:
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
