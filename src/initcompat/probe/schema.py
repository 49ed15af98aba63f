"""The protocol between the probe, the host and the report, defined once here.

Every environment NAME leaves these files in the results folder, each written by exactly one
process, once, atomically (initcompat.probe.output):

  NAME.json             the probe (python -m initcompat.probe): cells, packages, devices
  NAME.install.json     the host runner, before the probe: how the environment was built
  NAME.throughput.json  the throughput step (python -m
                        initcompat.measurements.throughput.probe): summary
  NAME.pyperf.json      the throughput step: pyperf's own file with every timed value
  NAME.initializers.json  the initializers step (python -m
                        initcompat.measurements.initializers.probe): every initializer of
                        every namespace, constructed and drawn
  NAME.seeding.json     the seeding step (python -m initcompat.measurements.seeding.probe):
                        every seeding method, in two fresh processes and twice in one
  NAME.propagation.json the propagation step (python -m
                        initcompat.measurements.propagation.probe): the suite's models at
                        initialization and through a short training run
  NAME.porting.json     the porting step (python -m initcompat.measurements.porting.probe): other
                        frameworks' defaults drawn with this framework's code (snippets)
  NAME.outcome.json     the host runner, last: the status of every step and their timings
  NAME.fix-KEY.json     a fix run (python -m initcompat.probe.fix_runs, for `initcompat.check
                        --verify`): one file per run of a fix's code, KEY its inputs' hash

A framework session (PyTorch, Flax, JAX's stax: issue 16) writes NAME.json with the
framework probe (python -m initcompat.probe.frameworks): no TF cells, its layers in
`framework_cells`.

The report's loader joins the files of one environment by the name inside them. Each of our
files carries `schema_version` and `kind`; validation is in initcompat.probe.validation.

History of SCHEMA_VERSION:
  1: one result file (environment, packages, devices, cells), later rewritten by the runner
     (install record, failure outcomes) and by the throughput step (its summary).
  2: one file per writer (the table above); the result holds only what the probe measured.

Every file's `env` block names the suite it measured (`suite`: the suite file's name and the
sha256 of its content without comments, suite_identity below); the report compares results only
within one suite. The probe's result also keeps the whole suite it read (`suite`).

Python 3.6-clean: the probe writes with these names, the host and the report read with them.
"""

import hashlib
import json
import os

from initcompat.measurements import registry

SCHEMA_VERSION = 2

# File kinds and the suffix of each after the environment name; the measurements' own come from
# the registry (initcompat.measurements.registry), which lists each step once.
KIND_RESULT = registry.by_name("probe")["kind"]
KIND_INSTALL = "install"
KIND_THROUGHPUT = registry.by_name("throughput")["kind"]
KIND_OUTCOME = "outcome"
KIND_INITIALIZERS = registry.by_name("initializers")["kind"]
KIND_SEEDING = registry.by_name("seeding")["kind"]
KIND_PROPAGATION = registry.by_name("propagation")["kind"]
KIND_PORTING = registry.by_name("porting")["kind"]
KIND_FIX = "fix"  # several per environment, one per fix run: fix_file_name
FIX_RUN_KINDS = ("layer", "initializer")
# The plan the host gives initcompat.probe.fix_runs (a temporary file, not a result).
FIX_PLAN_KIND = "initcompat-fix-plan"
FIX_PLAN_VERSION = 1
FILE_SUFFIXES = {
    KIND_RESULT: registry.by_name("probe")["suffix"],
    KIND_INSTALL: ".install.json",
    KIND_THROUGHPUT: registry.by_name("throughput")["suffix"],
    KIND_OUTCOME: ".outcome.json",
}
FILE_SUFFIXES.update((m["kind"], m["suffix"]) for m in registry.steps_beside())
PYPERF_SUFFIX = ".pyperf.json"
LOG_SUFFIXES = (registry.by_name("probe")["log_suffix"],
                registry.by_name("throughput")["log_suffix"]) + tuple(
    m["log_suffix"] for m in registry.steps_beside())
# The measurement steps after the probe, in the order the runner runs them: step name ->
# (module run with python -m, the kind of the file it writes).
MEASUREMENT_STEPS = tuple((m["name"], m["module"], m["kind"]) for m in registry.steps_beside())
# Steps that read TF/Keras only (not run in a framework session), and the porting step, which
# runs in every framework session and in the TF environments tagged PORTING_TAG.
TF_KERAS_STEPS = tuple(m["name"] for m in registry.steps_beside()
                       if m["sessions"] == registry.SESSIONS_TF_KERAS)
