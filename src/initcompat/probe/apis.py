"""One adapter per API family: how to reach it, build a layer with no initializer arguments,
seed it, and read back the drawn weights.

Graph families (tf.layers, tf.compat.v1.layers, and tf.keras on TF 1.x) build inside a fresh
tf.Graph and run the initializers in a Session; eager families (tf.keras on TF 2.x, keras 3,
tf_keras) build with layer.build(). Python 3.6-clean.
"""

import inspect
import json
import math
import sys

import numpy as np

from initcompat.probe import catalogue, schema
from initcompat.probe.draws import initializer_draws
from initcompat.probe.identity import describe_initializer


class FamilyUnavailable(Exception):
    """This API family (or one of its layers) cannot be reached in this environment."""

    def __init__(self, error_type, message):
        Exception.__init__(self, "%s: %s" % (error_type, message))
        self.error_type = error_type
        self.message = message


def _reach(owner, dotted):
    """getattr along a dotted path; a missing or raising attribute is FamilyUnavailable."""
    value = owner
    for part in dotted.split("."):
        try:
            value = getattr(value, part)
        except Exception as error:  # Keras 3 raises AttributeError from module __getattr__
            raise FamilyUnavailable(type(error).__name__, str(error))
    return value


def _v1(tf):
    """The TF1-style namespace: tf.compat.v1 where it exists, tf itself on old 1.x."""
    compat = getattr(tf, "compat", None)
    return getattr(compat, "v1", None) or tf


class Build(object):
    """The weights of one built layer: [(variable name, float array)], plus the layer object."""

    def __init__(self, layer, weights):
        self.layer = layer
        self.weights = weights


def _reruns_repeat(first, second):
    """True when re-running gave identical values for a weight that is random across layers.

    Deterministic weights (zeros, an LSTM's forget-gate ones) repeat by nature and say nothing.
    """
    for index, (build_a, build_b) in enumerate(zip(first, second)):
        neighbour = first[(index + 1) % len(first)]
        for (_, a), (_, b), (_, other) in zip(build_a.weights, build_b.weights, neighbour.weights):
            random_across_layers = neighbour is not build_a and not np.array_equal(a, other)
            if random_across_layers and np.array_equal(a, b):
                return True
    return False


def stateless_seed_inputs(graph):
    """The constant `seed` inputs of every stateless random op in `graph` (feedable tensors)."""
    found = []
    for op in graph.get_operations():
        if not op.type.startswith("Stateless"):
            continue
        names = [argument.name for argument in op.op_def.input_arg]
        for name, tensor in zip(names, op.inputs):
            if name == "seed" and tensor.op.type == "Const" and tensor not in found:
                found.append(tensor)
    return found


# Layer config keys that are not settings of the draw: names, and the initializer, regularizer
# and constraint objects recorded per weight elsewhere.
_NOT_SETTINGS = ("name", "trainable", "dtype", "batch_input_shape", "dtype_policy")


def settings_only(config):
    """A layer config without names and per-weight objects, JSON-safe (from identity.json_safe)."""
    from initcompat.probe.identity import json_safe
    return dict((key, json_safe(value)) for key, value in sorted(config.items())
                if key not in _NOT_SETTINGS
                and not key.endswith(("_initializer", "_regularizer", "_constraint")))


