"""The interface every API family adapter fills in (Family), and what the adapters share:
reaching a dotted name or failing with FamilyUnavailable (reach), the TF1-style
namespace (compat_v1), one built layer's weights (Build) and a layer's own settings
(settings_only). Python 3.6-clean.
"""

import json
import re

from initcompat.probe import catalogue
from initcompat.probe.declarations import declared, observed_declaration, observed_initializer


class FamilyUnavailable(Exception):
    """This API family (or one of its layers) cannot be reached in this environment."""

    def __init__(self, error_type, message):
        Exception.__init__(self, "%s: %s" % (error_type, message))
        self.error_type = error_type
        self.message = message


def reach(owner, dotted):
    """getattr along a dotted path; a missing or raising attribute is FamilyUnavailable."""
    value = owner
    for part in dotted.split("."):
        try:
            value = getattr(value, part)
        except Exception as error:  # Keras 3 raises AttributeError from module __getattr__
            raise FamilyUnavailable(type(error).__name__, str(error))
    return value


def compat_v1(tf):
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


class NoContext(object):
    """A context manager that does nothing (contextlib.nullcontext is Python 3.7+)."""

    def __enter__(self):
        return None

    def __exit__(self, *exc):
        return False


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
                    reach(namespace, name)
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
        return reach(self.namespace(), self.spell(kind))

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
