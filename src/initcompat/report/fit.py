"""Does a measured sample fit the declared distribution, and what does the sample alone look like.

Inputs are the probe's sample summaries (initcompat.probe.moments.summarize_sample plus
`first_build_max_abs_gram_offdiag`); nothing here reads files.
"""

import math
from dataclasses import dataclass, field
from typing import Any, Mapping, Optional, Tuple

import numpy as np
from scipy import stats

from initcompat.report import distributions
from initcompat.report.distributions import Distribution
from initcompat.report.ztest import two_sided_p, z_score

# A cell is "inconsistent" with its declaration only when a check is both significant and
# large. Significance: Bonferroni over the checks of the cell at ALPHA = 0.001, so a report
# of a few thousand cells expects only a handful of false alarms at most. Size: at n ~ 1e5
# the z-tests resolve differences far below what matters for training, so each check
# must also show an effect that would matter: a 1% std error (a quarter of the truncation
# mistake's 12%), a KS distance of 0.05 (probability mass moved), 0.3 in excess kurtosis
# (a quarter of uniform-vs-normal's 1.2, twice normal-vs-truncated's 0.63 / 2), or a mean
# offset of 1% of the declared std. Pairing each effect with its own test stops noise in one
# statistic (the KS D of a 1000-value subsample fluctuates by ~0.03) from riding on the
# significance of another.
ALPHA = 0.001
MIN_RELATIVE_STD_ERROR = 0.01
MIN_KS_DISTANCE = 0.05
MIN_KURTOSIS_DIFFERENCE = 0.3
MIN_STANDARDIZED_MEAN_ERROR = 0.01
# Values are float32: a bound computed in float64 may be overshot by rounding, ~6e-8 relative.
SUPPORT_RELATIVE_TOLERANCE = 1e-6
# first_build_max_abs_gram_offdiag: float32 QR gives ~1e-6, an iid draw ~3/sqrt(long side)
# (>= 0.03 for any kernel under 10^4 rows), so 1e-3 separates the two by orders of magnitude.
ORTHOGONAL_GRAM_MAX = 1e-3

# fingerprint(): a candidate family is accepted when its kurtosis is within FINGERPRINT_Z
# standard errors and its support fits; 5 SEs keeps false rejections at ~1e-6.
FINGERPRINT_Z = 5.0
# Ratio of max|x - mean| to std: uniform sqrt(3); normal cut at 2 sigma: 2/0.8796.
UNIFORM_EDGE_RATIO = math.sqrt(3.0)
TRUNCATED_EDGE_RATIO = distributions.TRUNCATION_BOUND / distributions.TRUNCATION_STD_FACTOR

VERDICT_CONSISTENT = "consistent"
VERDICT_INCONSISTENT = "inconsistent"
VERDICT_NOT_TESTED = "not tested"


@dataclass(frozen=True)
class Check:
    """One comparison of the sample with the theory: its test and its effect size."""

    name: str
    statistic: float
    p_value: float
    effect: float
    threshold: float

    def decisive(self, n_checks: int, alpha: float = ALPHA) -> bool:
        """Significant after Bonferroni over n_checks and larger than its practical threshold."""
        return min(1.0, self.p_value * n_checks) < alpha and self.effect > self.threshold


@dataclass(frozen=True)
class FitResult:
    """Verdict of a goodness-of-fit test of one cell's sample against its declared distribution."""

    test: str
    statistic: float
    p_value: float
    verdict: str
    detail: str
    checks: Tuple[Check, ...] = field(default=())


@dataclass(frozen=True)
class Fingerprint:
    """Family and scale named from the sample alone."""

    family: str
    label: str
    params: Mapping[str, float]
    evidence: str


