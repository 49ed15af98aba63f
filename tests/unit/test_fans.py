"""Fan rules. The probe's fallback (initcompat.probe.identity.documented_fans, used when a
framework offers no fan function) and the report's theory (initcompat.report.fans.compute_fans)
agree on every shape, so a declared distribution is computed with the fans the probe records;
and from Keras 3.15 EinsumDense and MultiHeadAttention kernels take their fans over the axes
their equations name, which the report's theory follows for the Keras that drew them."""

from __future__ import annotations

import itertools
import math

import pytest

from initcompat.probe.identity import documented_fans
from initcompat.report import fans, fit, layer_theory, theory
from initcompat.report.theory import compute_fans

SHAPES = [(), (7,), (96, 40), (40, 96), (5, 6, 20), (5, 3, 6, 20), (3, 2, 4, 3, 8), (1, 1),
          (2, 48), (16, 64), (500, 16), (1, 1, 1, 1)]
SHAPES += [tuple(p) for p in itertools.product((1, 3), (2, 5), (4, 7))]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_probe_and_theory_compute_the_same_fans(shape: tuple) -> None:
    assert tuple(float(f) for f in documented_fans(shape)) == compute_fans(shape)


def test_fans_follow_the_receptive_field_rule() -> None:
    assert documented_fans((5, 3, 6, 20)) == (5 * 3 * 6, 5 * 3 * 20)
    assert documented_fans((96, 40)) == (96, 40)
    assert documented_fans((7,)) == (7, 7)


# ---------------------------------------------------------------- Keras >= 3.15: named fan axes
# (keras-team/keras#22789, first in v3.15.0; initcompat.report.fans has the rule and its sources)

KERAS3 = "keras.src.initializers.random_initializers"
TF_KERAS = "tf_keras.src.initializers.initializers"
EINSUM_CONFIG = {"equation": "ab,bcd->acd", "output_shape": [4, 6], "bias_axes": "cd"}


def test_named_axes_multiply_their_sizes():
    assert fans.compute_fans((20, 4, 6), (0,), (1, 2)) == (20.0, 24.0)
    assert fans.compute_fans((4, 6, 20), (0, 1), (2,)) == (24.0, 20.0)
    assert fans.compute_fans((20, 4, 6), (0,), None) == (80.0, 120.0)  # both or neither


@pytest.mark.parametrize("equation, axes", [
    ("ab,bcd->acd", ((0,), (1, 2))),        # the suite's EinsumDense
    ("abc,cde->abde", ((0,), (1, 2))),      # MultiHeadAttention's query/key/value
    ("abcd,cde->abe", ((0, 1), (2,))),      # its output projection
    ("ab,bc->ac", ((0,), (1,))),            # a Dense
    ("...b,bc->...c", ((0,), (1,))),        # ellipsis on the left
    ("abc...,cd->abd...", ((0,), (1,))),    # on the right
    ("ab,bcd->ac", None),                   # 'd' is in neither spec: Keras refuses
    ("not an equation", None),
])
def test_einsum_kernel_axes_follow_keras_analyze_split_string(equation, axes):
    assert fans.einsum_kernel_axes(equation) == axes


def test_attention_projection_axes():
    assert fans.projection_kernel_axes(1, 3) == ((0,), (1, 2))
    assert fans.projection_kernel_axes(2, 3) == ((0, 1), (2,))
    assert fans.projection_kernel_axes(3, 3) is None


