"""What a layer draws for one of its weights: the declared initializer's distribution
(theory.declared_distribution), adjusted by the layer's documented behaviour.

Modelled, with sources:
* LSTM `unit_forget_bias=True` (the default of every Keras: keras/layers/recurrent.py in
  Keras 2.x and tf.keras 1.x/2.x, keras/src/layers/rnn/lstm.py in Keras 3, tf_keras): the bias is
  built as concatenate([bias_initializer((units,)), Ones()((units,)), bias_initializer((2 *
  units,))]) in the gate order i, f, c, o, so a quarter of it is 1 whatever the bias
  initializer says. With the default Zeros: 0 for 3/4 of the entries, 1 for 1/4.
* The same in ConvLSTM2D (unit_forget_bias=True, bias of 4 * filters, gate order i, f, c, o).
  tf.compat.v1.nn.rnn_cell.LSTMCell has no such setting: its forget_bias (1.0) is added in
  call(), never initialized, so its bias draws what its initializer declares (zeros).
* GRU `reset_after` (False in Keras 2 and tf.keras 1.x, True from tf.keras 2.0): changes the
  bias's shape, (3 * units,) or (2, 3 * units), not its distribution; the report shows the shape.
* A tf.compat.v1.nn.rnn_cell.GRUCell's gates bias is initialized to ones when its bias
  initializer is None (constant_initializer(1.0) in build): the probe observes that Constant
  as the variable's declared initializer, so the theory needs nothing more.
* Keras >= 3.15's EinsumDense, and MultiHeadAttention's projections built of it, give a
  VarianceScaling kernel initializer the kernel's input and output axes (fans.py has the rule
  and its sources): the fans of a [20, 4, 6] kernel are (20, 24), not (80, 120). Keyed on the
  Keras version that drew (the result's installed keras) and on the initializer being Keras'
  own (a tf_keras initializer in the same environment keeps the receptive-field rule).
Not modelled: a random bias initializer combined with unit_forget_bias (no default does it).
A usage note, not a model: tf.keras in TF 1.4-1.8 and standalone Keras 2.0-2.1 give
ConvLSTM2D's bias its forget-gate ones with K.set_value once at build, outside the bias's
initializer, so a global variables initializer run after the build (what a TF 1 graph user
does, and what the probe does) leaves it all zeros, while Keras' own session keeps the ones.
The declared distribution stays the layer's intent (a quarter ones) with that said in its
description, so the zeros are a finding; usage_notes.py has the sources, the run that checked
it, and the notes per (family, layer, weight, version range).
"""

from __future__ import annotations

import dataclasses
from typing import Any, Mapping, Optional

from initcompat.probe import schema
from initcompat.report import fans, theory
from initcompat.report.distributions import Distribution
from initcompat.report.usage_notes import cell_usage_notes

# Families whose LSTM is a Keras LSTM (unit_forget_bias=True unless the config says otherwise).
KERAS_FAMILIES = (schema.FAMILY_TF_KERAS, schema.FAMILY_KERAS, schema.FAMILY_TF_KERAS_PACKAGE,
                  schema.FAMILY_COMPAT_V1_KERAS)
# Layers whose kernels Keras >= 3.15 gives named fan axes (EinsumDense and layers built of it).
EINSUM_KINDS = ("einsum_dense", "multi_head_attention")


def forget_gate_ones(cell: Mapping[str, Any]) -> bool:
    """Whether this is an LSTM-like layer's bias with unit_forget_bias on."""
    if cell.get("weight_role") != "bias":
        return False
    config = cell.get("layer_config")
    if isinstance(config, Mapping) and "unit_forget_bias" in config:
        return bool(config["unit_forget_bias"])
    if isinstance(config, Mapping) and config and "get_config_error" not in config:
        return False  # a layer that has no such setting (tf.compat.v1.nn.rnn_cell.LSTMCell)
    if cell.get("api_family") not in KERAS_FAMILIES:
        return False
    # Results before layer_config: every Keras LSTM defaults to True; the suite's variant says so.
    layer = str(cell.get("layer") or "")
    return str(cell.get("layer_kind") or "").startswith("lstm") and \
        "unit_forget_bias=False" not in layer