def _exact_fit(sample: Mapping[str, Any], distribution: Distribution) -> FitResult:
    """Constants, identities and fixed mixtures are deterministic: the values are the declared
    ones in the declared proportions, or not."""
    low, high, mean = float(sample["min"]), float(sample["max"]), float(sample["mean"])
    p = distribution.params
    if distribution.family == "discrete":
        allowed = [np.float32(v) for v in p["values"]]
        scale = max(abs(v) for v in p["values"]) or 1.0
        values_ok = np.float32(low) in allowed and np.float32(high) in allowed and (
            _subsample_within(sample, allowed))
        same = values_ok and abs(mean - distribution.mean) <= 1e-6 * scale
        detail = "values in [%g, %g], mean %.6g; declared %s (mean %.6g)" % (
            low, high, mean, distribution.description, distribution.mean)
    elif distribution.family == "constant":
        value = p["value"]
        # compare at float32 precision: the probe's values are float32
        same = low == high and np.float32(low) == np.float32(value)
        detail = "all values equal %g" % low if low == high else \
            "values span [%g, %g]" % (low, high)
        detail += "; declared constant %g" % value
    else:
        gain, expected_mean = p["gain"], distribution.mean
        allowed = (np.float32(0.0), np.float32(gain))
        same = (np.float32(low) in allowed and np.float32(high) in allowed
                and abs(mean - expected_mean) <= 1e-6 * max(abs(gain), 1e-30))
        detail = "values in [%g, %g], mean %.6g; declared %s (mean %.6g)" % (
            low, high, mean, distribution.description, expected_mean)
    return FitResult(test="exact", statistic=float(high - low), p_value=1.0 if same else 0.0,
                     verdict=VERDICT_CONSISTENT if same else VERDICT_INCONSISTENT, detail=detail)


def _subsample_within(sample: Mapping[str, Any], allowed: list) -> bool:
    """Every stored subsample value is one of the allowed float32 values."""
    values = np.asarray(sample.get("subsample") or [], dtype=np.float32)
    return bool(np.isin(values, np.asarray(allowed, dtype=np.float32)).all())


def two_point_fraction(sample: Mapping[str, Any]) -> Optional[float]:
    """The share of the maximum when every value is the minimum or the maximum, else None.

    Decided from the histogram (only its outer bins hold values) and the subsample (only the
    two extremes); the share itself is exact, from the full sample's mean.
    """
    low, high = float(sample["min"]), float(sample["max"])
    counts = (sample.get("histogram") or {}).get("counts") or []
    if not high > low or len(counts) < 3 or any(counts[1:-1]):
        return None
    if not _subsample_within(sample, [np.float32(low), np.float32(high)]):
        return None
    return (float(sample["mean"]) - low) / (high - low)


def _structural_violations(sample: Mapping[str, Any], distribution: Distribution) -> list:
    """What the declared distribution cannot produce: values off its support, orthogonality."""
    problems = []
    low, high = distribution.support
    scale = max(abs(low) if math.isfinite(low) else 0.0, abs(high) if math.isfinite(high) else 0.0)
    tolerance = SUPPORT_RELATIVE_TOLERANCE * scale
    if math.isfinite(low) and float(sample["min"]) < low - tolerance:
        problems.append("min %.6g below the support's %.6g" % (sample["min"], low))
    if math.isfinite(high) and float(sample["max"]) > high + tolerance:
        problems.append("max %.6g above the support's %.6g" % (sample["max"], high))
    gram = sample.get("first_build_max_abs_gram_offdiag")
    if gram is not None and math.isfinite(float(gram)):
        if distribution.family == "orthogonal" and gram > ORTHOGONAL_GRAM_MAX:
            problems.append("not orthogonal (max |gram off-diagonal| %.3g)" % gram)
        if distribution.family != "orthogonal" and gram < ORTHOGONAL_GRAM_MAX:
            problems.append("orthogonal (max |gram off-diagonal| %.3g), declared iid" % gram)
    return problems


def kstwo_sf(statistic: float, n: float) -> float:
    """scipy.stats.kstwo.sf(statistic, n) for one statistic: the generic method's support
    check, then the distribution's own _sf (the generic argument handling was half the cost)."""
    if statistic <= 0.5 / n:
        return 1.0
    if statistic >= 1.0:
        return 0.0
    return float(stats.kstwo._sf(statistic, n))


def ks_one_sample(values, cdf) -> Tuple[float, float]:
    """(D, p) of the two-sided one-sample KS test: what scipy.stats.kstest(values, cdf) returns
    (exact p from the kstwo distribution), without its per-call array-API wrapping."""
    x = np.sort(np.asarray(values, dtype=np.float64))
    n = x.size
    cdf_values = cdf(x)
    d_plus = float(np.max(np.arange(1.0, n + 1) / n - cdf_values))
    d_minus = float(np.max(cdf_values - np.arange(0.0, n) / n))
    statistic = d_plus if d_plus > d_minus else d_minus
    p_value = float(np.clip(kstwo_sf(statistic, n), 0.0, 1.0))
    return statistic, p_value


