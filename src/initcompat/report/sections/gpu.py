"""The GPU section (issue 19): per target of benchmarks/gpu/run.sh, the GPU pass against the
CPU pass of the same install: seeded bytes, throughput against the device's own ceilings, the
strict tail audit per device (report/device_compare.py). Without such files it says that no GPU
run is in the results and how to make one. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.report import device_compare
from initcompat.report.describe import NO_GPU
from initcompat.report.frame import env_label
from initcompat.report.measured import Measured
from initcompat.measurements.throughput.section.formatting import si

# reports/gpu_seeds.csv: one row per seeded weight of a GPU run, both passes.
GPU_SEED_COLUMNS = ["target", "gpu_env", "cpu_env", "gpu", "gpu_pass_drawn_on", "method",
                    "weight", "verdict", "sha256_gpu_pass", "sha256_cpu_pass"]


@dataclass(frozen=True)
class Gpu:
    runs: list[dict]  # per target: label, envs, gpu, drawn_on, seed groups, throughput, audit
    any_gpu: bool  # some GPU pass listed a GPU (else the page says NO_GPU once)
    table: list[dict]  # reports/gpu_seeds.csv


def _fraction(value: float | None, digits: str = ".3g") -> str:
    return format(value, digits) + "×" if value else "—"


def build_gpu(measured: Measured) -> Gpu:
    runs, table = [], []
    for pair in device_compare.pairs(measured.results):
        gpus = device_compare.gpu_names(pair.gpu)
        label = env_label(pair.gpu["env"])
        seeds = device_compare.seed_rows(pair)
        for row in seeds:
            table.append(dict(row, target=label, gpu_env=pair.gpu["env"]["name"],
                              cpu_env=pair.cpu["env"]["name"], gpu=", ".join(gpus) or NO_GPU,
                              gpu_pass_drawn_on=device_compare.drawn_on(pair.gpu)))
        throughput = [dict(row, rate=si(row["params_per_s"], "param/s"),
                           vs_cpu_text=_fraction(row["vs_cpu"], ".2f"),
                           rng_text=_fraction(row["rng_fraction"]),
                           memory_text=_fraction(row["memory_fraction"]))
                      for row in device_compare.throughput_rows(pair)]
        ceilings = [dict(row, rate=si(row["float32_per_s"], "float32/s"))
                    for row in device_compare.ceiling_rows(pair)]
        runs.append({
            "label": label, "gpu_env": pair.gpu["env"]["name"], "cpu_env": pair.cpu["env"]["name"],
            "gpu": ", ".join(gpus), "drawn_on": device_compare.drawn_on(pair.gpu),
            "how": str((pair.gpu.get("devices") or {}).get("how") or ""),
            "statuses": [pair.gpu.get("status"), pair.cpu.get("status")],
            "seed_groups": device_compare.seed_groups(seeds),
            "throughput": throughput, "ceilings": ceilings,
            "throughput_status": (pair.gpu.get("throughput") or {}).get("status") or "not measured",
            "audit": device_compare.audit_rows(pair)})
    return Gpu(runs=runs, any_gpu=any(run["gpu"] for run in runs), table=table)
