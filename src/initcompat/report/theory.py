"""What a declared initializer should draw: its distribution for a shape, per framework version.

Version-dependent facts, with the source each one was checked against:

* TF_TRUNCATION_CORRECTION_SINCE = (1, 10). VarianceScaling with distribution "normal"
  draws tf.truncated_normal (cut at +-2 stddev). Up to TF 1.9 the stddev passed was
  sqrt(scale/n) itself, so the drawn variance is 0.7737 * scale/n: tensorflow/tensorflow,
  tensorflow/python/ops/init_ops.py as stored for the 1.x line before mid-2018 (`if
  self.distribution == "normal": stddev = math.sqrt(scale); return
  random_ops.truncated_normal(...)`), and issue tensorflow/tensorflow#16344 (Jan 2018)
  measuring exactly that. Fixed by dividing by .87962566103423978 (the std of a standard
  normal cut at +-2) after tensorflow/tensorflow#18706; "truncated_normal" and
  "untruncated_normal" were added and "normal" made a deprecated alias of
  "truncated_normal" by PR tensorflow/tensorflow#20197 (merged June 2018, whose author and
  the #18706 reporter are both credited in RELEASE.md "Release 1.10.0"); the r1.15 and
  r2.x documentation of tf.initializers.variance_scaling says "standard deviation (after
  truncation, if used)". First release with the correction inferred: 1.10. NOT verified
  against the v1.9.0/v1.10.0 tags (the index holds only one old init_ops.py); the probe's
  fit verdicts for 1.9 and 1.10 are the check.
* Keras 3 (keras-team/keras, keras/src/initializers/random_initializers.py, 3.x):
  "normal" is renamed "truncated_normal" and divided by 0.87962566103423978; RandomNormal
  stddev 0.05, RandomUniform +-0.05, TruncatedNormal stddev 0.05 (cut at +-2 stddev).
* Standalone Keras 2 (keras-team/keras, keras/initializers.py, 2.0/2.1 line): the same
  0.05 defaults; VarianceScaling "normal" uncorrected until the correction entered
  keras/initializers.py during 2.2.x (from 2.2.3, not verified against tags). A standalone
  Keras module is judged by the TF rule above, which matches for every TF/Keras pairing
  except Keras < 2.2.3 installed next to TF 1.10/1.11.
* tf.keras RandomUniform/RandomNormal/TruncatedNormal defaults became Keras' (+-0.05,
  0.05, 0.05) in TF 1.11: tensorflow/tensorflow RELEASE.md, "Release 1.11.0", Breaking
  Changes. Before, tf.keras re-exported init_ops (stddev 1.0, uniform [0, 1)), which
  tf.compat.v1's *_initializer functions keep in every version (init_ops.py). TF 2's
  tf.initializers (init_ops_v2.py) use the Keras defaults. Defaults only matter when a
  config omits the parameter: every get_config of these classes records them.
* Fans (all of TF init_ops, init_ops_v2, tf.keras, Keras 2.2+, Keras 3): scalar -> (1, 1);
  1-D -> (n, n); 2-D -> (in, out); k-D -> receptive field prod(shape[:-2]) times
  shape[-2] / shape[-1]. Keras 2.0/2.1 differed for 1-D and 3-D shapes (sqrt(prod(shape)));
  not modelled.
"""

import functools
import math
import re
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Sequence, Tuple

import numpy as np
from scipy import special, stats

# std of a standard normal truncated to [-2, 2]; the literal TF and Keras divide by.
TRUNCATION_STD_FACTOR = 0.87962566103423978
TRUNCATION_BOUND = 2.0  # tf.random.truncated_normal redraws beyond +-2 stddev.
TF_TRUNCATION_CORRECTION_SINCE = (1, 10)
TF_KERAS_DEFAULTS_SINCE = (1, 11)
KERAS_DEFAULT_SCALE = 0.05  # Keras RandomNormal/TruncatedNormal stddev and RandomUniform limit.
# tf.contrib.layers.variance_scaling_initializer's own (approximate) truncation correction.
CONTRIB_TRUNCATED_VARIANCE_FACTOR = 1.3

