"""The code that gives framework A's default in framework B, for any layer size (the porting
table, issues 16 and 27).

`layer_snippet(A, B, kind, dims)` writes the code that builds B's layer with A's default in
every weight: its first line names the layer's sizes (`sizes_line`), and nothing after it holds
a number that depends on them: B's own fan-based initializer where B's fans of the weight give
A's distribution on any shape (a PyTorch Linear's (out, in) weight and a Keras Dense's (in, out)
kernel have the same fans), a formula with the size named where an initializer cannot see it (a
bias initializer gets only the bias's shape, so PyTorch's U(+-1/sqrt(fan_in)) bias names
fan_in), or a small function that computes it from the weight it is given. Flax targets are
linen and, where the Flax has it, nnx (FLAX_NNX: the same initializers). The porting step
(initcompat.measurements.porting.probe) runs each snippet in B's real environment at the
suite's sizes and at `SECOND_DIMS`, and the report compares its draws with A's measured draws at the same sizes:
a wrong theory, snippet or size rule shows as "differs". Python 3.6-clean; stdlib only.
"""

from initcompat.probe import schema
from initcompat.measurements.porting.theory import FLAX, TF, TORCH, TRUNCATED_STD

# Flax's second API as a porting target (a record's `to_api`; to_framework stays flax): the same
# initializers as linen's, given to nnx's layers, which hold their weights themselves.
FLAX_NNX = "flax.nnx"
# What a snippet may use, per target framework (shown once in the report).
IMPORTS = {
    TF: "import math\nimport keras  # Keras 3: tf.keras from TF 2.16 on",
    TORCH: "import math\nimport torch",
    FLAX: "import math\nimport jax, jax.numpy as jnp\nfrom flax import linen as nn\n"
          "key = jax.random.PRNGKey(0)",
    FLAX_NNX: "import math\nimport jax, jax.numpy as jnp\nfrom flax import nnx\n"
              "key = jax.random.PRNGKey(0)",
}


# The second size of every porting layer: the snippets are run here as well as at the suite's,
# so "for any shape" is measured. Other fans than the suite's in every weight (fan_in 24 against
# 96, a (3, 7) kernel against (5, 3), more features than rows in the embedding, 32 units).
SHAPE_SETS = ("suite", "second")  # a porting record's `shape_set`: which sizes it was run at
SECOND_DIMS = {"dense": {"kind": "dense", "input_dim": 24, "units": 150},
               "conv2d": {"kind": "conv2d", "in_channels": 3, "filters": 32,
                          "kernel_size": [3, 7], "input_spatial": [12, 12]},
               "embedding": {"kind": "embedding", "vocabulary": 64, "output_dim": 100,
                             "sequence_length": 4},
               "lstm": {"kind": "lstm", "units": 32, "input_dim": 20, "timesteps": 3}}
# The names of a layer's sizes in each target framework (its constructor's words), in the order
# of `_size_values`: (in, out) or (in, out, kernel_size).
SIZES = {
    TF: {"dense": ("in_features", "units"), "conv2d": ("in_channels", "filters", "kernel_size"),
         "embedding": ("input_dim", "output_dim"), "lstm": ("input_dim", "units")},
    TORCH: {"dense": ("in_features", "out_features"),
            "conv2d": ("in_channels", "out_channels", "kernel_size"),
            "embedding": ("num_embeddings", "embedding_dim"),
            "lstm": ("input_size", "hidden_size")},
    FLAX: {"dense": ("in_features", "features"),
           "conv2d": ("in_channels", "features", "kernel_size"),
           "embedding": ("num_embeddings", "features"), "lstm": ("input_dim", "features")},
    FLAX_NNX: {"dense": ("in_features", "out_features"),
               "conv2d": ("in_features", "out_features", "kernel_size"),
               "embedding": ("num_embeddings", "features"),
               "lstm": ("in_features", "hidden_features")},
}
SIZES_COMMENT = "# your layer's sizes"
LAYER_NAMES = {TF: {"dense": "keras.layers.Dense", "conv2d": "keras.layers.Conv2D",
                    "embedding": "keras.layers.Embedding", "lstm": "keras.layers.LSTM"},
               TORCH: {"dense": "torch.nn.Linear", "conv2d": "torch.nn.Conv2d",
                       "embedding": "torch.nn.Embedding", "lstm": "torch.nn.LSTM"},
               FLAX: {"dense": "nn.Dense", "conv2d": "nn.Conv", "embedding": "nn.Embed",
                      "lstm": "nn.LSTMCell"},
               FLAX_NNX: {"dense": "nnx.Linear", "conv2d": "nnx.Conv", "embedding": "nnx.Embed",
                          "lstm": "nnx.LSTMCell"}}