def _statistical_checks(sample: Mapping[str, Any], distribution: Distribution) -> Tuple[Check, ...]:
    """KS on the subsample and z-tests of mean, std and excess kurtosis against the theory."""
    n = int(sample["n"])
    sigma = distribution.std
    checks = []
    mean_diff = float(sample["mean"]) - distribution.mean
    z = z_score(mean_diff, float(sample["se_mean"]))
    checks.append(Check("mean", z, two_sided_p(z), abs(mean_diff) / sigma,
                        MIN_STANDARDIZED_MEAN_ERROR))
    std_diff = float(sample["std"]) - sigma
    z = z_score(std_diff, float(sample["se_std"]))
    checks.append(Check("std", z, two_sided_p(z), abs(std_diff) / sigma, MIN_RELATIVE_STD_ERROR))
    kurt = sample.get("excess_kurtosis")
    # The stored se_excess_kurtosis is sqrt(24/n), right only for a normal; use the declared
    # distribution's own asymptotic SE (its moments up to the 8th), as the null hypothesis says.
    kurt_se = distribution.kurtosis_se(n)
    if kurt is not None and math.isfinite(kurt_se):
        kurt_diff = float(kurt) - distribution.excess_kurtosis
        z = z_score(kurt_diff, kurt_se)
        checks.append(Check("excess_kurtosis", z, two_sided_p(z), abs(kurt_diff),
                            MIN_KURTOSIS_DIFFERENCE))
    subsample = sample.get("subsample")
    if subsample:
        statistic, p_value = ks_one_sample(subsample, distribution.cdf)
        checks.append(Check("ks", statistic, p_value, statistic, MIN_KS_DISTANCE))
    return tuple(checks)


def goodness_of_fit(sample: Optional[Mapping[str, Any]],
                    distribution: Optional[Distribution]) -> FitResult:
    """Test a cell's sample summary against the distribution its initializer declares."""
    if distribution is None:
        return FitResult("none", math.nan, math.nan, VERDICT_NOT_TESTED, "no declared distribution")
    if not sample or not sample.get("n"):
        return FitResult("none", math.nan, math.nan, VERDICT_NOT_TESTED, "no sample")
    if distribution.family in distributions.EXACT_FAMILIES:
        return _exact_fit(sample, distribution)

    violations = _structural_violations(sample, distribution)
    checks = _statistical_checks(sample, distribution)
    m = len(checks)
    adjusted = min([min(1.0, c.p_value * m) for c in checks] + [1.0])
    decisive = [c for c in checks if c.decisive(m)]
    inconsistent = bool(violations or decisive)
    ks = [c for c in checks if c.name == "ks"]
    parts = ["%s %s=%.3g (p=%.2g, effect %.3g vs %.3g)" % (
        c.name, "D" if c.name == "ks" else "z", c.statistic, c.p_value, c.effect, c.threshold)
        for c in checks]
    detail = "; ".join(violations + parts) + "; smallest Bonferroni p over %d checks %.2g" % (
        m, adjusted)
    if decisive:
        detail += "; decisive: " + ", ".join(c.name for c in decisive)
    return FitResult(
        test="KS + z(mean, std, excess kurtosis), Bonferroni",
        statistic=ks[0].statistic if ks else math.nan,
        p_value=0.0 if violations else adjusted,
        verdict=VERDICT_INCONSISTENT if inconsistent else VERDICT_CONSISTENT,
        detail=detail, checks=checks)


# ---------------------------------------------------------------- fingerprint

_STANDARD_CANDIDATES = {
    "uniform": distributions.uniform(-1.0, 1.0, "standard uniform"),
    "truncated_normal": distributions.truncated_normal(0.0, 1.0, "standard truncated normal"),
    "normal": distributions.normal(0.0, 1.0, "standard normal"),
}


def _percent(share: float) -> str:
    """0.25 -> '25%', 1/3 -> '33.3%'."""
    text = "%.3g" % (100.0 * share)
    return text + "%"


def _fmt(value: float, se: float) -> str:
    """`value` to the precision its standard error supports (unit >= 2 SE), at most 4 digits."""
    if value == 0 or not math.isfinite(value):
        return "%g" % value
    unit = 10.0 ** (math.floor(math.log10(abs(value))) - 3)
    if se > 0 and math.isfinite(se):
        unit = max(unit, 10.0 ** math.ceil(math.log10(2.0 * se)))
    decimals = max(0, -int(round(math.log10(unit))))
    text = "%.*f" % (decimals, round(value / unit) * unit)
    text = text.rstrip("0").rstrip(".") if "." in text else text
    return "0" if text in ("-0", "") else text


