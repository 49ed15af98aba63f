"""The families built inside variable_scope(initializer=SCOPE_INITIALIZER), as TF1-style code
does: tf.compat.v1.layers.dense, get_variable with no initializer, and tf.keras.layers.Dense in a
graph (Keras resolves its own initializer, so the scope's is not used). Python 3.6-clean.
"""

from initcompat.probe import schema
from initcompat.probe.declarations import declared
from initcompat.probe.family import compat_v1, reach
from initcompat.probe.keras_families import GraphKerasFamily
from initcompat.probe.tf1_families import GetVariableFamily, TfLayersFamily


class SCOPE_INITIALIZER(object):
    """The initializer the variable_scope families set on their scope (clearly unlike any
    default: a normal of std 0.5)."""

    text = "tf.compat.v1.random_normal_initializer(mean=0.0, stddev=0.5)"

    @staticmethod
    def make(tf):
        return compat_v1(tf).random_normal_initializer(mean=0.0, stddev=0.5)


class _ScopedMixin(object):
    """Builds every layer inside variable_scope(<current scope>, initializer=SCOPE_INITIALIZER),
    so variable names stay probe0/kernel. Offers only a dense layer."""

    def spell(self, kind):
        return super(_ScopedMixin, self).spell(kind) if kind == "dense" else None

    def context_key(self):
        return SCOPE_INITIALIZER.text

    def layer_context(self):
        v1 = compat_v1(self.tf)
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
        return reach(compat_v1(self.tf), "layers")


class ScopedGetVariableFamily(_ScopedMixin, GetVariableFamily):
    """get_variable with no initializer inside variable_scope(initializer=...)."""

    name = schema.FAMILY_SCOPED_GET_VARIABLE


class ScopedKerasFamily(_ScopedMixin, GraphKerasFamily):
    """tf.keras.layers.Dense built in a graph inside variable_scope(initializer=...), as TF1-style
    code does (Keras resolves its own initializer, so the scope's is not used)."""

    name = schema.FAMILY_SCOPED_TF_KERAS
