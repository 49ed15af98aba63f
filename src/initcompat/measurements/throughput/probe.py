"""Initialization throughput, timed with pyperf, beside the machine's own ceilings.

    python -m initcompat.measurements.throughput.probe --suite suites/default.json \\
        --env-name NAME --out results/NAME.pyperf.json --summary-out results/NAME.throughput.json

What is timed. For every device TensorFlow lists (the CPU, each GPU), every API family this
environment offers (initcompat.probe.apis.families_for, plus tf_keras when installed) and every
layer of the suite's "throughput" block: constructing the layer with no initializer arguments,
creating its weights and materializing them as host numpy arrays. Eager families: the layer,
layer.build(shape) and .numpy() of every weight, under tf.device. Graph families (tf.layers,
tf.compat.v1.layers, tf.keras on TF 1.x): a fresh tf.Graph, the layer on a placeholder under
tf.device, a Session that runs the variables' initializers and fetches their values; graph
construction and Session creation are part of what a graph-mode user pays, so they are timed.
Without TensorFlow (--framework keras, torch, flax or jax-stax: a Keras 3 session on JAX, PyTorch
or NumPy, or a framework session) the same is timed on every device that framework lists, the
framework's own way (initcompat.probe.device_timing), with the device's own RNG and memory-write
ceilings beside numpy's.
Each value is one such initialization (loops = 1: even the smallest layer takes milliseconds).
Throughput = parameters (float32, so bytes = 4 x parameters) / seconds. A family whose layer
class is the very same object as one already timed (tf.keras and keras on TF 2.x, tf.layers and
tf.compat.v1.layers on TF 1.x) is recorded as an alias and not timed twice. Benchmark names are
the same in every version, e.g. "tf.keras/Dense/4096x4096/cpu", so
`python -m pyperf compare_to a.pyperf.json b.pyperf.json` pairs them. Two ceilings
(initcompat.probe.ceilings: numpy memory-write bandwidth and numpy Philox float32 rate) are
pyperf benchmarks of the same run ("ceiling/memory-write/cpu", "ceiling/philox-float32/cpu").

Why not pyperf.Runner. A Runner spawns a fresh worker process for every benchmark and every
process of it (20 processes per benchmark by default) and each worker must import TensorFlow,
several seconds each; with about ten benchmarks per environment that is hundreds of imports.
So this module keeps pyperf's measurement model but spawns the processes itself: P worker
processes, one after another (never in parallel: TF uses every core), each imports TensorFlow
once and then measures every benchmark with W warmups and V values, the benchmark order rotated
by one per process so that position in the run is spread over benchmarks; a gc.collect() and the
release of the previous weights happen outside each timed region. Each process's values become
one pyperf.Run (with pyperf's collected metadata: CPU, load, memory, Python, date) and the runs
of all processes are merged into one pyperf BenchmarkSuite, the file `pyperf compare_to` /
`pyperf stats` / `pyperf hist` read.

Defaults: P = 3 processes x V = 4 values, W = 1 warmup (suites/default.json "throughput").
Three processes show the between-process spread (memory placement, thread-pool start-up) that
a single process would hide; four values per process give 12 values per benchmark, enough for
an exact Mann-Whitney test to reach p < 0.002 (the smallest two-sided p for 12 vs 12 values is
about 1e-6) and for an order-statistic 95% confidence interval of the median (ranks 3..10);
one warmup absorbs the first call's one-off costs (kernel registration, lazy imports, first
touch of the output pages). The pooled values are not fully independent (values of one process
share its state), which is why a change is only flagged when it is also larger than a factor
(the report's FACTOR_THRESHOLD, set from A/A runs), and why more processes (--processes) are preferable to more values
when time allows. Measured durations are in benchmarks/, not here.

pyperf scrubs nothing here: workers are plain subprocesses inheriting the whole environment
(TF_USE_LEGACY_KERAS, CUDA_VISIBLE_DEVICES, TF_CPP_MIN_LOG_LEVEL, PYTHONPATH...). pyperf 2.8.0 (the
last for Python 3.7) imports importlib.metadata, which Python 3.7 lacks; the importlib_metadata
backport (installed with TF 1.15) stands in for it.

This step writes two files, once each: pyperf's file (--out, the raw values the report's tests
read) and the summary (--summary-out, schema kind "throughput": per benchmark the median, MAD,
standard deviation, quartiles, number of values, parameters/s and bytes/s medians, device; the
ceilings; GPU "none found" or the GPUs; skipped families and aliases). Exit status 0 whenever a
summary was written (a failed worker is data).

What a worker times is built in tasks.py; the summary in summary.py; this
module runs the workers and writes both files. Python 3.6-clean: stdlib, numpy, the framework
under test (workers only) and pyperf.
"""

import argparse
import gc
import json
import os
import subprocess
import sys
import tempfile
import time

