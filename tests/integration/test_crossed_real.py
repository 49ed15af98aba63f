"""An attribution run for real (issue 31): two Keras 3 releases on the NumPy backend (small
wheels: no TensorFlow, no jaxlib), each end's seeding step, and one crossed environment (the
older lock with keras moved to the newer release) built by host/crossed.py with uv. The
attribution must follow from the draws: every seeded record of the crossed run is one of the two
ends' bytes, and report/causes.py's verdict is what those counts say. Skipped only when the
package index cannot be reached (the installer's own words, host/causes.py); any other failure
fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from initcompat.host import crossed, matrix, runner
from initcompat.host.environments import InstallFailed, ensure_environment
from initcompat.host.interpreters import find_interpreter
from initcompat.probe import schema
from initcompat.report import causes, crossed_file

ROOT = Path(__file__).resolve().parents[2]
OLDER, NEWER = "keras-3.0-numpy", "keras-3.8-numpy"


def end(table, name: str, results: Path) -> dict:
    """Build (or reuse) an end's environment, record its lock as the runner does, run its
    seeding step; its seeding document."""
    entry = table.entry(name)
    found = find_interpreter(entry.python)
    if found is None:
        pytest.fail(f"no Python {entry.python} for {name}")
    try:
        environment = ensure_environment(entry, found[1], entry.resolved(table.resolution),
                                         ROOT / ".nox", ROOT / "src")
    except InstallFailed as failure:
        if failure.transient:
            pytest.skip(f"{name}: {failure.transient}")
        raise
    (results / schema.file_name(name, schema.KIND_INSTALL)).write_text(
        json.dumps({"lock": environment.record["lock"]}))
    _, failure, tail = runner.run_measurement(
        environment.python, "initcompat.probe.seeding", schema.KIND_SEEDING, ROOT / table.suite,
        name, results, lambda line: None, runner.process_environment(entry),
        runner.step_arguments(entry))
    assert failure is None, tail
    return json.loads((results / schema.file_name(name, schema.KIND_SEEDING)).read_text())


def test_a_crossed_environment_built_for_real_attributes_what_its_draws_say(tmp_path):
    if shutil.which("uv") is None:
        pytest.fail("uv is not on PATH: attribution runs build environments with it")
    table = matrix.load_matrix(ROOT / "suites" / "matrix.toml")
    older, newer = (end(table, name, tmp_path) for name in (OLDER, NEWER))
    attempts = crossed.attribute(table.entry(OLDER), table.entry(NEWER), ("seeding",),
                                 resolution=table.resolution, suite=ROOT / table.suite,
                                 results=tmp_path, envs=ROOT / ".nox", source=ROOT / "src",
                                 fresh=True, echo=lambda line: None, only=[("keras",)],
                                 back=False)
    (attempt,) = attempts
    if attempt.status == crossed_file.FAILED and attempt.reason and \
            attempt.reason.startswith("package index"):
        pytest.skip(attempt.reason)
    document = json.loads(attempt.path.read_text())
    crossed_file.validate_crossed(document)
    assert document["status"] == crossed_file.MEASURED, document["reason"]
    assert document["moved"][0][0] == "keras" and document["moved"][0][2] == "3.8.0"
    assert "keras==3.8.0" in document["lock"]
    draws = {side: crossed_file.draw_fingerprints(found, "seeding")
             for side, found in (("older", older), ("newer", newer))}
    counts = crossed_file.compare_draws(document["draws"], draws["older"], draws["newer"])
    # every changed draw of the crossed run is one end's bytes: the step draws what its
    # packages decide, nothing else
    assert counts["as_newer"] + counts["as_older"] == counts["changed"]
    runs = causes.compared_runs([document], {OLDER: {"seeding": older},
                                             NEWER: {"seeding": newer}})
    said = causes.attribute(OLDER, NEWER, runs[(OLDER, NEWER)], {})
    if counts["changed"] and counts["as_newer"] == counts["changed"]:
        assert said.status == causes.ATTRIBUTED
        assert said.cause[0][0] == "keras"
        assert said.text.startswith("caused by keras 3.0.5 → 3.8.0")
    elif counts["changed"] and counts["as_older"] == counts["changed"]:
        assert said.status == causes.NOT_ATTRIBUTED
    else:
        assert said.status in (causes.NOT_ATTRIBUTED, causes.ATTRIBUTED)
    # a second run with nothing changed reuses the file
    again = crossed.attribute(table.entry(OLDER), table.entry(NEWER), ("seeding",),
                              resolution=table.resolution, suite=ROOT / table.suite,
                              results=tmp_path, envs=ROOT / ".nox", source=ROOT / "src",
                              echo=lambda line: None, only=[("keras",)], back=False)
    assert again[0].reused and json.loads(again[0].path.read_text()) == document
