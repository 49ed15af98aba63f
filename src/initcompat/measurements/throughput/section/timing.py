"""Statistics of timed values: the median's confidence interval and the change test. Pure.

Each cell shows the median time of one initialization and its distribution-free confidence
interval (order statistics of the pooled values, coverage >= 95% when there are enough values;
the coverage is stated). A change between a version and the previous version that measured the
same benchmark is flagged only when an exact two-sided Mann-Whitney U test on the raw values
gives p < 0.002 (asv's threshold) AND the medians differ by more than FACTOR_THRESHOLD (asv
uses 1.1; see below why this machine needs more); the text says by how much.
"""

from __future__ import annotations

import functools

import numpy as np
from scipy import stats

from initcompat.measurements.throughput.section.formatting import seconds_text

P_THRESHOLD = 0.002
# asv's factor 1.1 is within this machine's own noise: two runs of the same environment
# (benchmarks/throughput_aa.py tf-2.15 --pairs 2, 14 layer benchmarks each) gave medians
# 0.75x-1.34x apart, and one of them (1.23x) also passed p < 0.002. A change is flagged
# only beyond the largest A/A factor measured.
FACTOR_THRESHOLD = 1.35
CONFIDENCE = 0.95


def median_ci(values, confidence: float = CONFIDENCE) -> dict:
    """Distribution-free CI of the median from order statistics: {low, high, coverage}.

    [x_(j), x_(n+1-j)] covers the median with probability 1 - 2 P(Binomial(n, 1/2) <= j - 1);
    j is the largest rank reaching `confidence`. With too few values even [min, max] covers
    less, and the returned coverage says so.
    """
    ordered = np.sort(np.asarray(values, dtype=float))
    n = ordered.size
    if n == 0:
        return {"low": None, "high": None, "coverage": 0.0}
    best, coverage = _median_rank(n, confidence)
    return {"low": float(ordered[best - 1]), "high": float(ordered[n - best]), "coverage": coverage}


@functools.lru_cache(maxsize=None)
def _median_rank(n: int, confidence: float) -> tuple[int, float]:
    """(j, coverage) of median_ci for n values: it depends on n alone, and a report has
    hundreds of cells with the same n."""
    best = 1
    for j in range(1, n // 2 + 1):
        if 1 - 2 * stats.binom.cdf(j - 1, n, 0.5) >= confidence:
            best = j
        else:
            break
    return best, float(1 - 2 * stats.binom.cdf(best - 1, n, 0.5))


def compare(before, after, *, p_threshold: float = P_THRESHOLD,
            factor_threshold: float = FACTOR_THRESHOLD) -> dict:
    """Exact Mann-Whitney U on the raw times; flagged only when significant AND > the factor.

    ratio = median(after) / median(before) of the times: > 1 is slower (a regression).
    """
    before = np.asarray(before, dtype=float)
    after = np.asarray(after, dtype=float)
    ratio = float(np.median(after) / np.median(before))
    p = float(stats.mannwhitneyu(before, after, alternative="two-sided", method="exact").pvalue)
    factor = max(ratio, 1 / ratio)
    significant = p < p_threshold
    flagged = significant and factor > factor_threshold
    direction = "slower" if ratio > 1 else "faster"
    if flagged:
        kind = "regression" if ratio > 1 else "speed-up"
        text = f"{factor:.2f}× {direction}"
    elif significant:
        kind = "small"
        text = f"{factor:.2f}× {direction}, within the ×{factor_threshold:g} threshold"
    else:
        kind = "same"
        text = f"no significant change ({factor:.2f}× {direction}, p = {p:.2g})"
    return {"kind": kind, "flagged": flagged, "ratio": ratio, "factor": factor, "p": p,
            "n_before": int(before.size), "n_after": int(after.size), "text": text,
            "detail": (f"median {seconds_text(float(np.median(before)))} → "
                       f"{seconds_text(float(np.median(after)))}; exact Mann–Whitney U p = {p:.2g}, "
                       f"n = {before.size}/{after.size}")}
