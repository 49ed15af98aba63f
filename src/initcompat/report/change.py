"""Did a cell's drawn distribution change between two versions: two-sample tests and verdicts.

compare_samples() tests one pair of sample summaries; classify_changes() decides over all
pairs of a report at once, so the multiple-testing correction sees every comparison made.
"""

import math
from dataclasses import dataclass, field
from typing import Any, List, Mapping, Optional, Sequence, Tuple

import numpy as np
from scipy import stats

from initcompat.report.fit import ORTHOGONAL_GRAM_MAX, kstwo_sf
from initcompat.report.theory import kurtosis_variance_factor
from initcompat.report.ztest import two_sided_p, z_score

# Family-wise error rate over the whole report (Holm-Bonferroni over every p-value of every
# pair): with ~10^3 cells x 4 tests, 0.001 keeps the chance of even one false "changed"
# in a whole report at 0.1%.
ALPHA = 0.001
# A change must also matter. At n ~ 1e5 per side the std test resolves ~1% scale changes,
# but 1-2% is within what users never notice; 2% is still 6x below the truncation-
# correction change (12%). KS D 0.05: 5% of the probability mass moved (a 1000-value
# subsample's D has noise ~0.03, hence it only counts when its own test is significant).
# Excess kurtosis 0.3: a quarter of uniform-vs-normal (1.2), half of normal-vs-truncated
# (0.63). Mean: 2% of the std, the same scale as the std threshold.
MIN_RELATIVE_STD_CHANGE = 0.02
MIN_KS_DISTANCE = 0.05
MIN_KURTOSIS_CHANGE = 0.3
MIN_STANDARDIZED_MEAN_SHIFT = 0.02

SAME = "same"
CHANGED = "changed"
RENAMED = "renamed"
NOT_COMPARABLE = "not comparable"
VERDICTS = (SAME, CHANGED, RENAMED, NOT_COMPARABLE)


@dataclass(frozen=True)
class Comparison:
    """One two-sample test: its statistic, p-value and the effect size it measures."""

    name: str  # "mean", "std", "excess_kurtosis", "ks"
    statistic: float
    p_value: float
    effect: float


@dataclass(frozen=True)
class ChangeTest:
    """The evidence on whether one cell changed between two versions."""

    comparable: bool
    comparisons: Tuple[Comparison, ...] = field(default=())
    exact_change: Optional[bool] = None  # decided without statistics (constants, orthogonality)
    identity_changed: bool = False
    detail: str = ""


def _identity(declared: Any) -> Optional[Tuple[Any, Any]]:
    """(class_name, module) from a cell's `initializer` block, a tuple, or a bare class name."""
    if declared is None:
        return None
    if isinstance(declared, Mapping):
        return declared.get("class_name"), declared.get("module")
    if isinstance(declared, (tuple, list)):
        return tuple(declared) + (None,) * max(0, 2 - len(declared))
    return declared, None


def _kurtosis_variance_factor(previous: Mapping[str, Any], current: Mapping[str, Any]) -> float:
    """n * Var(sample excess kurtosis), estimated from both subsamples pooled (equal under H0).

    The stored se_excess_kurtosis is the normal-theory sqrt(24/n): ~4x too large for a uniform
    and too small for heavy tails, so the distribution's own 8th-moment formula is used.
    """
    pooled = []
    for sample in (previous, current):
        values = np.asarray(sample.get("subsample") or [], dtype=np.float64)
        if values.size < 100:
            return 24.0  # too few values to estimate an 8th moment; normal theory
        # standardize by each side's full-sample moments so a scale change does not inflate it
        pooled.append((values - float(sample["mean"])) / float(sample["std"]))
    z = np.concatenate(pooled)
    z = z - z.mean()
    # products instead of z ** k: pow() per element was a tenth of the report's time
    z2 = z * z
    z4 = z2 * z2
    mu = {2: float(np.mean(z2)), 4: float(np.mean(z4)), 6: float(np.mean(z4 * z2)),
          8: float(np.mean(z4 * z4))}
    return max(kurtosis_variance_factor(mu[2], mu[4], mu[6], mu[8]), 1e-6)


