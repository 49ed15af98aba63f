"""CPU against GPU on one install (issue 19): the two passes of benchmarks/gpu/run.sh compared.

A GPU run leaves, per target, NAME-gpu (every device visible; the draws on the GPU where the
framework sees one) and NAME-gpu-cpu (the same install with the GPU hidden). Compared here:

  seeds       per seeded weight (the probe's seeded builds, the framework probe's, and every
              seeding method of the seeding step): are the bytes of the two passes identical?
              A method that does not repeat even within one pass is "not reproducible", not
              "differs".
  throughput  per layer benchmark of the GPU pass: the rate on the CPU and on each GPU in the
              same run, their ratio, and the GPU rate as a fraction of that GPU's own RNG and
              memory-write ceilings (initcompat.probe.device_timing).
  audit       the strict tail audit of each pass: values outside the declared support per
              initializer, as a rate with its interval (report.tail_audit).

Pure: reads joined results (report.load), returns plain rows.
"""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.report.tail_audit import audit_row

GPU_SUFFIX = "-gpu"
CPU_SUFFIX = "-gpu-cpu"


@dataclass(frozen=True)
class DevicePair:
    gpu: dict  # the GPU pass's joined result
    cpu: dict  # the CPU pass's


def pairs(results: list[dict]) -> list[DevicePair]:
    """Every NAME-gpu result with its NAME-gpu-cpu, in the order the GPU passes come."""
    by_name = {result["env"]["name"]: result for result in results}
    found = []
    for name, result in by_name.items():
        if name.endswith(GPU_SUFFIX) and name[:-len(GPU_SUFFIX)] + CPU_SUFFIX in by_name:
            found.append(DevicePair(result, by_name[name[:-len(GPU_SUFFIX)] + CPU_SUFFIX]))
    return found


def gpu_names(result: dict) -> list[str]:
    """The GPUs a result's devices block lists ([] for "none found" or a failed listing)."""
    gpu = (result.get("devices") or {}).get("gpu")
    return [str(name) for name in gpu] if isinstance(gpu, list) else []


def drawn_on(result: dict) -> str:
    """Where the draws of a pass were made, as its devices block says ("cpu" when unsaid)."""
    return str((result.get("devices") or {}).get("drawn_on") or "cpu")


def _seeded(result: dict) -> dict[tuple[str, str], dict]:
    """(method, weight) -> {sha256, reproducible} of every seeded build in one pass."""
    found = {}
    # TF/Keras cells name their API in api_family, the framework probe's cells in api
    for cells, api in (("cells", "api_family"), ("framework_cells", "api")):
        for cell in result.get(cells) or []:
            seeded = cell.get("seeded") or {}
            if isinstance(seeded, dict) and seeded.get("sha256"):
                weight = f"{cell.get(api)} {cell.get('layer')} {cell.get('weight_role')}"
                found[(str(seeded.get("seed_call")), weight)] = {
                    "sha256": seeded["sha256"], "reproducible": seeded.get("repeats_in_process")}
    for record in (result.get("seeding") or {}).get("records") or []:
        if isinstance(record, dict) and record.get("sha256"):
            weight = f"{record.get('family')} {record.get('target')}"
            found[(str(record.get("method")), weight)] = {
                "sha256": record["sha256"],
                "reproducible": record.get("status") == "reproducible"}
    return found


def seed_rows(pair: DevicePair) -> list[dict]:
    """One row per seeded weight in both passes: identical, differs or not reproducible."""
    gpu, cpu = _seeded(pair.gpu), _seeded(pair.cpu)
    rows = []
    for key in sorted(set(gpu) & set(cpu)):
        method, weight = key
        if not (gpu[key]["reproducible"] and cpu[key]["reproducible"]):
            verdict = "not reproducible"
        else:
            verdict = "identical" if gpu[key]["sha256"] == cpu[key]["sha256"] else "differs"
        rows.append({"method": method, "weight": weight, "verdict": verdict,
                     "sha256_gpu_pass": gpu[key]["sha256"], "sha256_cpu_pass": cpu[key]["sha256"]})
    return rows


