"""python -m initcompat.probe.fix_runs --plan PLAN.json --suite SUITE --env-name NAME --out-dir DIR

The check's fix runs (initcompat.check --verify, issue 28). Each run of the plan is code the
check offers to keep an older environment's behaviour here, derived from the measurements and
the report's theory but never run in this environment: a layer built with the fix's arguments
(a setting such as reset_after=False, or an initializer passed explicitly), or an initializer
the fix constructs. Each is run here for real, fresh, with the probe's own code, so its draws
are recorded exactly as the measured ones it is compared with: a layer through
cells.probe_layer (the probe's cells: two seeded builds, then draws to the suite's sample
target), an initializer through the initializers step's _record and summarize_draws (drawn on
the suite's initializer shapes). A release of the same framework is one more target, as in the
porting step (initcompat.measurements.porting.probe); the host compares the draws with the source's
(initcompat.check.verdicts, the porting table's tests).

Every run leaves one file, DIR/NAME.fix-KEY.json (schema.fix_file_name), written once,
atomically, by this process: {"run": the plan's run, "status": ok | error | unavailable,
"reason", "cells" (layer runs) or "record" (initializer runs), "seconds", "versions"}. The code
of a run may raise (a setting the layer no longer takes, an initializer that is gone): that is
the run's finding, status "error" with the exception.

Plan: {"kind": PLAN_KIND, "plan_version": PLAN_VERSION, "legacy_keras": bool, "runs": [RUN]}
  RUN {"key": hex, "kind": "layer", "family": a probe family's name, "layer": a suite layer id,
       "settings": {argument: JSON value}, "initializers": {argument: code}, "roles": [role]}
    | {"key": hex, "kind": "initializer", "code": "tf.keras.initializers.RandomNormal(stddev=1.0)"}
With "legacy_keras" true the plan runs under TF_USE_LEGACY_KERAS=1 (set before TensorFlow is
imported). Exits 0 when it wrote a file for every run, 1 with one line when the plan or the
suite is unusable. Python 3.6-clean; stdlib, numpy and the framework under test only.
"""

import argparse
import json
import math
import os
import re
import sys
import time
import traceback

from initcompat.probe import schema
from initcompat.probe.output import write_json_atomic

PLAN_KIND = schema.FIX_PLAN_KIND
PLAN_VERSION = schema.FIX_PLAN_VERSION
RUN_KINDS = schema.FIX_RUN_KINDS
KEY = re.compile(r"^[0-9a-f]{16,64}$")
# What a fix's code may name: the packages a user's file imports.
CODE_NAMES = ("tf", "keras", "tf_keras")
MAX_CODE = 2000
MAX_REASON = 2000
PREFIX = "initcompat fix runs:"


def parse_arguments(argv):
    parser = argparse.ArgumentParser(prog="python -m initcompat.probe.fix_runs")
    parser.add_argument("--plan", required=True)
    parser.add_argument("--suite", required=True)
    parser.add_argument("--env-name", required=True)
    parser.add_argument("--out-dir", required=True)
    return parser.parse_args(argv)


def say(message):
    sys.stderr.write("%s %s\n" % (PREFIX, message))
    sys.stderr.flush()


def plan_problem(plan):
    """Why a plan cannot be run, or None (the host writes plans; a hand-made one is checked)."""
    if not isinstance(plan, dict) or plan.get("kind") != PLAN_KIND:
        return "not a fix plan (kind %r)" % (plan.get("kind") if isinstance(plan, dict) else None)
    if plan.get("plan_version") != PLAN_VERSION:
        return "plan_version %r; this probe runs %d" % (plan.get("plan_version"), PLAN_VERSION)
    if not isinstance(plan.get("legacy_keras"), bool) or not isinstance(plan.get("runs"), list):
        return "legacy_keras must be true or false and runs a list"
    for index, run in enumerate(plan["runs"]):
        where = "runs[%d]" % index
        if not isinstance(run, dict) or run.get("kind") not in RUN_KINDS:
            return "%s: kind must be one of %s" % (where, ", ".join(RUN_KINDS))
        if not isinstance(run.get("key"), str) or not KEY.match(run["key"]):
            return "%s: key must be 16 to 64 lower-case hex digits" % where
        if run["kind"] == "initializer":
            if not isinstance(run.get("code"), str) or not 0 < len(run["code"]) <= MAX_CODE:
                return "%s: code must be a non-empty string" % where
            continue
        for name in ("family", "layer"):
            if not isinstance(run.get(name), str):
                return "%s: %s must be a string" % (where, name)
        if not isinstance(run.get("roles"), list) or not all(
                isinstance(role, str) for role in run["roles"]):
            return "%s: roles must be a list of strings" % where
        for name in ("settings", "initializers"):
            if not isinstance(run.get(name, {}), dict):
                return "%s: %s must be an object" % (where, name)
        for argument, code in run.get("initializers", {}).items():
            if not argument.endswith("_initializer") or not isinstance(code, str) or \
                    not 0 < len(code) <= MAX_CODE:
                return "%s: initializers: %r must name an initializer argument and its code" % (
                    where, argument)
        if any(name.endswith("_initializer") for name in run.get("settings", {})):
            return "%s: settings: initializer arguments belong in initializers" % where
    return None


def read_plan(path):
    try:
        with open(path) as handle:
            plan = json.load(handle)
    except (IOError, OSError) as error:
        raise SystemExit("%s cannot read plan %s: %s" % (PREFIX, path, error.strerror))
    except ValueError as error:
        raise SystemExit("%s plan %s is not valid JSON: %s" % (PREFIX, path, error))
    problem = plan_problem(plan)
    if problem:
        raise SystemExit("%s plan %s: %s" % (PREFIX, path, problem))
    return plan


