"""The throughput section of the report: initialization speed per version and device.

Pure: ordered results (with the "throughput" block that initcompat.probe.throughput merged into
each) and the pyperf files beside them in, plain dicts out for templates/throughput.html.j2.

Statistics. Each cell shows the median time of one initialization and its distribution-free
confidence interval (order statistics of the pooled values, coverage >= 95% when there are
enough values; the coverage is stated). Parameters/s and bytes/s are the parameter count
(float32: 4 bytes each) divided by those times. A change between a version and the previous
version that measured the same benchmark is flagged only when an exact two-sided Mann-Whitney U
test on the raw values gives p < 0.002 (asv's threshold) AND the medians differ by more than a
factor 1.1; the text says by how much. Each version is also set against the machine's ceilings
measured in the same run (numpy memory-write bandwidth, numpy Philox float32 rate).
"""

from __future__ import annotations

import gzip
import json
import math
from pathlib import Path

import numpy as np
from scipy import stats

from initcompat.probe.schema import API_FAMILIES
from initcompat.report.describe import short_version

P_THRESHOLD = 0.002
FACTOR_THRESHOLD = 1.1
CONFIDENCE = 0.95
CEILING_PREFIX = "ceiling/"
MEMORY_WRITE = "memory-write"
PHILOX = "philox-float32"
NO_GPU = "no GPU measured"
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22")


# ---------------------------------------------------------------------------- numbers

def si(value: float | None, unit: str = "", digits: int = 3) -> str:
    """72200000 -> '72.2 M' + unit; None -> '—'."""
    if value is None or not math.isfinite(value):
        return "—"
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.{digits}g} {prefix}{unit}"
    return f"{value:.{digits}g} {unit}".rstrip()


def seconds_text(value: float | None) -> str:
    if value is None:
        return "—"
    if value >= 1:
        return f"{value:.3g} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


