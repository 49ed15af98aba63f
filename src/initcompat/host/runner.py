"""One matrix entry from start to its files: find Python, build the environment, run the probe.

Every way this can go wrong still ends in NAME.outcome.json (skipped, install-failed,
import-failed, probe-crashed, probe-timeout) so the rest of the matrix and the report go on.
Each file of a run has one writer (initcompat.probe.schema): the runner writes NAME.install.json
and NAME.outcome.json, the probe NAME.json, the initializers and seeding steps
NAME.initializers.json and NAME.seeding.json, the throughput step NAME.throughput.json and
NAME.pyperf.json; nobody rewrites another's file. Host side.
"""

from __future__ import annotations

import json
import os
import selectors
import signal
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from initcompat.host.environments import Environment, InstallFailed, ensure_environment
from initcompat.host.interpreters import find_interpreter, how_to_install
from initcompat.host.matrix import Entry
from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic


@dataclass(frozen=True)
class Outcome:
    """What run_entry did: the environment's status, where its files are, and step timings."""

    status: str
    folder: Path
    name: str
    message: str
    seconds: dict = field(default_factory=dict)

    def path(self, kind: str) -> Path:
        """The file of `kind` (schema.KIND_*) this run wrote or would have written."""
        return self.folder / schema.file_name(self.name, kind)


def _env_block(entry: Entry, resolution: str) -> dict:
    return schema.environment_record(entry.name, entry.tensorflow, entry.python, entry.tags,
                                     resolution, entry.keras, entry.backend,
                                     entry.framework_name, entry.framework_version)


def process_environment(entry: Entry) -> dict:
    """The environment variables of every process of a run: unbuffered output, TF's C++ logs
    quiet, and a Keras session's backend (KERAS_BACKEND must be set before Keras is imported)."""
    environment = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    if entry.backend:
        environment["KERAS_BACKEND"] = entry.backend
    return environment


def clear_previous_run(results: Path, name: str) -> None:
    """Remove every file an earlier run of `name` left, so none passes for this run's."""
    for file_name in schema.every_file_name(name):
        (results / file_name).unlink(missing_ok=True)
    for stale in results.glob(f".{name}.*.tmp"):
        stale.unlink()  # left by a process killed inside its atomic write


def _describe_exit(returncode: int) -> str:
    if returncode < 0:
        try:
            return f"killed by signal {signal.Signals(-returncode).name}"
        except ValueError:
            return f"killed by signal {-returncode}"
    return f"exit status {returncode}"


def run_probe(python: Path, arguments: list[str], timeout: float, log_path: Path,
              echo: Callable[[str], None],
              environment: dict | None = None,
              module: str = "initcompat.probe") -> tuple[int | None, str, float]:
    """Run the probe, echoing its progress lines; (returncode or None on timeout, tail, seconds).
    A framework session's probe is `initcompat.probe.frameworks`."""
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
                    tail = (tail + line)[-schema.TAIL_CHARS:]
                    if line.startswith(schema.PROBE_PREFIX):
                        echo(line.rstrip())
        except BaseException:  # Ctrl-C on nox: the probe runs in its own session, stop it too
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
        finally:
            selector.close()
    return returncode, tail, time.monotonic() - started


