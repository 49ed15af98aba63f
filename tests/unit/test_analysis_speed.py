"""The report's fast statistics give what scipy's general-purpose calls give, so every verdict
(and every detail text) is the one the slower reference code computed.

fit.ks_one_sample, change.ks_two_samples and ztest.two_sided_p skip scipy's per-call argument
handling; change._kurtosis_variance_factor multiplies instead of calling pow(). Each is checked
against the scipy call it replaces, and the whole analysis of real results against a run with
the reference implementations patched back in.
"""

from __future__ import annotations

import dataclasses
from pathlib import Path

import numpy as np
import pytest
from scipy import stats

from initcompat.report import change, fit, theory, ztest
from initcompat.report.frame import order_results
from initcompat.report.load import load_results
from initcompat.report.measured import measure

MERGE = Path(__file__).resolve().parents[1] / "fixtures" / "merge"


def reference_ks_one_sample(values, cdf):
    result = stats.kstest(np.asarray(values, dtype=np.float64), cdf)
    return float(result.statistic), float(result.pvalue)


def reference_ks_two_samples(first, second):
    result = stats.ks_2samp(np.asarray(first, dtype=np.float64),
                            np.asarray(second, dtype=np.float64), method="asymp")
    return float(result.statistic), float(result.pvalue)


def reference_two_sided_p(z):
    return float(2.0 * stats.norm.sf(abs(z))) if np.isfinite(z) else 0.0


def reference_kurtosis_variance_factor(previous, current):
    pooled = []
    for sample in (previous, current):
        values = np.asarray(sample.get("subsample") or [], dtype=np.float64)
        if values.size < 100:
            return 24.0
        pooled.append((values - float(sample["mean"])) / float(sample["std"]))
    z = np.concatenate(pooled)
    z = z - z.mean()
    mu = {k: float(np.mean(z ** k)) for k in (2, 4, 6, 8)}
    return max(theory.kurtosis_variance_factor(mu[2], mu[4], mu[6], mu[8]), 1e-6)


SAMPLES = {
    "uniform": lambda rng: rng.uniform(-0.1, 0.1, 1000),
    "normal": lambda rng: rng.normal(0.0, 0.05, 1000),
    "shifted": lambda rng: rng.normal(0.02, 0.05, 1000),
    "ties": lambda rng: rng.choice([0.0, 1.0], 1000, p=[0.75, 0.25]),
    "small": lambda rng: rng.uniform(-1.0, 1.0, 7),
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_ks_one_sample_is_scipy_kstest(name):
    rng = np.random.default_rng(1)
    values = SAMPLES[name](rng)
    for distribution in (theory.uniform(-0.1, 0.1, "u"), theory.normal(0.0, 0.05, "n"),
                         theory.truncated_normal(0.0, 0.05, "t")):
        assert fit.ks_one_sample(list(values), distribution.cdf) == \
            reference_ks_one_sample(values, distribution.cdf)


@pytest.mark.parametrize("first", sorted(SAMPLES))
def test_ks_two_samples_is_scipy_ks_2samp_asymp(first):
    rng = np.random.default_rng(2)
    for second in sorted(SAMPLES):
        a, b = SAMPLES[first](rng), SAMPLES[second](rng)
        assert change.ks_two_samples(list(a), list(b)) == reference_ks_two_samples(a, b)


def test_kstwo_sf_is_scipy_s_at_and_beyond_the_support_edges():
    for n in (1.0, 7.0, 500.0, 1000.0):
        for d in (0.0, 0.5 / n, np.nextafter(0.5 / n, 1), 0.01, 0.0352, 0.2, 0.9, 1.0, 1.5):
            assert fit.kstwo_sf(d, n) == float(stats.kstwo.sf(d, n)), (d, n)


def test_two_sided_p_is_twice_the_normal_tail_bit_for_bit():
    for z in (0.0, 1e-9, 0.3, -0.70710678, 1.0, 1.96, -3.3, 8.0, 38.0, 40.0, -1e6):
        assert ztest.two_sided_p(z) == reference_two_sided_p(z)
    assert ztest.two_sided_p(float("inf")) == 0.0


def test_kurtosis_factor_agrees_with_pow_to_rounding():
    rng = np.random.default_rng(3)
    for name in ("uniform", "normal", "ties"):
        a, b = SAMPLES[name](rng), SAMPLES[name](rng)
        previous = {"subsample": list(a), "mean": float(a.mean()), "std": float(a.std())}
        current = {"subsample": list(b), "mean": float(b.mean()), "std": float(b.std())}
        assert change._kurtosis_variance_factor(previous, current) == pytest.approx(
            reference_kurtosis_variance_factor(previous, current), rel=1e-12)


def analysed(results):
    measured = measure(results)
    analyses = {k: dataclasses.replace(a, distribution=None) for k, a in measured.analyses.items()}
    return analyses, measured.steps, measured.groups


def test_every_verdict_and_detail_of_real_results_is_the_reference_one(monkeypatch):
    results = order_results(load_results(MERGE).results)
    fast = analysed(results)
    monkeypatch.setattr(fit, "ks_one_sample", reference_ks_one_sample)
    monkeypatch.setattr(change, "ks_two_samples", reference_ks_two_samples)
    monkeypatch.setattr(fit, "two_sided_p", reference_two_sided_p)
    monkeypatch.setattr(change, "two_sided_p", reference_two_sided_p)
    monkeypatch.setattr(change, "_kurtosis_variance_factor", reference_kurtosis_variance_factor)
    reference = analysed(results)
    assert sum(1 for a in fast[0].values() if a.fit_verdict != fit.VERDICT_NOT_TESTED) > 20
    assert fast == reference
