"""python -m initcompat.probe.availability --out FILE (run by the probe, never by hand)

Availability the layer probe cannot see from its own processes: TF_USE_LEGACY_KERAS=1 where
tf_keras is NOT installed. The environments of TF >= 2.16 install tf_keras, so this child
hides it: before TensorFlow is imported, every meta-path finder is wrapped so that it finds
nothing named tf_keras (HidingFinder): `import tf_keras` (and its submodules) raises
ModuleNotFoundError and importlib.util.find_spec returns None, as on a machine without the
package. Then it tries what a user would, each in turn, and records what happens:

  1 tf.keras                               accessing tf.keras.layers
  2 tf.keras.layers.Dense(...).build(...)  then building a layer (the suite's dense shape)
  3 tf.compat.v1.layers.dense              reaching the TF1 layers
  4 tf.compat.v1.keras                     reaching tf.compat.v1.keras.layers

They run in this order in one process (`attempt`), as a user's code would: the layer build
comes after the access to tf.keras has already failed once and the error was caught, so it
shows what a retry raises (TensorFlow's Keras loader marks itself initialized before it fails:
TF 2.16-2.21 raise ImportError the first time, RecursionError after). tf.compat.v1.layers and
tf.compat.v1.keras have loaders of their own, so each is a first access.

The record is small and lives in the probe's result as `availability`, a list with one entry
per attempt (not cells: in the probed environment tf_keras is installed, so the families' cells
measure it there):

  {"case": "TF_USE_LEGACY_KERAS=1 without tf_keras", "api_family": "tf.keras",
   "legacy_keras": true, "target": "tf.keras", "attempt": 1,
   "status": "ok" | "unavailable" | "error",
   "error_type": "ImportError" or null, "reason": the error's message or null,
   "logged": [what TensorFlow logged meanwhile (its warning that tf_keras is missing)]}

"unavailable" is an attempt that raised; "error" is the child failing as a whole (its output
tail as the reason, on every target). Only meaningful for TF >= 2.16 (before, TensorFlow does
not read TF_USE_LEGACY_KERAS): the probe runs this child only there (SINCE, read from the installed
distribution before TensorFlow is imported), beside its other work, and the result holds no
`availability` otherwise.
Python 3.6-clean.
"""

import argparse
import json
import logging
import os
import sys

from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic

CASE = "TF_USE_LEGACY_KERAS=1 without tf_keras"
SINCE = (2, 16)
HIDDEN = "tf_keras"
MAX_REASON = 2000
# (target, api_family) in the order tried.
TARGETS = (("tf.keras", schema.FAMILY_TF_KERAS),
           ("tf.keras.layers.Dense(...).build(...)", schema.FAMILY_TF_KERAS),
           ("tf.compat.v1.layers.dense", schema.FAMILY_COMPAT_V1_LAYERS),
           ("tf.compat.v1.keras", schema.FAMILY_COMPAT_V1_KERAS))


def hidden(fullname, name=HIDDEN):
    return fullname == name or fullname.startswith(name + ".")


class HidingFinder(object):
    """A meta-path finder that is `finder`, except that it finds nothing named HIDDEN.

    Every finder on sys.meta_path is wrapped, so `import tf_keras` raises ModuleNotFoundError
    and importlib.util.find_spec("tf_keras") returns None, as they do without the package
    (TensorFlow asks both while it imports). A finder that raised instead would break the
    second."""

    def __init__(self, finder):
        self._finder = finder

    def __getattr__(self, name):
        value = getattr(self._finder, name)
        if name not in ("find_spec", "find_module"):
            return value

        def find(fullname, *arguments, **keywords):
            return None if hidden(fullname) else value(fullname, *arguments, **keywords)

        return find

    def __repr__(self):
        return "HidingFinder(%r)" % (self._finder,)


def hide_tf_keras():
    """Wrap every meta-path finder and forget any tf_keras already imported."""
    sys.meta_path[:] = [HidingFinder(finder) for finder in sys.meta_path]
    for name in list(sys.modules):
        if hidden(name):
            del sys.modules[name]


def applies(tensorflow_version):
    """Whether the case means anything for this TensorFlow version ('2.16.1' -> True)."""
    try:
        major, minor = [int(part) for part in str(tensorflow_version).split(".")[:2]]
    except ValueError:
        return False
    return (major, minor) >= SINCE


def entry(target, family, status, error=None, logged=(), attempt=None):
    return {"case": CASE, "api_family": family, "legacy_keras": True, "target": target,
            "attempt": attempt, "status": status,
            "error_type": type(error).__name__ if error is not None else None,
            "reason": str(error)[:MAX_REASON] if error is not None else None,
            "logged": [str(line)[:MAX_REASON] for line in logged]}


def failed_entries(reason):
    """Every target, when the child itself failed."""
    return [dict(entry(target, family, schema.CELL_ERROR), error_type="AvailabilityChildFailed",
                 reason=str(reason)[-MAX_REASON:]) for target, family in TARGETS]


class _Collect(logging.Handler):
    def __init__(self):
        logging.Handler.__init__(self)
        self.lines = []

    def emit(self, record):
        try:
            self.lines.append(record.getMessage())
        except Exception:  # a record that cannot format itself
            self.lines.append(repr(record.msg))


def attempts(tf, suite):
    """(target, api_family, function) for every target."""
    layer = next((spec for spec in suite.get("layers", []) if spec.get("kind") == "dense"),
                 {"input_dim": 96, "units": 40})

    def keras():
        return tf.keras.layers

    def build():
        dense = tf.keras.layers.Dense(layer["units"])
        dense.build((None, layer["input_dim"]))
        return dense

    def v1_layers():
        return tf.compat.v1.layers.dense

    def v1_keras():
        return tf.compat.v1.keras.layers

    functions = (keras, build, v1_layers, v1_keras)
    return [(target, family, function) for (target, family), function in zip(TARGETS, functions)]


def measure(suite):
    """Import TensorFlow with tf_keras hidden and try every target (TF_USE_LEGACY_KERAS must be
    set in the environment already)."""
    hide_tf_keras()
    collect = _Collect()
    logger = logging.getLogger("tensorflow")
    logger.addHandler(collect)
    import tensorflow as tf
    found = []
    for attempt, (target, family, function) in enumerate(attempts(tf, suite), 1):
        del collect.lines[:]
        try:
            function()
        except Exception as error:
            found.append(entry(target, family, schema.CELL_UNAVAILABLE, error, collect.lines,
                               attempt))
        else:
            found.append(entry(target, family, schema.CELL_OK, None, collect.lines, attempt))
    logger.removeHandler(collect)
    return {"tensorflow": tf.__version__, "availability": found}


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m initcompat.probe.availability")
    parser.add_argument("--suite", required=True)
    parser.add_argument("--out", required=True)
    arguments = parser.parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    with open(arguments.suite) as handle:
        suite = json.load(handle)
    write_json_atomic(arguments.out, measure(suite))
    return 0


if __name__ == "__main__":
    sys.exit(main())
