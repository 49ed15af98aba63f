"""No module of src/initcompat grows past MAX_LINES: a module that long holds more than one
concept (split it into modules whose names say what each holds). The modules still over it are
listed below with the issue that will split them, so a new long module fails at once, and a
listed one that has been split must leave the list."""

from __future__ import annotations

from pathlib import Path

SOURCE = Path(__file__).resolve().parents[2] / "src" / "initcompat"
MAX_LINES = 450
# Modules allowed over MAX_LINES, each with the reason (none since issue 30's last split).
ALLOWED_OVER: dict[str, str] = {}


def line_counts() -> dict[str, int]:
    return {path.relative_to(SOURCE).as_posix(): len(path.read_text(encoding="utf-8").splitlines())
            for path in sorted(SOURCE.rglob("*.py"))}


def test_no_module_is_over_the_limit_unless_listed():
    over = {name: lines for name, lines in line_counts().items()
            if lines > MAX_LINES and name not in ALLOWED_OVER}
    assert not over, f"modules over {MAX_LINES} lines: " + ", ".join(
        f"{name} ({lines})" for name, lines in sorted(over.items()))


def test_every_listed_module_is_still_over_the_limit():
    counts = line_counts()
    done = sorted(name for name in ALLOWED_OVER if counts.get(name, 0) <= MAX_LINES)
    assert not done, f"no longer over {MAX_LINES} lines (or gone), take off ALLOWED_OVER: {done}"
