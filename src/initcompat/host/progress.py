"""The runner's progress lines: one whole line when a step starts (with the last run's time as
the estimate), when it ends (its time, the last run's, the time since the environment's run
began) and when it is reused. Lines are written whole, under a lock, so steps that run side by
side never interleave fragments; under `nox -j` each session's lines come out together when it
ends (and the newest one shows on nox's status board while it runs). Host side.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from initcompat.host.reuse import shown_date


class Progress:
    """Progress lines of one environment's run, prefixed with its name."""

    def __init__(self, name: str, last_seconds: dict[str, float], started_at: float,
                 echo: Callable[[str], None]):
        self.name = name
        self.last_seconds = last_seconds
        self.started_at = started_at
        self.echo = echo
        self.lock = threading.Lock()

    def _say(self, text: str) -> None:
        with self.lock:
            self.echo(f"{self.name}: {text}")

    def _estimate(self, step: str) -> str:
        last = self.last_seconds.get(step)
        return "" if last is None else f"last run {last:.1f} s"

    def started(self, step: str) -> None:
        estimate = self._estimate(step)
        self._say(f"{step} started ({estimate or 'no earlier run to estimate from'})")

    def finished(self, step: str, seconds: float, failed: object = None,
                 cpu_seconds: float | None = None) -> None:
        estimate = self._estimate(step)
        elapsed = time.monotonic() - self.started_at
        cpu = "" if cpu_seconds is None else f", CPU {cpu_seconds:.1f} s"
        self._say(f"{step} {'failed' if failed else 'done'} in {seconds:.1f} s{cpu}"
                  + (f" ({estimate})" if estimate else "")
                  + f", {elapsed:.0f} s since this environment's run began")

    def reused(self, step: str, measured_at: str | None) -> None:
        self._say(f"{step} reused (measured {shown_date(measured_at)})")

    def call(self, step: str, step_call: Callable, usage: dict | None = None) -> Callable:
        """A runner.StepCall that says when it starts and ends (with the CPU seconds the call
        put in `usage`)."""
        def run(started):
            self.started(step)
            result = step_call(started)
            self.finished(step, result[0], result[1], (usage or {}).get("cpu_seconds"))
            return result
        return run
