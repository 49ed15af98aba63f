"""CI matrix generation: the legs the first job generates are the sessions the noxfile defines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from initcompat.host import ci_matrix
from initcompat.host.ci_matrix import SELECTIONS, matrix_for_selection
from initcompat.host.matrix import Entry, derived_tags, load_matrix

ROOT = Path(__file__).resolve().parents[2]


def run_in_repo(*arguments: str) -> subprocess.CompletedProcess:
    """Run this interpreter in the repository root with src/ importable."""
    environment = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    return subprocess.run([sys.executable, *arguments], cwd=ROOT, capture_output=True, text=True,
                          env=environment, check=False, timeout=120)


def entry(name: str, python: str, tensorflow: str = "2.15.1", tags: tuple = ()) -> Entry:
    return Entry(name=name, tensorflow=tensorflow, python=python, released=None,
                 tags=derived_tags(tensorflow, list(tags)))


@pytest.fixture(scope="module")
def sessions_by_tag() -> dict[str, list[dict]]:
    """The real `nox -l --json -t TAG` of this repository, per selection's tag."""
    found = {}
    for tag in sorted(set(SELECTIONS.values())):
        completed = run_in_repo("-m", "nox", "-l", "--json", "-t", tag)
        assert completed.returncode == 0, completed.stderr
        found[tag] = json.loads(completed.stdout)
    return found


@pytest.mark.parametrize("selection", sorted(SELECTIONS))
def test_legs_are_the_noxfile_sessions_with_the_tag(sessions_by_tag: dict, selection: str) -> None:
    legs = matrix_for_selection(load_matrix(ROOT / "suites" / "matrix.toml").entries,
                                selection)["include"]
    listed = [item for item in sessions_by_tag[SELECTIONS[selection]]
              if item["session"] not in ("report", "tests")]
    assert [leg["session"] for leg in legs] == [item["session"] for item in listed]
    assert [leg["python"] for leg in legs] == [item["python"] for item in listed]
    for leg in legs:
        old = tuple(int(p) for p in leg["python"].split(".")) < (3, 8)
        assert leg["runs-on"] == ("ubuntu-22.04" if old else "ubuntu-latest"), leg


def test_plain_nox_lists_the_default_selection_and_nox_l_shows_every_session() -> None:
    completed = run_in_repo("-m", "nox", "-l", "--json")
    assert completed.returncode == 0, completed.stderr
    default = [item["session"] for item in json.loads(completed.stdout)]
    table = load_matrix(ROOT / "suites" / "matrix.toml")
    assert default == [e.name for e in table.select("default")] + ["report"]
    text = run_in_repo("-m", "nox", "-l").stdout
    for name in [e.name for e in table.entries] + ["report", "tests"]:
        assert f" {name} " in text or f" {name}\n" in text, name


def test_default_selection_is_not_empty_and_leaves_out_report_and_tests() -> None:
    legs = matrix_for_selection(load_matrix(ROOT / "suites" / "matrix.toml").entries, "default")
    sessions = [leg["session"] for leg in legs["include"]]
    assert sessions
    assert "report" not in sessions and "tests" not in sessions


@pytest.mark.parametrize("selection", ["default", "gpu"])
def test_main_prints_github_output_lines(selection: str) -> None:
    completed = run_in_repo("-m", "initcompat.host.ci_matrix", "--selection", selection)
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
        matrix_for_selection([], "everything")


def test_versions_compare_as_numbers() -> None:
    entries = [entry(name, python) for name, python in
               [("a", "3.10"), ("b", "3.7"), ("c", "3.8"), ("d", "3.6")]]
    legs = {leg["session"]: leg for leg in matrix_for_selection(entries, "history")["include"]}
    assert legs["a"]["runs-on"] == "ubuntu-latest"  # "3.10" < "3.8" as text, not as a version
    assert legs["b"]["runs-on"] == "ubuntu-22.04" and legs["b"]["container"] == ""
    assert legs["c"]["runs-on"] == "ubuntu-latest"
    assert legs["d"]["container"] == "python:3.6-slim-bullseye"


def test_gpu_and_nightly_entries_are_not_history_legs() -> None:
    entries = [entry("tf-2.21", "3.13", "2.21.0"), entry("tf-2.21-gpu", "3.13", "2.21.0", ("gpu",)),
               entry("tf-nightly", "3.13", "*", ("nightly",))]
    assert [leg["session"] for leg in matrix_for_selection(entries, "history")["include"]] == ["tf-2.21"]
    assert [leg["session"] for leg in matrix_for_selection(entries, "gpu")["include"]] == ["tf-2.21-gpu"]
