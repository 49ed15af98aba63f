"""Running one step's process to its end: the probe (its progress lines echoed as they come),
a measurement step, the throughput step; each returns its seconds, its failure or None and its
output tail, and puts its CPU seconds in `usage` when given (host.step_process). Host side."""

from __future__ import annotations

import os
import selectors
import signal
import subprocess
import time
from pathlib import Path
from typing import Callable

from initcompat.host import step_process
from initcompat.host.causes import last_cause
from initcompat.host.side_by_side import StepCall
from initcompat.host.step_process import describe_exit as _describe_exit
from initcompat.measurements import registry
from initcompat.probe import schema

THROUGHPUT_TIMEOUT = 600  # seconds for the whole throughput step (it is designed for < 60 s)
MEASUREMENT_TIMEOUT = 600  # seconds for an initializers or seeding step (designed for < 30 s)



def run_probe(python: Path, arguments: list[str], timeout: float, log_path: Path,
              echo: Callable[[str], None],
              environment: dict | None = None,
              module: str = "initcompat.probe",
              usage: dict | None = None) -> tuple[int | None, str, float]:
    """Run the probe, echoing its progress lines; (returncode or None on timeout, tail, seconds).
    A framework session's probe is `initcompat.probe.frameworks`; `usage`, when given, gets
    "cpu_seconds" (as run_step)."""
    started = time.monotonic()
    environment = environment or dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    with open(log_path, "w") as log, subprocess.Popen(
            [str(python), "-m", module, *arguments], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace", env=environment,
            start_new_session=True) as process:
        tail = ""
        deadline = started + timeout
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        returncode = None
        cpu_seconds = None
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    os.killpg(process.pid, signal.SIGKILL)
                    cpu_seconds = step_process.reap(process, block=True)
                    break
                if selector.select(timeout=min(remaining, 1.0)):
                    line = process.stdout.readline()
                    if not line:
                        cpu_seconds = step_process.reap(process, block=True)
                        returncode = process.returncode
                        break
                    log.write(line)
                    tail = (tail + line)[-schema.TAIL_CHARS:]
                    if line.startswith(schema.PROBE_PREFIX):
                        echo(line.rstrip())
        except BaseException:  # Ctrl-C on nox: the probe runs in its own session, stop it too
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        finally:
            selector.close()
    if usage is not None:
        usage["cpu_seconds"] = cpu_seconds
    return returncode, tail, time.monotonic() - started


def run_step(command: list[str], log_path: Path, timeout: float, prefix: str,
             echo: Callable[[str], None],
             environment: dict | None = None,
             started: Callable[[subprocess.Popen], None] | None = None,
             usage: dict | None = None,
             ) -> tuple[float, str | None, str | None]:
    """Run one step's process to its end: (seconds, failure or None, output tail on failure).

    Its output goes to `log_path`; the last line starting with `prefix` is echoed. `started`
    is told the process as soon as it runs (run_side_by_side kills it on Ctrl-C); `usage`, when
    given, gets "cpu_seconds" (the process and every process it waited for: step_process)."""
    started_at = time.monotonic()
    environment = environment or dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", env=environment, start_new_session=True) as process:
        if started is not None:
            started(process)
        output, timed_out, cpu_seconds = step_process.run_to_end(process, timeout)
    if timed_out:
        failure = f"still running after {timeout:.0f} s; killed"
    else:
        failure = None if process.returncode == 0 else _describe_exit(process.returncode)
    if usage is not None:
        usage["cpu_seconds"] = cpu_seconds
    log_path.write_text(output)
    summary = [line for line in output.splitlines() if line.startswith(prefix)]
    cause = last_cause(output) if failure else None
    echo(summary[-1] if summary and not failure else
         f"{prefix} {failure}" + (f": {cause}" if cause else ""))
    return (time.monotonic() - started_at, failure,
            output[-schema.TAIL_CHARS:] if failure else None)


def run_measurement(python: Path, module: str, kind: str, suite: Path, name: str, results: Path,
                    echo: Callable[[str], None] = print, environment: dict | None = None,
                    arguments: list[str] = (),
                    started: Callable[[subprocess.Popen], None] | None = None,
                    usage: dict | None = None,
                    ) -> tuple[float, str | None, str | None]:
    """One measurement step after a successful probe (schema.MEASUREMENT_STEPS): it writes
    NAME.<kind>.json itself; (seconds, failure or None, output tail on failure); `usage` as
    run_step's."""
    out = results / schema.file_name(name, kind)
    command = [str(python), "-m", module, "--suite", str(suite), "--env-name", name,
               "--out", str(out), *arguments]
    seconds, failure, tail = run_step(command, results / f"{name}.{kind}.log", MEASUREMENT_TIMEOUT,
                                      f"initcompat {kind}:", echo, environment, started, usage)
    if failure is None and not out.exists():
        failure = "exited 0 without writing its file"
    return seconds, failure and f"{kind} step {failure}", tail


def measurement_call(*arguments, **keywords) -> StepCall:
    """run_measurement(*arguments, **keywords) as a call for run_side_by_side."""
    return lambda started: run_measurement(*arguments, **keywords, started=started)


def run_throughput(python: Path, suite: Path, name: str, results: Path,
                   echo: Callable[[str], None] = print, environment: dict | None = None,
                   arguments: list[str] = (),
                   usage: dict | None = None) -> tuple[float, str | None, str | None]:
    """Time initialization with pyperf (the registry's throughput module) after a successful probe.

    The step writes NAME.pyperf.json and NAME.throughput.json itself; (seconds, failure or None,
    output tail on failure) for the outcome file.
    """
    command = [str(python), "-m", registry.by_name("throughput")["module"], "--suite", str(suite),
               "--env-name", name, "--out", str(results / schema.pyperf_file_name(name)),
               "--summary-out", str(results / schema.file_name(name, schema.KIND_THROUGHPUT)),
               *arguments]
    seconds, failure, tail = run_step(command, results / f"{name}.throughput.log",
                                      THROUGHPUT_TIMEOUT, schema.THROUGHPUT_PREFIX, echo,
                                      environment, usage=usage)
    return seconds, failure and f"throughput step {failure}", tail
