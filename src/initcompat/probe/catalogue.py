"""The layer kinds a suite may ask for: how each API spells and builds them, which weights they own.

A suite entry is a dict like {"kind": "dense", "input_dim": 96, "units": 40}. Python 3.6-clean.
"""

# kind -> (tf.layers function name or None, Keras class name, weight roles it owns)
KINDS = {
    "dense": ("dense", "Dense", ("kernel", "bias")),
    "conv1d": ("conv1d", "Conv1D", ("kernel", "bias")),
    "conv2d": ("conv2d", "Conv2D", ("kernel", "bias")),
    "conv3d": ("conv3d", "Conv3D", ("kernel", "bias")),
    "conv2d_transpose": ("conv2d_transpose", "Conv2DTranspose", ("kernel", "bias")),
    "separable_conv2d": ("separable_conv2d", "SeparableConv2D",
                         ("depthwise_kernel", "pointwise_kernel", "bias")),
    "depthwise_conv2d": (None, "DepthwiseConv2D", ("depthwise_kernel", "bias")),
    "embedding": (None, "Embedding", ("embeddings",)),
    "simple_rnn": (None, "SimpleRNN", ("kernel", "recurrent_kernel", "bias")),
    "lstm": (None, "LSTM", ("kernel", "recurrent_kernel", "bias")),
    "gru": (None, "GRU", ("kernel", "recurrent_kernel", "bias")),
    "batch_normalization": ("batch_normalization", "BatchNormalization",
                            ("gamma", "beta", "moving_mean", "moving_variance")),
}

# The constructor argument that holds each role's initializer.
INITIALIZER_ARGUMENT = {
    "kernel": "kernel_initializer",
    "bias": "bias_initializer",
    "depthwise_kernel": "depthwise_initializer",
    "pointwise_kernel": "pointwise_initializer",
    "recurrent_kernel": "recurrent_initializer",
    "embeddings": "embeddings_initializer",
    "gamma": "gamma_initializer",
    "beta": "beta_initializer",
    "moving_mean": "moving_mean_initializer",
    "moving_variance": "moving_variance_initializer",
}


class UnknownKind(ValueError):
    """A suite names a layer kind this catalogue does not know."""


def lookup(kind):
    """(function name, class name, roles) of a kind, or UnknownKind."""
    try:
        return KINDS[kind]
    except KeyError:
        raise UnknownKind("unknown layer kind %r (known: %s)" % (kind, ", ".join(sorted(KINDS))))


def layer_id(spec):
    """The row name of a suite entry: its 'id' for variants, else its kind."""
    return spec.get("id") or spec["kind"]


def constructor_arguments(spec):
    """Keyword arguments for a layer of this spec: shape arguments plus the suite's non-initializer
    'options'. Initializer arguments are refused: the point is to measure the defaults."""
    options = dict(spec.get("options") or {})
    passed = sorted(name for name in options if name.endswith("_initializer"))
    if passed:
        raise ValueError("suite entry %s passes initializer arguments %s; initcompat measures "
                         "defaults only" % (layer_id(spec), ", ".join(passed)))
    arguments = _shape_arguments(spec)
    arguments.update(options)
    return arguments


def _shape_arguments(spec):
    kind = spec["kind"]
    if kind == "dense":
        return {"units": spec["units"]}
    if kind in ("conv1d", "conv2d", "conv3d", "conv2d_transpose", "separable_conv2d"):
        return {"filters": spec["filters"], "kernel_size": tuple(spec["kernel_size"])}
    if kind == "depthwise_conv2d":
        return {"kernel_size": tuple(spec["kernel_size"])}
    if kind == "embedding":
        return {"input_dim": spec["vocabulary"], "output_dim": spec["output_dim"]}
    if kind in ("simple_rnn", "lstm", "gru"):
        return {"units": spec["units"]}
    if kind == "batch_normalization":
        return {}
    raise UnknownKind("unknown layer kind %r" % (kind,))


def input_shape(spec):
    """The input shape without the batch dimension."""
    kind = spec["kind"]
    if kind == "dense":
        return [spec["input_dim"]]
    if kind == "embedding":
        return [spec["sequence_length"]]
    if kind in ("simple_rnn", "lstm", "gru"):
        return [spec["timesteps"], spec["input_dim"]]
    if kind == "batch_normalization":
        return [spec["features"]]
    spatial = {"conv1d": 1, "conv2d": 2, "conv3d": 3, "conv2d_transpose": 2,
               "separable_conv2d": 2, "depthwise_conv2d": 2}[kind]
    return list(spec["input_spatial"])[:spatial] + [spec["in_channels"]]


# Where a framework version names a weight differently from its stable role.
ROLE_ALIASES = {
    ("depthwise_conv2d", "kernel"): "depthwise_kernel",  # Keras 3 calls it plain "kernel"
}


def weight_role(variable_name, kind=None):
    """Stable role from a framework's variable name: 'dense_3/kernel:0' -> 'kernel'."""
    base = variable_name.split(":")[0].rsplit("/", 1)[-1]
    return ROLE_ALIASES.get((kind, base), base)
