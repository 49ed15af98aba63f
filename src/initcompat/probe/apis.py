"""One adapter per API family: how to reach it, build a layer with no initializer arguments,
seed it, and read back the drawn weights.

Graph families (tf.layers, tf.compat.v1.layers, and tf.keras on TF 1.x) build inside a fresh
tf.Graph and run the initializers in a Session; eager families (tf.keras on TF 2.x, keras 3,
tf_keras) build with layer.build().

Beside them, the TF1-style APIs (probe_families): tf.compat.v1.keras (eager in TF 2, in a graph
in TF 1), tf.contrib.layers (fully_connected, conv2d), tf.compat.v1.nn.rnn_cell (LSTMCell,
GRUCell), tf.compat.v1.get_variable with no initializer, and get_variable, tf.compat.v1.layers
and tf.keras inside variable_scope(initializer=SCOPE_INITIALIZER). Where tf.compat.v1 does not
exist yet (TF < 1.13) they reach the same functions at tf.X.

What a graph layer's variable was created with is observed, not asked: the build runs inside a
variable_creator_scope, which sees each variable's initial_value, a functools.partial of (or,
in TF 1.x, a lambda closing over) the initializer get_variable or Keras resolved. Where a
layer passes initializer=None that observation is the declared initializer; what
_VariableStore._get_default_initializer answers is kept beside it only where it differs (in
tf.compat.v1.layers from TF 2.6 on, Keras' base layer resolves None to its own GlorotUniform
before get_variable sees it). TF 1.4 and 1.5 have no variable_creator_scope: there the fallback
answer (or the enclosing scope's initializer) is the declaration, labelled as inferred.
Python 3.6-clean.
"""

import functools
import inspect
import json
import math
import re
import sys

import numpy as np

from initcompat.probe import catalogue, schema
from initcompat.probe.draws import DISCRETE_LEVELS, initializer_draws
from initcompat.probe.identity import describe_initializer


def declared(initializer, held_by_layer, resolved_by):
    """A declared-initializer record: describe_initializer's fields, what the layer held (its
    repr) and how the answer was found, with the object itself for fans and draws."""
    described = describe_initializer(initializer)
    described.update(held_by_layer=described["repr"] if held_by_layer is None else held_by_layer,
                     resolved_by=resolved_by, object=initializer)
    return described


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


def _reach_first(owner, names):
    """The first of several dotted spellings that `owner` offers; FamilyUnavailable (about the
    first spelling) when it offers none."""
    first_error = None
    for name in names:
        try:
            return _reach(owner, name)
        except FamilyUnavailable as error:
            first_error = first_error or error
    raise first_error


def _v1(tf):
    """The TF1-style namespace: tf.compat.v1 where it exists, tf itself on old 1.x."""
    compat = getattr(tf, "compat", None)
    return getattr(compat, "v1", None) or tf


class Build(object):
    """The weights of one built layer: [(variable name, float array)], plus the layer object,
    and (graph families) the initializer each variable was observed to be created with."""

    def __init__(self, layer, weights, created=None):
        self.layer = layer
        self.weights = weights
        self.created = created or {}