def run_entry(entry: Entry, *, resolution: str, suite: Path, results: Path, envs: Path,
              source: Path, timeout: float, throughput: bool = True, measurements: bool = True,
              echo: Callable[[str], None] = print) -> Outcome:
    """Everything for one environment; always leaves results/<name>.outcome.json behind.
    `resolution` is the matrix's; an entry with its own (a "today" variant) uses that."""
    resolution = entry.resolved(resolution)
    results.mkdir(parents=True, exist_ok=True)
    clear_previous_run(results, entry.name)
    env = _env_block(entry, resolution)
    steps: dict[str, dict] = {}
    seconds: dict[str, float] = {}

    def finish(status: str, reason: str | None, tail: str | None = None) -> Outcome:
        write_json_atomic(str(results / schema.file_name(entry.name, schema.KIND_OUTCOME)),
                          schema.outcome_record(env, status, reason, steps, tail))
        return Outcome(status, results, entry.name, reason or "wrote result", seconds)

    found = find_interpreter(entry.python)
    if found is None:
        message = how_to_install(entry.python)
        steps["install"] = schema.step_record(schema.STEP_SKIPPED, message)
        return finish(schema.ENV_SKIPPED, f"skipped: no Python {entry.python}. {message}")
    origin, interpreter = found
    echo(f"{entry.name}: Python {entry.python} from {origin} ({interpreter})")
    install_started = time.monotonic()
    try:
        environment: Environment = ensure_environment(entry, interpreter, resolution, envs, source)
    except InstallFailed as failure:
        seconds["install"] = time.monotonic() - install_started
        steps["install"] = schema.step_record(schema.STEP_FAILED, f"{failure.step} failed",
                                              seconds["install"], failure.tail)
        return finish(schema.ENV_INSTALL_FAILED, f"{failure.step} failed", failure.tail)
    seconds["install"] = time.monotonic() - install_started
    echo(f"{entry.name}: environment {'reused' if environment.reused else 'installed'} "
         f"in {seconds['install']:.1f} s ({environment.path})")
    steps["install"] = schema.step_record(
        schema.STEP_OK, "reused" if environment.reused else "installed", seconds["install"])
    write_json_atomic(str(results / schema.file_name(entry.name, schema.KIND_INSTALL)),
                      schema.install_record(env, dict(environment.record, reused=environment.reused,
                                                      seconds_this_run=round(seconds["install"], 2))))
    result_path = results / schema.file_name(entry.name, schema.KIND_RESULT)
    arguments = ["--suite", str(suite), "--out", str(result_path), "--env-name", entry.name,
                 "--requested-tensorflow", entry.tensorflow, "--requested-python", entry.python,
                 "--tags", ",".join(entry.tags), "--resolution", resolution]
    if entry.keras:
        arguments += ["--requested-keras", entry.keras, "--keras-backend", entry.backend]
    module = "initcompat.probe"
    if entry.framework_name:
        module = "initcompat.probe.frameworks"
        arguments += ["--framework", entry.framework_name,
                      "--requested-version", entry.framework_version]
    variables = process_environment(entry)
    returncode, tail, seconds["probe_process"] = run_probe(
        environment.python, arguments, timeout, results / f"{entry.name}.log", echo, variables,
        module)
    if returncode is None:
        reason = f"probe still running after {timeout:.0f} s; killed"
        steps["probe"] = schema.step_record(schema.STEP_FAILED, reason, seconds["probe_process"], tail)
        return finish(schema.ENV_PROBE_TIMEOUT, reason, tail)
    if returncode != 0 or not result_path.exists():
        framework = "Keras" if entry.keras and entry.tensorflow == schema.NO_TENSORFLOW \
            else entry.framework_name or "TensorFlow"
        status = schema.ENV_PROBE_CRASHED if any(m in tail for m in schema.IMPORTED_MARKERS) \
            else schema.ENV_IMPORT_FAILED
        reason = f"probe {_describe_exit(returncode)} " + (
            f"after importing {framework}" if status == schema.ENV_PROBE_CRASHED
            else f"before {framework} finished importing")
        steps["probe"] = schema.step_record(schema.STEP_FAILED, reason, seconds["probe_process"], tail)
        return finish(status, reason, tail)
    probed = json.loads(result_path.read_text())  # read only: the probe's status decides what follows
    steps["probe"] = schema.step_record(schema.STEP_OK, None, seconds["probe_process"])
    if probed.get("status") != schema.ENV_OK:
        return finish(probed.get("status", schema.ENV_PROBE_CRASHED), probed.get("reason"))
    for step, module, kind in schema.MEASUREMENT_STEPS:
        if not measurements:
            steps[step] = schema.step_record(schema.STEP_SKIPPED, "measurement steps switched off")
            continue
        not_here = step_not_applicable(entry, step)
        if not_here:
            steps[step] = schema.step_record(schema.STEP_SKIPPED, not_here)
            continue
        seconds[step], failure, tail = run_measurement(environment.python, module, kind, suite,
                                                       entry.name, results, echo, variables,
                                                       step_arguments(entry))
        steps[step] = schema.step_record(schema.STEP_FAILED if failure else schema.STEP_OK,
                                         failure, seconds[step], tail)
    if throughput:
        seconds["throughput"], failure, tail = run_throughput(environment.python, suite, entry.name,
                                                              results, echo, variables,
                                                              step_arguments(entry))
        steps["throughput"] = schema.step_record(schema.STEP_FAILED if failure else schema.STEP_OK,
                                                 failure, seconds["throughput"], tail)
    else:
        steps["throughput"] = schema.step_record(schema.STEP_SKIPPED, "throughput switched off")
    return finish(schema.ENV_OK, None)


