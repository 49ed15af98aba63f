"""JAX's jax.example_libraries.stax for the framework probe (initcompat.probe.frameworks).

stax layers are (init_fun, apply_fun) pairs; their initializers are the defaults of the layer
function's W_init / b_init arguments (recorded as Flax's are: function name and closure values;
Conv's W_init default is None, which GeneralConv replaces by glorot_normal over the kernel
spec's in and out axes). stax has no Embedding and no LSTM: those are recorded unavailable.
Shapes: Dense W (in, out), Conv W in the default 'HWIO' layout, b (1, 1, 1, out).
Python 3.6-clean.
"""

import inspect

import numpy as np

import jax
from jax.example_libraries import stax

from initcompat.probe.adapters.jax_identity import describe_initializer, jax_fans

FRAMEWORK = "jax-stax"


def versions():
    return {"jax": jax.__version__, "numpy": np.__version__}


def _counter():
    state = {"next": 10 ** 6}

    def fresh(seed):
        if seed is not None:
            return jax.random.PRNGKey(seed)
        state["next"] += 1
        return jax.random.PRNGKey(state["next"])
    return fresh


def _default(function, argument):
    try:
        return inspect.signature(function).parameters[argument].default
    except (KeyError, ValueError, TypeError):
        return None


def _layer(kind, name, function, make, input_shape, config, key_of):
    init_fun, _ = make()

    def build(seed):
        _, params = init_fun(key_of(seed), input_shape)
        weights, bias = params
        return {"kernel": ("W", np.asarray(weights, dtype=np.float32)),
                "bias": ("b", np.asarray(bias, dtype=np.float32))}

    def identity(role):
        argument = "W_init" if role == "kernel" else "b_init"
        value = _default(function, argument)
        described = describe_initializer(value) if value is not None else {
            "function": None, "args": None,
            "note": "W_init=None: GeneralConv uses glorot_normal(in_axis, out_axis) of the "
                    "kernel spec"}
        described["attribute"] = "stax.%s(%s=...) default" % (name, argument)
        described["recorded_by"] = "the stax layer function's default argument"
        return described

    def fans(role, shape):
        if role == "bias":
            return None, None, "jax: the bias has no fans"
        return jax_fans(shape)

    def layout(role):
        if role == "kernel":
            return "(in, out)" if kind == "dense" else "(*kernel_size, in, out) 'HWIO'"
        return "(out,)" if kind == "dense" else "(1, 1, 1, out)"

    return {"framework": FRAMEWORK, "api": "jax.example_libraries.stax", "layer": name,
            "kind": kind, "roles": ["kernel", "bias"], "build": build, "identity": identity,
            "fans": fans, "layout": layout, "config": config,
            "seed_call": "init_fun(jax.random.PRNGKey(%d), input_shape)"}


def layers(dims):
    key_of = _counter()
    if "dense" in dims:
        x = dims["dense"]
        yield _layer("dense", "Dense", stax.Dense, lambda x=x: stax.Dense(x["units"]),
                     (-1, x["input_dim"]), {"out_dim": x["units"]}, key_of)
    if "conv2d" in dims:
        x = dims["conv2d"]
        yield _layer("conv2d", "Conv", stax.GeneralConv,
                     lambda x=x: stax.Conv(x["filters"], tuple(x["kernel_size"])),
                     (-1,) + tuple(x["input_spatial"]) + (x["in_channels"],),
                     {"out_chan": x["filters"], "filter_shape": list(x["kernel_size"])}, key_of)
    for kind, name, roles in (("embedding", "Embedding", ["embeddings"]),
                              ("lstm", "LSTM", ["kernel", "recurrent_kernel", "bias"])):
        if kind in dims:
            yield {"framework": FRAMEWORK, "api": "jax.example_libraries.stax", "layer": name,
                   "kind": kind, "roles": roles,
                   "unavailable": "jax.example_libraries.stax has no %s layer" % name}
