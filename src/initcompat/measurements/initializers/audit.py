"""The strict tail audit: many values from each bounded initializer, counted outside its support.

Moments and a 1 000-value KS test cannot see a defect at a rate of 1e-5 (a truncated normal
that sometimes returns values beyond its cut, a uniform that reaches its open end). For every
initializer whose class and config name a bounded support -- TruncatedNormal (mean +- 2 stddev)
and RandomUniform ([minval, maxval)) -- the audit draws the suite's `audit_size` values (tens
of millions, in one call of a 2-D shape) and counts those outside the support, beyond float32
rounding of the bounds. Under a correct initializer the count is 0; the report turns it into a
rate with its confidence interval.

The count sees only values beyond the bounds; a draw inside them can still have the wrong shape
(a 5% larger scale cut at the declared bounds). So each entry also carries the Anderson-Darling
statistic A^2 of the first AD_SIZE values of the flattened draw against the declared, fully
specified distribution: TruncatedNormal(mean, stddev) is N(mean, stddev) -- stddev the normal's
parameter before the cut, as in TF, Keras 2 and Keras 3 -- cut at mean +- 2 stddev; RandomUniform
is uniform on [minval, maxval). AD_SIZE, not all values: at 2e7 values the test would see float32
rounding of the draws, and sorting 2e7 values takes seconds; at 1e5 it still rejects a 5% scale
change outright (tests/unit/test_tail_audit.py). The report turns A^2 into a p-value
(initcompat.report.anderson_darling). Python 3.6-clean; numpy only.
"""

import math
import re

import numpy as np

COLUMNS = 5000  # the audit's draws are one (audit_size / COLUMNS, COLUMNS) tensor
RELATIVE_TOLERANCE = 2.0 ** -22  # two float32 ulps of the bound: rounding, not a defect
AD_SIZE = 100000  # the Anderson-Darling sample: the first AD_SIZE values of the flattened draw
# F(x) and 1 - F(x) are kept in [AD_CDF_FLOOR, 1]: a value on a bound (a uniform's minval) or
# beyond it (counted above) adds a finite term to A^2 (27.6 / n for the extreme value alone)
# instead of an infinite log.
AD_CDF_FLOOR = 1e-12
TRUNCATED = "truncated normal"
UNIFORM = "uniform"


def _key(class_name):
    key = re.sub(r"[^a-z0-9]", "", str(class_name or "").lower())
    return re.sub(r"(initializer)?(v1|v2)?$", "", key)


def _number(config, name, default):
    value = config.get(name, default) if isinstance(config, dict) else default
    if value is None:
        value = default
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def support(record, tf1_defaults):
    """(low, high, high_is_open, what, distribution) of a record's declared support, or None
    when its class declares none (only TruncatedNormal and RandomUniform do); `distribution`
    (TRUNCATED: the normal of mean (low + high) / 2 and stddev (high - low) / 4 cut at low and
    high; UNIFORM) is what the Anderson-Darling test compares the draw with. `tf1_defaults`: the
    module is TF's init_ops, whose defaults are stddev 1 and [0, 1)."""
    key = _key(record.get("class_name"))
    config = record.get("config") or {}
    if key == "truncatednormal":
        mean = _number(config, "mean", 0.0)
        stddev = _number(config, "stddev", 1.0 if tf1_defaults else 0.05)
        if mean is None or stddev is None or stddev <= 0:
            return None
        return mean - 2 * stddev, mean + 2 * stddev, False, "mean \u00b1 2 stddev", TRUNCATED
    if key == "randomuniform":
        low = _number(config, "minval", 0.0 if tf1_defaults else -0.05)
        high = _number(config, "maxval", 1.0 if tf1_defaults else 0.05)
        if low is None or high is None or not high > low:
            return None
        return low, high, True, "[minval, maxval)", UNIFORM
    return None