def rerun_step(entry: Entry, step: str, *, resolution: str, suite: Path, results: Path,
               envs: Path, source: Path, echo: Callable[[str], None] = print) -> Outcome:
    """Run one measurement step again on an environment whose last probe succeeded (after
    changing that step's code or suite section): only the step's own file and log are replaced;
    the result, install and outcome files of the last full run stay as they are."""
    resolution = entry.resolved(resolution)
    known = {name: (module, kind) for name, module, kind in schema.MEASUREMENT_STEPS}
    known[THROUGHPUT_STEP] = ("initcompat.probe.throughput", schema.KIND_THROUGHPUT)
    if step not in known:
        raise ValueError(f"unknown step {step!r} (known: {', '.join(known)})")
    module, kind = known[step]
    not_here = step_not_applicable(entry, step)
    if not_here is not None:
        return Outcome(schema.ENV_SKIPPED, results, entry.name, not_here, {})
    probed_path = results / schema.file_name(entry.name, schema.KIND_RESULT)
    try:
        probed = json.loads(probed_path.read_text())
    except (OSError, ValueError):
        probed = {}
    if probed.get("status") != schema.ENV_OK:
        return Outcome(schema.ENV_SKIPPED, results, entry.name,
                       f"no successful probe in {probed_path}: run the whole session first", {})
    found = find_interpreter(entry.python)
    if found is None:
        return Outcome(schema.ENV_SKIPPED, results, entry.name, how_to_install(entry.python), {})
    try:
        environment = ensure_environment(entry, found[1], resolution, envs, source)
    except InstallFailed as failure:
        return Outcome(schema.ENV_INSTALL_FAILED, results, entry.name, f"{failure.step} failed", {})
    stale = [results / schema.file_name(entry.name, kind), results / f"{entry.name}.{kind}.log"]
    if step == THROUGHPUT_STEP:
        stale.append(results / schema.pyperf_file_name(entry.name))
    for path in stale:
        path.unlink(missing_ok=True)
    if step == THROUGHPUT_STEP:
        seconds, failure, _ = run_throughput(environment.python, suite, entry.name, results, echo,
                                             process_environment(entry), step_arguments(entry))
    else:
        seconds, failure, _ = run_measurement(environment.python, module, kind, suite, entry.name,
                                              results, echo, process_environment(entry),
                                              step_arguments(entry))
    return Outcome(schema.ENV_OK if failure is None else schema.ENV_PROBE_CRASHED, results,
                   entry.name, failure or f"wrote {schema.file_name(entry.name, kind)}",
                   {step: seconds})


THROUGHPUT_STEP = "throughput"  # `--step throughput` reruns it like a measurement step
THROUGHPUT_TIMEOUT = 600  # seconds for the whole throughput step (it is designed for < 60 s)
MEASUREMENT_TIMEOUT = 600  # seconds for an initializers or seeding step (designed for < 30 s)


