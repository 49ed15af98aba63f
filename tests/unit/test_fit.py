"""Goodness of fit against declared distributions, and fingerprints from samples alone."""

import math

import numpy as np
import pytest
from scipy import stats

from initcompat.probe.moments import summarize_sample
from initcompat.report import theory
from initcompat.report.fit import fingerprint, goodness_of_fit
from initcompat.report.theory import declared_distribution

N = 100000
SHAPE = [96, 40]
KERAS3 = "keras.src.initializers.random_initializers"


def max_abs_gram_offdiag(kernel):
    """The probe's orthogonality statistic for one build of a kernel."""
    matrix = np.asarray(kernel, dtype=np.float64).reshape(-1, kernel.shape[-1])
    if matrix.shape[0] < matrix.shape[1]:
        matrix = matrix.T
    gram = matrix.T @ matrix
    norms = np.sqrt(np.diag(gram))
    with np.errstate(invalid="ignore", divide="ignore"):  # all-zero kernels: nan, not orthogonal
        gram = gram / np.outer(norms, norms)
    return float(np.max(np.abs(gram - np.diag(np.diag(gram)))))


def summary(values, seed=0, gram_from=None):
    """A cell's sample block from float32 draws, as the probe writes it."""
    values = np.asarray(values, dtype=np.float32)
    sample = summarize_sample(values, 1000, seed)
    kernel = values[:3840].reshape(SHAPE) if gram_from is None else gram_from
    sample["first_build_max_abs_gram_offdiag"] = max_abs_gram_offdiag(kernel)
    return sample


def orthogonal_builds(builds, rng, gain=1.0):
    """Haar-random 96x40 kernels as TF draws them (QR of a Gaussian, signs fixed)."""
    q, r = np.linalg.qr(rng.normal(size=(builds, 96, 40)))
    return gain * q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]


@pytest.fixture(scope="module")
def rng():
    return np.random.default_rng(20240601)


# ------------------------------------------------------------------- fingerprint


def test_fingerprint_uniform(rng):
    fp = fingerprint(summary(rng.uniform(-0.0853, 0.0853, N)))
    assert fp.family == "uniform"
    assert fp.label == "uniform on \u00b10.0853"


def test_fingerprint_uncentered_uniform(rng):
    fp = fingerprint(summary(rng.uniform(0.0, 1.0, N)))
    assert fp.label == "uniform on [0, 1]"


def test_fingerprint_normal(rng):
    fp = fingerprint(summary(rng.normal(0.0, 0.05, N)))
    assert fp.family == "normal"
    assert fp.label == "normal, \u03c3=0.05"


def test_fingerprint_truncated_normal(rng):
    values = stats.truncnorm.rvs(-2, 2, scale=0.12, size=N, random_state=rng)
    fp = fingerprint(summary(values))
    assert fp.family == "truncated_normal"
    assert fp.label.startswith("truncated normal at \u00b12\u03c3, \u03c3=")
    assert fp.params["stddev"] == pytest.approx(0.12, rel=0.01)


def test_fingerprint_constant_zero():
    fp = fingerprint(summary(np.zeros(N)))
    assert fp.family == "constant"
    assert fp.label == "constant 0"


def test_fingerprint_orthogonal(rng):
    kernels = orthogonal_builds(27, rng)
    fp = fingerprint(summary(kernels.ravel(), gram_from=kernels[0]))
    assert fp.family == "orthogonal"
    assert fp.label == "orthogonal"


def test_iid_normal_of_orthogonal_scale_is_not_orthogonal(rng):
    fp = fingerprint(summary(rng.normal(0.0, 1 / math.sqrt(96), N)))
    assert fp.family == "normal"


def test_fingerprint_other_for_a_heavy_tailed_sample(rng):
    fp = fingerprint(summary(rng.laplace(0.0, 0.1, N)))
    assert fp.family == "other"
    assert fp.label.startswith("other: mean=")


