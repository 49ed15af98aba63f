"""Attribution runs (issue 31): which package's move between two environments moved the weights.

Between two environments of a line several packages move at once (the framework, its Keras,
jax/jaxlib, numpy...). For a change between `older` and `newer`, each candidate (an interesting
package that moved, report/locks.py; jax and jaxlib as one) gets a crossed environment: the
older environment's resolved lock with that candidate pinned at the newer version, installed by
one resolve (`uv pip install -r`, every package pinned), so that the resolver refuses a
combination the releases do not allow (tensorflow 2.15 requires keras < 2.16: "could not
isolate: ..." with its line). In it only the measurement step that showed the change runs
(the seeding step, or the probe step whose cells hold the seeded draws), and its draws'
fingerprints are written to results/NAME.crossed.json (report/crossed_file.py, its one writer
here); report/causes.py compares them with both ends' draws.

Crossed environments live in .nox/crossed/NAME, reused while their pinned requirements and
Python are unchanged (like any environment, host/environments.py); a crossed file whose inputs
(requirements, Python, step, suite, probe code) are unchanged is kept (`--fresh` measures
again). `nox -t causes` runs the attributions of CAUSES, one session each. Host side; stdlib.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from initcompat.host import environments, runner
from initcompat.host import reuse as reuse_module
from initcompat.host.causes import last_cause
from initcompat.host.environments import InstallFailed
from initcompat.host.interpreters import find_interpreter, how_to_install
from initcompat.host.matrix import Entry
from initcompat.measurements import registry
from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic
from initcompat.report import crossed_file
from initcompat.report.locks import candidate_groups, lock_diff, parse_lock
from initcompat.suite import load_checked

CAUSES_TAG = "causes"
# (older, newer, the steps that showed the change): the changes issue 31 names. Keras 3.8 -> 3.9
# on JAX changed the seeded streams (the seeding step's records and the probe's seeded weights);
# TF 2.16 -> its today variant and TF 2.15 -> 2.16 changed drawn distributions and seeded
# weights (the probe step's cells).
CAUSES = (("keras-3.8-jax", "keras-3.9-jax", ("seeding", "probe")),
          ("tf-2.16", "tf-2.16-today", ("probe",)),
          ("tf-2.15", "tf-2.16", ("probe",)))
LAYOUT = 1  # bump when this module changes how a crossed environment is built


@dataclass(frozen=True)
class Attempt:
    """One crossed run: its name, the file it left, what it said, and whether it was reused."""

    name: str
    path: Path
    status: str
    reason: str | None
    seconds: dict
    reused: bool
    group: tuple = ()
    step: str = ""
    back: bool = False  # the newer lock with the group moved back (what pinning it keeps)


def session_name(older: str, newer: str) -> str:
    """The nox session of an attribution: 'causes-keras-3.8-jax..keras-3.9-jax'."""
    return f"causes-{older}..{newer}"


def read_lock(results: Path, name: str) -> list[str] | None:
    """The lock an environment's install file recorded, or None (not built, unreadable)."""
    try:
        document = json.loads((results / schema.file_name(name, schema.KIND_INSTALL)).read_text())
    except (OSError, ValueError):
        return None
    lock = document.get("lock") if isinstance(document, dict) else None
    return lock if isinstance(lock, list) and all(isinstance(line, str) for line in lock) else None


def pinned_requirements(older_lock: list[str], newer_lock: list[str],
                        group: tuple[str, ...]) -> tuple[list[str], list[tuple]]:
    """The older lock with the group's packages at the newer lock's versions, every line
    'name==version'; and the moves [(name, older, newer)]."""
    old, new = parse_lock(older_lock), parse_lock(newer_lock)
    moved = [(name, old.get(name), new.get(name)) for name in group]
    pins = dict(old)
    for name, _, version in moved:
        if version is None:
            pins.pop(name, None)
        else:
            pins[name] = version
    return [f"{name}=={version}" for name, version in sorted(pins.items())], moved


