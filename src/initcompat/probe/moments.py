"""Statistics of drawn weight values: moments with standard errors and a compact exact summary.

The report's fit and change tests use the moments, the histogram and the seeded subsample, so
they need no raw values; the fixed quantiles are kept for readers of the result files.
Python 3.6-clean; numpy only.
"""

import hashlib
import math

import numpy as np

from initcompat.probe.schema import HISTOGRAM_BINS, QUANTILE_PROBS


def _finite_or_none(value):
    """JSON has no NaN or infinity: an undefined statistic is null."""
    value = float(value)
    return value if math.isfinite(value) else None


def compute_moments(values):
    """n, mean, std (population), min, max, skewness, excess kurtosis and their standard errors.

    Standard errors use the large-sample formulas: se(mean) = s/sqrt(n),
    se(std) = s*sqrt((kurt+2)/(4n)) (delta method), se(skew) = sqrt(6/n), se(kurt) = sqrt(24/n).
    Skewness and kurtosis of a constant sample are undefined and stored as null.
    """
    sample = np.asarray(values, dtype=np.float64).ravel()
    n = int(sample.size)
    if n == 0:
        raise ValueError("cannot compute moments of an empty sample")
    mean = float(sample.mean())
    centered = sample - mean
    m2 = float(np.mean(centered ** 2))
    std = math.sqrt(m2)
    if m2 > 0.0:
        skewness = float(np.mean(centered ** 3)) / m2 ** 1.5
        excess_kurtosis = float(np.mean(centered ** 4)) / m2 ** 2 - 3.0
        se_std = std * math.sqrt(max(excess_kurtosis + 2.0, 0.0) / (4.0 * n))
    else:
        skewness = excess_kurtosis = float("nan")
        se_std = 0.0
    return {
        "n": n,
        "mean": mean,
        "std": std,
        "min": float(sample.min()),
        "max": float(sample.max()),
        "skewness": _finite_or_none(skewness),
        "excess_kurtosis": _finite_or_none(excess_kurtosis),
        "se_mean": std / math.sqrt(n),
        "se_std": se_std,
        "se_skewness": math.sqrt(6.0 / n),
        "se_excess_kurtosis": math.sqrt(24.0 / n),
    }


def summarize_sample(values, subsample_size, seed):
    """Moments plus fixed quantiles, a histogram over [min, max] and a seeded subsample."""
    sample = np.asarray(values, dtype=np.float64).ravel()
    summary = compute_moments(sample)
    summary["quantiles"] = {
        "probs": list(QUANTILE_PROBS),
        # np.percentile, not np.quantile: numpy 1.13 (TF 1.4) lacks the latter.
        "values": [float(v) for v in np.percentile(sample, [100.0 * p for p in QUANTILE_PROBS])],
    }
    low, high = summary["min"], summary["max"]
    if high > low:
        counts, edges = np.histogram(sample, bins=HISTOGRAM_BINS, range=(low, high))
        summary["histogram"] = {"edges": [float(e) for e in edges],
                                "counts": [int(c) for c in counts]}
    else:
        summary["histogram"] = {"edges": [low, high], "counts": [int(sample.size)]}
    rng = np.random.RandomState(seed)
    take = min(int(subsample_size), sample.size)
    chosen = rng.choice(sample.size, size=take, replace=False) if take < sample.size \
        else np.arange(sample.size)
    summary["subsample"] = [float(v) for v in sample[np.sort(chosen)]]
    return summary


def fingerprint_bytes(values, first=4):
    """sha256 of the float32 bytes (C order) and the first few values: a seeded-draw identity."""
    array = np.ascontiguousarray(np.asarray(values, dtype=np.float32))
    return {
        "sha256": hashlib.sha256(array.tobytes()).hexdigest(),
        "first_values": [float(v) for v in array.ravel()[:first]],
    }
