"""python -m initcompat.measurements.initializers.probe --suite SUITE.json --env-name NAME
       --out NAME.initializers.json

Every initializer the installed version offers, in each namespace it offers it, measured by
drawing from it: constructed with no arguments (`how` "constructor"), through the namespace's
`get(name)` for every string alias it knows ("get"), and with the suite's explicit arguments
("explicit", e.g. truncated_normal(stddev=0.1)). Each is called on the suite's dense and conv
shapes; a record keeps the class, module and config that came back, the fans the framework
computes, and the drawn sample (moments; a histogram and subsample for constructor and explicit
records; moments only for the aliases, whose file would otherwise be tens of MB).

A callable that is the very object measured under an earlier namespace (tf.keras.initializers
and keras.initializers share their classes from TF 2.6 on) is not drawn again: its record is a
copy marked `alias_of` that namespace, and a namespace made only of such copies says so. Draws are unseeded, after a graph-level/global seed, as a user's defaults would be.
Exits 0 whenever it wrote its file, 1 with one line when the suite is unusable.

Which initializers a namespace offers is namespaces.py; how they are called and
their draws summarized, drawer.py; this module measures each namespace and writes
the file. Python 3.6-clean.
"""

import json
import sys
import time
import warnings

from initcompat.probe import schema, step
from initcompat.measurements.initializers.drawer import (MAX_REASON, Drawer, error_reason,
                                                       summarize_draws)
from initcompat.measurements.initializers.namespaces import alias_names, namespaces, offered
from initcompat.probe.output import write_json_atomic


def describe(initializer):
    """class, module, config, repr of an initializer object or closure (tf.contrib returns a
    plain function: its enclosing function is the class, its closure the config)."""
    from initcompat.probe.identity import describe_initializer, json_safe
    described = describe_initializer(initializer)
    if type(initializer).__name__ == "function":
        qualified = getattr(initializer, "__qualname__", initializer.__name__)
        described["class_name"] = qualified.split(".<locals>")[0]
        described["module"] = getattr(initializer, "__module__", None)
        closure = getattr(initializer, "__closure__", None) or ()
        free = getattr(initializer.__code__, "co_freevars", ())
        config = {}
        for name, cell in zip(free, closure):
            try:
                config[name] = json_safe(cell.cell_contents)
            except ValueError:  # an empty cell
                continue
        described["config"] = config
    return described


def measure_namespace(label, style, namespace, suite, drawer, measured):
    """Records of one namespace: constructor, get(alias) and explicit, each with pending draws.

    `measured` ({(how, id of the callable, name or arguments): (callable, record)}, shared by
    the namespaces of one process) turns a callable already measured under another namespace
    (tf.keras.initializers.HeNormal is keras.initializers.HeNormal from TF 2.6 on) into a copy
    of that record, marked alias_of."""
    records = []

    def add(key, callable_object, make):
        if key in measured:
            first = measured[key][1]
            records.append(dict(first, namespace=label, _original=first,
                                alias_of=first.get("alias_of") or first["namespace"]))
            return
        record = make()
        measured[key] = (callable_object, record)  # the object is kept so its id stays unique
        records.append(record)

    names = offered(namespace, style)
    for name, factory in names:
        add(("constructor", id(factory), name), factory,
            lambda n=name, f=factory: _record(label, n, "constructor", None, f, suite, drawer))
    getter = getattr(namespace, "get", None) if style == "module" else None
    if callable(getter):
        for alias in alias_names(namespace, names):
            add(("get", id(getter), alias), getter,
                lambda a=alias: _record(label, a, "get", None, lambda: getter(a), suite, drawer,
                                        summary="moments"))
    by_name = dict(names)
    for explicit in suite["initializers"].get("explicit", []):
        name, arguments = explicit["name"], dict(explicit.get("args") or {})
        factory = _explicit_factory(by_name, style, name)
        if factory is None:
            continue  # the namespace does not offer that name: no record (the constructor
            # records already say what it offers)
        add(("explicit", id(factory[1]), json.dumps(arguments, sort_keys=True)), factory[1],
            lambda n=factory[0], f=factory[1], a=arguments: _record(
                label, n, "explicit", a, lambda: f(**a), suite, drawer))
    return records


def _explicit_factory(by_name, style, name):
    """(attribute name, factory) that spells `name` (snake_case) in a namespace, or None."""
    if style == "functions":
        candidates = [name + "_initializer"]
    else:
        camel = "".join(part.capitalize() for part in name.split("_"))
        candidates = [camel, name]
    for candidate in candidates:
        if candidate in by_name:
            return candidate, by_name[candidate]
    return None


def _record(namespace, name, how, arguments, construct, suite, drawer, summary="full"):
    record = {"namespace": namespace, "initializer": name, "how": how, "args": arguments,
              "status": schema.INIT_OK, "reason": None, "error_type": None, "draws": []}
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            initializer = construct()
        except Exception as error:
            record["reason"], record["error_type"] = error_reason(error)
            record["status"] = schema.INIT_ERROR
            return record
        if initializer is None or not callable(initializer):
            record["status"] = schema.INIT_ERROR
            record["reason"] = "returned %r, not a callable initializer" % (initializer,)[:200]
            return record
        described = describe(initializer)
        record.update(class_name=described["class_name"], module=described["module"],
                      config=described["config"], repr=described["repr"])
        for shape_name, shape in sorted(suite["initializers"]["shapes"].items()):
            draw = {"shape_name": shape_name, "shape": [int(d) for d in shape],
                    "status": schema.INIT_OK, "summary": summary, "initializer": initializer}
            try:
                drawer.call(initializer, shape, draw)
            except Exception as error:
                draw["status"] = schema.INIT_ERROR
                draw["reason"], draw["error_type"] = error_reason(error)
            record["draws"].append(draw)
    if caught:
        record["warning"] = "; ".join(sorted(set(str(w.message) for w in caught)))[:MAX_REASON]
    return record