FAMILIES = ("uniform", "normal", "truncated_normal", "constant", "orthogonal", "identity",
            "discrete")
# Families whose draws are fixed values: their fit is exact, not statistical.
EXACT_FAMILIES = ("constant", "identity", "discrete")
# Families whose cdf is a scipy distribution of `params` (the sum of two uniforms: PyTorch's
# RNN biases bias_ih + bias_hh, as the gates add them).
TRIANGULAR = "triangular"


@dataclass(frozen=True)
class Distribution:
    """The distribution of one weight entry that an initializer declares."""

    family: str
    params: Mapping[str, Any]
    support: Tuple[float, float]
    mean: float
    variance: float
    skewness: float
    excess_kurtosis: float
    description: str
    central_moments: Tuple[float, ...] = field(default=(), repr=False)  # mu_1..mu_8

    @property
    def std(self) -> float:
        """Standard deviation."""
        return math.sqrt(self.variance)

    def central_moment(self, k: int) -> float:
        """k-th central moment (k = 1..8)."""
        return self.central_moments[k - 1]

    def cdf(self, x: Any) -> np.ndarray:
        """Cumulative distribution function, vectorized."""
        x = np.asarray(x, dtype=np.float64)
        p = self.params
        if self.family == "uniform":
            return stats.uniform.cdf(x, loc=p["low"], scale=p["high"] - p["low"])
        if self.family == "normal":
            return stats.norm.cdf(x, loc=p["mean"], scale=p["stddev"])
        if self.family == "truncated_normal":
            # (Phi(z) - Phi(a)) / (Phi(b) - Phi(a)), clipped to the support: what
            # stats.truncnorm.cdf computes, without its per-call overhead (milliseconds)
            z = (x - p["mean"]) / p["stddev"]
            low, high = special.ndtr(p["a"]), special.ndtr(p["b"])
            return np.clip((special.ndtr(np.clip(z, p["a"], p["b"])) - low) / (high - low),
                           0.0, 1.0)
        if self.family == "constant":
            return (x >= p["value"]).astype(np.float64)
        if self.family == "orthogonal":
            return _orthogonal_marginal(p["dim"], p["gain"]).cdf(x)
        if self.family == "identity":
            at_zero = (x >= 0.0) * (1.0 - p["p"])
            at_gain = (x >= p["gain"]) * p["p"]
            return np.asarray(at_zero + at_gain, dtype=np.float64)
        if self.family == "discrete":
            return np.asarray(sum((x >= value) * weight for value, weight
                                  in zip(p["values"], p["weights"])), dtype=np.float64)
        if self.family == TRIANGULAR:
            return stats.triang.cdf(x, 0.5, loc=p["low"], scale=p["high"] - p["low"])
        raise ValueError("no cdf for family %r" % self.family)

    def kurtosis_se(self, n: int) -> float:
        """Asymptotic standard error of the sample excess kurtosis of n draws (nan if undefined)."""
        if len(self.central_moments) < 8 or self.variance <= 0.0 or n <= 0:
            return float("nan")
        if abs(self.central_moment(3)) > 1e-12 * self.variance ** 1.5:
            return float("nan")  # the formula below assumes symmetry
        mu2, mu4, mu6, mu8 = (self.central_moment(k) for k in (2, 4, 6, 8))
        return math.sqrt(kurtosis_variance_factor(mu2, mu4, mu6, mu8) / n)


def kurtosis_variance_factor(mu2: float, mu4: float, mu6: float, mu8: float) -> float:
    """n * Var(sample kurtosis) for a symmetric distribution, by the delta method.

    The familiar sqrt(24/n) holds only for the normal; a uniform's is ~4x smaller, which is
    what makes kurtosis the sharpest family discriminator.
    """
    return (mu8 / mu2 ** 4 - 4.0 * mu4 * mu6 / mu2 ** 5 + 4.0 * mu4 ** 3 / mu2 ** 6
            - mu4 ** 2 / mu2 ** 4)


