"""What the seeding step needs of each API family: the seeding methods by name, the family's
global seed functions, the suite's initializer (seeded or not), a Dense kernel and a direct
call, and where a draw runs (a fresh tf.Graph run by a Session on TF 1.x and for tf.layers;
eagerly otherwise); and reset_global_state, which undoes every seed a method set, as far as
the framework allows. Python 3.6-clean: stdlib, numpy, the framework.
"""

import random
import sys

import numpy as np

from initcompat.probe import schema
from initcompat.probe.family import compat_v1


MAX_TEXT = 2000
NO_SEED = schema.SEED_METHODS[0]
# a global seed function, then build as usual: the framework's four, then numpy's and Python's
GLOBAL_METHODS = schema.SEED_METHODS[1:5] + schema.SEED_METHODS[9:11]
(TF_SET_RANDOM_SEED, V1_SET_RANDOM_SEED, TF_RANDOM_SET_SEED,
 UTILS_SET_RANDOM_SEED) = schema.SEED_METHODS[1:5]
INITIALIZER_SEED, SAME_INSTANCE, TWO_INSTANCES, SEED_ZERO = schema.SEED_METHODS[5:9]
NUMPY_SEED, PYTHON_SEED = schema.SEED_METHODS[9:11]
DENSE, DIRECT = schema.SEED_TARGETS


class Unavailable(Exception):
    """A family or a method this version does not offer; the message says what is missing."""


def short(text, limit=MAX_TEXT):
    text = str(text)
    return text if len(text) <= limit else text[:limit - 1] + "\u2026"


def describe_error(error):
    return short("%s: %s" % (type(error).__name__, error))


def reach(owner, dotted, spelled):
    """getattr along a dotted path; anything missing (or raising) is Unavailable naming it."""
    value = owner
    for part in dotted.split("."):
        try:
            value = getattr(value, part)
        except Exception as error:  # Keras 3 raises AttributeError from module __getattr__
            raise Unavailable("no %s (%s)" % (spelled, describe_error(error)))
    return value


def reset_global_state(tf):
    """Undo every seed a method set, as far as the framework allows (see the module doc)."""
    random.seed()
    np.random.seed(None)
    set_seed = getattr(getattr(tf, "random", None), "set_seed", None)
    if tf is not None and callable(set_seed) and _executing_eagerly(tf):
        set_seed(None)
    for name, module in list(sys.modules.items()):
        if module is None:
            continue
        if name.endswith("backend"):  # Keras 2 and tf_keras: set_random_seed's generator
            holder = getattr(module, "_SEED_GENERATOR", None)
            if holder is not None and getattr(holder, "generator", None) is not None:
                holder.generator = None
        elif name.endswith("backend.common.global_state"):  # Keras 3
            setter = getattr(module, "set_global_attribute", None)
            if callable(setter):
                setter("global_random_seed", None)
                setter("global_seed_generator", None)


def _executing_eagerly(tf):
    check = getattr(tf, "executing_eagerly", None)
    try:
        return bool(check()) if callable(check) else False
    except Exception:
        return False


class Family(object):
    """What a seeding method needs of an API family: its global seed functions, its
    initializer, a Dense kernel and a direct call, and where they run (run())."""

    name = None
    graph_mode = False
    initializer_path = None  # how the call text spells the suite's initializer

    def __init__(self, tf, block):
        self.tf = tf
        self.block = block
        self.checked = None

    def check(self):
        """Raise Unavailable when the family cannot be used at all (remembered)."""
        if self.checked is None:
            try:
                self._check()
                self.checked = True
            except Unavailable as error:
                self.checked = error
        if self.checked is not True:
            raise self.checked

    def _check(self):
        raise NotImplementedError

    def shape(self):
        return (int(self.block["dense"]["input_dim"]), int(self.block["dense"]["units"]))

    def global_setter(self, method):
        """(spelled call, function(seed)) of a global seed method, or Unavailable."""
        tf = self.tf
        if method == NUMPY_SEED:  # in every family and backend: numpy is always there
            return "np.random.seed", np.random.seed
        if method == PYTHON_SEED:
            return "random.seed", random.seed
        if tf is None and method != UTILS_SET_RANDOM_SEED:
            raise Unavailable("no %s: this environment has no TensorFlow (Keras on the %s "
                              "backend)" % (method, self.backend()))
        if method == TF_SET_RANDOM_SEED:
            return "tf.set_random_seed", reach(tf, "set_random_seed", "tf.set_random_seed")
        if method == V1_SET_RANDOM_SEED:
            return ("tf.compat.v1.set_random_seed",
                    reach(tf, "compat.v1.set_random_seed", "tf.compat.v1.set_random_seed"))
        if method == TF_RANDOM_SET_SEED:
            return "tf.random.set_seed", reach(tf, "random.set_seed", "tf.random.set_seed")
        return self.utils_setter()

    def utils_setter(self):
        raise Unavailable("no utils.set_random_seed in %s" % self.name)

    def initializer(self, seed):
        """(spelled, instance) of the suite's initializer, seeded with `seed` (None: unseeded)."""
        name = self.block["initializer"]
        factory = self.initializer_factory(name)
        spelled = "%s(%s)" % (self.initializer_path % name,
                              "" if seed is None else "seed=%d" % seed)
        return spelled, (factory() if seed is None else factory(seed=seed))

    def initializer_factory(self, name):
        raise NotImplementedError

    def run(self, setter, build):
        """Apply `setter` (or nothing) then `build`(); the drawn float arrays in build's order."""
        raise NotImplementedError

    def graph_run(self, setter, build):
        """run() in a fresh tf.Graph: `setter` and `build` inside it, the variables initialized
        and fetched by a Session."""
        tf, v1 = self.tf, compat_v1(self.tf)
        graph = tf.Graph()
        with graph.as_default():
            if setter is not None:
                setter()
            self.start_graph()
            tensors = build()
            with v1.Session(graph=graph) as session:
                session.run(v1.global_variables_initializer())
                return [np.asarray(a) for a in session.run(tensors)]

    def start_graph(self):
        """Each fresh graph gets the input a user's graph holds before it builds. The
        placeholder is an op of the graph, so it takes part in the op-level seeds a graph seed
        derives: keep it, or the measured seeded bytes change."""
        self._inputs = compat_v1(self.tf).placeholder(self.tf.float32, [None, self.shape()[0]])

    def dense_call(self, initializer_text):
        raise NotImplementedError

    def keras_version(self):
        return None

    def backend(self):
        return "tensorflow"