@pytest.mark.parametrize("family", ["uniform", "normal", "truncated_normal"])
def test_fingerprint_is_stable_over_seeds_at_a_small_sample(family):
    rng = np.random.default_rng(7)
    draws = {"uniform": lambda: rng.uniform(-1, 1, 3840),
             "normal": lambda: rng.normal(0, 1, 3840),
             "truncated_normal": lambda: stats.truncnorm.rvs(-2, 2, size=3840, random_state=rng)}
    families = {fingerprint(summary(draws[family](), seed=i)).family for i in range(20)}
    assert families == {family}


# ------------------------------------------------------------------- goodness of fit


def glorot_uniform():
    return declared_distribution("GlorotUniform", {"seed": None}, SHAPE, "2.21.0", KERAS3)


def test_glorot_uniform_sample_fits_glorot_uniform(rng):
    dist = glorot_uniform()
    result = goodness_of_fit(summary(rng.uniform(*dist.support, N)), dist)
    assert result.verdict == "consistent", result.detail
    assert result.p_value > 0.001


def test_false_alarm_rate_of_the_fit_is_small(rng):
    dist = glorot_uniform()
    verdicts = [goodness_of_fit(summary(rng.uniform(*dist.support, N), seed=i), dist).verdict
                for i in range(30)]
    assert verdicts.count("inconsistent") == 0


def test_normal_of_equal_variance_is_inconsistent_with_glorot_uniform(rng):
    dist = glorot_uniform()
    result = goodness_of_fit(summary(rng.normal(0.0, dist.std, N)), dist)
    assert result.verdict == "inconsistent"
    assert "excess_kurtosis" in result.detail.split("decisive:")[1]


def test_uniform_with_equal_support_but_tiny_scale_error_is_still_consistent(rng):
    # 0.5% wider: significant at n=1e5 but below the 1% practical threshold
    dist = glorot_uniform()
    low, high = dist.support
    result = goodness_of_fit(summary(rng.uniform(low * 0.995, high * 0.995, N)), dist)
    assert result.verdict == "consistent", result.detail


def test_uncorrected_truncation_is_inconsistent_with_the_corrected_theory(rng):
    corrected = declared_distribution("HeNormal", {}, [5, 3, 6, 20], "2.21.0", KERAS3)
    uncorrected = declared_distribution("HeNormal", {}, [5, 3, 6, 20], "1.4.0")
    values = stats.truncnorm.rvs(-2, 2, scale=uncorrected.params["stddev"], size=N,
                                 random_state=rng)
    assert goodness_of_fit(summary(values), uncorrected).verdict == "consistent"
    assert goodness_of_fit(summary(values), corrected).verdict == "inconsistent"


def test_constants_fit_exactly():
    zeros = declared_distribution("zeros_initializer", {}, [40])
    ones = declared_distribution("Ones", {}, [40])
    sample = summary(np.zeros(N))
    assert goodness_of_fit(sample, zeros).verdict == "consistent"
    assert goodness_of_fit(sample, ones).verdict == "inconsistent"


def test_identity_fits_exactly():
    dist = declared_distribution("Identity", {"gain": 1.0}, SHAPE)
    kernel = np.eye(96, 40)
    assert goodness_of_fit(summary(np.tile(kernel.ravel(), 27)), dist).verdict == "consistent"
    assert goodness_of_fit(summary(np.tile(2 * kernel.ravel(), 27)), dist).verdict == "inconsistent"


def test_orthogonal_sample_fits_orthogonal_and_not_iid_of_equal_variance(rng):
    kernels = orthogonal_builds(27, rng)
    sample = summary(kernels.ravel(), gram_from=kernels[0])
    orthogonal = declared_distribution("Orthogonal", {"gain": 1.0}, SHAPE)
    iid = theory.normal(0.0, orthogonal.std, "iid normal of the same variance")
    assert goodness_of_fit(sample, orthogonal).verdict == "consistent"
    assert goodness_of_fit(sample, iid).verdict == "inconsistent"


def test_not_tested_without_a_declaration_or_a_sample(rng):
    assert goodness_of_fit(summary(rng.normal(size=N)), None).verdict == "not tested"
    assert goodness_of_fit(None, glorot_uniform()).verdict == "not tested"