def _keras_fills_fan_axes(initializer: Mapping[str, Any], keras_version: Optional[str]) -> bool:
    """Whether the Keras that drew gives its EinsumDense kernels named fan axes: Keras' own
    VarianceScaling (not tf_keras', not TF's) from 3.15. Without a recorded Keras version, a
    config that carries input_axes (which 3.15's get_config added with the rule) says so."""
    if not theory.is_variance_scaling(str(initializer.get("class_name") or "")):
        return False
    module = str(initializer.get("module") or "")
    if not module.startswith("keras."):
        return False
    version = theory.parse_version(keras_version)
    if version is None:
        config = initializer.get("config")
        return isinstance(config, Mapping) and "input_axes" in config
    return version >= fans.KERAS_FAN_AXES_SINCE


def keras_fan_axes(cell: Mapping[str, Any], keras_version: Optional[str]) -> Optional[fans.Axes]:
    """The (input axes, output axes) Keras >= 3.15 gives this kernel's initializer: EinsumDense
    from its equation, MultiHeadAttention's projections from theirs; None when the layer's
    version does not, or the weight is no such kernel."""
    kind, role = cell.get("layer_kind"), str(cell.get("weight_role") or "")
    if kind not in EINSUM_KINDS or not role.endswith("kernel"):
        return None
    if not _keras_fills_fan_axes(cell.get("initializer") or {}, keras_version):
        return None
    rank = len(cell.get("shape") or [])
    if kind == "einsum_dense":
        config = cell.get("layer_config")
        equation = config.get("equation") if isinstance(config, Mapping) else None
        axes = fans.einsum_kernel_axes(equation) if isinstance(equation, str) else None
    else:
        axes = fans.projection_kernel_axes(2 if role == "output_kernel" else 1, rank)
    if axes is None or sorted(axes[0] + axes[1]) != list(range(rank)):
        return None
    return axes


def layer_distribution(cell: Mapping[str, Any], framework_version: str,
                       keras_version: Optional[str] = None) -> Optional[Distribution]:
    """The distribution one weight of a layer should draw, or None when it is not known.

    `keras_version` is the Keras the environment had (the result's installed keras): it decides
    the fan rule of EinsumDense and MultiHeadAttention kernels.
    """
    initializer = cell.get("initializer") or {}
    if not initializer.get("class_name"):
        return None
    config = initializer.get("config") if isinstance(initializer.get("config"), Mapping) else None
    axes = keras_fan_axes(cell, keras_version)
    declared = theory.declared_distribution(initializer["class_name"], config,
                                            cell.get("shape") or [], framework_version,
                                            initializer.get("module"), fan_axes=axes)
    if declared is not None and axes is not None and \
            theory.configured_fan_axes(config, cell.get("shape") or []) is None:
        return dataclasses.replace(declared, description=declared.description + (
            " \u2014 the axes %s names for its kernel since Keras 3.15"
            % ("EinsumDense's equation" if cell.get("layer_kind") == "einsum_dense"
               else "MultiHeadAttention's projection")))
    if declared is None or not forget_gate_ones(cell):
        return declared
    if declared.family != "constant":
        return None
    value = declared.params["value"]
    if value == 1.0:
        return theory.constant(1.0, "constant 1 (the forget gate's ones and a Ones initializer)")
    description = "%g for 3/4 of the entries (%s) and 1 for the forget gate's quarter " \
        "(unit_forget_bias=True)" % (value, declared.description)
    for note in cell_usage_notes(cell, framework_version, keras_version):
        description += " \u2014 " + note.clause
    return theory.discrete([value, 1.0], [0.75, 0.25], description)
