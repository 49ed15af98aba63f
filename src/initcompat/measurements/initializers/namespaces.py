"""Where the initializers step looks and what it finds there: every initializer namespace in
report order (tf, tf.compat.v1, tf.contrib.layers, tf.initializers, tf.compat.v1.initializers,
tf.keras.initializers, keras.initializers, tf_keras.initializers; keras.initializers alone in a
Keras session without TensorFlow), the initializers each one offers, and the string aliases to
pass to its get(). Python 3.6-clean.
"""

import re


# Names in a namespace that are not initializers.
NOT_INITIALIZERS = frozenset([
    "get", "serialize", "deserialize", "deserialize_keras_object", "serialize_keras_object",
    "Initializer", "global_variables", "local_variables", "variables", "tables_initializer",
    "global_variables_initializer", "local_variables_initializer", "variables_initializer",
    "initialize_all_variables", "initialize_local_variables", "initialize_variables",
    "initialize_all_tables", "get_initializer", "all_variables",
])


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
