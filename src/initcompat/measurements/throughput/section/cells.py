"""One environment's column of the throughput section, and each of its cells. Pure."""

from __future__ import annotations

from initcompat.probe.schema import CEILING_MEMORY_WRITE as MEMORY_WRITE
from initcompat.probe.schema import CEILING_PHILOX_FLOAT32 as PHILOX
from initcompat.probe.schema import CEILING_DEVICE_MEMORY_WRITE as DEVICE_MEMORY_WRITE
from initcompat.probe.schema import CEILING_DEVICE_RNG_FLOAT32 as DEVICE_RNG
from initcompat.probe.schema import CEILING_PREFIX
from initcompat.report.describe import NO_GPU, gpu_text
from initcompat.report.frame import env_label
from initcompat.measurements.throughput.section.formatting import range_text, seconds_text, si
from initcompat.measurements.throughput.section.pyperf_file import PyperfValues
from initcompat.measurements.throughput.section.timing import median_ci

UNIT = "param/s"  # the section's one unit: parameters (float32) per second


def _ceilings(block: dict, values: dict) -> dict:
    """device -> ceiling name -> {rate, text, ci, n} (or {text} where it was not measured)."""
    ceilings = {}
    for device, found in (block.get("ceilings") or {}).items():
        if isinstance(found, str):
            ceilings[device] = {"text": found}
            continue
        entry = {}
        for name, ceiling in found.items():
            if isinstance(ceiling, str):
                entry[name] = {"text": ceiling, "rate": None, "ci": "", "n": None}
                continue
            # each ceiling's own rate (bytes/s, floats/s) for the fractions; shown in the
            # section's one unit: float32 parameters/s (4 bytes, or one generated float, each)
            writes = name in (MEMORY_WRITE, DEVICE_MEMORY_WRITE)
            rate = ceiling.get("bytes_per_s") if writes else ceiling.get("elements_per_s")
            per_param = 4.0 if writes else 1.0
            samples = values.get(f"{CEILING_PREFIX}{name}/{device}")
            ci = median_ci(samples) if samples else None
            scale = ceiling.get("bytes") if writes else ceiling.get("elements")
            ci_text = (range_text(scale / per_param / ci["high"], scale / per_param / ci["low"],
                                  UNIT) if ci and ci["low"] and scale else "")
            entry[name] = {"rate": rate, "text": si(rate / per_param if rate else None, UNIT),
                           "ci": ci_text, "n": ceiling.get("n")}
        ceilings[device] = entry
    return ceilings


def _ceiling_what(block: dict) -> dict:
    """device -> ceiling name -> the call it timed (device ceilings say; numpy's are fixed)."""
    found = {}
    for device, ceilings in (block.get("ceilings") or {}).items():
        if isinstance(ceilings, dict):
            for name, ceiling in ceilings.items():
                if isinstance(ceiling, dict) and isinstance(ceiling.get("what"), str):
                    found.setdefault(device, {})[name] = ceiling["what"]
    return found


def rng_and_memory(env: dict, device: str) -> tuple[tuple[str, float | None], tuple[str, float | None]]:
    """((label, rate) of the random-number ceiling, (label, rate) of the memory-write ceiling) a
    cell on `device` is set against: numpy's on the host CPU (as for TensorFlow), else the
    framework's own on that device (initcompat.probe.device_timing)."""
    ceilings = env["ceilings"].get(device) or {}

    def first(*names):
        for name, label in names:
            rate = (ceilings.get(name) or {}).get("rate")
            if rate:
                return label, rate
        return names[0][1], None

    return (first((PHILOX, "Philox"), (DEVICE_RNG, "device RNG")),
            first((MEMORY_WRITE, "mem-write"), (DEVICE_MEMORY_WRITE, "device mem-write")))


