"""An attribution run for real (issue 31): Keras 3.8 -> 3.9 on JAX (no TensorFlow; Keras 3.0 ->
3.8 on NumPy, smaller, draws the same seeded bytes on both sides and so attributes nothing),
each end's seeding step, and one crossed environment (Keras 3.8's lock with jax and jaxlib moved
to Keras 3.9's) built by host/crossed.py with uv. The attribution must follow from the draws:
every changed seeded record of the crossed run is one of the two ends' bytes, and
report/causes.py's verdict is what those counts say; measured here: jax 0.5's draws. Skipped
only when the package index cannot be reached (the installer's own words, host/causes.py); any
other failure fails."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from initcompat.host import crossed, matrix, runner
from initcompat.host.environments import InstallFailed, ensure_environment
from initcompat.host.interpreters import find_interpreter
from initcompat.measurements import registry
from initcompat.probe import schema
from initcompat.report import causes, crossed_file

ROOT = Path(__file__).resolve().parents[2]
OLDER, NEWER = "keras-3.8-jax", "keras-3.9-jax"
CANDIDATE = ("jax", "jaxlib")


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
        environment.python, registry.by_name("seeding")["module"], schema.KIND_SEEDING,
        ROOT / table.suite, name, results, lambda line: None, runner.process_environment(entry),
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
                                 fresh=True, echo=lambda line: None, only=[CANDIDATE],
                                 back=False)
    (attempt,) = attempts
    if attempt.status == crossed_file.FAILED and attempt.reason and \
            attempt.reason.startswith("package index"):
        pytest.skip(attempt.reason)
    document = json.loads(attempt.path.read_text())
    crossed_file.validate_crossed(document)
    assert document["status"] == crossed_file.MEASURED, document["reason"]
    assert [move[0] for move in document["moved"]] == list(CANDIDATE)
    assert "keras==3.8.0" in document["lock"] and "jax==0.4.38" not in document["lock"]
    draws = {side: crossed_file.draw_fingerprints(found, "seeding")
             for side, found in (("older", older), ("newer", newer))}
    counts = crossed_file.compare_draws(document["draws"], draws["older"], draws["newer"])
    # the ends differ, and every changed draw of the crossed run is one end's bytes: the step
    # draws what its packages decide, nothing else
    assert counts["changed"] > 0
    assert counts["as_newer"] + counts["as_older"] == counts["changed"]
    runs = causes.compared_runs([document], {OLDER: {"seeding": older},
                                             NEWER: {"seeding": newer}})
    said = causes.attribute(OLDER, NEWER, runs[(OLDER, NEWER)], {})
    if counts["as_newer"] == counts["changed"]:  # measured 2026-12-07: 12 of 12
        assert said.status == causes.ATTRIBUTED
        assert said.text.startswith("caused by jax 0.4.38 → 0.5.3, jaxlib 0.4.38 → 0.5.3")
    else:
        assert said.status == causes.NOT_ATTRIBUTED
    assert counts["as_newer"] == counts["changed"], "jax 0.5 no longer explains Keras 3.9's draws"
    # a second run with nothing changed reuses the file
    again = crossed.attribute(table.entry(OLDER), table.entry(NEWER), ("seeding",),
                              resolution=table.resolution, suite=ROOT / table.suite,
                              results=tmp_path, envs=ROOT / ".nox", source=ROOT / "src",
                              echo=lambda line: None, only=[CANDIDATE], back=False)
    assert again[0].reused and json.loads(again[0].path.read_text()) == document
