"""Pure logic of the layer probe's newer layers and APIs (no TensorFlow): weight roles from the
variable names each Keras writes, the initializer inside a variable's initial_value, contrib's
closure initializers, the catalogue's completeness, the legacy-Keras-without-tf_keras child's
hiding finder, and the LSTM forget-gate rule for cells that have no such setting."""

from __future__ import annotations

import functools
import importlib
import sys

import pytest

from initcompat.probe import apis, availability, catalogue, schema
from initcompat.probe.identity import describe_initializer
from initcompat.report import layer_theory, theory


@pytest.mark.parametrize("name, kind, role", [
    ("probe0/query/kernel:0", "multi_head_attention", "query_kernel"),  # tf.keras 2.x, tf_keras
    ("probe0/query/kernel", "multi_head_attention", "query_kernel"),  # Keras 3 variable.path
    ("probe0/key/bias:0", "multi_head_attention", "key_bias"),
    ("probe0/value/kernel", "multi_head_attention", "value_kernel"),
    ("probe0/attention_output/kernel:0", "multi_head_attention", "output_kernel"),
    ("probe0/attention_output/bias", "multi_head_attention", "output_bias"),
    ("probe0/gru_cell/gates/kernel:0", "gru", "gates_kernel"),  # tf.compat.v1.nn.rnn_cell.GRUCell
    ("probe0/gru_cell/candidate/bias:0", "gru", "candidate_bias"),
    ("probe0/lstm_cell/kernel:0", "lstm", "kernel"),
    ("probe0/weights:0", "dense", "kernel"),  # tf.contrib.layers
    ("probe0/biases:0", "conv2d", "bias"),
    ("probe0/kernel", "depthwise_conv1d", "depthwise_kernel"),  # Keras 3 calls it kernel
    ("probe0/alpha:0", "prelu", "alpha"),
    ("dense_3/kernel:0", None, "kernel"),
])
def test_weight_roles_from_every_keras_spelling(name: str, kind: str, role: str) -> None:
    assert catalogue.weight_role(name, kind) == role


def test_every_role_of_every_kind_is_protocol_and_has_an_initializer_argument() -> None:
    families = [apis.RnnCellFamily(None)]
    roles = {role for kind in catalogue.KINDS.values() for role in kind.roles}
    roles |= {role for family in families for kind_roles in family.ROLES.values()
              for role in kind_roles}
    assert roles <= set(schema.WEIGHT_ROLES)
    assert roles <= set(catalogue.INITIALIZER_ARGUMENT)
    assert catalogue.INITIALIZER_ARGUMENT["query_kernel"] == "kernel_initializer"
    assert catalogue.INITIALIZER_ARGUMENT["output_bias"] == "bias_initializer"


def test_attention_roles_are_distinct_and_held_by_their_sublayers() -> None:
    kind = catalogue.lookup("multi_head_attention")
    assert len(set(kind.roles)) == 8
    assert catalogue.holder_of("multi_head_attention", "key_kernel") == "_key_dense"
    assert catalogue.holder_of("multi_head_attention", "output_bias") == "_output_dense"
    assert catalogue.holder_of("dense", "kernel") is None
    assert kind.call_inputs == 2


def test_suite_shapes_make_fan_conventions_differ() -> None:
    """heads x key_dim != the input dim, and EinsumDense's kernel is 3-D: Keras' fans (the
    receptive-field rule on the 3-D shape) are not the dense layer's (input, output)."""
    spec = {"kind": "multi_head_attention", "query_dim": 20, "num_heads": 4, "key_dim": 6,
            "sequence_length": 3}
    assert spec["num_heads"] * spec["key_dim"] != spec["query_dim"]
    assert theory.compute_fans((20, 4, 6)) == (80.0, 120.0)  # not (20, 24)
    assert catalogue.constructor_arguments(spec) == {"num_heads": 4, "key_dim": 6}
    assert catalogue.input_shape(spec) == [3, 20]
    einsum = {"kind": "einsum_dense", "equation": "ab,bcd->acd", "input_dim": 20,
              "output_shape": [4, 6], "bias_axes": "cd"}
    assert catalogue.constructor_arguments(einsum)["output_shape"] == (4, 6)
    assert catalogue.lookup("einsum_dense").spellings == ("EinsumDense", "experimental.EinsumDense")


class _Initializer(object):
    def __call__(self, shape, dtype=None, partition_info=None):
        return shape


