"""Declared distributions: closed forms, spellings, fans and version-dependent facts."""

import math

import numpy as np
import pytest
from scipy import stats

from initcompat.report import theory
from initcompat.report.theory import compute_fans, declared_distribution

KERAS3 = "keras.src.initializers.random_initializers"
TF1_INIT_OPS = "tensorflow.python.ops.init_ops"
TF_KERAS_1X = "tensorflow.python.keras.initializers"


def test_fans_follow_tf_and_keras():
    assert compute_fans([96, 40]) == (96, 40)
    assert compute_fans([5, 3, 6, 20]) == (90, 300)
    assert compute_fans([7]) == (7, 7)
    assert compute_fans([]) == (1, 1)
    assert compute_fans([4, 6, 8]) == (24, 32)


def test_truncation_correction_is_the_std_of_a_standard_normal_cut_at_two():
    assert theory.TRUNCATION_STD_FACTOR == pytest.approx(stats.truncnorm.std(-2, 2), rel=1e-15)
    assert theory.TRUNCATION_STD_FACTOR ** 2 == pytest.approx(0.7737413035499232, rel=1e-12)


@pytest.mark.parametrize("name", ["GlorotUniform", "glorot_uniform", "glorot_uniform_initializer",
                                  "GlorotUniformV2", "xavier_uniform"])
def test_glorot_uniform_closed_form_in_every_spelling(name):
    dist = declared_distribution(name, {"seed": None}, [96, 40], "2.21.0", KERAS3)
    limit = math.sqrt(6.0 / 136.0)
    assert dist.family == "uniform"
    assert dist.support == pytest.approx((-limit, limit))
    assert dist.variance == pytest.approx((2 * limit) ** 2 / 12.0)
    assert dist.excess_kurtosis == -1.2
    assert "uniform on \u00b10.21 (Glorot: limit=sqrt(6/(fan_in+fan_out))" in dist.description


def test_he_normal_conv_kernel_is_corrected_in_modern_versions():
    dist = declared_distribution("HeNormal", {"seed": None}, [5, 3, 6, 20], "2.21.0", KERAS3)
    assert dist.family == "truncated_normal"
    assert dist.params["stddev"] == pytest.approx(math.sqrt(2.0 / 90.0) / 0.87962566103423978)
    assert dist.std == pytest.approx(math.sqrt(2.0 / 90.0), rel=1e-12)
    assert dist.support[1] == pytest.approx(2.0 * dist.params["stddev"])


def test_variance_scaling_normal_is_uncorrected_before_tf_1_10():
    config = {"scale": 2.0, "mode": "fan_in", "distribution": "normal", "seed": None}
    old = declared_distribution("VarianceScaling", config, [5, 3, 6, 20], "1.4.0", TF1_INIT_OPS)
    new = declared_distribution("VarianceScaling", config, [5, 3, 6, 20], "1.10.0", TF1_INIT_OPS)
    assert old.params["stddev"] == pytest.approx(math.sqrt(2.0 / 90.0))
    assert old.std == pytest.approx(0.87962566103423978 * math.sqrt(2.0 / 90.0))
    assert new.std == pytest.approx(math.sqrt(2.0 / 90.0))


def test_keras3_module_is_corrected_whatever_version_string():
    dist = declared_distribution("GlorotNormal", {}, [96, 40], None, KERAS3)
    assert dist.std == pytest.approx(math.sqrt(2.0 / 136.0))


def test_variance_scaling_distributions_and_modes():
    shape = [96, 40]
    uniform = declared_distribution("VarianceScaling", {"scale": 3.0, "mode": "fan_out",
                                                        "distribution": "uniform"}, shape, "2.5.0")
    assert uniform.support[1] == pytest.approx(math.sqrt(9.0 / 40.0))
    untruncated = declared_distribution("variance_scaling_initializer",
                                        {"scale": 1.0, "mode": "fan_avg",
                                         "distribution": "untruncated_normal"}, shape, "2.5.0")
    assert untruncated.family == "normal"
    assert untruncated.std == pytest.approx(math.sqrt(1.0 / 68.0))
    assert untruncated.support == (-math.inf, math.inf)
    assert declared_distribution("VarianceScaling", {"mode": "fan_geo"}, shape) is None


def test_lecun_uniform_and_he_uniform():
    lecun = declared_distribution("lecun_uniform", {}, [96, 40], "2.0.0")
    he = declared_distribution("HeUniform", {}, [96, 40], "2.0.0")
    assert lecun.support[1] == pytest.approx(math.sqrt(3.0 / 96.0))
    assert he.support[1] == pytest.approx(math.sqrt(6.0 / 96.0))


def test_random_defaults_depend_on_implementation_and_version():
    tf1 = declared_distribution("RandomNormal", {}, [10], "1.15.0", TF1_INIT_OPS)
    keras = declared_distribution("RandomNormal", {}, [10], "2.21.0", KERAS3)
    tf_keras_old = declared_distribution("RandomUniform", {}, [10], "1.10.0", TF_KERAS_1X)
    tf_keras_new = declared_distribution("RandomUniform", {}, [10], "1.11.0", TF_KERAS_1X)
    assert tf1.std == 1.0
    assert keras.std == 0.05
    assert tf_keras_old.support == (0.0, 1.0)
    assert tf_keras_new.support == (-0.05, 0.05)
    explicit = declared_distribution("random_uniform_initializer",
                                     {"minval": -0.3, "maxval": 0.1}, [10], "1.4.0", TF1_INIT_OPS)
    assert explicit.support == (-0.3, 0.1)
    assert explicit.mean == pytest.approx(-0.1)


