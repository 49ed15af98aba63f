"""python -m initcompat.probe.initializers --suite SUITE.json --env-name NAME --out NAME.initializers.json

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
Exits 0 whenever it wrote its file, 1 with one line when the suite is unusable. Python 3.6-clean.
"""

import json
import re
import sys
import time
import warnings

from initcompat.probe import schema, step
from initcompat.probe.output import write_json_atomic

# Names in a namespace that are not initializers.
NOT_INITIALIZERS = frozenset([
    "get", "serialize", "deserialize", "deserialize_keras_object", "serialize_keras_object",
    "Initializer", "global_variables", "local_variables", "variables", "tables_initializer",
    "global_variables_initializer", "local_variables_initializer", "variables_initializer",
    "initialize_all_variables", "initialize_local_variables", "initialize_variables",
    "initialize_all_tables", "get_initializer", "all_variables",
])
MAX_REASON = 500


def _reach(owner, dotted):
    """getattr along a dotted path; (value, None) or (None, 'ErrorType: message')."""
    value = owner
    for part in dotted.split("."):
        try:
            value = getattr(value, part)
        except Exception as error:  # lazy loaders raise ImportError, Keras 3 AttributeError
            return None, "%s: %s" % (type(error).__name__, error)
    return value, None


def _import(name):
    try:
        module = __import__(name)
        return module, None
    except Exception as error:
        return None, "%s: %s" % (type(error).__name__, error)


def namespaces(tf):
    """[(label, style, object or None, why missing)] in report order; tf None: a Keras session
    without TensorFlow, where only keras.initializers exists.

    style "functions": TF1-style *_initializer callables on a module (tf, tf.compat.v1,
    tf.contrib.layers); "module": an initializers module with classes, aliases and get().
    """
    if tf is None:
        module, why = _import("keras")
        value = None
        if module is not None:
            value, why = _reach(module, "initializers")
        return [("keras.initializers", "module", value, why)]
    found = []
    found.append(("tf", "functions", tf, None))
    for label, path, style in (("tf.compat.v1", "compat.v1", "functions"),
                               ("tf.contrib.layers", "contrib.layers", "functions"),
                               ("tf.initializers", "initializers", "module"),
                               ("tf.compat.v1.initializers", "compat.v1.initializers", "module"),
                               ("tf.keras.initializers", "keras.initializers", "module")):
        value, why = _reach(tf, path)
        found.append((label, style, value, why))
    for package in ("keras", "tf_keras"):
        module, why = _import(package)
        value = None
        if module is not None:
            value, why = _reach(module, "initializers")
        found.append((package + ".initializers", "module", value, why))
    return found


def offered(namespace, style):
    """(name, factory) of every initializer the namespace offers, sorted by name."""
    names = []
    for name in sorted(dir(namespace)):
        if name.startswith("_") or name in NOT_INITIALIZERS:
            continue
        if style == "functions" and not name.endswith("_initializer"):
            continue
        if "variables" in name or "tables" in name:
            continue
        try:
            value = getattr(namespace, name)
        except Exception:
            continue
        if not callable(value) or type(value).__name__ == "module":
            continue
        if style == "module" and not (isinstance(value, type) or _looks_like_initializer(name)):
            continue
        if isinstance(value, type) and not callable(getattr(value, "__call__", None)):
            continue
        names.append((name, value))
    return names


def _looks_like_initializer(name):
    """A lower-case function in an initializers module: an alias such as he_normal, zeros."""
    return name == name.lower()


