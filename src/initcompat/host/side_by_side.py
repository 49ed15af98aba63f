"""The measurement steps of one environment side by side: how many at once (step_lanes) and
run_side_by_side, which runs step calls in lanes and kills every step process on Ctrl-C. The
steps time nothing, so they may share the machine; the throughput step, which times, never runs
here. Host side."""

from __future__ import annotations

import os
import subprocess
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Callable

from initcompat.host import step_process


# Measurement steps in the order they start when they run side by side and the environment has
# no earlier run to time them by: the longest first, so that the others share the remaining
# lanes (warm default selection on 2 cores, 2026-12-02: propagation 20-58 s, initializers
# 3.5-12 s, porting 8.5 s, seeding 1.3-5.8 s). With an earlier run, its times order them.
SIDE_BY_SIDE_ORDER = ("propagation", "initializers", "porting", "seeding")
STEP_LANES_VARIABLE = "INITCOMPAT_STEP_LANES"


def step_lanes() -> int:
    """How many measurement steps of one environment run at once: $INITCOMPAT_STEP_LANES, else
    the machine's cores. They measure no time, so they may share the machine (their files are
    the same either way); the throughput step, which times, always runs alone."""
    configured = os.environ.get(STEP_LANES_VARIABLE, "").strip()
    if configured:
        try:
            lanes = int(configured)
        except ValueError:
            raise ValueError(f"{STEP_LANES_VARIABLE}={configured!r} is not a whole number") from None
        if lanes < 1:
            raise ValueError(f"{STEP_LANES_VARIABLE}={configured!r} must be at least 1")
        return lanes
    return os.cpu_count() or 1


StepCall = Callable[[Callable[[subprocess.Popen], None]], tuple]
POLL_SECONDS = 0.05  # how often run_side_by_side looks whether its steps have ended


def start_order(steps, last_seconds: dict[str, float] | None = None) -> list[str]:
    """The steps, longest first: by the environment's last run when it timed every one of them
    (`last_seconds`, from its outcome file), else in SIDE_BY_SIDE_ORDER (unlisted steps last)."""
    steps = list(steps)
    if last_seconds and all(step in last_seconds for step in steps):
        return sorted(steps, key=lambda step: -last_seconds[step])
    return sorted(steps, key=lambda step: (SIDE_BY_SIDE_ORDER.index(step)
                                           if step in SIDE_BY_SIDE_ORDER else len(SIDE_BY_SIDE_ORDER)))


def run_side_by_side(calls: dict[str, StepCall], lanes: int,
                     last_seconds: dict[str, float] | None = None) -> dict[str, tuple]:
    """Run step calls (each `call(started)` runs one process to its end via run_step and returns
    its (seconds, failure, tail)) at most `lanes` at a time, longest first (start_order); their
    results keyed as `calls` is. On Ctrl-C every step process is killed (each runs in its own
    session, so the terminal's SIGINT does not reach it), and none starts after."""
    order = start_order(calls, last_seconds)
    processes: list[subprocess.Popen] = []
    lock = threading.Lock()
    stopping = threading.Event()

    def started(process: subprocess.Popen) -> None:
        with lock:
            processes.append(process)
            if stopping.is_set():
                step_process.kill_group(process)

    with ThreadPoolExecutor(max_workers=max(1, min(lanes, len(order) or 1))) as pool:
        futures = {step: pool.submit(calls[step], started) for step in order}
        try:
            # Poll instead of blocking in Future.result(): a Ctrl-C landing inside its
            # Condition.wait can leave the future's lock held by this thread, and the worker that
            # then finishes waits for it forever (the CI dry run hung once in
            # test_ctrl_c_kills_every_step_process); here it lands in time.sleep.
            while not all(future.done() for future in futures.values()):
                time.sleep(POLL_SECONDS)
            finished = {step: futures[step].result() for step in order}
        except BaseException:
            stopping.set()
            for future in futures.values():
                future.cancel()
            with lock:
                for process in processes:
                    step_process.kill_group(process)
            raise
    return {step: finished[step] for step in calls}