class Family(object):
    """Common interface; subclasses fill in how to reach and build."""

    name = None
    graph_mode = True
    legacy_keras = False
    draw_method = "fresh layers"

    def __init__(self, tf):
        self.tf = tf

    def spell(self, kind):
        """How this API spells a layer kind, or None when it offers no such layer."""
        return catalogue.lookup(kind).class_name

    def check_available(self):
        """Raise FamilyUnavailable when the family cannot be used at all."""
        self.namespace()

    def namespace(self):
        raise NotImplementedError

    def layer_factory(self, kind):
        """The callable a user would call for this kind (reaching it may raise FamilyUnavailable)."""
        return _reach(self.namespace(), self.spell(kind))

    def seed_call(self):
        return None

    def identity(self, spec):
        """What decides this family's draws for `spec`: the layer class and the seeding function
        themselves (two families with equal identities measure the same thing), or None."""
        try:
            factory = self.layer_factory(spec["kind"]) if self.spell(spec["kind"]) else None
        except FamilyUnavailable:
            return None
        if factory is None:
            return None
        return (factory, self.seed_function(), self.graph_mode, json.dumps(spec, sort_keys=True))

    def seed_function(self):
        return None

    def unseed(self):
        """Undo a failed seeding where the family keeps global seed state; False: nothing to undo."""
        return False

    def build(self, spec, count, seed):
        """`count` fresh layers after seeding with `seed` (None: no seeding): a list of Build."""
        raise NotImplementedError

    def draws(self, spec, count, seed):
        """(first Build, {role: (`count` arrays, how they were drawn)}) for the statistics."""
        builds = self.build(spec, count, seed)
        by_role = {}
        for build in builds:
            for name, values in build.weights:
                by_role.setdefault(catalogue.weight_role(name, spec["kind"]), []).append(values)
        return builds[0], dict((role, (arrays, self.draw_method)) for role, arrays in by_role.items())

    def declared_initializer(self, spec, role, build):
        """What the layer holds for `role`, and what actually runs when it holds None."""
        argument = catalogue.INITIALIZER_ARGUMENT[role]
        holder = build.layer
        if holder is not None and not hasattr(holder, argument) and hasattr(holder, "cell"):
            holder = holder.cell  # recurrent layers keep initializers on their cell
        initializer = getattr(holder, argument, None)
        described = describe_initializer(initializer)
        described["held_by_layer"] = described["repr"]
        described["resolved_by"] = "layer attribute %s" % argument
        described["object"] = initializer
        return described

    def fan_owner(self, declared):
        return declared.get("object")

    def layer_config(self, spec, build):
        """The layer's own settings that are not initializers (e.g. GRU reset_after), or None."""
        get_config = getattr(build.layer, "get_config", None)
        if not callable(get_config):
            return None
        try:
            return settings_only(get_config())
        except Exception as error:  # a layer that cannot describe itself
            return {"get_config_error": "%s: %s" % (type(error).__name__, error)}


# ---------------------------------------------------------------------------- graph families

class GraphFamily(Family):
    """Builds in a fresh tf.Graph; values come from running the initializers in a Session."""

    graph_mode = True

    def seed_call(self):
        return "tf.compat.v1.set_random_seed (graph-level)" if _v1(self.tf) is not self.tf \
            else "tf.set_random_seed (graph-level)"

    def make_layer(self, factory, spec, inputs, name):
        """Build one layer on `inputs`; returns the layer object or None for functions."""
        raise NotImplementedError

    def build(self, spec, count, seed):
        """`count` draws from fresh graph layers.

        Building a graph layer costs tens of milliseconds, so at most LAYERS_PER_GRAPH layers
        are built and their initializers re-run for the remaining draws. Re-running only gives
        new values for stateful random ops. When a re-run repeats the first values exactly
        (stateless initializers, e.g. compat.v1 layers from TF 2.11 and tf_keras), the re-runs
        feed fresh seeds to the seed inputs of the stateless random ops the layers themselves
        created (the same graph, only another seed, as another unseeded layer would pick);
        where that still repeats, every draw is a fresh layer.
        """
        layers = min(count, self.LAYERS_PER_GRAPH)
        runs = int(math.ceil(float(count) / layers))
        builds = self._graph_builds(spec, layers, seed, runs)
        if runs > 1 and _reruns_repeat(builds[:layers], builds[layers:2 * layers]):
            builds = self._graph_builds(spec, layers, seed, runs, fresh_seeds=True)
            self.draw_method = ("%d fresh layers, initializers re-run %d times with fresh seeds "
                                "fed to their stateless random ops" % (layers, runs))
            if _reruns_repeat(builds[:layers], builds[layers:2 * layers]):
                builds = self._graph_builds(spec, count, seed, 1)
                self.draw_method = "fresh layers (re-running the initializers repeats their values)"
        else:
            self.draw_method = ("fresh layers" if runs == 1 else
                                "%d fresh layers, initializers re-run %d times" % (layers, runs))
        return builds[:count]

    LAYERS_PER_GRAPH = 8

    def _graph_builds(self, spec, layers, seed, runs, fresh_seeds=False):
        tf, v1 = self.tf, _v1(self.tf)
        factory = self.layer_factory(spec["kind"])
        graph = tf.Graph()
        created = []
        with graph.as_default():
            if seed is not None:
                v1.set_random_seed(seed)
            inputs = v1.placeholder(tf.float32, [None] + catalogue.input_shape(spec))
            for index in range(layers):
                name = "probe%d" % index
                layer = self.make_layer(factory, spec, inputs, name)
                if layer is not None:
                    variables = list(layer.weights)
                else:
                    variables = [v for v in v1.global_variables() if v.name.startswith(name + "/")]
                created.append((layer, variables))
            initialize = v1.global_variables_initializer()
            fetches = [variables for _, variables in created]
            seeds = stateless_seed_inputs(graph) if fresh_seeds else []
            chooser = np.random.RandomState(0 if seed is None else seed)
            results = []
            with v1.Session(graph=graph) as session:
                for run in range(runs):
                    feed = None
                    if seeds and run > 0:  # the first run keeps the layers' own seeds
                        feed = dict((tensor, chooser.randint(1, 2 ** 31 - 1, size=2).astype(
                            tensor.dtype.as_numpy_dtype)) for tensor in seeds)
                    session.run(initialize, feed_dict=feed)
                    values = session.run(fetches)
                    for (layer, variables), arrays in zip(created, values):
                        weights = [(v.name, np.asarray(a)) for v, a in zip(variables, arrays)]
                        results.append(Build(layer, weights))
            self.last_graph = graph
        return results

    def graph_evidence(self, role):
        """Op types and scalar constants under probe0/<role>/Initializer in the last graph built."""
        graph = getattr(self, "last_graph", None)
        if graph is None:
            return None
        prefix = None
        for op in graph.get_operations():
            if "/Initializer/" in op.name and op.name.startswith("probe0/") \
                    and op.name.split("/Initializer/")[0].rsplit("/", 1)[-1] == role:
                prefix = op.name.split("/Initializer/")[0] + "/Initializer/"
                break
        if prefix is None:
            return None
        op_types, constants = [], {}
        for op in graph.get_operations():
            if not op.name.startswith(prefix):
                continue
            op_types.append(op.type)
            if op.type == "Const":
                value = op.get_attr("value")
                if not value.tensor_shape.dim:  # scalar constant: min, max, stddev, mean, ...
                    array = self.tf.make_ndarray(value)
                    constants[op.name[len(prefix):]] = float(array) \
                        if array.dtype.kind in "fiu" else repr(array)
        return {"ops": sorted(set(op_types)), "scalar_constants": constants}