def ks_two_samples(first, second) -> Tuple[float, float]:
    """(D, p) of the two-sided two-sample KS test with the asymptotic p-value: what
    scipy.stats.ks_2samp(first, second, method="asymp") returns, without its per-call
    array-API wrapping (thousands of calls per report)."""
    data1 = np.sort(np.asarray(first, dtype=np.float64))
    data2 = np.sort(np.asarray(second, dtype=np.float64))
    n1, n2 = data1.shape[0], data2.shape[0]
    data_all = np.concatenate([data1, data2])
    differences = (np.searchsorted(data1, data_all, side="right") / n1
                   - np.searchsorted(data2, data_all, side="right") / n2)
    below = float(np.clip(-np.min(differences), 0, 1))
    above = float(np.max(differences))
    statistic = below if below > above else above
    m, n = sorted([float(n1), float(n2)], reverse=True)
    p_value = float(np.clip(kstwo_sf(statistic, float(np.round(m * n / (m + n)))), 0, 1))
    return statistic, p_value


def _is_usable(sample: Optional[Mapping[str, Any]]) -> bool:
    """A sample summary with values in it."""
    return bool(sample) and bool(sample.get("n"))


def compare_samples(previous: Optional[Mapping[str, Any]], current: Optional[Mapping[str, Any]],
                    previous_identity: Any = None, current_identity: Any = None) -> ChangeTest:
    """Two-sample tests of one cell's sample summaries from two versions.

    The identities (a cell's `initializer` block, or (class_name, module)) are optional; when
    both are given and differ, an unchanged distribution is reported as "renamed".
    """
    ids = _identity(previous_identity), _identity(current_identity)
    identity_changed = ids[0] is not None and ids[1] is not None and ids[0] != ids[1]
    if not (_is_usable(previous) and _is_usable(current)):
        return ChangeTest(False, identity_changed=identity_changed,
                          detail="sample missing on %s" % (
                              "both sides" if not (_is_usable(previous) or _is_usable(current))
                              else "one side"))
    constant = [float(s["min"]) == float(s["max"]) for s in (previous, current)]
    if any(constant):
        # constants are deterministic: compare values at the probe's float32 precision
        same = all(constant) and np.float32(previous["min"]) == np.float32(current["min"])
        return ChangeTest(True, exact_change=not same, identity_changed=identity_changed,
                          detail="constant %s -> %s" % (
                              previous["min"] if constant[0] else "no",
                              current["min"] if constant[1] else "no"))
    grams = [s.get("first_build_max_abs_gram_offdiag") for s in (previous, current)]
    if all(g is not None for g in grams):
        orthogonal = [float(g) < ORTHOGONAL_GRAM_MAX for g in grams]
        if orthogonal[0] != orthogonal[1]:
            # an orthogonal and an iid draw can share their marginal; the Gram matrix cannot
            return ChangeTest(True, exact_change=True, identity_changed=identity_changed,
                              detail="orthogonal %s -> %s" % tuple(orthogonal))

    comparisons = []
    d_mean = float(current["mean"]) - float(previous["mean"])
    pooled_std = math.sqrt((float(previous["std"]) ** 2 + float(current["std"]) ** 2) / 2.0)
    z = z_score(d_mean, math.hypot(float(previous["se_mean"]), float(current["se_mean"])))
    comparisons.append(Comparison("mean", z, two_sided_p(z), abs(d_mean) / pooled_std))
    d_std = float(current["std"]) - float(previous["std"])
    z = z_score(d_std, math.hypot(float(previous["se_std"]), float(current["se_std"])))
    comparisons.append(Comparison("std", z, two_sided_p(z), abs(d_std) / float(previous["std"])))
    kurts = previous.get("excess_kurtosis"), current.get("excess_kurtosis")
    if None not in kurts:
        factor = _kurtosis_variance_factor(previous, current)
        se = math.sqrt(factor / int(previous["n"]) + factor / int(current["n"]))
        d_kurt = float(kurts[1]) - float(kurts[0])
        z = z_score(d_kurt, se)
        comparisons.append(Comparison("excess_kurtosis", z, two_sided_p(z), abs(d_kurt)))
    subsamples = previous.get("subsample"), current.get("subsample")
    if all(subsamples):
        # Asymptotic p-values: with 1000 values a side they are accurate, and the exact method
        # gives up (with a warning) on samples with ties, e.g. discrete LSTM biases.
        statistic, p_value = ks_two_samples(subsamples[0], subsamples[1])
        comparisons.append(Comparison("ks", statistic, p_value, statistic))
    detail = "; ".join("%s %s=%.3g p=%.2g effect %.3g" % (
        c.name, "D" if c.name == "ks" else "z", c.statistic, c.p_value, c.effect)
        for c in comparisons)
    return ChangeTest(True, tuple(comparisons), identity_changed=identity_changed, detail=detail)


