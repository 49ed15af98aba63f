"""The mean-field prediction (measurements/propagation/section/mean_field.py) against numbers
with known answers: closed forms, and Monte Carlo on synthetic numpy samples."""

import math

import numpy as np
import pytest

from initcompat.measurements.propagation.section import mean_field as theory


def test_relu_moments_are_the_closed_form():
    mean, second = theory.activation_moments("relu", 4.0)
    assert mean == pytest.approx(2.0 / math.sqrt(2 * math.pi))
    assert second == pytest.approx(2.0)


def test_tanh_moments_match_monte_carlo():
    z = np.random.default_rng(0).standard_normal(2_000_000)
    mean, second = theory.activation_moments("tanh", 2.5)
    assert mean == pytest.approx(0.0, abs=1e-12)
    assert second == pytest.approx(float(np.mean(np.tanh(math.sqrt(2.5) * z) ** 2)), rel=2e-3)


def test_max_pool_of_relu_matches_monte_carlo():
    z = np.random.default_rng(1).standard_normal((1_000_000, 4))
    pooled = np.maximum(z.max(axis=1), 0.0) * 3.0  # q = 9
    mean, second = theory.max_pool_moments(0.0, 0.0, "relu", 9.0, 4)
    assert mean == pytest.approx(float(pooled.mean()), rel=3e-3)
    assert second == pytest.approx(float(np.mean(pooled ** 2)), rel=3e-3)


def _dense(index, fan_in, units, activation, std):
    return {"index": index, "type": "dense", "activation": activation, "fan_in": fan_in,
            "kernel_shape": [fan_in, units], "kernel_std": std, "kernel_mean": 0.0,
            "declared": {"class_name": None}, "output": {}, "pre_activation": {}}


def test_predicted_std_of_a_random_relu_mlp_matches_its_simulation():
    """A 3-layer ReLU MLP drawn with numpy: the predicted output std per layer is within a few
    per cent of the simulated one (wide layers, many draws)."""
    rng = np.random.default_rng(2)
    x = rng.standard_normal((512, 300))
    widths, sigma = [300, 800, 800, 800], 0.1
    record = {"layers": [_dense(i, widths[i], widths[i + 1], "relu", sigma) for i in range(3)]}
    predicted = theory.predict(record, float(np.mean(x ** 2)), "2.21.0")
    a = x
    for position in range(3):
        a = np.maximum(a @ rng.normal(0, sigma, (widths[position], widths[position + 1])), 0)
        assert predicted[position].std == pytest.approx(float(a.std()), rel=0.05)
        assert predicted[position].weight_source.startswith("drawn")


def test_declared_initializer_sets_the_weight_variance():
    """A declared TruncatedNormal(stddev=0.1) predicts with its truncated variance, 0.7737 * 0.01."""
    layer = _dense(0, 1000, 10, None, 123.0)  # the drawn std must not be used
    layer["declared"] = {"class_name": "TruncatedNormal", "config": {"stddev": 0.1},
                         "module": "keras.src.initializers.random_initializers"}
    (prediction,) = theory.predict({"layers": [layer]}, 2.0, "2.21.0")
    assert prediction.pre_std == pytest.approx(math.sqrt(0.01 * 0.7737413 * 1000 * 2.0), rel=1e-4)


def test_same_padding_lowers_the_border_and_so_the_mean_second_moment():
    """3x3 'same' conv on an 8x8 map of ones: border positions sum 6 or 4 of 9 inputs."""
    layer = {"index": 0, "type": "conv2d", "activation": None, "fan_in": 9,
             "kernel_shape": [3, 3, 1, 4], "kernel_std": 1.0, "kernel_mean": 0.0,
             "declared": {}, "output": {}, "pre_activation": {}}
    model = {"layers": [{"type": "conv2d", "padding": "same"}]}
    (prediction,) = theory.predict({"layers": [layer]}, 1.0, None, np.ones((8, 8)).tolist(), model)
    per_axis = (6 * 3 + 2 * 2) / 8  # in-bounds taps per axis, averaged over positions
    assert prediction.second_moment == pytest.approx(per_axis ** 2)
