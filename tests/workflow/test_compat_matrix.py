"""The scheduled CI workflow, run for real with act (nox -s workflow): twice, on the smoke selection.

The first run starts with no data branch; the second finds the first one's results there and
compares with them. Slow (minutes) and opt-in: marked `workflow`, left out of `nox -s tests`.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import tarfile
import tempfile
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path

import pytest

import actrun
from initcompat.host.ci_matrix import matrix_for_selection
from initcompat.host.matrix import load_matrix

pytestmark = pytest.mark.workflow

SELECTION = "smoke"
RUN_TIMEOUT = 900  # seconds for one whole run (about 2 minutes here)
KEPT = actrun.ROOT / "test-artifacts" / "workflow"  # act's logs, kept for reading afterwards


@pytest.fixture(scope="module")
def runs() -> Iterator[tuple[actrun.Workspace, actrun.Run, actrun.Run]]:
    """The workspace and both runs of the workflow (each run's log is kept under KEPT)."""
    work = Path(tempfile.mkdtemp(prefix="initcompat-act-"))
    try:
        workspace = actrun.Workspace(work, selection=SELECTION)
        workspace.prepare()
        first = workspace.act("first", timeout=RUN_TIMEOUT)
        second = workspace.act("second", timeout=RUN_TIMEOUT)
        KEPT.mkdir(parents=True, exist_ok=True)
        summary = []
        for run in (first, second):
            shutil.copy2(run.log_path, KEPT / run.log_path.name)
            summary.append(f"{run.log_path.stem}: act exit {run.returncode}, {run.seconds:.0f} s")
            summary += [f"  {name.strip()}: {result}" for name, result in run.jobs.items()]
        (KEPT / "summary.txt").write_text("\n".join(summary) + "\n")
        yield workspace, first, second
    finally:
        shutil.rmtree(work, ignore_errors=True)  # gigabytes: uv caches, TF environments


def sessions() -> list[str]:
    legs = matrix_for_selection(load_matrix(actrun.ROOT / "suites" / "matrix.toml").entries, SELECTION)
    return [leg["session"] for leg in legs["include"]]


def job_results(run: actrun.Run) -> dict[str, str]:
    """Job name (act's matrix suffix and padding dropped) -> succeeded/failed."""
    return {re.sub(r"-\d+$", "", name.strip()): result for name, result in run.jobs.items()}


def report_step_lines(run: actrun.Run) -> list[str]:
    """What the report job's `nox -s report` printed."""
    return [line.split("|", 1)[1].strip() for line in run.log.splitlines()
            if re.match(r"^\[[^/]+/report\s*\]\s+\|", line)]


@pytest.mark.parametrize("which", [0, 1], ids=["first", "second"])
def test_every_job_succeeds(runs, which: int) -> None:
    run = runs[1 + which]
    expected = {"sessions", *(f"probe {name}" for name in sessions()), "report", "deploy to GitHub Pages"}
    assert job_results(run) == dict.fromkeys(expected, "succeeded"), f"see {KEPT / run.log_path.name}"
    assert run.returncode == 0


@pytest.mark.parametrize("which", [0, 1], ids=["first", "second"])
def test_merged_report_lists_every_session_of_the_selection(runs, which: int) -> None:
    run = runs[1 + which]
    report = actrun.artifact_files(run.artifacts, "report")
    environments = json.loads(report["changes.json"])["environments"]
    assert sorted(env["name"] for env in environments) == sorted(sessions())
    assert {env["name"]: env["status"] for env in environments} == dict.fromkeys(sessions(), "ok")
    html = report["index.html"].decode()
    assert all(name in html for name in sessions())


@pytest.mark.parametrize("which", [0, 1], ids=["first", "second"])
def test_pages_deploy_stops_at_the_uploaded_artifact(runs, which: int) -> None:
    run = runs[1 + which]
    pages = actrun.artifact_files(run.artifacts, "github-pages")
    assert list(pages) == ["artifact.tar"], "the report job uploaded no github-pages artifact"
    with tarfile.open(fileobj=io.BytesIO(pages["artifact.tar"])) as archive:
        assert {"./index.html", "./cells.csv", "./changes.json"} <= set(archive.getnames())
    assert "GitHub Pages exists only on GitHub" in run.log


def test_data_branch_has_the_run_and_latest(runs) -> None:
    workspace = runs[0]
    files = workspace.data_branch()
    day = datetime.now(timezone.utc).strftime("%Y-%m-%d")
    for folder in (f"runs/{day}", "latest"):
        names = {Path(name).name for name in files if name.startswith(folder + "/")}
        assert "RUN.txt" in names, (folder, files)
        for session in sessions():
            assert {f"{session}.json", f"{session}.outcome.json", f"{session}.install.json"} <= names


def test_first_run_has_no_baseline(runs) -> None:
    assert "No branch initcompat-data yet: no baseline for this run." in runs[1].log
    assert "--baseline" not in "\n".join(report_step_lines(runs[1]))


def test_second_run_compares_with_the_first_and_reports_no_change(runs) -> None:
    workspace, _, second = runs
    lines = report_step_lines(second)
    assert any("--baseline history/latest" in line for line in lines), "no baseline comparison ran"
    changed = [line for line in lines if line.startswith("CHANGED ")]
    assert changed == [], "the same environments, probed twice, reported behaviour changes"
    assert any(line.startswith("initcompat report: no behaviour change vs baseline") for line in lines)
    assert "changed: false" in workspace.show("latest/RUN.txt")