from initcompat.probe import schema
from initcompat.probe.device_timing import TIMED_FRAMEWORKS  # imports no framework
from initcompat.measurements.throughput.summary import (build_summary, write_suite_atomic,
                                                 write_summary)
from initcompat.measurements.throughput.tasks import (  # noqa: F401 (some re-exported)
    META, benchmark_name, ceiling_tasks, device_label, other_framework_tasks, tensorflow_tasks)


SUITE_KEY = "throughput"  # the suite's block that lists what to time
UNIT = "second"
DEFAULT_DESIGN = {"processes": 3, "values": 4, "warmups": 1}
DEFAULT_WORKER_TIMEOUT = 240
FRAMEWORK_TENSORFLOW = "tensorflow"


def progress(message):
    sys.stderr.write("%s %s\n" % (schema.THROUGHPUT_PREFIX, message))
    sys.stderr.flush()


def import_pyperf():
    """pyperf, made importable on Python 3.7 where pyperf 2.8.0 needs importlib.metadata."""
    try:
        import importlib.metadata  # noqa: F401
    except ImportError:
        import importlib
        import types
        try:
            import importlib_metadata as stand_in
        except ImportError:
            stand_in = types.ModuleType("importlib.metadata")
            stand_in.entry_points = lambda: {"pyperf.hook": []}
        sys.modules["importlib.metadata"] = stand_in
        importlib.metadata = stand_in
    import pyperf
    return pyperf


def time_task(pyperf, task, warmups, values, worker):
    """One pyperf.Run for `task`: `warmups` warmups then `values` timed initializations."""
    started = time.time()
    timings = []
    size = None
    for index in range(warmups + values):
        gc.collect()
        before = pyperf.perf_counter()
        holder, arrays = task.run()
        elapsed = pyperf.perf_counter() - before
        size = (sum(int(a.size) for a in arrays), sum(int(a.nbytes) for a in arrays))
        del holder, arrays  # released outside the timed region
        timings.append(elapsed)
    metadata = dict(task.metadata)
    metadata.update({"name": task.name, "unit": UNIT, "loops": 1,
                     "duration": time.time() - started, META + "worker": worker})
    metadata.setdefault(META + "params", size[0])  # a device ceiling states its own size
    metadata.setdefault(META + "bytes", size[1])
    return pyperf.Run(timings[warmups:], warmups=[(1, value) for value in timings[:warmups]],
                      metadata=metadata, collect_metadata=True)


def worker_main(arguments, block):
    """Import the framework once, time every benchmark, write this process's runs and what it
    found."""
    pyperf = import_pyperf()
    import numpy as np
    info = {"worker": arguments.worker, "skipped": {}, "aliases": {}, "errors": [],
            "ceilings_unavailable": {}, "numpy": np.__version__, "pyperf": pyperf.__version__,
            "framework": arguments.framework}
    tasks = ceiling_tasks(int(block.get("ceiling_elements", 1 << 25)), info)
    if arguments.framework == FRAMEWORK_TENSORFLOW:
        found, version = tensorflow_tasks(block, info)
    else:
        found, version = other_framework_tasks(arguments.framework, block, info)
    tasks += found
    shift = arguments.worker % max(1, len(tasks))
    tasks = tasks[shift:] + tasks[:shift]
    gc.collect()
    if hasattr(gc, "freeze"):  # Python 3.7+: TensorFlow's objects leave the collector's scans,
        gc.freeze()            # so the gc.collect() before each value costs ms, not 0.3 s
    runs = []
    for task in tasks:
        task.metadata[META + "framework_version"] = version
        try:
            runs.append(time_task(pyperf, task, arguments.warmups, arguments.values,
                                  arguments.worker))
        except Exception as error:
            info["errors"].append("%s: %s: %s" % (task.name, type(error).__name__,
                                                  str(error).splitlines()[0][:300] if str(error) else ""))
    benchmarks = [pyperf.Benchmark([run]) for run in runs]
    suite = pyperf.BenchmarkSuite(benchmarks)
    suite.dump(arguments.worker_out + ".pyperf.json", replace=True)
    with open(arguments.worker_out + ".info.json", "w") as stream:
        json.dump(info, stream)
    return 0


