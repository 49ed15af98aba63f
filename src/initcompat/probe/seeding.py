"""Seeding methods, measured: which ones give the same weights in two fresh processes.

    python -m initcompat.probe.seeding --suite suites/default.json --env-name NAME \\
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
is data), 1 with one line when the suite is unusable. Python 3.6-clean: stdlib, numpy, the
framework.
"""

import argparse
import json
import logging
import os
import random
import subprocess
import sys
import tempfile
import time
import traceback
import warnings

import numpy as np

from initcompat.probe import schema
from initcompat.probe.moments import fingerprint_bytes
from initcompat.probe.output import write_json_atomic

SUITE_KEY = "seeding"
WORKER_TIMEOUT = 300  # seconds the parent waits for the second process (designed for < 15 s)
MAX_TEXT = 2000
MAX_WARNINGS = 6
LOGGERS = ("", "tensorflow", "absl", "keras", "tf_keras")

NO_SEED = schema.SEED_METHODS[0]
# a global seed function, then build as usual: the framework's four, then numpy's and Python's
GLOBAL_METHODS = schema.SEED_METHODS[1:5] + schema.SEED_METHODS[9:11]
(TF_SET_RANDOM_SEED, V1_SET_RANDOM_SEED, TF_RANDOM_SET_SEED,
 UTILS_SET_RANDOM_SEED) = schema.SEED_METHODS[1:5]
INITIALIZER_SEED, SAME_INSTANCE, TWO_INSTANCES, SEED_ZERO = schema.SEED_METHODS[5:9]
NUMPY_SEED, PYTHON_SEED = schema.SEED_METHODS[9:11]
DENSE, DIRECT = schema.SEED_TARGETS


class Unavailable(Exception):
    """A family or a method this version does not offer; the message says what is missing."""


def progress(message):
    sys.stderr.write("%s %s\n" % (schema.SEEDING_PREFIX, message))
    sys.stderr.flush()


def short(text, limit=MAX_TEXT):
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def describe_error(error):
    return short("%s: %s" % (type(error).__name__, error))


def reach(owner, dotted, spelled):
    """getattr along a dotted path; anything missing (or raising) is Unavailable naming it."""
    value = owner
    for part in dotted.split("."):
        try:
            value = getattr(value, part)
        except Exception as error:  # Keras 3 raises AttributeError from module __getattr__
            raise Unavailable("no %s (%s)" % (spelled, describe_error(error)))
    return value


# ---------------------------------------------------------------------------- the suite

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


# ---------------------------------------------------------------------------- captured output

class _ListHandler(logging.Handler):
    def __init__(self, messages):
        logging.Handler.__init__(self, logging.WARNING)
        self.messages = messages

    def emit(self, record):
        try:
            self.messages.append("%s: %s" % (record.levelname, record.getMessage()))
        except Exception:  # a record that cannot format itself is still a warning
            self.messages.append("%s: %r" % (record.levelname, record.msg))


class Captured(object):
    """Python warnings and WARNING+ log records emitted inside the block, as they are filtered
    for the process (a warning Python shows once is recorded once)."""

    def __enter__(self):
        self.messages = []
        self._catcher = warnings.catch_warnings(record=True)
        self._records = self._catcher.__enter__()
        self._handler = _ListHandler(self.messages)
        for name in LOGGERS:
            logging.getLogger(name).addHandler(self._handler)
        return self

    def __exit__(self, *exc_info):
        for name in LOGGERS:
            logging.getLogger(name).removeHandler(self._handler)
        self._catcher.__exit__(*exc_info)
        self.messages.extend("%s: %s" % (w.category.__name__, w.message) for w in self._records)
        return False

    def text(self):
        """The distinct messages, first lines only, or None."""
        seen = []
        for message in self.messages:
            line = short(message.strip().splitlines()[0] if message.strip() else message, 300)
            if line not in seen:
                seen.append(line)
        if not seen:
            return None
        more = len(seen) - MAX_WARNINGS
        return " | ".join(seen[:MAX_WARNINGS]) + (" | (%d more)" % more if more > 0 else "")


# ---------------------------------------------------------------------------- global state

def reset_global_state(tf):
    """Undo every seed a method set, as far as the framework allows (see the module doc)."""
    random.seed()
    np.random.seed(None)
    set_seed = getattr(getattr(tf, "random", None), "set_seed", None)
    if tf is not None and callable(set_seed) and _executing_eagerly(tf):
        set_seed(None)
    for name, module in list(sys.modules.items()):
        if module is None:
            continue
        if name.endswith("backend"):  # Keras 2 and tf_keras: set_random_seed's generator
            holder = getattr(module, "_SEED_GENERATOR", None)
            if holder is not None and getattr(holder, "generator", None) is not None:
                holder.generator = None
        elif name.endswith("backend.common.global_state"):  # Keras 3
            setter = getattr(module, "set_global_attribute", None)
            if callable(setter):
                setter("global_random_seed", None)
                setter("global_seed_generator", None)