def alias_names(namespace, offered_names):
    """The string names to pass to namespace.get(): lower-case attributes and snake_case class
    names, each once."""
    names = []
    for name, value in offered_names:
        snake = name if name == name.lower() else re.sub(
            r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", name).lower()  # STFT: stft
        if snake not in names:
            names.append(snake)
    return names


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


def _error(error):
    return ("%s: %s" % (type(error).__name__, error))[:MAX_REASON], type(error).__name__


class Drawer(object):
    """Calls initializers on shapes and returns numpy arrays: eagerly, or in one tf.Graph whose
    tensors are run together (TF 1.x)."""

    def __init__(self, tf, seed):
        self.tf = tf
        self.seed = seed
        self.graph_mode = tf is not None and not getattr(tf, "executing_eagerly",
                                                         lambda: False)()
        self.pending = []
        if self.graph_mode:
            self.graph = tf.Graph()
            with self.graph.as_default():
                _v1(tf).set_random_seed(seed)
        elif tf is not None:
            tf.random.set_seed(seed)
        else:  # Keras alone: its global seed
            import keras
            keras.utils.set_random_seed(seed)

    def call(self, initializer, shape, slot):
        """Call `initializer` on `shape`; the value lands in slot["values"] after run()."""
        if self.graph_mode:
            with self.graph.as_default():
                self.pending.append((slot, _call(initializer, shape, self.tf)))
        else:
            slot["values"] = _to_numpy(_call(initializer, shape, self.tf))

    def run(self):
        """Evaluate what graph mode left pending; a failing tensor is retried alone."""
        if not self.graph_mode or not self.pending:
            return
        v1 = _v1(self.tf)
        with self.graph.as_default(), v1.Session(graph=self.graph) as session:
            tensors = [tensor for _, tensor in self.pending]
            try:
                values = session.run(tensors)
            except Exception:
                values = []
                for tensor in tensors:
                    try:
                        values.append(session.run(tensor))
                    except Exception as error:
                        values.append(error)
        for (slot, _), value in zip(self.pending, values):
            if isinstance(value, Exception):
                slot["error"] = value
            else:
                slot["values"] = value
        self.pending = []


def _v1(tf):
    compat = getattr(tf, "compat", None)
    return getattr(compat, "v1", None) or tf


def _call(initializer, shape, tf):
    """initializer(shape, dtype=float32): as a string (Keras 3 on any backend), else as TF's
    DType (tf.contrib's closures), else without a dtype (the oldest callables)."""
    try:
        return initializer(tuple(shape), dtype="float32")
    except Exception as first:
        if tf is None:
            raise
        try:
            return initializer(tuple(shape), dtype=tf.float32)
        except TypeError:
            try:
                return initializer(tuple(shape))
            except Exception:
                raise first
        except Exception:
            raise first


def _to_numpy(value):
    import numpy as np
    if hasattr(value, "numpy") and not type(value).__module__.startswith("torch"):
        return np.asarray(value.numpy())
    keras = sys.modules.get("keras")
    ops = getattr(keras, "ops", None)
    if ops is not None and hasattr(ops, "convert_to_numpy"):  # Keras 3, any backend
        return np.asarray(ops.convert_to_numpy(value))
    return np.asarray(value)


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
            record["reason"], record["error_type"] = _error(error)
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
                draw["reason"], draw["error_type"] = _error(error)
            record["draws"].append(draw)
    if caught:
        record["warning"] = "; ".join(sorted(set(str(w.message) for w in caught)))[:MAX_REASON]
    return record


def summarize_draws(records, suite):
    """Replace each draw's pending values by its sample summary and fans (after Drawer.run)."""
    import numpy as np
    from initcompat.probe.identity import compute_framework_fans
    from initcompat.probe.moments import compute_moments, summarize_sample
    settings = suite["initializers"]
    for record in records:
        if "_original" in record:
            continue  # a copy: its draws are its original's (the same dicts)
        for draw in record["draws"]:
            initializer = draw.pop("initializer", None)
            summary = draw.pop("summary", "full")
            values = draw.pop("values", None)
            error = draw.pop("error", None)
            if draw["status"] != schema.INIT_OK:
                continue
            if error is not None or values is None:
                draw["status"] = schema.INIT_ERROR
                draw["reason"], draw["error_type"] = _error(error) if error is not None else (
                    "no value came back", "NoValue")
                continue
            array = np.asarray(values, dtype=np.float64)
            draw["dtype"] = str(np.asarray(values).dtype)
            if list(array.shape) != draw["shape"]:
                draw["reason"] = "drew shape %s for %s" % (list(array.shape), draw["shape"])
            if not np.all(np.isfinite(array)):
                draw["status"] = schema.INIT_ERROR
                draw["reason"], draw["error_type"] = "drew non-finite values", "NonFinite"
                continue
            draw["fan_in"], draw["fan_out"], draw["fan_source"] = compute_framework_fans(
                initializer, array.shape)
            if summary == "full" and draw["shape_name"] == "dense":
                draw["sample"] = _compact(summarize_sample(array, settings["subsample_size"],
                                                           settings["seed"]))
            else:
                draw["sample"] = compute_moments(array)
        if record["status"] == schema.INIT_OK and record["draws"] and all(
                draw["status"] != schema.INIT_OK for draw in record["draws"]):
            record["status"] = schema.INIT_ERROR
            record["reason"] = "; ".join(sorted(set(d.get("reason") or "" for d in record["draws"])))
            record["error_type"] = record["draws"][0].get("error_type")
    for record in records:
        original = record.pop("_original", None)
        if original is not None:
            record.update(status=original["status"], reason=original["reason"],
                          error_type=original["error_type"])


def _short(value):
    """A float32-drawn value to float32's precision: the file holds thousands of them."""
    return float("%.8g" % value)


def _compact(summary):
    """A sample summary with its subsample, quantiles and histogram edges at float32 precision."""
    summary["subsample"] = [_short(v) for v in summary["subsample"]]
    summary["quantiles"]["values"] = [_short(v) for v in summary["quantiles"]["values"]]
    edges = summary["histogram"]["edges"]
    summary["histogram"]["edges"] = [edges[0]] + [_short(v) for v in edges[1:-1]] + [edges[-1]]
    return summary


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
    drawn again): initcompat.probe.audit."""
    from initcompat.probe import audit
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
    from initcompat.probe import audit
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
                            "error": _error(error)[0]})
        slot.clear()  # tens of millions of values: free them before the next draw
    return entries


def parse_arguments(argv):
    return step.parse_step_arguments("python -m initcompat.probe.initializers",
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
        body.update(status=schema.ENV_PROBE_CRASHED, reason=_error(error)[0],
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
