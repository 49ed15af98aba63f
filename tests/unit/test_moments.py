"""Moments and sample summaries against closed-form answers on synthetic samples."""

import json
import math

import numpy as np
import pytest

from initcompat.probe.moments import compute_moments, fingerprint_bytes, summarize_sample
from initcompat.probe.schema import QUANTILE_PROBS


def test_moments_of_a_small_sample_match_hand_computation():
    moments = compute_moments([1.0, 2.0, 3.0, 4.0])
    assert moments["n"] == 4
    assert moments["mean"] == pytest.approx(2.5)
    assert moments["std"] == pytest.approx(math.sqrt(1.25))  # population std
    assert moments["skewness"] == pytest.approx(0.0)
    # m4 / m2^2 - 3 for 1..4: m2 = 1.25, m4 = (2*3.375^... ) computed directly
    m4 = np.mean((np.array([1, 2, 3, 4]) - 2.5) ** 4)
    assert moments["excess_kurtosis"] == pytest.approx(m4 / 1.25 ** 2 - 3)
    assert (moments["min"], moments["max"]) == (1.0, 4.0)


def test_uniform_sample_has_uniform_moments_within_standard_errors():
    limit = 0.2
    values = np.random.RandomState(0).uniform(-limit, limit, 200_000)
    moments = compute_moments(values)
    assert abs(moments["mean"]) < 4 * moments["se_mean"]
    assert moments["std"] == pytest.approx(limit / math.sqrt(3), abs=4 * moments["se_std"])
    assert moments["excess_kurtosis"] == pytest.approx(-1.2, abs=4 * moments["se_excess_kurtosis"])
    assert moments["se_std"] == pytest.approx(moments["std"] * math.sqrt(0.8 / (4 * 200_000)), rel=0.05)


def test_constant_sample_has_null_shape_moments_and_is_json_safe():
    moments = compute_moments(np.zeros(50))
    assert moments["std"] == 0.0
    assert moments["skewness"] is None and moments["excess_kurtosis"] is None
    json.dumps(moments, allow_nan=False)


def test_empty_sample_is_an_error():
    with pytest.raises(ValueError):
        compute_moments([])


def test_summary_has_fixed_quantiles_histogram_and_seeded_subsample():
    values = np.random.RandomState(1).normal(0, 1, 10_000)
    first = summarize_sample(values, 500, seed=7)
    again = summarize_sample(values, 500, seed=7)
    assert first["quantiles"]["probs"] == list(QUANTILE_PROBS)
    assert first["quantiles"]["values"][QUANTILE_PROBS.index(0.5)] == pytest.approx(np.median(values))
    assert sum(first["histogram"]["counts"]) == 10_000
    assert len(first["histogram"]["edges"]) == len(first["histogram"]["counts"]) + 1
    assert len(first["subsample"]) == 500 and first["subsample"] == again["subsample"]
    assert set(first["subsample"]) <= set(values.tolist())
    json.dumps(first, allow_nan=False)


def test_small_sample_is_kept_whole():
    summary = summarize_sample([0.5, -0.5, 0.25], 1000, seed=0)
    assert summary["subsample"] == [0.5, -0.5, 0.25]


def test_fingerprint_is_of_float32_bytes():
    a = fingerprint_bytes(np.array([[1.0, 2.0], [3.0, 4.0]]))
    b = fingerprint_bytes(np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32))
    c = fingerprint_bytes(np.array([[1.0, 2.0], [3.0, 4.5]]))
    assert a == b
    assert a["sha256"] != c["sha256"]
    assert a["first_values"] == [1.0, 2.0, 3.0, 4.0]