def _executing_eagerly(tf):
    check = getattr(tf, "executing_eagerly", None)
    try:
        return bool(check()) if callable(check) else False
    except Exception:
        return False


def _v1(tf):
    compat = getattr(tf, "compat", None)
    return getattr(compat, "v1", None) or tf


# ---------------------------------------------------------------------------- families

class Family(object):
    """What a seeding method needs of an API family: its global seed functions, its
    initializer, a Dense kernel and a direct call, and where they run (run())."""

    name = None
    graph_mode = False
    initializer_path = None  # how the call text spells the suite's initializer

    def __init__(self, tf, block):
        self.tf = tf
        self.block = block
        self.checked = None

    def check(self):
        """Raise Unavailable when the family cannot be used at all (remembered)."""
        if self.checked is None:
            try:
                self._check()
                self.checked = True
            except Unavailable as error:
                self.checked = error
        if self.checked is not True:
            raise self.checked

    def _check(self):
        raise NotImplementedError

    def shape(self):
        return (int(self.block["dense"]["input_dim"]), int(self.block["dense"]["units"]))

    def global_setter(self, method):
        """(spelled call, function(seed)) of a global seed method, or Unavailable."""
        tf = self.tf
        if method == NUMPY_SEED:  # in every family and backend: numpy is always there
            return "np.random.seed", np.random.seed
        if method == PYTHON_SEED:
            return "random.seed", random.seed
        if tf is None and method != UTILS_SET_RANDOM_SEED:
            raise Unavailable("no %s: this environment has no TensorFlow (Keras on the %s "
                              "backend)" % (method, self.backend()))
        if method == TF_SET_RANDOM_SEED:
            return "tf.set_random_seed", reach(tf, "set_random_seed", "tf.set_random_seed")
        if method == V1_SET_RANDOM_SEED:
            return ("tf.compat.v1.set_random_seed",
                    reach(tf, "compat.v1.set_random_seed", "tf.compat.v1.set_random_seed"))
        if method == TF_RANDOM_SET_SEED:
            return "tf.random.set_seed", reach(tf, "random.set_seed", "tf.random.set_seed")
        return self.utils_setter()

    def utils_setter(self):
        raise Unavailable("no utils.set_random_seed in %s" % self.name)

    def initializer(self, seed):
        """(spelled, instance) of the suite's initializer, seeded with `seed` (None: unseeded)."""
        name = self.block["initializer"]
        factory = self.initializer_factory(name)
        spelled = "%s(%s)" % (self.initializer_path % name,
                              "" if seed is None else "seed=%d" % seed)
        return spelled, (factory() if seed is None else factory(seed=seed))

    def initializer_factory(self, name):
        raise NotImplementedError

    def run(self, setter, build):
        """Apply `setter` (or nothing) then `build`(); the drawn float arrays in build's order."""
        raise NotImplementedError

    def graph_run(self, setter, build):
        """run() in a fresh tf.Graph: `setter` and `build` inside it, the variables initialized
        and fetched by a Session."""
        tf, v1 = self.tf, _v1(self.tf)
        graph = tf.Graph()
        with graph.as_default():
            if setter is not None:
                setter()
            self.start_graph()
            tensors = build()
            with v1.Session(graph=graph) as session:
                session.run(v1.global_variables_initializer())
                return [np.asarray(a) for a in session.run(tensors)]

    def start_graph(self):
        """Each fresh graph gets the input a user's graph holds before it builds. The
        placeholder is an op of the graph, so it takes part in the op-level seeds a graph seed
        derives: keep it, or the measured seeded bytes change."""
        self._inputs = _v1(self.tf).placeholder(self.tf.float32, [None, self.shape()[0]])

    def dense_call(self, initializer_text):
        raise NotImplementedError

    def keras_version(self):
        return None

    def backend(self):
        return "tensorflow"