def seed_groups(rows: list[dict]) -> list[dict]:
    """Per seeding method: how many weights are identical, differ, or are not reproducible."""
    groups: dict[str, dict] = {}
    for row in rows:
        group = groups.setdefault(row["method"], {"method": row["method"], "identical": 0,
                                                  "differs": 0, "not reproducible": 0,
                                                  "weights": 0})
        group[row["verdict"]] += 1
        group["weights"] += 1
    return list(groups.values())


def _ceiling_rate(ceilings: dict, name: str) -> float | None:
    entry = ceilings.get(name) if isinstance(ceilings, dict) else None
    if not isinstance(entry, dict):
        return None
    return entry.get("bytes_per_s") if name == schema.CEILING_DEVICE_MEMORY_WRITE \
        else entry.get("elements_per_s")


def throughput_rows(pair: DevicePair) -> list[dict]:
    """Per layer benchmark of the GPU pass and each device: rate, ratio to the CPU in the same
    run, fractions of the device's own ceilings."""
    block = pair.gpu.get("throughput") or {}
    benchmarks = block.get("benchmarks") or {}
    ceilings = block.get("ceilings") or {}
    by_layer: dict[str, dict[str, dict]] = {}
    for name, entry in benchmarks.items():
        family_layer_size, device = name.rsplit("/", 1)
        by_layer.setdefault(family_layer_size, {})[device] = entry
    rows = []
    for layer, devices in sorted(by_layer.items()):
        cpu_rate = (devices.get("cpu") or {}).get("params_per_s")
        for device, entry in sorted(devices.items()):
            rate = entry.get("params_per_s")
            rng = _ceiling_rate(ceilings.get(device) or {}, schema.CEILING_DEVICE_RNG_FLOAT32)
            memory = _ceiling_rate(ceilings.get(device) or {},
                                   schema.CEILING_DEVICE_MEMORY_WRITE)
            rows.append({
                "benchmark": layer, "device": device,
                "device_name": (block.get("device_names") or {}).get(device, device),
                "params_per_s": rate, "n": entry.get("n"),
                "vs_cpu": rate / cpu_rate if rate and cpu_rate and device != "cpu" else None,
                "rng_fraction": rate / rng if rate and rng else None,
                "memory_fraction": (entry.get("bytes_per_s") / memory
                                    if entry.get("bytes_per_s") and memory else None)})
    return rows


def ceiling_rows(pair: DevicePair) -> list[dict]:
    """The device ceilings of the GPU pass's throughput step (what each timed, its rate)."""
    block = pair.gpu.get("throughput") or {}
    rows = []
    for device, found in sorted((block.get("ceilings") or {}).items()):
        if not isinstance(found, dict):
            continue
        for name in (schema.CEILING_DEVICE_RNG_FLOAT32, schema.CEILING_DEVICE_MEMORY_WRITE):
            entry = found.get(name)
            if isinstance(entry, dict):
                rate = _ceiling_rate(found, name)  # bytes/s for memory-write: 4 per float32
                rows.append({"device": device, "ceiling": name, "what": entry.get("what"),
                             "float32_per_s": (rate / 4 if rate and name ==
                                               schema.CEILING_DEVICE_MEMORY_WRITE else rate)})
    return rows


def audit_rows(pair: DevicePair) -> list[dict]:
    """The strict tail audit of both passes, one row per initializer and pass."""
    rows = []
    for label, result in (("GPU pass", pair.gpu), ("CPU pass", pair.cpu)):
        for entry in (result.get("initializers") or {}).get("audit") or []:
            counted = audit_row(entry) if isinstance(entry, dict) else None
            if counted is None:
                continue
            rows.append(dict(counted, pass_name=label, drawn_on=drawn_on(result),
                             initializer=f"{entry.get('namespace')}.{entry.get('initializer')}",
                             support=entry.get("support")))
    return rows
