"""The scheduled CI matrix workflow: valid for actionlint, and the known traps are handled."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from initcompat.host.ci_matrix import leg

ROOT = Path(__file__).resolve().parents[2]
WORKFLOW = ROOT / ".github" / "workflows" / "compat-matrix.yml"


def actionlint_executable() -> str:
    """The actionlint command from the test extra (PATH, or beside this interpreter)."""
    found = shutil.which("actionlint") or shutil.which("actionlint", path=str(Path(sys.executable).parent))
    if found is None:
        pytest.fail("actionlint is not installed: it comes with the test extra "
                    "(python -m pip install -e '.[test]', or nox -s tests)", pytrace=False)
    return found


@pytest.fixture(scope="module")
def workflow() -> dict:
    """The workflow as data (PyYAML reads the key `on` as True)."""
    document = yaml.safe_load(WORKFLOW.read_text())
    document["on"] = document.pop(True, document.get("on"))
    return document


@pytest.fixture(scope="module")
def jobs(workflow: dict) -> dict:
    return workflow["jobs"]


def steps_using(job: dict, action: str) -> list[dict]:
    """The job's steps that use `action` (any version)."""
    return [step for step in job["steps"] if step.get("uses", "").split("@")[0] == action]


def condition(text: str | None) -> str:
    """An `if:` without its ${{ }} wrapper, whitespace collapsed."""
    text = (text or "").strip()
    if text.startswith("${{") and text.endswith("}}"):
        text = text[3:-2]
    return " ".join(text.split())


def test_actionlint_finds_nothing() -> None:
    completed = subprocess.run([actionlint_executable(), "-no-color", str(WORKFLOW)], cwd=ROOT,
                               capture_output=True, text=True, check=False)
    assert completed.returncode == 0, completed.stdout + completed.stderr


def test_triggers(workflow: dict) -> None:
    triggers = workflow["on"]
    assert triggers["schedule"] and all("cron" in item for item in triggers["schedule"])
    selection = triggers["workflow_dispatch"]["inputs"]["selection"]
    assert selection["type"] == "choice"
    # every selection but gpu, which runs as its own job on every trigger
    from initcompat.host.ci_matrix import SELECTIONS
    assert set(selection["options"]) == set(SELECTIONS) - {"gpu"}
    assert {"suites/**", "src/**", "noxfile.py"} <= set(triggers["pull_request"]["paths"])


def test_sessions_job_exposes_the_generated_matrix(jobs: dict) -> None:
    sessions = jobs["sessions"]
    scripts = "\n".join(step.get("run", "") for step in sessions["steps"])
    assert "python -m initcompat.host.ci_matrix --selection" in scripts
    assert "GITHUB_OUTPUT" in scripts
    assert "steps.matrix.outputs.matrix" in sessions["outputs"]["matrix"]


def test_probe_matrix_comes_from_the_sessions_job(jobs: dict) -> None:
    probe = jobs["probe"]
    assert "sessions" in probe["needs"]
    assert "fromJSON(needs.sessions.outputs.matrix)" in probe["strategy"]["matrix"]
    assert probe["runs-on"] == "${{ matrix.runs-on }}"
    assert "count != '0'" in condition(probe["if"]), "an empty matrix is an error: skip the job"


@pytest.mark.parametrize("name", ["probe", "gpu-probe"])
def test_legs_do_not_cancel_each_other_and_have_timeouts(jobs: dict, name: str) -> None:
    job = jobs[name]
    assert job["strategy"]["fail-fast"] is False
    assert isinstance(job["timeout-minutes"], int) and 0 < job["timeout-minutes"] <= 120


def test_every_job_has_a_timeout(jobs: dict) -> None:
    assert [name for name, job in jobs.items() if "timeout-minutes" not in job] == []


@pytest.mark.parametrize("name", ["probe", "gpu-probe"])
def test_legs_run_the_nox_session_and_upload_a_unique_artifact(jobs: dict, name: str) -> None:
    job = jobs[name]
    scripts = [step for step in job["steps"] if "nox" in step.get("run", "")]
    assert scripts and '-s "$SESSION"' in scripts[0]["run"]
    assert scripts[0]["env"]["SESSION"] == "${{ matrix.session }}"
    (upload,) = steps_using(job, "actions/upload-artifact")
    assert "${{ matrix.session }}" in upload["with"]["name"]
    assert upload["with"]["name"].startswith("result-")
    assert upload["with"]["path"].rstrip("/") == "results"
    assert condition(upload["if"]) == "always()", "a failed leg's result file is data"
    host, python = steps_using(job, "actions/setup-python")
    assert host["with"]["python-version"] == "${{ env.HOST_PYTHON }}", "nox's Python, not a uv download"
    assert "continue-on-error" not in host
    assert python["with"]["python-version"] == "${{ matrix.python }}"
    assert python["continue-on-error"] is True, "a missing Python is data (status skipped)"
    (uv,) = steps_using(job, "astral-sh/setup-uv")
    assert uv["with"]["enable-cache"] is True
    assert uv["with"]["cache-dependency-glob"] == "suites/matrix.toml"
    assert uv["with"]["version"] == "${{ env.UV_VERSION }}"


def test_artifact_names_differ_between_lanes(jobs: dict) -> None:
    names = {name: steps_using(jobs[name], "actions/upload-artifact")[0]["with"]["name"]
             for name in ("probe", "gpu-probe")}
    assert names["probe"] != names["gpu-probe"]