class _NoContext(object):
    """A context manager that does nothing (contextlib.nullcontext is Python 3.7+)."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


def initializer_of(initial_value):
    """The initializer inside a variable's initial_value callable, or None.

    get_variable and Keras pass functools.partial(initializer, shape, dtype=...) from TF 2.x,
    and a lambda closing over `initializer` in TF 1.x.
    """
    if isinstance(initial_value, functools.partial):
        return initial_value.func
    code = getattr(initial_value, "__code__", None)
    closure = getattr(initial_value, "__closure__", None)
    if code is not None and closure:
        for name, cell in zip(code.co_freevars, closure):
            if name == "initializer":
                try:
                    return cell.cell_contents
                except ValueError:  # an empty cell
                    return None
    return None


class _StoreObserver(object):
    """Before TF 1.6 (no variable_creator_scope): wraps _VariableStore._get_single_variable,
    through which every get_variable passes, for the time of the context, and records the
    initializer it was given (or, given None, the one its _get_default_initializer returns,
    which is what that method then uses)."""

    def __init__(self, store_class, created):
        self.store_class = store_class
        self.created = created
        self.original = None

    def __enter__(self):
        original = self.original = self.store_class.__dict__["_get_single_variable"]
        created = self.created

        def observed(store, *arguments, **keywords):
            variable = original(store, *arguments, **keywords)
            initializer = keywords.get("initializer")
            if initializer is None:
                try:
                    initializer = store._get_default_initializer(
                        name=keywords.get("name"), shape=keywords.get("shape"),
                        dtype=keywords["dtype"])[0]
                except Exception:  # another signature: leave it unobserved
                    initializer = None
            name = getattr(variable, "name", None)
            if initializer is not None and isinstance(name, str):
                created[name] = initializer
            return variable

        self.store_class._get_single_variable = observed
        return self

    def __exit__(self, *exc):
        self.store_class._get_single_variable = self.original
        return False


def creation_observer(tf):
    """(context manager, {variable name: initializer}) recording what each variable created
    inside the context was initialized with: a variable_creator_scope (TF 1.6+), else a wrapped
    _VariableStore; (None, {}) where neither can be had."""
    created = {}
    try:
        from tensorflow.python.ops import variable_scope
    except ImportError:
        return None, {}
    scope = getattr(variable_scope, "variable_creator_scope", None)
    if scope is None:
        store = getattr(variable_scope, "_VariableStore", None)
        if store is not None and "_get_single_variable" in store.__dict__:
            return _StoreObserver(store, created), created
        return None, {}

    def observe(next_creator, **kwargs):
        variable = next_creator(**kwargs)
        initializer = initializer_of(kwargs.get("initial_value"))
        name = getattr(variable, "name", None)
        if initializer is not None and isinstance(name, str):
            created[name] = initializer
        return variable

    return scope(observe), created


def _graph_variable(tf, variable):
    """What a Session can fetch for a layer's weight: a Keras 3 Variable's tf.Variable."""
    value = getattr(variable, "value", None)
    if not isinstance(variable, tf.Variable) and isinstance(value, tf.Variable):
        return value
    return variable


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
    """A layer config without names and per-weight objects, JSON-safe (from identity.json_safe);
    object addresses are cut from reprs (a function default such as contrib's activation_fn
    would differ on every run)."""
    from initcompat.probe.identity import json_safe

    def stable(value):
        if isinstance(value, str):
            return re.sub(r" at 0x[0-9a-fA-F]+", "", value)
        if isinstance(value, list):
            return [stable(item) for item in value]
        if isinstance(value, dict):
            return dict((key, stable(item)) for key, item in value.items())
        return value

    return dict((key, stable(json_safe(value))) for key, value in sorted(config.items())
                if key not in _NOT_SETTINGS
                and not key.endswith(("_initializer", "_regularizer", "_constraint")))


def observed_initializer(build, spec, role):
    """The initializer the variable of `role` in `build` was observed to be created with."""
    for name, initializer in sorted(build.created.items()):
        if catalogue.weight_role(name, spec["kind"]) == role:
            return initializer
    return None


def observed_declaration(build, spec, role, held):
    """The declared initializer of `role` read off its variable's creation (`held`: what the
    layer or function default held, usually None)."""
    initializer = observed_initializer(build, spec, role)
    return declared(initializer, describe_initializer(held)["repr"],
                    "observed: the variable was created by get_variable/add_weight with it "
                    "(variable_creator_scope saw it in initial_value; before TF 1.6, "
                    "_VariableStore._get_single_variable was given it)")


def _same_initializer(first, second):
    """Whether two describe_initializer records name the same class, module and config."""
    return all(first.get(key) == second.get(key) for key in ("class_name", "module", "config"))


class Family(object):
    """Common interface; subclasses fill in how to reach and build."""

    name = None
    graph_mode = True
    legacy_keras = False
    draw_method = "fresh layers"

    def __init__(self, tf):
        self.tf = tf

    def spell(self, kind):
        """How this API spells a layer kind, or None when it offers no such layer: the first
        of the kind's Keras spellings the namespace offers (else the first)."""
        spellings = catalogue.lookup(kind).spellings
        if len(spellings) > 1:
            try:
                namespace = self.namespace()
            except FamilyUnavailable:
                return spellings[0]
            for name in spellings:
                try:
                    _reach(namespace, name)
                    return name
                except FamilyUnavailable:
                    continue
        return spellings[0]

    def spell_for(self, spec):
        """spell() for one suite entry (a family may not offer an entry's options)."""
        return self.spell(spec["kind"])

    def roles(self, spec):
        """The weight roles this family's layer for `spec` owns, in report order."""
        return catalogue.lookup(spec["kind"]).roles

    def input_shape(self, spec):
        """The input shape without the batch dimension."""
        return catalogue.input_shape(spec)

    def context_key(self):
        """What besides the layer class decides the draws (a variable_scope initializer)."""
        return None

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
            factory = self.layer_factory(spec["kind"]) if self.spell_for(spec) else None
        except FamilyUnavailable:
            return None
        if factory is None:
            return None
        return (factory, self.seed_function(), self.graph_mode, json.dumps(spec, sort_keys=True),
                self.context_key())

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
        """What the layer holds for `role` (on its sublayer where the kind says so, on its cell
        for a recurrent layer); what the variable was observed to be created with where the
        layer holds None or no such attribute."""
        argument = catalogue.INITIALIZER_ARGUMENT[role]
        holder, path = build.layer, argument
        sublayer = catalogue.holder_of(spec["kind"], role)
        if holder is not None and sublayer:
            holder, path = getattr(holder, sublayer, None), "%s.%s" % (sublayer, argument)
        if holder is not None and not hasattr(holder, argument) and hasattr(holder, "cell"):
            holder, path = holder.cell, "cell." + argument  # recurrent layers keep them on their cell
        initializer = getattr(holder, argument, None)
        if initializer is None and observed_initializer(build, spec, role) is not None:
            return observed_declaration(build, spec, role, initializer)
        return declared(initializer, None, "layer attribute %s" % path)

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

    def layer_context(self):
        """The context every layer is built in (a variable_scope with an initializer)."""
        return _NoContext()

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
        self.last_kind = spec["kind"]
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

    LAYERS_PER_GRAPH = 2

    def _graph_builds(self, spec, layers, seed, runs, fresh_seeds=False):
        tf, v1 = self.tf, _v1(self.tf)
        factory = self.layer_factory(spec["kind"])
        graph = tf.Graph()
        created = []
        with graph.as_default():
            if seed is not None:
                v1.set_random_seed(seed)
            inputs = v1.placeholder(tf.float32, [None] + self.input_shape(spec))
            observer, observed = creation_observer(tf)
            # The session exists while the layers are built and is their default: a layer that
            # runs something at build (tf.keras 1.4-1.8's ConvLSTM2D sets its forget-gate ones
            # with K.set_value) runs it in the session that then initializes the variables.
            session = v1.Session(graph=graph)
            with observer or _NoContext(), session.as_default():
                with self.layer_context():
                    for index in range(layers):
                        name = "probe%d" % index
                        layer = self.make_layer(factory, spec, inputs, name)
                        if layer is not None:
                            variables = [_graph_variable(tf, v) for v in layer.weights]
                        else:
                            variables = [v for v in v1.global_variables()
                                         if v.name.startswith(name + "/")]
                        created.append((layer, variables))
            initialize = v1.global_variables_initializer()
            fetches = [variables for _, variables in created]
            seeds = stateless_seed_inputs(graph) if fresh_seeds else []
            chooser = np.random.RandomState(0 if seed is None else seed)
            results = []
            with session:
                for run in range(runs):
                    feed = None
                    if seeds and run > 0:  # the first run keeps the layers' own seeds
                        feed = dict((tensor, chooser.randint(1, 2 ** 31 - 1, size=2).astype(
                            tensor.dtype.as_numpy_dtype)) for tensor in seeds)
                    session.run(initialize, feed_dict=feed)
                    values = session.run(fetches)
                    for (layer, variables), arrays in zip(created, values):
                        weights = [(v.name, np.asarray(a)) for v, a in zip(variables, arrays)]
                        made = dict((v.name, observed[v.name]) for v in variables
                                    if v.name in observed)
                        results.append(Build(layer, weights, made))
            self.last_graph = graph
            self.last_names = [v.name for v in created[0][1]] if created else []
        return results

    def graph_evidence(self, role):
        """Op types and scalar constants under <role's variable of probe0>/Initializer in the
        last graph built."""
        graph = getattr(self, "last_graph", None)
        if graph is None:
            return None
        prefix = None
        kind = getattr(self, "last_kind", None)
        names = [n for n in getattr(self, "last_names", []) if catalogue.weight_role(n, kind) == role]
        if names:
            prefix = names[0].split(":")[0] + "/Initializer/"
        if prefix is None or not any(op.name.startswith(prefix) for op in graph.get_operations()):
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

    def initializer_argument(self, role):
        return catalogue.INITIALIZER_ARGUMENT[role]

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
        config.update(self.passed_arguments(spec))
        return settings_only(config)

    def passed_arguments(self, spec):
        return catalogue.constructor_arguments(spec)

    def held_default(self, spec, role):
        """(the function's default for `role`'s initializer argument, how that was read)."""
        argument = self.initializer_argument(role)
        try:
            default = inspect.signature(self.layer_factory(spec["kind"])).parameters[argument].default
        except (KeyError, TypeError, ValueError):
            default = None
        if default is inspect.Parameter.empty:
            default = None
        return default, "default of %s(%s=...)" % (self.spell_for(spec), argument)

    def declared_initializer(self, spec, role, build):
        """What the variable was observed to be created with; where that cannot be observed
        (TF < 1.6), the function's default, and get_variable's fallback when it is None."""
        default, read = self.held_default(spec, role)
        if observed_initializer(build, spec, role) is not None:
            described = observed_declaration(build, spec, role, default)
            fallback = self.fallback_evidence(spec, role, build) \
                if default is None and self.has_argument(spec, role) else None
            if fallback and fallback.get("object") is not None \
                    and not _same_initializer(described, fallback):
                fallback.pop("object")
                described["get_variable_fallback"] = fallback  # secondary evidence only
            return described
        described = declared(default, None, read)
        if default is None:
            described.update(self.unobserved_none(spec, role, build))
        return described

    def unobserved_none(self, spec, role, build):
        """What runs for an initializer of None that could not be observed."""
        return self._variable_store_default(spec, role, build)

    def has_argument(self, spec, role):
        """Whether the function takes an initializer argument for `role` at all."""
        try:
            return self.initializer_argument(role) in inspect.signature(
                self.layer_factory(spec["kind"])).parameters
        except (KeyError, TypeError, ValueError, FamilyUnavailable):
            return False

    def fallback_evidence(self, spec, role, build):
        """What _VariableStore._get_default_initializer answers for a None initializer: kept
        beside the observed initializer where the two differ (then the None never reached
        get_variable: something resolved it before)."""
        described = self._variable_store_default(spec, role, build)
        if described.get("object") is not None:
            described["resolved_by"] = (
                "variable_scope._VariableStore._get_default_initializer: what get_variable "
                "would use for initializer=None; not what ran (the observed initializer)")
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
        return declared(initializer, "None",
                        "layer passes None to get_variable; "
                        "variable_scope._VariableStore._get_default_initializer returns it")