def code_namespace(tf):
    """The names a fix's code may use: tf, and keras and tf_keras where they import."""
    namespace = {"tf": tf, "math": math}
    for name in CODE_NAMES[1:]:
        try:
            namespace[name] = __import__(name)
        except Exception:  # not installed (or broken): code naming it raises NameError
            pass
    return namespace


def evaluate(code, namespace):
    """The value of a fix's expression, evaluated afresh (a new initializer object each call)."""
    return eval(compile(code, "<fix>", "eval"), dict(namespace))


def with_initializers(family, initializers, namespace):
    """A copy of a probe family whose layer factory also passes the fix's initializer arguments,
    each evaluated afresh per layer (no two layers share an initializer object): a subclass of
    the family's own class, so every method it runs builds through this factory."""
    if not initializers:
        return family
    base = type(family)

    class FixFamily(base):
        def layer_factory(self, kind):
            factory = base.layer_factory(self, kind)

            def with_fix(*arguments, **keywords):
                for argument, code in sorted(initializers.items()):
                    keywords[argument] = evaluate(code, namespace)
                return factory(*arguments, **keywords)
            return with_fix

    fixed = FixFamily.__new__(FixFamily)
    fixed.__dict__.update(family.__dict__)
    return fixed


def layer_spec(suite, layer_id, settings):
    """The suite's layer with that id, its options extended by the fix's settings."""
    from initcompat.probe import catalogue
    for spec in suite["layers"]:
        if catalogue.layer_id(spec) == layer_id:
            found = dict(spec)
            found["options"] = dict(spec.get("options") or {}, **settings)
            return found
    return None


def run_layer(tf, legacy_keras, run, suite, namespace):
    """The probe's cells of the fix's layer (only the roles the run names)."""
    from initcompat.probe import apis, cells
    family = next((f for f in apis.probe_families(tf, legacy_keras) if f.name == run["family"]
                   and bool(f.legacy_keras) == legacy_keras), None)
    if family is None:
        return {"status": schema.CELL_UNAVAILABLE, "cells": [],
                "reason": "this environment has no family %s%s" % (
                    run["family"], " under TF_USE_LEGACY_KERAS=1" if legacy_keras else "")}
    spec = layer_spec(suite, run["layer"], run.get("settings") or {})
    if spec is None:
        return {"status": schema.CELL_ERROR, "cells": [],
                "reason": "the suite has no layer %s" % run["layer"]}
    fixed = with_initializers(family, run.get("initializers") or {}, namespace)
    found = [cell for cell in cells.probe_layer(fixed, spec, suite)
             if cell["weight_role"] in run["roles"]]
    failed = [cell for cell in found if cell["status"] != schema.CELL_OK]
    return {"status": failed[0]["status"] if failed else schema.CELL_OK,
            "reason": failed[0].get("reason") if failed else None,
            "error_type": failed[0].get("error_type") if failed else None, "cells": found}


def run_initializer(tf, run, suite, namespace):
    """The initializers step's record of the fix's initializer, drawn on the suite's shapes."""
    from initcompat.measurements.initializers import probe as initializers
    drawer = initializers.Drawer(tf, int(suite["initializers"]["seed"]))
    record = initializers._record("fix", run["code"], "fix", None,
                                  lambda: evaluate(run["code"], namespace), suite, drawer)
    drawer.run()
    initializers.summarize_draws([record], suite)
    return {"status": record["status"], "reason": record.get("reason"),
            "error_type": record.get("error_type"), "record": record}


def run_one(tf, legacy_keras, run, suite, namespace):
    started = time.time()
    try:
        if run["kind"] == "layer":
            body = run_layer(tf, legacy_keras, run, suite, namespace)
        else:
            body = run_initializer(tf, run, suite, namespace)
    except Exception as error:  # the fix's code raised outside a cell: the run's finding
        body = {"status": schema.CELL_ERROR, "error_type": type(error).__name__,
                "reason": ("%s: %s" % (type(error).__name__, error))[:MAX_REASON],
                "log_tail": traceback.format_exc()[-schema.TAIL_CHARS:]}
    body["seconds"] = round(time.time() - started, 3)
    return body


def main(argv=None):
    arguments = parse_arguments(sys.argv[1:] if argv is None else argv)
    plan = read_plan(arguments.plan)
    from initcompat.probe.__main__ import load_suite
    suite = load_suite(arguments.suite)
    if plan["legacy_keras"]:
        os.environ["TF_USE_LEGACY_KERAS"] = "1"  # before TensorFlow is imported
    import tensorflow as tf
    namespace = code_namespace(tf)
    from initcompat.probe.step import add_keras_versions
    versions = add_keras_versions({"tensorflow": tf.__version__,
                                   "python": "%d.%d.%d" % sys.version_info[:3]})
    identity = schema.suite_identity(arguments.suite, suite)
    for run in plan["runs"]:
        body = run_one(tf, plan["legacy_keras"], run, suite, namespace)
        body.update(run=run, legacy_keras=plan["legacy_keras"], versions=versions)
        path = os.path.join(arguments.out_dir, schema.fix_file_name(arguments.env_name,
                                                                    run["key"]))
        write_json_atomic(path, schema.measurement_record(schema.KIND_FIX, arguments.env_name,
                                                          body, suite=identity))
        say("%s %s: %s in %.1f s -> %s" % (run["kind"], run.get("code") or "%s %s" % (
            run["family"], run["layer"]), body["status"], body["seconds"], path))
    return 0


if __name__ == "__main__":
    sys.exit(main())