def test_truncated_normal_stddev_is_before_truncation():
    dist = declared_distribution("TruncatedNormal", {"mean": 0.0, "stddev": 0.05}, [10], "2.21.0")
    assert dist.support == pytest.approx((-0.1, 0.1))
    assert dist.std == pytest.approx(0.05 * 0.87962566103423978)
    expected_kurt = float(stats.truncnorm.stats(-2, 2, moments="k"))
    assert dist.excess_kurtosis == pytest.approx(expected_kurt)
    assert dist.excess_kurtosis == pytest.approx(-0.6344633, abs=1e-6)


@pytest.mark.parametrize("name,config,value", [
    ("Zeros", {}, 0.0), ("zeros_initializer", {"dtype": "float32"}, 0.0), ("Ones", {}, 1.0),
    ("ones_initializer", {}, 1.0), ("Constant", {"value": 0.5}, 0.5),
    ("constant_initializer", {"value": [2.0, 2.0]}, 2.0)])
def test_constants(name, config, value):
    dist = declared_distribution(name, config, [40])
    assert dist.family == "constant"
    assert dist.params["value"] == value
    assert dist.variance == 0.0
    assert list(dist.cdf([value - 1e-3, value])) == [0.0, 1.0]


def test_uniform_unit_scaling_uses_input_size_and_factor():
    dist = declared_distribution("uniform_unit_scaling_initializer", {"factor": 1.15},
                                 [5, 3, 6, 20], "1.4.0", TF1_INIT_OPS)
    assert dist.support[1] == pytest.approx(1.15 * math.sqrt(3.0 / 90.0))


def test_contrib_xavier_uniform_equals_glorot_uniform():
    contrib = declared_distribution("xavier_initializer", {"uniform": True}, [96, 40], "1.4.0")
    glorot = declared_distribution("GlorotUniform", {}, [96, 40], "1.4.0")
    assert contrib.support == pytest.approx(glorot.support)


def test_orthogonal_marginal_matches_numpy_qr():
    dist = declared_distribution("Orthogonal", {"gain": 1.0}, [96, 40])
    assert dist.variance == pytest.approx(1.0 / 96.0)
    assert dist.excess_kurtosis == pytest.approx(-6.0 / 98.0)
    rng = np.random.default_rng(3)
    q, r = np.linalg.qr(rng.normal(size=(3000, 96, 40)))
    q = q * np.sign(np.diagonal(r, axis1=1, axis2=2))[:, None, :]
    entries = q[:, 5, 7]  # one entry per independent matrix: iid draws of the marginal
    assert stats.kstest(entries, dist.cdf).pvalue > 1e-3
    assert np.var(q) == pytest.approx(dist.variance, rel=0.01)


def test_identity_is_a_two_point_distribution():
    dist = declared_distribution("Identity", {"gain": 2.0}, [96, 40])
    assert dist.family == "identity"
    assert dist.params["p"] == pytest.approx(40.0 / 3840.0)
    assert dist.mean == pytest.approx(2.0 * 40.0 / 3840.0)
    values = (2.0 * np.eye(96, 40)).ravel()
    assert dist.variance == pytest.approx(np.var(values))
    assert dist.excess_kurtosis == pytest.approx(stats.kurtosis(values))


@pytest.mark.parametrize("name,shape", [("STFTInitializer", [96, 40]), ("MyCustomInit", [96, 40]),
                                        ("Orthogonal", [40]), ("Identity", [5, 3, 6, 20]),
                                        ("constant_initializer", [3])])
def test_unknown_or_inapplicable_gives_none(name, shape):
    config = {"value": [1.0, 2.0, 3.0]} if name == "constant_initializer" else {}
    assert declared_distribution(name, config, shape) is None


def test_kurtosis_standard_error_formula():
    normal = theory.normal(0.0, 3.0, "n")
    uniform = theory.uniform(-1.0, 1.0, "u")
    assert normal.kurtosis_se(1000) == pytest.approx(math.sqrt(24.0 / 1000))
    assert uniform.kurtosis_se(1000) == pytest.approx(math.sqrt(1.3165714 / 1000), rel=1e-6)
    # and the formula describes what sampling actually does
    rng = np.random.default_rng(0)
    kurts = stats.kurtosis(rng.uniform(-1, 1, size=(2000, 2000)), axis=1)
    assert np.std(kurts) == pytest.approx(uniform.kurtosis_se(2000), rel=0.1)


def test_cdf_of_uniform_normal_truncated():
    assert theory.uniform(-1, 1, "u").cdf([0.0, 1.0])[0] == pytest.approx(0.5)
    assert theory.normal(0, 2, "n").cdf(2.0) == pytest.approx(stats.norm.cdf(1.0))
    trunc = theory.truncated_normal(0.0, 1.0, "t")
    assert trunc.cdf([-2.0, 0.0, 2.0]) == pytest.approx([0.0, 0.5, 1.0])