def parse_version(version: Optional[str]) -> Optional[Tuple[int, int]]:
    """(major, minor) of a version string such as '2.16.0rc0'; None if absent or unparsable."""
    if not version:
        return None
    match = re.match(r"\s*(\d+)\.(\d+)", str(version))
    return (int(match.group(1)), int(match.group(2))) if match else None


def compute_fans(shape: Sequence[int]) -> Tuple[float, float]:
    """(fan_in, fan_out) as TF's and Keras' _compute_fans compute them."""
    shape = [int(d) for d in shape]
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive_field = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    return shape[-2] * receptive_field, shape[-1] * receptive_field


def normalize_class_name(class_name: str) -> str:
    """Spelling-independent key: lower case, no underscores, no 'initializer' or V1/V2 suffix."""
    key = re.sub(r"[^a-z0-9]", "", str(class_name).lower())
    key = re.sub(r"(initializer)?(v1|v2)?$", "", key)
    return re.sub(r"initializer$", "", key)


# ---------------------------------------------------------------- family constructors


def _moments_symmetric(even: Mapping[int, float]) -> Tuple[float, ...]:
    """mu_1..mu_8 from the even central moments of a symmetric distribution."""
    return tuple(0.0 if k % 2 else float(even[k]) for k in range(1, 9))


def uniform(low: float, high: float, description: str) -> Distribution:
    """Uniform on [low, high]."""
    half = (high - low) / 2.0
    return Distribution(
        family="uniform", params={"low": float(low), "high": float(high)},
        support=(float(low), float(high)), mean=(low + high) / 2.0,
        variance=(high - low) ** 2 / 12.0,
        skewness=0.0, excess_kurtosis=-1.2, description=description,
        central_moments=_moments_symmetric({k: half ** k / (k + 1) for k in (2, 4, 6, 8)}))


def normal(mean: float, stddev: float, description: str) -> Distribution:
    """Untruncated normal."""
    double_factorial = {2: 1, 4: 3, 6: 15, 8: 105}
    return Distribution(
        family="normal", params={"mean": float(mean), "stddev": float(stddev)},
        support=(-math.inf, math.inf), mean=float(mean), variance=float(stddev) ** 2,
        skewness=0.0, excess_kurtosis=0.0, description=description,
        central_moments=_moments_symmetric({k: double_factorial[k] * stddev ** k
                                            for k in (2, 4, 6, 8)}))


@functools.lru_cache(maxsize=None)
def _standard_truncated_moments(bound: float) -> tuple:
    """(variance, excess kurtosis, {k: E[z^k]}) of a standard normal cut at +-bound: constants
    (scipy takes milliseconds for them, and a report asks thousands of times)."""
    standard = stats.truncnorm(-bound, bound)
    _, var, _, kurt = (float(v) for v in standard.stats(moments="mvsk"))
    return var, kurt, {k: float(standard.moment(k)) for k in (2, 4, 6, 8)}


def truncated_normal(mean: float, stddev: float, description: str,
                     bound: float = TRUNCATION_BOUND) -> Distribution:
    """Normal(mean, stddev) truncated to mean +- bound*stddev; stddev is the untruncated one."""
    var, kurt, moments = _standard_truncated_moments(float(bound))
    return Distribution(
        family="truncated_normal",
        params={"mean": float(mean), "stddev": float(stddev), "a": -bound, "b": bound},
        support=(mean - bound * stddev, mean + bound * stddev), mean=float(mean),
        variance=var * stddev ** 2, skewness=0.0, excess_kurtosis=kurt, description=description,
        central_moments=_moments_symmetric({k: moments[k] * stddev ** k for k in (2, 4, 6, 8)}))


def constant(value: float, description: str) -> Distribution:
    """All entries equal `value`."""
    return Distribution(
        family="constant", params={"value": float(value)}, support=(float(value), float(value)),
        mean=float(value), variance=0.0, skewness=float("nan"), excess_kurtosis=float("nan"),
        description=description, central_moments=(0.0,) * 8)


