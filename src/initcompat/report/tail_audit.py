"""The strict tail audit's counts as rates: a value outside an initializer's declared support is
impossible for a correct initializer, so a count of 0 bounds the defect rate and any count is a
defect. Beside each count, the p-value of the probe's Anderson-Darling statistic (its draw's
first ad_n values against the declared distribution; initcompat.report.anderson_darling), tested
over the whole report with Holm at AD_ALPHA. Pure; scipy for the binomial quantities.
"""

from __future__ import annotations

import math

from scipy import stats

from initcompat.report import anderson_darling, fit
from initcompat.report.change import holm_rejections

CONFIDENCE = 0.95
REFERENCE_RATE = 1e-5  # the defect rate the audit is sized to see (issue: a torch-backend tail)
# Family-wise level of the AD tests, Holm over every one in the report: the level of the report's
# other tests of draws against their declaration (fit.ALPHA): however many tests, at most 1
# report in 1000 shows a false AD finding.
AD_ALPHA = fit.ALPHA


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


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def ad_columns(entry: dict) -> dict:
    """ad_n, ad_statistic, ad_p_value of one audit entry; None each where it was not measured
    (a file from before the test, a draw with a NaN)."""
    n, statistic = entry.get("ad_n"), entry.get("ad_statistic")
    if not (_number(n) and n >= 1 and _number(statistic) and statistic >= 0):
        return {"ad_n": None, "ad_statistic": None, "ad_p_value": None}
    return {"ad_n": int(n), "ad_statistic": float(statistic),
            "ad_p_value": anderson_darling.p_value(int(n), float(statistic))}


def ad_rejections(p_values: list[float | None], alpha: float = AD_ALPHA) -> list[bool | None]:
    """Holm over the measured p-values at family-wise `alpha`; None where not measured."""
    measured = [p for p in p_values if p is not None]
    rejected = iter(holm_rejections(measured, alpha))
    return [None if p is None else next(rejected) for p in p_values]


def audit_row(entry: dict) -> dict | None:
    """The rate and AD columns of one audit entry; None for an entry that could not draw."""
    n, k = entry.get("n"), entry.get("outside_support")
    if not isinstance(n, (int, float)) or not isinstance(k, (int, float)) or n <= 0 or k < 0 \
            or k > n or not math.isfinite(n) or not math.isfinite(k):
        return None
    n, k = int(n), int(k)
    low, high = clopper_pearson(k, n)
    return {"n": n, "outside_support": k, "rate": k / n, "rate_ci_low": low,
            "rate_ci_high": high, "p_value": p_value_against_zero(k),
            "p_value_rate_1e-5": p_value_reference(k, n), **ad_columns(entry)}
