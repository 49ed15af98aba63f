"""`nox -s NAME -- --step STEP`: one measurement step (or the throughput step) again on an
environment whose last probe succeeded, replacing only that step's file and log. Host side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from initcompat.host import reuse as reuse_module
from initcompat.host import timing_lock
from initcompat.host.entry_commands import process_environment, step_arguments, step_not_applicable
from initcompat.host.environments import InstallFailed, ensure_environment
from initcompat.host.interpreters import find_interpreter, how_to_install
from initcompat.host.matrix import Entry
from initcompat.host.outcome import Outcome
from initcompat.host.step_runs import run_measurement, run_throughput
from initcompat.measurements import registry
from initcompat.probe import schema
from initcompat.suite import load_checked, measured_by, section_missing

THROUGHPUT_STEP = "throughput"  # `--step throughput` reruns it like a measurement step


def rerun_step(entry: Entry, step: str, *, resolution: str, suite: Path, results: Path,
               envs: Path, source: Path, echo: Callable[[str], None] = print) -> Outcome:
    """Run one measurement step again on an environment whose last probe succeeded (after
    changing that step's code or suite section): only the step's own file and log are replaced;
    the result, install and outcome files of the last full run stay as they are. The suite must
    be the one that run measured (ValueError otherwise: one environment, one suite)."""
    resolution = entry.resolved(resolution)
    known = {name: (module, kind) for name, module, kind in schema.MEASUREMENT_STEPS}
    known[THROUGHPUT_STEP] = (registry.by_name(THROUGHPUT_STEP)["module"], schema.KIND_THROUGHPUT)
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