class CompatV1LayersFamily(TfLayersFamily):
    """tf.compat.v1.layers.dense / conv2d ... inside a tf.Graph."""

    name = schema.FAMILY_COMPAT_V1_LAYERS
    namespace_path = "compat.v1.layers"


class ContribLayersFamily(TfLayersFamily):
    """tf.contrib.layers.fully_connected and conv2d (TF 1.x): weights/biases, xavier by default."""

    name = schema.FAMILY_CONTRIB_LAYERS
    namespace_path = "contrib.layers"
    FUNCTIONS = {"dense": "fully_connected", "conv2d": "conv2d"}
    ARGUMENTS = {"kernel": "weights_initializer", "bias": "biases_initializer"}

    def spell(self, kind):
        return self.FUNCTIONS.get(kind)

    def initializer_argument(self, role):
        return self.ARGUMENTS[role]

    def passed_arguments(self, spec):
        arguments = catalogue.constructor_arguments(spec)
        outputs = arguments.pop("units", None) or arguments.pop("filters", None)
        arguments["num_outputs"] = outputs
        return arguments

    def make_layer(self, factory, spec, inputs, name):
        factory(inputs, scope=name, **self.passed_arguments(spec))
        return None


class SCOPE_INITIALIZER(object):
    """The initializer the variable_scope families set on their scope (clearly unlike any
    default: a normal of std 0.5)."""

    text = "tf.compat.v1.random_normal_initializer(mean=0.0, stddev=0.5)"

    @staticmethod
    def make(tf):
        return _v1(tf).random_normal_initializer(mean=0.0, stddev=0.5)


