"""A matrix where environments fail in every way (tests/fixtures/broken-matrix.toml): each failure
ends in an outcome file with its status and error tail, the working entry still measures, and the
report completes listing them all. The faults of the moment (`faults`: the package index at a
closed local port) are not-measured, apart from a release that does not install, and measure
when the index is back."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from initcompat.host import matrix, runner
from initcompat.probe import schema, validation
from initcompat.report.__main__ import main as report_main
from initcompat.report.load import load_results

ROOT = Path(__file__).resolve().parents[2]
BROKEN = ROOT / "tests" / "fixtures" / "broken-matrix.toml"
REUSED = ("tf-2.15", "tf-1.15")  # real environments in .nox, reused (never rebuilt) here
# How the test runs each entry: (resolution, probe timeout in seconds).
RUNS = {"tf-2.15": ("as-released", 900), "tf-1.15": ("as-released", 2),
        "tf-1.99": ("as-released", 900), "tf-2.15-py29": ("as-released", 900),
        "tf-1.15-unpinned": ("today", 900),
        "tf-1.5": ("as-released", 900), "tf-1.5-py311": ("as-released", 900)}
FAULTS = ("tf-1.5", "tf-1.5-py311")  # run by the `faults` fixture, apart
EXPECTED = {"tf-2.15": schema.ENV_OK, "tf-1.15": schema.ENV_PROBE_TIMEOUT,
            "tf-1.99": schema.ENV_INSTALL_FAILED, "tf-2.15-py29": schema.ENV_SKIPPED,
            "tf-1.15-unpinned": schema.ENV_IMPORT_FAILED}


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    return run_broken_matrix(tmp_path_factory)


def run_broken_matrix(tmp_path_factory):
    if shutil.which("uv") is None:
        pytest.fail("uv is not on PATH: the integration tests build real TF environments with it")
    table = matrix.load_matrix(BROKEN)
    assert sorted(e.name for e in table.entries) == sorted(RUNS)
    results = tmp_path_factory.mktemp("results")
    scratch = tmp_path_factory.mktemp("envs")
    done = {}
    for entry in table.entries:
        if entry.name in FAULTS:
            continue
        resolution, timeout = RUNS[entry.name]
        envs = ROOT / ".nox" if entry.name in REUSED else scratch
        if entry.name in REUSED:  # never build anything in .nox but what nox itself would
            real = matrix.load_matrix(ROOT / "suites" / "matrix.toml").entry(entry.name)
            if real.install_key(resolution) != entry.install_key(resolution):
                pytest.fail(f"{BROKEN} entry {entry.name} differs from suites/matrix.toml "
                            f"(copy its fields): it would replace {ROOT / '.nox' / entry.name}")
        # the timing step is not under test here
        outcome = runner.run_entry(entry, resolution=resolution, suite=ROOT / table.suite,
                                   results=results, envs=envs, source=ROOT / "src",
                                   timeout=timeout, echo=lambda line: None, throughput=False)
        done[entry.name] = outcome
    joined = {r["env"]["name"]: r for r in load_results(results).results}
    return results, {name: (outcome, joined[name]) for name, outcome in done.items()}


# The files each run leaves (logs aside): every writer its own file.
FILES = {"tf-2.15": ["install", "outcome", "result", "initializers", "seeding", "propagation"],
         "tf-1.15": ["install", "outcome"],
         "tf-1.99": ["outcome"], "tf-2.15-py29": ["outcome"],
         "tf-1.15-unpinned": ["install", "outcome", "result"]}


def test_every_entry_ends_in_valid_files_with_its_status(outcomes):
    results, done = outcomes
    assert {name: outcome.status for name, (outcome, _) in done.items()} == EXPECTED
    for name, (outcome, result) in done.items():
        assert result["status"] == EXPECTED[name]
        assert result["env"]["name"] == name
        outcome_file = json.loads(outcome.path(schema.KIND_OUTCOME).read_text())
        validation.validate_outcome(outcome_file)
        assert outcome_file["status"] == EXPECTED[name]
    written = sorted(p.name for p in results.iterdir() if not p.name.endswith(".log"))
    assert written == sorted(schema.file_name(name, kind)
                             for name, kinds in FILES.items() for kind in kinds)


def test_working_entry_still_measures(outcomes):
    _, done = outcomes
    result = done["tf-2.15"][1]
    assert result["reason"] is None and result["cells"]
    assert any(cell["status"] == schema.CELL_OK for cell in result["cells"])


def test_install_failure_keeps_the_installer_error(outcomes):
    result = outcomes[1]["tf-1.99"][1]
    assert result["reason"] == ("install tensorflow==1.99.0 failed: Because there is no version "
                                "of tensorflow==1.99.0 and you require tensorflow==1.99.0, we can "
                                "conclude that your requirements are unsatisfiable.")
    assert "tensorflow==1.99.0" in result["log_tail"]
    assert "no version" in result["log_tail"].lower() or "not found" in result["log_tail"].lower()


def test_missing_interpreter_is_skipped_with_how_to_install(outcomes):
    result = outcomes[1]["tf-2.15-py29"][1]
    assert result["reason"].startswith("skipped: no Python 2.9. ")
    assert "uv python install 2.9" in result["reason"]


def test_import_crash_is_import_failed_with_the_traceback(outcomes):
    result = outcomes[1]["tf-1.15-unpinned"][1]
    assert result["status"] == schema.ENV_IMPORT_FAILED
    # protobuf's own wording ("cannot not") since 4.21
    assert "Descriptors cannot not be created directly" in result["log_tail"]
    assert result["reason"].startswith("TypeError: Descriptors cannot not be created directly")
    assert result["installed"]["packages"]["protobuf"].split(".")[0] >= "4"


def test_hung_probe_is_killed_and_recorded(outcomes):
    results, done = outcomes
    outcome, result = done["tf-1.15"]
    assert result["reason"] == "probe still running after 2 s; killed"
    assert outcome.seconds["probe_process"] < 30  # killed at 2 s (TF 1.15 imports in ~1-4 s)
    assert result["install"]["install_key"]  # how the environment was built is kept
    assert (results / "tf-1.15.log").exists()


def test_report_completes_and_lists_every_failure(outcomes, tmp_path):
    results, done = outcomes
    assert report_main([str(results), "--out", str(tmp_path)]) == 0
    loaded = load_results(results)
    assert not loaded.rejected and len(loaded.results) == len(EXPECTED)
    html = (tmp_path / "index.html").read_text()
    for name, status in EXPECTED.items():
        if status != schema.ENV_OK:
            assert f"<strong>{name}</strong>" in html
    # install-failed and import-failed carry output; a probe killed at 2 s may have printed none
    assert html.count("<summary>error tail</summary>") >= 2
    assert "tensorflow==1.99.0" in html and "cannot not be created directly" in html
    changes = json.loads((tmp_path / "changes.json").read_text())
    assert {e["name"]: e["status"] for e in changes["environments"]} == EXPECTED


# The package index at a closed local port (nothing listens on port 9): uv's own retries off and
# two short attempts of ours, so the fault is recorded in seconds.
UNREACHABLE = {"UV_INDEX_URL": "http://127.0.0.1:9/simple",
               "UV_HTTP_RETRIES": "0", "INITCOMPAT_INSTALL_ATTEMPTS": "2",
               "INITCOMPAT_INSTALL_BACKOFF": "0.2"}


@pytest.fixture(scope="module")
def faults(tmp_path_factory):
    """name -> (Outcome, joined result): tf-1.5 with the index unreachable, then ("tf-1.5 back")
    again with the index back (into a results folder of its own); tf-1.5-py311 (no wheel)."""
    if shutil.which("uv") is None:
        pytest.fail("uv is not on PATH: the integration tests build real TF environments with it")
    table = matrix.load_matrix(BROKEN)
    scratch = tmp_path_factory.mktemp("envs")
    done = {}

    def run(name, label, variables):
        results = tmp_path_factory.mktemp("results")
        saved = {key: os.environ.get(key) for key in variables}
        os.environ.update(variables)
        try:
            outcome = runner.run_entry(table.entry(name), resolution="as-released",
                                       suite=ROOT / table.suite, results=results, envs=scratch,
                                       source=ROOT / "src", timeout=900, echo=lambda line: None,
                                       throughput=False, measurements=False)
        finally:
            for key, value in saved.items():
                if value is None:
                    os.environ.pop(key, None)
                else:
                    os.environ[key] = value
        (joined,) = load_results(results).results
        done[label] = (outcome, joined)

    run("tf-1.5", "tf-1.5", UNREACHABLE)
    run("tf-1.5-py311", "tf-1.5-py311", {})
    run("tf-1.5", "tf-1.5 back", {})
    return done


def test_an_unreachable_index_is_not_measured_with_its_cause(faults):
    outcome, result = faults["tf-1.5"]
    assert (outcome.status, outcome.cause) == (schema.ENV_NOT_MEASURED,
                                               "package index unreachable: Connection refused")
    assert (result["status"], result["reason"]) == (schema.ENV_NOT_MEASURED,
                                                    "package index unreachable: Connection refused")
    outcome_file = json.loads(outcome.path(schema.KIND_OUTCOME).read_text())
    validation.validate_outcome(outcome_file)
    install = outcome_file["steps"]["install"]
    assert install["status"] == schema.STEP_FAILED
    assert install["reason"] == ("install tensorflow==1.5.1 failed: package index unreachable: "
                                 "Connection refused")
    assert "Connection refused" in install["log_tail"] and "127.0.0.1:9" in install["log_tail"]
    assert outcome_file["env"]["suite"]["file"] == "default.json"


def test_with_the_index_back_it_measures(faults):
    outcome, result = faults["tf-1.5 back"]
    assert outcome.status == schema.ENV_OK and result["status"] == schema.ENV_OK
    assert any(cell["status"] == schema.CELL_OK for cell in result["cells"])
    assert result["env"]["suite"] == faults["tf-1.5"][1]["env"]["suite"]


def test_a_release_without_a_wheel_for_its_python_is_install_failed_with_the_reason(faults):
    outcome, result = faults["tf-1.5-py311"]
    assert result["status"] == schema.ENV_INSTALL_FAILED
    assert result["reason"] == (
        "install tensorflow==1.5.1 failed: Because tensorflow==1.5.1 has no wheels with a "
        "matching Python ABI tag (e.g., `cp311`) and you require tensorflow==1.5.1, we can "
        "conclude that your requirements are unsatisfiable.")
    assert outcome.cause == result["reason"].split(" failed: ", 1)[1]
