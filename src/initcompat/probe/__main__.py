"""python -m initcompat.probe --suite SUITE.json --out RESULT.json

Imports TensorFlow, probes every API family, writes one result. Exits 0 whenever it wrote a
result (a missing API, even a failed TensorFlow import, is a finding); 2 on bad arguments, 1
with one line naming the suite file when it is unusable, 130 when interrupted (nothing written).
Python 3.6-clean.
"""

import argparse
import json
import os
import signal
import sys
import time
import traceback

from initcompat.probe import schema
from initcompat.probe.child import ChildProcess
from initcompat.probe.output import write_json_atomic



def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m initcompat.probe",
                                     description="Probe TensorFlow's default initializers.")
    parser.add_argument("--suite", required=True, help="suite JSON (layers, seed, sample sizes)")
    parser.add_argument("--out", required=True, help="result JSON to write")
    parser.add_argument("--env-name", help="environment name (default: tf-<major.minor>)")
    parser.add_argument("--requested-tensorflow", help="TF version the matrix asked for")
    parser.add_argument("--requested-python", help="Python version the matrix asked for")
    parser.add_argument("--tags", default="", help="comma-separated matrix tags")
    parser.add_argument("--resolution", default=None, help="how the environment was resolved")
    parser.add_argument("--requested-keras", help="a Keras session: the Keras release asked for")
    parser.add_argument("--keras-backend", help="a Keras session: its KERAS_BACKEND")
    parser.add_argument("--legacy-keras", action="store_true",
                        help="internal: probe tf_keras families (run under TF_USE_LEGACY_KERAS=1)")
    return parser.parse_args(argv)


def load_suite(path):
    """The suite as a dict; SystemExit with one line naming the file when it is unusable."""
    try:
        with open(path) as handle:
            suite = json.load(handle)
    except (IOError, OSError) as error:
        raise SystemExit("initcompat probe: cannot read suite %s: %s" % (path, error.strerror))
    except ValueError as error:
        raise SystemExit("initcompat probe: suite %s is not valid JSON: %s" % (path, error))
    missing = [key for key in ("seed", "sample_target", "max_builds", "subsample_size", "layers")
               if key not in suite] if isinstance(suite, dict) else ["(not an object)"]
    if missing:
        raise SystemExit("initcompat probe: suite %s lacks %s" % (path, ", ".join(missing)))
    from initcompat.probe import catalogue
    for index, spec in enumerate(suite["layers"] if isinstance(suite["layers"], list) else []):
        try:
            catalogue.lookup(spec.get("kind") if isinstance(spec, dict) else None)
        except catalogue.UnknownKind as error:  # before TensorFlow is imported, not after
            raise SystemExit("initcompat probe: suite %s: layers[%d]: %s" % (path, index, error))
    return suite


def progress(message):
    sys.stderr.write("%s %s\n" % (schema.PROBE_PREFIX, message))
    sys.stderr.flush()


def environment_block(arguments, tf_version):
    python = "%d.%d" % sys.version_info[:2]
    name = arguments.env_name
    if not name:
        name = "tf-" + ".".join((tf_version or "unknown").split(".")[:2])
    requested = arguments.requested_tensorflow
    if requested in (None, "*", "latest"):  # an unpinned (nightly) session: say what came
        requested = tf_version or requested
    return schema.environment_record(
        name, requested or "unknown",
        arguments.requested_python or python,
        [tag for tag in arguments.tags.split(",") if tag], arguments.resolution,
        arguments.requested_keras, arguments.keras_backend if arguments.requested_keras else None,
        suite=getattr(arguments, "suite_identity", None))


class LegacyChild(ChildProcess):
    """tf_keras and tf.compat.v1.layers probed in a child under TF_USE_LEGACY_KERAS=1.

    The variable must be set before TensorFlow is imported, hence a process of its own; it
    starts before the parent imports TensorFlow and runs beside it (a probe measures no time).
    """

    module_arguments = ("initcompat.probe", "--legacy-keras")

    def __init__(self, arguments):
        module, flags = self.module_arguments[0], list(self.module_arguments[1:])
        ChildProcess.__init__(self, [sys.executable, "-m", module, "--suite", arguments.suite]
                              + flags, dict(os.environ, TF_USE_LEGACY_KERAS="1"))

    def result(self):
        """(child result, None) or (None, its exit status and the end of its output)."""
        return self.wait()


class AvailabilityChild(LegacyChild):
    """TF_USE_LEGACY_KERAS=1 with tf_keras hidden (initcompat.probe.availability), beside the
    other processes."""

    module_arguments = ("initcompat.probe.availability",)

    def entries(self):
        """The child's availability entries, or entries saying why there are none."""
        from initcompat.probe import availability
        result, failure = self.result()
        if result is None or not isinstance(result.get("availability"), list):
            return availability.failed_entries(failure or "no availability written")
        return result["availability"]


def _installed_tensorflow(distributions):
    for name in ("tensorflow", "tensorflow-cpu", "tensorflow-gpu", "tf-nightly"):
        if distributions.get(name):
            return distributions[name]
    return None


def probe(arguments, suite, interrupts=()):
    """Build the whole result document (imports TensorFlow); `interrupts` lists SIGINTs seen."""
    if arguments.requested_tensorflow == schema.NO_TENSORFLOW:  # Keras on JAX, PyTorch, NumPy
        from initcompat.probe.adapters import keras_only
        return keras_only.probe(arguments, suite, environment_block)
    from initcompat.probe import apis, availability, installed
    legacy_child = availability_child = distributions = None
    try:
        if not arguments.legacy_keras:
            distributions = installed.collect_distributions()
            if apis.tf_keras_installed():
                legacy_child = LegacyChild(arguments)
            if availability.applies(_installed_tensorflow(distributions)):
                availability_child = AvailabilityChild(arguments)
        return probe_with_child(arguments, suite, interrupts, legacy_child, availability_child,
                                distributions)
    finally:
        for child in (legacy_child, availability_child):
            if child is not None:
                child.close()


