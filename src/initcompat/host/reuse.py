"""Reusing a step's result files when nothing the step depends on changed (issue 29).

A step's inputs are: the environment's installed packages (the lock its install record keeps)
and interpreter, the `env` block (name, versions, tags, resolution and the suite identity: file
and sha256), the probe-side code (every src/initcompat/probe/**/*.py and the probe side of
src/initcompat/measurements, hashed), the step's name and its extra arguments. Their sha256 is the step's `inputs` key, kept in the step's record of
NAME.outcome.json with `measured_at` (when its files were measured); a rerun whose key equals the
last run's, for a step that succeeded and whose files are all still there, keeps those files
and records `reused: true` with the old `measured_at`. `nox -- --fresh` or INITCOMPAT_FRESH=1
measures everything again. The runner is the only writer of the outcome file. Host side.
"""

from __future__ import annotations

import hashlib
import json
import os
from datetime import datetime, timezone
from pathlib import Path

from initcompat.measurements import registry
from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic

FRESH_VARIABLE = "INITCOMPAT_FRESH"
FRESH_ARGUMENT = "--fresh"
PROBE_STEP = "probe"
THROUGHPUT_STEP = "throughput"
# The files of each step of a run besides the runner's own (install and outcome files): every
# step of the registry.
STEP_KINDS = {m["name"]: m["kind"] for m in registry.MEASUREMENTS}


def fresh_requested(posargs: list[str], environ: dict | None = None) -> bool:
    """Whether the user asked to measure again: `-- --fresh` or INITCOMPAT_FRESH set to
    anything but "", "0", "no" or "false"."""
    value = (os.environ if environ is None else environ).get(FRESH_VARIABLE, "").strip().lower()
    return FRESH_ARGUMENT in posargs or value not in ("", "0", "no", "false")


def step_files(name: str, step: str) -> list[str]:
    """The file names a step of environment `name` leaves (its result files and its log)."""
    files = [schema.file_name(name, STEP_KINDS[step]), name + registry.by_name(step)["log_suffix"]]
    if step == THROUGHPUT_STEP:
        files.append(schema.pyperf_file_name(name))
    return files


def probe_side_files(source: Path) -> list[Path]:
    """Every .py file that runs inside the environments: all of source/initcompat/probe, and
    all of source/initcompat/measurements but each measurement's report side (its section/
    folder, registry.REPORT_SIDE_FOLDER), in path order."""
    package = Path(source) / "initcompat"
    measurements = package / "measurements"
    return sorted([*(package / "probe").rglob("*.py"), *(
        path for path in measurements.rglob("*.py")
        if registry.REPORT_SIDE_FOLDER not in path.relative_to(measurements).parts)])


def probe_code_hash(source: Path) -> str:
    """sha256 over the probe side's code (probe_side_files: each file's path relative to
    source/initcompat, and its bytes): any edit to code that runs in an environment changes it."""
    package = Path(source) / "initcompat"
    digest = hashlib.sha256()
    for path in probe_side_files(source):
        digest.update(path.relative_to(package).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()


def step_inputs(step: str, env: dict, install: dict, code_hash: str, arguments: list[str]) -> str:
    """The key of a step's inputs (sha256 hex): see the module docstring."""
    inputs = {"step": step, "env": env, "lock": install.get("lock"),
              "interpreter": install.get("interpreter"), "probe_code": code_hash,
              "arguments": list(arguments)}
    text = json.dumps(inputs, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def now() -> str:
    """The time a step is measured, as recorded in `measured_at` (UTC, to the second)."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def shown_date(measured_at: str | None) -> str:
    """'2026-12-02T14:20:05Z' -> '2026-12-02 14:20 UTC' (as printed and shown in the report)."""
    if not measured_at:
        return "an earlier run"
    text = str(measured_at)
    return f"{text[:10]} {text[11:16]} UTC" if len(text) >= 16 else text


def previous_outcome(results: Path, name: str) -> dict | None:
    """The outcome file the last run of `name` left, or None (absent, unreadable, not ours)."""
    try:
        document = json.loads((results / schema.file_name(name, schema.KIND_OUTCOME)).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(document, dict) or not isinstance(document.get("steps"), dict):
        return None
    return document


def last_seconds(previous: dict | None) -> dict[str, float]:
    """Each step's seconds in the last run (for the progress lines' estimates)."""
    seconds = {}
    for step, record in ((previous or {}).get("steps") or {}).items():
        value = record.get("seconds") if isinstance(record, dict) else None
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            seconds[step] = float(value)
    return seconds


def candidates(previous: dict | None) -> dict[str, dict]:
    """The steps of the last run that may be reused: it ended ok and they succeeded with a key."""
    if not previous or previous.get("status") != schema.ENV_OK:
        return {}
    return {step: record for step, record in previous["steps"].items()
            if step in STEP_KINDS and isinstance(record, dict)
            and record.get("status") == schema.STEP_OK and isinstance(record.get("inputs"), str)}


def candidate_files(previous: dict | None, name: str) -> set[str]:
    """The file names to keep while the environment is checked (those of every candidate)."""
    return {file for step in candidates(previous) for file in step_files(name, step)}


def reusable(previous: dict | None, keys: dict[str, str], results: Path,
             name: str) -> dict[str, dict]:
    """step -> its record to keep, for each step whose key is unchanged and whose result files
    are all there (a missing log is no reason to measure again)."""
    found = {}
    for step, record in candidates(previous).items():
        files = step_files(name, step)
        logs = [file for file in files if file.endswith(".log")]
        if keys.get(step) == record["inputs"] and all(
                (results / file).exists() for file in files if file not in logs):
            found[step] = record
    return found


def reused_record(record: dict) -> dict:
    """A kept step's record in this run's outcome: the last one's, marked reused."""
    return dict(record, reused=True)


def measured_record(record: dict, key: str, measured_at: str) -> dict:
    """A step measured in this run: its key and time, so that the next run may reuse it (only
    a step that succeeded; a failed one is measured again)."""
    if record.get("status") != schema.STEP_OK:
        return record
    return dict(record, inputs=key, measured_at=measured_at, reused=False)


def forget_step(results: Path, name: str, step: str) -> None:
    """After `--step STEP` replaced a step's files outside a full run, drop its key from the
    outcome file, so that no later run reuses them as the full run's."""
    previous = previous_outcome(results, name)
    record = (previous or {}).get("steps", {}).get(step)
    if isinstance(record, dict) and "inputs" in record:
        previous["steps"][step] = {key: value for key, value in record.items()
                                   if key not in ("inputs", "reused")}
        write_json_atomic(str(results / schema.file_name(name, schema.KIND_OUTCOME)), previous)
