"""When a measured answer holds: notes for the weights whose values depend on how the layer is
used after it is built, per (API family, layer, weight, version range). Pure data and lookups.

The one case known: tf.keras in TF 1.4-1.8, and standalone Keras 2.0-2.1, build ConvLSTM2D's
bias with its bias initializer (zeros) and then write the forget gate's ones into it with
K.set_value (tensorflow/python/keras/_impl/keras/layers/convolutional_recurrent.py:
ConvLSTM2D.build in 1.4-1.7, ConvLSTM2DCell.build in 1.8; keras-team/keras
keras/layers/convolutional_recurrent.py at 2.0.9 and 2.1.6). TF 1.9 and Keras 2.2.0 moved the
ones into the bias's initializer. K.set_value runs an assign in Keras' session once; the
variable's initializer is still zeros, so a global variables initializer run after the build
sets the bias back to all zeros. Run on the matrix's TF 1.4.1, 1.7.1, 1.8.0 and 1.9.0
(tf.keras.layers.ConvLSTM2D(16, (3, 3)) on a (2, 6, 6, 3) input, graph mode): in 1.4-1.8, 16 of
the 64 bias entries are 1 in K.get_session() after build, after model.compile and after
model.fit; after tf.global_variables_initializer(), in that session or a fresh one, none is.
In 1.9 they are 16 either way. The probe's graph builds run that initializer, so the page's
"constant 0" is the TF 1 graph user's value and the quarter of ones the Keras user's.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Mapping, Optional

from initcompat.probe import schema
from initcompat.report.theory import parse_version

PACKAGE_TENSORFLOW = "tensorflow"
PACKAGE_KERAS = "keras"


@dataclass(frozen=True)
class UsageNote:
    """Under which usage a weight's measured values hold, for a version range of one package."""

    key: str  # stable id, for a footnote anchor
    api_families: tuple[str, ...]
    layer_kind: str
    weight_role: str
    package: str  # whose version the range is of: PACKAGE_TENSORFLOW or PACKAGE_KERAS
    first: tuple[int, int]  # inclusive (major, minor)
    last: tuple[int, int]  # inclusive
    versions: str  # the range in words: "TF 1.4–1.8"
    measured: str  # what the page shows and the usage it holds under
    otherwise: str  # the other usage and what it gives
    source: str
    clause: str = ""  # the short form the declared distribution's description carries

    @property
    def text(self) -> str:
        """The note as one paragraph."""
        return f"{self.versions}: {self.measured}; {self.otherwise}. Source: {self.source}."


_CONV_LSTM_MEASURED = (
    "the bias is constant 0 when a global variables initializer runs after the layer is built "
    "(tf.compat.v1.global_variables_initializer(), what a TF 1 graph user runs, and how this "
    "page measures), because the layer writes its forget-gate ones with K.set_value at build, "
    "outside the bias's initializer (zeros), and the initializer run afterwards overwrites them")
_CONV_LSTM_OTHERWISE = (
    "in Keras' own session (K.get_session(), model.compile/fit without that initializer) the "
    "forget gate's quarter of the bias is 1 and the rest 0, as unit_forget_bias=True intends")
_CONV_LSTM_CLAUSE = (
    "in Keras' own session only: build writes the ones with K.set_value, and a global variables "
    "initializer run afterwards (TF 1 graph usage, as measured here) resets them to 0")

USAGE_NOTES = (
    UsageNote(
        key="conv-lstm2d-bias-set-value-tf", api_families=(schema.FAMILY_TF_KERAS,),
        layer_kind="conv_lstm2d", weight_role="bias", package=PACKAGE_TENSORFLOW,
        first=(1, 4), last=(1, 8), versions="TF 1.4–1.8 (tf.keras)",
        measured=_CONV_LSTM_MEASURED, otherwise=_CONV_LSTM_OTHERWISE, clause=_CONV_LSTM_CLAUSE,
        source="tensorflow/python/keras/_impl/keras/layers/convolutional_recurrent.py, "
               "ConvLSTM2D.build (ConvLSTM2DCell.build in 1.8) calls K.set_value; TF 1.9 puts "
               "the ones in the bias initializer; run on TF 1.4.1, 1.7.1, 1.8.0 and 1.9.0"),
    UsageNote(
        key="conv-lstm2d-bias-set-value-keras", api_families=(schema.FAMILY_KERAS,),
        layer_kind="conv_lstm2d", weight_role="bias", package=PACKAGE_KERAS,
        first=(2, 0), last=(2, 1), versions="Keras 2.0–2.1",
        measured=_CONV_LSTM_MEASURED, otherwise=_CONV_LSTM_OTHERWISE, clause=_CONV_LSTM_CLAUSE,
        source="keras-team/keras keras/layers/convolutional_recurrent.py at 2.0.9 and 2.1.6, "
               "ConvLSTM2D.build (K.set_value); Keras 2.2.0 puts the ones in the bias "
               "initializer"),
)


def usage_notes(api_family: str, layer_kind: str, weight_role: str,
                tf_version: Optional[str], keras_version: Optional[str]) -> list[UsageNote]:
    """The notes for one (family, layer, weight) in an environment with these TensorFlow and
    Keras versions (either may be None). The compatibility table calls it per band."""
    versions = {PACKAGE_TENSORFLOW: parse_version(tf_version),
                PACKAGE_KERAS: parse_version(keras_version)}
    found = []
    for note in USAGE_NOTES:
        version = versions[note.package]
        if api_family in note.api_families and layer_kind == note.layer_kind and \
                weight_role == note.weight_role and version is not None and \
                note.first <= version <= note.last:
            found.append(note)
    return found


def cell_usage_notes(cell: Mapping[str, Any], tf_version: Optional[str],
                     keras_version: Optional[str]) -> list[UsageNote]:
    """The notes for one measured cell: usage_notes, unless the layer's recorded settings turn
    the note's mechanism off (ConvLSTM2D's unit_forget_bias=False)."""
    if cell.get("status") != schema.CELL_OK:
        return []
    config = cell.get("layer_config")
    if isinstance(config, Mapping) and not config.get("unit_forget_bias", True):
        return []
    return usage_notes(str(cell.get("api_family")), str(cell.get("layer_kind")),
                       str(cell.get("weight_role")), tf_version, keras_version)
