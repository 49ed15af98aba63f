"""The layer kinds a suite may ask for, one record each: how each API spells and builds the
kind, which weights it owns, its input shape and its size label in benchmark names.

Adding a layer kind is one entry in KINDS (see CONTRIBUTING.md). A suite entry is a dict like
{"kind": "dense", "input_dim": 96, "units": 40}. Python 3.6-clean.
"""


class Kind(object):
    """One layer kind: names in each API, weight roles, and functions of a suite entry."""

    def __init__(self, function, class_name, roles, arguments, input_shape, size):
        self.function = function        # tf.layers function name, or None when it has none
        self.class_name = class_name    # Keras class name
        self.roles = roles              # weight roles the layer owns, in report order
        self.arguments = arguments      # spec -> constructor keyword arguments (shapes only)
        self.input_shape = input_shape  # spec -> input shape without the batch dimension
        self.size = size                # spec -> "4096x4096": the weights' size in benchmark names


def _conv(spatial, with_filters=True):
    """Arguments, input shape and size label of a convolution with `spatial` dimensions."""
    def arguments(spec):
        found = {"kernel_size": tuple(spec["kernel_size"])}
        if with_filters:
            found["filters"] = spec["filters"]
        return found

    def input_shape(spec):
        return list(spec["input_spatial"])[:spatial] + [spec["in_channels"]]

    def size(spec):
        label = "x".join(str(k) for k in spec["kernel_size"]) + "x%d" % spec["in_channels"]
        return label + ("x%d" % spec["filters"] if with_filters else "")

    return arguments, input_shape, size


def _recurrent(spec):
    return [spec["timesteps"], spec["input_dim"]]


KINDS = {
    "dense": Kind("dense", "Dense", ("kernel", "bias"),
                  lambda s: {"units": s["units"]}, lambda s: [s["input_dim"]],
                  lambda s: "%dx%d" % (s["input_dim"], s["units"])),
    "conv1d": Kind("conv1d", "Conv1D", ("kernel", "bias"), *_conv(1)),
    "conv2d": Kind("conv2d", "Conv2D", ("kernel", "bias"), *_conv(2)),
    "conv3d": Kind("conv3d", "Conv3D", ("kernel", "bias"), *_conv(3)),
    "conv2d_transpose": Kind("conv2d_transpose", "Conv2DTranspose", ("kernel", "bias"), *_conv(2)),
    "separable_conv2d": Kind("separable_conv2d", "SeparableConv2D",
                             ("depthwise_kernel", "pointwise_kernel", "bias"), *_conv(2)),
    "depthwise_conv2d": Kind(None, "DepthwiseConv2D", ("depthwise_kernel", "bias"),
                             *_conv(2, with_filters=False)),
    "embedding": Kind(None, "Embedding", ("embeddings",),
                      lambda s: {"input_dim": s["vocabulary"], "output_dim": s["output_dim"]},
                      lambda s: [s["sequence_length"]],
                      lambda s: "%dx%d" % (s["vocabulary"], s["output_dim"])),
    "simple_rnn": Kind(None, "SimpleRNN", ("kernel", "recurrent_kernel", "bias"),
                       lambda s: {"units": s["units"]}, _recurrent,
                       lambda s: "%dx%d" % (s["input_dim"], s["units"])),
    "lstm": Kind(None, "LSTM", ("kernel", "recurrent_kernel", "bias"),
                 lambda s: {"units": s["units"]}, _recurrent,
                 lambda s: "%dx%d" % (s["input_dim"], 4 * s["units"])),
    "gru": Kind(None, "GRU", ("kernel", "recurrent_kernel", "bias"),
                lambda s: {"units": s["units"]}, _recurrent,
                lambda s: "%dx%d" % (s["input_dim"], 3 * s["units"])),
    "layer_normalization": Kind(None, "LayerNormalization", ("gamma", "beta"),
                                lambda s: {}, lambda s: [s["features"]],
                                lambda s: "%d" % s["features"]),
    "batch_normalization": Kind("batch_normalization", "BatchNormalization",
                                ("gamma", "beta", "moving_mean", "moving_variance"),
                                lambda s: {}, lambda s: [s["features"]],
                                lambda s: "%d" % s["features"]),
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
    """The Kind record of a kind name, or UnknownKind."""
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
    arguments = lookup(spec["kind"]).arguments(spec)
    arguments.update(options)
    return arguments


def input_shape(spec):
    """The input shape without the batch dimension."""
    return lookup(spec["kind"]).input_shape(spec)


def size_label(spec):
    """The layer's weight size as used in benchmark names: dense 4096x4096, conv2d 3x3x256x256."""
    return lookup(spec["kind"]).size(spec)


# Where a framework version names a weight differently from its stable role.
ROLE_ALIASES = {
    ("depthwise_conv2d", "kernel"): "depthwise_kernel",  # Keras 3 calls it plain "kernel"
}


def weight_role(variable_name, kind=None):
    """Stable role from a framework's variable name: 'dense_3/kernel:0' -> 'kernel'."""
    base = variable_name.split(":")[0].rsplit("/", 1)[-1]
    return ROLE_ALIASES.get((kind, base), base)
