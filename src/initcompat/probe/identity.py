"""Who an initializer is: class, module, config made JSON-safe, and the fans its framework computes.

Python 3.6-clean.
"""

import inspect
import math
import re
import sys

# Modules that define a fan computation, newest first. Only modules already imported are used:
# the probe never imports a framework module just to find a helper.
FAN_FUNCTION_MODULES = (
    "keras.src.initializers.random_initializers",
    "tf_keras.src.initializers.initializers",
    "keras.src.initializers.initializers",
    "keras.initializers.initializers_v2",
    "tensorflow.python.keras.initializers.initializers_v2",
    "tensorflow.python.ops.init_ops_v2",
    "tensorflow.python.ops.init_ops",
)
FAN_FUNCTION_NAMES = ("compute_fans", "_compute_fans")


def json_safe(value, depth=0):
    """A JSON-serializable copy: numbers stay numbers (non-finite -> None), objects become text."""
    if depth > 8:
        return repr(value)
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return int(value)
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return dict((str(key), json_safe(item, depth + 1)) for key, item in value.items())
    if isinstance(value, (list, tuple)):
        return [json_safe(item, depth + 1) for item in value]
    if hasattr(value, "item") and callable(value.item) and getattr(value, "shape", None) == ():
        return json_safe(value.item(), depth + 1)  # numpy scalar
    name = getattr(value, "name", None)
    if isinstance(name, str) and type(value).__name__ in ("DType", "dtype"):
        return name
    return repr(value)


def _closure_config(function):
    """The simple values a function closes over: tf.contrib.layers' initializers are closures
    (variance_scaling_initializer.<locals>._initializer over factor, mode, uniform, seed)."""
    code = getattr(function, "__code__", None)
    closure = getattr(function, "__closure__", None) or ()
    config = {}
    for name, cell in zip(getattr(code, "co_freevars", ()), closure):
        try:
            value = cell.cell_contents
        except ValueError:  # an empty cell
            continue
        if value is None or isinstance(value, (bool, int, float, str)):
            config[name] = json_safe(value)
    return config


def describe_initializer(initializer):
    """{class_name, module, config, repr} of an initializer object, or of None. A plain function
    is named by the function that made it ('variance_scaling_initializer' for contrib's
    closure), its config read from what it closes over."""
    if initializer is None:
        return {"class_name": None, "module": None, "config": None, "repr": "None"}
    if inspect.isfunction(initializer):
        qualified = getattr(initializer, "__qualname__", initializer.__name__)
        maker = qualified.split(".<locals>")[0].rsplit(".", 1)[-1] if "<locals>" in qualified \
            else initializer.__name__
        return {"class_name": maker, "module": initializer.__module__,
                "config": _closure_config(initializer),
                "repr": re.sub(r" at 0x[0-9a-fA-F]+", "", repr(initializer))[:200]}
    config = None
    get_config = getattr(initializer, "get_config", None)
    if callable(get_config):
        try:
            config = json_safe(get_config())
        except Exception as error:  # some old initializers cannot serialize themselves
            config = {"get_config_error": "%s: %s" % (type(error).__name__, error)}
    kind = initializer if isinstance(initializer, type) else type(initializer)
    return {"class_name": kind.__name__, "module": kind.__module__, "config": config,
            "repr": re.sub(r" at 0x[0-9a-fA-F]+", "", repr(initializer))[:200]}


def _as_number(value):
    number = float(value)
    return int(number) if number.is_integer() else number


def compute_framework_fans(initializer, shape):
    """(fan_in, fan_out, 'module.function') as the framework computes them for `shape`.

    Looks in the initializer's own module first, then in already-imported framework modules;
    falls back to the documented rule (receptive field x channels), labelled as ours.
    """
    modules = []
    if initializer is not None:
        kind = initializer if isinstance(initializer, type) else type(initializer)
        modules.append(kind.__module__)
    modules.extend(FAN_FUNCTION_MODULES)
    for module_name in modules:
        module = sys.modules.get(module_name)
        for function_name in FAN_FUNCTION_NAMES:
            function = getattr(module, function_name, None) if module else None
            if callable(function):
                try:
                    fan_in, fan_out = function(tuple(int(d) for d in shape))[:2]
                    return _as_number(fan_in), _as_number(fan_out), module_name + "." + function_name
                except Exception:
                    continue
    fan_in, fan_out = documented_fans(shape)
    return fan_in, fan_out, "initcompat.documented_fans"


def documented_fans(shape):
    """Receptive field x channels, as TF and Keras document it."""
    shape = [int(d) for d in shape]
    if len(shape) < 1:
        return 1, 1
    if len(shape) == 1:
        return shape[0], shape[0]
    if len(shape) == 2:
        return shape[0], shape[1]
    receptive_field = 1
    for dimension in shape[:-2]:
        receptive_field *= dimension
    return shape[-2] * receptive_field, shape[-1] * receptive_field
