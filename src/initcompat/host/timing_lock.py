"""The lock that keeps the throughput step, which times, apart from all other work of the run,
across `nox -j` sessions: a readers/writer lock on files (fcntl.flock). Every other part of an
environment's run (install, probe, each measurement step) holds it shared while it runs; the
throughput step holds it exclusive, so it starts when nothing else holds it and nothing else
starts while it times. Held per step, not per session: a throughput step waits for the steps
running when it asks, not for the whole of every other session's run. A writer first takes the gate, which readers pass through on their way in: once a
throughput step waits, no new step starts before it (no starving under many sessions).
A shared holder first takes a core slot (host.core_slots: one step process per core across
every session). A lock is released when its process ends, however it ends. Host side; POSIX.
"""

from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

from initcompat.host import core_slots

LOCK_NAME = "initcompat-timing.lock"
GATE_NAME = "initcompat-timing.gate"


def _open(path: Path) -> int:
    path.parent.mkdir(parents=True, exist_ok=True)
    return os.open(str(path), os.O_RDWR | os.O_CREAT, 0o644)


@contextmanager
def shared(folder: Path) -> Iterator[None]:
    """Hold a core slot, then the lock shared (any number of holders at once, none while the
    throughput step times). The slot first: a step that waits at the gate for a throughput step
    then starts as soon as it ends, and a throughput step never waits for a step that waits
    for a slot."""
    with core_slots.holding_slot(folder):
        gate, lock = _open(folder / GATE_NAME), _open(folder / LOCK_NAME)
        try:
            fcntl.flock(gate, fcntl.LOCK_EX)  # waits while a throughput step waits or times
            try:
                fcntl.flock(lock, fcntl.LOCK_SH)
            finally:
                fcntl.flock(gate, fcntl.LOCK_UN)
            yield
        finally:
            os.close(lock)  # closing releases the flock
            os.close(gate)


@contextmanager
def exclusive(folder: Path) -> Iterator[None]:
    """Hold the lock alone: wait until every shared holder is done, keep new ones out."""
    gate, lock = _open(folder / GATE_NAME), _open(folder / LOCK_NAME)
    try:
        fcntl.flock(gate, fcntl.LOCK_EX)
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield
    finally:
        os.close(lock)
        os.close(gate)


def holding_shared(folder: Path, call: Callable) -> Callable:
    """`call` (a runner.StepCall) holding the lock shared while it runs."""
    def run(*arguments, **keywords):
        with shared(folder):
            return call(*arguments, **keywords)
    return run
