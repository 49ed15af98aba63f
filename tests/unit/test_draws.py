"""The check that lets the probe draw from a layer's own initializer instead of building layers:
on synthetic samples with known answers (no framework needed)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from initcompat.probe.draws import initializer_draws, ks_two_sample_p, same_draw_rule


def test_ks_p_value_matches_scipy_on_known_samples() -> None:
    rng = np.random.default_rng(1)
    for a, b in [(rng.uniform(-1, 1, 500), rng.uniform(-1, 1, 700)),
                 (rng.normal(0, 1, 800), rng.normal(0.2, 1, 800)),
                 (rng.uniform(-1, 1, 300), rng.normal(0, 0.58, 300))]:
        expected = stats.ks_2samp(a, b, method="asymp").pvalue
        assert ks_two_sample_p(a, b) == pytest.approx(expected, rel=0.05, abs=1e-4)


def test_another_draw_of_the_same_distribution_agrees() -> None:
    rng = np.random.default_rng(2)
    limit = np.sqrt(6 / (96 + 40))
    agree, why = same_draw_rule(rng.uniform(-limit, limit, (96, 40)),
                                rng.uniform(-limit, limit, (96, 40)))
    assert agree, why


@pytest.mark.parametrize("scale", [0.9, 1.1, 2.0])
def test_a_scale_change_of_ten_percent_is_caught(scale: float) -> None:
    rng = np.random.default_rng(3)
    layer = rng.uniform(-0.2, 0.2, (96, 40))
    agree, why = same_draw_rule(layer, scale * rng.uniform(-0.2, 0.2, (96, 40)))
    assert not agree and "std z" in why


def test_another_family_of_equal_variance_is_caught() -> None:
    rng = np.random.default_rng(4)
    limit = 0.2
    layer = rng.uniform(-limit, limit, (96, 40))
    agree, _ = same_draw_rule(layer, rng.normal(0, limit / np.sqrt(3), (96, 40)))
    assert not agree


def test_lstm_forget_gate_ones_are_not_what_zeros_draws() -> None:
    """An LSTM with unit_forget_bias holds a Zeros initializer but draws ones for one gate."""
    units = 16
    layer = np.concatenate([np.zeros(units), np.ones(units), np.zeros(2 * units)])
    agree, why = same_draw_rule(layer, np.zeros(4 * units))
    assert not agree and "differ" in why
    assert same_draw_rule(np.zeros(4 * units), np.zeros(4 * units))[0]


def test_a_shape_mismatch_is_caught() -> None:
    agree, why = same_draw_rule(np.zeros((2, 48)), np.zeros(96))
    assert not agree and "shape" in why


class Seeded:
    """A stand-in initializer with a config, as Keras initializers have (not a framework)."""

    def __init__(self, seed=None, scale=1.0):
        self.seed, self.scale = seed, scale
        self.rng = np.random.default_rng(seed)

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale}

    @classmethod
    def from_config(cls, config):
        return cls(**config)

    def __call__(self, shape, dtype=None):
        return self.scale * self.rng.uniform(-1, 1, shape).astype(np.float32)


def test_initializer_draws_start_with_the_layer_values_and_reach_the_count() -> None:
    layer = Seeded(seed=None)((96, 40))
    arrays, method = initializer_draws(layer, Seeded(), 5, np.asarray)
    assert len(arrays) == 5 and arrays[0] is layer
    assert all(a.shape == (96, 40) for a in arrays)
    assert not np.array_equal(arrays[1], arrays[2])  # fresh instances: fresh values
    assert "4 draws from fresh Seeded instances" in method


def test_initializer_draws_refuse_a_seeded_or_disagreeing_initializer() -> None:
    layer = Seeded()((96, 40))
    assert initializer_draws(layer, Seeded(seed=5), 5, np.asarray) is None  # would repeat
    assert initializer_draws(layer, Seeded(scale=3.0), 5, np.asarray) is None  # not the layer's
    assert initializer_draws(layer, object(), 5, np.asarray) is None  # no config to copy
