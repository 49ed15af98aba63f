"""CPU against GPU on one install (report/device_compare.py, sections/gpu.py) on joined results
built here: which passes pair up, the seeded-bytes verdicts, the throughput ratios against the
device's own ceilings, the audit rows. The real script's files are tested in
tests/integration/test_gpu_run_on_cpu.py."""

from types import SimpleNamespace

from initcompat.probe import schema
from initcompat.report import device_compare
from initcompat.report.measured import measure
from initcompat.report.render import render_index
from initcompat.report.sections.gpu import build_gpu


def result(name, cells=(), seeding=(), devices=None, throughput=None, audit=()):
    return {"env": schema.environment_record(name, schema.NO_TENSORFLOW, "3.12", ["gpu"], "lent",
                                             "3.15.1", "torch"),
            "status": schema.ENV_OK, "reason": None, "cells": list(cells),
            "devices": devices or {"gpu": schema.NO_GPU, "drawn_on": "cpu", "devices": []},
            "seeding": {"records": list(seeding)}, "initializers": {"audit": list(audit)},
            "throughput": throughput or {}}


def seeded_cell(role, sha, repeats=True):
    return {"api_family": "keras", "layer": "Dense", "weight_role": role,
            "seeded": {"sha256": sha, "seed_call": "keras.utils.set_random_seed",
                       "repeats_in_process": repeats}}


def test_pairs_need_both_passes():
    found = device_compare.pairs([result("keras-3.15-torch-gpu"),
                                  result("keras-3.15-torch-gpu-cpu"), result("flax-0.12-gpu")])
    assert [(p.gpu["env"]["name"], p.cpu["env"]["name"]) for p in found] == [
        ("keras-3.15-torch-gpu", "keras-3.15-torch-gpu-cpu")]


def test_seed_verdicts_identical_differs_and_not_reproducible():
    gpu = result("k-gpu", cells=[seeded_cell("kernel", "a"), seeded_cell("bias", "b"),
                                 seeded_cell("gamma", "c", repeats=False)],
                 seeding=[{"family": "keras", "target": "Dense kernel", "method": "no seed",
                           "status": "not reproducible", "sha256": "x"}])
    cpu = result("k-gpu-cpu", cells=[seeded_cell("kernel", "a"), seeded_cell("bias", "B"),
                                     seeded_cell("gamma", "c")],
                 seeding=[{"family": "keras", "target": "Dense kernel", "method": "no seed",
                           "status": "not reproducible", "sha256": "x"}])
    rows = device_compare.seed_rows(device_compare.DevicePair(gpu, cpu))
    verdicts = {(row["method"], row["weight"]): row["verdict"] for row in rows}
    assert verdicts == {
        ("keras.utils.set_random_seed", "keras Dense kernel"): "identical",
        ("keras.utils.set_random_seed", "keras Dense bias"): "differs",
        ("keras.utils.set_random_seed", "keras Dense gamma"): "not reproducible",
        ("no seed", "keras Dense kernel"): "not reproducible"}
    groups = {g["method"]: g for g in device_compare.seed_groups(rows)}
    assert groups["keras.utils.set_random_seed"]["identical"] == 1
    assert groups["keras.utils.set_random_seed"]["differs"] == 1
    assert groups["no seed"]["identical"] == 0  # same bytes by chance never read "identical"


def test_throughput_against_the_cpu_and_the_device_ceilings():
    block = {"status": "ok", "device_names": {"gpu0": "NVIDIA H200"},
             "benchmarks": {
                 "keras/Dense/4096x4096/cpu": {"params_per_s": 5e7, "bytes_per_s": 2e8, "n": 12},
                 "keras/Dense/4096x4096/gpu0": {"params_per_s": 1e10, "bytes_per_s": 4e10,
                                                "n": 12}},
             "ceilings": {"gpu0": {
                 schema.CEILING_DEVICE_RNG_FLOAT32: {"elements_per_s": 1e11, "what": "uniform_"},
                 schema.CEILING_DEVICE_MEMORY_WRITE: {"bytes_per_s": 4e12, "what": "fill_"}}}}
    pair = device_compare.DevicePair(result("k-gpu", throughput=block), result("k-gpu-cpu"))
    rows = {row["device"]: row for row in device_compare.throughput_rows(pair)}
    assert rows["gpu0"]["vs_cpu"] == 200.0
    assert rows["gpu0"]["rng_fraction"] == 0.1 and rows["gpu0"]["memory_fraction"] == 0.01
    assert rows["cpu"]["vs_cpu"] is None and rows["cpu"]["rng_fraction"] is None
    assert [r["ceiling"] for r in device_compare.ceiling_rows(pair)] == [
        schema.CEILING_DEVICE_RNG_FLOAT32, schema.CEILING_DEVICE_MEMORY_WRITE]


def test_audit_rows_per_pass_with_the_device_drawn_on():
    entry = {"namespace": "keras.initializers", "initializer": "TruncatedNormal",
             "support": "mean ± 2 stddev", "n": 1000000, "outside_support": 3}
    gpu = result("k-gpu", audit=[entry], devices={"gpu": ["NVIDIA H200"], "drawn_on": "gpu"})
    pair = device_compare.DevicePair(gpu, result("k-gpu-cpu", audit=[dict(entry,
                                                                         outside_support=0)]))
    rows = device_compare.audit_rows(pair)
    assert [(r["pass_name"], r["drawn_on"], r["outside_support"]) for r in rows] == [
        ("GPU pass", "gpu", 3), ("CPU pass", "cpu", 0)]
    assert rows[0]["rate"] == 3e-6 and rows[0]["rate_ci_low"] > 0


def test_the_section_says_no_gpu_run_and_names_the_gpu_when_there_is_one(tmp_path):
    from initcompat.report.sections import Inputs, build_view
    empty = build_gpu(measure([]))
    assert empty.runs == [] and not empty.any_gpu
    view = build_view(Inputs(results=[], rejected=[], pyperf=[]))
    html = render_index(view)
    assert "these results hold no GPU run" in html and "No gpu" not in html
    gpu = result("keras-3.15-torch-gpu", cells=[seeded_cell("kernel", "a")],
                 devices={"gpu": ["NVIDIA <H200>"], "drawn_on": "gpu", "how": "default"})
    section = build_gpu(SimpleNamespace(results=[gpu, result("keras-3.15-torch-gpu-cpu",
                                                             cells=[seeded_cell("kernel", "b")])]))
    assert section.any_gpu and section.runs[0]["gpu"] == "NVIDIA <H200>"
    assert section.runs[0]["seed_groups"][0]["differs"] == 1
    assert section.table[0]["verdict"] == "differs"


def test_throughput_cells_use_numpys_ceilings_on_the_host_and_the_devices_own_elsewhere():
    from initcompat.measurements.throughput.section.cells import rng_and_memory
    env = {"ceilings": {
        "cpu": {schema.CEILING_PHILOX_FLOAT32: {"rate": 3e8},
                schema.CEILING_MEMORY_WRITE: {"rate": 1e10},
                schema.CEILING_DEVICE_RNG_FLOAT32: {"rate": 5e7}},
        "gpu0": {schema.CEILING_DEVICE_RNG_FLOAT32: {"rate": 1e11},
                 schema.CEILING_DEVICE_MEMORY_WRITE: {"rate": 4e12}}}}
    assert rng_and_memory(env, "cpu") == (("Philox", 3e8), ("mem-write", 1e10))
    assert rng_and_memory(env, "gpu0") == (("device RNG", 1e11), ("device mem-write", 4e12))
    assert rng_and_memory(env, "gpu1") == (("Philox", None), ("mem-write", None))