class TfLayersFamily(GraphFamily):
    """tf.layers.dense / conv2d ... (TF 1.x functions, graph mode)."""

    name = schema.FAMILY_TF_LAYERS
    namespace_path = "layers"

    def namespace(self):
        return _reach(self.tf, self.namespace_path)

    def spell(self, kind):
        return catalogue.lookup(kind).function

    def make_layer(self, factory, spec, inputs, name):
        factory(inputs, name=name, **catalogue.constructor_arguments(spec))
        return None

    def layer_config(self, spec, build):
        """A function holds no layer: its signature's defaults, then what the probe passed."""
        try:
            parameters = inspect.signature(self.layer_factory(spec["kind"])).parameters
        except (TypeError, ValueError, FamilyUnavailable):
            return None
        config = dict((name, p.default) for name, p in parameters.items()
                      if p.default is not inspect.Parameter.empty)
        config.update(catalogue.constructor_arguments(spec))
        return settings_only(config)

    def declared_initializer(self, spec, role, build):
        argument = catalogue.INITIALIZER_ARGUMENT[role]
        factory = self.layer_factory(spec["kind"])
        try:
            default = inspect.signature(factory).parameters[argument].default
        except (KeyError, TypeError, ValueError):
            default = None
        described = describe_initializer(default)
        described["held_by_layer"] = described["repr"]
        described["resolved_by"] = "default of %s(%s=...)" % (self.spell(spec["kind"]), argument)
        described["object"] = default
        if default is None:
            described.update(self._variable_store_default(spec, role, build))
        return described

    def _variable_store_default(self, spec, role, build):
        """What get_variable falls back to when a layer passes initializer=None."""
        shape = None
        for variable_name, values in build.weights:
            if catalogue.weight_role(variable_name, spec["kind"]) == role:
                shape = list(values.shape)
        try:
            from tensorflow.python.ops import variable_scope
            store = variable_scope._VariableStore()
            initializer, _ = store._get_default_initializer(role, shape=shape,
                                                           dtype=self.tf.float32)
        except Exception as error:
            return {"resolved_by": "get_variable fallback could not be asked (%s: %s); see graph_evidence"
                    % (type(error).__name__, error)}
        described = describe_initializer(initializer)
        described["held_by_layer"] = "None"
        described["resolved_by"] = ("layer passes None to get_variable; "
                                    "variable_scope._VariableStore._get_default_initializer returns it")
        described["object"] = initializer
        return described


