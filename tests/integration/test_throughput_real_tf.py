"""The real throughput step in real TF environments (tiny sizes): well-formed pyperf files,
a summary merged into the result, plausible ceilings. No timing is asserted."""

import json
import subprocess
import sys
from pathlib import Path

import pyperf
import pytest

from initcompat import matrix, runner
from initcompat.environments import ensure_environment
from initcompat.interpreters import find_interpreter
from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic
from initcompat.report.throughput import throughput_section

ROOT = Path(__file__).resolve().parents[2]
TINY = {"throughput": {"processes": 2, "values": 3, "warmups": 1, "ceiling_elements": 1 << 22,
                       "layers": [{"kind": "dense", "input_dim": 64, "units": 32},
                                  {"kind": "embedding", "vocabulary": 1000, "output_dim": 8,
                                   "sequence_length": 4}]}}


@pytest.fixture(scope="module")
def measured(tmp_path_factory):
    """name -> (result dict, pyperf path), the throughput step run once per environment."""
    table = matrix.load_matrix(ROOT / "suites" / "matrix.toml")
    folder = tmp_path_factory.mktemp("throughput")
    suite = folder / "tiny.json"
    suite.write_text(json.dumps(TINY))
    cache = {}

    def measure(name):
        if name not in cache:
            entry = table.entry(name)
            found = find_interpreter(entry.python)
            assert found is not None, f"no Python {entry.python} for {name}"
            environment = ensure_environment(entry, found[1], table.resolution, ROOT / ".nox",
                                             ROOT / "src")
            result_path = folder / f"{name}.json"
            write_json_atomic(str(result_path), schema.outcome_result(
                schema.environment_record(name, entry.tensorflow, entry.python), schema.ENV_OK, None))
            seconds = runner.run_throughput(environment.python, suite, result_path, echo=lambda _: None)
            result = json.loads(result_path.read_text())
            result["_source"] = str(result_path)
            result["_seconds"] = seconds
            cache[name] = (result, folder / f"{name}.pyperf.json")
        return cache[name]

    return measure


@pytest.mark.parametrize("name", ["tf-2.21", "tf-1.15"])
def test_throughput_step_writes_a_pyperf_suite_and_a_summary(measured, name):
    result, path = measured(name)
    block = result["throughput"]
    assert block["status"] == "ok", block.get("reason") or block.get("log_tail")
    schema.validate_result(result)  # the merged block leaves a valid result
    suite = pyperf.BenchmarkSuite.load(str(path))
    names = set(suite.get_benchmark_names())
    assert "tf.keras/Dense/64x32/cpu" in names and "ceiling/memory-write/cpu" in names
    for benchmark in suite:
        assert benchmark.get_nrun() == 2 and benchmark.get_nvalue() == 6
        assert all(len(run.warmups) == 1 for run in benchmark.get_runs())
        assert benchmark.get_unit() == "second" and benchmark.get_loops() == 1
    dense = block["benchmarks"]["tf.keras/Dense/64x32/cpu"]
    assert dense["params"] == 64 * 32 + 32 and dense["bytes"] == 4 * dense["params"]
    assert dense["n"] == 6 and dense["device"] == "cpu"
    assert block["gpu"] == "none found" or isinstance(block["gpu"], list)
    memory = block["ceilings"]["cpu"]["memory-write"]
    assert 1e8 < memory["bytes_per_s"] < 1e12
    philox = block["ceilings"]["cpu"]["philox-float32"]  # numpy 1.18.5 and 2.x both have Philox
    assert isinstance(philox, dict) and 1e8 < philox["bytes_per_s"] < 1e12


def test_versions_share_benchmark_names_so_pyperf_compare_to_pairs_them(measured):
    (old, old_path), (new, new_path) = measured("tf-1.15"), measured("tf-2.21")
    completed = subprocess.run([sys.executable, "-m", "pyperf", "compare_to", str(old_path),
                                str(new_path)], capture_output=True, text=True)
    assert completed.returncode == 0, completed.stderr
    assert "tf.keras/Dense/64x32/cpu" in completed.stdout
    section = throughput_section([old, new], [old_path.parent])
    assert section["present"] and section["no_gpu"]
    assert [env["status"] for env in section["envs"]] == ["ok", "ok"]
