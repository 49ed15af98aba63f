"""The initializers step against real TensorFlow 1.15 and 2.21 installs: what a direct call of an
initializer draws, in each namespace (no fake tf module anywhere)."""

import math

import pytest

from initcompat.measurements.initializers import audit
from initcompat.probe import schema
from initcompat.report.tail_audit import ad_rejections, audit_row


def record(result, namespace, name, how="constructor", args=None):
    found = [r for r in result["initializers"]["records"] if r["namespace"] == namespace
             and r["initializer"] == name and r["how"] == how and (r.get("args") or {}) == (args or {})]
    assert len(found) == 1, (namespace, name, how, args, len(found))
    return found[0]


def draw(found, shape_name="dense"):
    (drawn,) = [d for d in found["draws"] if d["shape_name"] == shape_name]
    assert drawn["status"] == schema.INIT_OK, drawn.get("reason")
    return drawn


def test_tf_1_15_truncated_normal_stddev_01_draws_088_of_it(probed):
    """The asker's tf.truncated_normal_initializer(stddev=0.1): a normal cut at ±2σ, so its std is
    0.8796σ and nothing lies beyond 0.2."""
    result = probed("tf-1.15")
    assert result["initializers"]["status"] == "ok"
    sample = draw(record(result, "tf", "truncated_normal_initializer", "explicit",
                         {"stddev": 0.1}))["sample"]
    assert abs(sample["std"] - 0.1 * 0.87962566) < 5 * sample["se_std"]
    assert -0.2 <= sample["min"] and sample["max"] <= 0.2


def test_tf_1_15_contrib_xavier_is_uniform_on_the_glorot_limit_with_tf_fans(probed):
    found = record(probed("tf-1.15"), "tf.contrib.layers", "xavier_initializer")
    assert found["class_name"] == "variance_scaling_initializer"  # a closure: its config is
    assert found["config"]["factor"] == 1.0 and found["config"]["uniform"] is True  # observed
    for shape_name in ("dense", "conv"):
        drawn = draw(found, shape_name)
        limit = math.sqrt(6.0 / (drawn["fan_in"] + drawn["fan_out"]))
        assert drawn["sample"]["max"] <= limit * (1 + 1e-6)
        assert abs(drawn["sample"]["std"] - limit / math.sqrt(3)) < 5 * drawn["sample"]["se_std"]
    kh, kw, cin, cout = draw(found, "conv")["shape"]
    assert (draw(found, "conv")["fan_in"], draw(found, "conv")["fan_out"]) == (kh * kw * cin,
                                                                              kh * kw * cout)


def test_tf_random_normal_initializer_default_stddev_is_1_in_tf1_and_005_in_tf2(probed):
    """tf.random_normal_initializer() is init_ops' (stddev 1) in 1.x and init_ops_v2's (0.05) in
    2.x, while tf.compat.v1's keeps stddev 1: measured, not read from a docstring."""
    old = draw(record(probed("tf-1.15"), "tf", "random_normal_initializer"))["sample"]
    new = draw(record(probed("tf-2.21"), "tf", "random_normal_initializer"))["sample"]
    kept = draw(record(probed("tf-2.21"), "tf.compat.v1", "random_normal_initializer"))["sample"]
    assert abs(old["std"] - 1.0) < 5 * old["se_std"]
    assert abs(new["std"] - 0.05) < 5 * new["se_std"]
    assert abs(kept["std"] - 1.0) < 5 * kept["se_std"]


def test_tf_2_21_keras_string_aliases_resolve_to_the_classes(probed):
    result = probed("tf-2.21")
    through_get = record(result, "keras.initializers", "he_normal", "get")
    constructed = record(result, "keras.initializers", "HeNormal")
    assert through_get["class_name"] == constructed["class_name"] == "HeNormal"
    namespaces = {n["namespace"]: n for n in result["initializers"]["namespaces"]}
    assert namespaces["tf.contrib.layers"]["status"] == schema.INIT_UNAVAILABLE
    assert "contrib" in namespaces["tf.contrib.layers"]["reason"]


@pytest.mark.parametrize("name", ["tf-1.15", "tf-2.21"])
def test_real_bounded_initializers_pass_the_anderson_darling_test(probed, name):
    """Every TruncatedNormal and RandomUniform of the tail audit: its first 100 000 values fit
    the declared distribution (the normal cut at mean ± 2 stddev; the uniform), none rejected by
    Holm over the environment's tests at the report's level, and TF's own
    truncated_normal_initializer(stddev=0.1) -- the asker's -- far from any rejection."""
    entries = [e for e in probed(name)["initializers"]["audit"] if "error" not in e]
    assert len(entries) >= 10
    rows = [audit_row(entry) for entry in entries]
    assert all(row["ad_n"] == audit.AD_SIZE for row in rows), rows
    assert all(row["outside_support"] == 0 for row in rows), rows
    rejected = [row for row, no in zip(rows, ad_rejections([r["ad_p_value"] for r in rows]))
                if no]
    assert not rejected, rejected
    (asked,) = [row for entry, row in zip(entries, rows)
                if entry["initializer"] == "truncated_normal_initializer"
                and entry["how"] == "explicit" and entry["support"] == "mean ± 2 stddev"
                and entry["namespace"] in ("tf", "tf.compat.v1")]
    assert asked["ad_p_value"] > 1e-3, asked
