"""One matrix entry from start to its files: find Python, build the environment, run the probe.

A bad suite raises SuiteError (initcompat.suite) before anything is built or removed; after
that, every way this can go wrong ends in NAME.outcome.json (skipped, install-failed,
not-measured: a transient install fault, retried first; import-failed, probe-crashed,
probe-timeout) so the rest of the matrix and the report go on.
The measurement steps of one environment run side by side (run_side_by_side: they time
nothing), the throughput step alone after them. Each file of a run has one writer
(initcompat.probe.schema): the runner writes NAME.install.json
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
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from initcompat.host.environments import Environment, InstallFailed, ensure_environment
from initcompat.host.interpreters import find_interpreter, how_to_install
from initcompat.host.matrix import Entry
from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic
from initcompat.host.causes import last_cause
from initcompat.host import reuse as reuse_module
from initcompat.host.progress import Progress
from initcompat.host import step_process, timing_lock
from initcompat.host.step_process import describe_exit as _describe_exit
from initcompat.suite import load_checked, measured_by, section_missing


@dataclass(frozen=True)
class Outcome:
    """What run_entry did: the environment's status, where its files are, and step timings."""

    status: str
    folder: Path
    name: str
    message: str
    seconds: dict = field(default_factory=dict)
    cause: str | None = None  # the last line of what went wrong (console), None when nothing did
    reused: dict = field(default_factory=dict)  # step -> when its reused files were measured

    def path(self, kind: str) -> Path:
        """The file of `kind` (schema.KIND_*) this run wrote or would have written."""
        return self.folder / schema.file_name(self.name, kind)


def _env_block(entry: Entry, resolution: str, suite: dict | None = None) -> dict:
    return schema.environment_record(entry.name, entry.tensorflow, entry.python, entry.tags,
                                     resolution, entry.keras, entry.backend,
                                     entry.framework_name, entry.framework_version, suite=suite)


def process_environment(entry: Entry) -> dict:
    """The environment variables of every process of a run: unbuffered output, TF's C++ logs
    quiet, and a Keras session's backend (KERAS_BACKEND must be set before Keras is imported)."""
    environment = dict(os.environ, PYTHONUNBUFFERED="1", TF_CPP_MIN_LOG_LEVEL="2")
    if entry.backend:
        environment["KERAS_BACKEND"] = entry.backend
    return environment


def clear_previous_run(results: Path, name: str, keep: set[str] = frozenset()) -> None:
    """Remove every file an earlier run of `name` left, so none passes for this run's; the
    files named in `keep` (a reused step's, initcompat.host.reuse) stay."""
    for file_name in schema.every_file_name(name):
        if file_name not in keep:
            (results / file_name).unlink(missing_ok=True)
    for stale in results.glob(f".{name}.*.tmp"):
        stale.unlink()  # left by a process killed inside its atomic write


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


def run_entry(entry: Entry, **options) -> Outcome:
    """Everything for one environment; always leaves results/<name>.outcome.json behind.
    Options (keywords): resolution, suite, results, envs, source, timeout, throughput=True,
    measurements=True, lanes=None, echo=print, reuse=False.
    `resolution` is the matrix's; an entry with its own (a "today" variant) uses that.
    The measurement steps run `lanes` at a time (default: step_lanes()), the throughput
    step alone after them: across `nox -j` sessions too, the install, the probe and each
    measurement step hold the timing lock (host.timing_lock) shared while they run, the
    throughput step exclusive; so a throughput step waits for the steps running when it asks,
    not for other sessions' whole runs, and no step starts while it waits or times.
    A bad suite raises SuiteError before anything is touched.
    With `reuse`, a step whose inputs equal the last run's keeps its files (host.reuse)."""
    return _run_entry(entry, **options)