KERAS_ARGUMENTS = {"kernel": "kernel_initializer", "bias": "bias_initializer",
                   "embeddings": "embeddings_initializer",
                   "recurrent_kernel": "recurrent_initializer"}
FLAX_ARGUMENTS = {"kernel": "kernel_init", "bias": "bias_init", "embeddings": "embedding_init",
                  "recurrent_kernel": "recurrent_kernel_init"}
TORCH_TENSORS = {("dense", "kernel"): "layer.weight", ("dense", "bias"): "layer.bias",
                 ("conv2d", "kernel"): "layer.weight", ("conv2d", "bias"): "layer.bias",
                 ("embedding", "embeddings"): "layer.weight",
                 ("lstm", "kernel"): "layer.weight_ih_l0",
                 ("lstm", "recurrent_kernel"): "layer.weight_hh_l0",
                 ("lstm", "bias"): "layer.bias_ih_l0"}
# Flax's lecun_normal in PyTorch, which has no fan-based truncated normal: fan_in read off the
# weight it is given (torch's (out, in, ...) layout), truncated at two stddev parameters as JAX.
TORCH_LECUN_NORMAL = [
    "def lecun_normal_(weight):  # Flax's lecun_normal on PyTorch's (out, in, ...) layout",
    "    fan_in = weight[0].numel()  # in_features, or in_channels * kernel height * width",
    "    std = math.sqrt(1 / fan_in) / %r  # the std of N(0, 1) cut at +-2" % TRUNCATED_STD,
    "    torch.nn.init.trunc_normal_(weight, std=std, a=-2 * std, b=2 * std)"]


def _size_values(kind, dims):
    d = dims[kind]
    if kind == "dense":
        return d["input_dim"], d["units"]
    if kind == "conv2d":
        return d["in_channels"], d["filters"], tuple(d["kernel_size"])
    if kind == "embedding":
        return d["vocabulary"], d["output_dim"]
    return d["input_dim"], d["units"]


def sizes_line(framework, kind, dims):
    """The snippet's first line: the layer's sizes, in `framework`'s words."""
    names = SIZES[framework][kind]
    return "%s = %s  %s" % (", ".join(names), ", ".join(repr(v) for v in _size_values(kind, dims)),
                            SIZES_COMMENT)


def shape_label(kind, dims):
    """The sizes in a few characters, for the report: 96->40, 6->20 (5x3), 500x16."""
    d = dims[kind]
    if kind == "conv2d":
        return "%d\u2192%d (%d\u00d7%d)" % (d["in_channels"], d["filters"], d["kernel_size"][0],
                                          d["kernel_size"][1])
    if kind == "embedding":
        return "%d\u00d7%d" % (d["vocabulary"], d["output_dim"])
    return "%d\u2192%d" % (d["input_dim"], d["units"])


def _namespace(target):
    """Where a Flax target's snippets find the initializers: linen's `nn`, or `nnx`."""
    return "nnx" if target == FLAX_NNX else "nn"


def _fan_in(target, kind):
    """PyTorch's fan_in of a Linear's or Conv2d's weight, in the target's size names."""
    names = SIZES[target][kind]
    if kind == "conv2d":
        return "%s * %s[0] * %s[1]" % (names[0], names[2], names[2])
    return names[0]