def measure(tf, suite):
    """(namespace records, initializer records) of this environment."""
    drawer = Drawer(tf, int(suite["initializers"]["seed"]))
    listed, records = [], []
    measured = {}
    for label, style, namespace, why in namespaces(tf):
        if namespace is None:
            listed.append({"namespace": label, "status": schema.INIT_UNAVAILABLE, "reason": why})
            continue
        module = getattr(namespace, "__name__", None)
        found = measure_namespace(label, style, namespace, suite, drawer, measured)
        aliased = set(record.get("alias_of") for record in found)
        listed.append({"namespace": label, "status": schema.INIT_OK if found else
                       schema.INIT_UNAVAILABLE, "module": module,
                       # every record the very object of one other namespace's: its alias
                       "alias_of": aliased.pop() if len(aliased) == 1 and None not in aliased
                       else None,
                       "reason": None if found else "offers no initializer"})
        records.extend(found)
    drawer.run()
    targets = _audit_targets(records)
    summarize_draws(records, suite)
    return listed, records, run_audit(targets, drawer, suite)


def _audit_targets(records):
    """(record, initializer object, support) of every bounded initializer measured in its own
    right (constructor or explicit; copies under other namespaces and get() aliases are not
    drawn again): initcompat.measurements.initializers.audit."""
    from initcompat.measurements.initializers import audit
    targets = []
    for record in records:
        if "_original" in record or record["how"] == "get" or record["status"] != schema.INIT_OK \
                or not record["draws"] or "initializer" not in record["draws"][0]:
            continue
        module = record.get("module") or ""
        found = audit.support(record, tf1_defaults="ops.init_ops" in module
                              and "init_ops_v2" not in module)
        if found is not None:
            targets.append((record, record["draws"][0]["initializer"], found))
    return targets


def run_audit(targets, drawer, suite):
    """The audit records: `audit_size` values of each target, counted outside its support."""
    from initcompat.measurements.initializers import audit
    size = int(suite["initializers"].get("audit_size") or 0)
    entries = []
    if size <= 0:
        return entries
    shape = (max(1, size // audit.COLUMNS), audit.COLUMNS)
    for record, initializer, found in targets:
        slot = {}
        try:
            drawer.call(initializer, shape, slot)
            drawer.run()
            if "error" in slot:
                raise slot["error"]
            entries.append(audit.audit_entry(record, found, slot["values"]))
        except Exception as error:
            entries.append({"namespace": record["namespace"], "initializer": record["initializer"],
                            "how": record["how"], "args": record.get("args"),
                            "error": error_reason(error)[0]})
        slot.clear()  # tens of millions of values: free them before the next draw
    return entries


def parse_arguments(argv):
    return step.parse_step_arguments("python -m initcompat.measurements.initializers.probe",
                                     "Draw from every initializer of every namespace.", argv)


def load_suite(path):
    return step.read_suite_section(path, "initializers", ("shapes", "seed", "subsample_size"),
                                   schema.INITIALIZERS_PREFIX)[0]


def main(argv=None):
    arguments = parse_arguments(argv)
    suite = load_suite(arguments.suite)
    started = time.time()
    body = {"status": schema.ENV_OK, "reason": None, "records": [], "namespaces": [], "audit": []}
    try:
        tf, versions = step.import_framework(arguments.framework)
        body["namespaces"], body["records"], body["audit"] = measure(tf, suite)
        body["versions"] = step.add_keras_versions(versions)
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # a failure is data: the file says what happened
        import traceback
        body.update(status=schema.ENV_PROBE_CRASHED, reason=error_reason(error)[0],
                    log_tail=traceback.format_exc()[-schema.TAIL_CHARS:])
    body["timings"] = {"seconds": round(time.time() - started, 3)}
    body["design"] = {"shapes": suite["initializers"]["shapes"],
                      "audit_size": suite["initializers"].get("audit_size"),
                      "seed": suite["initializers"]["seed"],
                      "explicit": suite["initializers"].get("explicit", [])}
    write_json_atomic(arguments.out, schema.measurement_record(schema.KIND_INITIALIZERS,
                                                               arguments.env_name, body,
                                                               suite=schema.suite_identity(
                                                                   arguments.suite, suite)))
    ok = sum(1 for r in body["records"] if r["status"] == schema.INIT_OK)
    print("%s %s: %d records (%d ok) in %d namespaces, %.1f s" % (
        schema.INITIALIZERS_PREFIX, arguments.env_name, len(body["records"]), ok,
        sum(1 for n in body["namespaces"] if n["status"] == schema.INIT_OK),
        time.time() - started))
    return 0


if __name__ == "__main__":
    sys.exit(main())
