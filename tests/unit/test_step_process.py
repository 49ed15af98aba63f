"""A step's process run to its end (host.step_process): its output, its exit, and the CPU seconds
of it and of the processes it waited for, with real processes (plain Python children)."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from initcompat.host import runner, step_process

# Spends CPU until its own process_time reaches the given seconds (so the figure it must show up
# in is known without timing anything), prints a line, exits with the given code.
SPIN = textwrap.dedent("""
    import sys, time
    seconds, code = float(sys.argv[1]), int(sys.argv[2])
    while time.process_time() < seconds:
        pass
    print("spun", seconds)
    sys.exit(code)
""")
# Runs SPIN as a grandchild and waits for it, as the seeding step waits for its fresh processes.
PARENT = textwrap.dedent("""
    import subprocess, sys
    sys.exit(subprocess.call([sys.executable, "-c", sys.argv[1], sys.argv[2], "0"]))
""")


def start(*arguments: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", *arguments], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)


def test_cpu_seconds_include_the_processes_a_step_waited_for() -> None:
    with start(PARENT, SPIN, "0.4") as process:
        output, timed_out, cpu = step_process.run_to_end(process, timeout=120)
    assert (output.strip(), timed_out, process.returncode) == ("spun 0.4", False, 0)
    assert cpu >= 0.4  # the grandchild's own 0.4 s of CPU is counted with the step


def test_exit_status_and_output_come_back() -> None:
    with start(SPIN, "0", "3") as process:
        output, timed_out, _ = step_process.run_to_end(process, timeout=120)
    assert (output.strip(), timed_out, process.returncode) == ("spun 0.0", False, 3)
    assert step_process.describe_exit(process.returncode) == "exit status 3"


def test_a_step_past_its_deadline_is_killed_with_its_group() -> None:
    hang = "import subprocess, sys, time; subprocess.Popen([sys.executable, '-c', " \
           "'import time; time.sleep(600)']); time.sleep(600)"
    with start(hang) as process:
        _, timed_out, _ = step_process.run_to_end(process, timeout=0.5)
    assert timed_out and process.returncode == -9
    assert step_process.describe_exit(process.returncode) == "killed by signal SIGKILL"


def test_run_step_records_cpu_seconds(tmp_path: Path) -> None:
    usage: dict = {}
    seconds, failure, tail = runner.run_step(
        [sys.executable, "-c", PARENT, SPIN, "0.3"], tmp_path / "step.log", 120, "spun",
        lambda _: None, usage=usage)
    assert failure is None and tail is None
    assert usage["cpu_seconds"] >= 0.3
    assert (tmp_path / "step.log").read_text().strip() == "spun 0.3"
