"""One seeding measurement in this process: the exact call of a method on a target (plan), its
two draws with the warnings they emitted (measure_one, Captured), and every family x method x
target in the fixed order (measure), which both fresh processes of the seeding step run.
Python 3.6-clean: stdlib, numpy, the framework.
"""

import logging
import sys
import time
import traceback
import warnings

import numpy as np

from initcompat.probe import schema
from initcompat.probe.moments import fingerprint_bytes
from initcompat.measurements.seeding.families import (
    DENSE, GLOBAL_METHODS, INITIALIZER_SEED, SAME_INSTANCE, SEED_ZERO, TWO_INSTANCES, KerasFamily,
    Unavailable, describe_error, families, reset_global_state, short)


MAX_WARNINGS = 6
LOGGERS = ("", "tensorflow", "absl", "keras", "tf_keras")


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
