"""Running the check's fix runs in a target environment (initcompat.check --verify, issue 28),
never twice for the same inputs.

The environment is the matrix entry's, under ENVS/NAME (.nox/NAME: the one `nox -s NAME`
builds and probes); where it is missing it is built with the runner's own installer
(environments.ensure_environment: the same packages, date cut and interpreter), which also
points its initcompat.probe at this checkout's code. A run's key (check/plan.run_key) covers the
run, the environment's name, lock and interpreter, the TF_USE_LEGACY_KERAS setting, the probe
code (reuse.probe_code_hash) and the suite; its file is RESULTS/NAME.fix-KEY.json
(schema.fix_file_name), written by the probe's fix_runs module, the only writer. A file of the
wanted key that loads (validated like every result file) is kept and nothing is run; the
missing ones are run together in one process per environment and legacy setting, holding the
timing lock shared like every probe step (a throughput step in progress is not disturbed).
Host side.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

from initcompat.check import plan as plan_module
from initcompat.host import environments, reuse, runner, timing_lock
from initcompat.host.interpreters import find_interpreter, how_to_install
from initcompat.host.matrix import Matrix, MatrixError
from initcompat.probe import schema
from initcompat.report.load import parse_documents

RUN_TIMEOUT = 900.0  # seconds for one process of fix runs (a TF import and a few layers)


class NotRunnable(Exception):
    """Why an environment's fixes cannot be run here: one line."""


@dataclass
class Ran:
    """What one environment's fix runs came to."""

    bodies: dict = field(default_factory=dict)  # key -> the file's body (run, status, cells...)
    files: dict = field(default_factory=dict)  # key -> the file's path
    problems: dict = field(default_factory=dict)  # key -> why no file came back
    reused: int = 0
    ran: int = 0
    seconds: float = 0.0  # the fix-runs process, when one ran
    built: str | None = None  # "installed in 12.3 s" when the environment was built


def environment(matrix: Matrix, name: str, envs: Path, source: Path, build: bool,
                echo=print) -> tuple[environments.Environment | None, str | None]:
    """(the environment, how it was had) or NotRunnable. Built only when `build`."""
    try:
        entry = matrix.entry(name)
    except MatrixError as error:
        raise NotRunnable(str(error)) from None
    if entry.framework_name or (entry.keras and entry.tensorflow == schema.NO_TENSORFLOW):
        raise NotRunnable(f"{name} has no TensorFlow: fixes run in TensorFlow environments")
    python = envs / name / "bin" / "python"
    if not python.exists() and not build:
        raise NotRunnable(f"no environment {envs / name}: build it with `nox -s {name}` or run "
                          "the check with --verify")
    found = find_interpreter(entry.python)
    if found is None:
        raise NotRunnable(how_to_install(entry.python))
    if not python.exists():
        echo(f"initcompat check: building {name} in {envs / name} (the runner's installer)")
    started = time.monotonic()
    try:
        with timing_lock.shared(envs):
            built = environments.ensure_environment(entry, found[1],
                                                    entry.resolved(matrix.resolution), envs,
                                                    source)
    except environments.InstallFailed as failure:
        raise NotRunnable(f"{name}: {failure.step} failed: "
                          f"{str(failure.cause).splitlines()[-1][:200]}") from None
    how = None if built.reused else f"installed in {time.monotonic() - started:.1f} s"
    return built, how


def inputs(name: str, built: environments.Environment, legacy_keras: bool, code_hash: str,
           suite: dict) -> dict:
    """What besides the run decides its draws (plan.run_key's `inputs`)."""
    return {"env": name, "lock": built.record.get("lock"),
            "interpreter": built.record.get("interpreter"), "legacy_keras": legacy_keras,
            "probe_code": code_hash, "suite": suite.get("sha256")}


def load_run(path: Path, key: str) -> dict | None:
    """The body of a fix run's file with that key, or None (absent, invalid, another key)."""
    try:
        documents = parse_documents(path.read_bytes().decode("utf-8"))
    except (OSError, ValueError, UnicodeDecodeError, RecursionError):
        return None
    document = documents[0] if len(documents) == 1 else None
    if document is None or document.get("kind") != schema.KIND_FIX or \
            document["run"].get("key") != key:
        return None
    return {k: v for k, v in document.items() if k not in ("schema_version", "kind")}