def test_the_initializer_is_read_from_a_partial_or_a_closing_lambda() -> None:
    initializer = _Initializer()
    assert apis.initializer_of(functools.partial(initializer, [3, 4], dtype="float32")) \
        is initializer

    def _true_getter_tf1(initializer, shape, dtype, partition_info):  # TF 1.x's lambda
        return lambda: initializer(shape, dtype=dtype, partition_info=partition_info)

    assert apis.initializer_of(_true_getter_tf1(initializer, [3], "float32", None)) is initializer
    assert apis.initializer_of(lambda: 0) is None
    assert apis.initializer_of(None) is None


def variance_scaling_initializer(factor=2.0, mode="FAN_IN", uniform=False, seed=None):
    """The shape of tf.contrib.layers' initializer: a closure, not a class."""
    def _initializer(shape, dtype=None, partition_info=None):
        return factor, mode, uniform, seed
    return _initializer


def test_contrib_closures_are_described_by_their_maker_and_read_by_the_theory() -> None:
    described = describe_initializer(variance_scaling_initializer(1.0, "FAN_AVG", True))
    assert described["class_name"] == "variance_scaling_initializer"
    assert described["config"] == {"factor": 1.0, "mode": "FAN_AVG", "uniform": True, "seed": None}
    assert " at 0x" not in described["repr"]
    drawn = theory.declared_distribution(described["class_name"], described["config"], [96, 40],
                                         "1.15.5", described["module"])
    limit = (6.0 / (96 + 40)) ** 0.5  # xavier_initializer() is Glorot uniform
    assert drawn.family == "uniform" and drawn.params["high"] == pytest.approx(limit)


def test_layer_settings_lose_object_addresses() -> None:
    config = apis.settings_only({"activation_fn": "<function relu at 0x7f61512c8b00>",
                                 "weights_initializer": "x", "name": "probe0", "units": 4})
    assert config == {"activation_fn": "<function relu>", "units": 4}


def test_availability_applies_from_tf_2_16() -> None:
    assert not availability.applies("2.15.1")
    assert availability.applies("2.16.0rc0") and availability.applies("2.21.0")
    assert not availability.applies(None) and not availability.applies("nightly")


def test_hiding_finder_makes_a_package_missing_for_import_and_find_spec(tmp_path, monkeypatch):
    package = tmp_path / "tf_keras"
    (package / "sub").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "sub" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(sys, "meta_path", list(sys.meta_path))
    monkeypatch.setattr(sys, "modules", dict(sys.modules))
    importlib.invalidate_caches()
    assert importlib.util.find_spec("tf_keras") is not None
    availability.hide_tf_keras()
    assert importlib.util.find_spec("tf_keras") is None  # TensorFlow asks this while importing
    with pytest.raises(ModuleNotFoundError, match="tf_keras"):
        importlib.import_module("tf_keras")
    with pytest.raises(ModuleNotFoundError):
        importlib.import_module("tf_keras.sub")
    assert importlib.import_module("json") is not None  # everything else is still found


def test_failed_availability_child_names_every_target() -> None:
    entries = availability.failed_entries("Traceback ... boom")
    assert [e["target"] for e in entries] == [t for t, _ in availability.TARGETS]
    assert {e["status"] for e in entries} == {schema.CELL_ERROR}
    assert all(e["api_family"] in schema.API_FAMILIES for e in entries)


def test_forget_gate_ones_only_where_the_layer_has_unit_forget_bias() -> None:
    keras_lstm = {"weight_role": "bias", "api_family": "tf.keras", "layer_kind": "lstm",
                  "layer_config": {"unit_forget_bias": True, "units": 16}}
    conv_lstm = dict(keras_lstm, layer_kind="conv_lstm2d")
    cell = {"weight_role": "bias", "api_family": schema.FAMILY_RNN_CELL, "layer_kind": "lstm",
            "layer_config": {"num_units": 16, "forget_bias": 1.0}}
    unconfigured_cell = dict(cell, layer_config=None)
    old_keras = dict(keras_lstm, layer_config=None)  # results before layer_config
    assert layer_theory.forget_gate_ones(keras_lstm) and layer_theory.forget_gate_ones(conv_lstm)
    assert not layer_theory.forget_gate_ones(cell)
    assert not layer_theory.forget_gate_ones(unconfigured_cell)
    assert layer_theory.forget_gate_ones(old_keras)
