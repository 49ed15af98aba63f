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
* Fans: initcompat.report.fans (the receptive-field rule everywhere; from Keras 3.15 the input
  and output axes a VarianceScaling is given, which EinsumDense fills from its equation).
* The distributions themselves (families, moments, cdf): initcompat.report.distributions;
  their names are re-exported here for the callers that build them through this module.
"""

import math
import re
from typing import Any, Mapping, Optional, Sequence, Tuple

import numpy as np

from initcompat.report.distributions import (  # noqa: F401  re-exported
    EXACT_FAMILIES, FAMILIES, TRIANGULAR, TRUNCATION_BOUND, TRUNCATION_STD_FACTOR, Distribution,
    constant, discrete, identity, kurtosis_variance_factor, normal, orthogonal,
    symmetric_beta_even_moment, triangular, truncated_normal, uniform)
from initcompat.report.fans import Axes, compute_fans, fans_text  # noqa: F401  re-exported

TF_TRUNCATION_CORRECTION_SINCE = (1, 10)
TF_KERAS_DEFAULTS_SINCE = (1, 11)
KERAS_DEFAULT_SCALE = 0.05  # Keras RandomNormal/TruncatedNormal stddev and RandomUniform limit.
# tf.contrib.layers.variance_scaling_initializer's own (approximate) truncation correction.
CONTRIB_TRUNCATED_VARIANCE_FACTOR = 1.3


def parse_version(version: Optional[str]) -> Optional[Tuple[int, int]]:
    """(major, minor) of a version string such as '2.16.0rc0'; None if absent or unparsable."""
    if not version:
        return None
    match = re.match(r"\s*(\d+)\.(\d+)", str(version))
    return (int(match.group(1)), int(match.group(2))) if match else None


def normalize_class_name(class_name: str) -> str:
    """Spelling-independent key: lower case, no underscores, no 'initializer' or V1/V2 suffix."""
    key = re.sub(r"[^a-z0-9]", "", str(class_name).lower())
    key = re.sub(r"(initializer)?(v1|v2)?$", "", key)
    return re.sub(r"initializer$", "", key)


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
# The class-name keys of VarianceScaling and its subclasses (contrib's spelling apart).
VARIANCE_SCALING_KEYS = frozenset(_VARIANCE_SCALING_ALIASES) | {"variancescaling"}
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
                      corrected: bool, name: str,
                      fan_axes: Optional[Axes] = None) -> Optional[Distribution]:
    """The distribution VarianceScaling(scale, mode, distribution) draws for `shape`, its fans
    over `fan_axes` when given (Keras >= 3.15), else by the receptive-field rule."""
    if fan_axes is not None:
        fan_in, fan_out = compute_fans(shape, fan_axes[0], fan_axes[1])
    else:
        fan_in, fan_out = compute_fans(shape)
    try:
        n, k, n_text = _fan_denominator(mode, fan_in, fan_out)
    except ValueError:
        return None
    variance = scale / n
    fans = fans_text(fan_in, fan_out, fan_axes)
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


def configured_fan_axes(config: Optional[Mapping[str, Any]],
                        shape: Sequence[int]) -> Optional[Axes]:
    """The input_axes and output_axes a Keras >= 3.15 VarianceScaling config names, when it
    names both (compute_fans uses them only then) and they fit `shape`; else None."""
    config = config or {}
    axes = []
    for name in ("input_axes", "output_axes"):
        value = config.get(name)
        if not isinstance(value, (list, tuple)) or not all(
                isinstance(axis, int) and -len(shape) <= axis < len(shape) for axis in value):
            return None
        axes.append(tuple(value))
    return axes[0], axes[1]


def is_variance_scaling(class_name: str) -> bool:
    """Whether the class is a VarianceScaling (Glorot, He, LeCun included): the initializers
    whose fans Keras >= 3.15's EinsumDense fills from its equation."""
    return normalize_class_name(class_name) in VARIANCE_SCALING_KEYS


def declared_distribution(class_name: str, config: Optional[Mapping[str, Any]],
                          shape: Sequence[int], framework_version: Optional[str] = None,
                          module: Optional[str] = None,
                          fan_axes: Optional[Axes] = None) -> Optional[Distribution]:
    """The distribution an initializer declares for a weight of `shape`; None when unknown.

    `framework_version` is the TensorFlow version (a Keras 3 version is also understood);
    `module` (the initializer class's module) tells TF's init_ops from Keras' classes where
    their defaults differ. A VarianceScaling's fans are taken over the axes its config names
    (input_axes and output_axes, Keras >= 3.15), else over `fan_axes` (the axes a layer fills
    in, layer_theory's business), else by the receptive-field rule.
    """
    config = dict(config or {})
    key = normalize_class_name(class_name)
    shape = [int(d) for d in shape]
    corrected = _truncation_corrected(framework_version, module)
    fan_axes = configured_fan_axes(config, shape) or fan_axes

    if key in ("zeros", "zero"):
        return constant(0.0, "constant 0 (Zeros)")
    if key in ("ones", "one"):
        return constant(1.0, "constant 1 (Ones)")
    if key == "constant":
        value = _scalar(config.get("value", 0.0))
        return None if value is None else constant(value, "constant %g (Constant)" % value)

    if key in _VARIANCE_SCALING_ALIASES:
        scale, mode, distribution = _VARIANCE_SCALING_ALIASES[key]
        return _variance_scaling(scale, mode, distribution, shape, corrected, _NAMES[key],
                                 fan_axes)
    if key == "xavier":
        return _contrib_variance_scaling(config, shape, True, 1.0, "fan_avg")
    if key == "variancescaling":
        if "factor" in config or "uniform" in config:
            return _contrib_variance_scaling(config, shape, False, 2.0, "fan_in")
        return _variance_scaling(float(config.get("scale", 1.0)), str(config.get("mode", "fan_in")),
                                 str(config.get("distribution", "truncated_normal")), shape,
                                 corrected, "VarianceScaling(scale=%g, %s)" % (
                                     float(config.get("scale", 1.0)), config.get("mode", "fan_in")),
                                 fan_axes)
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