class CompatV1LayersFamily(TfLayersFamily):
    """tf.compat.v1.layers.dense / conv2d ... inside a tf.Graph."""

    name = schema.FAMILY_COMPAT_V1_LAYERS
    namespace_path = "compat.v1.layers"


class GraphKerasFamily(GraphFamily):
    """tf.keras on TF 1.x: Keras layers creating graph variables."""

    name = schema.FAMILY_TF_KERAS

    def namespace(self):
        return _reach(self.tf, "keras.layers")

    def make_layer(self, factory, spec, inputs, name):
        # build(), not __call__: creates the same variables without the layer's computation
        # (a recurrent layer's graph loop would cost seconds per build).
        layer = factory(name=name, **catalogue.constructor_arguments(spec))
        with _v1(self.tf).variable_scope(name):  # weight names "probe3/kernel", as __call__ gives
            layer.build(inputs.shape)
        return layer


# ---------------------------------------------------------------------------- eager families

class EagerKerasFamily(Family):
    """A Keras (tf.keras on 2.x, keras 3, tf_keras) building eagerly with layer.build()."""

    graph_mode = False

    def __init__(self, tf, name, keras_module_loader, legacy_keras=False):
        Family.__init__(self, tf)
        self.name = name
        self._load = keras_module_loader
        self._module = None
        self.legacy_keras = legacy_keras

    def keras(self):
        if self._module is None:
            try:
                self._module = self._load()
            except FamilyUnavailable:
                raise
            except Exception as error:
                raise FamilyUnavailable(type(error).__name__, str(error))
        return self._module

    def namespace(self):
        return _reach(self.keras(), "layers")

    def seed_call(self):
        keras = self.keras()
        if callable(getattr(getattr(keras, "utils", None), "set_random_seed", None)):
            return "%s.utils.set_random_seed" % self.name
        return "tf.random.set_seed"

    def seed_function(self):
        setter = getattr(getattr(self.keras(), "utils", None), "set_random_seed", None)
        return setter if callable(setter) else self.tf.random.set_seed

    def unseed(self):
        """Undo a failed set_random_seed, so unseeded builds can still be measured.

        tf_keras keeps the generator set_random_seed made in backend._SEED_GENERATOR; once that
        generator is broken (tf_keras 2.16-2.18 on Python 3.12), every later initializer fails.
        """
        for name in ("src.backend", "backend"):
            module = sys.modules.get(self.keras().__name__ + "." + name)
            holder = getattr(module, "_SEED_GENERATOR", None)
            if holder is not None and getattr(holder, "generator", None) is not None:
                holder.generator = None
                return True
        return False

    def _seed(self, seed):
        keras = self.keras()
        setter = getattr(getattr(keras, "utils", None), "set_random_seed", None)
        if callable(setter):
            setter(seed)
        else:
            self.tf.random.set_seed(seed)

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
            more = [first] + (self.build(spec, count - 1, None) if count > 1 else [])
            for role, why in rebuild.items():
                arrays = [dict((catalogue.weight_role(n, spec["kind"]), v)
                               for n, v in build.weights)[role] for build in more]
                found[role] = (arrays, "%d fresh layers (%s)" % (len(more), why))
        return first, found

    def build(self, spec, count, seed):
        factory = self.layer_factory(spec["kind"])
        if seed is not None:
            self._seed(seed)
        shape = tuple([None] + catalogue.input_shape(spec))
        builds = []
        for index in range(count):
            layer = factory(name="probe%d" % index, **catalogue.constructor_arguments(spec))
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


def families_for(tf, legacy_keras):
    """The families this process probes, in report order."""
    major = int(tf.__version__.split(".")[0])
    if legacy_keras:
        compat = CompatV1LayersFamily(tf)
        compat.legacy_keras = True
        return [compat, EagerKerasFamily(tf, schema.FAMILY_TF_KERAS_PACKAGE, load_tf_keras, True)]
    families = [TfLayersFamily(tf), CompatV1LayersFamily(tf)]
    if major < 2:
        families.append(GraphKerasFamily(tf))
    else:
        families.append(EagerKerasFamily(tf, schema.FAMILY_TF_KERAS, lambda: _reach(tf, "keras")))
    families.append(EagerKerasFamily(tf, schema.FAMILY_KERAS, load_standalone_keras))
    return families
