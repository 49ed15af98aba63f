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
Not modelled: a random bias initializer combined with unit_forget_bias (no default does it).
Not modelled on purpose: tf.keras 1.4-1.8's ConvLSTM2D sets its forget-gate ones with
K.set_value once at build (tensorflow/python/keras/_impl/keras/layers/convolutional_recurrent.py),
not in the bias's initializer, so a session's global_variables_initializer (the probe's graph
convention) leaves the bias all zeros: the answers show that as a finding, found from the draws.
"""

from __future__ import annotations

from typing import Any, Mapping, Optional

from initcompat.probe import schema
from initcompat.report import theory
from initcompat.report.theory import Distribution

# Families whose LSTM is a Keras LSTM (unit_forget_bias=True unless the config says otherwise).
KERAS_FAMILIES = (schema.FAMILY_TF_KERAS, schema.FAMILY_KERAS, schema.FAMILY_TF_KERAS_PACKAGE,
                  schema.FAMILY_COMPAT_V1_KERAS)


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


def layer_distribution(cell: Mapping[str, Any], framework_version: str) -> Optional[Distribution]:
    """The distribution one weight of a layer should draw, or None when it is not known."""
    initializer = cell.get("initializer") or {}
    if not initializer.get("class_name"):
        return None
    config = initializer.get("config") if isinstance(initializer.get("config"), Mapping) else None
    declared = theory.declared_distribution(initializer["class_name"], config,
                                            cell.get("shape") or [], framework_version,
                                            initializer.get("module"))
    if declared is None or not forget_gate_ones(cell):
        return declared
    if declared.family != "constant":
        return None
    value = declared.params["value"]
    if value == 1.0:
        return theory.constant(1.0, "constant 1 (the forget gate's ones and a Ones initializer)")
    return theory.discrete([value, 1.0], [0.75, 0.25],
                           "%g for 3/4 of the entries (%s) and 1 for the forget gate's quarter "
                           "(unit_forget_bias=True)" % (value, declared.description))
