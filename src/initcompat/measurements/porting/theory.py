"""What each framework's default initialization is, in theory (the porting table, issues 16
and 27): `default_theory(A, kind, role, dims)` describes A's default for one weight of one of the
suite's layers (schema.PORTING_LAYERS) as a distribution with its parameters computed from A's
fans on A's layout (PyTorch keeps a Linear's weight as (out, in) and a Conv2d's as (out, in, kh,
kw), TF and Flax (in, out) and (kh, kw, in, out); Flax's LSTMCell has one (in, hidden) kernel
per gate where TF has one (in, 4*hidden)). initcompat.measurements.porting.snippets writes the code
that draws it in another framework; the report checks both against the measured draws. Sources
of the defaults: torch.nn.Linear/Conv2d reset_parameters (kaiming_uniform_(a=sqrt(5)), bias
U(+-1/sqrt(fan_in))), torch.nn.Embedding (normal_), torch.nn.LSTM (every weight and bias
U(+-1/sqrt(hidden))); Keras Dense/Conv2D/LSTM (glorot_uniform, zeros, orthogonal recurrent,
unit_forget_bias), Embedding (RandomUniform(-0.05, 0.05)); flax.linen Dense/Conv (lecun_normal,
zeros), Embed (variance_scaling(1.0, 'fan_in', 'normal', out_axis=0)), LSTMCell (lecun_normal
per gate, orthogonal per gate, zeros). Python 3.6-clean; stdlib only.
"""

import math

from initcompat.probe import schema

# std of a standard normal truncated at +-2 (TF's, Keras' and JAX's truncated_normal).
TRUNCATED_STD = 0.87962566103423978
TF, TORCH, FLAX = schema.FRAMEWORK_TF_KERAS, schema.FRAMEWORK_TORCH, schema.FRAMEWORK_FLAX


def _r(value):
    return float("%.6g" % value)


def _dims(kind, dims):
    return dims[kind]


def weight_fans(framework, kind, role, dims):
    """(fan_in, fan_out, layout) of one weight in `framework`'s layout and fan rule; fans None
    for a 1-D weight."""
    d = _dims(kind, dims)
    if kind == "dense" and role == "kernel":
        i, o = d["input_dim"], d["units"]
        return (i, o, "(out, in) = (%d, %d)" % (o, i)) if framework == TORCH else \
            (i, o, "(in, out) = (%d, %d)" % (i, o))
    if kind == "conv2d" and role == "kernel":
        c, f = d["in_channels"], d["filters"]
        kh, kw = d["kernel_size"]
        rf = kh * kw
        layout = "(out, in, kh, kw) = (%d, %d, %d, %d)" % (f, c, kh, kw) if framework == TORCH \
            else "(kh, kw, in, out) = (%d, %d, %d, %d)" % (kh, kw, c, f)
        return c * rf, f * rf, layout
    if kind == "embedding":
        v, e = d["vocabulary"], d["output_dim"]
        if framework == TORCH:  # torch's rule on (num_embeddings, dim): fan_in = size(1)
            return e, v, "(num_embeddings, dim) = (%d, %d)" % (v, e)
        if framework == FLAX:  # Embed's variance_scaling(in_axis=-2, out_axis=0): both
            # axes are num_embeddings, so the receptive field is features/num_embeddings
            return e, e, "(num_embeddings, features) = (%d, %d), out_axis=0" % (v, e)
        return v, e, "(input_dim, output_dim) = (%d, %d)" % (v, e)
    if kind == "lstm" and role in ("kernel", "recurrent_kernel"):
        h, n = d["units"], d["input_dim"]
        rows = n if role == "kernel" else h
        if framework == TORCH:
            return rows, 4 * h, "(4*hidden, %s) = (%d, %d), gates i, f, g, o" % (
                "in" if role == "kernel" else "hidden", 4 * h, rows)
        if framework == FLAX:
            return rows, h, "4 gates of (%s, hidden) = (%d, %d)" % (
                "in" if role == "kernel" else "hidden", rows, h)
        return rows, 4 * h, "(%s, 4*units) = (%d, %d), gates i, f, c, o" % (
            "input_dim" if role == "kernel" else "units", rows, 4 * h)
    return None, None, "(%d,)" % (4 * d["units"] if kind == "lstm" else
                                   d.get("filters") or d.get("units"))


def _scaled(scale, mode, distribution, fan_in, fan_out, label):
    fan = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2.0}[mode]
    variance = scale / float(fan)
    if distribution == "uniform":
        theory = {"distribution": "uniform", "bound": _r(math.sqrt(3.0 * variance))}
    elif distribution == "truncated_normal":
        std = math.sqrt(variance)
        theory = {"distribution": "truncated_normal", "std": _r(std),
                  "stddev_parameter": _r(std / TRUNCATED_STD)}
    else:
        theory = {"distribution": "normal", "std": _r(math.sqrt(variance))}
    theory["fan_based"] = {"scale": _r(scale), "mode": mode, "distribution": distribution,
                           "fan_in": fan_in, "fan_out": fan_out}
    theory["text"] = label
    return theory