def _uniform(bound):
    """Flax's tiny initializer `uniform`, U(-bound, bound) (its own draws from [0, scale))."""
    return ([] if bound == "bound" else ["bound = %s" % bound]) + [
        "def uniform(key, shape, dtype=jnp.float32):  # U(-bound, bound)",
        "    return jax.random.uniform(key, shape, dtype, -bound, bound)"]


def _two_biases(target):
    """PyTorch's LSTM bias as one array: b_ih + b_hh, each U(-bound, bound)."""
    if target == TF:
        return ["def two_biases(shape, dtype=None):  # PyTorch adds b_ih + b_hh",
                "    return (keras.random.uniform(shape, -bound, bound, dtype=dtype)",
                "            + keras.random.uniform(shape, -bound, bound, dtype=dtype))"]
    return ["def two_biases(key, shape, dtype=jnp.float32):  # PyTorch adds b_ih + b_hh",
            "    first, second = jax.random.split(key)",
            "    return (jax.random.uniform(first, shape, dtype, -bound, bound)",
            "            + jax.random.uniform(second, shape, dtype, -bound, bound))"]


def _from_torch(target, kind):
    """PyTorch's defaults in Keras or Flax: {"prelude", "args", "extra"}."""
    keras = TF == target
    if kind in ("dense", "conv2d"):
        prelude = ["fan_in = %s  # PyTorch's fan_in" % _fan_in(target, kind),
                   "bound = 1 / math.sqrt(fan_in)  # the bias: U(-bound, bound)"]
        if keras:
            return {"prelude": prelude, "args": {
                "kernel": 'keras.initializers.VarianceScaling(  # U(+-1/sqrt(fan_in))\n'
                          '    scale=1 / 3, mode="fan_in", distribution="uniform")',
                "bias": "keras.initializers.RandomUniform(-bound, bound)"}}
        return {"prelude": prelude + _uniform("bound"), "args": {
            "kernel": '%s.initializers.variance_scaling(1 / 3, "fan_in", "uniform")'
                      % _namespace(target), "bias": "uniform"}}
    if kind == "embedding":
        return {"args": {"embeddings": "keras.initializers.RandomNormal(mean=0.0, stddev=1.0)"
                         if keras else "%s.initializers.normal(stddev=1.0)" % _namespace(target)}}
    prelude = ["bound = 1 / math.sqrt(%s)  # PyTorch's LSTM: all U(-bound, bound)"
               % SIZES[target]["lstm"][1]] + ([] if keras else _uniform("bound")) + \
        _two_biases(target)
    uniform = "keras.initializers.RandomUniform(-bound, bound)" if keras else "uniform"
    return {"prelude": prelude,
            "args": {"kernel": uniform, "recurrent_kernel": uniform, "bias": "two_biases"},
            "extra": ["unit_forget_bias=False  # Keras would set the forget gate's bias to 1"]
            if keras else []}


