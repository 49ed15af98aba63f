"""The newer layers and the TF1-style APIs against real TensorFlow 1.15 and 2.21 installs (no fake
tf module): MultiHeadAttention's fans, which initializer wins inside variable_scope(initializer=...),
what tf.compat.v1.layers' variables are really created with, and TF_USE_LEGACY_KERAS=1 without
tf_keras."""

import math

from initcompat.probe import schema


def cells(result, family, layer_kind, role, legacy=False):
    found = [c for c in result["cells"] if c["api_family"] == family and c["layer_kind"] == layer_kind
             and c["weight_role"] == role and c["legacy_keras"] == legacy]
    assert len(found) == 1, (family, layer_kind, role, legacy, len(found))
    return found[0]


def test_tf_2_21_attention_kernels_are_distinct_weights_with_keras_own_fans(probed):
    result = probed("tf-2.21")
    for family, legacy in (("tf.keras", False), ("tf_keras", True)):
        roles = {}
        for part in ("query", "key", "value", "output"):
            for weight in ("kernel", "bias"):
                roles[part + "_" + weight] = cells(result, family, "multi_head_attention",
                                                   part + "_" + weight, legacy)
        assert all(c["status"] == "ok" for c in roles.values()), family
        query = roles["query_kernel"]
        # (input 20, heads 4, key_dim 6): heads x key_dim = 24 differs from the input dim 20 ...
        assert query["shape"] == [20, 4, 6] and roles["output_kernel"]["shape"] == [4, 6, 20]
        # ... and Keras computes the fans of the 3-D kernel by the receptive-field rule, not as
        # a dense layer's (20, 24)
        assert (query["fan_in"], query["fan_out"]) == (4 * 20, 6 * 20)
        assert query["initializer"]["class_name"] == "GlorotUniform"
        assert "_query_dense" in query["initializer"]["resolved_by"]
        limit = math.sqrt(6.0 / (80 + 120))
        assert query["sample"]["max"] <= limit * (1 + 1e-6)
        assert abs(query["sample"]["std"] - limit / math.sqrt(3)) < 5 * query["sample"]["se_std"]
        # four kernels drawn separately: their seeded bytes differ
        hashes = {roles[r]["seeded"]["sha256"] for r in ("query_kernel", "key_kernel", "value_kernel")}
        assert len(hashes) == 3
        assert roles["query_bias"]["sample"]["max"] == 0.0 == roles["query_bias"]["sample"]["min"]


def test_tf_1_15_variable_scope_initializer_wins_in_tf_layers_not_in_tf_keras(probed):
    result = probed("tf-1.15")
    scoped_layer = cells(result, schema.FAMILY_SCOPED_LAYERS, "dense", "kernel")
    scoped_keras = cells(result, schema.FAMILY_SCOPED_TF_KERAS, "dense", "kernel")
    scoped_get = cells(result, schema.FAMILY_SCOPED_GET_VARIABLE, "dense", "bias")
    assert scoped_layer["status"] == scoped_keras["status"] == scoped_get["status"] == "ok"
    # tf.layers passes kernel_initializer=None: get_variable takes the scope's normal(0, 0.5)
    assert scoped_layer["initializer"]["class_name"] == "RandomNormal"
    assert scoped_layer["initializer"]["held_by_layer"] == "None"
    assert "observed" in scoped_layer["initializer"]["resolved_by"]
    assert abs(scoped_layer["sample"]["std"] - 0.5) < 5 * scoped_layer["sample"]["se_std"]
    assert scoped_layer["layer_config"]["variable_scope_initializer"].startswith(
        "tf.compat.v1.random_normal_initializer")
    # tf.keras resolves its own Glorot uniform: the scope does not reach it
    assert scoped_keras["initializer"]["class_name"] == "GlorotUniform"
    limit = math.sqrt(6.0 / (96 + 40))
    assert -limit * (1 + 1e-6) <= scoped_keras["sample"]["min"]
    assert scoped_keras["sample"]["max"] <= limit * (1 + 1e-6)
    # tf.layers' bias has a zeros default of its own; a bare get_variable bias takes the scope's
    assert cells(result, schema.FAMILY_SCOPED_LAYERS, "dense", "bias")["sample"]["max"] == 0.0
    assert scoped_get["initializer"]["class_name"] == "RandomNormal"
    # without a scope, a bare get_variable falls back to Glorot uniform, even for a bias
    plain = cells(result, schema.FAMILY_GET_VARIABLE, "dense", "bias")
    assert plain["initializer"]["class_name"] == "GlorotUniform"
    assert plain["sample"]["max"] > 0.1


def test_tf_1_15_tf1_apis_contrib_and_rnn_cells(probed):
    result = probed("tf-1.15")
    contrib = cells(result, schema.FAMILY_CONTRIB_LAYERS, "dense", "kernel")
    assert contrib["layer"] == "fully_connected" and contrib["variable_name"].endswith("weights:0")
    assert contrib["initializer"]["class_name"] == "variance_scaling_initializer"
    assert contrib["initializer"]["config"]["uniform"] is True
    gates = cells(result, schema.FAMILY_RNN_CELL, "gru", "gates_bias")
    assert gates["initializer"]["class_name"] == "Constant"  # GRUCell's own ones, observed
    assert gates["sample"]["min"] == gates["sample"]["max"] == 1.0
    lstm_kernel = cells(result, schema.FAMILY_RNN_CELL, "lstm", "kernel")
    assert lstm_kernel["shape"] == [8 + 16, 4 * 16]  # one kernel for input and state together


def test_tf_2_21_compat_v1_layers_records_the_initializer_its_variables_were_created_with(probed):
    kernel = cells(probed("tf-2.21"), "tf.compat.v1.layers", "dense", "kernel", legacy=True)
    assert kernel["status"] == "ok"
    declared = kernel["initializer"]
    # observed at creation: the Keras GlorotUniform tf_keras' base layer puts in for None ...
    assert declared["resolved_by"].startswith("observed")
    assert declared["module"].startswith("tf_keras") and declared["class_name"] == "GlorotUniform"
    assert declared["held_by_layer"] == "None"
    # ... not the init_ops one _get_default_initializer names (kept beside it as evidence)
    fallback = declared["get_variable_fallback"]
    assert fallback["module"] == "tensorflow.python.ops.init_ops"
    assert "not what ran" in fallback["resolved_by"]
    assert "StatelessRandomUniformV2" in kernel["graph_evidence"]["ops"]


def test_tf_2_21_legacy_keras_without_tf_keras_raises_on_access(probed):
    entries = probed("tf-2.21")["availability"]
    by_target = dict((e["target"], e) for e in entries)
    access = by_target["tf.keras"]
    assert access["case"] == "TF_USE_LEGACY_KERAS=1 without tf_keras"
    assert access["status"] == schema.CELL_UNAVAILABLE
    assert access["error_type"] == "ImportError" and "Keras cannot be imported" in access["reason"]
    assert any("tf_keras" in line for line in access["logged"])  # TensorFlow's own warning
    build = by_target["tf.keras.layers.Dense(...).build(...)"]
    assert build["status"] == schema.CELL_UNAVAILABLE and build["attempt"] == 2
    assert by_target["tf.compat.v1.layers.dense"]["error_type"] == "ImportError"
    # the probed environment itself has tf_keras: its legacy families are measured
    assert cells(probed("tf-2.21"), "tf_keras", "dense", "kernel", legacy=True)["status"] == "ok"


def test_tf_1_15_has_no_legacy_keras_availability_record(probed):
    assert "availability" not in probed("tf-1.15")