# Real draws, from the committed full-matrix reports/cells.csv (64 builds of the suite's layers,
# n = 30720 values each): the EinsumDense kernel and MultiHeadAttention's query and output
# kernels of keras-3.15-jax (Keras 3.15.1) and keras-3.14-jax (Keras 3.14.1), GlorotUniform.
DRAWN = {
    ("3.15.1", "einsum_dense", "kernel"): dict(
        shape=[20, 4, 6], mean=0.000966, std=0.213190, min=-0.369268, max=0.369259,
        excess_kurtosis=-1.195630, se_mean=0.001216, se_std=0.000545),
    ("3.15.1", "multi_head_attention", "query_kernel"): dict(
        shape=[20, 4, 6], mean=-0.001527, std=0.211336, min=-0.369274, max=0.369248,
        excess_kurtosis=-1.183489, se_mean=0.001206, se_std=0.000545),
    ("3.15.1", "multi_head_attention", "output_kernel"): dict(
        shape=[4, 6, 20], mean=0.000642, std=0.213534, min=-0.369208, max=0.369251,
        excess_kurtosis=-1.204652, se_mean=0.001218, se_std=0.000543),
    ("3.14.1", "einsum_dense", "kernel"): dict(
        shape=[20, 4, 6], mean=0.000149, std=0.100208, min=-0.173193, max=0.173196,
        excess_kurtosis=-1.203414, se_mean=0.000572, se_std=0.000255),
    ("3.14.1", "multi_head_attention", "query_kernel"): dict(
        shape=[20, 4, 6], mean=0.000191, std=0.100222, min=-0.173193, max=0.173196,
        excess_kurtosis=-1.203876, se_mean=0.000572, se_std=0.000255),
    ("3.14.1", "multi_head_attention", "output_kernel"): dict(
        shape=[4, 6, 20], mean=0.001094, std=0.139147, min=-0.240184, max=0.240151,
        excess_kurtosis=-1.205357, se_mean=0.000794, se_std=0.000354),
}


def drawn_cell(keras_version, kind, role, module=KERAS3):
    drawn = dict(DRAWN[(keras_version, kind, role)])
    shape = drawn.pop("shape")
    config = {"seed": None}
    if keras_version.startswith("3.15") and module == KERAS3:
        config.update(input_axes=None, output_axes=None)  # what 3.15's get_config records
    cell = {"status": "ok", "api_family": "keras", "legacy_keras": False, "layer_kind": kind,
            "weight_role": role, "shape": shape,
            "initializer": {"class_name": "GlorotUniform", "module": module, "config": config},
            "layer_config": dict(EINSUM_CONFIG) if kind == "einsum_dense" else {"num_heads": 4,
                                                                                "key_dim": 6}}
    drawn["n"] = 30720
    return cell, drawn


@pytest.mark.parametrize("kind, role", [("einsum_dense", "kernel"),
                                        ("multi_head_attention", "query_kernel"),
                                        ("multi_head_attention", "output_kernel")])
def test_keras_315_draws_are_glorot_over_the_layers_axes(kind, role):
    cell, drawn = drawn_cell("3.15.1", kind, role)
    declared = layer_theory.layer_distribution(cell, "none", "3.15.1")
    limit = math.sqrt(6.0 / (20 + 24))  # fans (20, 24) or (24, 20): +-0.369
    assert declared.support == pytest.approx((-limit, limit))
    assert "fan_in=" in declared.description and "since Keras 3.15" in declared.description
    assert fit.goodness_of_fit(drawn, declared).verdict == fit.VERDICT_CONSISTENT
    # the receptive-field rule (what the page said before): fans (80, 120), +-0.173 (the
    # output kernel: (24, 80), +-0.240)
    old_rule = layer_theory.layer_distribution(cell, "none", "3.14.1")
    assert old_rule.support[1] == pytest.approx(math.sqrt(6.0 / sum(theory.compute_fans(
        cell["shape"]))))
    assert fit.goodness_of_fit(drawn, old_rule).verdict == fit.VERDICT_INCONSISTENT


@pytest.mark.parametrize("kind, role", [("einsum_dense", "kernel"),
                                        ("multi_head_attention", "query_kernel"),
                                        ("multi_head_attention", "output_kernel")])
def test_keras_314_draws_keep_the_receptive_field_rule(kind, role):
    cell, drawn = drawn_cell("3.14.1", kind, role)
    declared = layer_theory.layer_distribution(cell, "none", "3.14.1")
    fan_in, fan_out = theory.compute_fans(cell["shape"])
    assert declared.support[1] == pytest.approx(math.sqrt(6.0 / (fan_in + fan_out)))
    assert fit.goodness_of_fit(drawn, declared).verdict == fit.VERDICT_CONSISTENT
    wrong = layer_theory.layer_distribution(cell, "none", "3.15.1")
    assert fit.goodness_of_fit(drawn, wrong).verdict == fit.VERDICT_INCONSISTENT


