"""The check that lets the probe draw from a layer's own initializer instead of building layers:
on synthetic samples with known answers (no framework needed)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from initcompat.probe.draws import MIN_RANDOM_SIZE, initializer_draws, ks_two_sample_p, same_draw_rule

SHAPE = (96, 40)
LIMIT = float(np.sqrt(6 / (96 + 40)))


def test_ks_p_value_matches_scipy_on_known_samples() -> None:
    rng = np.random.default_rng(1)
    for a, b in [(rng.uniform(-1, 1, 500), rng.uniform(-1, 1, 700)),
                 (rng.normal(0, 1, 800), rng.normal(0.2, 1, 800)),
                 (rng.uniform(-1, 1, 300), rng.normal(0, 0.58, 300))]:
        expected = stats.ks_2samp(a, b, method="asymp").pvalue
        assert ks_two_sample_p(a, b) == pytest.approx(expected, rel=0.05, abs=1e-4)


def rejection_rate(layer, initializer, trials: int = 40, pooled: int = 15) -> float:
    """How often the rule refuses `pooled` initializer draws against one layer draw."""
    refused = 0
    for _ in range(trials):
        drawn = np.concatenate([initializer().ravel() for _ in range(pooled)])
        refused += not same_draw_rule(layer(), drawn)[0]
    return refused / trials


def test_honest_draws_are_kept() -> None:
    rng = np.random.default_rng(2)
    assert rejection_rate(lambda: rng.uniform(-LIMIT, LIMIT, SHAPE),
                          lambda: rng.uniform(-LIMIT, LIMIT, SHAPE), trials=100) <= 0.02
    assert rejection_rate(lambda: rng.normal(0, 0.1, SHAPE),
                          lambda: rng.normal(0, 0.1, SHAPE), trials=100) <= 0.02


@pytest.mark.parametrize("family", ["uniform", "normal"])
def test_a_ten_percent_scale_change_is_caught(family: str) -> None:
    rng = np.random.default_rng(3)
    draw = (lambda s: rng.uniform(-s, s, SHAPE)) if family == "uniform" else \
        (lambda s: rng.normal(0, s, SHAPE))
    assert rejection_rate(lambda: draw(0.2), lambda: draw(0.22)) >= 0.95


def test_another_family_of_equal_variance_is_caught() -> None:
    rng = np.random.default_rng(4)
    assert rejection_rate(lambda: rng.uniform(-LIMIT, LIMIT, SHAPE),
                          lambda: rng.normal(0, LIMIT / np.sqrt(3), SHAPE)) >= 0.95


def test_lstm_forget_gate_ones_are_not_what_zeros_draws() -> None:
    """An LSTM with unit_forget_bias holds a Zeros initializer but draws ones for one gate."""
    units = 16
    layer = np.concatenate([np.zeros(units), np.ones(units), np.zeros(2 * units)])
    agree, why = same_draw_rule(layer, np.zeros(4 * units))
    assert not agree and "differ" in why
    assert same_draw_rule(np.zeros(4 * units), np.zeros(4 * units))[0]


def test_small_random_weights_are_never_drawn_from_the_initializer() -> None:
    rng = np.random.default_rng(5)
    small = rng.uniform(-1, 1, MIN_RANDOM_SIZE - 1)
    agree, why = same_draw_rule(small, rng.uniform(-1, 1, 100 * small.size))
    assert not agree and "too few" in why


class FakeInitializer:
    """A stand-in with a config, as Keras initializers have (not a framework module)."""

    def __init__(self, seed=None, scale=1.0, rng=None):
        self.seed, self.scale = seed, scale
        self.rng = np.random.default_rng(seed) if rng is None else rng

    def get_config(self):
        return {"seed": self.seed, "scale": self.scale}

    @classmethod
    def from_config(cls, config):
        return cls(rng=cls.shared if config["seed"] is None else None, **config)

    def __call__(self, shape, dtype=None):
        return (self.scale * self.rng.uniform(-1, 1, shape)).astype(np.float32)


FakeInitializer.shared = np.random.default_rng(6)


class RepeatingInitializer(FakeInitializer):
    """Unseeded, yet every instance draws the same values (a stateless op with a fixed seed)."""

    @classmethod
    def from_config(cls, config):
        return cls(rng=np.random.default_rng(0), **config)


def test_initializer_draws_start_with_the_layer_values_and_reach_the_count() -> None:
    layer = FakeInitializer()(SHAPE)
    arrays, method = initializer_draws(layer, FakeInitializer(), 5, np.asarray)
    assert len(arrays) == 5 and arrays[0] is layer
    assert all(a.shape == SHAPE for a in arrays)
    assert len({a.tobytes() for a in arrays}) == 5  # fresh instances: fresh values
    assert "4 draws from fresh FakeInitializer instances" in method


def test_initializer_draws_refuse_what_would_not_be_fresh_layer_draws() -> None:
    layer = FakeInitializer()(SHAPE)
    refused = {"seeded": FakeInitializer(seed=5), "another law": FakeInitializer(scale=3.0),
               "copies": RepeatingInitializer(), "no config": object()}
    for case, initializer in refused.items():
        arrays, why = initializer_draws(layer, initializer, 5, np.asarray)
        assert arrays is None and why, case
    assert "repeats" in initializer_draws(layer, RepeatingInitializer(), 5, np.asarray)[1]
