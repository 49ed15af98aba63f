"""Flax's layers for the framework probe (initcompat.probe.frameworks): linen, and nnx where the
version has it, built the Flax way (module.init with a jax.random.PRNGKey; nnx with nnx.Rngs).

A Flax module holds its initializers as attributes (linen: the dataclass field, e.g.
Dense.kernel_init; nnx: the constructor's default argument): each is recorded as its function's
name and the values its closure holds (jax.nn.initializers.variance_scaling's scale, mode,
distribution, in_axis, out_axis). Shapes are Flax's layout (a Dense kernel (in, out), a Conv
kernel (kh, kw, in, out)); fans are jax.nn.initializers' rule (in_axis -2, out_axis -1, the
rest the receptive field). An LSTMCell's weights are one Dense per gate (ii, if, ig, io without
bias; hi, hf, hg, ho with bias); its kernel, recurrent_kernel and bias are those gates' arrays
side by side in the order i, f, g, o (TF's layout), and its per-gate identity is recorded.
Python 3.6-clean.
"""

import inspect

import numpy as np

import jax
import jax.numpy as jnp
import flax
from flax import linen

from initcompat.probe.adapters.jax_identity import describe_initializer, jax_fans

FRAMEWORK = "flax"
GATES = ("i", "f", "g", "o")


def versions():
    return {"flax": flax.__version__, "jax": jax.__version__, "numpy": np.__version__}


def _params(tree):
    return tree["params"] if "params" in tree else tree


def _np(value):
    return np.asarray(jax.device_get(value), dtype=np.float32)


def _linen_specs(dims):
    specs = []
    if "dense" in dims:
        x = dims["dense"]
        specs.append(("dense", "Dense", linen.Dense(x["units"]),
                      (jnp.ones((1, x["input_dim"])),), {"features": x["units"]},
                      {"kernel": ("kernel",), "bias": ("bias",)},
                      {"kernel": "kernel_init", "bias": "bias_init"}))
    for kind in ("conv1d", "conv2d", "conv3d", "conv2d_transpose"):
        if kind in dims:
            x = dims[kind]
            cls = linen.ConvTranspose if "transpose" in kind else linen.Conv
            spatial = tuple(x["input_spatial"])
            specs.append((kind, cls.__name__, cls(x["filters"], tuple(x["kernel_size"])),
                          (jnp.ones((1,) + spatial + (x["in_channels"],)),),
                          {"features": x["filters"], "kernel_size": list(x["kernel_size"])},
                          {"kernel": ("kernel",), "bias": ("bias",)},
                          {"kernel": "kernel_init", "bias": "bias_init"}))
    if "embedding" in dims:
        x = dims["embedding"]
        specs.append(("embedding", "Embed", linen.Embed(x["vocabulary"], x["output_dim"]),
                      (jnp.zeros((1, x["sequence_length"]), dtype=jnp.int32),),
                      {"num_embeddings": x["vocabulary"], "features": x["output_dim"]},
                      {"embeddings": ("embedding",)}, {"embeddings": "embedding_init"}))
    if "batch_normalization" in dims:
        x = dims["batch_normalization"]
        specs.append(("batch_normalization", "BatchNorm", linen.BatchNorm(use_running_average=True),
                      (jnp.ones((2, x["features"])),), {"use_running_average": True},
                      {"gamma": ("scale",), "beta": ("bias",)},
                      {"gamma": "scale_init", "beta": "bias_init"}))
    if "layer_normalization" in dims:
        x = dims["layer_normalization"]
        specs.append(("layer_normalization", "LayerNorm", linen.LayerNorm(),
                      (jnp.ones((2, x["features"])),), {},
                      {"gamma": ("scale",), "beta": ("bias",)},
                      {"gamma": "scale_init", "beta": "bias_init"}))
    return specs


def _lstm_arrays(params, prefix):
    """kernel, recurrent_kernel and bias of an LSTMCell's gate Denses, side by side (i, f, g, o)."""
    return {
        "kernel": ("%s{ii,if,ig,io}.kernel" % prefix,
                   np.concatenate([_np(params["i" + g]["kernel"]) for g in GATES], axis=1)),
        "recurrent_kernel": ("%s{hi,hf,hg,ho}.kernel" % prefix,
                             np.concatenate([_np(params["h" + g]["kernel"]) for g in GATES],
                                            axis=1)),
        "bias": ("%s{hi,hf,hg,ho}.bias" % prefix,
                 np.concatenate([_np(params["h" + g]["bias"]) for g in GATES])),
    }


def _counter():
    state = {"next": 10 ** 6}

    def fresh(seed):
        if seed is not None:
            return jax.random.PRNGKey(seed)
        state["next"] += 1
        return jax.random.PRNGKey(state["next"])
    return fresh


def _linen_layer(kind, name, module, inputs, config, paths, attributes, key_of):
    def build(seed):
        params = _params(module.init(key_of(seed), *inputs))
        return dict((role, ("params." + ".".join(path), _np(_get(params, path))))
                    for role, path in paths.items())

    def identity(role):
        described = describe_initializer(getattr(module, attributes[role]))
        described["attribute"] = "%s.%s" % (name, attributes[role])
        described["recorded_by"] = "the linen module's field"
        return described

    return _common(kind, "flax.linen", name, sorted(paths, key=list(paths).index), build,
                   identity, config, lambda role: _layout(kind, role))


