"""What moved between two environments' resolved locks (issue 31).

The runner records each environment's lock in NAME.install.json (`lock`: ['pkg==ver', ...],
uv's or pip's freeze). parse_lock reads one into {normalised name: version}; lock_diff says
which packages changed version, were added or removed; moved_text puts that in one short line
for the page, the `diff` command and the check command, the packages that decide weights
first (INTERESTING), the rest counted ("and 31 more"). Pure; stdlib only (the check command
imports it).
"""

from __future__ import annotations

import re

# The packages that decide what a weight draws, in the order a reader looks for them: the
# frameworks and their Keras, the RNG libraries, the numeric base; the rest are counted.
INTERESTING = ("tensorflow", "tensorflow-cpu", "tensorflow-intel", "tf-nightly", "keras",
               "tf-keras", "jax", "jaxlib", "torch", "flax", "numpy", "ml-dtypes", "protobuf")
# Packages that only move together (one release pins the other exactly): moved as one.
MOVE_TOGETHER = (("jax", "jaxlib"),)
NAMED = 4  # packages a short line names before "and N more"
_SEPARATORS = re.compile(r"[-_.]+")
_PINNED = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*===?\s*([^\s;#]+)")
_DIRECT = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:\[[^\]]*\])?\s*@\s*(\S+)")


def normalised(name: str) -> str:
    """A distribution name as PEP 503 compares them: 'ML_Dtypes' -> 'ml-dtypes'."""
    return _SEPARATORS.sub("-", name.strip()).lower()


def parse_lock(lines) -> dict[str, str]:
    """{normalised name: version} of a lock's 'pkg==ver' lines ('pkg @ url' keeps the url's last
    part as its version); comments, blank and unreadable lines are skipped. Not a list: {}."""
    if not isinstance(lines, (list, tuple)):
        return {}
    found: dict[str, str] = {}
    for line in lines:
        if not isinstance(line, str) or not line.strip() or line.lstrip().startswith("#"):
            continue
        pinned = _PINNED.match(line) or _DIRECT.match(line)
        if pinned:
            version = pinned.group(2)
            if "://" in version:
                version = version.rstrip("/").rsplit("/", 1)[-1]
            found[normalised(pinned.group(1))] = version
    return found


def _rank(name: str) -> tuple:
    return (INTERESTING.index(name), "") if name in INTERESTING else (len(INTERESTING), name)


def lock_diff(first, second) -> dict[str, list]:
    """What moved from lock `first` to lock `second` (each a lock's lines or a parse_lock dict):
    {"changed": [(name, old, new)], "added": [(name, new)], "removed": [(name, old)]}, each
    ordered INTERESTING first, then by name."""
    old = first if isinstance(first, dict) else parse_lock(first)
    new = second if isinstance(second, dict) else parse_lock(second)
    changed = [(name, old[name], new[name]) for name in old
               if name in new and old[name] != new[name]]
    added = [(name, new[name]) for name in new if name not in old]
    removed = [(name, old[name]) for name in old if name not in new]
    return {"changed": sorted(changed, key=lambda moved: _rank(moved[0])),
            "added": sorted(added, key=lambda moved: _rank(moved[0])),
            "removed": sorted(removed, key=lambda moved: _rank(moved[0]))}


def moves(diff: dict[str, list]) -> list[tuple[str, str | None, str | None]]:
    """Every move of a lock_diff as (name, old or None, new or None), INTERESTING first."""
    every = [(name, old, new) for name, old, new in diff["changed"]]
    every += [(name, None, new) for name, new in diff["added"]]
    every += [(name, old, None) for name, old in diff["removed"]]
    return sorted(every, key=lambda moved: _rank(moved[0]))


def move_text(name: str, old: str | None, new: str | None) -> str:
    """'keras 3.8.0 → 3.9.2', 'tf-keras added (2.16.0)', 'keras removed (2.15.0)'."""
    if old is None:
        return f"{name} added ({new})"
    if new is None:
        return f"{name} removed ({old})"
    return f"{name} {old} → {new}"


def moved_text(diff: dict[str, list] | None, named: int = NAMED) -> str:
    """One short line: 'keras 3.8.0 → 3.9.2, jax 0.4.38 → 0.5.3, jaxlib 0.4.38 → 0.5.3 and 3
    more'; 'no package moved' for identical locks; '' without a diff (a lock not recorded).
    The INTERESTING packages are named first; at most `named`, or all of the interesting ones."""
    if diff is None:
        return ""
    every = moves(diff)
    if not every:
        return "no package moved"
    interesting = sum(1 for name, _, _ in every if name in INTERESTING)
    shown = every[:max(named, interesting)]
    text = ", ".join(move_text(*moved) for moved in shown)
    rest = len(every) - len(shown)
    return text + (f" and {rest} more" if rest else "")


def candidate_groups(diff: dict[str, list]) -> list[tuple[str, ...]]:
    """The INTERESTING packages that changed version, each a group that moves alone or
    (MOVE_TOGETHER) with its partners: [('keras',), ('jax', 'jaxlib'), ('numpy',)]."""
    changed = [name for name, _, _ in diff["changed"] if name in INTERESTING]
    groups: list[tuple[str, ...]] = []
    for name in changed:
        together = next((group for group in MOVE_TOGETHER if name in group), (name,))
        group = tuple(member for member in together if member in changed) or (name,)
        if group not in groups:
            groups.append(group)
    return groups