def _edge_fits(family: str, sample: Mapping[str, Any]) -> bool:
    """Whether the sample's extremes sit where the family's support says, relative to its std."""
    n, mean, std = int(sample["n"]), float(sample["mean"]), float(sample["std"])
    reach = max(float(sample["max"]) - mean, mean - float(sample["min"])) / std
    rel_se_std = float(sample["se_std"]) / std
    # the extremes fall short of a bounded support by O(1/n); the std carries its own error
    tolerance = FINGERPRINT_Z * rel_se_std + 20.0 / n
    if family == "uniform":
        return abs(reach / UNIFORM_EDGE_RATIO - 1.0) < tolerance
    if family == "truncated_normal":
        return abs(reach / TRUNCATED_EDGE_RATIO - 1.0) < tolerance
    # normal: unbounded, so a large sample must reach well beyond the 2-sigma cut
    expected_reach = math.sqrt(2.0 * math.log(max(n, 2)))
    return reach > TRUNCATED_EDGE_RATIO * (1.0 + tolerance) and reach < 2.0 * expected_reach + 2.0


def fingerprint(sample: Mapping[str, Any]) -> Fingerprint:
    """Name the family and scale of a sample from its values alone (never from a class name)."""
    n = int(sample["n"])
    mean, std = float(sample["mean"]), float(sample["std"])
    low, high = float(sample["min"]), float(sample["max"])
    if low == high:
        return Fingerprint("constant", "constant %g" % low, {"value": low}, "min == max")
    share = two_point_fraction(sample)
    if share is not None:
        return Fingerprint("discrete", "%g for %s of the entries, %g for %s" % (
            low, _percent(1.0 - share), high, _percent(share)),
            {"values": [low, high], "weights": [1.0 - share, share]},
            "every value is the minimum or the maximum")
    gram = sample.get("first_build_max_abs_gram_offdiag")
    if gram is not None and float(gram) < ORTHOGONAL_GRAM_MAX:
        return Fingerprint("orthogonal", "orthogonal", {"entry_std": std},
                           "max |gram off-diagonal| %.2g < %g" % (gram, ORTHOGONAL_GRAM_MAX))
    kurt = sample.get("excess_kurtosis")
    se_kurt = float(sample.get("se_excess_kurtosis") or 0.0)
    other = "other: mean=%s, std=%s, exkurt=%s" % (
        _fmt(mean, float(sample["se_mean"])), _fmt(std, float(sample["se_std"])),
        "n/a" if kurt is None else _fmt(kurt, se_kurt))
    if kurt is None or std <= 0:
        return Fingerprint("other", other, {"mean": mean, "std": std}, "no kurtosis")

    fits = []
    for family, candidate in _STANDARD_CANDIDATES.items():
        z = (float(kurt) - candidate.excess_kurtosis) / candidate.kurtosis_se(n)
        if abs(z) < FINGERPRINT_Z and _edge_fits(family, sample):
            fits.append((abs(z), family, z))
    if not fits:
        return Fingerprint("other", other, {"mean": mean, "std": std, "excess_kurtosis": kurt},
                           "no family fits both the kurtosis and the extremes")
    _, family, z = min(fits)
    centered = abs(mean) <= FINGERPRINT_Z * float(sample["se_mean"])
    evidence = "excess kurtosis %.3f (z=%.2f vs %s); %d candidate(s) fit" % (
        kurt, z, family, len(fits))
    se_mean, se_std = float(sample["se_mean"]), float(sample["se_std"])
    if family == "uniform":
        # the sample range falls short of the support by a fraction 2/(n+1), with an SE as big
        half = (high - low) / 2.0 * (n + 1) / (n - 1)
        se_half = 2.0 * half / n
        if centered:
            return Fingerprint("uniform", "uniform on \u00b1" + _fmt(half, se_half),
                               {"limit": half}, evidence)
        center = (high + low) / 2.0
        return Fingerprint("uniform", "uniform on [%s, %s]" % (
            _fmt(center - half, se_half), _fmt(center + half, se_half)),
            {"low": center - half, "high": center + half}, evidence)
    if family == "truncated_normal":
        sigma = std / distributions.TRUNCATION_STD_FACTOR
        label = "truncated normal at \u00b12\u03c3, \u03c3=" + _fmt(
            sigma, se_std / distributions.TRUNCATION_STD_FACTOR)
        if not centered:
            label += ", mean=" + _fmt(mean, se_mean)
        return Fingerprint("truncated_normal", label, {"mean": mean, "stddev": sigma}, evidence)
    label = "normal, \u03c3=" + _fmt(std, se_std)
    if not centered:
        label = "normal, mean=%s, \u03c3=%s" % (_fmt(mean, se_mean), _fmt(std, se_std))
    return Fingerprint("normal", label, {"mean": mean, "stddev": std}, evidence)
