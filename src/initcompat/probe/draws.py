"""Drawing many values of one weight cheaply, without trusting the declared initializer blindly.

Building a whole Keras layer per draw costs milliseconds of Python; calling the layer's own
initializer again costs microseconds. So after one real layer build, further draws come from
fresh instances of the initializer the layer holds, made from its own config (unseeded, as a
fresh layer's would be) and called with the weight's shape. That is only valid when the layer
draws its weight by calling that initializer with that shape: the first fresh draw is checked
against the layer's own values and, when they disagree (an LSTM's forget-gate ones are not
what its Zeros initializer draws), the weight is drawn from real layer builds instead.

The check: deterministic-looking values (at most DISCRETE_LEVELS distinct values) must be equal
element for element; random ones must agree in mean and standard deviation (z-tests, |z| below
MAX_Z) and pass a two-sample Kolmogorov-Smirnov test at KS_MIN_P (shape and support). For a
96x40 kernel that rejects a scale differing by 10% or more (z ~ 10), and another family of the
same variance. A false rejection (about 1e-8 per weight) only costs time, never correctness.
Python 3.6-clean; numpy only.
"""

import math

import numpy as np

DISCRETE_LEVELS = 16
KS_MIN_P = 1e-6
MAX_Z = 6.0


def ks_two_sample_p(first, second):
    """Asymptotic two-sided p-value of the two-sample KS statistic (Numerical Recipes' form)."""
    a = np.sort(np.asarray(first, dtype=np.float64).ravel())
    b = np.sort(np.asarray(second, dtype=np.float64).ravel())
    if a.size == 0 or b.size == 0:
        return 0.0
    points = np.concatenate([a, b])
    d = float(np.max(np.abs(np.searchsorted(a, points, side="right") / float(a.size)
                            - np.searchsorted(b, points, side="right") / float(b.size))))
    en = math.sqrt(a.size * b.size / float(a.size + b.size))
    lam = (en + 0.12 + 0.11 / en) * d
    if lam < 1e-3:
        return 1.0
    total = sum(2.0 * (-1) ** (k - 1) * math.exp(-2.0 * k * k * lam * lam) for k in range(1, 101))
    return min(1.0, max(0.0, total))


def same_draw_rule(layer_values, initializer_values):
    """(agree, why): whether initializer_values could be another draw of what the layer drew."""
    built = np.asarray(layer_values)
    drawn = np.asarray(initializer_values)
    if built.shape != drawn.shape:
        return False, "shape %s vs %s" % (list(drawn.shape), list(built.shape))
    if np.unique(built).size <= DISCRETE_LEVELS:
        if np.array_equal(built, drawn):
            return True, "equal values"
        return False, "the layer's values differ from its initializer's"
    z_mean, z_std = moment_z_scores(built, drawn)
    if abs(z_mean) > MAX_Z or abs(z_std) > MAX_Z:
        return False, "mean z = %.1f, std z = %.1f against the layer's values" % (z_mean, z_std)
    p = ks_two_sample_p(built, drawn)
    if p < KS_MIN_P:
        return False, "two-sample KS p = %.2g against the layer's values" % p
    return True, "mean z = %.1f, std z = %.1f, two-sample KS p = %.2g" % (z_mean, z_std, p)


def moment_z_scores(first, second):
    """z statistics of the differences in mean and in standard deviation of two samples."""
    def summary(values):
        x = np.asarray(values, dtype=np.float64).ravel()
        centered = x - x.mean()
        variance = float(np.mean(centered ** 2))
        kurtosis = float(np.mean(centered ** 4)) / variance ** 2 - 3.0 if variance > 0 else 0.0
        std = math.sqrt(variance)
        return (x.mean(), std, variance / x.size,
                std * std * max(kurtosis + 2.0, 0.0) / (4.0 * x.size))
    mean_a, std_a, var_mean_a, var_std_a = summary(first)
    mean_b, std_b, var_mean_b, var_std_b = summary(second)
    se_mean = math.sqrt(var_mean_a + var_mean_b)
    se_std = math.sqrt(var_std_a + var_std_b)
    z_mean = (mean_a - mean_b) / se_mean if se_mean > 0 else 0.0
    z_std = (std_a - std_b) / se_std if se_std > 0 else 0.0
    return z_mean, z_std


def fresh_instance_caller(initializer, shape, to_array):
    """A function drawing once from a fresh copy of `initializer` (from its config), or None."""
    get_config = getattr(initializer, "get_config", None)
    from_config = getattr(type(initializer), "from_config", None)
    if not callable(get_config) or not callable(from_config):
        return None
    config = get_config()
    if config.get("seed") is not None:  # a seeded default would repeat; not a fresh layer's draw
        return None

    def draw():
        return to_array(from_config(dict(config))(tuple(shape), dtype="float32"))

    return draw


def initializer_draws(layer_values, initializer, count, to_array):
    """(arrays, method): `count` draws of a weight, the layer's own values first.

    Returns None when the initializer cannot stand in for layer builds (no config, seeded,
    raising, or its draw disagrees with the layer's): the caller then builds layers.
    """
    if count <= 1:
        return [layer_values], "1 layer build"
    try:
        draw = fresh_instance_caller(initializer, layer_values.shape, to_array)
        if draw is None:
            return None
        first = draw()
    except Exception:  # an initializer that cannot be rebuilt or called alone
        return None
    agree, why = same_draw_rule(layer_values, first)
    if not agree:
        return None
    arrays = [layer_values, first] + [draw() for _ in range(count - 2)]
    return arrays, ("1 layer build + %d draws from fresh %s instances made from the layer's "
                    "initializer config (checked against the layer's values: %s)"
                    % (count - 1, type(initializer).__name__, why))