class _ScopedMixin(object):
    """Builds every layer inside variable_scope(<current scope>, initializer=SCOPE_INITIALIZER),
    so variable names stay probe0/kernel. Offers only a dense layer."""

    def spell(self, kind):
        return super(_ScopedMixin, self).spell(kind) if kind == "dense" else None

    def context_key(self):
        return SCOPE_INITIALIZER.text

    def layer_context(self):
        v1 = _v1(self.tf)
        return v1.variable_scope(v1.get_variable_scope(), initializer=SCOPE_INITIALIZER.make(self.tf))

    def layer_config(self, spec, build):
        config = super(_ScopedMixin, self).layer_config(spec, build) or {}
        config["variable_scope_initializer"] = SCOPE_INITIALIZER.text
        return config

    def fallback_evidence(self, spec, role, build):
        return None  # the scope's initializer, not get_variable's fallback, fills a None

    def unobserved_none(self, spec, role, build):
        """Before TF 1.6: VariableScope.get_variable fills a None initializer from the scope."""
        initializer = SCOPE_INITIALIZER.make(self.tf)
        return declared(initializer, "None",
                        "inferred: the layer passes None to get_variable, which takes the "
                        "enclosing variable_scope's initializer (no variable_creator_scope in "
                        "this TF to observe it)")