def default_theory(framework, kind, role, dims):
    """The distribution `framework`'s default draws for one weight (a JSON-able dict with
    `distribution`, its parameters, `text`, and `fans` in the framework's own layout)."""
    fan_in, fan_out, layout = weight_fans(framework, kind, role, dims)
    d = _dims(kind, dims)
    theory = None
    if framework == TORCH:
        if kind in ("dense", "conv2d"):
            weight_fan_in = weight_fans(TORCH, kind, "kernel", dims)[0]
            if role == "kernel":
                theory = _scaled(1.0 / 3.0, "fan_in", "uniform", fan_in, fan_out,
                                 "kaiming_uniform_(a=sqrt(5)): U(+-1/sqrt(fan_in)), fan_in %d"
                                 % fan_in)
            else:
                theory = {"distribution": "uniform", "bound": _r(1.0 / math.sqrt(weight_fan_in)),
                          "text": "uniform_(-1/sqrt(fan_in), 1/sqrt(fan_in)) of the weight's "
                                  "fan_in %d" % weight_fan_in}
        elif kind == "embedding":
            theory = {"distribution": "normal", "std": 1.0, "text": "normal_: N(0, 1)"}
        elif kind == "lstm":
            k = _r(1.0 / math.sqrt(d["units"]))
            if role == "bias":
                theory = {"distribution": "uniform_sum", "bound": k, "terms": 2,
                          "text": "bias_ih_l0 + bias_hh_l0, each U(+-1/sqrt(hidden)) = U(+-%g)"
                                  % k}
            else:
                theory = {"distribution": "uniform", "bound": k,
                          "text": "uniform_(-1/sqrt(hidden), 1/sqrt(hidden)) = U(+-%g)" % k}
    elif framework == TF:
        if kind in ("dense", "conv2d"):
            theory = _scaled(1.0, "fan_avg", "uniform", fan_in, fan_out,
                             "GlorotUniform: U(+-sqrt(6/(fan_in+fan_out))), fans %d, %d"
                             % (fan_in, fan_out)) if role == "kernel" else \
                {"distribution": "constant", "value": 0.0, "text": "Zeros"}
        elif kind == "embedding":
            theory = {"distribution": "uniform", "bound": 0.05,
                      "text": "RandomUniform(-0.05, 0.05)"}
        elif kind == "lstm":
            if role == "kernel":
                theory = _scaled(1.0, "fan_avg", "uniform", fan_in, fan_out,
                                 "GlorotUniform on (input_dim, 4*units): fans %d, %d"
                                 % (fan_in, fan_out))
            elif role == "recurrent_kernel":
                theory = {"distribution": "orthogonal", "blocks": 1, "units": d["units"],
                          "text": "Orthogonal on (units, 4*units): orthonormal rows"}
            else:
                theory = {"distribution": "gates", "values": [0.0, 1.0, 0.0, 0.0],
                          "units": d["units"],
                          "text": "Zeros with unit_forget_bias=True: the forget quarter 1"}
    elif framework == FLAX:
        if kind in ("dense", "conv2d"):
            theory = _scaled(1.0, "fan_in", "truncated_normal", fan_in, fan_out,
                             "lecun_normal: truncated normal, std sqrt(1/fan_in), fan_in %d"
                             % fan_in) if role == "kernel" else \
                {"distribution": "constant", "value": 0.0, "text": "zeros"}
        elif kind == "embedding":
            theory = _scaled(1.0, "fan_in", "normal", fan_in, fan_out,
                             "variance_scaling(1.0, 'fan_in', 'normal', out_axis=0): "
                             "N(0, 1/features), features %d" % fan_in)
        elif kind == "lstm":
            if role == "kernel":
                theory = _scaled(1.0, "fan_in", "truncated_normal", fan_in, fan_out,
                                 "lecun_normal per gate on (in, hidden): std sqrt(1/%d)" % fan_in)
            elif role == "recurrent_kernel":
                theory = {"distribution": "orthogonal", "blocks": 4, "units": d["units"],
                          "text": "orthogonal per gate on (hidden, hidden)"}
            else:
                theory = {"distribution": "constant", "value": 0.0,
                          "text": "zeros (the hidden-side gate biases; the input side has none)"}
    if theory is None:
        raise KeyError("no theory of %s %s %s" % (framework, kind, role))
    theory["fans"] = {"fan_in": fan_in, "fan_out": fan_out, "layout": layout}
    return theory
