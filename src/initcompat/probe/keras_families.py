"""The Keras families: Keras layers creating graph variables (tf.keras and tf.compat.v1.keras on
TF 1.x, multi-backend Keras 2.x on a TF 1.x backend), and eager Keras (tf.keras on 2.x, keras 3,
tf_keras) building with layer.build(), its further draws from fresh instances of each weight's
own initializer where they draw what the layer drew; how each Keras package is loaded.
Python 3.6-clean.
"""

import sys

import numpy as np

from initcompat.probe import catalogue, schema
from initcompat.probe.draws import DISCRETE_LEVELS, initializer_draws
from initcompat.probe.family import Build, Family, FamilyUnavailable, compat_v1, reach
from initcompat.probe.graph_family import GraphFamily


class GraphKerasFamily(GraphFamily):
    """tf.keras on TF 1.x: Keras layers creating graph variables."""

    name = schema.FAMILY_TF_KERAS
    namespace_path = "keras.layers"

    def namespace(self):
        return reach(self.tf, self.namespace_path)

    def make_layer(self, factory, spec, inputs, name):
        # build(), not __call__: creates the same variables without the layer's computation
        # (a recurrent layer's graph loop would cost seconds per build).
        layer = factory(name=name, **catalogue.constructor_arguments(spec))
        # weight names "probe3/kernel", as __call__ gives
        with compat_v1(self.tf).variable_scope(name):
            calls = catalogue.lookup(spec["kind"]).call_inputs
            if calls:
                layer(*([inputs] * calls))
            else:
                layer.build(inputs.shape)
        return layer


class StandaloneGraphKerasFamily(GraphKerasFamily):
    """Multi-backend Keras 2.x (`import keras` on a TF 1.x backend, the setup of 2017-2019):
    its layers create graph variables in the default graph, like tf.keras on TF 1.x."""

    name = schema.FAMILY_KERAS

    def __init__(self, tf):
        GraphKerasFamily.__init__(self, tf)
        self._keras = None

    def namespace(self):
        if self._keras is None:
            try:
                self._keras = load_standalone_keras()
            except Exception as error:
                raise FamilyUnavailable(type(error).__name__, str(error))
        return reach(self._keras, "layers")

    def make_layer(self, factory, spec, inputs, name):
        layer = factory(name=name, **catalogue.constructor_arguments(spec))
        with compat_v1(self.tf).variable_scope(name):
            calls = catalogue.lookup(spec["kind"]).call_inputs
            if calls:
                layer(*([inputs] * calls))
            else:  # Keras 2 wants plain integers, not TF1 Dimensions
                layer.build(tuple(inputs.shape.as_list()))
        return layer


class CompatV1GraphKerasFamily(GraphKerasFamily):
    """tf.compat.v1.keras on TF 1.13-1.15: the same classes as tf.keras, in a graph."""

    name = schema.FAMILY_COMPAT_V1_KERAS
    namespace_path = "compat.v1.keras.layers"


# A weight of fixed values that a layer builds itself (an LSTM's forget-gate bias: not what its
# Zeros initializer draws) is drawn from this many real layers, not the suite's max_builds: its
# values are the same in every layer, and each further layer build costs milliseconds.
DETERMINISTIC_BUILDS = 8


