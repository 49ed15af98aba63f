"""Merging is a copy: results from separate CI jobs, copied into one folder, give the same report
as a single local run (real probe outputs in tests/fixtures/merge/)."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from initcompat.host import runner
from initcompat.host.matrix import Entry
from initcompat.probe import schema
from initcompat.report.__main__ import main as report_main
from initcompat.report.load import parse_documents

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "merge"
GENERATED = re.compile(r"Generated \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC\.")


def fixture_results() -> list[Path]:
    """The real result files (one per TensorFlow environment)."""
    files = sorted(FIXTURES.glob("*.json"))
    assert len(files) >= 2, f"expected real result files in {FIXTURES}"
    return files


def local_run(folder: Path, files: list[Path]) -> Path:
    """What one `nox` run leaves: every result side by side in results/."""
    folder.mkdir(parents=True)
    for file in files:
        shutil.copy2(file, folder / file.name)
    return folder


def artifacts(folder: Path, files: list[Path]) -> Path:
    """What download-artifact without merge-multiple leaves: one folder per leg's artifact."""
    for file in files:
        leg = folder / f"result-{file.stem}"
        leg.mkdir(parents=True)
        shutil.copy2(file, leg / file.name)
    return folder


def merged(folder: Path, artifact_root: Path) -> Path:
    """What merge-multiple: true leaves: every artifact's files copied into one folder."""
    folder.mkdir(parents=True)
    for leg in sorted(artifact_root.iterdir()):
        shutil.copytree(leg, folder, dirs_exist_ok=True)
    return folder


def build_report(results: Path, out: Path, capsys: pytest.CaptureFixture) -> str:
    """Run the report CLI as `nox -s report` does; its summary line."""
    assert report_main([str(results), "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "rejected" not in captured.err, captured.err
    return captured.out


def assert_same_report(first: Path, second: Path) -> None:
    for name in ("cells.csv", "changes.json"):
        assert (first / name).read_bytes() == (second / name).read_bytes(), name
    html = [GENERATED.sub("Generated <time>.", (folder / "index.html").read_text())
            for folder in (first, second)]
    assert html[0] == html[1]


def test_fixtures_are_real_probe_results() -> None:
    for file in fixture_results():
        result = next(d for d in parse_documents(file.read_text()) if d["kind"] == schema.KIND_RESULT)
        assert result["status"] == "ok" and result["cells"], file.name


def test_merged_artifacts_give_the_local_report(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    files = fixture_results()
    local = local_run(tmp_path / "local" / "results", files)
    split = artifacts(tmp_path / "ci" / "downloaded", files)
    flat = merged(tmp_path / "ci" / "results", split)
    assert sorted(p.name for p in flat.iterdir()) == sorted(p.name for p in local.iterdir())

    summary = build_report(local, tmp_path / "local" / "reports", capsys)
    assert f"{len(files)} environments" in summary and "0 rejected" in summary
    build_report(flat, tmp_path / "ci" / "reports", capsys)
    assert_same_report(tmp_path / "local" / "reports", tmp_path / "ci" / "reports")
    assert len((tmp_path / "local" / "reports" / "cells.csv").read_text().splitlines()) > len(files)


def test_unmerged_artifact_folders_give_the_local_report(tmp_path: Path,
                                                         capsys: pytest.CaptureFixture) -> None:
    """Downloaded without merge-multiple, the report still finds every leg (it reads recursively)."""
    files = fixture_results()
    build_report(local_run(tmp_path / "local", files), tmp_path / "local-reports", capsys)
    build_report(artifacts(tmp_path / "split", files), tmp_path / "split-reports", capsys)
    assert_same_report(tmp_path / "local-reports", tmp_path / "split-reports")


def test_a_failed_leg_merges_like_any_other(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    """A leg that could not run still uploads its outcome file; the merged report lists it."""
    entry = Entry(name="tf-9.99", tensorflow="9.99.0", python="2.9", released="2030-01-01",
                  tags=("default", "tf2", "history"))
    # The real runner: no Python 2.9 anywhere, so the leg is skipped before any install (the
    # suite is checked first, before anything else, so it is the real one).
    suite = FIXTURES.parents[2] / "suites" / "default.json"
    outcome = runner.run_entry(entry, resolution="as-released", suite=suite,
                               results=tmp_path / "failed", envs=tmp_path / "envs",
                               source=tmp_path, timeout=1, echo=lambda line: None)
    assert outcome.status == schema.ENV_SKIPPED
    failed = outcome.path(schema.KIND_OUTCOME)
    assert sorted(p.name for p in failed.parent.iterdir()) == ["tf-9.99.outcome.json"]
    files = [*fixture_results(), failed]

    build_report(local_run(tmp_path / "local", files), tmp_path / "local-reports", capsys)
    split = artifacts(tmp_path / "downloaded", files)
    build_report(merged(tmp_path / "results", split), tmp_path / "ci-reports", capsys)
    assert_same_report(tmp_path / "local-reports", tmp_path / "ci-reports")
    html = (tmp_path / "ci-reports" / "index.html").read_text()
    assert "tf-9.99" in html and "skipped: no Python 2.9" in html