PORTING_STEP = registry.by_name("porting")["name"]
PORTING_TAG = registry.PORTING_TAG

# Frameworks beside TensorFlow/Keras (env.framework of a framework session), and the three the
# porting table translates between, in the order the report shows them.
FRAMEWORK_TORCH = "torch"
FRAMEWORK_FLAX = "flax"
FRAMEWORK_STAX = "jax-stax"
FRAMEWORK_TF_KERAS = "tf.keras"
FRAMEWORKS = (FRAMEWORK_TORCH, FRAMEWORK_FLAX, FRAMEWORK_STAX)
PORTING_FRAMEWORKS = (FRAMEWORK_TF_KERAS, FRAMEWORK_TORCH, FRAMEWORK_FLAX)
# The layers the porting table covers and their weights, in framework-neutral roles: an LSTM's
# `bias` is the bias its gates add (TF's one bias; PyTorch's bias_ih + bias_hh; Flax's
# hidden-side Dense biases), `input_bias` and `recurrent_bias` PyTorch's two.
PORTING_LAYERS = (("dense", ("kernel", "bias")), ("conv2d", ("kernel", "bias")),
                  ("embedding", ("embeddings",)),
                  ("lstm", ("kernel", "recurrent_kernel", "bias")))
FRAMEWORK_ROLES = ("kernel", "bias", "embeddings", "recurrent_kernel", "input_bias",
                   "recurrent_bias", "gamma", "beta")
# Outcome of one framework cell or one porting record.
PORT_OK = "ok"
PORT_INEXPRESSIBLE = "inexpressible"  # the target framework has no code for that default
PORT_ERROR = "error"                  # the snippet (or the layer) raised
PORT_STATUSES = (PORT_OK, PORT_INEXPRESSIBLE, PORT_ERROR, "unavailable")


def file_name(env_name, kind):
    """'tf-1.15', 'install' -> 'tf-1.15.install.json'."""
    return env_name + FILE_SUFFIXES[kind]


def fix_file_name(env_name, key):
    """'tf-2.16', 'a3f...' -> 'tf-2.16.fix-a3f0c1d2e3f40516.json' (the key's first 16 digits)."""
    return "%s.fix-%s.json" % (env_name, key[:16])


def pyperf_file_name(env_name):
    return env_name + PYPERF_SUFFIX


def every_file_name(env_name):
    """Every file a run of `env_name` may leave (to clear before a new run)."""
    names = [file_name(env_name, kind) for kind in FILE_SUFFIXES]
    names.append(pyperf_file_name(env_name))
    names.extend(env_name + suffix for suffix in LOG_SUFFIXES)
    return names


# Lines the probe and the throughput step print for the host to echo and recognize.
PROBE_PREFIX = registry.by_name("probe")["prefix"]
THROUGHPUT_PREFIX = registry.by_name("throughput")["prefix"]
INITIALIZERS_PREFIX = registry.by_name("initializers")["prefix"]
SEEDING_PREFIX = registry.by_name("seeding")["prefix"]
PROPAGATION_PREFIX = registry.by_name("propagation")["prefix"]
PORTING_PREFIX = registry.by_name("porting")["prefix"]
IMPORTED_MARKER = PROBE_PREFIX + " tensorflow imported"
KERAS_IMPORTED_MARKER = PROBE_PREFIX + " keras imported"  # a Keras session without TensorFlow
FRAMEWORK_IMPORTED_MARKER = PROBE_PREFIX + " framework imported"  # a framework session
IMPORTED_MARKERS = (IMPORTED_MARKER, KERAS_IMPORTED_MARKER, FRAMEWORK_IMPORTED_MARKER)

# How much of an error's output a record keeps (installer, probe, worker tails).
TAIL_CHARS = 4000

