"""The timing lock across `nox -j` sessions (initcompat.host.timing_lock), with real processes:
steps hold it shared side by side, the throughput step holds it alone, and once it waits no new
step starts before it. Children meet through files and log their order; the only waits are
generous ones that only a stalled machine would exhaust, and no assertion is about time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "src"

# A holder: waits for the files in WAIT_FOR (if any, then a moment) before asking for the lock, notes
# "asks NAME", takes it MODE (shared/exclusive), notes "in NAME", waits up to 60 s for the files
# in HOLD_UNTIL, then (after a short pause that gives a wrongly admitted peer the chance to
# log) notes "out NAME" and lets go.
CHILD = textwrap.dedent("""
    import os, sys, time
    from pathlib import Path
    from initcompat.host import timing_lock
    folder, name, mode = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    wait_for = [p for p in sys.argv[4].split(",") if p]
    hold_until = [p for p in sys.argv[5].split(",") if p]
    def note(text):
        with open(str(folder / "order.log"), "a") as log:
            log.write(text + "\\n")
        (folder / text.replace(" ", "-")).write_text("")
    def wait(names):
        deadline = time.time() + 60
        while time.time() < deadline and not all((folder / n).exists() for n in names):
            time.sleep(0.02)
        return all((folder / n).exists() for n in names)
    if wait_for:
        wait(wait_for)
        time.sleep(1.0)  # lets the peer it waited for get from its note into its lock call
    note("asks " + name)
    with getattr(timing_lock, mode)(folder / "locks"):
        note("in " + name)
        met = wait(hold_until)
        time.sleep(0.3)
        note("out " + name)
    sys.exit(0 if met else 1)
""")


def start(folder: Path, name: str, mode: str, wait_for: str = "", hold_until: str = ""):
    return subprocess.Popen([sys.executable, "-c", CHILD, str(folder), name, mode, wait_for,
                             hold_until],
                            # slots enough for every holder here: these tests are about the lock
                            env=dict(os.environ, PYTHONPATH=str(SRC), INITCOMPAT_CORE_SLOTS="4"))


def finish(*processes) -> list[int]:
    return [process.wait(timeout=120) for process in processes]


def order(folder: Path) -> list[str]:
    return (folder / "order.log").read_text().split("\n")[:-1]


def test_shared_holders_hold_it_at_once(tmp_path: Path) -> None:
    first = start(tmp_path, "a", "shared", hold_until="in-b")
    second = start(tmp_path, "b", "shared", hold_until="in-a")
    assert finish(first, second) == [0, 0]  # each saw the other inside


def test_the_throughput_step_waits_for_running_steps_and_then_holds_it_alone(tmp_path: Path):
    step = start(tmp_path, "step", "shared", hold_until="asks-timing")
    # timing asks once the step is in; the step then holds on a moment before letting go
    timing = start(tmp_path, "timing", "exclusive", wait_for="in-step")
    assert finish(step, timing) == [0, 0]
    assert order(tmp_path) == ["asks step", "in step", "asks timing", "out step", "in timing",
                               "out timing"]


def test_a_waiting_throughput_step_goes_before_steps_that_ask_after_it(tmp_path: Path):
    running = start(tmp_path, "running", "shared", hold_until="asks-late")
    timing = start(tmp_path, "timing", "exclusive", wait_for="in-running")
    # the late step asks after the throughput step does (a moment after, so that the
    # throughput step is at the gate), and must wait for it
    late = start(tmp_path, "late", "shared", wait_for="asks-timing")
    assert finish(running, timing, late) == [0, 0, 0]
    log = order(tmp_path)
    assert log.index("out running") < log.index("in timing") < log.index("out timing") \
        < log.index("in late")


def test_a_killed_holder_releases_it(tmp_path: Path) -> None:
    holder = start(tmp_path, "holder", "exclusive", hold_until="never")
    deadline = time.time() + 60
    while time.time() < deadline and not (tmp_path / "in-holder").exists():
        time.sleep(0.02)
    holder.kill()
    holder.wait()
    after = start(tmp_path, "after", "exclusive")
    assert finish(after) == [0]
    assert order(tmp_path)[-2:] == ["in after", "out after"]


def test_a_step_holds_it_shared_only_while_it_runs(tmp_path: Path) -> None:
    """The runner wraps each step in holding_shared: the lock is held while the step runs (an
    exclusive try fails) and let go as soon as it returns (an exclusive try succeeds), so a
    throughput step waits for running steps, not for another session's whole run."""
    import fcntl

    from initcompat.host import timing_lock

    def exclusive_is_free() -> bool:
        descriptor = os.open(str(tmp_path / timing_lock.LOCK_NAME), os.O_RDWR | os.O_CREAT)
        try:
            fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return True
        except BlockingIOError:
            return False
        finally:
            os.close(descriptor)  # also lets go of the lock when it was taken

    seen_while_running = []
    step = timing_lock.holding_shared(tmp_path, lambda started: seen_while_running.append(
        exclusive_is_free()) or (1.0, None, None))
    assert step(None) == (1.0, None, None)
    assert seen_while_running == [False]
    assert exclusive_is_free()
