"""The probe against real TensorFlow 1.15 and 2.21 installs (no fake tf module anywhere)."""

import math

from pathlib import Path

from initcompat.probe import schema, validation
from initcompat.report.load import parse_documents


def cells(result, family, layer_kind, role, legacy=False):
    found = [c for c in result["cells"] if c["api_family"] == family and c["layer_kind"] == layer_kind
             and c["weight_role"] == role and c["legacy_keras"] == legacy]
    assert len(found) == 1, (family, layer_kind, role, legacy, len(found))
    return found[0]


def test_tf_1_15_files_are_valid_each_has_one_writer_and_record_the_environment(probed):
    result = probed("tf-1.15")
    assert result["status"] == "ok", result.get("reason")
    folder = Path(result["_source"]).parent
    assert sorted(p.name for p in folder.iterdir()) == [
        "tf-1.15.initializers.json", "tf-1.15.initializers.log", "tf-1.15.install.json",
        "tf-1.15.json", "tf-1.15.log", "tf-1.15.outcome.json", "tf-1.15.propagation.json",
        "tf-1.15.propagation.log", "tf-1.15.seeding.json", "tf-1.15.seeding.log"]
    for path in folder.glob("*.json"):
        (document,) = parse_documents(path.read_text())  # current schema, nothing to migrate
        validation.validate(document)
    probe_file = parse_documents((folder / "tf-1.15.json").read_text())[0]
    assert "install" not in probe_file and "throughput" not in probe_file  # the probe's own only
    assert result["outcome"]["steps"]["throughput"]["status"] == schema.STEP_SKIPPED
    assert result["installed"]["packages"]["tensorflow"] == "1.15.5"
    assert result["platform"]["python"].startswith("3.7.")
    assert result["devices"]["gpu"] == "none found" or isinstance(result["devices"]["gpu"], list)
    assert result["install"]["lock"], "the resolved versions are recorded"


def test_tf_1_15_tf_layers_dense_kernel_is_glorot_uniform_within_its_limit(probed):
    kernel = cells(probed("tf-1.15"), "tf.layers", "dense", "kernel")
    assert kernel["status"] == "ok"
    assert kernel["initializer"]["held_by_layer"] == "None"
    assert "get_variable" in kernel["initializer"]["resolved_by"]
    assert kernel["initializer"]["class_name"] == "GlorotUniform"
    fan_in, fan_out = kernel["fan_in"], kernel["fan_out"]
    assert (fan_in, fan_out) == (kernel["shape"][0], kernel["shape"][1])
    limit = math.sqrt(6.0 / (fan_in + fan_out))
    sample = kernel["sample"]
    assert sample["n"] >= 100000
    # The measured values never leave [-limit, limit] (float32 rounding allowance) ...
    assert -limit * (1 + 1e-6) <= sample["min"] and sample["max"] <= limit * (1 + 1e-6)
    # ... and fill it: a uniform's std is limit/sqrt(3).
    assert abs(sample["std"] - limit / math.sqrt(3)) < 5 * sample["se_std"]
    assert "RandomUniform" in kernel["graph_evidence"]["ops"]


def test_tf_1_15_conv2d_fans_use_the_receptive_field(probed):
    kernel = cells(probed("tf-1.15"), "tf.layers", "conv2d", "kernel")
    kh, kw, cin, cout = kernel["shape"]
    assert (kernel["fan_in"], kernel["fan_out"]) == (kh * kw * cin, kh * kw * cout)
    bias = cells(probed("tf-1.15"), "tf.layers", "conv2d", "bias")
    assert bias["initializer"]["class_name"] == "Zeros"
    assert bias["sample"]["min"] == bias["sample"]["max"] == 0.0


def test_tf_2_21_compat_v1_layers_unavailable_under_keras_3_but_available_with_tf_keras(probed):
    result = probed("tf-2.21")
    assert result["status"] == "ok", result.get("reason")
    default = cells(result, "tf.compat.v1.layers", "dense", "kernel")
    assert default["status"] == "unavailable"
    assert default["error_type"] == "AttributeError"
    assert "Keras 3" in default["reason"]
    legacy = cells(result, "tf.compat.v1.layers", "dense", "kernel", legacy=True)
    assert legacy["status"] == "ok"
    assert legacy["initializer"]["class_name"] == "GlorotUniform"
    assert cells(result, "tf_keras", "dense", "kernel", legacy=True)["status"] == "ok"


def test_tf_2_21_has_no_tf_layers_and_keras_3_defaults(probed):
    result = probed("tf-2.21")
    assert cells(result, "tf.layers", "dense", "kernel")["status"] == "unavailable"
    keras_kernel = cells(result, "keras", "dense", "kernel")
    assert keras_kernel["status"] == "ok"
    assert result["installed"]["packages"]["keras"].startswith("3.")
    assert keras_kernel["initializer"]["class_name"] == "GlorotUniform"
    assert cells(result, "tf.keras", "conv2d", "bias")["initializer"]["class_name"] == "Zeros"