class GraphLayersFamily(Family):
    """tf.layers / tf.compat.v1.layers: each draw in a fresh tf.Graph run by a Session."""

    graph_mode = True

    def __init__(self, tf, block, name, path):
        Family.__init__(self, tf, block)
        self.name = name
        self.path = path
        self.initializer_path = ("tf.compat.v1.%s_initializer" if _v1(tf) is not tf
                                 else "tf.%s_initializer")

    def _check(self):
        self.dense = reach(self.tf, self.path + ".dense", "tf.%s.dense" % self.path)

    def utils_setter(self):
        """The Keras utility inside the draw's graph (it calls tf.random.set_seed, which sets
        the default graph's seed there)."""
        return ("tf.keras.utils.set_random_seed",
                reach(self.tf, "keras.utils.set_random_seed", "tf.keras.utils.set_random_seed"))

    def initializer_factory(self, name):
        spelled = self.initializer_path % name
        return reach(_v1(self.tf), "%s_initializer" % name, spelled)

    def run(self, setter, build):
        return self.graph_run(setter, build)

    def start_graph(self):
        """tf.layers functions build on the input; their variables are told apart by name."""
        Family.start_graph(self)
        self._index = 0

    def dense_kernel(self, initializer):
        """A Dense kernel (variable) in the current graph; `initializer` None: the default."""
        name = "seeding%d" % self._index
        self._index += 1
        arguments = {} if initializer is None else {"kernel_initializer": initializer}
        self.dense(self._inputs, self.shape()[1], name=name, **arguments)
        return [v for v in _v1(self.tf).global_variables() if v.name.startswith(name + "/kernel")][0]

    def direct(self, initializer):
        return initializer(list(self.shape()))

    def dense_call(self, initializer_text):
        return "tf.%s.dense(x, %d%s)" % (
            self.path, self.shape()[1],
            "" if initializer_text is None else ", kernel_initializer=" + initializer_text)


class KerasFamily(Family):
    """tf.keras, standalone keras, tf_keras: eager on TF 2.x, a fresh tf.Graph on TF 1.x."""

    def __init__(self, tf, block, name, loader):
        Family.__init__(self, tf, block)
        self.name = name
        self.loader = loader
        self.graph_mode = tf is not None and int(tf.__version__.split(".")[0]) < 2
        self.initializer_path = name + ".initializers.%s"
        self.module = None

    def _check(self):
        try:
            self.module = self.loader()
        except Unavailable:
            raise
        except Exception as error:
            raise Unavailable("no %s (%s)" % (self.name, describe_error(error)))
        self.layer = reach(self.module, "layers.Dense", self.name + ".layers.Dense")

    def utils_setter(self):
        spelled = self.name + ".utils.set_random_seed"
        return spelled, reach(self.module, "utils.set_random_seed", spelled)

    def initializer_factory(self, name):
        return reach(self.module, "initializers." + name, self.initializer_path % name)

    def run(self, setter, build):
        if not self.graph_mode:
            if setter is not None:
                setter()
            return [np.array(v.numpy() if hasattr(v, "numpy") else v) for v in build()]
        return self.graph_run(setter, build)

    def dense_kernel(self, initializer):
        arguments = {} if initializer is None else {"kernel_initializer": initializer}
        layer = self.layer(self.shape()[1], **arguments)
        # a plain tuple: multi-backend Keras 2 cannot take a TF1 TensorShape's Dimensions
        layer.build((None, self.shape()[0]))
        return layer.kernel

    def direct(self, initializer):
        return initializer(self.shape())

    def dense_call(self, initializer_text):
        return "%s.layers.Dense(%d%s).build((None, %d))" % (
            self.name, self.shape()[1],
            "" if initializer_text is None else ", kernel_initializer=" + initializer_text,
            self.shape()[0])

    def keras_version(self):
        return getattr(self.module, "__version__", None)

    def backend(self):
        backend = getattr(getattr(self.module, "backend", None), "backend", None)
        try:
            return str(backend()) if callable(backend) else "tensorflow"
        except Exception:
            return "tensorflow"


def families(tf, block):
    """The families of this process, in report order (schema.API_FAMILIES)."""
    def standalone_keras():
        import keras
        return keras

    def tf_keras():
        import tf_keras
        return tf_keras

    return [GraphLayersFamily(tf, block, schema.FAMILY_TF_LAYERS, "layers"),
            GraphLayersFamily(tf, block, schema.FAMILY_COMPAT_V1_LAYERS, "compat.v1.layers"),
            KerasFamily(tf, block, schema.FAMILY_TF_KERAS,
                        lambda: reach(tf, "keras", "tf.keras")),
            KerasFamily(tf, block, schema.FAMILY_KERAS, standalone_keras),
            KerasFamily(tf, block, schema.FAMILY_TF_KERAS_PACKAGE, tf_keras)]


# ---------------------------------------------------------------------------- one method

