"""The real throughput step in real TF environments (tiny sizes): well-formed pyperf files,
a summary file of its own, plausible ceilings. No timing is asserted."""

import json
import subprocess
import sys
from pathlib import Path

import pyperf
import pytest

from initcompat.host import matrix, runner
from initcompat.host.environments import ensure_environment
from initcompat.host.interpreters import find_interpreter
from initcompat.probe import schema, validation
from initcompat.report.load import load_results

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
            result_path = folder / schema.file_name(name, schema.KIND_RESULT)
            result_bytes = json.dumps(schema.outcome_result(
                schema.environment_record(name, entry.tensorflow, entry.python), schema.ENV_OK, None))
            result_path.write_text(result_bytes)
            seconds, failure, tail = runner.run_throughput(
                environment.python, suite, name, folder, echo=lambda _: None,
                environment=runner.process_environment(entry),
                arguments=runner.step_arguments(entry))
            assert failure is None, tail
            assert result_path.read_text() == result_bytes  # the step writes only its own files
            summary = json.loads((folder / schema.file_name(name, schema.KIND_THROUGHPUT)).read_text())
            validation.validate_throughput(summary)
            cache[name] = (summary, folder / schema.pyperf_file_name(name))
        return cache[name]

    return measure


@pytest.mark.parametrize("name", ["tf-2.21", "tf-1.15"])
def test_throughput_step_writes_a_pyperf_suite_and_a_summary(measured, name):
    block, path = measured(name)
    assert block["status"] == "ok", block.get("reason") or block.get("log_tail")
    assert block["pyperf_file"] == path.name
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
    joined = {r["env"]["name"]: r for r in load_results(old_path.parent).results}
    for name, path in (("tf-1.15", old_path), ("tf-2.21", new_path)):
        assert joined[name]["throughput"]["status"] == "ok"
        assert joined[name]["_files"]["pyperf"] == str(path)


def test_a_framework_session_is_timed_with_the_devices_own_ceilings(measured):
    """PyTorch 1.0 on Python 3.6 (the oldest interpreter): the throughput step without
    TensorFlow times torch.nn's layers on the devices torch lists, beside numpy's and torch's
    own ceilings, in the same worker processes."""
    block, path = measured("torch-1.0")
    assert block["status"] == "ok", block.get("reason")
    assert block["framework"] == "torch" and block["tensorflow"] is None
    assert block["versions"]["torch"].startswith("1.0")
    dense = block["benchmarks"]["torch.nn/Linear/64x32/cpu"]
    assert dense["params"] == 64 * 32 + 32 and dense["n"] == 6 and dense["mode"] == "eager"
    assert "torch.nn/Embedding/1000x8/cpu" in block["benchmarks"]
    ceilings = block["ceilings"]["cpu"]
    assert {"memory-write", "device-rng-float32", "device-memory-write"} <= set(ceilings)
    assert "uniform_" in ceilings["device-rng-float32"]["what"]
    assert ceilings["device-rng-float32"]["elements_per_s"] > 0
    assert block["gpu"] == "none found" or isinstance(block["gpu"], list)
    names = set(pyperf.BenchmarkSuite.load(str(path)).get_benchmark_names())
    assert "ceiling/device-rng-float32/cpu" in names