class GraphLayersFamily(Family):
    """tf.layers / tf.compat.v1.layers: each draw in a fresh tf.Graph run by a Session."""

    graph_mode = True

    def __init__(self, tf, block, name, path):
        Family.__init__(self, tf, block)
        self.name = name
        self.path = path
        self.initializer_path = ("tf.compat.v1.%s_initializer" if compat_v1(tf) is not tf
                                 else "tf.%s_initializer")

    def _check(self):
        self.dense = reach(self.tf, self.path + ".dense", "tf.%s.dense" % self.path)

    def utils_setter(self):
        """The Keras utility inside the draw's graph (it calls tf.random.set_seed, which sets
        the default graph's seed there)."""
        return ("tf.keras.utils.set_random_seed",
                reach(self.tf, "keras.utils.set_random_seed", "tf.keras.utils.set_random_seed"))

    def initializer_factory(self, name):
        spelled = self.initializer_path % name
        return reach(compat_v1(self.tf), "%s_initializer" % name, spelled)

    def run(self, setter, build):
        return self.graph_run(setter, build)

    def start_graph(self):
        """tf.layers functions build on the input; their variables are told apart by name."""
        Family.start_graph(self)
        self._index = 0

    def dense_kernel(self, initializer):
        """A Dense kernel (variable) in the current graph; `initializer` None: the default."""
        name = "seeding%d" % self._index
        self._index += 1
        arguments = {} if initializer is None else {"kernel_initializer": initializer}
        self.dense(self._inputs, self.shape()[1], name=name, **arguments)
        return [v for v in compat_v1(self.tf).global_variables()
                if v.name.startswith(name + "/kernel")][0]

    def direct(self, initializer):
        return initializer(list(self.shape()))

    def dense_call(self, initializer_text):
        return "tf.%s.dense(x, %d%s)" % (
            self.path, self.shape()[1],
            "" if initializer_text is None else ", kernel_initializer=" + initializer_text)


class KerasFamily(Family):
    """tf.keras, standalone keras, tf_keras: eager on TF 2.x, a fresh tf.Graph on TF 1.x."""

    def __init__(self, tf, block, name, loader):
        Family.__init__(self, tf, block)
        self.name = name
        self.loader = loader
        self.graph_mode = tf is not None and int(tf.__version__.split(".")[0]) < 2
        self.initializer_path = name + ".initializers.%s"
        self.module = None

    def _check(self):
        try:
            self.module = self.loader()
        except Unavailable:
            raise
        except Exception as error:
            raise Unavailable("no %s (%s)" % (self.name, describe_error(error)))
        self.layer = reach(self.module, "layers.Dense", self.name + ".layers.Dense")

    def utils_setter(self):
        spelled = self.name + ".utils.set_random_seed"
        return spelled, reach(self.module, "utils.set_random_seed", spelled)

    def initializer_factory(self, name):
        return reach(self.module, "initializers." + name, self.initializer_path % name)

    def run(self, setter, build):
        if not self.graph_mode:
            if setter is not None:
                setter()
            return [np.array(v.numpy() if hasattr(v, "numpy") else v) for v in build()]
        return self.graph_run(setter, build)

    def dense_kernel(self, initializer):
        arguments = {} if initializer is None else {"kernel_initializer": initializer}
        layer = self.layer(self.shape()[1], **arguments)
        # a plain tuple: multi-backend Keras 2 cannot take a TF1 TensorShape's Dimensions
        layer.build((None, self.shape()[0]))
        return layer.kernel

    def direct(self, initializer):
        return initializer(self.shape())

    def dense_call(self, initializer_text):
        return "%s.layers.Dense(%d%s).build((None, %d))" % (
            self.name, self.shape()[1],
            "" if initializer_text is None else ", kernel_initializer=" + initializer_text,
            self.shape()[0])

    def keras_version(self):
        return getattr(self.module, "__version__", None)

    def backend(self):
        backend = getattr(getattr(self.module, "backend", None), "backend", None)
        try:
            return str(backend()) if callable(backend) else "tensorflow"
        except Exception:
            return "tensorflow"


def families(tf, block):
    """The families of this process, in report order (schema.API_FAMILIES)."""
    def standalone_keras():
        import keras
        return keras

    def tf_keras():
        import tf_keras
        return tf_keras

    return [GraphLayersFamily(tf, block, schema.FAMILY_TF_LAYERS, "layers"),
            GraphLayersFamily(tf, block, schema.FAMILY_COMPAT_V1_LAYERS, "compat.v1.layers"),
            KerasFamily(tf, block, schema.FAMILY_TF_KERAS,
                        lambda: reach(tf, "keras", "tf.keras")),
            KerasFamily(tf, block, schema.FAMILY_KERAS, standalone_keras),
            KerasFamily(tf, block, schema.FAMILY_TF_KERAS_PACKAGE, tf_keras)]