def probe_with_child(arguments, suite, interrupts, child, availability_child=None,
                     distributions=None):
    """probe() once the legacy child and the availability child (or None) are running."""
    from initcompat.probe import installed
    started = time.time()
    try:
        import tensorflow as tf
    except KeyboardInterrupt:  # the user stopped us: that is no finding about TensorFlow
        raise
    except BaseException as error:  # an import can raise anything, even SystemExit
        if interrupts:  # an interrupt inside a C extension's init surfaces as ImportError
            raise KeyboardInterrupt
        env = environment_block(arguments, None)
        result = schema.outcome_result(env, schema.ENV_IMPORT_FAILED,
                                       "%s: %s" % (type(error).__name__, error),
                                       traceback.format_exc()[-schema.TAIL_CHARS:])
        result["installed"] = {"packages": installed.collect_distributions()}
        result["platform"] = installed.collect_platform()
        return result
    import_seconds = time.time() - started
    sys.stderr.write("%s %s in %.1f s\n" % (schema.IMPORTED_MARKER, tf.__version__, import_seconds))
    from initcompat.probe import apis, cells as cell_probe

    cells = []
    probe_started = time.time()
    measured = {}  # layer identities measured so far: a family of the same classes reuses them
    for family in apis.probe_families(tf, arguments.legacy_keras):
        family_started = time.time()
        family_cells = cell_probe.probe_family(family, suite, measured)
        cells.extend(family_cells)
        statuses = sorted(set(cell["status"] for cell in family_cells))
        progress("%-20s %s (%.1f s)" % (family.name + (" [legacy]" if family.legacy_keras else ""),
                                        "/".join(statuses), time.time() - family_started))
    legacy_seconds = None
    if not arguments.legacy_keras:
        legacy_started = time.time()
        family = apis.EagerKerasFamily(tf, schema.FAMILY_TF_KERAS_PACKAGE, apis.load_tf_keras, True)
        if child is not None:
            child_result, failure = child.result()
            if child_result is not None and child_result.get("status") != schema.ENV_OK:
                failure = "%s: %s" % (child_result.get("status"), child_result.get("reason"))
                child_result = None
            if child_result is not None:
                cells.extend(child_result["cells"])
            else:  # both legacy families say why they have no measurement
                for legacy_family in apis.probe_families(tf, True):
                    cells.extend(cell_probe.failed_family_cells(
                        legacy_family, suite, schema.CELL_ERROR, "LegacyChildFailed", failure))
        else:  # probing it here records why it is unavailable (not installed)
            cells.extend(cell_probe.probe_family(family, suite))
        legacy_seconds = time.time() - legacy_started
        progress("%-20s done (waited %.1f s for the child process)" % ("tf_keras [legacy]",
                                                                       legacy_seconds))
    availability_seconds = None
    if availability_child is not None:
        availability_started = time.time()
        availability = availability_child.entries()
        availability_seconds = time.time() - availability_started
        progress("%-20s %s (waited %.1f s for the child process)" % (
            "legacy without tf_keras", "/".join(sorted(set(e["status"] for e in availability))),
            availability_seconds))
    if distributions is None:
        distributions = installed.collect_distributions()
    result = schema.outcome_result(environment_block(arguments, tf.__version__), schema.ENV_OK, None)
    result.update({
        "cells": cells,
        "installed": installed.collect_framework_versions(tf, distributions),
        "distributions": distributions,
        "platform": installed.collect_platform(),
        "devices": installed.collect_devices(tf),
        "keras_versions": _keras_versions(),
        "timings": {"import_seconds": round(import_seconds, 3),
                    "probe_seconds": round(time.time() - probe_started, 3),
                    "legacy_child_wait_seconds": legacy_seconds and round(legacy_seconds, 3),
                    "availability_child_wait_seconds": availability_seconds
                    and round(availability_seconds, 3),
                    "total_seconds": round(time.time() - started, 3)},
        "suite": suite,
        "legacy_keras_process": bool(arguments.legacy_keras),
    })
    if availability_child is not None:
        result["availability"] = availability
    return result


def _keras_versions():
    versions = {}
    for name in ("keras", "tf_keras"):
        module = sys.modules.get(name)
        versions[name] = getattr(module, "__version__", None) if module else None
    return versions


def main(argv=None):
    arguments = parse_arguments(argv)
    suite = load_suite(arguments.suite)
    arguments.suite_identity = schema.suite_identity(arguments.suite, suite)  # in every env block
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    # An interrupt can land where Python swallows the KeyboardInterrupt (a weakref callback) or
    # where a C extension turns it into another error; noting it here means an interrupted
    # probe never writes a result, wherever the signal arrived.
    interrupts = []

    def note_interrupt(signum, frame):
        interrupts.append(signum)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, note_interrupt)
    result = probe(arguments, suite, interrupts)
    if interrupts:
        progress("interrupted: no result written")
        return 130
    write_json_atomic(arguments.out, result)
    progress("wrote %s (%s, %d cells)" % (arguments.out, result["status"], len(result["cells"])))
    return 0


if __name__ == "__main__":
    sys.exit(main())