def count_outside(values, low, high, high_is_open):
    """(below, above, at the open end) counts of `values` outside [low, high] (or [low, high))
    beyond RELATIVE_TOLERANCE of the bounds' magnitude."""
    array = np.asarray(values)
    slack = RELATIVE_TOLERANCE * max(abs(low), abs(high))
    below = int(np.count_nonzero(array < low - slack))
    above = int(np.count_nonzero(array > high + slack))
    at_open_end = int(np.count_nonzero(array == np.float32(high))) if high_is_open else 0
    return below, above, at_open_end


def _erfc(values):
    """math.erfc of each value (numpy has no erf): the C library's, a few ulps from exact, so
    the CDFs below are exact to ~1e-16 absolute and keep their relative accuracy in both tails
    (1 - Phi is computed as erfc, never as 1 minus a number near 1). ~10 ms per 1e5 values."""
    return np.array([math.erfc(value) for value in values.tolist()], dtype=np.float64)


def declared_cdf(sorted_values, low, high, distribution):
    """(F(x), 1 - F(x)) of the declared distribution at each value, each computed directly."""
    if distribution == UNIFORM:
        width = high - low
        return (sorted_values - low) / width, (high - sorted_values) / width
    mean, stddev = (low + high) / 2.0, (high - low) / 4.0
    z = (sorted_values - mean) / (stddev * math.sqrt(2.0))
    cut = math.erfc(math.sqrt(2.0))  # 2 P(Z > 2): the mass the truncation removes
    mass = 2.0 - 2.0 * cut  # erfc(-sqrt 2) - erfc(sqrt 2): 2 (Phi(2) - Phi(-2))
    # Phi(x) = erfc(-x / sqrt 2) / 2; F = (Phi(x) - Phi(-2)) / (Phi(2) - Phi(-2)), and 1 - F by
    # the same formula on the upper tail.
    return (_erfc(-z) - cut) / mass, (_erfc(z) - cut) / mass


def anderson_darling(values, low, high, distribution, size=AD_SIZE):
    """(n, A^2) of the first `size` values of the flattened draw against the declared
    distribution (the fully specified null: nothing estimated from the sample); A^2 is None
    when a value is not finite (NaN has no place in a CDF)."""
    sample = np.asarray(values).reshape(-1)[:size].astype(np.float64)
    n = int(sample.size)
    if n == 0 or not np.all(np.isfinite(sample)):
        return n, None
    lower, upper = declared_cdf(np.sort(sample), low, high, distribution)
    lower = np.log(np.clip(lower, AD_CDF_FLOOR, 1.0))
    upper = np.log(np.clip(upper, AD_CDF_FLOOR, 1.0))
    weights = 2.0 * np.arange(1, n + 1, dtype=np.float64) - 1.0  # 2i - 1 for the i-th smallest
    # A^2 = -n - (1/n) sum (2i - 1) [ln F(x_(i)) + ln(1 - F(x_(n+1-i)))]; the second sum
    # reindexed over the same order statistic, whose weight is then 2(n - i) + 1.
    total = float(np.dot(weights, lower)) + float(np.dot(weights[::-1], upper))
    return n, max(0.0, -n - total / n)


def audit_entry(record, found, values):
    """One audit record from a record, its support and the drawn values."""
    low, high, high_is_open, what, distribution = found
    below, above, at_open_end = count_outside(values, low, high, high_is_open)
    ad_n, ad_statistic = anderson_darling(values, low, high, distribution)
    array = np.asarray(values)
    return {"namespace": record["namespace"], "initializer": record["initializer"],
            "how": record["how"], "args": record.get("args"),
            "class_name": record.get("class_name"), "module": record.get("module"),
            "support": what, "low": low, "high": high, "n": int(array.size),
            "outside_support": below + above + at_open_end, "below": below, "above": above,
            "at_open_end": at_open_end, "min": float(array.min()), "max": float(array.max()),
            "ad_n": ad_n, "ad_statistic": ad_statistic}