def run_plans(name: str, python: Path, runs: dict[bool, list[dict]], suite_path: Path,
              results: Path, envs: Path, variables: dict, outcome: Ran) -> None:
    """Run every not yet run run of `runs` (legacy setting -> keyed runs), one process each."""
    for legacy_keras, keyed in runs.items():
        missing = []
        for run in keyed:
            path = results / schema.fix_file_name(name, run["key"])
            body = load_run(path, run["key"])
            if body is not None:
                outcome.bodies[run["key"]], outcome.files[run["key"]] = body, path
                outcome.reused += 1
            elif run not in missing:
                missing.append(run)
        if not missing:
            continue
        results.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix="initcompat-fix-plan-") as folder:
            plan_path = Path(folder) / "plan.json"
            plan_path.write_text(json.dumps(plan_module.plan_document(missing, legacy_keras)))
            command = [str(python), "-m", "initcompat.probe.fix_runs", "--plan", str(plan_path),
                       "--suite", str(suite_path), "--env-name", name, "--out-dir", str(results)]
            started = time.monotonic()
            try:
                with timing_lock.shared(envs):
                    completed = subprocess.run(command, capture_output=True, text=True,
                                               timeout=RUN_TIMEOUT, env=variables)
                tail = (completed.stderr or "").strip().splitlines()
                problem = tail[-1] if completed.returncode != 0 and tail else \
                    f"exit status {completed.returncode}"
            except subprocess.TimeoutExpired:
                problem = f"still running after {RUN_TIMEOUT:.0f} s; killed"
            except OSError as error:
                problem = f"{python}: {error.strerror}"
            outcome.seconds += time.monotonic() - started
        for run in missing:
            path = results / schema.fix_file_name(name, run["key"])
            body = load_run(path, run["key"])
            if body is None:
                outcome.problems[run["key"]] = f"the fix run left no file in {name} ({problem})"
            else:
                outcome.bodies[run["key"]], outcome.files[run["key"]] = body, path
                outcome.ran += 1
        forget_replaced(results, name, [run for run in missing if run["key"] in outcome.bodies])


def forget_replaced(results: Path, name: str, runs: list[dict]) -> None:
    """Remove the files of `name` that drew the same runs under other inputs (an older lock or
    probe code): the new file replaces each, and the report never reads two of one run."""
    wanted = {json.dumps(dict(run, key=None), sort_keys=True): run["key"] for run in runs}
    for path in results.glob(f"{name}.fix-*.json"):
        try:
            run = json.loads(path.read_text())["run"]
            same = json.dumps(dict(run, key=None), sort_keys=True)
        except (OSError, ValueError, KeyError, TypeError):
            continue  # not ours to judge: the loader says what is wrong with it
        if same in wanted and run.get("key") != wanted[same]:
            path.unlink()


def run_for_environment(matrix: Matrix, name: str, recipes: list[dict], *, results: Path,
                        envs: Path, source: Path, suite_path: Path, build: bool = True,
                        echo=print) -> tuple[Ran, dict[int, str]]:
    """Every recipe's run in environment `name`: (what ran, recipe index -> its key), or
    NotRunnable."""
    built, how = environment(matrix, name, envs, source, build, echo)
    suite = schema.read_suite_identity(suite_path)
    if suite is None:
        raise NotRunnable(f"{suite_path}: cannot be read as a suite")
    code_hash = reuse.probe_code_hash(source)
    keyed: dict[bool, list[dict]] = {}
    keys = {}
    for index, recipe in enumerate(recipes):
        legacy = bool(recipe.get("legacy_keras"))
        run = plan_module.keyed_run(recipe, inputs(name, built, legacy, code_hash, suite))
        keyed.setdefault(legacy, []).append(run)
        keys[index] = run["key"]
    outcome = Ran(built=how)
    variables = runner.process_environment(matrix.entry(name))
    run_plans(name, built.python, keyed, suite_path, results, envs, variables, outcome)
    return outcome, keys