# Outcome of a whole environment.
ENV_OK = "ok"
ENV_INSTALL_FAILED = "install-failed"
ENV_IMPORT_FAILED = "import-failed"
ENV_PROBE_CRASHED = "probe-crashed"
ENV_PROBE_TIMEOUT = "probe-timeout"
ENV_SKIPPED = "skipped"
# A fault outside the release (package index unreachable, disk full, installer killed) kept it
# from being measured this time: no fact about the version, never compared as a change.
ENV_NOT_MEASURED = "not-measured"
ENV_STATUSES = (ENV_OK, ENV_INSTALL_FAILED, ENV_IMPORT_FAILED, ENV_PROBE_CRASHED, ENV_PROBE_TIMEOUT,
                ENV_SKIPPED, ENV_NOT_MEASURED)

# Outcome of one step of a run (install, probe, throughput) in the outcome file.
STEP_OK = "ok"
STEP_FAILED = "failed"
STEP_SKIPPED = "skipped"
STEP_STATUSES = (STEP_OK, STEP_FAILED, STEP_SKIPPED)

# Outcome of one initializer record (namespace x initializer x shape) in NAME.initializers.json.
INIT_OK = "ok"
INIT_UNAVAILABLE = "unavailable"  # the namespace or the name is not offered
INIT_ERROR = "error"              # offered, but constructing or calling it raised
INIT_STATUSES = (INIT_OK, INIT_UNAVAILABLE, INIT_ERROR)

# Outcome of one seeding method x target in NAME.seeding.json.
SEED_REPRODUCIBLE = "reproducible"          # identical across two fresh processes
SEED_NOT_REPRODUCIBLE = "not reproducible"  # ran, but two fresh processes drew other bytes
SEED_UNAVAILABLE = "unavailable"            # this version does not offer the method
SEED_ERROR = "error"                        # offered, but calling it raised
SEED_STATUSES = (SEED_REPRODUCIBLE, SEED_NOT_REPRODUCIBLE, SEED_UNAVAILABLE, SEED_ERROR)
# The seeding methods, in the order the step runs them in both processes and the report shows
# them ("no seed" first: nothing was seeded before it), and the two targets each is drawn for.
SEED_METHODS = ("no seed", "tf.set_random_seed", "tf.compat.v1.set_random_seed",
                "tf.random.set_seed", "keras.utils.set_random_seed", "initializer(seed=\u2026)",
                "same seeded instance twice", "two instances, same seed", "seed 0",
                # what a user of the old Keras FAQ writes, each alone: numpy's and Python's
                # global generators (last, so the earlier methods keep their places)
                "np.random.seed", "random.seed")
SEED_TARGETS = ("Dense kernel", "initializer call")

# Outcome of one propagation record (API x model x initializer x dtype, or a training run).
PROP_OK = "ok"
PROP_ERROR = "error"  # building, running or training the model raised (the reason says what)
PROP_STATUSES = (PROP_OK, PROP_ERROR)

# Outcome of one cell (api family x layer x weight).
CELL_OK = "ok"
CELL_UNAVAILABLE = "unavailable"
CELL_ERROR = "error"
CELL_STATUSES = (CELL_OK, CELL_UNAVAILABLE, CELL_ERROR)

# API families, spelled as users write them, in the order the report shows them.
FAMILY_TF_LAYERS = "tf.layers"
FAMILY_COMPAT_V1_LAYERS = "tf.compat.v1.layers"
FAMILY_TF_KERAS = "tf.keras"
FAMILY_KERAS = "keras"
FAMILY_TF_KERAS_PACKAGE = "tf_keras"
# TF1-style APIs beside them (tf.compat.v1.X is tf.X where tf.compat does not exist yet, < 1.13).
FAMILY_COMPAT_V1_KERAS = "tf.compat.v1.keras"
FAMILY_CONTRIB_LAYERS = "tf.contrib.layers"
FAMILY_RNN_CELL = "tf.compat.v1.nn.rnn_cell"
FAMILY_GET_VARIABLE = "tf.compat.v1.get_variable"
# The same calls inside variable_scope(initializer=...): which initializer wins.
FAMILY_SCOPED_GET_VARIABLE = "tf.compat.v1.get_variable in variable_scope(initializer=...)"
FAMILY_SCOPED_LAYERS = "tf.compat.v1.layers in variable_scope(initializer=...)"
FAMILY_SCOPED_TF_KERAS = "tf.keras in variable_scope(initializer=...)"
# The five families every release is read by come first (the throughput charts colour them).
API_FAMILIES = (FAMILY_TF_LAYERS, FAMILY_COMPAT_V1_LAYERS, FAMILY_TF_KERAS, FAMILY_KERAS,
                FAMILY_TF_KERAS_PACKAGE, FAMILY_COMPAT_V1_KERAS, FAMILY_CONTRIB_LAYERS,
                FAMILY_RNN_CELL, FAMILY_GET_VARIABLE, FAMILY_SCOPED_GET_VARIABLE,
                FAMILY_SCOPED_LAYERS, FAMILY_SCOPED_TF_KERAS)