def run_workers(arguments, design, block):
    """Spawn the worker processes one after another; (pyperf suites, infos, failures)."""
    pyperf = import_pyperf()
    folder = tempfile.mkdtemp(prefix="initcompat-throughput-")
    environment = dict(os.environ)
    environment.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    environment["PYTHONUNBUFFERED"] = "1"
    suites, infos, failures = [], [], []
    timeout = float(block.get("worker_timeout", DEFAULT_WORKER_TIMEOUT))
    try:
        for index in range(design["processes"]):
            base = os.path.join(folder, "worker%d" % index)
            command = [sys.executable, "-m", "initcompat.measurements.throughput.probe",
                       "--suite", arguments.suite, "--framework", arguments.framework,
                       "--worker", str(index), "--worker-out", base,
                       "--values", str(design["values"]), "--warmups", str(design["warmups"])]
            started = time.time()
            try:
                completed = subprocess.run(command, env=environment, stdout=subprocess.PIPE,
                                           stderr=subprocess.STDOUT, universal_newlines=True,
                                           timeout=timeout)
                output, returncode = completed.stdout, completed.returncode
            except subprocess.TimeoutExpired as error:
                output, returncode = str(error.output or ""), None
            if returncode == 0 and os.path.exists(base + ".pyperf.json"):
                suites.append(pyperf.BenchmarkSuite.load(base + ".pyperf.json"))
                with open(base + ".info.json") as stream:
                    infos.append(json.load(stream))
                progress("worker %d/%d done in %.1f s (framework import %.1f s)" % (
                    index + 1, design["processes"], time.time() - started,
                    infos[-1].get("import_seconds") or 0))
            else:
                why = "timed out after %.0f s" % timeout if returncode is None \
                    else "exit status %s" % returncode
                failures.append({"worker": index, "reason": why, "tail": output[-schema.TAIL_CHARS:]})
                progress("worker %d/%d failed: %s" % (index + 1, design["processes"], why))
    finally:
        for name in os.listdir(folder):
            os.unlink(os.path.join(folder, name))
        os.rmdir(folder)
    return suites, infos, failures


def parent_main(arguments, block):
    started = time.time()
    design = dict(DEFAULT_DESIGN)
    design.update(dict((k, int(block[k])) for k in DEFAULT_DESIGN if k in block))
    for key in DEFAULT_DESIGN:
        if getattr(arguments, key) is not None:
            design[key] = getattr(arguments, key)
    if os.path.exists(arguments.out):
        os.unlink(arguments.out)  # a stale file must not pass for this run's
    suites, infos, failures = run_workers(arguments, design, block)
    summary = build_summary(arguments, design, suites, infos, failures, time.time() - started)
    suite = summary.pop("_suite", None)
    if suite is not None:
        write_suite_atomic(suite, arguments.out)
    write_summary(arguments, summary)
    for name, entry in sorted(summary.get("benchmarks", {}).items()):
        progress("%-42s median %8.2f ms  %7.1f Mparam/s  (n=%d)" % (
            name, entry["median_s"] * 1e3, (entry["params_per_s"] or 0) / 1e6, entry["n"]))
    progress("%s in %.1f s -> %s" % (summary["status"], time.time() - started, arguments.out))
    return 0


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m initcompat.measurements.throughput.probe",
                                     description="Time default weight initialization with pyperf.")
    parser.add_argument("--suite", required=True, help="suite JSON with a \"throughput\" block")
    parser.add_argument("--out", help="pyperf BenchmarkSuite JSON to write")
    parser.add_argument("--summary-out", help="summary JSON to write (schema kind \"throughput\")")
    parser.add_argument("--env-name", help="environment name recorded in the summary")
    parser.add_argument("--framework", default=FRAMEWORK_TENSORFLOW,
                        choices=(FRAMEWORK_TENSORFLOW,) + TIMED_FRAMEWORKS,
                        help="what to time: TensorFlow's families (default), Keras 3 on "
                             "KERAS_BACKEND, or a framework session's layers")
    parser.add_argument("--processes", type=int, help="worker processes (default: suite, else 3)")
    parser.add_argument("--values", type=int, help="timed values per process and benchmark")
    parser.add_argument("--warmups", type=int, help="warmups per process and benchmark")
    parser.add_argument("--worker", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--worker-out", help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    if arguments.worker is None and not (arguments.out and arguments.summary_out
                                         and arguments.env_name):
        parser.error("--out, --summary-out and --env-name are required")
    for key in DEFAULT_DESIGN:
        value = getattr(arguments, key)
        if value is not None and value < (0 if key == "warmups" else 1):
            parser.error("--%s must be at least %d" % (key, 0 if key == "warmups" else 1))
    return arguments


def main(argv=None):
    arguments = parse_arguments(argv)
    try:
        with open(arguments.suite) as stream:
            suite = json.load(stream)
    except (IOError, OSError) as error:
        raise SystemExit("%s cannot read suite %s: %s" % (schema.THROUGHPUT_PREFIX, arguments.suite,
                                                          error.strerror))
    except ValueError as error:
        raise SystemExit("%s suite %s is not valid JSON: %s" % (schema.THROUGHPUT_PREFIX,
                                                                arguments.suite, error))
    block = suite.get(SUITE_KEY) if isinstance(suite, dict) else None
    if arguments.worker is not None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        return worker_main(arguments, block)
    if not block or not block.get("layers"):
        write_summary(arguments, {
            "status": "skipped", "reason": "the suite has no \"throughput\" block with layers"})
        progress("skipped: %s has no \"throughput\" block with layers" % arguments.suite)
        return 0
    return parent_main(arguments, block)


if __name__ == "__main__":
    sys.exit(main())
