"""The strict tail audit: many values from each bounded initializer, counted outside its support.

Moments and a 1 000-value KS test cannot see a defect at a rate of 1e-5 (a truncated normal
that sometimes returns values beyond its cut, a uniform that reaches its open end). For every
initializer whose class and config name a bounded support -- TruncatedNormal (mean +- 2 stddev)
and RandomUniform ([minval, maxval)) -- the audit draws the suite's `audit_size` values (tens
of millions, in one call of a 2-D shape) and counts those outside the support, beyond float32
rounding of the bounds. Under a correct initializer the count is 0; the report turns it into a
rate with its confidence interval. Python 3.6-clean; numpy only.
"""

import re

import numpy as np

COLUMNS = 5000  # the audit's draws are one (audit_size / COLUMNS, COLUMNS) tensor
RELATIVE_TOLERANCE = 2.0 ** -22  # two float32 ulps of the bound: rounding, not a defect


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
    """(low, high, high_is_open, what) of a record's declared support, or None when its class
    declares none (only TruncatedNormal and RandomUniform do). `tf1_defaults`: the module is
    TF's init_ops, whose defaults are stddev 1 and [0, 1)."""
    key = _key(record.get("class_name"))
    config = record.get("config") or {}
    if key == "truncatednormal":
        mean = _number(config, "mean", 0.0)
        stddev = _number(config, "stddev", 1.0 if tf1_defaults else 0.05)
        if mean is None or stddev is None or stddev <= 0:
            return None
        return mean - 2 * stddev, mean + 2 * stddev, False, "mean \u00b1 2 stddev"
    if key == "randomuniform":
        low = _number(config, "minval", 0.0 if tf1_defaults else -0.05)
        high = _number(config, "maxval", 1.0 if tf1_defaults else 0.05)
        if low is None or high is None or not high > low:
            return None
        return low, high, True, "[minval, maxval)"
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


def audit_entry(record, found, values):
    """One audit record from a record, its support and the drawn values."""
    low, high, high_is_open, what = found
    below, above, at_open_end = count_outside(values, low, high, high_is_open)
    array = np.asarray(values)
    return {"namespace": record["namespace"], "initializer": record["initializer"],
            "how": record["how"], "args": record.get("args"),
            "class_name": record.get("class_name"), "module": record.get("module"),
            "support": what, "low": low, "high": high, "n": int(array.size),
            "outside_support": below + above + at_open_end, "below": below, "above": above,
            "at_open_end": at_open_end, "min": float(array.min()), "max": float(array.max())}