def run_step(command: list[str], log_path: Path, timeout: float, prefix: str,
             echo: Callable[[str], None],
             environment: dict | None = None) -> tuple[float, str | None, str | None]:
    """Run one step's process to its end: (seconds, failure or None, output tail on failure).

    Its output goes to `log_path`; the last line starting with `prefix` is echoed."""
    started = time.monotonic()
    environment = environment or dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          errors="replace", env=environment, start_new_session=True) as process:
        try:
            output, _ = process.communicate(timeout=timeout)
            failure = None if process.returncode == 0 else _describe_exit(process.returncode)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            output, _ = process.communicate()
            failure = f"still running after {timeout:.0f} s; killed"
        except BaseException:  # Ctrl-C on nox: the step runs in its own session, stop it too
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            raise
    log_path.write_text(output)
    summary = [line for line in output.splitlines() if line.startswith(prefix)]
    echo(summary[-1] if summary else f"{prefix} {failure}")
    return (time.monotonic() - started, failure,
            output[-schema.TAIL_CHARS:] if failure else None)


def step_arguments(entry: Entry) -> list[str]:
    """What a measurement step needs beyond suite, name and file: a Keras session without
    TensorFlow runs it on Keras alone, a framework session on its framework."""
    if entry.framework_name:
        return ["--framework", entry.framework_name]
    if entry.tensorflow == schema.NO_TENSORFLOW:
        return ["--framework", "keras"]
    return []


def step_not_applicable(entry: Entry, step: str) -> str | None:
    """Why a measurement step does not run for this entry (None: it runs). The initializers,
    seeding and propagation steps read TF/Keras; the porting step runs in framework sessions and in the TF
    environments tagged schema.PORTING_TAG (one tf.keras target is enough)."""
    if entry.framework_name and step in schema.TF_KERAS_STEPS:
        return f"the {step} step reads TensorFlow/Keras; {entry.framework_name} has the " \
               "framework probe"
    if step == schema.PORTING_STEP and not entry.framework_name and \
            schema.PORTING_TAG not in entry.tags:
        return f"the porting step runs in the framework sessions and where tagged " \
               f"{schema.PORTING_TAG!r}"
    return None


def run_measurement(python: Path, module: str, kind: str, suite: Path, name: str, results: Path,
                    echo: Callable[[str], None] = print, environment: dict | None = None,
                    arguments: list[str] = ()) -> tuple[float, str | None, str | None]:
    """One measurement step after a successful probe (schema.MEASUREMENT_STEPS): it writes
    NAME.<kind>.json itself; (seconds, failure or None, output tail on failure)."""
    out = results / schema.file_name(name, kind)
    command = [str(python), "-m", module, "--suite", str(suite), "--env-name", name,
               "--out", str(out), *arguments]
    seconds, failure, tail = run_step(command, results / f"{name}.{kind}.log", MEASUREMENT_TIMEOUT,
                                      f"initcompat {kind}:", echo, environment)
    if failure is None and not out.exists():
        failure = "exited 0 without writing its file"
    return seconds, failure and f"{kind} step {failure}", tail


def run_throughput(python: Path, suite: Path, name: str, results: Path,
                   echo: Callable[[str], None] = print, environment: dict | None = None,
                   arguments: list[str] = ()) -> tuple[float, str | None, str | None]:
    """Time initialization with pyperf (initcompat.probe.throughput) after a successful probe.

    The step writes NAME.pyperf.json and NAME.throughput.json itself; (seconds, failure or None,
    output tail on failure) for the outcome file.
    """
    command = [str(python), "-m", "initcompat.probe.throughput", "--suite", str(suite),
               "--env-name", name, "--out", str(results / schema.pyperf_file_name(name)),
               "--summary-out", str(results / schema.file_name(name, schema.KIND_THROUGHPUT)),
               *arguments]
    seconds, failure, tail = run_step(command, results / f"{name}.throughput.log",
                                      THROUGHPUT_TIMEOUT, schema.THROUGHPUT_PREFIX, echo,
                                      environment)
    return seconds, failure and f"throughput step {failure}", tail
