"""CI matrix generation: the legs the first job generates are the sessions the noxfile defines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from initcompat import ci_matrix
from initcompat.ci_matrix import SELECTIONS, matrix_from_nox_listing
from initcompat.matrix import load_matrix

ROOT = Path(__file__).resolve().parents[2]


def run_in_repo(*arguments: str) -> subprocess.CompletedProcess:
    """Run this interpreter in the repository root with src/ importable."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, *arguments], cwd=ROOT, capture_output=True, text=True,
                          env=environment, check=False, timeout=120)


@pytest.fixture(scope="module")
def listing() -> list[dict]:
    """The real `nox -l --json` of this repository."""
    completed = run_in_repo("-m", "nox", "-l", "--json")
    assert completed.returncode == 0, completed.stderr
    return json.loads(completed.stdout)


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
def test_legs_are_the_noxfile_sessions_with_the_tag(listing: list[dict], selection: str) -> None:
    legs = matrix_from_nox_listing(listing, selection)["include"]
    expected = load_matrix(ROOT / "suites" / "matrix.toml").select(SELECTIONS[selection])
    assert [leg["session"] for leg in legs] == [entry.name for entry in expected]
    assert [leg["python"] for leg in legs] == [entry.python for entry in expected]
    for leg in legs:
        old = tuple(int(p) for p in leg["python"].split(".")) < (3, 8)
        assert leg["runs-on"] == ("ubuntu-22.04" if old else "ubuntu-latest"), leg


def test_default_selection_is_not_empty_and_leaves_out_report_and_tests(listing: list[dict]) -> None:
    sessions = [leg["session"] for leg in matrix_from_nox_listing(listing, "default")["include"]]
    assert sessions
    assert "report" not in sessions and "tests" not in sessions


@pytest.mark.parametrize("selection", ["default", "gpu"])
def test_main_prints_github_output_lines(selection: str) -> None:
    completed = run_in_repo("-m", "initcompat.ci_matrix", "--selection", selection)
    assert completed.returncode == 0, completed.stderr
    lines = completed.stdout.splitlines()
    assert [line.split("=", 1)[0] for line in lines] == ["matrix", "count"]
    matrix = json.loads(lines[0].removeprefix("matrix="))
    assert int(lines[1].removeprefix("count=")) == len(matrix["include"])
    expected = load_matrix(ROOT / "suites" / "matrix.toml").select(SELECTIONS[selection])
    assert [leg["session"] for leg in matrix["include"]] == [entry.name for entry in expected]


def test_main_finds_the_root_from_a_subfolder(monkeypatch: pytest.MonkeyPatch,
                                              capsys: pytest.CaptureFixture) -> None:
    monkeypatch.chdir(ROOT / "src")
    assert ci_matrix.main(["--selection", "default"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("matrix={") and "\ncount=" in out


def test_unknown_selection_is_an_error() -> None:
    with pytest.raises(ValueError, match="unknown selection 'everything'"):
        matrix_from_nox_listing([], "everything")


def test_versions_compare_as_numbers() -> None:
    listing = [{"session": name, "python": python, "tags": ["history"]}
               for name, python in [("a", "3.10"), ("b", "3.7"), ("c", "3.8"), ("d", "3.6")]]
    legs = {leg["session"]: leg for leg in matrix_from_nox_listing(listing, "history")["include"]}
    assert legs["a"]["runs-on"] == "ubuntu-latest"  # "3.10" < "3.8" as text, not as a version
    assert legs["b"]["runs-on"] == "ubuntu-22.04" and legs["b"]["container"] == ""
    assert legs["c"]["runs-on"] == "ubuntu-latest"
    assert legs["d"]["container"] == "python:3.6-slim-bullseye"


def test_report_is_never_a_leg_and_a_session_needs_one_python() -> None:
    listing = [{"session": "report", "python": None, "tags": ["default", "history", "nightly", "gpu"]},
               {"session": "tests", "python": None, "tags": ["gpu"]}]
    for selection in SELECTIONS:
        assert matrix_from_nox_listing(listing, selection) == {"include": []}
    with pytest.raises(ValueError, match="no single Python"):
        matrix_from_nox_listing([{"session": "odd", "python": ["3.10", "3.11"], "tags": ["gpu"]}], "gpu")