class ScopedLayersFamily(_ScopedMixin, TfLayersFamily):
    """tf.compat.v1.layers.dense (tf.layers before 1.13) inside variable_scope(initializer=...)."""

    name = schema.FAMILY_SCOPED_LAYERS

    def namespace(self):
        return _reach(_v1(self.tf), "layers")


class GetVariableFamily(TfLayersFamily):
    """tf.compat.v1.get_variable(name, shape) with no initializer: a dense layer's kernel and
    bias shapes, each one call."""

    name = schema.FAMILY_GET_VARIABLE

    def namespace(self):
        return _v1(self.tf)

    def spell(self, kind):
        return "get_variable" if kind == "dense" else None

    def shapes(self, spec):
        return [("kernel", [spec["input_dim"], spec["units"]]), ("bias", [spec["units"]])]

    def make_layer(self, factory, spec, inputs, name):
        with _v1(self.tf).variable_scope(name):
            for role, shape in self.shapes(spec):
                factory(role, shape)
        return None

    def held_default(self, spec, role):
        return None, "get_variable(%r, shape) called without an initializer" % role

    def has_argument(self, spec, role):
        return True

    def layer_config(self, spec, build):
        return {"calls": ["get_variable(%r, %r)" % (role, shape) for role, shape in self.shapes(spec)]}