def median_ci(values, confidence: float = CONFIDENCE) -> dict:
    """Distribution-free CI of the median from order statistics: {low, high, coverage}.

    [x_(j), x_(n+1-j)] covers the median with probability 1 - 2 P(Binomial(n, 1/2) <= j - 1);
    j is the largest rank reaching `confidence`. With too few values even [min, max] covers
    less, and the returned coverage says so.
    """
    ordered = np.sort(np.asarray(values, dtype=float))
    n = ordered.size
    if n == 0:
        return {"low": None, "high": None, "coverage": 0.0}
    best = 1
    for j in range(1, n // 2 + 1):
        if 1 - 2 * stats.binom.cdf(j - 1, n, 0.5) >= confidence:
            best = j
        else:
            break
    coverage = float(1 - 2 * stats.binom.cdf(best - 1, n, 0.5))
    return {"low": float(ordered[best - 1]), "high": float(ordered[n - best]), "coverage": coverage}


def compare(before, after, *, p_threshold: float = P_THRESHOLD,
            factor_threshold: float = FACTOR_THRESHOLD) -> dict:
    """Exact Mann-Whitney U on the raw times; flagged only when significant AND > the factor.

    ratio = median(after) / median(before) of the times: > 1 is slower (a regression).
    """
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    ratio = float(np.median(after) / np.median(before))
    p = float(stats.mannwhitneyu(before, after, alternative="two-sided", method="exact").pvalue)
    factor = max(ratio, 1 / ratio)
    significant = p < p_threshold
    flagged = significant and factor > factor_threshold
    direction = "slower" if ratio > 1 else "faster"
    if flagged:
        kind = "regression" if ratio > 1 else "speed-up"
        text = f"{factor:.2f}× {direction}"
    elif significant:
        kind = "small"
        text = f"{factor:.2f}× {direction}, within the ×{factor_threshold:g} threshold"
    else:
        kind = "same"
        text = f"no significant change ({factor:.2f}× {direction}, p = {p:.2g})"
    return {"kind": kind, "flagged": flagged, "ratio": ratio, "factor": factor, "p": p,
            "n_before": int(before.size), "n_after": int(after.size), "text": text,
            "detail": (f"median {seconds_text(float(np.median(before)))} → "
                       f"{seconds_text(float(np.median(after)))}; exact Mann–Whitney U p = {p:.2g}, "
                       f"n = {before.size}/{after.size}")}


# ---------------------------------------------------------------------------- input

def read_pyperf_values(path: Path) -> dict[str, list[float]]:
    """{benchmark name: every timed value} of a pyperf JSON file (warmups excluded).

    Reads pyperf's format directly (version 1.0): a benchmark's name is in its metadata, or in
    the suite's metadata when pyperf hoisted it there; runs without values are calibration runs.
    """
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    document = json.loads(raw.decode("utf-8"))
    common = document.get("metadata") or {}
    found: dict[str, list[float]] = {}
    for benchmark in document.get("benchmarks") or []:
        name = (benchmark.get("metadata") or {}).get("name") or common.get("name")
        if not name:
            continue
        values = found.setdefault(name, [])
        for run in benchmark.get("runs") or []:
            values.extend(float(v) for v in run.get("values") or [])
    return found


def find_pyperf_file(result: dict, results_dirs) -> Path | None:
    """The pyperf file of a result: beside its result file, else anywhere under the results."""
    block = result.get("throughput") or {}
    name = block.get("pyperf_file") or f"{result['env']['name']}.pyperf.json"
    candidates = []
    if result.get("_source"):
        candidates.append(Path(result["_source"]).parent / name)
    for source in results_dirs or []:
        source = Path(source)
        folder = source if source.is_dir() else source.parent
        candidates.append(folder / name)
        if source.is_dir():
            candidates.extend(sorted(folder.rglob(name)))
    for candidate in candidates:
        if candidate.is_file():
            return candidate
    return None


# ---------------------------------------------------------------------------- view

def _split(name: str) -> tuple[str, str, str, str]:
    family, layer, size, device = name.rsplit("/", 3)
    return family, layer, size, device


def _row_sort_key(key: tuple[str, str, str]) -> tuple:
    family, layer, size = key
    order = API_FAMILIES.index(family) if family in API_FAMILIES else len(API_FAMILIES)
    params = math.prod(int(p) for p in size.split("x") if p.isdigit()) if size else 0
    return (order, family, layer, params, size)


def _env_entry(result: dict, values: dict, pyperf_path: Path | None) -> dict:
    block = result.get("throughput") or {}
    status = block.get("status") or "not measured"
    gpu = block.get("gpu")
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
            rate = ceiling.get("bytes_per_s") if name == MEMORY_WRITE else ceiling.get("elements_per_s")
            unit = "B/s" if name == MEMORY_WRITE else "float/s"
            samples = values.get(f"{CEILING_PREFIX}{name}/{device}")
            ci = median_ci(samples) if samples else None
            scale = ceiling.get("bytes") if name == MEMORY_WRITE else ceiling.get("elements")
            ci_text = (f"{si(scale / ci['high'])}–{si(scale / ci['low'], unit)}"
                       if ci and ci["low"] and scale else "")
            entry[name] = {"rate": rate, "text": si(rate, unit), "ci": ci_text,
                           "n": ceiling.get("n")}
        ceilings[device] = entry
    return {
        "name": result["env"]["name"], "tensorflow": result["env"]["tensorflow"],
        "label": short_version(result["env"]["tensorflow"]), "status": status,
        "reason": block.get("reason") or ("no throughput block in this result (the throughput "
                                          "step did not run)" if not block else None),
        "gpu": gpu, "gpu_text": NO_GPU if gpu in (None, "none found") or not gpu else
        (", ".join(gpu) if isinstance(gpu, list) else str(gpu)),
        "devices": list(block.get("devices") or []),
        "design": block.get("design"), "seconds": block.get("seconds"),
        "import_seconds": block.get("import_seconds"),
        "aliases": dict(block.get("aliases") or {}), "skipped": dict(block.get("skipped") or {}),
        "errors": list(block.get("errors") or []), "ceilings": ceilings,
        "pyperf_file": str(pyperf_path) if pyperf_path else None,
        "numpy": block.get("numpy"), "pyperf": block.get("pyperf"),
    }


def _resolve(env: dict, block: dict, values: dict, family: str, layer: str, size: str,
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


def _cell(env: dict, entry: dict | None, samples, alias_of: str | None, device: str,
          family: str) -> dict:
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
    cell = {
        "css": "tp-ok", "params_per_s": rate, "bytes_per_s": entry.get("bytes_per_s"),
        "text": si(rate, "param/s"), "bytes": si(entry.get("bytes_per_s"), "B/s"),
        "median": seconds_text(median), "n": entry.get("n"),
        "ci_low_rate": params / ci["high"] if ci["high"] and params else None,
        "ci_high_rate": params / ci["low"] if ci["low"] and params else None,
        "ci": (f"{si(params / ci['high'])}–{si(params / ci['low'])} "
               f"({ci['coverage']:.0%} CI)") if ci["low"] and params else "",
        "alias_of": alias_of, "title": "",
        "values": samples or [], "change": None,
    }
    philox = ((env["ceilings"].get(device) or {}).get(PHILOX) or {}).get("rate")
    memory = ((env["ceilings"].get(device) or {}).get(MEMORY_WRITE) or {}).get("rate")
    cell["philox_fraction"] = rate / philox if rate and philox else None
    cell["memory_fraction"] = (entry.get("bytes_per_s") / memory
                               if entry.get("bytes_per_s") and memory else None)
    cell["fractions"] = " · ".join(part for part in (
        f"{cell['philox_fraction']:.2f}× Philox" if cell["philox_fraction"] else "",
        f"{cell['memory_fraction']:.3f}× mem-write" if cell["memory_fraction"] else "") if part)
    cell["title"] = (f"median {cell['median']} per initialization, n = {cell['n']} values"
                     + (f"; same classes as {alias_of}, timed once as {alias_of}" if alias_of else ""))
    return cell


def throughput_section(ordered_results: list[dict], results_dirs) -> dict:
    """View data for templates/throughput.html.j2 (passed to it as `throughput`).

    ordered_results: results in version order (report.frame.order_results), as loaded (with
    "_source"); results_dirs: the folders/files given to the report (where pyperf files are
    looked for when they are not beside their result).
    """
    envs, blocks, values_by_env = [], [], []
    for result in ordered_results:
        block = result.get("throughput") or {}
        path = find_pyperf_file(result, results_dirs) if block.get("pyperf_file") or block else None
        try:
            values = read_pyperf_values(path) if path else {}
        except (OSError, ValueError) as error:
            values = {}
            block = dict(block, errors=list(block.get("errors") or [])
                         + [f"pyperf file {path}: {error}"])
        env = _env_entry(result, values, path)
        if block and path is None and block.get("pyperf_file"):
            env["errors"].append(f"pyperf file {block['pyperf_file']} not found: no raw values, "
                                 "no confidence intervals or tests")
        envs.append(env)
        blocks.append(block)
        values_by_env.append(values)
    keys, gpu_devices = set(), set()
    for env, block in zip(envs, blocks):
        for name in block.get("benchmarks") or {}:
            family, layer, size, device = _split(name)
            keys.add((family, layer, size))
            if device != "cpu":
                gpu_devices.add(device)
        for alias, target in env["aliases"].items():
            for family, layer, size in list(keys):
                if family == target:
                    keys.add((alias, layer, size))
    devices = ["cpu"] + (sorted(gpu_devices) or ["gpu"])
    rows = []
    timeline: dict[str, list[dict]] = {}
    reported = set()  # an alias row must not report the same measured change twice
    for family, layer, size in sorted(keys, key=_row_sort_key):
        row = {"family": family, "layer": layer, "size": size,
               "benchmark": f"{family}/{layer}/{size}", "devices": []}
        for device in devices:
            cells, previous = [], None
            for env, block, values in zip(envs, blocks, values_by_env):
                entry, samples, alias_of = _resolve(env, block, values, family, layer, size, device)
                cell = _cell(env, entry, samples, alias_of, device, family)
                measured = f"{alias_of or family}/{layer}/{size}/{device}"
                cell["id"] = _anchor(family, layer, size, device, env["name"])
                if cell["css"] == "tp-ok" and samples:
                    if previous is not None:
                        change = compare(previous[1], samples)
                        change["since"] = previous[0]["label"]
                        _note_ceiling_drift(change, previous[0], env, device)
                        cell["change"] = change
                        if change["flagged"] and (env["name"], measured, previous[2]) not in reported:
                            reported.add((env["name"], measured, previous[2]))
                            timeline.setdefault(env["name"], []).append({
                                "row": f"{family}/{layer}/{size}/{device}", "kind": change["kind"],
                                "text": f"initialization throughput {change['text']} "
                                        f"({change['detail']})",
                                "cell": cell["id"], "since": previous[0]["label"],
                                "factor": change["factor"], "p": change["p"]})
                    previous = (env, samples, measured)
                cells.append(cell)
            row["devices"].append({"device": device, "cells": cells})
        rows.append(row)
    return {
        "present": any(blocks),
        "envs": envs, "devices": devices, "rows": rows,
        "timeline": [{"env": env["name"], "label": env["label"], "changes": timeline[env["name"]]}
                     for env in envs if env["name"] in timeline],
        "charts": [chart for index, device in enumerate(devices)
                   for benchmark in dict.fromkeys(r["benchmark"].split("/", 1)[1] for r in rows)
                   for chart in [_chart([r for r in rows if r["benchmark"].endswith("/" + benchmark)],
                                        envs, device, index, benchmark)] if chart],
        "no_gpu": not gpu_devices,
        "p_threshold": P_THRESHOLD, "factor_threshold": FACTOR_THRESHOLD,
    }


def _note_ceiling_drift(change: dict, before: dict, after: dict, device: str) -> None:
    """Say so when the machine itself (its Philox ceiling) moved by more than the factor between
    the two runs: then the change may be the machine's state, not TensorFlow."""
    rates = [((env["ceilings"].get(device) or {}).get(PHILOX) or {}).get("rate")
             for env in (before, after)]
    change["ceiling_drift"] = rates[1] / rates[0] if all(rates) else None
    drift = change["ceiling_drift"]
    if drift and max(drift, 1 / drift) > FACTOR_THRESHOLD:
        change["caution"] = (f"the Philox ceiling measured in the same runs also moved "
                             f"{max(drift, 1 / drift):.2f}× ({'faster' if drift > 1 else 'slower'}): "
                             "part of this change may be the machine's state, not TensorFlow")
        change["detail"] += "; " + change["caution"]
    else:
        change["caution"] = None


def _anchor(*parts: str) -> str:
    text = "-".join(parts)
    return "tp-" + "".join(c if c.isalnum() or c in "-_." else "_" for c in text)


def merge_timeline(timeline: list[dict], section: dict, envs: list[dict]) -> list[dict]:
    """view.timeline with the section's flagged throughput changes added, in `envs` order."""
    by_env = {entry["env"]: dict(entry, changes=list(entry["changes"])) for entry in timeline}
    for entry in section.get("timeline", []):
        if entry["env"] in by_env:
            by_env[entry["env"]]["changes"].extend(entry["changes"])
        else:
            by_env[entry["env"]] = dict(entry, changes=list(entry["changes"]))
    return [by_env[env["name"]] for env in envs if env["name"] in by_env]


# ---------------------------------------------------------------------------- chart

def _chart(rows: list[dict], envs: list[dict], device: str, device_index: int,
           benchmark: str) -> dict | None:
    """Geometry of one line chart (inline SVG, no JS): parameters/s of one layer size across
    versions, a line per API family, whiskers for the CI of the median, dashed ceilings."""
    series = []
    for row in rows:
        cells = row["devices"][device_index]["cells"]
        points = [(env_index, cell) for env_index, cell in enumerate(cells)
                  if cell["css"] == "tp-ok" and cell.get("params_per_s")]
        if points:
            series.append((row, points))
    if not series:
        return None
    ceilings = []
    for name, label, per_param in ((PHILOX, "numpy Philox float32", 1.0),
                                   (MEMORY_WRITE, "numpy memory write", 4.0)):
        rates = [((env["ceilings"].get(device) or {}).get(name) or {}).get("rate") for env in envs]
        rates = [r / per_param for r in rates if r]
        if rates:
            ceilings.append((label, float(np.median(rates))))
    numbers = [c["params_per_s"] for _, points in series for _, c in points]
    numbers += [c[k] for _, points in series for _, c in points
                for k in ("ci_low_rate", "ci_high_rate") if c.get(k)]
    numbers += [rate for _, rate in ceilings]
    low = math.floor(math.log10(min(numbers)))
    high = math.ceil(math.log10(max(numbers)))
    if high == low:
        high += 1
    left, right, top, bottom = 60, 740, 20, 200
    step = (right - left) / max(len(envs) - 1, 1)

    def x_of(env_index: int) -> float:
        return round(left + env_index * step, 1)

    def y_of(value: float) -> float:
        return round(bottom - (math.log10(value) - low) / (high - low) * (bottom - top), 1)

    shapes: dict = {"polylines": [], "points": [], "whiskers": [], "ticks": [], "xlabels": [],
                    "lines": [], "legend": []}
    for number, (row, points) in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        family = row["benchmark"].split("/", 1)[0]
        shapes["polylines"].append({"color": color, "points": " ".join(
            f"{x_of(i)},{y_of(c['params_per_s'])}" for i, c in points)})
        for env_index, cell in points:
            shapes["points"].append({"x": x_of(env_index), "y": y_of(cell["params_per_s"]),
                                     "color": color,
                                     "title": f"{family}, TF {envs[env_index]['label']}: "
                                              f"{cell['text']} ({cell['ci'] or 'no CI'})"})
            if cell.get("ci_low_rate") and cell.get("ci_high_rate"):
                shapes["whiskers"].append({"x": x_of(env_index), "y1": y_of(cell["ci_low_rate"]),
                                           "y2": y_of(cell["ci_high_rate"])})
        shapes["legend"].append({"x": left + 130 * (number % 5), "y": bottom + 44 + 16 * (number // 5),
                                 "color": color, "text": family})
    for exponent in range(low, high + 1):
        shapes["ticks"].append({"y": y_of(10.0 ** exponent), "label": si(10.0 ** exponent)})
    label_every = max(1, math.ceil(len(envs) / 18))
    for env_index, env in enumerate(envs):
        if env_index % label_every == 0 or env_index == len(envs) - 1:
            shapes["xlabels"].append({"x": x_of(env_index), "text": env["label"]})
    for label, rate in ceilings:
        shapes["lines"].append({"y": y_of(rate), "x1": left, "x2": right,
                                "label": f"{label} {si(rate, 'float/s')}"})
    height = bottom + 44 + 16 * ((len(series) - 1) // 5 + 1)
    return dict(shapes, device=device, width=right + 190, height=height, left=left, right=right,
                top=top, bottom=bottom,
                title=f"{benchmark} on {device}: parameters/s per version (log scale; whiskers: "
                      "CI of the median; dashed: ceilings, median over versions)")
