"""Seeding methods, measured: which ones give the same weights in two fresh processes.

    python -m initcompat.measurements.seeding.probe --suite suites/default.json --env-name NAME \\
        --out results/NAME.seeding.json

For every API family (schema.API_FAMILIES: tf.layers and tf.compat.v1.layers in a fresh
tf.Graph per draw, tf.keras (a graph on TF 1.x), standalone keras, tf_keras imported directly)
and every seeding method (SEED_METHODS: no seed; the graph-level or global seed functions
tf.set_random_seed, tf.compat.v1.set_random_seed and tf.random.set_seed; the family's
utils.set_random_seed; the suite's initializer constructed with seed=S; one seeded instance used
twice; two instances with the same seed; seed 0; numpy's np.random.seed alone and Python's
random.seed alone, the two calls the old Keras FAQ tells users to make), for two targets (SEED_TARGETS: the kernel of a
Dense layer built with no initializer argument, or with the seeded initializer where the method
is one; a direct call of the suite's initializer on the Dense kernel's shape), this draws twice
in one process (the method applied again before the second draw) and once more in a second
fresh process started at the same moment (both import TensorFlow in parallel and run the same
fixed order, method by method, "no seed" first). In a Keras session without TensorFlow
(--framework keras, KERAS_BACKEND set by the runner) only the keras family exists and the
TensorFlow seed functions are unavailable. Before each method's first draw the global
seed state is put back as far as the framework allows (a fresh tf.Graph in graph mode; in eager
mode the global seed unset with tf.random.set_seed(None), which also clears TensorFlow's
cached seeded kernels, Python's and numpy's generators reseeded from the OS, and the seed
state of Keras 2 (backend._SEED_GENERATOR) and Keras 3 (global_random_seed, the global
SeedGenerator) cleared), so no method inherits another's seed.

Each record: status (schema.SEED_*: reproducible = the two fresh processes drew the same
float32 bytes; not reproducible; unavailable, with what is missing; error, with the message),
cross_process_identical, repeat_identical (the second draw in this process gave the same
bytes), calls_identical (for the methods that draw twice per application: the second layer or
call gave the bytes of the first), the sha256 of the bytes of each draw and of the other
process's, the first values, the exact call, and any warning emitted while drawing (Python
warnings and the framework's logging, captured). Exit 0 whenever the file was written (a failure
is data), 1 with one line when the suite is unusable.

The families and methods are in families.py, one process's measurement in draws.py; this
module runs the two processes and writes the file. Python 3.6-clean:
stdlib, numpy, the framework.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

from initcompat.measurements import registry
from initcompat.measurements.seeding.draws import Captured, measure  # noqa: F401 (re-exported)
from initcompat.measurements.seeding.families import SEED_ZERO, short
from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic


SUITE_KEY = "seeding"
WORKER_TIMEOUT = 300  # seconds the parent waits for the second process (designed for < 15 s)


def progress(message):
    sys.stderr.write("%s %s\n" % (schema.SEEDING_PREFIX, message))
    sys.stderr.flush()


def load_suite(path):
    """The suite's "seeding" block, checked; SystemExit with one line when it is unusable."""
    try:
        with open(path) as handle:
            suite = json.load(handle)
    except (IOError, OSError) as error:
        raise SystemExit("%s cannot read suite %s: %s" % (schema.SEEDING_PREFIX, path,
                                                           error.strerror))
    except ValueError as error:
        raise SystemExit("%s suite %s is not valid JSON: %s" % (schema.SEEDING_PREFIX, path, error))
    block = suite.get(SUITE_KEY) if isinstance(suite, dict) else None
    problem = None
    if not isinstance(block, dict):
        problem = "lacks its %r block" % SUITE_KEY
    else:
        dense = block.get("dense")
        counts = [block.get("seed"), block.get("first_values")]
        if isinstance(dense, dict):
            counts += [dense.get("input_dim"), dense.get("units")]
        if not isinstance(dense, dict) or not all(
                isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in counts):
            problem = ("%r needs integers seed, first_values and dense {input_dim, units}"
                       % SUITE_KEY)
        elif not isinstance(block.get("initializer"), str) or not block["initializer"]:
            problem = "%r needs an initializer name" % SUITE_KEY
        elif not dense["input_dim"] or not dense["units"]:
            problem = "%r dense sizes must be positive" % SUITE_KEY
    if problem:
        raise SystemExit("%s suite %s %s" % (schema.SEEDING_PREFIX, path, problem))
    return block


class Worker(object):
    """The second fresh process: the same measurement, started before this one imports TF."""

    def __init__(self, suite_path, framework):
        handle, self.out = tempfile.mkstemp(suffix=".seeding-worker.json")
        os.close(handle)
        self.log = tempfile.TemporaryFile(mode="w+")
        command = [sys.executable, "-m", registry.by_name("seeding")["module"], "--suite",
                   suite_path, "--worker", "--out", self.out, "--framework", framework]
        self.process = subprocess.Popen(command, stdout=self.log, stderr=subprocess.STDOUT,
                                        universal_newlines=True)

    def result(self, timeout=WORKER_TIMEOUT):
        """(its measurement, None) or (None, why not)."""
        deadline = time.time() + timeout
        while self.process.poll() is None and time.time() < deadline:
            time.sleep(0.05)
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
            return None, "the second process was still running after %d s; killed" % timeout
        self.log.seek(0)
        output = self.log.read()
        if self.process.returncode != 0:
            return None, short("the second process exited with status %d: %s" % (
                self.process.returncode, output[-1500:]))
        try:
            with open(self.out) as stream:
                return json.load(stream), None
        except (IOError, OSError, ValueError) as error:
            return None, "the second process left no readable measurement (%s)" % error

    def close(self):
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        self.log.close()
        if os.path.exists(self.out):
            os.unlink(self.out)