class ScopedGetVariableFamily(_ScopedMixin, GetVariableFamily):
    """get_variable with no initializer inside variable_scope(initializer=...)."""

    name = schema.FAMILY_SCOPED_GET_VARIABLE


class RnnCellFamily(TfLayersFamily):
    """tf.compat.v1.nn.rnn_cell.LSTMCell and GRUCell (tf.nn.rnn_cell before 1.13), called once
    on a [batch, input_dim] input in a graph. An LSTMCell owns one kernel for input and state
    together, [input_dim + units, 4 * units]; a GRUCell owns gates/ and candidate/ kernels and
    biases."""

    name = schema.FAMILY_RNN_CELL
    CELLS = {"lstm": "LSTMCell", "gru": "GRUCell"}
    ROLES = {"lstm": ("kernel", "bias"),
             "gru": ("gates_kernel", "gates_bias", "candidate_kernel", "candidate_bias")}

    def namespace(self):
        return _reach(_v1(self.tf), "nn.rnn_cell")

    def spell(self, kind):
        return self.CELLS.get(kind)

    def spell_for(self, spec):
        return None if spec.get("options") else self.spell(spec["kind"])

    def roles(self, spec):
        return self.ROLES.get(spec["kind"]) or catalogue.lookup(spec["kind"]).roles

    def input_shape(self, spec):
        return [spec["input_dim"]]

    def make_layer(self, factory, spec, inputs, name):
        tf = self.tf
        cell = factory(spec["units"])
        with _v1(tf).variable_scope(name):
            cell(inputs, cell.zero_state(tf.shape(inputs)[0], tf.float32))
        return None

    def cell_argument(self, spec, role):
        # LSTMCell(initializer=...) is its kernel's; GRUCell has kernel_ and bias_initializer.
        return "initializer" if spec["kind"] == "lstm" and role == "kernel" \
            else catalogue.INITIALIZER_ARGUMENT[role]

    def has_argument(self, spec, role):
        try:
            return self.cell_argument(spec, role) in inspect.signature(
                self.layer_factory(spec["kind"]).__init__).parameters
        except (KeyError, TypeError, ValueError, FamilyUnavailable):
            return False

    def held_default(self, spec, role):
        argument = self.cell_argument(spec, role)
        factory = self.layer_factory(spec["kind"])
        try:
            default = inspect.signature(factory.__init__).parameters[argument].default
        except (KeyError, TypeError, ValueError):
            default = None
        if default is inspect.Parameter.empty:
            default = None
        return default, "default of %s(%s=...)" % (self.spell_for(spec), argument)

    def layer_config(self, spec, build):
        """The cell's constructor defaults (forget_bias is added in call, not initialized)."""
        try:
            parameters = inspect.signature(self.layer_factory(spec["kind"]).__init__).parameters
        except (TypeError, ValueError, FamilyUnavailable):
            return None
        config = dict((name, p.default) for name, p in parameters.items()
                      if p.default is not inspect.Parameter.empty)
        config["num_units"] = spec["units"]
        return settings_only(config)