def _from_keras(target, kind):
    """Keras' defaults in PyTorch (statements) or Flax (args and post)."""
    if target == TORCH:
        if kind in ("dense", "conv2d"):
            return {"statements": ["torch.nn.init.xavier_uniform_(layer.weight)  # GlorotUniform",
                                   "torch.nn.init.zeros_(layer.bias)"]}
        if kind == "embedding":
            return {"statements": ["torch.nn.init.uniform_(layer.weight, -0.05, 0.05)"]}
        return {"statements": [
            "torch.nn.init.xavier_uniform_(layer.weight_ih_l0)  # Glorot over the four gates",
            "torch.nn.init.orthogonal_(layer.weight_hh_l0)",
            "torch.nn.init.zeros_(layer.bias_ih_l0)",
            "torch.nn.init.zeros_(layer.bias_hh_l0)",
            "with torch.no_grad():  # unit_forget_bias: the forget gate's bias is 1 (i, f, g, o)",
            "    layer.bias_ih_l0[hidden_size:2 * hidden_size] = 1.0"]}
    ns = _namespace(target)
    if kind in ("dense", "conv2d"):
        return {"args": {"kernel": "%s.initializers.glorot_uniform()" % ns,
                         "bias": "%s.initializers.zeros  # Flax's default too" % ns}}
    if kind == "embedding":
        return {"prelude": _uniform("0.05  # Keras' RandomUniform(-0.05, 0.05)"),
                "args": {"embeddings": "uniform"}}
    n, h = SIZES[target]["lstm"]
    orthogonal = ["w = %s.initializers.orthogonal()(" % ns,
                  "    jax.random.fold_in(key, 1), (%s, 4 * %s))" % (h, h)]
    if target == FLAX_NNX:
        post = orthogonal + [
                "for k, gate in enumerate((layer.hi, layer.hf, layer.hg, layer.ho)):"
                "  # Keras: one matrix",
                "    gate.kernel[...] = w[:, k * %s:(k + 1) * %s]" % (h, h),
                "layer.hf.bias[...] = jnp.ones((%s,))  # unit_forget_bias" % h]
    else:
        post = orthogonal + [
                "for k, gate in enumerate((\"hi\", \"hf\", \"hg\", \"ho\")):"
                "  # Keras: one orthogonal matrix",
                "    params[\"params\"][gate][\"kernel\"] = w[:, k * %s:(k + 1) * %s]" % (h, h),
                "params[\"params\"][\"hf\"][\"bias\"] = jnp.ones((%s,))  # unit_forget_bias" % h]
    return {"prelude": ["bound = math.sqrt(6 / (%s + 4 * %s))  # Keras' Glorot over the four "
                        "gates" % (n, h)] + _uniform("bound"),
            "args": {"kernel": "uniform"}, "post": post}


def _from_flax(target, kind):
    """Flax's defaults in Keras (args) or PyTorch (statements)."""
    if target not in (TF, TORCH):
        raise KeyError(target)
    if target == TF:
        if kind in ("dense", "conv2d"):
            return {"args": {"kernel": "keras.initializers.LecunNormal()",
                             "bias": '"zeros"  # Keras\' default too'}}
        if kind == "embedding":
            return {"args": {"embeddings": (
                'keras.initializers.VarianceScaling(  # N(0, 1/output_dim)\n'
                '    scale=1.0, mode="fan_out", distribution="untruncated_normal")')}}
        return {"prelude": [
            "def per_gate_orthogonal(shape, dtype=None):  # Flax: one orthogonal block per gate",
            "    blocks = [keras.initializers.Orthogonal()((units, units), dtype=dtype)",
            "              for _ in range(4)]",
            "    return keras.ops.concatenate(blocks, axis=1)"],
                "args": {"kernel": "keras.initializers.LecunNormal()",
                         "recurrent_kernel": "per_gate_orthogonal", "bias": '"zeros"'},
                "extra": ["unit_forget_bias=False  # Keras would set the forget gate's bias to 1"]}
    if kind in ("dense", "conv2d"):
        return {"prelude": TORCH_LECUN_NORMAL,
                "statements": ["lecun_normal_(layer.weight)", "torch.nn.init.zeros_(layer.bias)"]}
    if kind == "embedding":
        return {"statements": ["torch.nn.init.kaiming_normal_(  # N(0, 1/embedding_dim)",
                               '    layer.weight, mode="fan_in", nonlinearity="linear")']}
    return {"prelude": TORCH_LECUN_NORMAL,
            "statements": ["lecun_normal_(layer.weight_ih_l0)",
                           "with torch.no_grad():",
                           "    for k in range(4):  # one orthogonal block per gate",
                           "        torch.nn.init.orthogonal_(",
                           "            layer.weight_hh_l0[k * hidden_size:(k + 1) * hidden_size])",
                           "torch.nn.init.zeros_(layer.bias_ih_l0)",
                           "torch.nn.init.zeros_(layer.bias_hh_l0)"]}


RECIPES = {TORCH: _from_torch, TF: _from_keras, FLAX: _from_flax}


