"""How the initializers step draws: Drawer calls initializers on shapes, eagerly or in one
tf.Graph whose tensors run together (TF 1.x), after a graph-level/global seed; summarize_draws
turns each draw's values into its sample summary and fans, at float32 precision where the file
holds thousands of values. Python 3.6-clean.
"""

import sys

from initcompat.probe import schema
from initcompat.probe.family import compat_v1


MAX_REASON = 500


def error_reason(error):
    """('ErrorType: message' cut to MAX_REASON, 'ErrorType') of an exception."""
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
                compat_v1(tf).set_random_seed(seed)
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
        v1 = compat_v1(self.tf)
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
                draw["reason"], draw["error_type"] = error_reason(error) if error is not None else (
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