def test_old_python_runs_on_ubuntu_22_04_or_in_a_container(jobs: dict) -> None:
    probe = jobs["probe"]
    assert probe["runs-on"] == "${{ matrix.runs-on }}"
    assert probe["container"] == "${{ matrix.container }}"
    assert [condition(step["if"]) for step in steps_using(probe, "actions/setup-python")] == \
        ["!matrix.container"] * 2
    legs = {python: leg(f"tf-{python}", python) for python in ("3.6", "3.7", "3.8", "3.10", "3.12")}
    # setup-python has 3.7 on ubuntu-22.04 only; 3.6 on neither 22.04 nor 24.04 (so: an image)
    assert legs["3.7"]["runs-on"] == "ubuntu-22.04" and legs["3.7"]["container"] == ""
    assert legs["3.6"]["runs-on"] == "ubuntu-22.04"
    assert legs["3.6"]["container"].startswith("python:3.6-")
    assert all(legs[v]["runs-on"] == "ubuntu-latest" and legs[v]["container"] == ""
               for v in ("3.8", "3.10", "3.12"))


def test_gpu_lane_needs_the_runner_variable(jobs: dict) -> None:
    gpu = jobs["gpu-probe"]
    assert gpu["runs-on"] == "${{ vars.INITCOMPAT_GPU_RUNNER }}"
    assert "vars.INITCOMPAT_GPU_RUNNER != ''" in condition(gpu["if"])
    assert "fromJSON(needs.sessions.outputs.gpu_matrix)" in gpu["strategy"]["matrix"]


def test_report_runs_after_failed_legs_but_not_after_cancel(jobs: dict) -> None:
    report = jobs["report"]
    assert {"probe", "gpu-probe"} <= set(report["needs"])
    test = condition(report["if"])
    assert test.startswith("!cancelled()"), "without it one failed leg skips the report"
    assert "always()" not in test, "always() would also run a cancelled workflow's report"


def test_report_merges_every_artifact_and_runs_the_users_command(jobs: dict) -> None:
    report = jobs["report"]
    (download,) = steps_using(report, "actions/download-artifact")
    assert download["with"]["pattern"] == "result-*"
    assert download["with"]["merge-multiple"] is True
    assert download["with"]["path"].rstrip("/") == "results"
    build = next(step for step in report["steps"] if step.get("id") == "report")
    assert re.search(r"\bnox -s report\b", build["run"])
    assert "--baseline history/latest" in build["run"]
    (upload,) = steps_using(report, "actions/upload-artifact")
    assert upload["with"]["path"].rstrip("/") == "build/report"  # what nox -s report writes


def test_behaviour_change_is_recorded_not_fatal(jobs: dict) -> None:
    build = next(step for step in jobs["report"]["steps"] if step.get("id") == "report")
    assert "behaviour change(s) vs baseline" in build["run"]
    assert "changed=true" in build["run"] and "GITHUB_OUTPUT" in build["run"]
    assert jobs["report"]["outputs"]["changed"] == "${{ steps.report.outputs.changed }}"


def test_history_is_read_from_and_kept_on_the_data_branch(workflow: dict, jobs: dict) -> None:
    assert workflow["env"]["DATA_BRANCH"] == "initcompat-data"
    report = jobs["report"]
    assert report["permissions"]["contents"] == "write"
    history = next(step for step in report["steps"] if step.get("id") == "history")
    assert 'git fetch --depth=1 origin "$DATA_BRANCH"' in history["run"]
    keep = next(step for step in report["steps"] if "git -C history push" in step.get("run", ""))
    assert condition(keep["if"]) == "github.event_name == 'schedule'"
    assert 'runs/$day' in keep["run"]


def test_pages_deployment_only_from_the_default_branch(jobs: dict) -> None:
    default_branch = "github.ref == format('refs/heads/{0}', github.event.repository.default_branch)"
    (pages,) = steps_using(jobs["report"], "actions/upload-pages-artifact")
    assert default_branch in condition(pages["if"])
    assert pages["with"]["path"].rstrip("/") == "build/report"
    deploy = jobs["deploy"]
    assert deploy["needs"] == "report" or deploy["needs"] == ["report"]
    test = condition(deploy["if"])
    assert default_branch in test and "github.event_name != 'pull_request'" in test
    assert "needs.report.result == 'success'" in test, "success() also looks at the probe legs"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert steps_using(deploy, "actions/deploy-pages")


def test_no_untrusted_expression_inside_scripts(jobs: dict) -> None:
    """Inputs and matrix values reach scripts through env:, never pasted into the script."""
    for name, job in jobs.items():
        for step in job["steps"]:
            script = step.get("run", "")
            assert not re.search(r"\$\{\{\s*(inputs|matrix|github\.event)\.", script), (name, script)


def test_every_action_is_pinned_to_a_commit(jobs: dict) -> None:
    """A tag can be moved; a commit SHA cannot (and the local act run provides exactly it)."""
    uses = [step["uses"] for job in jobs.values() for step in job["steps"] if "uses" in step]
    assert uses
    assert [use for use in uses if not re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", use)] == []


def test_scheduled_runs_take_their_selection_from_a_variable(jobs: dict) -> None:
    matrix = next(step for step in jobs["sessions"]["steps"] if step.get("id") == "matrix")
    assert matrix["env"]["SELECTION"] == \
        "${{ inputs.selection || vars.INITCOMPAT_SELECTION || 'default' }}"


def test_summary_has_one_row_per_environment(jobs: dict) -> None:
    """results/ holds several files per environment; only the outcome file has its status."""
    summary = next(step for step in jobs["report"]["steps"] if step.get("name") == "Summary")
    assert "results/*.outcome.json" in summary["run"]
