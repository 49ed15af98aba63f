"""The TF1 function families, built in a graph: tf.layers and tf.compat.v1.layers functions,
tf.contrib.layers (fully_connected, conv2d), tf.compat.v1.get_variable with no initializer, and
tf.compat.v1.nn.rnn_cell (LSTMCell, GRUCell). What a function passes as None is declared by what
the variable was observed to be created with, get_variable's fallback kept beside it where they
differ. Python 3.6-clean.
"""

import inspect

from initcompat.probe import catalogue, schema
from initcompat.probe.declarations import (declared, observed_declaration, observed_initializer,
                                           same_initializer)
from initcompat.probe.family import FamilyUnavailable, compat_v1, reach, settings_only
from initcompat.probe.graph_family import GraphFamily


class TfLayersFamily(GraphFamily):
    """tf.layers.dense / conv2d ... (TF 1.x functions, graph mode)."""

    name = schema.FAMILY_TF_LAYERS
    namespace_path = "layers"

    def namespace(self):
        return reach(self.tf, self.namespace_path)

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
                    and not same_initializer(described, fallback):
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


class GetVariableFamily(TfLayersFamily):
    """tf.compat.v1.get_variable(name, shape) with no initializer: a dense layer's kernel and
    bias shapes, each one call."""

    name = schema.FAMILY_GET_VARIABLE

    def namespace(self):
        return compat_v1(self.tf)

    def spell(self, kind):
        return "get_variable" if kind == "dense" else None

    def shapes(self, spec):
        return [("kernel", [spec["input_dim"], spec["units"]]), ("bias", [spec["units"]])]

    def make_layer(self, factory, spec, inputs, name):
        with compat_v1(self.tf).variable_scope(name):
            for role, shape in self.shapes(spec):
                factory(role, shape)
        return None

    def held_default(self, spec, role):
        return None, "get_variable(%r, shape) called without an initializer" % role

    def has_argument(self, spec, role):
        return True

    def layer_config(self, spec, build):
        return {"calls": ["get_variable(%r, %r)" % (role, shape) for role, shape in self.shapes(spec)]}


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
        return reach(compat_v1(self.tf), "nn.rnn_cell")

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
        with compat_v1(tf).variable_scope(name):
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