class GraphKerasFamily(GraphFamily):
    """tf.keras on TF 1.x: Keras layers creating graph variables."""

    name = schema.FAMILY_TF_KERAS
    namespace_path = "keras.layers"

    def namespace(self):
        return _reach(self.tf, self.namespace_path)

    def make_layer(self, factory, spec, inputs, name):
        # build(), not __call__: creates the same variables without the layer's computation
        # (a recurrent layer's graph loop would cost seconds per build).
        layer = factory(name=name, **catalogue.constructor_arguments(spec))
        with _v1(self.tf).variable_scope(name):  # weight names "probe3/kernel", as __call__ gives
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
        return _reach(self._keras, "layers")

    def make_layer(self, factory, spec, inputs, name):
        layer = factory(name=name, **catalogue.constructor_arguments(spec))
        with _v1(self.tf).variable_scope(name):
            calls = catalogue.lookup(spec["kind"]).call_inputs
            if calls:
                layer(*([inputs] * calls))
            else:  # Keras 2 wants plain integers, not TF1 Dimensions
                layer.build(tuple(inputs.shape.as_list()))
        return layer


class ScopedKerasFamily(_ScopedMixin, GraphKerasFamily):
    """tf.keras.layers.Dense built in a graph inside variable_scope(initializer=...), as TF1-style
    code does (Keras resolves its own initializer, so the scope's is not used)."""

    name = schema.FAMILY_SCOPED_TF_KERAS


class CompatV1GraphKerasFamily(GraphKerasFamily):
    """tf.compat.v1.keras on TF 1.13-1.15: the same classes as tf.keras, in a graph."""

    name = schema.FAMILY_COMPAT_V1_KERAS
    namespace_path = "compat.v1.keras.layers"


# ---------------------------------------------------------------------------- eager families

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
        return _reach(self.keras(), "layers")

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


def families_for(tf, legacy_keras):
    """The five main families (tf.layers, tf.compat.v1.layers, tf.keras, keras; tf_keras with
    tf.compat.v1.layers under legacy Keras), in report order: what the throughput step times."""
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
    if major < 2:  # standalone Keras 2.x on TF 1.x builds graph variables
        families.append(StandaloneGraphKerasFamily(tf))
    else:
        families.append(EagerKerasFamily(tf, schema.FAMILY_KERAS, load_standalone_keras))
    return families


def _legacy(family):
    family.legacy_keras = True
    return family


def probe_families(tf, legacy_keras):
    """Every family the probe measures in this process: families_for's, with the TF1-style APIs
    beside them. The graph families come before the eager Keras ones (a Keras seeding call
    must not leave seed state behind for a graph build: tf_keras 2.16-2.18's broken
    set_random_seed would fail every later initializer); tf.compat.v1.keras comes after
    tf.keras, whose cells it reuses where its classes are the same. Under legacy Keras only the
    families that route to tf_keras (get_variable alone is the same as in the parent)."""
    major = int(tf.__version__.split(".")[0])
    mainline = families_for(tf, legacy_keras)
    if legacy_keras:
        compat_layers, tf_keras = mainline
        return [compat_layers, _legacy(RnnCellFamily(tf)), _legacy(ScopedLayersFamily(tf)),
                tf_keras,
                _legacy(EagerKerasFamily(tf, schema.FAMILY_COMPAT_V1_KERAS,
                                         lambda: _reach(tf, "compat.v1.keras"), True,
                                         seeding_loader=load_tf_keras,
                                         seeding_name=schema.FAMILY_TF_KERAS_PACKAGE))]
    tf_layers, compat_layers, tf_keras, keras = mainline
    if major < 2:
        compat_keras = CompatV1GraphKerasFamily(tf)
    else:
        compat_keras = EagerKerasFamily(tf, schema.FAMILY_COMPAT_V1_KERAS,
                                        lambda: _reach(tf, "compat.v1.keras"),
                                        seeding_loader=lambda: _reach(tf, "keras"),
                                        seeding_name=schema.FAMILY_TF_KERAS)
    return [tf_layers, compat_layers, ContribLayersFamily(tf), RnnCellFamily(tf),
            GetVariableFamily(tf), ScopedGetVariableFamily(tf), ScopedLayersFamily(tf),
            ScopedKerasFamily(tf), tf_keras, keras, compat_keras]
