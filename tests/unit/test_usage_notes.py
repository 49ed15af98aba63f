"""ConvLSTM2D's bias in tf.keras 1.4-1.8 and Keras 2.0-2.1: the page's "constant 0" holds when a
global variables initializer runs after the build (TF 1 graph usage, the probe's), not in Keras'
own session, which keeps the forget gate's ones (initcompat.report.usage_notes has the sources
and the run on TF 1.4.1-1.9.0 that checked it)."""

from __future__ import annotations

import pytest

from initcompat.probe import schema
from initcompat.report import fit, layer_theory
from initcompat.report.analysis import analyse_cell
from initcompat.report.usage_notes import USAGE_NOTES, cell_usage_notes, usage_notes

# The tf.keras ConvLSTM2D bias cell of the matrix's tf-1.7 result (TF 1.7.1): the layer's
# recorded settings, its declared initializer and its draws (704 values, every one 0).
LAYER_CONFIG = {"activation": "tanh", "data_format": "channels_last", "dilation_rate": [1, 1],
                "dropout": 0.0, "filters": 16, "go_backwards": False, "implementation": 0,
                "kernel_size": [3, 3], "padding": "valid", "recurrent_activation": "hard_sigmoid",
                "recurrent_dropout": 0.0, "return_sequences": False, "return_state": False,
                "stateful": False, "strides": [1, 1], "unit_forget_bias": True, "unroll": False,
                "use_bias": True}


def tf17_cell(**changes) -> dict:
    cell = {"status": "ok", "api_family": "tf.keras", "legacy_keras": False, "graph_mode": True,
            "layer": "ConvLSTM2D", "layer_kind": "conv_lstm2d", "weight_role": "bias",
            "shape": [64], "fan_in": 64, "fan_out": 64,
            "initializer": {"class_name": "Zeros", "config": {"dtype": "float32"},
                            "module": "tensorflow.python.ops.init_ops",
                            "resolved_by": "layer attribute bias_initializer"},
            "layer_config": dict(LAYER_CONFIG),
            "sample": {"n": 704, "mean": 0.0, "std": 0.0, "min": 0.0, "max": 0.0,
                       "se_mean": 0.0, "se_std": 0.0, "excess_kurtosis": None,
                       "histogram": {"counts": [704], "edges": [-0.5, 0.5]},
                       "subsample": [0.0] * 704}}
    cell.update(changes)
    return cell


@pytest.mark.parametrize("tf_version, noted", [("1.4.1", True), ("1.7.1", True), ("1.8.0", True),
                                               ("1.9.0", False), ("2.0.4", False)])
def test_tf_keras_note_covers_tf_1_4_to_1_8(tf_version, noted):
    notes = usage_notes("tf.keras", "conv_lstm2d", "bias", tf_version, None)
    assert bool(notes) is noted
    if noted:
        (note,) = notes
        assert note.versions == "TF 1.4–1.8 (tf.keras)"
        assert "global variables initializer runs after the layer is built" in note.text
        assert "Keras' own session" in note.text and "K.set_value" in note.text


@pytest.mark.parametrize("keras_version, noted", [("2.0.9", True), ("2.1.6", True),
                                                  ("2.2.5", False), ("3.15.1", False)])
def test_standalone_keras_note_covers_keras_2_0_and_2_1(keras_version, noted):
    assert bool(usage_notes("keras", "conv_lstm2d", "bias", "1.8.0", keras_version)) is noted


def test_no_note_for_other_weights_families_or_layers():
    assert usage_notes("tf.keras", "conv_lstm2d", "kernel", "1.7.1", None) == []
    assert usage_notes("tf.keras", "lstm", "bias", "1.7.1", None) == []  # its ones are in the initializer
    assert usage_notes("tf_keras", "conv_lstm2d", "bias", "1.7.1", None) == []
    assert usage_notes("tf.keras", "conv_lstm2d", "bias", None, None) == []


def test_every_note_names_its_range_and_source():
    for note in USAGE_NOTES:
        assert note.first <= note.last and note.source and note.clause
        assert note.package in ("tensorflow", "keras")
        assert set(note.api_families) <= set(schema.API_FAMILIES)


def test_a_layer_built_without_forget_gate_ones_gets_no_note():
    config = dict(LAYER_CONFIG, unit_forget_bias=False)
    assert cell_usage_notes(tf17_cell(layer_config=config), "1.7.1", None) == []
    assert len(cell_usage_notes(tf17_cell(), "1.7.1", None)) == 1


def test_the_finding_says_under_which_usage_each_value_holds():
    """The draws (constant 0) stay a finding against the layer's intent, and the text the page
    prints for it (the declared distribution's description) says when each holds."""
    analysis = analyse_cell(tf17_cell(), "1.7.1")
    assert analysis.fingerprint == "constant 0"
    assert analysis.fit_verdict == fit.VERDICT_INCONSISTENT
    assert analysis.theory.startswith("0 for 3/4 of the entries")
    assert "in Keras' own session only" in analysis.theory
    assert "global variables initializer run afterwards (TF 1 graph usage, as measured here) " \
           "resets them to 0" in analysis.theory
    # TF 1.9 puts the ones in the initializer: no usage clause, and its draws fit
    declared = layer_theory.layer_distribution(tf17_cell(), "1.9.0")
    assert "Keras' own session" not in declared.description
