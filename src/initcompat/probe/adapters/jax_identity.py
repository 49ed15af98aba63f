"""How a JAX initializer function is recorded and what fans jax.nn.initializers give a shape:
shared by the Flax and stax adapters of the framework probe (no Flax import here).
Python 3.6-clean; numpy only.
"""

import numpy as np


def describe_initializer(function):
    """An initializer function as Flax/JAX hold it: module.qualname and its closure's values."""
    if function is None:
        return {"function": None}
    name = "%s.%s" % (getattr(function, "__module__", "?"),
                      getattr(function, "__qualname__", type(function).__name__))
    described = {"function": name}
    code = getattr(function, "__code__", None)
    closure = getattr(function, "__closure__", None)
    if code is not None and closure:
        args = {}
        for free, cell in zip(code.co_freevars, closure):
            try:
                value = cell.cell_contents
            except ValueError:
                continue
            if isinstance(value, (int, float, str, bool)) or value is None:
                args[free] = value
            elif isinstance(value, tuple) and all(isinstance(v, (int, float, str)) for v in value):
                args[free] = list(value)
            elif not callable(value):
                args[free] = repr(value)[:200]
        described["args"] = args
    return described


def jax_fans(shape, in_axis=-2, out_axis=-1):
    """jax.nn.initializers' fans (its _compute_fans with the default axes)."""
    if len(shape) < 2:
        return None, None, "jax: a 1-D array has no fans"
    size = int(np.prod(shape))
    receptive = size / shape[in_axis] / shape[out_axis]
    return (int(round(shape[in_axis] * receptive)), int(round(shape[out_axis] * receptive)),
            "jax: in_axis -2, out_axis -1, the other axes are the receptive field")