RECORD_KEYS = ("call", "reason", "error_type", "sha256", "sha256_repeat", "first_values",
               "warning", "shape", "calls_identical", "keras_version", "backend")


def combine(mine, theirs, failure, block):
    """The records: this process's draws against the second process's, with their status."""
    by_key = {}
    for item in (theirs or {}).get("items") or []:
        by_key[(item["family"], item["method"], item["target"])] = item
    records = []
    for item in mine["items"]:
        record = dict((key, item[key]) for key in ("family", "method", "target"))
        record.update((key, item[key]) for key in RECORD_KEYS if key in item)
        record.update(seed=0 if item["method"] == SEED_ZERO else int(block["seed"]),
                      initializer=block["initializer"], cross_process_identical=None,
                      repeat_identical=None, sha256_other_process=None)
        if item["state"] != "drawn":
            record["status"] = item["state"]
            records.append(record)
            continue
        record["repeat_identical"] = item["sha256"] == item["sha256_repeat"]
        other = by_key.get((item["family"], item["method"], item["target"]))
        if other is None or other.get("state") != "drawn":
            record["status"] = schema.SEED_ERROR
            record["error_type"] = "SecondProcess"
            record["reason"] = short("drawn here, but not in the second fresh process: %s" % (
                failure or (other or {}).get("reason") or "no such measurement there"))
        else:
            record["sha256_other_process"] = other["sha256"]
            record["cross_process_identical"] = other["sha256"] == item["sha256"]
            record["status"] = (schema.SEED_REPRODUCIBLE if record["cross_process_identical"]
                                else schema.SEED_NOT_REPRODUCIBLE)
        records.append(record)
    return records


def document_for(arguments, block, mine, theirs, failure, seconds):
    design = {"processes": 2, "draws_per_process": 2, "seed": int(block["seed"]),
              "initializer": block["initializer"],
              "dense": {"input_dim": int(block["dense"]["input_dim"]),
                        "units": int(block["dense"]["units"])},
              "methods": list(schema.SEED_METHODS), "targets": list(schema.SEED_TARGETS)}
    if "import_error" in mine:
        body = {"status": schema.ENV_IMPORT_FAILED, "reason": mine["import_error"],
                "log_tail": mine["log_tail"], "records": [], "design": design}
        return schema.measurement_record(schema.KIND_SEEDING, arguments.env_name, body,
                                         suite=schema.read_suite_identity(arguments.suite))
    body = {"status": schema.ENV_OK, "reason": failure, "records": combine(mine, theirs, failure,
                                                                           block),
            "versions": dict(mine["keras"], tensorflow=mine["tensorflow"]),
            "timings": {"this_process": mine["seconds"],
                        "second_process": (theirs or {}).get("seconds"),
                        "total_seconds": round(seconds, 3)},
            "design": design}
    return schema.measurement_record(schema.KIND_SEEDING, arguments.env_name, body,
                                     suite=schema.read_suite_identity(arguments.suite))


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m initcompat.measurements.seeding.probe",
                                     description="Measure seeding methods in two processes.")
    parser.add_argument("--suite", required=True, help="suite JSON (its 'seeding' block)")
    parser.add_argument("--out", required=True, help="NAME.seeding.json to write")
    parser.add_argument("--env-name", help="environment name (default: tf-<major.minor>)")
    parser.add_argument("--framework", choices=("tensorflow", "keras"), default="tensorflow",
                        help="keras: a Keras session without TensorFlow (only the keras family)")
    parser.add_argument("--worker", action="store_true",
                        help="internal: the second process; writes its raw measurement to --out")
    return parser.parse_args(argv)


def main(argv=None):
    arguments = parse_arguments(argv)
    block = load_suite(arguments.suite)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    if arguments.worker:
        measured = measure(block, arguments.framework)
        with open(arguments.out, "w") as stream:
            json.dump(measured, stream)
        return 0 if "import_error" not in measured else 3
    started = time.time()
    worker = Worker(arguments.suite, arguments.framework)
    try:
        mine = measure(block, arguments.framework)
        theirs, failure = (None, None) if "import_error" in mine else worker.result()
    finally:
        worker.close()
    if not arguments.env_name:
        version = (mine.get("keras") or {}).get("keras") if arguments.framework == "keras" \
            else mine.get("tensorflow")
        arguments.env_name = ("keras-" if arguments.framework == "keras" else "tf-") + \
            ".".join(str(version or "unknown").split(".")[:2])
    document = document_for(arguments, block, mine, theirs, failure, time.time() - started)
    write_json_atomic(arguments.out, document)
    statuses = {}
    for record in document["records"]:
        statuses[record["status"]] = statuses.get(record["status"], 0) + 1
    progress("wrote %s (%s; %s; %.1f s)" % (
        arguments.out, document["status"],
        ", ".join("%d %s" % (n, s) for s, n in sorted(statuses.items())) or "no records",
        time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