def inputs_key(requirements: list[str], python: str, step: str, suite_sha: str,
               code_hash: str) -> str:
    """sha256 of everything that decides a crossed run's file."""
    text = json.dumps({"requirements": requirements, "python": python, "step": step,
                       "suite": suite_sha, "probe_code": code_hash, "layout": LAYOUT},
                      sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _previous(path: Path, key: str) -> dict | None:
    """The crossed file of an earlier run with the same inputs that measured or was refused."""
    try:
        document = json.loads(path.read_text())
        crossed_file.validate_crossed(document)
    except (OSError, ValueError):
        return None
    if document["inputs"] == key and document["status"] in (crossed_file.MEASURED,
                                                            crossed_file.REFUSED):
        return document
    return None


def build(path: Path, interpreter: str, requirements: list[str], key: str,
          source: Path) -> tuple[Path, list[str], float]:
    """Create (or reuse) the crossed environment at `path`: (python, its lock, the seconds its
    install took when it was built).
    InstallFailed when the resolver refuses or the installer fails."""
    python = path / "bin" / "python"
    marker = path / environments.MARKER
    try:
        record = json.loads(marker.read_text())
    except (OSError, ValueError):
        record = None
    if record and record.get("install_key") == key and python.exists():
        environments._link_probe(environments._site_packages(python), source)
        return python, record["lock"], float(record.get("install_seconds") or 0.0)
    started = time.monotonic()
    if path.exists():
        shutil.rmtree(path)
    path.mkdir(parents=True)
    uv = shutil.which("uv")
    if uv is None:
        raise InstallFailed("find uv", "attribution runs need uv on PATH (one pinned resolve)",
                            transient="uv not found")
    requirements_file = path.parent / f"{path.name}.requirements.txt"
    requirements_file.write_text("\n".join(requirements) + "\n")
    environments._run([uv, "venv", "--quiet", "--python", interpreter, str(path)],
                      "create environment")
    environments._run([uv, "pip", "install", "--quiet", "--python", str(python), "-r",
                       str(requirements_file)], "install the crossed lock",
                      retries=environments.install_retries())
    freeze = environments._run([uv, "pip", "freeze", "--python", str(python)], "freeze")
    lock = sorted(line for line in freeze.splitlines() if line and not line.startswith("#"))
    site_packages = environments._site_packages(python)
    environments._compile_bytecode(python, site_packages)
    environments._link_probe(site_packages, source)
    seconds = round(time.monotonic() - started, 2)
    marker.write_text(json.dumps({"install_key": key, "lock": lock, "install_seconds": seconds},
                                 indent=1) + "\n")
    return python, lock, seconds


def run_step(entry: Entry, step: str, python: Path, name: str, suite: Path, resolution: str,
             work: Path, echo: Callable[[str], None]) -> tuple[float, str | None, dict | None]:
    """The one measurement step in a crossed environment, its file in `work`: (seconds,
    failure or None, the step's document)."""
    variables = runner.process_environment(entry)
    if step == "seeding":
        out = work / schema.file_name(name, schema.KIND_SEEDING)
        seconds, failure, _ = runner.run_measurement(
            python, registry.by_name("seeding")["module"], schema.KIND_SEEDING, suite, name, work,
            echo, variables, runner.step_arguments(entry))
    else:
        out = work / schema.file_name(name, schema.KIND_RESULT)
        module, arguments = runner.probe_command(entry, suite, out, resolution, name)
        returncode, tail, seconds = runner.run_probe(python, arguments, runner.MEASUREMENT_TIMEOUT,
                                                     work / f"{name}.log", echo, variables, module)
        failure = None if returncode == 0 and out.exists() else (
            "probe still running; killed" if returncode is None else
            f"probe exit status {returncode}: {last_cause(tail) or 'no output'}")
    try:
        document = json.loads(out.read_text()) if failure is None else None
    except (OSError, ValueError):
        document, failure = None, f"the {step} step wrote no readable file"
    return seconds, failure, document


def attribute(older: Entry, newer: Entry, steps: tuple[str, ...], *, resolution: str, suite: Path,
              results: Path, envs: Path, source: Path, fresh: bool = False,
              echo: Callable[[str], None] = print,
              only: list[tuple[str, ...]] | None = None, back: bool = True) -> list[Attempt]:
    """Every crossed run of one change: one per candidate group that moved between the two
    environments' locks and step (the environment is built once); `only`: just these groups
    (those of them that moved). With `back`, a group whose runs draw the newer end's bytes on
    every step is also moved back in the newer lock: whether pinning it keeps the older draws
    there. ValueError (one line) when a step is unknown or an end's lock is missing."""
    for step in steps:
        if step not in crossed_file.STEPS:
            raise ValueError(f"unknown step {step!r} (known: {', '.join(crossed_file.STEPS)})")
    locks = {entry.name: read_lock(results, entry.name) for entry in (older, newer)}
    for name, lock in locks.items():
        if lock is None:
            raise ValueError(f"no lock in {results / schema.file_name(name, schema.KIND_INSTALL)}: "
                             f"run `nox -s {name}` first")
    groups = candidate_groups(lock_diff(locks[older.name], locks[newer.name]))
    if only is not None:
        groups = [group for group in groups if group in only]
    if not groups:
        echo(f"{older.name} -> {newer.name}: no framework, Keras, RNG or numeric package moved")
        return []
    interpreters = {}
    for entry in (older, newer):
        found = find_interpreter(entry.python)
        if found is None:
            raise ValueError(how_to_install(entry.python))
        interpreters[entry.name] = found[1]
    _, identity = load_checked(suite)
    code_hash = reuse_module.probe_code_hash(source)
    resolution = older.resolved(resolution)
    attempts = []
    for group in groups:
        for step in steps:
            attempts.append(_attempt(older, newer, step, group, locks, interpreters, identity,
                                     code_hash, resolution, suite, results, envs, source, fresh,
                                     echo))
    ends = {step: [end_draws(results, entry.name, step) for entry in (older, newer)]
            for step in steps}
    for group in groups if back else []:
        mine = [attempt for attempt in attempts if attempt.group == group]
        if mine and all(_reproduces(attempt, *ends[attempt.step]) for attempt in mine):
            for step in steps:
                attempts.append(_attempt(older, newer, step, group, locks, interpreters,
                                         identity, code_hash, newer.resolved(resolution), suite,
                                         results, envs, source, fresh, echo, back=True))
    return attempts


def end_draws(results: Path, name: str, step: str) -> dict[str, str]:
    """The draws an end's file of `step` holds (its seeding file, or its probe result)."""
    kind = schema.KIND_SEEDING if step == "seeding" else schema.KIND_RESULT
    try:
        document = json.loads((results / schema.file_name(name, kind)).read_text())
    except (OSError, ValueError):
        return {}
    return crossed_file.draw_fingerprints(document, step)


def _reproduces(attempt: Attempt, older: dict, newer: dict) -> bool:
    """Whether a run drew the newer end's bytes for every draw that changed (and one did)."""
    if attempt.status != crossed_file.MEASURED:
        return False
    try:
        draws = json.loads(attempt.path.read_text())["draws"]
    except (OSError, ValueError, KeyError):
        return False
    counts = crossed_file.compare_draws(draws, older, newer)
    return 0 < counts["changed"] == counts["as_newer"]


def _attempt(older, newer, step, group, locks, interpreters, identity, code_hash, resolution,
             suite, results, envs, source, fresh, echo, back: bool = False) -> Attempt:
    base, other = (newer, older) if back else (older, newer)
    name = crossed_file.crossed_name(base.name, group, back)
    path = results / crossed_file.file_name(name, step)
    requirements, moved = pinned_requirements(locks[base.name], locks[other.name], group)
    if back:  # recorded as every move is: (name, older version, newer version)
        moved = [(package, old, new) for package, new, old in moved]
    interpreter = interpreters[base.name]
    base_side = "newer" if back else "older"
    key = inputs_key(requirements, base.python, step, identity["sha256"], code_hash)
    previous = None if fresh else _previous(path, key)
    if previous is not None:
        echo(f"{name} ({step}): {previous['status']} (reused, measured "
             f"{reuse_module.shown_date(previous['measured_at'])})")
        return Attempt(name, path, previous["status"], previous["reason"], previous["seconds"],
                       True, group, step, back)
    measured_at = reuse_module.now()
    seconds: dict[str, float] = {}
    started = time.monotonic()
    echo(f"{name}: {base.name}'s lock with " + ", ".join(
        f"{n} {b} -> {a}" if back else f"{n} {a} -> {b}" for n, a, b in moved))
    environment_key = hashlib.sha256(json.dumps([requirements, interpreter]).encode()).hexdigest()
    try:
        python, lock, seconds["built_in"] = build(envs / "crossed" / name, interpreter,
                                                  requirements, environment_key, source)
    except InstallFailed as failure:
        seconds["install"] = round(time.monotonic() - started, 2)
        status = crossed_file.FAILED if failure.transient else crossed_file.REFUSED
        reason = failure.transient or f"could not isolate: {failure.cause}"
        echo(f"{name}: {reason}")
        write_json_atomic(str(path), crossed_file.crossed_record(
            name, older.name, newer.name, step, moved, status, reason, [], {}, seconds, key,
            measured_at, base_side))
        return Attempt(name, path, status, reason, seconds, False, group, step, back)
    seconds["install"] = round(time.monotonic() - started, 2)
    work = envs / "crossed" / f"{name}.out"
    work.mkdir(parents=True, exist_ok=True)
    seconds["step"], failure, document = run_step(base, step, python, name, suite, resolution,
                                                  work, echo)
    seconds["step"] = round(seconds["step"], 2)
    status = crossed_file.FAILED if failure else crossed_file.MEASURED
    draws = crossed_file.draw_fingerprints(document, step)
    write_json_atomic(str(path), crossed_file.crossed_record(
        name, older.name, newer.name, step, moved, status, failure, lock, draws, seconds, key,
        measured_at, base_side))
    echo(f"{name} ({step}): {status}" + (f": {failure}" if failure else f", {len(draws)} draws")
         + f" (install {seconds['install']:.1f} s, {step} {seconds['step']:.1f} s)")
    return Attempt(name, path, status, failure, seconds, False, group, step, back)