def test_the_rule_is_keras_own_not_tf_keras_in_the_same_environment():
    """A 'today' TF environment has Keras 3.15 and tf_keras side by side: tf_keras's
    EinsumDense keeps the receptive-field rule (its draws: +-0.173, as in 3.14)."""
    cell, drawn = drawn_cell("3.14.1", "einsum_dense", "kernel", module=TF_KERAS)
    assert layer_theory.keras_fan_axes(cell, "3.15.1") is None
    declared = layer_theory.layer_distribution(cell, "2.21.0", "3.15.1")
    assert fit.goodness_of_fit(drawn, declared).verdict == fit.VERDICT_CONSISTENT


def test_without_a_recorded_keras_version_the_315_config_says_so():
    cell, _ = drawn_cell("3.15.1", "einsum_dense", "kernel")
    assert layer_theory.keras_fan_axes(cell, None) == ((0,), (1, 2))
    cell314, _ = drawn_cell("3.14.1", "einsum_dense", "kernel")
    assert layer_theory.keras_fan_axes(cell314, None) is None


def test_only_variance_scaling_kernels_of_einsum_layers_get_axes():
    cell, _ = drawn_cell("3.15.1", "einsum_dense", "kernel")
    assert layer_theory.keras_fan_axes(dict(cell, weight_role="bias"), "3.15.1") is None
    assert layer_theory.keras_fan_axes(dict(cell, layer_kind="conv1d"), "3.15.1") is None
    orthogonal = dict(cell, initializer=dict(cell["initializer"], class_name="Orthogonal"))
    assert layer_theory.keras_fan_axes(orthogonal, "3.15.1") is None


def test_axes_a_config_names_win_over_the_layers():
    """EinsumDense fills the axes only when one is None; a user's own axes stay."""
    declared = theory.declared_distribution(
        "GlorotUniform", {"input_axes": [0, 1], "output_axes": [2]}, [20, 4, 6], None, KERAS3,
        fan_axes=((0,), (1, 2)))
    assert declared.support[1] == pytest.approx(math.sqrt(6.0 / (80 + 6)))
    assert "fan_in=80 over axes [0, 1], fan_out=6 over axes [2]" in declared.description


def test_through_the_report_315_fits_and_314_to_315_stays_a_change():
    """Two Keras sessions on jax, the suite's EinsumDense kernel drawn by each one's rule: both
    fit their declaration (no 'declared and drawn disagree'), and the step 3.14 -> 3.15 is
    still a change (the change tests compare draws, not declarations)."""
    from initcompat.report import change
    from initcompat.report.frame import order_results
    from initcompat.report.measured import measure
    from synthetic import cell, result, uniform

    documents = []
    # the configs leave out 3.15's input_axes: the rule must come from the result's Keras version
    for version, limit in (("3.14.1", math.sqrt(6.0 / 200.0)), ("3.15.1", math.sqrt(6.0 / 44.0))):
        kernel = cell("keras", "einsum_dense", "kernel", uniform(limit, n=30720, seed=3),
                      config={"seed": None}, shape=(20, 4, 6))
        kernel["layer_config"] = dict(EINSUM_CONFIG)
        document = result(f"keras-{version[:4]}-jax", "none", [kernel])
        document["env"].update(keras=version[:4], backend="jax")
        document["installed"]["packages"]["keras"] = version
        documents.append(document)
    measured = measure(order_results(tuple(documents)))
    key = ("keras", False, "einsum_dense", "kernel")
    verdicts = {env: measured.analyses[(key, env)].fit_verdict
                for env in ("keras-3.14-jax", "keras-3.15-jax")}
    assert verdicts == {"keras-3.14-jax": fit.VERDICT_CONSISTENT,
                        "keras-3.15-jax": fit.VERDICT_CONSISTENT}
    assert "since Keras 3.15" in measured.analyses[(key, "keras-3.15-jax")].theory
    (step,) = measured.steps[key]
    assert (step.previous_env, step.env, step.verdict) == ("keras-3.14-jax", "keras-3.15-jax",
                                                           change.CHANGED)
