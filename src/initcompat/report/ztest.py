"""z statistics and their two-sided normal p-values, shared by the fit and change tests."""

import math

from scipy import special


def two_sided_p(z: float) -> float:
    """Two-sided normal p-value of a z statistic (0 for an infinite z).

    2 * ndtr(-|z|) is what scipy.stats.norm.sf(|z|) computes, bit for bit, without its
    per-call argument handling (a report makes thousands of these calls).
    """
    return float(2.0 * special.ndtr(-abs(z))) if math.isfinite(z) else 0.0


def z_score(difference: float, se: float) -> float:
    """difference/se, infinite when se is 0 and the difference is not."""
    if se > 0:
        return difference / se
    return 0.0 if difference == 0 else math.copysign(math.inf, difference)