def _get(tree, path):
    for part in path:
        tree = tree[part]
    return tree


def _layout(kind, role):
    if kind == "dense" and role == "kernel":
        return "(in_features, features)"
    if kind.startswith("conv") and role == "kernel":
        return "(*kernel_size, in, features)"
    if kind == "embedding":
        return "(num_embeddings, features)"
    if kind == "lstm" and role in ("kernel", "recurrent_kernel"):
        return "one (%s, hidden) kernel per gate; here side by side as i, f, g, o" % (
            "input" if role == "kernel" else "hidden")
    if kind == "lstm":
        return "the hidden-side gate Denses' biases (the input side has none), i, f, g, o"
    return "(features,)"


def _common(kind, api, name, roles, build, identity, config, layout):
    def fans(role, shape):
        if kind == "embedding":  # Embed's default_embed_init: variance_scaling(out_axis=0)
            fan_in, fan_out, rule = jax_fans(shape, -2, 0)
            return fan_in, fan_out, rule.replace("out_axis -1", "out_axis 0 (Embed)")
        if kind == "lstm" and role != "bias":
            gate = [shape[0], shape[1] // 4]
            fan_in, fan_out, rule = jax_fans(gate)
            return fan_in, fan_out, rule + " (of one gate's (%d, %d) kernel)" % tuple(gate)
        return jax_fans(shape)
    return {"framework": FRAMEWORK, "api": api, "layer": name, "kind": kind, "roles": list(roles),
            "build": build, "identity": identity, "fans": fans, "layout": layout,
            "config": config, "seed_call": "module.init(jax.random.PRNGKey(%d), ...)"}


def _linen_lstm(dims, key_of):
    x = dims["lstm"]
    cell = linen.LSTMCell(features=x["units"])

    def build(seed):
        key = key_of(seed)
        carry = cell.initialize_carry(jax.random.PRNGKey(0), (1, x["input_dim"]))
        params = _params(cell.init(key, carry, jnp.ones((1, x["input_dim"]))))
        return _lstm_arrays(params, "params.")

    def identity(role):
        attribute = {"kernel": "kernel_init", "recurrent_kernel": "recurrent_kernel_init",
                     "bias": "bias_init"}[role]
        described = describe_initializer(getattr(cell, attribute))
        described["attribute"] = "LSTMCell." + attribute
        described["recorded_by"] = "the linen module's field, applied to each gate's Dense"
        return described

    return _common("lstm", "flax.linen", "LSTMCell", ("kernel", "recurrent_kernel", "bias"),
                   build, identity, {"features": x["units"]}, lambda role: _layout("lstm", role))


def _nnx_layers(dims, key_of):
    try:
        from flax import nnx
    except ImportError:
        return []
    out = []

    def default(cls, argument):
        try:
            return inspect.signature(cls.__init__).parameters[argument].default
        except (KeyError, ValueError, TypeError):
            return None

    def layer(kind, cls, make, paths, attributes, config):
        def build(seed):
            module = make(nnx.Rngs(params=key_of(seed)))
            return dict((role, ("%s.%s" % (cls.__name__, path), _np(_value(getattr(module, path)))))
                        for role, path in paths.items())

        def identity(role):
            described = describe_initializer(default(cls, attributes[role]))
            described["attribute"] = "%s(%s=...) default" % (cls.__name__, attributes[role])
            described["recorded_by"] = "the nnx constructor's default argument"
            return described
        out.append(_common(kind, "flax.nnx", cls.__name__, list(paths), build, identity, config,
                           lambda role: _layout(kind, role)))

    if "dense" in dims:
        x = dims["dense"]
        layer("dense", nnx.Linear, lambda rngs, x=x: nnx.Linear(x["input_dim"], x["units"], rngs=rngs),
              {"kernel": "kernel", "bias": "bias"}, {"kernel": "kernel_init", "bias": "bias_init"},
              {"in_features": x["input_dim"], "out_features": x["units"]})
    if "conv2d" in dims:
        x = dims["conv2d"]
        layer("conv2d", nnx.Conv, lambda rngs, x=x: nnx.Conv(x["in_channels"], x["filters"],
                                                        tuple(x["kernel_size"]), rngs=rngs),
              {"kernel": "kernel", "bias": "bias"}, {"kernel": "kernel_init", "bias": "bias_init"},
              {"in_features": x["in_channels"], "out_features": x["filters"],
               "kernel_size": list(x["kernel_size"])})
    if "embedding" in dims:
        x = dims["embedding"]
        layer("embedding", nnx.Embed, lambda rngs, x=x: nnx.Embed(x["vocabulary"], x["output_dim"],
                                                             rngs=rngs),
              {"embeddings": "embedding"}, {"embeddings": "embedding_init"},
              {"num_embeddings": x["vocabulary"], "features": x["output_dim"]})
    return out


def _value(variable):
    return getattr(variable, "value", variable)


def layers(dims):
    key_of = _counter()
    for spec in _linen_specs(dims):
        yield _linen_layer(*(spec + (key_of,)))
    if "lstm" in dims:
        yield _linen_lstm(dims, key_of)
    for layer in _nnx_layers(dims, key_of):
        yield layer
