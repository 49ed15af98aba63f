"""Validation of change detection: A/A false alarms, planted differences, verdict rules."""

import math

import numpy as np
import pytest

from initcompat.probe.moments import compute_moments, summarize_sample
from initcompat.report.change import (ChangeTest, Comparison, classify_changes, compare_samples,
                                      holm_rejections, smallest_detectable_scale_change)

N = 100000
SUBSAMPLE = 1000


def summary(values, seed=0):
    """A cell's sample block as the probe writes it (float32 draws)."""
    return summarize_sample(np.asarray(values, dtype=np.float32), SUBSAMPLE, seed)


def fast_summary(values):
    """The fields change detection reads, as compute_moments gives them, plus a subsample.

    compute_moments costs ~15 ms per 1e5 values; the same formulas with dot products take
    ~1 ms, which keeps 400 summaries within the file's time budget.
    test_fast_summary_matches_the_probe checks the two agree. The values are iid, so their
    first 1000 are a uniformly random subsample.
    """
    values = np.asarray(np.asarray(values, dtype=np.float32), dtype=np.float64)
    n = values.size
    mean = float(values.mean())
    centered = values - mean
    squared = centered * centered
    m2 = float(squared.sum()) / n
    std = math.sqrt(m2)
    kurt = float(squared @ squared) / n / m2 ** 2 - 3.0
    return {
        "n": n, "mean": mean, "std": std, "min": float(values.min()), "max": float(values.max()),
        "skewness": float(squared @ centered) / n / m2 ** 1.5, "excess_kurtosis": kurt,
        "se_mean": std / math.sqrt(n), "se_std": std * math.sqrt(max(kurt + 2.0, 0.0) / (4.0 * n)),
        "se_skewness": math.sqrt(6.0 / n), "se_excess_kurtosis": math.sqrt(24.0 / n),
        "subsample": [float(v) for v in values[:SUBSAMPLE]],
    }


def truncated(rng, scale, size=N):
    """Normal(0, scale) cut at +-2 scale by redrawing, as tf.random.truncated_normal does."""
    draws = rng.normal(0.0, 1.0, int(size * 1.1) + 100)  # P(|z| < 2) = 0.954
    kept = draws[np.abs(draws) < 2.0]
    assert kept.size >= size
    return scale * kept[:size]


FAMILIES = {
    "uniform": lambda rng: rng.uniform(-0.21, 0.21, N),
    "uniform01": lambda rng: rng.uniform(0.0, 1.0, N),
    "normal": lambda rng: rng.normal(0.0, 0.05, N),
    "truncated": lambda rng: truncated(rng, 0.1695),
}


@pytest.fixture(scope="module")
def aa_tests():
    """200 A/A pairs: two independent draws of the same distribution, 50 per family."""
    rng = np.random.default_rng(12345)
    tests = []
    for family, draw in FAMILIES.items():
        for _ in range(50):
            tests.append(compare_samples(fast_summary(draw(rng)), fast_summary(draw(rng))))
    return tests


def test_fast_summary_matches_the_probe():
    values = np.random.default_rng(0).uniform(-0.3, 0.2, N)
    fast, probe = fast_summary(values), compute_moments(np.asarray(values, dtype=np.float32))
    for key, value in probe.items():
        assert fast[key] == pytest.approx(value, rel=1e-9, abs=1e-12), key


def verdict(previous, current, **identities):
    """Verdict of one comparison on its own."""
    return classify_changes([compare_samples(previous, current, **identities)])[0]


def test_aa_pair_is_same():
    rng = np.random.default_rng(1)
    a = summary(rng.uniform(-0.21, 0.21, N), seed=1)
    b = summary(rng.uniform(-0.21, 0.21, N), seed=2)
    assert verdict(a, b) == "same"


def test_aa_false_positive_rate_over_200_pairs(aa_tests):
    # judged all at once (Holm over 800 p-values) and one pair at a time (Holm over 4)
    together = classify_changes(aa_tests)
    alone = [classify_changes([test])[0] for test in aa_tests]
    assert len(aa_tests) == 200
    assert together.count("changed") / 200.0 <= 0.01
    assert alone.count("changed") / 200.0 <= 0.01
    assert set(together) == {"same"} and set(alone) == {"same"}  # measured: 0 of 200


def test_aa_p_values_are_not_degenerate(aa_tests):
    # under the null, p-values are ~uniform: a broken SE would pile them at 0 or 1
    for name in ("mean", "std", "excess_kurtosis", "ks"):
        p = [c.p_value for t in aa_tests for c in t.comparisons if c.name == name]
        assert len(p) == 200
        assert 0.3 < np.median(p) < 0.7, name
        assert sum(v < 0.05 for v in p) <= 25, name


def planted_pairs(rng):
    """Differences that must be detected, each as (name, previous, current)."""
    limit = 0.21
    sigma = limit / math.sqrt(3.0)
    return [
        ("uniform vs normal of equal variance",
         fast_summary(rng.uniform(-limit, limit, N)), fast_summary(rng.normal(0.0, sigma, N))),
        ("uniform scaled by 5%",
         fast_summary(rng.uniform(-limit, limit, N)),
         fast_summary(rng.uniform(-1.05 * limit, 1.05 * limit, N))),
        ("truncated vs untruncated normal, same sigma",
         fast_summary(truncated(rng, 0.1)), fast_summary(rng.normal(0.0, 0.1, N))),
        ("uncorrected vs corrected truncation",
         fast_summary(truncated(rng, 0.1)),
         fast_summary(truncated(rng, 0.1 / 0.87962566103423978))),
        ("normal scaled by 3%",
         fast_summary(rng.normal(0.0, 0.05, N)), fast_summary(rng.normal(0.0, 0.0515, N))),
    ]


