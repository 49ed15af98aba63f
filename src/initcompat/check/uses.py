"""What the reader's calls are, in the data's terms: a layer of an API family and catalogue kind
with the weights that fall back to defaults, an initializer of a namespace, a seeding call; a
random op is read but no step measures it. Pure.

Families and kinds are the probe's own (initcompat.probe.schema API_FAMILIES, catalogue KINDS:
a Keras class name maps to its kind through the catalogue's class names).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

from initcompat.check.reader import LITERAL_MISSING, Call
from initcompat.probe import schema
from initcompat.probe.catalogue import INITIALIZER_ARGUMENT, KINDS

# Layer namespaces as resolved paths -> (API family, what it offers: Keras classes, tf.layers
# functions and classes, contrib functions, RNN cells). Longest first.
LAYER_NAMESPACES = (
    ("tf.compat.v1.keras.layers", schema.FAMILY_COMPAT_V1_KERAS, "classes"),
    ("tf.compat.v1.layers", schema.FAMILY_COMPAT_V1_LAYERS, "layers"),
    ("tf.compat.v1.nn.rnn_cell", schema.FAMILY_RNN_CELL, "cells"),
    ("tf.nn.rnn_cell", schema.FAMILY_RNN_CELL, "cells"),
    ("tf.contrib.rnn", schema.FAMILY_RNN_CELL, "cells"),
    ("tf.contrib.layers", schema.FAMILY_CONTRIB_LAYERS, "contrib"),
    ("tf.keras.layers", schema.FAMILY_TF_KERAS, "classes"),
    ("tf.layers", schema.FAMILY_TF_LAYERS, "layers"),
    ("keras.layers", schema.FAMILY_KERAS, "classes"),
    ("tf_keras.layers", schema.FAMILY_TF_KERAS_PACKAGE, "classes"),
)
GET_VARIABLE = ("tf.get_variable", "tf.compat.v1.get_variable")
# The families measured inside variable_scope(initializer=...), by the family outside one.
SCOPED = {schema.FAMILY_GET_VARIABLE: schema.FAMILY_SCOPED_GET_VARIABLE,
          schema.FAMILY_TF_LAYERS: schema.FAMILY_SCOPED_LAYERS,
          schema.FAMILY_COMPAT_V1_LAYERS: schema.FAMILY_SCOPED_LAYERS,
          schema.FAMILY_TF_KERAS: schema.FAMILY_SCOPED_TF_KERAS}
# Keras' public aliases of the catalogue's class names.
CLASS_ALIASES = {"Convolution1D": "Conv1D", "Convolution2D": "Conv2D", "Convolution3D": "Conv3D",
                 "Convolution2DTranspose": "Conv2DTranspose",
                 "Convolution3DTranspose": "Conv3DTranspose",
                 "Convolution1DTranspose": "Conv1DTranspose",
                 "SeparableConvolution1D": "SeparableConv1D",
                 "SeparableConvolution2D": "SeparableConv2D"}
CLASS_KINDS = {kind.class_name: name for name, kind in KINDS.items()}
FUNCTION_KINDS = {kind.function: name for name, kind in KINDS.items() if kind.function}
CONTRIB_KINDS = {"fully_connected": "dense", "conv2d": "conv2d"}
CONTRIB_ARGUMENTS = {"kernel": "weights_initializer", "bias": "biases_initializer"}
CELL_KINDS = {"LSTMCell": "lstm", "GRUCell": "gru"}
CELL_ROLES = {"lstm": (("kernel", "initializer"), ("bias", None)),
              "gru": (("gates_kernel", "kernel_initializer"), ("gates_bias", "bias_initializer"),
                      ("candidate_kernel", "kernel_initializer"),
                      ("candidate_bias", "bias_initializer"))}
# Layer settings that change what a weight draws or its shape (report/sections/timeline.py's
# WEIGHT_SETTINGS; a test pins the two together).
WEIGHT_SETTINGS = ("reset_after", "unit_forget_bias", "use_bias", "center", "scale",
                   "depth_multiplier", "units", "filters", "kernel_size", "input_dim",
                   "output_dim", "axis")
# Initializer namespaces as resolved paths -> the data's namespace; `suffix`: only names ending
# so are initializers there (tf.truncated_normal_initializer, not tf.truncated_normal).
INITIALIZER_NAMESPACES = (("tf.compat.v1.initializers", "tf.compat.v1.initializers", ""),
                          ("tf.keras.initializers", "tf.keras.initializers", ""),
                          ("tf.initializers", "tf.initializers", ""),
                          ("keras.initializers", "keras.initializers", ""),
                          ("tf_keras.initializers", "tf_keras.initializers", ""),
                          ("tf.contrib.layers", "tf.contrib.layers", "_initializer"),
                          ("tf.compat.v1", "tf.compat.v1", "_initializer"),
                          ("tf", "tf", "_initializer"))
# The namespace a string alias (kernel_initializer="he_normal") is looked up in, per family.
ALIAS_NAMESPACES = {schema.FAMILY_TF_KERAS: "tf.keras.initializers",
                    schema.FAMILY_KERAS: "keras.initializers",
                    schema.FAMILY_TF_KERAS_PACKAGE: "tf_keras.initializers",
                    schema.FAMILY_COMPAT_V1_KERAS: "tf.keras.initializers"}
# Random ops a TF 1 user draws raw weights with (tf.Variable(tf.truncated_normal(...))): no step
# measures them, so the check counts them as read and not measured and says nothing of them.
RANDOM_OPS = ("tf.truncated_normal", "tf.random_normal", "tf.random_uniform",
              "tf.random.truncated_normal", "tf.random.normal", "tf.random.uniform",
              "tf.compat.v1.truncated_normal", "tf.compat.v1.random_normal",
              "tf.compat.v1.random_uniform")
# Spellings of a tf.compat.v1 family that are the same function only in TF 1.x (the probe
# measures tf.compat.v1.X, which is tf.X in TF 1): not measured where TensorFlow is 2.
TF1_SPELLINGS = ("tf.get_variable", "tf.nn.rnn_cell.", "tf.contrib.rnn.")
# Seeding calls -> the seeding step's method, and the family whose seeding they are.
SEEDING_CALLS = {"tf.set_random_seed": ("tf.set_random_seed", None),
                 "tf.random.set_random_seed": ("tf.set_random_seed", None),
                 "tf.compat.v1.set_random_seed": ("tf.compat.v1.set_random_seed", None),
                 "tf.compat.v1.random.set_random_seed": ("tf.compat.v1.set_random_seed", None),
                 "tf.random.set_seed": ("tf.random.set_seed", None),
                 "keras.utils.set_random_seed": ("keras.utils.set_random_seed",
                                                 schema.FAMILY_KERAS),
                 "tf.keras.utils.set_random_seed": ("keras.utils.set_random_seed",
                                                    schema.FAMILY_TF_KERAS),
                 "tf_keras.utils.set_random_seed": ("keras.utils.set_random_seed",
                                                    schema.FAMILY_TF_KERAS_PACKAGE),
                 "np.random.seed": ("np.random.seed", None),
                 "random.seed": ("random.seed", None)}
SEED_ZERO_METHOD = "seed 0"
SEEDED_INITIALIZER_METHOD = "initializer(seed=…)"


@dataclass(frozen=True)
class LayerUse:
    call: Call
    family: str  # the API family as the data names it (legacy decided per environment)
    kind: str  # catalogue kind
    roles: tuple  # every weight role the call creates, in the catalogue's order
    defaulted: tuple  # weight roles that fall back to their default initializer
    settings: dict  # weight-changing settings passed explicitly: name -> literal (or None)
    unknown: bool = False  # a **mapping was passed: which roles default is not known
    shape_rank: int | None = None  # get_variable: the literal shape's rank
    tf1_only: bool = False  # spelled as only TF 1 has it (tf.get_variable, tf.nn.rnn_cell)


@dataclass(frozen=True)
class InitializerUse:
    call: Call
    namespace: str
    how: str  # "constructor" or "get"
    name: str
    arguments: dict | None  # literal arguments (seed and dtype left out); None: not all literal
    seed: object = None  # the literal seed passed, or None
    family: str | None = None  # a string alias: the family of the layer it was passed to


@dataclass(frozen=True)
class SeedUse:
    call: Call
    method: str  # the seeding step's method name
    family: str | None  # the family a family-specific call seeds (keras.utils ...), else None
    seed: object = None


@dataclass(frozen=True)
class Uses:
    layers: list = field(default_factory=list)
    initializers: list = field(default_factory=list)
    seeds: list = field(default_factory=list)
    ops: list = field(default_factory=list)  # random ops: read, never measured


def _class_kind(name: str) -> str | None:
    return CLASS_KINDS.get(CLASS_ALIASES.get(name, name))


def _layer_target(path: str) -> tuple[str, str, str] | None:
    """(family, kind, how offered) of a resolved callee path, or None."""
    if path in GET_VARIABLE:
        return schema.FAMILY_GET_VARIABLE, "dense", "get_variable"
    for prefix, family, offers in LAYER_NAMESPACES:
        if not path.startswith(prefix + "."):
            continue
        name = path.rsplit(".", 1)[1]
        if offers == "classes":
            kind = _class_kind(name)
        elif offers == "layers":
            kind = FUNCTION_KINDS.get(name) or _class_kind(name)
        elif offers == "contrib":
            kind = CONTRIB_KINDS.get(name)
        else:
            kind = CELL_KINDS.get(name)
        return (family, kind, offers) if kind else None
    return None


def _roles(family: str, kind: str, offers: str) -> list[tuple[str, str | None]]:
    """(role, the argument that sets its initializer) of a layer of that family."""
    if offers == "cells":
        return list(CELL_ROLES[kind])
    if offers == "get_variable":
        return [("kernel", "initializer")]
    if offers == "contrib":
        return [(role, CONTRIB_ARGUMENTS[role]) for role in ("kernel", "bias")]
    return [(role, INITIALIZER_ARGUMENT.get(role)) for role in KINDS[kind].roles]


def _absent(call: Call, role: str) -> bool:
    """Whether the call creates no such weight (use_bias=False, center=False, scale=False)."""
    literals = call.literals
    if (role == "bias" or role.endswith("_bias")) and literals.get("use_bias") is False:
        return True
    return (role == "beta" and literals.get("center") is False) or \
        (role == "gamma" and literals.get("scale") is False)


def _layer(call: Call) -> LayerUse | None:
    target = _layer_target(call.path)
    if target is None:
        return None
    family, kind, offers = target
    if call.scoped and family in SCOPED:
        family = SCOPED[family]
    passed = set(call.keywords)
    rank = None
    if offers == "get_variable":
        shape = call.literals.get("shape", call.positional[1] if len(call.positional) > 1
                                  else LITERAL_MISSING)
        if isinstance(shape, (list, tuple)):
            rank = len(shape)
        if len(call.positional) >= 4:
            passed.add("initializer")
    roles = _roles(family, kind, offers)
    if rank == 1:
        roles = [("bias", "initializer")]
    created = tuple(role for role, _ in roles if not _absent(call, role))
    defaulted = tuple(role for role, argument in roles
                      if (argument is None or argument not in passed) and role in created
                      and not call.star_kwargs)  # **kwargs: which roles default is unknown
    settings = {name: call.literals.get(name) for name in WEIGHT_SETTINGS if name in passed}
    return LayerUse(call, family, kind, created, defaulted, settings, call.star_kwargs, rank,
                    call.path.startswith(TF1_SPELLINGS))


def _arguments(call: Call, leave: tuple = ("seed", "dtype", "name")) -> dict | None:
    if call.star_kwargs or any(value is LITERAL_MISSING for value in call.positional):
        return None
    if len(call.keywords) != len(call.literals):
        return None
    return {key: value for key, value in call.literals.items() if key not in leave}


def _initializer(call: Call) -> InitializerUse | None:
    for prefix, namespace, suffix in INITIALIZER_NAMESPACES:
        if not call.path.startswith(prefix + "."):
            continue
        name = call.path[len(prefix) + 1:]
        if "." in name:
            return None
        if name == "get" and not suffix:
            alias = call.positional[0] if call.positional else call.literals.get("identifier")
            return InitializerUse(call, namespace, "get", alias, {}) \
                if isinstance(alias, str) else None
        if suffix and not name.endswith(suffix):
            return None
        return InitializerUse(call, namespace, "constructor", name, _arguments(call),
                              call.literals.get("seed"))
    return None


def _seed(call: Call) -> SeedUse | None:
    found = SEEDING_CALLS.get(call.path)
    if found is None:
        return None
    seed = call.positional[0] if call.positional else call.literals.get("seed")
    return SeedUse(call, found[0], found[1], None if seed is LITERAL_MISSING else seed)


def classify(calls: list[Call]) -> Uses:
    """The layers, initializers (string aliases included) and seeding calls among the calls."""
    uses = Uses()
    for call in calls:
        layer = _layer(call)
        if layer is not None:
            uses.layers.append(layer)
            namespace = ALIAS_NAMESPACES.get(layer.family)
            for keyword, alias in call.strings.items():
                if namespace and keyword.endswith("_initializer"):
                    line, col = call.positions.get(keyword, (call.line, call.col))
                    where = dataclasses.replace(call, line=line, col=col,
                                                spelled=f'{keyword}="{alias}"')
                    uses.initializers.append(InitializerUse(where, namespace, "get", alias, {},
                                                            family=layer.family))
            continue
        initializer = _initializer(call)
        if initializer is not None:
            uses.initializers.append(initializer)
            if initializer.seed is not None and initializer.seed is not LITERAL_MISSING:
                method = SEED_ZERO_METHOD if initializer.seed == 0 else SEEDED_INITIALIZER_METHOD
                uses.seeds.append(SeedUse(call, method, None, initializer.seed))
            continue
        seed = _seed(call)
        if seed is not None:
            uses.seeds.append(seed)
        elif call.path in RANDOM_OPS:
            uses.ops.append(call)
    return uses
