"""The graph-mode family base (GraphFamily): layers built in a fresh tf.Graph, values read by
running their initializers in a Session, re-run (with fresh seeds fed to stateless random ops
where plain re-runs repeat) for further draws, and the initializer ops of a weight as evidence.
Python 3.6-clean.
"""

import math

import numpy as np

from initcompat.probe import catalogue
from initcompat.probe.declarations import creation_observer
from initcompat.probe.family import Build, Family, NoContext, compat_v1


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


class GraphFamily(Family):
    """Builds in a fresh tf.Graph; values come from running the initializers in a Session."""

    graph_mode = True

    def seed_call(self):
        return "tf.compat.v1.set_random_seed (graph-level)" if compat_v1(self.tf) is not self.tf \
            else "tf.set_random_seed (graph-level)"

    def make_layer(self, factory, spec, inputs, name):
        """Build one layer on `inputs`; returns the layer object or None for functions."""
        raise NotImplementedError

    def layer_context(self):
        """The context every layer is built in (a variable_scope with an initializer)."""
        return NoContext()

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
        tf, v1 = self.tf, compat_v1(self.tf)
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
            with observer or NoContext(), session.as_default():
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