def test_planted_differences_are_detected_alone():
    rng = np.random.default_rng(2)
    for name, previous, current in planted_pairs(rng):
        assert verdict(previous, current) == "changed", name


def test_planted_differences_are_detected_among_200_aa_pairs(aa_tests):
    planted = planted_pairs(np.random.default_rng(3))
    tests = list(aa_tests) + [compare_samples(p, c) for _, p, c in planted]
    verdicts = classify_changes(tests)
    assert verdicts[:200].count("changed") == 0
    assert verdicts[200:] == ["changed"] * len(planted)


def test_one_percent_scale_change_is_not_called_changed():
    # significant at n=1e5 (std z ~ 5 for a uniform) but below the 2% practical threshold
    rng = np.random.default_rng(4)
    tests = [compare_samples(fast_summary(rng.uniform(-0.21, 0.21, N)),
                             fast_summary(rng.uniform(-0.21 * 1.01, 0.21 * 1.01, N)))
             for _ in range(10)]
    std_p = [c.p_value for t in tests for c in t.comparisons if c.name == "std"]
    assert np.median(std_p) < 1e-3  # the test does see it
    assert classify_changes(tests) == ["same"] * 10


def test_smallest_detectable_scale_change_at_1e5():
    normal = smallest_detectable_scale_change(N)
    uniform = smallest_detectable_scale_change(N, excess_kurtosis=-1.2)
    assert normal == pytest.approx(0.0252, abs=5e-4)
    assert uniform == pytest.approx(0.0233, abs=5e-4)
    # the practical threshold, not the sample size, is what limits detection at n = 1e5
    assert smallest_detectable_scale_change(10 ** 7) == pytest.approx(0.02, abs=1e-3)
    assert smallest_detectable_scale_change(1000) > 0.1
    # empirically: at the computed size a normal's scale change is caught ~95% of the time
    rng = np.random.default_rng(5)
    factor = 1.0 + normal
    caught = classify_changes([compare_samples(fast_summary(rng.normal(0, 1, N)),
                                               fast_summary(rng.normal(0, factor, N)))
                               for _ in range(20)]).count("changed")
    assert caught >= 16


def test_constants():
    zeros, ones = summary(np.zeros(N)), summary(np.ones(N))
    rng = np.random.default_rng(6)
    assert verdict(zeros, summary(np.zeros(N))) == "same"
    assert verdict(zeros, ones) == "changed"
    assert verdict(zeros, summary(rng.uniform(-0.05, 0.05, N))) == "changed"


def test_orthogonal_vs_iid_of_equal_marginal_is_changed():
    rng = np.random.default_rng(7)
    iid = fast_summary(rng.normal(0.0, 1 / math.sqrt(96), N))
    orthogonal = dict(iid)
    iid["first_build_max_abs_gram_offdiag"] = 0.35
    orthogonal["first_build_max_abs_gram_offdiag"] = 2e-7
    assert verdict(iid, orthogonal) == "changed"
    assert verdict(orthogonal, dict(orthogonal)) == "same"


def test_renamed_when_identity_differs_but_distribution_does_not():
    rng = np.random.default_rng(8)
    old_id = {"class_name": "VarianceScaling", "module": "tensorflow.python.ops.init_ops"}
    new_id = {"class_name": "GlorotUniform", "module": "keras.src.initializers.random_initializers"}
    a = fast_summary(rng.uniform(-0.21, 0.21, N))
    b = fast_summary(rng.uniform(-0.21, 0.21, N))
    c = fast_summary(rng.normal(0.0, 0.21 / math.sqrt(3), N))
    assert verdict(a, b, previous_identity=old_id, current_identity=new_id) == "renamed"
    assert verdict(a, b, previous_identity=old_id, current_identity=dict(old_id)) == "same"
    assert verdict(a, c, previous_identity=old_id, current_identity=new_id) == "changed"


def test_not_comparable_when_a_side_is_missing():
    a = summary(np.random.default_rng(9).normal(size=N))
    assert verdict(a, None) == "not comparable"
    assert verdict(None, None) == "not comparable"
    assert verdict({}, a) == "not comparable"


def test_holm_step_down():
    assert holm_rejections([0.01, 0.04, 0.03, 0.005], alpha=0.05) == [True, False, False, True]
    assert holm_rejections([0.001, 0.012, 0.02, 0.04], alpha=0.05) == [True, True, True, True]
    assert holm_rejections([0.01, 0.02, 0.03, 0.04], alpha=0.05) == [True, False, False, False]
    assert holm_rejections([], alpha=0.05) == []


def test_significance_without_practical_size_is_not_a_change():
    tiny = ChangeTest(True, (Comparison("std", 9.0, 1e-19, 0.01),))
    large = ChangeTest(True, (Comparison("std", 9.0, 1e-19, 0.03),))
    noisy = ChangeTest(True, (Comparison("ks", 0.08, 0.01, 0.08),))
    assert classify_changes([tiny, large, noisy]) == ["same", "changed", "same"]