class EagerKerasFamily(Family):
    """A Keras (tf.keras on 2.x, keras 3, tf_keras) building eagerly with layer.build()."""

    graph_mode = False

    def __init__(self, tf, name, keras_module_loader, legacy_keras=False, seeding_loader=None,
                 seeding_name=None):
        Family.__init__(self, tf)
        self.name = name
        self._load = keras_module_loader
        self._module = None
        self.legacy_keras = legacy_keras
        self._seeding_load = seeding_loader
        self._seeding_name = seeding_name or name

    def keras(self):
        if self._module is None:
            try:
                self._module = self._load()
            except FamilyUnavailable:
                raise
            except Exception as error:
                raise FamilyUnavailable(type(error).__name__, str(error))
        return self._module

    def seeding_keras(self):
        """The Keras whose utils.set_random_seed seeds this family (tf.compat.v1.keras has none
        of its own before Keras 3: it is seeded as tf.keras is)."""
        if self._seeding_load is not None:
            try:
                return self._seeding_load()
            except Exception:
                pass
        return self.keras()

    def namespace(self):
        return reach(self.keras(), "layers")

    def seed_call(self):
        keras = self.seeding_keras()
        if callable(getattr(getattr(keras, "utils", None), "set_random_seed", None)):
            return "%s.utils.set_random_seed" % self._seeding_name
        return "tf.random.set_seed"

    def seed_function(self):
        setter = getattr(getattr(self.seeding_keras(), "utils", None), "set_random_seed", None)
        return setter if callable(setter) else self.tf.random.set_seed

    def unseed(self):
        """Undo a failed set_random_seed, so unseeded builds can still be measured.

        tf_keras keeps the generator set_random_seed made in backend._SEED_GENERATOR; once that
        generator is broken (tf_keras 2.16-2.18 on Python 3.12), every later initializer fails.
        """
        for name in ("src.backend", "backend"):
            module = sys.modules.get(self.seeding_keras().__name__ + "." + name)
            holder = getattr(module, "_SEED_GENERATOR", None)
            if holder is not None and getattr(holder, "generator", None) is not None:
                holder.generator = None
                return True
        return False

    def _seed(self, seed):
        self.seed_function()(seed)

    def draws(self, spec, count, seed):
        """One real layer, then fresh instances of each weight's own initializer where they
        draw what the layer drew (initcompat.probe.draws), else more real layers."""
        first = self.build(spec, 1, seed)[0]
        found, rebuild = {}, {}
        for name, values in first.weights:
            role = catalogue.weight_role(name, spec["kind"])
            initializer = self.declared_initializer(spec, role, first).get("object")
            arrays, method = initializer_draws(values, initializer, count, np.asarray)
            if arrays is None:
                rebuild[role] = method
            else:
                found[role] = (arrays, method)
        if rebuild:
            values = dict((catalogue.weight_role(n, spec["kind"]), v) for n, v in first.weights)
            fixed = all(np.unique(values[role]).size <= DISCRETE_LEVELS for role in rebuild)
            wanted = min(count, DETERMINISTIC_BUILDS) if fixed else count
            more = [first] + (self.build(spec, wanted - 1, None) if wanted > 1 else [])
            for role, why in rebuild.items():
                arrays = [dict((catalogue.weight_role(n, spec["kind"]), v)
                               for n, v in build.weights)[role] for build in more]
                found[role] = (arrays, "%d fresh layers (%s%s)" % (
                    len(more), why, "; fixed values: %d layers show them" % len(more)
                    if fixed and wanted < count else ""))
        return first, found

    def build(self, spec, count, seed):
        factory = self.layer_factory(spec["kind"])
        if seed is not None:
            self._seed(seed)
        shape = tuple([None] + catalogue.input_shape(spec))
        calls = catalogue.lookup(spec["kind"]).call_inputs
        builds = []
        for index in range(count):
            layer = factory(name="probe%d" % index, **catalogue.constructor_arguments(spec))
            if calls:  # built from its inputs: called once on zeros of batch size 1
                zeros = [1] + catalogue.input_shape(spec)
                inputs = self.tf.zeros(zeros) if self.tf is not None \
                    else np.zeros(zeros, dtype="float32")  # Keras 3 without TensorFlow
                layer(*([inputs] * calls))
            else:
                layer.build(shape)
            weights = []
            for variable in layer.weights:
                name = getattr(variable, "path", None) or variable.name
                weights.append((name, np.array(variable.numpy())))
            builds.append(Build(layer, weights))
        return builds

    def graph_evidence(self, role):
        return None


def load_standalone_keras():
    """`import keras`, whatever version; the result records which."""
    import keras
    return keras


def tf_keras_installed():
    """Whether the tf_keras package is installed (found without importing it)."""
    try:
        import importlib.util
        return importlib.util.find_spec("tf_keras") is not None
    except (ImportError, ValueError):
        return False


def load_tf_keras():
    """`import tf_keras` (meant to run under TF_USE_LEGACY_KERAS=1)."""
    import tf_keras
    return tf_keras
