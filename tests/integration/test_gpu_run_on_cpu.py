"""benchmarks/gpu/run.sh end to end on this machine's CPU (issue 19), with real installs: Keras 3
on JAX and Flax, from the matrix's environments, with a small suite. Where no GPU is present the
GPU pass runs on the CPU and its files say so; the report's GPU section reads them. No timing
is asserted."""

import json
import os
import subprocess
import tarfile
from pathlib import Path

import pytest

from initcompat.host import matrix
from initcompat.host.environments import ensure_environment
from initcompat.host.interpreters import find_interpreter
from initcompat.probe import schema
from initcompat.report.load import load_results
from initcompat.report.measured import measure
from initcompat.report.sections.gpu import build_gpu

ROOT = Path(__file__).resolve().parents[2]


def small_suite(folder: Path) -> Path:
    """The default suite with two layers, small samples and a tiny throughput block."""
    suite = json.loads((ROOT / "suites" / "default.json").read_text())
    suite.update(sample_target=4000, max_builds=8, subsample_size=200,
                 layers=[layer for layer in suite["layers"] if layer["kind"] in ("dense",)][:1])
    suite["initializers"].update(audit_size=200000, explicit=suite["initializers"]["explicit"][:1])
    suite["throughput"].update(processes=1, values=2, warmups=1, ceiling_elements=1 << 20,
                               device_ceiling_elements=1 << 20,
                               layers=[{"kind": "dense", "input_dim": 64, "units": 32}])
    path = folder / "small.json"
    path.write_text(json.dumps(suite))
    return path


@pytest.fixture(scope="module")
def gpu_run(tmp_path_factory):
    """The script run twice (Keras 3.15 on JAX; Flax 0.12), each with its matrix environment's
    Python; the archives unpacked into one results folder."""
    table = matrix.load_matrix(ROOT / "suites" / "matrix.toml")
    folder = tmp_path_factory.mktemp("gpu-run")
    suite = small_suite(folder)
    results = folder / "results"
    results.mkdir()
    logs = {}
    for name, target in (("keras-3.15-jax", "keras-jax"), ("flax-0.12", "flax")):
        entry = table.entry(name)
        found = find_interpreter(entry.python)
        assert found is not None, f"no Python {entry.python} for {name}"
        environment = ensure_environment(entry, found[1], table.resolution, ROOT / ".nox",
                                         ROOT / "src")
        out = folder / target
        variables = dict(os.environ, PYTHON=str(environment.python), TARGETS=target,
                         INITCOMPAT_GPU_SUITE=str(suite))
        completed = subprocess.run(["bash", str(ROOT / "benchmarks" / "gpu" / "run.sh"), str(out),
                                    str(folder / "no-wheels")], env=variables,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   timeout=900)
        logs[target] = completed.stdout
        assert completed.returncode == 0, completed.stdout[-3000:]
        with tarfile.open(out / "initcompat-gpu.tar.gz") as archive:
            archive.extractall(results)
    return results, logs


def test_every_step_writes_its_file_and_says_where_it_drew(gpu_run):
    results, logs = gpu_run
    loaded = load_results(results)
    assert not loaded.rejected, loaded.rejected
    by_name = {r["env"]["name"]: r for r in loaded.results}
    assert set(by_name) == {"keras-3.15-jax-gpu", "keras-3.15-jax-gpu-cpu", "flax-0.12-gpu",
                            "flax-0.12-gpu-cpu"}
    for name, result in by_name.items():
        assert result["status"] == schema.ENV_OK, (name, result.get("reason"))
        assert result["outcome"]["status"] == schema.ENV_OK
        devices = result["devices"]
        if devices["gpu"] == schema.NO_GPU:  # this machine: the GPU pass ran on the CPU too
            assert devices["drawn_on"] == "cpu"
            assert [d["device_type"] for d in devices["devices"]] == ["CPU"]
    hidden = by_name["keras-3.15-jax-gpu-cpu"]["devices"]
    assert hidden["visible_devices"] == "" and hidden["jax_platforms"] == "cpu"
    keras = by_name["keras-3.15-jax-gpu"]
    assert keras["initializers"]["audit"] and all(
        entry["n"] == 200000 for entry in keras["initializers"]["audit"])
    assert keras["seeding"]["records"]
    for name in ("keras-3.15-jax-gpu", "flax-0.12-gpu"):  # throughput only in the GPU pass
        block = by_name[name]["throughput"]
        assert block["status"] == "ok", block.get("reason")
        assert block["framework"] in ("keras", "flax")
        rng = block["ceilings"]["cpu"][schema.CEILING_DEVICE_RNG_FLOAT32]
        assert rng["elements_per_s"] > 0 and "jax.random.uniform" in rng["what"]
    assert "throughput" not in by_name["flax-0.12-gpu-cpu"]["outcome"]["steps"]
    for target, log in logs.items():
        assert "initcompat gpu: 1 of 1 targets wrote their files" in log, log[-2000:]


def test_the_gpu_section_compares_the_two_passes(gpu_run):
    results, _ = gpu_run
    loaded = load_results(results)
    section = build_gpu(measure(list(loaded.results)))
    labels = {run["label"]: run for run in section.runs}
    assert set(labels) == {"Keras 3.15 jax", "Flax 0.12"}
    keras = labels["Keras 3.15 jax"]
    groups = {g["method"]: g for g in keras["seed_groups"]}
    # two CPU passes of one install: every reproducible seeded build repeats byte for byte,
    # and a build without a seed is never called identical
    assert groups["keras.utils.set_random_seed"]["identical"] == \
        groups["keras.utils.set_random_seed"]["weights"] > 0
    assert groups["no seed"]["identical"] == 0
    if not section.any_gpu:
        assert all(run["gpu"] == "" and run["drawn_on"] == "cpu" for run in section.runs)
    assert {row["device"] for row in keras["throughput"]} >= {"cpu"}
    assert all(row["rng_fraction"] > 0 for row in keras["throughput"] if row["device"] == "cpu")
    assert {row["pass_name"] for row in keras["audit"]} == {"GPU pass", "CPU pass"}
    assert all(row["outside_support"] == 0 for row in keras["audit"])
