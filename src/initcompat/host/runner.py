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
import time
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
from initcompat.host import timing_lock
# Re-exported: what other modules and tests import from the runner
from initcompat.host.entry_commands import (  # noqa: F401
    probe_command, process_environment, step_arguments, step_not_applicable)
from initcompat.host.outcome import Outcome
from initcompat.host.rerun import THROUGHPUT_STEP, rerun_step  # noqa: F401
from initcompat.host.side_by_side import (  # noqa: F401
    POLL_SECONDS, SIDE_BY_SIDE_ORDER, STEP_LANES_VARIABLE, StepCall, run_side_by_side, step_lanes)
from initcompat.host.step_process import describe_exit as _describe_exit
from initcompat.host.step_runs import (  # noqa: F401
    MEASUREMENT_TIMEOUT, THROUGHPUT_TIMEOUT, measurement_call, run_measurement, run_probe, run_step,
    run_throughput)
from initcompat.suite import load_checked, section_missing


def _env_block(entry: Entry, resolution: str, suite: dict | None = None) -> dict:
    return schema.environment_record(entry.name, entry.tensorflow, entry.python, entry.tags,
                                     resolution, entry.keras, entry.backend,
                                     entry.framework_name, entry.framework_version, suite=suite)


def clear_previous_run(results: Path, name: str, keep: set[str] = frozenset()) -> None:
    """Remove every file an earlier run of `name` left, so none passes for this run's; the
    files named in `keep` (a reused step's, initcompat.host.reuse) stay."""
    for file_name in schema.every_file_name(name):
        if file_name not in keep:
            (results / file_name).unlink(missing_ok=True)
    for stale in results.glob(f".{name}.*.tmp"):
        stale.unlink()  # left by a process killed inside its atomic write


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
        with timing_lock.shared(envs):
            progress.started("probe")
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
        commands[step] = timing_lock.holding_shared(envs, progress.call(step, measurement_call(
            environment.python, module, kind, suite, entry.name, results, echo, variables,
            step_arguments(entry), usage=usage[step]), usage[step]))
    for step, (seconds[step], failure, tail) in run_side_by_side(
            commands, step_lanes() if lanes is None else lanes, last).items():
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


