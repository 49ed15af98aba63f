"""The distribution of one weight entry: a family with its parameters, moments up to the 8th
(for the kurtosis' standard error), its cdf, and the constructors the theory builds from.

Pure numbers; what an initializer declares for a shape, per framework version, is
initcompat.report.theory's.
"""

import functools
import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence, Tuple

import numpy as np
from scipy import special, stats

# std of a standard normal truncated to [-2, 2]; the literal TF and Keras divide by.
TRUNCATION_STD_FACTOR = 0.87962566103423978
TRUNCATION_BOUND = 2.0  # tf.random.truncated_normal redraws beyond +-2 stddev.

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