@functools.lru_cache(maxsize=None)
def _orthogonal_marginal(dim: int, gain: float):
    """One entry of a Haar-random column in R^dim: gain*(2B-1), B ~ Beta((dim-1)/2, (dim-1)/2)."""
    a = (dim - 1) / 2.0
    return stats.beta(a, a, loc=-gain, scale=2.0 * gain)


def orthogonal(rows: int, cols: int, gain: float) -> Distribution:
    """Marginal of one entry of gain * (a Haar-random orthogonal (rows, cols) matrix)."""
    dim = max(rows, cols)
    if dim < 2:
        return constant(gain, "orthogonal 1x1: +-gain")  # degenerate; not met in practice
    return Distribution(
        family="orthogonal", params={"gain": float(gain), "rows": rows, "cols": cols, "dim": dim},
        support=(-float(gain), float(gain)), mean=0.0, variance=gain ** 2 / dim, skewness=0.0,
        # symmetric Beta(a, a): excess kurtosis -6/(2a+3) = -6/(dim+2)
        excess_kurtosis=-6.0 / (dim + 2.0),
        description="orthogonal %dx%d, gain %g: entries ~ gain*(2*Beta(%g,%g)-1), var=gain^2/%d"
                    % (rows, cols, gain, (dim - 1) / 2.0, (dim - 1) / 2.0, dim),
        central_moments=_moments_symmetric({k: gain ** k * symmetric_beta_even_moment(dim, k)
                                            for k in (2, 4, 6, 8)}))


