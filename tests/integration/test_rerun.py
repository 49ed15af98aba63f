"""A rerun is not a change (issue 18): the same real environment probed twice passes the
baseline gate, though some of its seeded streams never repeat; a planted 10% scale change on a
real cell still fails it."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from initcompat.host import matrix, runner
from initcompat.probe import schema
from initcompat.report.__main__ import main as report_main

ROOT = Path(__file__).resolve().parents[2]
NAME = "tf-2.15"  # tf.compat.v1.layers there draws stateless: its seeded bytes never repeat


@pytest.fixture(scope="module")
def two_runs(tmp_path_factory):
    if shutil.which("uv") is None:
        pytest.fail("uv is not on PATH: the integration tests build real TF environments with it")
    table = matrix.load_matrix(ROOT / "suites" / "matrix.toml")
    folders = []
    for run in ("first", "second"):
        folder = tmp_path_factory.mktemp(run)
        outcome = runner.run_entry(table.entry(NAME), resolution=table.resolution,
                                   suite=ROOT / table.suite, results=folder, envs=ROOT / ".nox",
                                   source=ROOT / "src", timeout=table.probe_timeout,
                                   echo=lambda line: None, throughput=False)
        assert outcome.status == schema.ENV_OK, outcome.message
        folders.append(folder)
    return folders


def gate(current: Path, baseline: Path, out: Path, capsys) -> tuple[int, list[str]]:
    capsys.readouterr()
    code = report_main([str(current), "--out", str(out), "--baseline", str(baseline)])
    return code, [line for line in capsys.readouterr().out.splitlines() if line.startswith("CHANGED")]


def test_the_rerun_has_seeded_streams_that_do_not_repeat(two_runs):
    """The premise: this environment has cells whose seeded bytes differ between the runs."""
    first, second = (json.loads((folder / f"{NAME}.json").read_text()) for folder in two_runs)
    hashes = [{(c["api_family"], c["layer_kind"], c["weight_role"]): c["seeded"]
               for c in run["cells"] if c.get("seeded")} for run in (first, second)]
    noisy = [key for key, seeded in hashes[0].items()
             if seeded["sha256"] != hashes[1][key]["sha256"]]
    assert noisy, "expected some seeded streams to differ between two runs"
    assert all(hashes[0][key]["repeats_in_process"] is False for key in noisy)


def test_a_rerun_passes_the_gate(two_runs, tmp_path, capsys):
    first, second = two_runs
    code, lines = gate(second, first, tmp_path / "out", capsys)
    assert (code, lines) == (0, [])


def test_a_planted_ten_percent_scale_change_still_fails(two_runs, tmp_path, capsys):
    first, second = two_runs
    planted = tmp_path / "planted"
    shutil.copytree(second, planted)
    path = planted / f"{NAME}.json"
    result = json.loads(path.read_text())
    kernel = next(c for c in result["cells"] if c["api_family"] == "tf.keras"
                  and c["layer_kind"] == "dense" and c["weight_role"] == "kernel")
    sample = kernel["sample"]
    for name in ("mean", "std", "min", "max", "se_mean", "se_std"):
        sample[name] *= 1.1
    sample["subsample"] = [1.1 * v for v in sample["subsample"]]
    sample["histogram"]["edges"] = [1.1 * v for v in sample["histogram"]["edges"]]
    path.write_text(json.dumps(result))
    code, lines = gate(planted, first, tmp_path / "out", capsys)
    assert code == 1
    assert len(lines) == 1 and "tf.keras Dense kernel: drawn distribution changed" in lines[0]
