"""One comparison: the data, the two environments and what the file sets, with the lookups the
layer, initializer and seeding comparisons share (which family a call reaches in each
environment, which events lie between the two). Pure."""

from __future__ import annotations

from initcompat.check.data import CompatData
from initcompat.probe import schema
from initcompat.report.event_range import events_between

LEGACY_VARIABLE = "TF_USE_LEGACY_KERAS"
TRUE_WORDS = ("1", "true", "yes")
# Under TF_USE_LEGACY_KERAS=1 with Keras 3 in TensorFlow, tf.keras is tf_keras and
# tf.compat.v1.layers is its legacy build: the probe measures those as the legacy rows.
LEGACY_FAMILIES = {schema.FAMILY_TF_KERAS: schema.FAMILY_TF_KERAS_PACKAGE,
                   schema.FAMILY_COMPAT_V1_LAYERS: schema.FAMILY_COMPAT_V1_LAYERS}
LEGACY_NAMESPACES = {"tf.keras.initializers": "tf_keras.initializers"}
# schema: "tf.compat.v1.X is tf.X where tf.compat does not exist yet, < 1.13": before that the
# probe's tf.compat.v1 families measure tf.X, not what a file spelling tf.compat.v1.X gets.
COMPAT_V1_SINCE = (1, 13)


class Incomparable(ValueError):
    """Two environments whose behaviour the data does not compare (two lines)."""


def version_of(text) -> tuple:
    """(major, minor) of a version string; (0, 0) for none."""
    parts = []
    for part in str(text or "").split(".")[:2]:
        digits = "".join(ch for ch in part if ch.isdigit())
        parts.append(int(digits) if digits else 0)
    return tuple(parts + [0] * (2 - len(parts)))


class Comparison:
    """Source environment A, target B, over one data set, for one file's settings."""

    def __init__(self, data: CompatData, first: str, second: str, legacy: bool):
        self.data = data
        self.first, self.second = first, second
        self.legacy = legacy  # the file sets TF_USE_LEGACY_KERAS to a true value
        self._events = None

    def title(self, env: str) -> str:
        return self.data.env[env].get("title") or env

    def label(self, env: str) -> str:
        return self.data.env[env].get("column_label") or env

    def tensorflow(self, env: str) -> tuple:
        return version_of(self.data.env[env].get("tensorflow"))

    def compat_v1(self, env: str) -> bool:
        """Whether `env` has tf.compat.v1 (so its tf.compat.v1 families are what they say)."""
        return self.tensorflow(env) >= COMPAT_V1_SINCE

    def legacy_active(self, env: str) -> bool:
        """Whether the file's TF_USE_LEGACY_KERAS=1 changes tf.keras there: TensorFlow with
        Keras 3 as tf.keras (2.16 on)."""
        record = self.data.env[env]
        return self.legacy and record.get("line") == "tensorflow" and \
            str(record.get("keras") or "").startswith("3")

    def family(self, family: str, env: str) -> tuple[str, bool]:
        """(family, legacy) of the rows a call of `family` reaches in `env`."""
        if self.legacy_active(env) and family in LEGACY_FAMILIES:
            return LEGACY_FAMILIES[family], True
        return family, family == schema.FAMILY_TF_KERAS_PACKAGE

    def namespace(self, namespace: str, env: str) -> str:
        if self.legacy_active(env) and namespace in LEGACY_NAMESPACES:
            return LEGACY_NAMESPACES[namespace]
        return namespace

    def row(self, family: str, env: str, layer: str, role: str) -> int | None:
        name, legacy = self.family(family, env)
        found = self.data.row(name, legacy, layer, role)
        return found if found is not None else self.data.row(name, not legacy, layer, role)

    def events(self) -> list[dict]:
        """Every event between A and B, by the upgrade view's rule (report/event_range.py;
        the data's events marked "backends" compare one Keras release on two backends);
        Incomparable for two lines."""
        if self._events is None:
            events = self.data.events
            try:
                self._events = events_between(
                    self.data.envs, [e for e in events if not e.get("backends")], self.first,
                    self.second, [e for e in events if e.get("backends")])
            except ValueError as error:
                raise Incomparable(str(error)) from None
        return self._events

    def layer_id(self, kind: str, literals: dict) -> str | None:
        """The data's layer id for a layer of `kind` with these literal arguments: the one whose
        options the call passes with the same values (most options first), else the plain
        one."""
        best, best_size = None, -1
        for name, layer in self.data.layers.items():
            if layer.get("kind") != kind:
                continue
            options = layer.get("options") or {}
            if all(key in literals and literals[key] == value for key, value in options.items()) \
                    and len(options) > best_size:
                best, best_size = name, len(options)
        return best