def plan(family, method, target, seed):
    """(the exact call, setter or None, build, draws per application): build() returns the
    tensors of one application; the last is the draw, an earlier one what calls_identical
    compares it with."""
    shape = family.shape()
    setter, spelled_setter = None, None
    if method in GLOBAL_METHODS:
        spelled_setter, function = family.global_setter(method)
        setter = lambda: function(seed)  # noqa: E731
    seeds = {INITIALIZER_SEED: [seed], SAME_INSTANCE: [seed], TWO_INSTANCES: [seed, seed],
             SEED_ZERO: [0]}.get(method)
    calls = 2 if method in (SAME_INSTANCE, TWO_INSTANCES) else 1
    if seeds is None:  # the default Dense kernel, or the unseeded initializer
        initializer_text = None if target == DENSE else family.initializer(None)[0]
    else:
        initializer_text = family.initializer(seeds[0])[0]

    def build():
        if seeds is None:
            instances = [None if target == DENSE else family.initializer(None)[1]]
        elif method == SAME_INSTANCE:
            instances = [family.initializer(seed)[1]] * 2
        else:
            instances = [family.initializer(s)[1] for s in seeds]
        make = family.dense_kernel if target == DENSE else family.direct
        return [make(instance) for instance in instances]

    if target == DENSE:
        one = family.dense_call(initializer_text)
    else:
        one = "%s(%s)" % (initializer_text, "shape=(%d, %d)" % shape)
    if method == SAME_INSTANCE:
        text = "init = %s; %s twice, the second drawn" % (
            initializer_text, one.replace(initializer_text, "init"))
    elif method == TWO_INSTANCES:
        text = "%s twice, each with its own instance, the second drawn" % one
    else:
        text = one
    if spelled_setter is not None:
        text = "%s(%d); %s" % (spelled_setter, seed, text)
    if family.graph_mode:
        text = "in a fresh tf.Graph: " + text
    return text, setter, build, calls


def measure_one(family, method, target, seed, first_count):
    """One family x method x target in this process: the raw measurement (no status yet)."""
    item = {"family": family.name, "method": method, "target": target}
    try:
        family.check()
        item["keras_version"] = family.keras_version()
        item["backend"] = family.backend()
        text, setter, build, calls = plan(family, method, target, seed)
    except Unavailable as missing:
        item.update(state=schema.SEED_UNAVAILABLE, reason=short(missing))
        return item
    except Exception as error:
        item.update(state=schema.SEED_ERROR, reason=describe_error(error),
                    error_type=type(error).__name__)
        return item
    item["call"] = text
    if not family.graph_mode:
        reset_global_state(family.tf)
    captured = Captured()
    try:
        with captured:
            first = family.run(setter, build)
            again = family.run(setter, build)  # the method applied again, drawn again
    except Unavailable as missing:
        item.update(state=schema.SEED_UNAVAILABLE, reason=short(missing),
                    warning=captured.text())
        return item
    except Exception as error:
        item.update(state=schema.SEED_ERROR, reason=describe_error(error),
                    error_type=type(error).__name__, warning=captured.text())
        return item
    drawn = fingerprint_bytes(first[-1], first_count)
    item.update(state="drawn", sha256=drawn["sha256"], first_values=drawn["first_values"],
                sha256_repeat=fingerprint_bytes(again[-1])["sha256"],
                shape=[int(d) for d in np.shape(first[-1])], warning=captured.text())
    if calls > 1:
        item["calls_identical"] = (fingerprint_bytes(first[0])["sha256"] == drawn["sha256"])
    return item


def measure(block, framework="tensorflow"):
    """Every family x method x target of this process, in the fixed order: method by method
    ("no seed" first), then family, then target. Imports TensorFlow (Keras alone where
    `framework` is "keras")."""
    started = time.time()
    try:
        if framework == "keras":
            import keras
            tf = None
        else:
            import tensorflow as tf
    except KeyboardInterrupt:
        raise
    except BaseException as error:
        return {"import_error": describe_error(error),
                "log_tail": traceback.format_exc()[-schema.TAIL_CHARS:]}
    imported = time.time() - started
    if tf is None:
        found = [KerasFamily(None, block, schema.FAMILY_KERAS, lambda: keras)]
    else:
        found = families(tf, block)
    items = []
    seconds = dict((family.name, 0.0) for family in found)
    for method in schema.SEED_METHODS:
        for family in found:
            for target in schema.SEED_TARGETS:
                at = time.time()
                items.append(measure_one(family, method, target, int(block["seed"]),
                                         int(block["first_values"])))
                seconds[family.name] += time.time() - at
    return {"items": items, "tensorflow": getattr(tf, "__version__", None),
            "keras": dict((name, getattr(sys.modules.get(name), "__version__", None))
                          for name in ("keras", "tf_keras")),
            "seconds": {"import": round(imported, 3), "total": round(time.time() - started, 3),
                        "families": dict((k, round(v, 3)) for k, v in seconds.items())}}


# ---------------------------------------------------------------------------- two processes

class Worker(object):
    """The second fresh process: the same measurement, started before this one imports TF."""

    def __init__(self, suite_path, framework):
        handle, self.out = tempfile.mkstemp(suffix=".seeding-worker.json")
        os.close(handle)
        self.log = tempfile.TemporaryFile(mode="w+")
        command = [sys.executable, "-m", "initcompat.probe.seeding", "--suite", suite_path,
                   "--worker", "--out", self.out, "--framework", framework]
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
    parser = argparse.ArgumentParser(prog="python -m initcompat.probe.seeding",
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