def _constructor(name, positional, arguments):
    """`layer = name(positional, ...)`, one argument a line when there are keyword arguments; a
    multi-line argument keeps its own line breaks, indented."""
    if not arguments:
        return ["layer = %s(%s)" % (name, positional)]
    lines = ["layer = %s(" % name, "    %s," % positional]
    for argument in arguments:
        value, comment = argument, ""
        first, _, rest = value.partition("\n")
        if "  # " in first and not rest:  # a trailing comment goes after the comma
            first, comment = first.split("  # ", 1)
            comment = "  # " + comment
        lines.append("    %s%s%s" % (first, "," if not rest else "", comment))
        if rest:
            more = rest.split("\n")
            lines.extend("    " + line for line in more[:-1])
            lines.append("    " + more[-1] + ",")
    return lines + [")"]


def _keras_build(kind):
    if kind == "dense":
        return "layer.build((None, in_features))"
    if kind == "conv2d":
        return "layer.build((None, None, None, in_channels))"
    if kind == "embedding":
        return "layer.build((None, None))"
    return "layer.build((None, None, input_dim))"


def _flax_init(kind):
    if kind == "dense":
        return "params = layer.init(key, jnp.ones((1, in_features)))"
    if kind == "conv2d":
        return "params = layer.init(key, jnp.ones((1, 16, 16, in_channels)))  # any image size"
    if kind == "embedding":
        return "params = layer.init(key, jnp.zeros((1, 1), jnp.int32))"
    return "carry = layer.initialize_carry(key, (1, input_dim))\n" \
           "params = layer.init(key, carry, jnp.ones((1, input_dim)))"


def _layer_lines(target, kind, recipe):
    names = SIZES[target][kind]
    layer = LAYER_NAMES[target][kind]
    if target == TORCH:
        return ["layer = %s(%s)" % (layer, ", ".join(names))] + recipe.get("statements", [])
    arguments_of = KERAS_ARGUMENTS if target == TF else FLAX_ARGUMENTS
    arguments = ["%s=%s" % (arguments_of[role], expression) for role, expression in
                 sorted(recipe.get("args", {}).items(), key=lambda item: ROLE_ORDER[item[0]])]
    arguments += recipe.get("extra", [])
    if target == TF:
        positional = {"dense": "units", "conv2d": "filters, kernel_size",
                      "embedding": "input_dim, output_dim", "lstm": "units"}[kind]
        return _constructor(layer, positional, arguments) + [_keras_build(kind)]
    if target == FLAX_NNX:  # nnx's layers take every size and hold their weights
        return _constructor(layer, ", ".join(names), arguments + ["rngs=nnx.Rngs(key)"]) + \
            recipe.get("post", [])
    positional = {"dense": "features", "conv2d": "features, kernel_size",
                  "embedding": "num_embeddings, features", "lstm": "features"}[kind]
    return _constructor(layer, positional, arguments) + [_flax_init(kind)] + \
        recipe.get("post", [])


ROLE_ORDER = {"kernel": 0, "embeddings": 0, "recurrent_kernel": 1, "bias": 2}


def layer_snippet(source, target, kind, dims):
    """{"status": ok | inexpressible, "code", "notes", "reason"}: code that, run in `target`
    with IMPORTS[target], leaves `layer` (and, in Flax linen, `params`) with `source`'s default
    in every weight of the layer; its first line names the sizes (sizes_line). source ==
    target gives the target's own layer with no initializer argument (its own default).
    `target` is a framework of schema.PORTING_FRAMEWORKS or FLAX_NNX."""
    if source == target:
        recipe = {}
    else:
        try:
            recipe = RECIPES[source](target, kind)
        except KeyError:
            recipe = None
    if recipe is None or target not in SIZES:
        return {"status": schema.PORT_INEXPRESSIBLE, "code": None, "notes": [],
                "reason": "%s has no code here for %s's %s" % (target, source, kind)}
    lines = [sizes_line(target, kind, dims)] + list(recipe.get("prelude", [])) + \
        _layer_lines(target, kind, recipe)
    return {"status": schema.PORT_OK, "code": "\n".join(lines),
            "notes": list(recipe.get("notes", [])), "reason": None}