def symmetric_beta_even_moment(dim: int, k: int) -> float:
    """E[Y^k] for even k, Y = 2B-1, B ~ Beta(a, a), a = (dim-1)/2: prod_j (2j+1)/(dim+2j).

    Closed form (the density is proportional to (1-y^2)^(a-1)); scipy's numerical moment()
    took a second per call.
    """
    value = 1.0
    for j in range(k // 2):
        value *= (2.0 * j + 1.0) / (dim + 2.0 * j)
    return value


def identity(rows: int, cols: int, gain: float) -> Distribution:
    """gain * eye(rows, cols): a two-point distribution on {0, gain}."""
    p = min(rows, cols) / float(rows * cols)
    q = 1.0 - p
    mean = p * gain
    variance = gain ** 2 * p * q
    moments = tuple(q * (-mean) ** k + p * (gain - mean) ** k for k in range(1, 9))
    if variance > 0:
        skew = (q - p) / math.sqrt(p * q)
        kurt = (1.0 - 6.0 * p * q) / (p * q)
    else:
        skew = kurt = float("nan")
    return Distribution(
        family="identity", params={"gain": float(gain), "rows": rows, "cols": cols, "p": p},
        support=(min(0.0, gain), max(0.0, gain)), mean=mean, variance=variance, skewness=skew,
        excess_kurtosis=kurt,
        description="identity %dx%d times %g: %d of %d entries equal %g, the rest 0"
                    % (rows, cols, gain, min(rows, cols), rows * cols, gain),
        central_moments=moments)


def triangular(half_width: float, description: str) -> Distribution:
    """Symmetric triangular on +-half_width (the sum of two U(+-half_width/2)): E[X^k] =
    2 a^k / ((k+1)(k+2)) for even k, variance a^2/6, excess kurtosis -0.6."""
    a = float(half_width)
    return Distribution(
        family=TRIANGULAR, params={"low": -a, "high": a}, support=(-a, a), mean=0.0,
        variance=a * a / 6.0, skewness=0.0, excess_kurtosis=-0.6, description=description,
        central_moments=_moments_symmetric({k: 2.0 * a ** k / ((k + 1) * (k + 2))
                                            for k in (2, 4, 6, 8)}))


def discrete(values: Sequence[float], weights: Sequence[float], description: str) -> Distribution:
    """Fixed values in fixed proportions (an LSTM bias: zeros, and ones for the forget gate)."""
    values = [float(v) for v in values]
    weights = [float(w) for w in weights]
    mean = sum(v * w for v, w in zip(values, weights))
    moments = tuple(sum(w * (v - mean) ** k for v, w in zip(values, weights)) for k in range(1, 9))
    variance = moments[1]
    skew = moments[2] / variance ** 1.5 if variance > 0 else float("nan")
    kurt = moments[3] / variance ** 2 - 3.0 if variance > 0 else float("nan")
    return Distribution(
        family="discrete", params={"values": values, "weights": weights},
        support=(min(values), max(values)), mean=mean, variance=variance, skewness=skew,
        excess_kurtosis=kurt, description=description, central_moments=moments)


# ---------------------------------------------------------------- declared initializers

# Class-name key -> (scale, mode, distribution) of the VarianceScaling it is.
_VARIANCE_SCALING_ALIASES = {
    "glorotuniform": (1.0, "fan_avg", "uniform"),
    "xavieruniform": (1.0, "fan_avg", "uniform"),
    "glorotnormal": (1.0, "fan_avg", "normal"),
    "xaviernormal": (1.0, "fan_avg", "normal"),
    "heuniform": (2.0, "fan_in", "uniform"),
    "henormal": (2.0, "fan_in", "normal"),
    "lecununiform": (1.0, "fan_in", "uniform"),
    "lecunnormal": (1.0, "fan_in", "normal"),
}
_NAMES = {"glorotuniform": "Glorot", "xavieruniform": "Glorot", "glorotnormal": "Glorot",
          "xaviernormal": "Glorot", "heuniform": "He", "henormal": "He",
          "lecununiform": "LeCun", "lecunnormal": "LeCun"}


def _is_keras_module(module: Optional[str]) -> bool:
    """True when the initializer class comes from a Keras package rather than TF's init_ops."""
    if not module:
        return False
    return module.startswith(("keras", "tf_keras")) or "python.keras" in module


def _truncation_corrected(framework_version: Optional[str], module: Optional[str]) -> bool:
    """Whether VarianceScaling's truncated normal divides its stddev by .8796...; see module doc."""
    if module and module.startswith(("keras.src", "tf_keras")):
        return True  # Keras 2.13+/3 and tf_keras (2.14+): always corrected
    version = parse_version(framework_version)
    if version is None:
        return True  # the behaviour of every release since mid-2018
    if version[0] >= 3:
        return True  # a Keras 3 version number
    return version >= TF_TRUNCATION_CORRECTION_SINCE


def _random_defaults(framework_version: Optional[str], module: Optional[str]) -> str:
    """'keras' (+-0.05 / 0.05) or 'tf1' (uniform [0, 1), stddev 1) defaults for Random*."""
    if module and "init_ops_v2" in module:
        return "keras"
    if module and "ops.init_ops" in module:
        return "tf1"
    if module and "python.keras" in module:
        version = parse_version(framework_version)
        return "keras" if version is None or version >= TF_KERAS_DEFAULTS_SINCE else "tf1"
    if _is_keras_module(module):
        return "keras"
    return "keras" if module is None else "tf1"


def _fan_denominator(mode: str, fan_in: float, fan_out: float) -> Tuple[float, float, str]:
    """(n of scale/n floored at 1 as TF and Keras do, k, text) with scale/n written k*scale/text."""
    mode = mode.lower()
    if mode == "fan_in":
        return max(1.0, fan_in), 1.0, "fan_in"
    if mode == "fan_out":
        return max(1.0, fan_out), 1.0, "fan_out"
    if mode == "fan_avg":
        return max(1.0, (fan_in + fan_out) / 2.0), 2.0, "(fan_in+fan_out)"
    raise ValueError("unknown VarianceScaling mode %r" % mode)


def _variance_scaling(scale: float, mode: str, distribution: str, shape: Sequence[int],
                      corrected: bool, name: str) -> Optional[Distribution]:
    """The distribution VarianceScaling(scale, mode, distribution) draws for `shape`."""
    fan_in, fan_out = compute_fans(shape)
    try:
        n, k, n_text = _fan_denominator(mode, fan_in, fan_out)
    except ValueError:
        return None
    variance = scale / n
    fans = "fan_in=%g, fan_out=%g" % (fan_in, fan_out)
    distribution = distribution.lower()
    if distribution == "uniform":
        limit = math.sqrt(3.0 * variance)
        formula = "limit=sqrt(%g/%s)" % (3.0 * k * scale, n_text)
        return uniform(-limit, limit, "uniform on \u00b1%.4g (%s: %s; %s)"
                       % (limit, name, formula, fans))
    if distribution in ("normal", "truncated_normal"):
        if corrected:
            stddev = math.sqrt(variance) / TRUNCATION_STD_FACTOR
            formula = "sigma=sqrt(%g/%s)/.8796, so the truncated std is sqrt(%g/%s)" % (
                k * scale, n_text, k * scale, n_text)
        else:
            stddev = math.sqrt(variance)
            formula = "sigma=sqrt(%g/%s), uncorrected: truncated std is 0.8796 sigma" % (
                k * scale, n_text)
        return truncated_normal(0.0, stddev, "normal truncated at \u00b12\u03c3, \u03c3=%.4g "
                                "(%s: %s; %s)" % (stddev, name, formula, fans))
    if distribution == "untruncated_normal":
        stddev = math.sqrt(variance)
        return normal(0.0, stddev, "normal, \u03c3=%.4g (%s: sigma=sqrt(%g/%s); %s)"
                      % (stddev, name, k * scale, n_text, fans))
    return None


def _contrib_variance_scaling(config: Mapping[str, Any], shape: Sequence[int],
                              uniform_default: bool, factor_default: float,
                              mode_default: str) -> Optional[Distribution]:
    """tf.contrib.layers.variance_scaling_initializer / xavier_initializer (TF 1.x)."""
    factor = float(config.get("factor", factor_default))
    mode = str(config.get("mode", mode_default)).lower()
    is_uniform = bool(config.get("uniform", uniform_default))
    fan_in, fan_out = compute_fans(shape)
    try:
        n, k, n_text = _fan_denominator(mode, fan_in, fan_out)
    except ValueError:
        return None
    if is_uniform:
        limit = math.sqrt(3.0 * factor / n)
        return uniform(-limit, limit, "uniform on \u00b1%.4g (contrib: limit=sqrt(%g/%s))"
                       % (limit, 3.0 * k * factor, n_text))
    # contrib approximates the truncation correction by a factor 1.3 on the variance
    stddev = math.sqrt(CONTRIB_TRUNCATED_VARIANCE_FACTOR * factor / n)
    return truncated_normal(0.0, stddev, "normal truncated at \u00b12\u03c3, \u03c3=%.4g "
                            "(contrib: sigma=sqrt(1.3*%g/%s))" % (stddev, k * factor, n_text))


def _scalar(value: Any) -> Optional[float]:
    """A float from a scalar or a uniform list/array value; None otherwise."""
    array = np.asarray(value, dtype=np.float64) if value is not None else None
    if array is None or array.size == 0:
        return None
    if array.size > 1 and not np.all(array == array.flat[0]):
        return None
    return float(array.flat[0])


def _matrix_shape(shape: Sequence[int]) -> Optional[Tuple[int, int]]:
    """(prod(shape[:-1]), shape[-1]): how TF and Keras flatten a kernel for Orthogonal."""
    if len(shape) < 2:
        return None
    return int(np.prod(shape[:-1])), int(shape[-1])


def declared_distribution(class_name: str, config: Optional[Mapping[str, Any]],
                          shape: Sequence[int], framework_version: Optional[str] = None,
                          module: Optional[str] = None) -> Optional[Distribution]:
    """The distribution an initializer declares for a weight of `shape`; None when unknown.

    `framework_version` is the TensorFlow version (a Keras 3 version is also understood);
    `module` (the initializer class's module) tells TF's init_ops from Keras' classes where
    their defaults differ.
    """
    config = dict(config or {})
    key = normalize_class_name(class_name)
    shape = [int(d) for d in shape]
    corrected = _truncation_corrected(framework_version, module)

    if key in ("zeros", "zero"):
        return constant(0.0, "constant 0 (Zeros)")
    if key in ("ones", "one"):
        return constant(1.0, "constant 1 (Ones)")
    if key == "constant":
        value = _scalar(config.get("value", 0.0))
        return None if value is None else constant(value, "constant %g (Constant)" % value)

    if key in _VARIANCE_SCALING_ALIASES:
        scale, mode, distribution = _VARIANCE_SCALING_ALIASES[key]
        return _variance_scaling(scale, mode, distribution, shape, corrected, _NAMES[key])
    if key == "xavier":
        return _contrib_variance_scaling(config, shape, True, 1.0, "fan_avg")
    if key == "variancescaling":
        if "factor" in config or "uniform" in config:
            return _contrib_variance_scaling(config, shape, False, 2.0, "fan_in")
        return _variance_scaling(float(config.get("scale", 1.0)), str(config.get("mode", "fan_in")),
                                 str(config.get("distribution", "truncated_normal")), shape,
                                 corrected, "VarianceScaling(scale=%g, %s)" % (
                                     float(config.get("scale", 1.0)), config.get("mode", "fan_in")))
    if key == "uniformunitscaling":
        # init_ops.UniformUnitScaling: input size = prod(shape[:-1]), not a fan.
        factor = float(config.get("factor", 1.0))
        input_size = max(float(np.prod(shape[:-1])) if len(shape) > 1 else 1.0, 1.0)
        limit = math.sqrt(3.0 / input_size) * factor
        return uniform(-limit, limit, "uniform on \u00b1%.4g (UniformUnitScaling: "
                       "limit=%g*sqrt(3/%g))" % (limit, factor, input_size))

    defaults = _random_defaults(framework_version, module)
    if key in ("randomuniform", "uniform"):
        low = config.get("minval")
        high = config.get("maxval")
        if low is None:
            low = -KERAS_DEFAULT_SCALE if defaults == "keras" else 0.0
        if high is None:
            high = KERAS_DEFAULT_SCALE if defaults == "keras" else 1.0
        low, high = _scalar(low), _scalar(high)
        if low is None or high is None or not high > low:
            return None
        return uniform(low, high, "uniform on [%.4g, %.4g) (RandomUniform)" % (low, high))
    if key in ("randomnormal", "normal"):
        mean = _scalar(config.get("mean", 0.0))
        stddev = config.get("stddev")
        stddev = _scalar(stddev if stddev is not None else
                         (KERAS_DEFAULT_SCALE if defaults == "keras" else 1.0))
        if mean is None or stddev is None or stddev <= 0:
            return None
        return normal(mean, stddev,
                      "normal, mean %.4g, \u03c3=%.4g (RandomNormal)" % (mean, stddev))
    if key == "truncatednormal":
        mean = _scalar(config.get("mean", 0.0))
        stddev = config.get("stddev")
        stddev = _scalar(stddev if stddev is not None else
                         (KERAS_DEFAULT_SCALE if defaults == "keras" else 1.0))
        if mean is None or stddev is None or stddev <= 0:
            return None
        # TruncatedNormal's stddev is the untruncated one, in every version (no correction).
        return truncated_normal(mean, stddev, "normal truncated at \u00b12\u03c3, mean %.4g, "
                                "\u03c3=%.4g (TruncatedNormal, std after truncation %.4g)"
                                % (mean, stddev, stddev * TRUNCATION_STD_FACTOR))
    if key == "orthogonal":
        matrix = _matrix_shape(shape)
        if matrix is None:
            return None
        return orthogonal(matrix[0], matrix[1], float(config.get("gain", 1.0)))
    if key == "identity":
        if len(shape) != 2:
            return None
        return identity(shape[0], shape[1], float(config.get("gain", 1.0)))
    return None
