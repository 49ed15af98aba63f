"""Which package's move causes a finding (issue 31): the packages that moved between the two
environments' locks and the attributions of the steps between them, from compat-data.json's
optional "locks" and "causes" (report/compat_data.py documents them; older data without them
says nothing more). A step's attribution is told only where the package that caused it moves
between the two environments the file is checked across. Validated here: a bad part is one
DataError line, like the rest of the data. Stdlib only (report/locks.py, report/event_range.py
are too). Pure.
"""

from __future__ import annotations

import dataclasses

from initcompat.check.data import CompatData, DataError
from initcompat.check.findings import Finding
from initcompat.report.event_range import events_between
from initcompat.report.locks import lock_diff, moved_text

# The findings an attribution speaks for: the runs compare seeded draws, which a changed
# distribution, fan rule or seeded stream of a weight changes.
CAUSED_CODES = ("IC201", "IC204", "IC402")
STATUSES = ("attributed", "could not isolate", "not attributed")


def _locks(data: CompatData) -> dict[str, dict[str, str]]:
    locks = data.document.get("locks")
    if locks is None:
        return {}
    if not isinstance(locks, dict) or not all(
            isinstance(lock, dict) and all(isinstance(k, str) and isinstance(v, str)
                                           for k, v in lock.items())
            for lock in locks.values()):
        raise DataError(f"{data.source}: locks: expected {{environment: {{package: version}}}}")
    return locks


def _causes(data: CompatData) -> list[dict]:
    causes = data.document.get("causes")
    if causes is None:
        return []
    if not isinstance(causes, list):
        raise DataError(f"{data.source}: causes: expected a list")
    for index, cause in enumerate(causes):
        where = f"{data.source}: causes[{index}]"
        if not isinstance(cause, dict) or cause.get("older") not in data.env or \
                cause.get("newer") not in data.env:
            raise DataError(f"{where}: expected an object naming two known environments")
        if cause.get("status") not in STATUSES or not isinstance(cause.get("text"), str):
            raise DataError(f"{where}: expected a status ({', '.join(STATUSES)}) and a text")
        moves = cause.get("cause")
        if not isinstance(moves, list) or not all(
                isinstance(move, list) and len(move) == 3 and isinstance(move[0], str)
                for move in moves):
            raise DataError(f"{where}.cause: expected [[package, older, newer]]")
    return causes


def told(data: CompatData, first: str, second: str) -> list[str]:
    """The lines a finding between `first` and `second` gets: the packages that moved between
    their locks, then each attribution of a step between them whose cause moves between the two
    (a step not attributed, or not isolated, is said as it is)."""
    locks = _locks(data)
    lines = []
    if first in locks and second in locks:
        lines.append("packages that moved: " + moved_text(lock_diff(locks[first], locks[second])))
    steps = [dict(cause, env=cause["newer"], since=cause["older"]) for cause in _causes(data)]
    try:
        within = events_between(data.envs, steps, first, second)
    except ValueError:
        return lines
    for step in within:
        moves = step["cause"]
        if moves and first in locks and second in locks and all(
                locks[first].get(name) == locks[second].get(name) for name, _, _ in moves):
            continue  # the cause does not move between the two: not this file's change
        keep = step.get("keep")
        lines.append(f"{step['older']} -> {step['newer']}: {step['text']}"
                     + (f"; to keep the old behaviour: {keep}" if isinstance(keep, str) and keep
                        else ""))
    return lines


def annotate(findings: list[Finding], data: CompatData, first: str,
             second: str) -> list[Finding]:
    """The findings, each of CAUSED_CODES with told()'s lines added to its details and its
    facts ("causes")."""
    lines = told(data, first, second)
    if not lines:
        return findings
    return [dataclasses.replace(finding, details=tuple(finding.details) + tuple(lines),
                                data=dict(finding.data, causes=lines))
            if finding.code in CAUSED_CODES else finding for finding in findings]
