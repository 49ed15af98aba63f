"""One step process per core across every session of a run: a pool of slots, one lock file per
core (`.nox/initcompat-core-N.lock`, fcntl.flock), that the install, the probe and each
measurement step hold while they run (timing_lock.shared takes one first).

Without it, `nox -j auto` on C cores runs C sessions, each with C steps side by side: C x C
TensorFlow processes on C cores, which cost CPU (thread pools that spin and evict each other's
caches) and gain no time. With it a session still runs its steps side by side when the other
sessions leave cores free (a single session, the last ones of a run). The throughput step takes
no slot: it runs alone under the timing lock. $INITCOMPAT_CORE_SLOTS sets the pool's size
(default: the machine's cores). A slot is released when its process ends, however it ends.
Host side; POSIX.
"""

from __future__ import annotations

import fcntl
import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

SLOTS_VARIABLE = "INITCOMPAT_CORE_SLOTS"
POLL_SECONDS = 0.1  # how often a step that found every slot taken tries again


def slot_count() -> int:
    """The pool's size: $INITCOMPAT_CORE_SLOTS, else the machine's cores."""
    configured = os.environ.get(SLOTS_VARIABLE, "").strip()
    if configured:
        try:
            count = int(configured)
        except ValueError:
            raise ValueError(f"{SLOTS_VARIABLE}={configured!r} is not a whole number") from None
        if count < 1:
            raise ValueError(f"{SLOTS_VARIABLE}={configured!r} must be at least 1")
        return count
    return os.cpu_count() or 1


def slot_path(folder: Path, index: int) -> Path:
    return folder / f"initcompat-core-{index}.lock"


def _try_take(folder: Path, count: int) -> int | None:
    """The descriptor of a free slot's lock file, now held; None when every slot is taken."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        descriptor = os.open(str(slot_path(folder, index)), os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(descriptor)
            continue
        return descriptor
    return None


@contextmanager
def holding_slot(folder: Path, count: int | None = None) -> Iterator[None]:
    """Hold one of the `count` slots (default slot_count()) while the block runs; wait for one
    while all are taken."""
    count = slot_count() if count is None else count
    descriptor = _try_take(folder, count)
    while descriptor is None:
        time.sleep(POLL_SECONDS)
        descriptor = _try_take(folder, count)
    try:
        yield
    finally:
        os.close(descriptor)  # closing releases the flock