# Stable weight roles, whatever a framework version names the variable. A sublayer's weights
# are roles of their own: a MultiHeadAttention's query_kernel ... output_bias, a
# tf.compat.v1.nn.rnn_cell.GRUCell's gates_kernel ... candidate_bias.
WEIGHT_ROLES = ("kernel", "bias", "depthwise_kernel", "pointwise_kernel", "recurrent_kernel",
                "embeddings", "gamma", "beta", "moving_mean", "moving_variance", "alpha",
                "query_kernel", "query_bias", "key_kernel", "key_bias", "value_kernel",
                "value_bias", "output_kernel", "output_bias", "gates_kernel", "gates_bias",
                "candidate_kernel", "candidate_bias")

# What a suite may name, checked on the host before anything runs (initcompat.suite); layer
# kinds and their fields come from initcompat.probe.catalogue. Initializers by the snake_case
# name the initializers section's `explicit`, the seeding block and the propagation
# initializers use; each namespace resolves it its own way (tf.NAME_initializer, a class,
# get(NAME)), and a version that lacks one records that.
INITIALIZER_NAMES = ("constant", "glorot_normal", "glorot_uniform", "he_normal", "he_uniform",
                     "identity", "lecun_normal", "lecun_uniform", "ones", "orthogonal",
                     "random_normal", "random_uniform", "truncated_normal",
                     "uniform_unit_scaling", "variance_scaling", "xavier", "zeros")
# The propagation step's models (initcompat.measurements.propagation.models): layer types,
# activations, paddings, the dtypes and losses it knows, and the shipped digits (initcompat.host.digits) by name with
# the values per example each holds.
PROPAGATION_LAYER_TYPES = ("conv2d", "dense", "max_pool", "flatten")
PROPAGATION_ACTIVATIONS = ("relu", "tanh")
PROPAGATION_PADDINGS = ("same", "valid")
PROPAGATION_DTYPES = ("float32", "float16", "bfloat16")
PROPAGATION_LOSSES = ("naive", "stable")
PROPAGATION_INPUTS = {"x8": 64, "x28": 784}

# Probabilities at which every sample summary stores quantiles (kept for users of the result
# files and cells.csv; the report's tests use the moments, histogram and subsample).
QUANTILE_PROBS = (0.001, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.999)
HISTOGRAM_BINS = 64

# Throughput: pyperf benchmark names are FAMILY/LAYER/SIZE/DEVICE, ceilings CEILING_PREFIX+NAME/DEVICE.
CEILING_PREFIX = "ceiling/"
CEILING_MEMORY_WRITE = "memory-write"
CEILING_PHILOX_FLOAT32 = "philox-float32"
# The device's own ceilings where there is no TensorFlow (initcompat.probe.device_timing): the
# framework's uniform fill and constant fill of a float32 buffer on each device it lists.
CEILING_DEVICE_RNG_FLOAT32 = "device-rng-float32"
CEILING_DEVICE_MEMORY_WRITE = "device-memory-write"
CEILING_NAMES = (CEILING_MEMORY_WRITE, CEILING_PHILOX_FLOAT32, CEILING_DEVICE_MEMORY_WRITE,
                 CEILING_DEVICE_RNG_FLOAT32)
# Fields of one benchmark's entry in a throughput summary (seconds per initialization).
BENCHMARK_TIME_FIELDS = ("median_s", "mad_s", "q1_s", "q3_s", "min_s", "max_s")
BENCHMARK_RATE_FIELDS = ("params_per_s", "bytes_per_s")
CEILING_RATE_FIELDS = ("bytes_per_s", "elements_per_s")
# What a throughput summary says when the framework lists no GPU.
NO_GPU = "none found"


