"""The layer kinds a suite may ask for, one record each: how each API spells and builds the
kind, which weights it owns, its input shape and its size label in benchmark names.

Adding a layer kind is one entry in KINDS (see CONTRIBUTING.md). A suite entry is a dict like
{"kind": "dense", "input_dim": 96, "units": 40}. Python 3.6-clean.
"""


class Kind(object):
    """One layer kind: names in each API, weight roles, and functions of a suite entry.

    Optional: `spellings`, further Keras names tried in order where the first is missing
    ("experimental.EinsumDense" before TF 2.11); `holders`, role -> the attribute of the layer
    that holds that weight's initializer where it is not the layer itself (a
    MultiHeadAttention's query kernel is its _query_dense's kernel_initializer); `call_inputs`,
    how many copies of the input a layer is called on to build it where build(shape) alone
    cannot (a MultiHeadAttention builds from query and value).
    """

    def __init__(self, function, class_name, roles, arguments, input_shape, size,
                 spellings=(), holders=None, call_inputs=None):
        self.function = function        # tf.layers function name, or None when it has none
        self.class_name = class_name    # Keras class name
        self.roles = roles              # weight roles the layer owns, in report order
        self.arguments = arguments      # spec -> constructor keyword arguments (shapes only)
        self.input_shape = input_shape  # spec -> input shape without the batch dimension
        self.size = size                # spec -> "4096x4096": the weights' size in benchmark names
        self.spellings = (class_name,) + tuple(spellings)
        self.holders = holders or {}
        self.call_inputs = call_inputs


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


def _conv_recurrent():
    """A ConvLSTM2D: a convolution's arguments over `timesteps` frames."""
    arguments, frame, size = _conv(2)
    return arguments, lambda s: [s["timesteps"]] + frame(s), size


# MultiHeadAttention owns four EinsumDense sublayers, each with a kernel and a bias; each
# sublayer holds its own initializer (a clone of the layer's in newer Keras).
_ATTENTION_PARTS = (("query", "_query_dense"), ("key", "_key_dense"), ("value", "_value_dense"),
                    ("output", "_output_dense"))
_ATTENTION_ROLES = tuple("%s_%s" % (part, weight) for part, _ in _ATTENTION_PARTS
                         for weight in ("kernel", "bias"))
_ATTENTION_HOLDERS = dict(("%s_%s" % (part, weight), attribute) for part, attribute in _ATTENTION_PARTS
                          for weight in ("kernel", "bias"))


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
    "conv1d_transpose": Kind(None, "Conv1DTranspose", ("kernel", "bias"), *_conv(1)),
    "conv3d_transpose": Kind("conv3d_transpose", "Conv3DTranspose", ("kernel", "bias"), *_conv(3)),
    "separable_conv1d": Kind("separable_conv1d", "SeparableConv1D",
                             ("depthwise_kernel", "pointwise_kernel", "bias"), *_conv(1)),
    "depthwise_conv1d": Kind(None, "DepthwiseConv1D", ("depthwise_kernel", "bias"),
                             *_conv(1, with_filters=False)),
    "conv_lstm2d": Kind(None, "ConvLSTM2D", ("kernel", "recurrent_kernel", "bias"),
                        *_conv_recurrent()),
    "prelu": Kind(None, "PReLU", ("alpha",), lambda s: {}, lambda s: [s["features"]],
                  lambda s: "%d" % s["features"]),
    "group_normalization": Kind(None, "GroupNormalization", ("gamma", "beta"),
                                lambda s: {}, lambda s: [s["features"]],
                                lambda s: "%d" % s["features"]),
    "einsum_dense": Kind(None, "EinsumDense", ("kernel", "bias"),
                         lambda s: {"equation": s["equation"],
                                    "output_shape": tuple(s["output_shape"]),
                                    "bias_axes": s.get("bias_axes")},
                         lambda s: [s["input_dim"]],
                         lambda s: "x".join(str(d) for d in [s["input_dim"]] + s["output_shape"]),
                         spellings=("experimental.EinsumDense",)),
    "multi_head_attention": Kind(None, "MultiHeadAttention", _ATTENTION_ROLES,
                                 lambda s: {"num_heads": s["num_heads"], "key_dim": s["key_dim"]},
                                 lambda s: [s["sequence_length"], s["query_dim"]],
                                 lambda s: "%dx%dx%d" % (s["query_dim"], s["num_heads"],
                                                         s["key_dim"]),
                                 holders=_ATTENTION_HOLDERS, call_inputs=2),
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
    "alpha": "alpha_initializer",
}
# A sublayer's weights (a MultiHeadAttention's query/kernel, a GRUCell's gates/bias) take the
# initializer argument of the plain weight.
for _role in _ATTENTION_ROLES + ("gates_kernel", "gates_bias", "candidate_kernel", "candidate_bias"):
    INITIALIZER_ARGUMENT[_role] = INITIALIZER_ARGUMENT[_role.rsplit("_", 1)[1]]


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


def holder_of(kind, role):
    """The attribute of a layer of `kind` that holds `role`'s initializer, or None (the layer)."""
    return lookup(kind).holders.get(role) if kind in KINDS else None


# Where a framework version names a weight differently from its stable role.
ROLE_ALIASES = {
    ("depthwise_conv2d", "kernel"): "depthwise_kernel",  # Keras 3 calls it plain "kernel"
    ("depthwise_conv1d", "kernel"): "depthwise_kernel",
}
# tf.contrib.layers names its variables weights and biases.
BASE_ALIASES = {"weights": "kernel", "biases": "bias"}
# Sublayers whose weights are distinct roles: a MultiHeadAttention's query/kernel ...
# attention_output/bias, a tf.compat.v1.nn.rnn_cell.GRUCell's gates/kernel ... candidate/bias.
SUBLAYER_PREFIXES = {"query": "query", "key": "key", "value": "value",
                     "attention_output": "output", "gates": "gates", "candidate": "candidate"}


def weight_role(variable_name, kind=None):
    """Stable role from a framework's variable name: 'dense_3/kernel:0' -> 'kernel',
    'probe0/query/kernel:0' -> 'query_kernel', 'fully_connected/weights:0' -> 'kernel'."""
    parts = variable_name.split(":")[0].split("/")
    base = BASE_ALIASES.get(parts[-1], parts[-1])
    base = ROLE_ALIASES.get((kind, base), base)
    if len(parts) > 1 and parts[-2] in SUBLAYER_PREFIXES and base in ("kernel", "bias"):
        return SUBLAYER_PREFIXES[parts[-2]] + "_" + base
    return base