def _run_entry(entry: Entry, *, resolution: str, suite: Path, results: Path, envs: Path,
               source: Path, timeout: float, throughput: bool = True, measurements: bool = True,
               lanes: int | None = None, echo: Callable[[str], None] = print,
               reuse: bool = False) -> Outcome:
    suite_document, identity = load_checked(suite)
    resolution = entry.resolved(resolution)
    results.mkdir(parents=True, exist_ok=True)
    previous = reuse_module.previous_outcome(results, entry.name)
    last = reuse_module.last_seconds(previous)  # the progress lines' estimates
    previous = previous if reuse else None
    clear_previous_run(results, entry.name, reuse_module.candidate_files(previous, entry.name))
    env = _env_block(entry, resolution, identity)
    steps: dict[str, dict] = {}
    seconds: dict[str, float] = {}
    usage: dict[str, dict] = {step: {} for step in reuse_module.STEP_KINDS}  # cpu_seconds
    reused: dict[str, str] = {}
    run_started = time.monotonic()
    progress = Progress(entry.name, last, run_started, echo)

    def finish(status: str, reason: str | None, tail: str | None = None,
               cause: str | None = None) -> Outcome:
        write_json_atomic(str(results / schema.file_name(entry.name, schema.KIND_OUTCOME)),
                          schema.outcome_record(env, status, reason, steps, tail))
        return Outcome(status, results, entry.name, reason or "wrote result", seconds, cause,
                       reused)

    found = find_interpreter(entry.python)
    if found is None:
        clear_previous_run(results, entry.name)
        message = how_to_install(entry.python)
        steps["install"] = schema.step_record(schema.STEP_SKIPPED, message)
        return finish(schema.ENV_SKIPPED, f"skipped: no Python {entry.python}. {message}")
    origin, interpreter = found
    echo(f"{entry.name}: Python {entry.python} from {origin} ({interpreter})")
    install_started = time.monotonic()
    try:
        with timing_lock.shared(envs):
            environment: Environment = ensure_environment(entry, interpreter, resolution, envs,
                                                          source)
    except InstallFailed as failure:
        clear_previous_run(results, entry.name)
        seconds["install"] = time.monotonic() - install_started
        steps["install"] = schema.step_record(schema.STEP_FAILED,
                                              f"{failure.step} failed: {failure.cause}",
                                              seconds["install"], failure.tail)
        if failure.transient:  # not a fact about the release: measured another time
            return finish(schema.ENV_NOT_MEASURED, failure.transient, failure.tail,
                          failure.transient)
        return finish(schema.ENV_INSTALL_FAILED, f"{failure.step} failed: {failure.cause}",
                      failure.tail, failure.cause)
    seconds["install"] = time.monotonic() - install_started
    echo(f"{entry.name}: environment {'reused' if environment.reused else 'installed'} "
         f"in {seconds['install']:.1f} s ({environment.path})")
    steps["install"] = schema.step_record(
        schema.STEP_OK, "reused" if environment.reused else "installed", seconds["install"])
    code = reuse_module.probe_code_hash(source)
    keys = {step: reuse_module.step_inputs(step, env, environment.record, code,
                                           step_arguments(entry))
            for step in reuse_module.STEP_KINDS}
    kept = reuse_module.reusable(previous, keys, results, entry.name)
    clear_previous_run(results, entry.name,
                       {file for step in kept for file in reuse_module.step_files(entry.name, step)})
    measured_at = reuse_module.now()

    def record(step: str, step_seconds: float, failure: str | None, tail: str | None = None) -> None:
        steps[step] = reuse_module.measured_record(
            schema.step_record(schema.STEP_FAILED if failure else schema.STEP_OK, failure,
                               step_seconds, tail, usage[step].get("cpu_seconds")),
            keys[step], measured_at)

    def keep(step: str) -> bool:
        if step not in kept:
            return False
        steps[step] = reuse_module.reused_record(kept[step])
        reused[step] = kept[step].get("measured_at")
        progress.reused(step, reused[step])
        return True

    write_json_atomic(str(results / schema.file_name(entry.name, schema.KIND_INSTALL)),
                      schema.install_record(env, dict(environment.record, reused=environment.reused,
                                                      seconds_this_run=round(seconds["install"], 2))))
    result_path = results / schema.file_name(entry.name, schema.KIND_RESULT)
    module, arguments = probe_command(entry, suite, result_path, resolution)
    variables = process_environment(entry)
    if keep("probe"):
        returncode, tail = 0, ""
    else:
        progress.started("probe")
        with timing_lock.shared(envs):
            returncode, tail, seconds["probe_process"] = run_probe(
                environment.python, arguments, timeout, results / f"{entry.name}.log", echo,
                variables, module, usage["probe"])
        progress.finished("probe", seconds["probe_process"], returncode != 0,
                          usage["probe"].get("cpu_seconds"))
    if returncode is None:
        reason = f"probe still running after {timeout:.0f} s; killed"
        steps["probe"] = schema.step_record(schema.STEP_FAILED, reason, seconds["probe_process"], tail,
                                            usage["probe"].get("cpu_seconds"))
        return finish(schema.ENV_PROBE_TIMEOUT, reason, tail, last_cause(tail))
    if returncode != 0 or not result_path.exists():
        framework = "Keras" if entry.keras and entry.tensorflow == schema.NO_TENSORFLOW \
            else entry.framework_name or "TensorFlow"
        status = schema.ENV_PROBE_CRASHED if any(m in tail for m in schema.IMPORTED_MARKERS) \
            else schema.ENV_IMPORT_FAILED
        reason = f"probe {_describe_exit(returncode)} " + (
            f"after importing {framework}" if status == schema.ENV_PROBE_CRASHED
            else f"before {framework} finished importing")
        steps["probe"] = schema.step_record(schema.STEP_FAILED, reason, seconds["probe_process"], tail,
                                            usage["probe"].get("cpu_seconds"))
        return finish(status, reason, tail, last_cause(tail))
    probed = json.loads(result_path.read_text())  # read only: the probe's status decides what follows
    if "probe" not in kept:
        record("probe", seconds["probe_process"], None)
    if probed.get("status") != schema.ENV_OK:
        return finish(probed.get("status", schema.ENV_PROBE_CRASHED), probed.get("reason"),
                      cause=last_cause(probed.get("log_tail")) or probed.get("reason"))
    commands = {}
    for step, module, kind in schema.MEASUREMENT_STEPS:
        if not measurements:
            steps[step] = schema.step_record(schema.STEP_SKIPPED, "measurement steps switched off")
            continue
        not_here = step_not_applicable(entry, step) or section_missing(suite_document, suite, step)
        if not_here:
            steps[step] = schema.step_record(schema.STEP_SKIPPED, not_here)
            continue
        if keep(step):
            continue
        commands[step] = progress.call(step, timing_lock.holding_shared(envs, measurement_call(
            environment.python, module, kind, suite, entry.name, results, echo, variables,
            step_arguments(entry), usage=usage[step])), usage[step])
    for step, (seconds[step], failure, tail) in run_side_by_side(
            commands, step_lanes() if lanes is None else lanes).items():
        record(step, seconds[step], failure, tail)
    if throughput and not keep("throughput"):
        with timing_lock.exclusive(envs):  # nothing else of any session runs while it times
            progress.started("throughput")
            seconds["throughput"], failure, tail = run_throughput(
                environment.python, suite, entry.name, results, echo, variables,
                step_arguments(entry), usage["throughput"])
        progress.finished("throughput", seconds["throughput"], failure,
                          usage["throughput"].get("cpu_seconds"))
        record("throughput", seconds["throughput"], failure, tail)
    elif not throughput:
        steps["throughput"] = schema.step_record(schema.STEP_SKIPPED, "throughput switched off")
    return finish(schema.ENV_OK, None)