def env_entry(result: dict, pyperf: PyperfValues) -> dict:
    """What the section says about one environment's run: status, ceilings, design, notes."""
    block = result.get("throughput") or {}
    gpu = block.get("gpu")
    errors = list(block.get("errors") or [])
    if pyperf.error:
        errors.append(pyperf.error)
    elif block and pyperf.path is None and block.get("pyperf_file"):
        errors.append(f"pyperf file {file_name(block['pyperf_file'])} not found: no raw values, "
                      "no confidence intervals or tests")
    return {
        "name": result["env"]["name"], "tensorflow": result["env"]["tensorflow"],
        "label": env_label(result["env"]),
        "ceiling_what": _ceiling_what(block),
        "status": block.get("status") or "not measured",
        "reason": block.get("reason") or ("no throughput block in this result (the throughput "
                                          "step did not run)" if not block else None),
        "gpu": gpu, "gpu_text": gpu_text(gpu),
        "devices": list(block.get("devices") or []),
        "design": block.get("design"), "seconds": block.get("seconds"),
        "import_seconds": block.get("import_seconds"),
        "aliases": dict(block.get("aliases") or {}), "skipped": dict(block.get("skipped") or {}),
        "errors": errors, "ceilings": _ceilings(block, pyperf.values),
        "pyperf_file": pyperf.path.name if pyperf.path else None,  # never the machine's path
        "numpy": block.get("numpy"), "pyperf": block.get("pyperf"),
    }


def file_name(path) -> str:
    """A file's name without the folders it was in (a path says where the build host keeps it)."""
    return str(path).replace("\\", "/").rsplit("/", 1)[-1]


def resolve(env: dict, block: dict, values: dict, family: str, layer: str, size: str,
            device: str):
    """(summary entry, values, alias_of) of one benchmark in one environment, or Nones."""
    name = f"{family}/{layer}/{size}/{device}"
    alias_of = None
    entry = (block.get("benchmarks") or {}).get(name)
    if entry is None and family in env["aliases"]:
        alias_of = env["aliases"][family]
        entry = (block.get("benchmarks") or {}).get(f"{alias_of}/{layer}/{size}/{device}")
        name = f"{alias_of}/{layer}/{size}/{device}"
    return entry, values.get(name), alias_of


def _missing(text: str, title: str) -> dict:
    return {"css": "tp-missing", "text": text, "title": title, "change": None, "alias_of": None,
            "params_per_s": None, "values": []}


def cell(env: dict, entry: dict | None, samples, alias_of: str | None, device: str,
         family: str) -> dict:
    """One benchmark in one environment on one device: rate, CI, fractions of the ceilings."""
    if env["status"] not in ("ok", "partial"):
        return _missing(env["status"], env["reason"] or "")
    if device != "cpu" and device not in env["devices"]:
        return _missing(NO_GPU, f"GPU: {env['gpu_text']}")
    if entry is None:
        reason = env["skipped"].get(family) or next(
            (r for k, r in env["skipped"].items() if k.startswith(family + "/")), None)
        return _missing("unavailable" if reason else "not measured",
                        reason or "this benchmark is not in this environment's run "
                                  "(e.g. the package is not installed)")
    params = entry.get("params")
    median = entry["median_s"]
    ci = median_ci(samples) if samples else {"low": None, "high": None, "coverage": 0.0}
    rate = entry.get("params_per_s")
    found = {
        "css": "tp-ok", "params_per_s": rate, "params": params, "bytes_per_s": entry.get("bytes_per_s"),
        "text": si(rate, UNIT),
        "median": seconds_text(median), "n": entry.get("n"),
        "ci_low_rate": params / ci["high"] if ci["high"] and params else None,
        "ci_high_rate": params / ci["low"] if ci["low"] and params else None,
        "ci": (f"{si(params / ci['high'])}–{si(params / ci['low'])} "
               f"({ci['coverage']:.0%} CI)") if ci["low"] and params else "",
        "ci_range": range_text(params / ci["high"], params / ci["low"])
                    if ci["low"] and params else "",
        "coverage": ci["coverage"],
        "alias_of": alias_of, "title": "",
        "values": samples or [], "change": None,
    }
    (rng_label, philox), (memory_label, memory) = rng_and_memory(env, device)
    found["philox_fraction"] = rate / philox if rate and philox else None
    found["memory_fraction"] = (entry.get("bytes_per_s") / memory
                                if entry.get("bytes_per_s") and memory else None)
    found["fractions"] = " · ".join(part for part in (
        f"{found['philox_fraction']:.2f}× {rng_label}" if found["philox_fraction"] else "",
        f"{found['memory_fraction']:.3f}× {memory_label}" if found["memory_fraction"] else "")
        if part)
    # the cell shows the median and n; a title only says what the cell cannot
    found["title"] = f"same classes as {alias_of}, timed once as {alias_of}" if alias_of else ""
    return found


def anchor(*parts: str) -> str:
    """An HTML id for a throughput cell ("tp-..."), safe for any benchmark or environment name."""
    text = "-".join(parts)
    return "tp-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in text)
