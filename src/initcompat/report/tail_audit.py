"""The strict tail audit's counts as rates: a value outside an initializer's declared support is
impossible for a correct initializer, so a count of 0 bounds the defect rate and any count is a
defect. Pure; scipy for the binomial quantities.
"""

from __future__ import annotations

import math

from scipy import stats

CONFIDENCE = 0.95
REFERENCE_RATE = 1e-5  # the defect rate the audit is sized to see (issue: a torch-backend tail)


def clopper_pearson(k: int, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """Exact two-sided interval of a binomial rate from k events in n trials."""
    alpha = 1.0 - confidence
    low = 0.0 if k == 0 else float(stats.beta.ppf(alpha / 2, k, n - k + 1))
    high = 1.0 if k == n else float(stats.beta.ppf(1 - alpha / 2, k + 1, n - k))
    return low, high


def p_value_against_zero(k: int) -> float:
    """The binomial test of 'no value outside the support' (rate 0): one value outside is
    impossible under it, so p is 0 for any count and 1 for none."""
    return 0.0 if k > 0 else 1.0


def p_value_reference(k: int, n: int, rate: float = REFERENCE_RATE) -> float:
    """P(at most k outside | rate): small means the draws exclude a defect at `rate`."""
    return float(stats.binom.cdf(k, n, rate))


def audit_row(entry: dict) -> dict | None:
    """The rate columns of one audit entry; None for an entry that could not draw."""
    n, k = entry.get("n"), entry.get("outside_support")
    if not isinstance(n, (int, float)) or not isinstance(k, (int, float)) or n <= 0 or k < 0 \
            or k > n or not math.isfinite(n) or not math.isfinite(k):
        return None
    n, k = int(n), int(k)
    low, high = clopper_pearson(k, n)
    return {"n": n, "outside_support": k, "rate": k / n, "rate_ci_low": low,
            "rate_ci_high": high, "p_value": p_value_against_zero(k),
            "p_value_rate_1e-5": p_value_reference(k, n)}
