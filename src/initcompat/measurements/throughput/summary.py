"""The throughput step's summary (schema kind "throughput"): per benchmark the median, MAD,
standard deviation, quartiles, number of values, parameters/s and bytes/s medians and device;
the ceilings per device; what the workers found and which failed. Written beside pyperf's own
file, each atomically. Python 3.6-clean: stdlib, numpy, pyperf.
"""

import os

from initcompat.probe import schema
from initcompat.probe.output import replace_atomically, write_json_atomic
from initcompat.measurements.throughput.tasks import META


def _stats(values):
    import numpy as np
    array = np.asarray(values, dtype=float)
    median = float(np.median(array))
    return {"n": int(array.size), "median_s": median,
            "mad_s": float(np.median(np.abs(array - median))),
            "stdev_s": float(np.std(array, ddof=1)) if array.size > 1 else None,
            "q1_s": float(np.percentile(array, 25)), "q3_s": float(np.percentile(array, 75)),
            "min_s": float(array.min()), "max_s": float(array.max())}


def summarize_suite(suite):
    """{"benchmarks": {name: stats}, "ceilings": {device: {ceiling: stats}}} of a BenchmarkSuite."""
    import numpy as np
    benchmarks, ceilings = {}, {}
    for benchmark in suite.get_benchmarks():
        name = benchmark.get_name()
        metadata = benchmark.get_metadata()
        values = list(benchmark.get_values())
        if not values:
            continue
        entry = _stats(values)
        rates = 1.0 / np.asarray(values, dtype=float)
        nbytes = metadata.get(META + "bytes")
        entry["bytes"] = nbytes
        entry["bytes_per_s"] = float(np.median(nbytes * rates)) if nbytes else None
        entry["device"] = metadata.get(META + "device")
        if metadata.get(META + "kind") == "ceiling":
            entry["elements"] = metadata.get(META + "elements")
            if metadata.get(META + "what"):
                entry["what"] = metadata.get(META + "what")
            entry["elements_per_s"] = float(np.median(entry["elements"] * rates)) \
                if entry["elements"] else None
            ceiling = name[len(schema.CEILING_PREFIX):].rsplit("/", 1)[0]
            ceilings.setdefault(entry["device"] or "cpu", {})[ceiling] = entry
            continue
        params = metadata.get(META + "params")
        entry.update({"params": params,
                      "params_per_s": float(np.median(params * rates)) if params else None,
                      "family": metadata.get(META + "family"), "layer": metadata.get(META + "layer"),
                      "size": metadata.get(META + "size"), "mode": metadata.get(META + "mode")})
        benchmarks[name] = entry
    return {"benchmarks": benchmarks, "ceilings": ceilings}


def write_suite_atomic(suite, path):
    """pyperf's own file, written atomically like every result."""
    replace_atomically(path, lambda temporary: suite.dump(temporary, compact=True, replace=True))


def build_summary(arguments, design, suites, infos, failures, seconds):
    """The "throughput" block of the result; its raw values stay in the pyperf file."""
    summary = {"status": "ok", "reason": None, "pyperf_file": os.path.basename(arguments.out),
               "design": dict(design, loops=1, order="benchmark order rotated by one per process"),
               "seconds": round(seconds, 2), "worker_failures": failures}
    if not suites:
        summary.update({"status": "failed", "reason": "no worker process finished",
                        "pyperf_file": None})
        return summary
    combined = suites[0]
    for other in suites[1:]:
        combined.add_runs(other)
    summary.update(summarize_suite(combined))
    first = infos[0]
    for key in ("framework", "tensorflow", "versions", "numpy", "pyperf", "devices",
                "device_names", "gpu", "skipped", "aliases"):
        summary[key] = first.get(key)
    summary["import_seconds"] = [info.get("import_seconds") for info in infos]
    summary["errors"] = sorted(set(e for info in infos for e in info["errors"]))
    for name, reason in first.get("ceilings_unavailable", {}).items():
        summary["ceilings"].setdefault("cpu", {})[name] = reason
    for device in summary["devices"] or []:
        if device != "cpu" and device not in summary["ceilings"]:
            summary["ceilings"][device] = "not measured: the ceilings are numpy on the host CPU"
    if failures or summary["errors"]:
        summary["status"] = "partial"
        summary["reason"] = "; ".join(["worker %d %s" % (f["worker"], f["reason"]) for f in failures]
                                      + summary["errors"][:3])
    summary["_suite"] = combined
    return summary


def write_summary(arguments, summary):
    """The summary file (schema kind "throughput"), written once."""
    write_json_atomic(arguments.summary_out, schema.throughput_record(
        arguments.env_name, summary, suite=schema.read_suite_identity(arguments.suite)))
