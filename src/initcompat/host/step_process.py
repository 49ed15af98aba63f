"""One step's process, run to its end: its output, its exit, its wall and CPU seconds.

The CPU seconds are user + system of the process and every process it waited for (wait4's
resource usage: the seeding step's fresh processes, pyperf's workers and the propagation step's
training child count with their step), so that the runner can record what each step costs and
the estimate for a machine with more cores can be made from them (docs/speed.md). Host side.
"""

from __future__ import annotations

import os
import signal
import subprocess
import threading
import time

POLL_SECONDS = 0.05  # how often a running step is looked at (its end, its deadline)


def describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def kill_group(process: subprocess.Popen) -> None:
    """SIGKILL the process's group (each step runs in a session of its own), unless it ended."""
    if process.returncode is None:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:  # ended meanwhile
            pass


def reap(process: subprocess.Popen, block: bool) -> float | None:
    """Reap `process` with wait4 if it ended (or wait for it, with `block`): its CPU seconds, and
    process.returncode set; None while it still runs."""
    if process.returncode is not None:
        return 0.0
    try:
        pid, status, usage = os.wait4(process.pid, 0 if block else os.WNOHANG)
    except ChildProcessError:  # reaped by another thread's Popen.poll: its usage is lost
        process.wait()
        return 0.0
    if pid == 0:
        return None
    process.returncode = os.waitstatus_to_exitcode(status)
    return usage.ru_utime + usage.ru_stime


def run_to_end(process: subprocess.Popen, timeout: float) -> tuple[str, bool, float]:
    """(its whole output, whether it was killed at the deadline, its CPU seconds): reads the
    output in a thread while this one watches for the end or the deadline. On any exception
    (Ctrl-C) the process group is killed and reaped before it propagates."""
    chunks: list[str] = []
    reader = threading.Thread(target=lambda: chunks.append(process.stdout.read()), daemon=True)
    reader.start()
    deadline = time.monotonic() + timeout
    timed_out = False
    try:
        cpu = reap(process, block=False)
        while cpu is None:
            if time.monotonic() >= deadline:
                timed_out = True
                kill_group(process)
                cpu = reap(process, block=True)
                break
            time.sleep(POLL_SECONDS)
            cpu = reap(process, block=False)
    except BaseException:
        kill_group(process)
        reap(process, block=True)
        raise
    reader.join()
    return "".join(chunks), timed_out, cpu