def holm_rejections(p_values: Sequence[float], alpha: float = ALPHA) -> List[bool]:
    """Holm-Bonferroni step-down: which hypotheses are rejected at family-wise level alpha."""
    m = len(p_values)
    order = sorted(range(m), key=lambda i: p_values[i])
    rejected = [False] * m
    for rank, index in enumerate(order):
        if p_values[index] > alpha / (m - rank):
            break
        rejected[index] = True
    return rejected


def classify_changes(tests: Sequence[ChangeTest], alpha: float = ALPHA,
                     min_relative_std_change: float = MIN_RELATIVE_STD_CHANGE,
                     min_ks_distance: float = MIN_KS_DISTANCE,
                     min_kurtosis_change: float = MIN_KURTOSIS_CHANGE,
                     min_standardized_mean_shift: float = MIN_STANDARDIZED_MEAN_SHIFT) -> List[str]:
    """Verdict per test: Holm over all p-values passed in at once, then practical size per test.

    A cell is "changed" when one of its tests is rejected by Holm and that same test's
    effect exceeds its threshold (or a constant / orthogonality changed exactly).
    """
    thresholds = {"mean": min_standardized_mean_shift, "std": min_relative_std_change,
                  "excess_kurtosis": min_kurtosis_change, "ks": min_ks_distance}
    index = [(t, c) for t, test in enumerate(tests) if test.comparable
             for c in range(len(test.comparisons))]
    rejected = holm_rejections([tests[t].comparisons[c].p_value for t, c in index], alpha)
    changed = [False] * len(tests)
    for (t, c), reject in zip(index, rejected):
        comparison = tests[t].comparisons[c]
        if reject and comparison.effect > thresholds[comparison.name]:
            changed[t] = True
    verdicts = []
    for test, is_changed in zip(tests, changed):
        if not test.comparable:
            verdicts.append(NOT_COMPARABLE)
        elif is_changed or test.exact_change:
            verdicts.append(CHANGED)
        elif test.identity_changed:
            verdicts.append(RENAMED)
        else:
            verdicts.append(SAME)
    return verdicts


def smallest_detectable_scale_change(
        n: int, excess_kurtosis: float = 0.0, power: float = 0.95, alpha: float = ALPHA,
        n_hypotheses: int = 4, min_relative_std_change: float = MIN_RELATIVE_STD_CHANGE) -> float:
    """Smallest relative scale change called "changed" with probability `power`, n draws per side.

    The observed relative std change is ~ N(delta, se) with se = sqrt(2 (kurt+2) / (4n)); it
    must clear both the test's critical value (Holm's first step over n_hypotheses) and the
    practical threshold, so delta = max(threshold, z_crit*se) + z_power*se.
    """
    se = math.sqrt(2.0 * (excess_kurtosis + 2.0) / (4.0 * n))
    z_crit = stats.norm.isf(alpha / (2.0 * n_hypotheses))
    return max(min_relative_std_change, z_crit * se) + stats.norm.ppf(power) * se
