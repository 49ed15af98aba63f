"""What each framework's default initialization is, in theory, and the code that gives framework
A's default in framework B (the porting table, issue 16).

`default_theory(A, kind, role, dims)` describes A's default for one weight of one of the suite's
layers (schema.PORTING_LAYERS) as a distribution with its parameters computed from A's fans on
A's layout; `snippet(theory, B, kind, role, dims)` writes the code that draws that
distribution in B: B's own fan-based initializer where B's fans of that weight equal A's, the
constants otherwise (the layouts differ: PyTorch keeps a Linear's weight as (out, in) and a
Conv2d's as (out, in, kh, kw), TF and Flax (in, out) and (kh, kw, in, out); Flax's LSTMCell has
one (in, hidden) kernel per gate where TF has one (in, 4*hidden)). The porting step
(initcompat.probe.porting) runs each snippet in B's real environment and the report compares
its draws with A's measured draws: a wrong theory or snippet shows as "differs". Sources of the
defaults: torch.nn.Linear/Conv2d reset_parameters (kaiming_uniform_(a=sqrt(5)), bias
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
# What a snippet may use, per target framework (shown once in the report).
IMPORTS = {
    TF: "import keras  # Keras 3, tf.keras from TF 2.16 on (tf.keras.* in TF 2.x before it)",
    TORCH: "import torch",
    FLAX: "import jax, jax.numpy as jnp\nfrom flax import linen as nn\n"
          "key = jax.random.PRNGKey(0)",
}


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


# ---- snippets -------------------------------------------------------------------------------

def _fans_match(theory, target, kind, role, dims):
    based = theory.get("fan_based")
    if not based:
        return False
    fan_in, fan_out, _ = weight_fans(target, kind, role, dims)
    needed = {"fan_in": ("fan_in",), "fan_out": ("fan_out",),
              "fan_avg": ("fan_in", "fan_out")}[based["mode"]]
    mine = {"fan_in": fan_in, "fan_out": fan_out}
    return all(mine[name] == based[name] for name in needed)


def _keras_expression(theory, fans_match, h):
    kind = theory["distribution"]
    based = theory.get("fan_based")
    if fans_match and based:
        if based["mode"] == "fan_avg" and based["scale"] == 1.0 and \
                based["distribution"] == "uniform":
            return "keras.initializers.GlorotUniform()"
        distribution = "untruncated_normal" if based["distribution"] == "normal" \
            else based["distribution"]
        return "keras.initializers.VarianceScaling(scale=%r, mode=%r, distribution=%r)" % (
            based["scale"], based["mode"], distribution)
    if kind == "uniform":
        return "keras.initializers.RandomUniform(minval=%r, maxval=%r)" % (
            -theory["bound"], theory["bound"])
    if kind == "normal":
        return "keras.initializers.RandomNormal(mean=0.0, stddev=%r)" % theory["std"]
    if kind == "truncated_normal":
        return "keras.initializers.TruncatedNormal(mean=0.0, stddev=%r)" % \
            theory["stddev_parameter"]
    if kind == "constant":
        return '"zeros"' if theory["value"] == 0 else "keras.initializers.Constant(%r)" % \
            theory["value"]
    if kind == "orthogonal" and theory["blocks"] == 1:
        return "keras.initializers.Orthogonal()"
    if kind == "orthogonal":
        return ("lambda shape, dtype=None: keras.ops.concatenate("
                "[keras.initializers.Orthogonal()((shape[0], shape[0])) for _ in range(4)], "
                "axis=1)")
    if kind == "uniform_sum":
        return ("lambda shape, dtype=None: keras.random.uniform(shape, %r, %r) + "
                "keras.random.uniform(shape, %r, %r)" % (
                    -theory["bound"], theory["bound"], -theory["bound"], theory["bound"]))
    return None


def _torch_statements(theory, fans_match, tensor, h):
    kind = theory["distribution"]
    based = theory.get("fan_based")
    if fans_match and based and based["scale"] == 1.0 and based["mode"] == "fan_avg":
        if based["distribution"] == "uniform":
            return ["torch.nn.init.xavier_uniform_(%s)" % tensor]
        if based["distribution"] == "normal":
            return ["torch.nn.init.xavier_normal_(%s)" % tensor]
    if kind == "uniform":
        return ["torch.nn.init.uniform_(%s, %r, %r)" % (tensor, -theory["bound"], theory["bound"])]
    if kind == "normal":
        return ["torch.nn.init.normal_(%s, mean=0.0, std=%r)" % (tensor, theory["std"])]
    if kind == "truncated_normal":
        s = theory["stddev_parameter"]
        return ["torch.nn.init.trunc_normal_(%s, mean=0.0, std=%r, a=%r, b=%r)" % (
            tensor, s, _r(-2 * s), _r(2 * s))]
    if kind == "constant":
        return ["torch.nn.init.zeros_(%s)" % tensor] if theory["value"] == 0 else \
            ["torch.nn.init.constant_(%s, %r)" % (tensor, theory["value"])]
    if kind == "orthogonal" and theory["blocks"] == 1:
        return ["torch.nn.init.orthogonal_(%s)" % tensor]
    if kind == "orthogonal":
        return ["with torch.no_grad():",
                "    for k in range(4):  # one orthogonal (hidden, hidden) block per gate",
                "        torch.nn.init.orthogonal_(%s[k * %d:(k + 1) * %d])" % (tensor, h, h)]
    return None


def _flax_expression(theory, fans_match):
    kind = theory["distribution"]
    based = theory.get("fan_based")
    if fans_match and based:
        if based["mode"] == "fan_avg" and based["scale"] == 1.0 and \
                based["distribution"] == "uniform":
            return "nn.initializers.glorot_uniform()"
        if based["mode"] == "fan_in" and based["scale"] == 1.0 and \
                based["distribution"] == "truncated_normal":
            return "nn.initializers.lecun_normal()"
        return "nn.initializers.variance_scaling(%r, %r, %r)" % (
            based["scale"], based["mode"], based["distribution"])
    if kind == "uniform":
        return ("lambda key, shape, dtype=jnp.float32: "
                "jax.random.uniform(key, shape, dtype, %r, %r)" % (-theory["bound"],
                                                                  theory["bound"]))
    if kind == "normal":
        return "nn.initializers.normal(%r)" % theory["std"]
    if kind == "truncated_normal":
        return "nn.initializers.truncated_normal(%r)" % theory["stddev_parameter"]
    if kind == "constant":
        return "nn.initializers.zeros" if theory["value"] == 0 else \
            "nn.initializers.constant(%r)" % theory["value"]
    if kind == "orthogonal" and theory["blocks"] == 4:
        return "nn.initializers.orthogonal()"
    if kind == "uniform_sum":
        b = theory["bound"]
        return ("lambda key, shape, dtype=jnp.float32: "
                "jax.random.uniform(key, shape, dtype, %r, %r) + "
                "jax.random.uniform(jax.random.fold_in(key, 1), shape, dtype, %r, %r)"
                % (-b, b, -b, b))
    return None


KERAS_ARGUMENTS = {("dense", "kernel"): "kernel_initializer",
                   ("dense", "bias"): "bias_initializer",
                   ("conv2d", "kernel"): "kernel_initializer",
                   ("conv2d", "bias"): "bias_initializer",
                   ("embedding", "embeddings"): "embeddings_initializer",
                   ("lstm", "kernel"): "kernel_initializer",
                   ("lstm", "recurrent_kernel"): "recurrent_initializer",
                   ("lstm", "bias"): "bias_initializer"}
FLAX_ARGUMENTS = {("dense", "kernel"): "kernel_init", ("dense", "bias"): "bias_init",
                  ("conv2d", "kernel"): "kernel_init", ("conv2d", "bias"): "bias_init",
                  ("embedding", "embeddings"): "embedding_init",
                  ("lstm", "kernel"): "kernel_init",
                  ("lstm", "recurrent_kernel"): "recurrent_kernel_init",
                  ("lstm", "bias"): "bias_init"}
TORCH_TENSORS = {("dense", "kernel"): "layer.weight", ("dense", "bias"): "layer.bias",
                 ("conv2d", "kernel"): "layer.weight", ("conv2d", "bias"): "layer.bias",
                 ("embedding", "embeddings"): "layer.weight",
                 ("lstm", "kernel"): "layer.weight_ih_l0",
                 ("lstm", "recurrent_kernel"): "layer.weight_hh_l0",
                 ("lstm", "bias"): "layer.bias_ih_l0"}


def _keras_layer(kind, dims, argument):
    d = _dims(kind, dims)
    if kind == "dense":
        return ["layer = keras.layers.Dense(%d%s)" % (d["units"], argument),
                "layer.build((None, %d))" % d["input_dim"]]
    if kind == "conv2d":
        return ["layer = keras.layers.Conv2D(%d, (%d, %d)%s)" % (
            d["filters"], d["kernel_size"][0], d["kernel_size"][1], argument),
            "layer.build((None, %d, %d, %d))" % (tuple(d["input_spatial"]) + (d["in_channels"],))]
    if kind == "embedding":
        return ["layer = keras.layers.Embedding(%d, %d%s)" % (d["vocabulary"], d["output_dim"],
                                                              argument),
                "layer.build((None, %d))" % d["sequence_length"]]
    return ["layer = keras.layers.LSTM(%d%s)" % (d["units"], argument),
            "layer.build((None, %d, %d))" % (d["timesteps"], d["input_dim"])]


def _torch_layer(kind, dims):
    d = _dims(kind, dims)
    if kind == "dense":
        return "layer = torch.nn.Linear(%d, %d)" % (d["input_dim"], d["units"])
    if kind == "conv2d":
        return "layer = torch.nn.Conv2d(%d, %d, (%d, %d))" % (
            d["in_channels"], d["filters"], d["kernel_size"][0], d["kernel_size"][1])
    if kind == "embedding":
        return "layer = torch.nn.Embedding(%d, %d)" % (d["vocabulary"], d["output_dim"])
    return "layer = torch.nn.LSTM(%d, %d)" % (d["input_dim"], d["units"])


def _flax_layer(kind, dims, argument):
    d = _dims(kind, dims)
    if kind == "dense":
        return ["layer = nn.Dense(%d%s)" % (d["units"], argument),
                "params = layer.init(key, jnp.ones((1, %d)))" % d["input_dim"]]
    if kind == "conv2d":
        return ["layer = nn.Conv(%d, (%d, %d)%s)" % (d["filters"], d["kernel_size"][0],
                                                     d["kernel_size"][1], argument),
                "params = layer.init(key, jnp.ones((1, %d, %d, %d)))" % (
                    tuple(d["input_spatial"]) + (d["in_channels"],))]
    if kind == "embedding":
        return ["layer = nn.Embed(%d, %d%s)" % (d["vocabulary"], d["output_dim"], argument),
                "params = layer.init(key, jnp.zeros((1, %d), jnp.int32))" % d["sequence_length"]]
    return ["layer = nn.LSTMCell(%d%s)" % (d["units"], argument),
            "params = layer.init(key, layer.initialize_carry(key, (1, %d)), jnp.ones((1, %d)))"
            % (d["input_dim"], d["input_dim"])]


def snippet(theory, target, kind, role, dims):
    """{"status": ok | inexpressible, "code": the lines, "notes": [...], "reason": ...}: code
    that, run in `target` with IMPORTS[target], leaves `layer` (and, in Flax, `params`) with
    the theory's distribution in that weight."""
    fans_match = _fans_match(theory, target, kind, role, dims)
    notes = []
    if theory.get("fan_based") and not fans_match:
        fan_in, fan_out, layout = weight_fans(target, kind, role, dims)
        notes.append("fans differ: the source's (%s, %s) on %s, %s's rule gives (%s, %s) on %s; "
                     "so the constant" % (theory["fans"]["fan_in"], theory["fans"]["fan_out"],
                                          theory["fans"]["layout"], target, fan_in, fan_out,
                                          layout))
    h = dims["lstm"]["units"] if kind == "lstm" else None
    lines = None
    if target == TF:
        if theory["distribution"] == "gates":
            expression = None
            lines = _keras_layer(kind, dims, "")
            notes.append("Keras' own default: bias_initializer='zeros', unit_forget_bias=True")
        else:
            expression = _keras_expression(theory, fans_match, h)
            if expression is not None:
                argument = ", %s=%s" % (KERAS_ARGUMENTS[(kind, role)], expression)
                if kind == "lstm" and role == "bias":
                    argument += ", unit_forget_bias=False"
                    notes.append("unit_forget_bias=False, or Keras sets the forget quarter to 1 "
                                 "whatever the bias initializer draws")
                lines = _keras_layer(kind, dims, argument)
    elif target == TORCH:
        tensor = TORCH_TENSORS[(kind, role)]
        if theory["distribution"] == "gates":
            statements = ["torch.nn.init.zeros_(layer.bias_ih_l0)",
                          "torch.nn.init.zeros_(layer.bias_hh_l0)",
                          "with torch.no_grad():",
                          "    layer.bias_ih_l0[%d:%d] = 1.0  # the forget gate (i, f, g, o)"
                          % (h, 2 * h)]
        else:
            statements = _torch_statements(theory, fans_match, tensor, h)
            if statements is not None and kind == "lstm" and role == "bias":
                statements = statements + ["torch.nn.init.zeros_(layer.bias_hh_l0)"]
                notes.append("PyTorch adds two biases (bias_ih_l0 + bias_hh_l0): one carries the "
                             "distribution, the other is zeroed")
        if statements is not None:
            lines = [_torch_layer(kind, dims)] + statements
    elif target == FLAX:
        post = []
        expression = None
        if theory["distribution"] == "gates":
            post = ["params['params']['hf']['bias'] = jnp.ones((%d,))  # the forget gate" % h]
            notes.append("LSTMCell has one bias_init for every gate: the forget gate's bias is "
                         "set after init")
        elif theory["distribution"] == "orthogonal" and theory["blocks"] == 1:
            post = ["w = nn.initializers.orthogonal()(jax.random.fold_in(key, 1), (%d, %d))"
                    % (h, 4 * h),
                    "for k, gate in enumerate(('hi', 'hf', 'hg', 'ho')):",
                    "    params['params'][gate]['kernel'] = w[:, k * %d:(k + 1) * %d]" % (h, h)]
            notes.append("one orthogonal (units, 4*units) matrix split over the four gates: "
                         "recurrent_kernel_init draws each gate alone")
        else:
            expression = _flax_expression(theory, fans_match)
        if expression is not None or post:
            argument = ", %s=%s" % (FLAX_ARGUMENTS[(kind, role)], expression) \
                if expression is not None else ""
            lines = _flax_layer(kind, dims, argument) + post
    if lines is None:
        return {"status": schema.PORT_INEXPRESSIBLE, "code": None, "notes": notes,
                "reason": "%s has no code here for %s" % (target, theory["text"])}
    return {"status": schema.PORT_OK, "code": "\n".join(lines), "notes": notes, "reason": None}