def probe_command(entry: Entry, suite: Path, out: Path, resolution: str,
                  name: str | None = None) -> tuple[str, list[str]]:
    """(module, arguments) of the probe step of `entry`, writing `out` as environment `name`
    (default: the entry's; a crossed environment, host.crossed, names its own)."""
    arguments = ["--suite", str(suite), "--out", str(out), "--env-name", name or entry.name,
                 "--requested-tensorflow", entry.tensorflow, "--requested-python", entry.python,
                 "--tags", ",".join(entry.tags), "--resolution", resolution]
    if entry.keras:
        arguments += ["--requested-keras", entry.keras, "--keras-backend", entry.backend]
    module = "initcompat.probe"
    if entry.framework_name:
        module = "initcompat.probe.frameworks"
        arguments += ["--framework", entry.framework_name,
                      "--requested-version", entry.framework_version]
    return module, arguments


def rerun_step(entry: Entry, step: str, *, resolution: str, suite: Path, results: Path,
               envs: Path, source: Path, echo: Callable[[str], None] = print) -> Outcome:
    """Run one measurement step again on an environment whose last probe succeeded (after
    changing that step's code or suite section): only the step's own file and log are replaced;
    the result, install and outcome files of the last full run stay as they are. The suite must
    be the one that run measured (ValueError otherwise: one environment, one suite)."""
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
    suite_document, identity = load_checked(suite)  # before anything is built or removed
    measured = measured_by(probed)
    if measured is not None and measured["sha256"] != identity["sha256"]:
        raise ValueError(f"{probed_path} measured the suite {measured['file']} "
                         f"(sha256 {measured['sha256'][:12]}), not {suite.name} "
                         f"(sha256 {identity['sha256'][:12]}): rerun the whole session to "
                         "measure another suite")
    missing = section_missing(suite_document, suite, step)
    if missing is not None:
        return Outcome(schema.ENV_SKIPPED, results, entry.name, missing, {})
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
    reuse_module.forget_step(results, entry.name, step)
    if step == THROUGHPUT_STEP:
        with timing_lock.exclusive(envs):
            seconds, failure, _ = run_throughput(environment.python, suite, entry.name, results,
                                                 echo, process_environment(entry),
                                                 step_arguments(entry))
    else:
        with timing_lock.shared(envs):
            seconds, failure, _ = run_measurement(environment.python, module, kind, suite,
                                                  entry.name, results, echo,
                                                  process_environment(entry),
                                                  step_arguments(entry))
    return Outcome(schema.ENV_OK if failure is None else schema.ENV_PROBE_CRASHED, results,
                   entry.name, failure or f"wrote {schema.file_name(entry.name, kind)}",
                   {step: seconds})


