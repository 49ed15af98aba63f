"""One matrix entry from start to result file: find Python, build the environment, run the probe.

Every way this can go wrong still ends in a result file (skipped, install-failed, import-failed,
probe-crashed, probe-timeout) so the rest of the matrix and the report go on. Host side.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from initcompat.environments import Environment, InstallFailed, ensure_environment
from initcompat.interpreters import find_interpreter, how_to_install
from initcompat.matrix import Entry
from initcompat.probe import schema
from initcompat.probe.__main__ import IMPORTED_MARKER
from initcompat.probe.output import write_json_atomic

TAIL_CHARS = 4000
PROGRESS_PREFIX = "initcompat probe:"


@dataclass(frozen=True)
class Outcome:
    status: str
    result_path: Path
    message: str
    seconds: dict


def _env_block(entry: Entry, resolution: str) -> dict:
    return schema.environment_record(entry.name, entry.tensorflow, entry.python, entry.tags,
                                     resolution)


def _write_outcome(entry: Entry, resolution: str, path: Path, status: str, reason: str,
                   tail: str | None = None, extra: dict | None = None) -> None:
    document = schema.outcome_result(_env_block(entry, resolution), status, reason, tail)
    document.update(extra or {})
    write_json_atomic(str(path), document)


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def run_probe(python: Path, arguments: list[str], timeout: float, log_path: Path,
              echo: Callable[[str], None]) -> tuple[int | None, str, float]:
    """Run the probe, echoing its progress lines; (returncode or None on timeout, tail, seconds)."""
    started = time.monotonic()
    environment = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    with open(log_path, "w") as log, subprocess.Popen(
            [str(python), "-m", "initcompat.probe", *arguments], stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, errors="replace", env=environment,
            start_new_session=True) as process:
        tail = ""
        deadline = started + timeout
        selector = selectors.DefaultSelector()
        selector.register(process.stdout, selectors.EVENT_READ)
        returncode = None
        try:
            while True:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    os.killpg(process.pid, signal.SIGKILL)
                    process.wait()
                    break
                if selector.select(timeout=min(remaining, 1.0)):
                    line = process.stdout.readline()
                    if not line:
                        returncode = process.wait()
                        break
                    log.write(line)
                    tail = (tail + line)[-TAIL_CHARS:]
                    if line.startswith(PROGRESS_PREFIX):
                        echo(line.rstrip())
        except BaseException:  # Ctrl-C on nox: the probe runs in its own session, stop it too
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        finally:
            selector.close()
    return returncode, tail, time.monotonic() - started


def run_entry(entry: Entry, *, resolution: str, suite: Path, results: Path, envs: Path,
              source: Path, timeout: float, echo: Callable[[str], None] = print) -> Outcome:
    """Everything for one environment; always leaves results/<name>.json behind."""
    results.mkdir(parents=True, exist_ok=True)
    result_path = results / f"{entry.name}.json"
    found = find_interpreter(entry.python)
    if found is None:
        message = how_to_install(entry.python)
        _write_outcome(entry, resolution, result_path, schema.ENV_SKIPPED,
                       f"skipped: no Python {entry.python}. {message}")
        return Outcome(schema.ENV_SKIPPED, result_path, message, {})
    origin, interpreter = found
    echo(f"{entry.name}: Python {entry.python} from {origin} ({interpreter})")
    install_started = time.monotonic()
    try:
        environment: Environment = ensure_environment(entry, interpreter, resolution, envs, source)
    except InstallFailed as failure:
        _write_outcome(entry, resolution, result_path, schema.ENV_INSTALL_FAILED,
                       f"{failure.step} failed", failure.tail)
        return Outcome(schema.ENV_INSTALL_FAILED, result_path, f"{failure.step} failed",
                       {"install": time.monotonic() - install_started})
    install_seconds = time.monotonic() - install_started
    echo(f"{entry.name}: environment {'reused' if environment.reused else 'installed'} "
         f"in {install_seconds:.1f} s ({environment.path})")
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as record_file:
        json.dump(dict(environment.record, reused=environment.reused,
                       seconds_this_run=round(install_seconds, 2)), record_file)
    try:
        arguments = ["--suite", str(suite), "--out", str(result_path), "--env-name", entry.name,
                     "--requested-tensorflow", entry.tensorflow, "--requested-python", entry.python,
                     "--tags", ",".join(entry.tags), "--resolution", resolution,
                     "--install-record", record_file.name]
        log_path = results / f"{entry.name}.log"
        if result_path.exists():
            result_path.unlink()  # a stale result must not pass for this run's
        for stale in results.glob(f".{entry.name}.json.*.tmp"):
            stale.unlink()  # left by a probe killed inside its atomic write
        returncode, tail, probe_seconds = run_probe(environment.python, arguments, timeout,
                                                    log_path, echo)
    finally:
        os.unlink(record_file.name)
    seconds = {"install": install_seconds, "probe_process": probe_seconds}
    extra = {"install": environment.record}
    if returncode is None:
        _write_outcome(entry, resolution, result_path, schema.ENV_PROBE_TIMEOUT,
                       f"probe still running after {timeout:.0f} s; killed", tail, extra)
        return Outcome(schema.ENV_PROBE_TIMEOUT, result_path, "probe timed out", seconds)
    if returncode == 0 and result_path.exists():
        status = json.loads(result_path.read_text()).get("status", "?")
        if status == schema.ENV_OK:
            seconds["throughput"] = run_throughput(environment.python, suite, result_path, echo)
        return Outcome(status, result_path, "wrote result", seconds)
    status = schema.ENV_PROBE_CRASHED if IMPORTED_MARKER in tail else schema.ENV_IMPORT_FAILED
    reason = f"probe {_describe_exit(returncode)} " + (
        "after importing TensorFlow" if status == schema.ENV_PROBE_CRASHED
        else "before TensorFlow finished importing")
    _write_outcome(entry, resolution, result_path, status, reason, tail, extra)
    return Outcome(status, result_path, reason, seconds)


THROUGHPUT_TIMEOUT = 600  # seconds for the whole throughput step (it is designed for < 60 s)


def run_throughput(python: Path, suite: Path, result_path: Path,
                   echo: Callable[[str], None] = print) -> float:
    """Time initialization with pyperf (initcompat.probe.throughput) after a successful probe.

    Writes <name>.pyperf.json beside the result and merges a "throughput" summary into it; a
    crash or timeout is merged as {"status": "failed"}. INITCOMPAT_THROUGHPUT=0 skips the step.
    """
    started = time.monotonic()
    if os.environ.get("INITCOMPAT_THROUGHPUT", "1") == "0":
        return 0.0
    pyperf_path = result_path.with_name(result_path.name[:-len(".json")] + ".pyperf.json")
    command = [str(python), "-m", "initcompat.probe.throughput", "--suite", str(suite),
               "--out", str(pyperf_path), "--merge-into", str(result_path)]
    environment = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", env=environment, start_new_session=True) as process:
        try:
            output, _ = process.communicate(timeout=THROUGHPUT_TIMEOUT)
            failure = None if process.returncode == 0 else _describe_exit(process.returncode)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            failure = f"still running after {THROUGHPUT_TIMEOUT} s; killed"
    result_path.with_name(result_path.name[:-len(".json")] + ".throughput.log").write_text(output)
    if failure is not None:
        document = json.loads(result_path.read_text())
        document["throughput"] = {"status": "failed", "reason": f"throughput step {failure}",
                                  "log_tail": output[-TAIL_CHARS:]}
        write_json_atomic(str(result_path), document)
    summary = [line for line in output.splitlines() if line.startswith("initcompat throughput:")]
    echo(summary[-1] if summary else f"initcompat throughput: {failure}")
    return time.monotonic() - started
