"""A rerun with nothing changed reuses a step's files (initcompat.host.reuse, issue 29): the key
of a step's inputs, which steps of the last run qualify, what the runner keeps and clears, the
outcome file's new fields through the loader, and the report's "reused, measured DATE".
The whole runner against a real TensorFlow environment: tests/integration/test_reuse.py."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from initcompat.host import reuse, runner
from initcompat.host.matrix import Entry
from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic
from initcompat.report.load import load_results
from initcompat.report.measured import reused_text

ROOT = Path(__file__).resolve().parents[2]
SUITE = ROOT / "suites" / "default.json"
NAME = "tf-9.99"
ENV = {"name": NAME, "tensorflow": "9.99.0", "python": "3.11", "tags": ["default"],
       "resolution": "as-released", "suite": {"file": "default.json", "sha256": "ab" * 32}}
INSTALL = {"lock": ["numpy==1.26.4", "tensorflow==9.99.0"], "interpreter": "/usr/bin/python3.11"}


def key(step: str, **changes) -> str:
    env = dict(ENV, **changes.pop("env", {}))
    install = dict(INSTALL, **changes.pop("install", {}))
    return reuse.step_inputs(step, env, install, changes.pop("code", "c0de"),
                             changes.pop("arguments", []))


def ok(step: str, measured_at: str = "2026-12-01T10:00:00Z") -> dict:
    return reuse.measured_record(schema.step_record(schema.STEP_OK, None, 12.5), key(step),
                                 measured_at)


def last_run(folder: Path, steps: dict, status: str = schema.ENV_OK) -> None:
    """The files a finished run of NAME leaves: each step's files and the runner's outcome."""
    folder.mkdir(parents=True, exist_ok=True)
    for step in steps:
        for file in reuse.step_files(NAME, step) if step in reuse.STEP_KINDS else []:
            (folder / file).write_text(f"{step} bytes\n")
    write_json_atomic(str(folder / schema.file_name(NAME, schema.KIND_OUTCOME)),
                      schema.outcome_record(ENV, status, None, steps))


def test_the_key_changes_with_each_input_and_only_with_them():
    base = key("propagation")
    assert base == key("propagation")  # the same inputs, the same key
    changed = [key("seeding"), key("propagation", install={"lock": ["tensorflow==9.99.1"]}),
               key("propagation", install={"interpreter": "/opt/python3.11"}),
               key("propagation", env={"suite": {"file": "default.json", "sha256": "cd" * 32}}),
               key("propagation", env={"tags": ["default", "smoke"]}),
               key("propagation", code="beef"), key("propagation", arguments=["--framework", "keras"])]
    assert base not in changed and len(set(changed)) == len(changed)
    # what the key does not hold: the time and how long the install took this run
    assert key("propagation", install={"install_seconds": 99.0}) == base


def test_the_probe_code_hash_follows_every_probe_file(tmp_path):
    source = tmp_path / "src"
    for part in ("probe", "measurements"):
        shutil.copytree(ROOT / "src" / "initcompat" / part, source / "initcompat" / part,
                        ignore=shutil.ignore_patterns("__pycache__"))
    before = reuse.probe_code_hash(source)
    assert before == reuse.probe_code_hash(ROOT / "src") == reuse.probe_code_hash(source)
    (source / "initcompat" / "probe" / "notes.txt").write_text("not code")
    assert reuse.probe_code_hash(source) == before
    schema_file = source / "initcompat" / "probe" / "schema.py"
    schema_file.write_text(schema_file.read_text() + "\n# a comment is an edit too\n")
    assert reuse.probe_code_hash(source) != before


def test_the_probe_code_hash_follows_the_probe_side_of_each_measurement_folder(tmp_path):
    """A measurement moved out of probe/ (initcompat/measurements/NAME) still counts: an edit to
    any of its probe-side files, or to the registry, is a new key; its report side (section/)
    runs on the host and is not."""
    source = tmp_path / "src"
    shutil.copytree(ROOT / "src" / "initcompat", source / "initcompat",
                    ignore=shutil.ignore_patterns("__pycache__"))
    measurements = source / "initcompat" / "measurements"
    probe_side = [measurements / "registry.py", measurements / "seeding" / "probe.py",
                  measurements / "seeding" / "draws.py", measurements / "seeding" / "families.py",
                  measurements / "seeding" / "validation.py",
                  measurements / "propagation" / "probe.py",
                  measurements / "propagation" / "models.py",
                  measurements / "propagation" / "validation.py",
                  *(measurements / "initializers" / name for name in (
                      "probe.py", "drawer.py", "namespaces.py", "audit.py", "validation.py")),
                  *(measurements / "porting" / name for name in (
                      "probe.py", "snippets.py", "theory.py", "validation.py")),
                  *(measurements / "throughput" / name for name in (
                      "probe.py", "tasks.py", "summary.py", "validation.py"))]
    hashed = set(reuse.probe_side_files(source))
    assert set(probe_side) <= hashed
    assert not [path for path in hashed if "section" in path.parts]
    for path in probe_side:
        before = reuse.probe_code_hash(source)
        path.write_text(path.read_text() + "\n# an edit\n")
        assert reuse.probe_code_hash(source) != before, path
    before = reuse.probe_code_hash(source)
    section = measurements / "seeding" / "section" / "words.py"
    section.write_text(section.read_text() + "\n# the report side\n")
    assert reuse.probe_code_hash(source) == before


def test_only_ok_steps_with_their_files_and_an_unchanged_key_are_reused(tmp_path):
    failed = schema.step_record(schema.STEP_FAILED, "seeding step exit status 1", 3.0, "tail")
    steps = {"install": schema.step_record(schema.STEP_OK, "reused", 0.2), "probe": ok("probe"),
             "initializers": ok("initializers"), "seeding": failed,
             "propagation": ok("propagation"), "throughput": ok("throughput")}
    last_run(tmp_path, steps)
    (tmp_path / schema.pyperf_file_name(NAME)).unlink()  # the throughput step's second file
    (tmp_path / f"{NAME}.initializers.log").unlink()  # a log alone is no reason to measure again
    keys = {step: key(step) for step in reuse.STEP_KINDS}
    keys["propagation"] = key("propagation", code="beef")  # its code changed
    previous = reuse.previous_outcome(tmp_path, NAME)
    assert set(reuse.reusable(previous, keys, tmp_path, NAME)) == {"probe", "initializers"}
    assert set(reuse.candidates(previous)) == {"probe", "initializers", "propagation", "throughput"}


def test_nothing_is_reused_from_a_run_that_did_not_end_ok_or_left_no_outcome(tmp_path):
    last_run(tmp_path, {"probe": ok("probe")}, status=schema.ENV_PROBE_CRASHED)
    previous = reuse.previous_outcome(tmp_path, NAME)
    assert reuse.reusable(previous, {"probe": key("probe")}, tmp_path, NAME) == {}
    (tmp_path / schema.file_name(NAME, schema.KIND_OUTCOME)).write_text("{not json")
    assert reuse.previous_outcome(tmp_path, NAME) is None
    assert reuse.candidate_files(None, NAME) == set()


def test_a_kept_record_says_when_it_was_measured_and_a_failed_one_gets_no_key():
    kept = reuse.reused_record(ok("probe"))
    assert (kept["reused"], kept["measured_at"], kept["inputs"]) == (True, "2026-12-01T10:00:00Z",
                                                                    key("probe"))
    failed = schema.step_record(schema.STEP_FAILED, "killed", 1.0)
    assert reuse.measured_record(failed, key("probe"), reuse.now()) == failed


def test_fresh_is_asked_by_argument_or_variable():
    assert reuse.fresh_requested(["--fresh"], {})
    assert reuse.fresh_requested([], {"INITCOMPAT_FRESH": "1"})
    assert not reuse.fresh_requested(["--suite", "x.json"], {})
    assert not any(reuse.fresh_requested([], {"INITCOMPAT_FRESH": value})
                   for value in ("", "0", "no", "False"))


def test_clearing_keeps_only_the_named_files(tmp_path):
    last_run(tmp_path, {"probe": ok("probe"), "seeding": ok("seeding")})
    runner.clear_previous_run(tmp_path, NAME, set(reuse.step_files(NAME, "probe")))
    assert sorted(path.name for path in tmp_path.iterdir()) == sorted(reuse.step_files(NAME, "probe"))


def test_a_run_that_cannot_build_its_environment_keeps_nothing_of_the_last_one(tmp_path):
    """The real runner, reuse on: no Python 2.9 anywhere, so the entry is skipped; the reusable
    files of the last run go with the rest (they describe an environment this run did not see)."""
    entry = Entry(name=NAME, tensorflow="9.99.0", python="2.9", released="2030-01-01",
                  tags=("default", "tf2", "history"))
    results = tmp_path / "results"
    last_run(results, {"probe": ok("probe"), "seeding": ok("seeding")})
    outcome = runner.run_entry(entry, resolution="as-released", suite=SUITE, results=results,
                               envs=tmp_path / "envs", source=ROOT / "src", timeout=1,
                               echo=lambda line: None, reuse=True)
    assert outcome.status == schema.ENV_SKIPPED and outcome.reused == {}
    assert [path.name for path in results.iterdir()] == [f"{NAME}.outcome.json"]


def test_forget_step_drops_only_that_steps_key(tmp_path):
    last_run(tmp_path, {"probe": ok("probe"), "seeding": ok("seeding")})
    reuse.forget_step(tmp_path, NAME, "seeding")
    steps = reuse.previous_outcome(tmp_path, NAME)["steps"]
    assert "inputs" not in steps["seeding"] and steps["seeding"]["seconds"] == 12.5
    assert steps["probe"]["inputs"] == key("probe")
    assert set(reuse.reusable(reuse.previous_outcome(tmp_path, NAME),
                              {step: key(step) for step in reuse.STEP_KINDS}, tmp_path,
                              NAME)) == {"probe"}


def test_the_loader_accepts_the_new_step_fields_and_rejects_bad_ones(tmp_path):
    steps = {"probe": reuse.reused_record(ok("probe"))}
    write_json_atomic(str(tmp_path / "good" / f"{NAME}.outcome.json"),
                      schema.outcome_record(dict(ENV, name="tf-9.98"), schema.ENV_SKIPPED,
                                            "skipped: reasons", steps))
    assert not load_results(tmp_path / "good").rejected
    steps["probe"]["reused"] = "yes"
    write_json_atomic(str(tmp_path / "bad" / f"{NAME}.outcome.json"),
                      schema.outcome_record(ENV, schema.ENV_SKIPPED, "skipped", steps))
    (rejected,) = load_results(tmp_path / "bad").rejected
    assert "outcome.steps.probe" in rejected.problem and "reused" in rejected.problem


@pytest.mark.parametrize("steps, text", [
    ({}, ""),
    ({"install": {"status": "ok"}, "probe": ok("probe")}, ""),
    ({"install": {"status": "ok"}, "probe": reuse.reused_record(ok("probe")),
      "seeding": reuse.reused_record(ok("seeding")), "porting": {"status": "skipped"}},
     "reused, measured 2026-12-01 10:00 UTC"),
    ({"probe": reuse.reused_record(ok("probe")), "seeding": ok("seeding", "2026-12-02T08:00:00Z")},
     "probe reused, measured 2026-12-01 10:00 UTC"),
])
def test_the_report_says_which_steps_were_reused_and_when(steps, text):
    assert reused_text({"status": "ok", "steps": steps}) == text