THROUGHPUT_STEP = "throughput"  # `--step throughput` reruns it like a measurement step
THROUGHPUT_TIMEOUT = 600  # seconds for the whole throughput step (it is designed for < 60 s)
MEASUREMENT_TIMEOUT = 600  # seconds for an initializers or seeding step (designed for < 30 s)


# Measurement steps in the order they start when they run side by side: the longest first, so
# that the others share the remaining lanes (warm default selection on 2 cores, 2026-12-02:
# propagation 20-58 s, initializers 3.5-12 s, porting 8.5 s, seeding 1.3-5.8 s).
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


def run_side_by_side(calls: dict[str, StepCall], lanes: int) -> dict[str, tuple]:
    """Run step calls (each `call(started)` runs one process to its end via run_step and returns
    its (seconds, failure, tail)) at most `lanes` at a time, in SIDE_BY_SIDE_ORDER; their
    results keyed as `calls` is. On Ctrl-C every step process is killed (each runs in its own
    session, so the terminal's SIGINT does not reach it), and none starts after."""
    order = sorted(calls, key=lambda step: (SIDE_BY_SIDE_ORDER.index(step)
                                            if step in SIDE_BY_SIDE_ORDER else len(SIDE_BY_SIDE_ORDER)))
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
                                      environment, usage=usage)
    return seconds, failure and f"throughput step {failure}", tail