def environment_record(name, tensorflow, python, tags=(), resolution=None, keras=None,
                       backend=None, framework=None, framework_version=None, suite=None):
    """The `env` block: what the matrix asked for (what was installed is recorded elsewhere).
    A session of the Keras axis also names its Keras release and backend (tensorflow is
    NO_TENSORFLOW where it installs none); a framework session its framework and version;
    `suite` is the suite_identity of the suite measured."""
    record = {"name": name, "tensorflow": tensorflow, "python": python, "tags": list(tags),
              "resolution": resolution}
    if keras is not None:
        record.update(keras=keras, backend=backend)
    if framework is not None:
        record.update(framework=framework, framework_version=framework_version)
    if suite is not None:
        record["suite"] = suite
    return record


# The suite a result measured: its file name and a hash of its content. Keys named "comment"
# (at any depth) are left out of the hash: they change no measurement.
SUITE_COMMENT_KEY = "comment"
DEFAULT_SUITE_FILE = "default.json"  # suites/default.json: the shipped suite


def _without_comments(value):
    if isinstance(value, dict):
        return dict((key, _without_comments(item)) for key, item in value.items()
                    if key != SUITE_COMMENT_KEY)
    if isinstance(value, list):
        return [_without_comments(item) for item in value]
    return value


def suite_hash(suite):
    """sha256 (hex) of a suite's canonical JSON (sorted keys, no spaces, ASCII), comments left
    out: the same suite gives the same hash however its file is laid out."""
    text = json.dumps(_without_comments(suite), sort_keys=True, separators=(",", ":"),
                      ensure_ascii=True, allow_nan=False)
    return hashlib.sha256(text.encode("ascii")).hexdigest()


def suite_identity(path, suite):
    """{"file": the suite file's name (never its folder), "sha256": suite_hash(suite)}."""
    return {"file": os.path.basename(str(path)), "sha256": suite_hash(suite)}


def read_suite_identity(path):
    """suite_identity of the suite file at `path`, or None when it cannot be read as JSON (the
    step that reads it says why)."""
    try:
        with open(str(path)) as handle:
            return suite_identity(path, json.load(handle))
    except (IOError, OSError, ValueError):
        return None


NO_TENSORFLOW = "none"  # env.tensorflow of a Keras session on JAX, PyTorch or NumPy


def outcome_result(env, status, reason, log_tail=None):
    """A probe result for an environment that produced no cells yet (or none at all)."""
    return {"schema_version": SCHEMA_VERSION, "kind": KIND_RESULT, "env": env, "status": status,
            "reason": reason, "log_tail": log_tail, "cells": []}


def install_record(env, record):
    """The runner's NAME.install.json: how the environment was built (installer, cut, pins, lock)."""
    document = {"schema_version": SCHEMA_VERSION, "kind": KIND_INSTALL, "env": env}
    document.update(record)
    return document


def step_record(status, reason=None, seconds=None, log_tail=None, cpu_seconds=None):
    """One step of a run in the outcome file; `cpu_seconds` (user + system of the step's
    process and the processes it waited for) where the runner measured it."""
    record = {"status": status, "reason": reason,
              "seconds": None if seconds is None else round(float(seconds), 2),
              "log_tail": log_tail}
    if cpu_seconds is not None:
        record["cpu_seconds"] = round(float(cpu_seconds), 2)
    return record


def outcome_record(env, status, reason, steps, log_tail=None):
    """The runner's NAME.outcome.json: the environment's status and every step it ran."""
    return {"schema_version": SCHEMA_VERSION, "kind": KIND_OUTCOME, "env": env, "status": status,
            "reason": reason, "log_tail": log_tail, "steps": steps}


def _step_env(env_name, suite):
    env = {"name": env_name}
    if suite is not None:
        env["suite"] = suite
    return env


def measurement_record(kind, env_name, body, suite=None):
    """The file of a measurement step (KIND_INITIALIZERS, KIND_SEEDING) around its body;
    `suite`: the suite_identity it measured."""
    document = {"schema_version": SCHEMA_VERSION, "kind": kind,
                "env": _step_env(env_name, suite)}
    document.update(body)
    return document


def throughput_record(env_name, summary, suite=None):
    """The throughput step's NAME.throughput.json around its summary."""
    document = {"schema_version": SCHEMA_VERSION, "kind": KIND_THROUGHPUT,
                "env": _step_env(env_name, suite)}
    document.update(summary)
    return document
