"""The tail audit's counting and Anderson-Darling statistic (probe side) and its rates and
p-values (report side), on synthetic samples with known answers."""

import math

import numpy as np
import pytest
from scipy import stats

from initcompat.measurements.initializers import audit
from initcompat.probe.validation import SchemaError, validate_initializers
from initcompat.report import anderson_darling
from initcompat.report.tail_audit import (audit_row, clopper_pearson, p_value_against_zero,
                                          p_value_reference)


def test_values_on_the_bounds_are_inside_and_beyond_them_outside():
    values = np.array([-0.2, 0.2, 0.0, np.float32(0.2), 0.2000002, -0.21], dtype=np.float32)
    below, above, at_open_end = audit.count_outside(values, -0.2, 0.2, False)
    assert (below, above, at_open_end) == (1, 1, 0)


def test_a_uniform_that_reaches_its_open_end_is_counted():
    values = np.array([0.0, 0.5, 1.0], dtype=np.float32)
    assert audit.count_outside(values, 0.0, 1.0, True) == (0, 0, 1)


def test_supports_come_from_class_and_config_with_each_frameworks_defaults():
    truncated = {"class_name": "TruncatedNormal", "config": {"mean": 0.0, "stddev": 0.1}}
    assert audit.support(truncated, tf1_defaults=False)[:2] == pytest.approx((-0.2, 0.2))
    tf1 = {"class_name": "TruncatedNormal", "config": {}}
    assert audit.support(tf1, tf1_defaults=True)[:2] == (-2.0, 2.0)
    keras = {"class_name": "RandomUniform", "config": {}}
    assert audit.support(keras, tf1_defaults=False)[:3] == (-0.05, 0.05, True)
    assert audit.support({"class_name": "GlorotUniform", "config": {}}, False) is None


def test_zero_outside_in_n_bounds_the_rate_by_the_exact_interval():
    n = 20_000_000
    low, high = clopper_pearson(0, n)
    assert low == 0.0
    assert high == pytest.approx(1 - 0.025 ** (1 / n), rel=1e-6)  # about 3.69 / n
    assert p_value_against_zero(0) == 1.0 and p_value_against_zero(3) == 0.0
    # 2e7 values with none outside exclude a 1e-5 defect rate beyond any doubt ...
    assert p_value_reference(0, n) == pytest.approx(math.exp(-200), rel=1e-3)
    # ... and 200 outside (exactly that rate) do not
    assert p_value_reference(200, n) > 0.4


def test_a_known_defect_rate_is_inside_its_interval():
    rng = np.random.RandomState(0)
    n, rate = 2_000_000, 1e-5
    k = int(rng.binomial(n, rate))
    row = audit_row({"n": n, "outside_support": k})
    assert row["rate_ci_low"] <= rate <= row["rate_ci_high"]
    assert row["p_value"] == 0.0


def test_an_audit_entry_with_more_outside_than_drawn_is_rejected():
    document = {"schema_version": 2, "kind": "initializers", "env": {"name": "x"},
                "status": "ok", "reason": None, "records": [],
                "audit": [{"namespace": "keras.initializers", "initializer": "TruncatedNormal",
                           "how": "constructor", "n": 10, "outside_support": 11}]}
    with pytest.raises(SchemaError, match="11 outside of 10 drawn"):
        validate_initializers(document)


# The Anderson-Darling test of the audit's draws against the declared distribution. Samples are
# numpy's, float32 as the frameworks' draws are; the truncated normal by rejection (exact).

def truncated_normal(rng, size, stddev, cut):
    """`size` float32 values of N(0, stddev) cut at +-cut."""
    kept = np.empty(0)
    while kept.size < size:
        drawn = rng.normal(0.0, stddev, 2 * size)
        kept = np.concatenate([kept, drawn[np.abs(drawn) < cut]])
    return kept[:size].astype(np.float32)


KERAS_TRUNCATED = audit.support({"class_name": "TruncatedNormal", "config": {}}, False)
KERAS_UNIFORM = audit.support({"class_name": "RandomUniform", "config": {}}, False)


def ad_p_value(values, found, size=audit.AD_SIZE):
    n, statistic = audit.anderson_darling(values, found[0], found[1], found[4], size)
    return anderson_darling.p_value(n, statistic)


def test_the_declared_distribution_is_read_from_class_and_config():
    assert KERAS_TRUNCATED[4] == audit.TRUNCATED and KERAS_UNIFORM[4] == audit.UNIFORM
    tf1 = audit.support({"class_name": "TruncatedNormal", "config": {"mean": 1.0}}, True)
    assert tf1[:2] == (-1.0, 3.0)  # mean 1, stddev 1 (init_ops' default)


@pytest.mark.parametrize("found, draw", [
    (KERAS_TRUNCATED, lambda rng, size: truncated_normal(rng, size, 0.05, 0.1)),
    (KERAS_UNIFORM, lambda rng, size: rng.uniform(-0.05, 0.05, size).astype(np.float32))])
def test_correct_draws_give_uniform_ad_p_values(found, draw):
    """400 correct draws of 2000 values (the finite-n branch) and 20 of the probe's 100 000:
    their p-values are uniform and reject at their nominal rate."""
    rng = np.random.default_rng(11)
    small = np.array([ad_p_value(draw(rng, 2000), found) for _ in range(400)])
    assert stats.kstest(small, "uniform").pvalue > 0.01
    assert abs(float((small < 0.05).mean()) - 0.05) < 4 * math.sqrt(0.05 * 0.95 / 400)
    large = np.array([ad_p_value(draw(rng, audit.AD_SIZE).reshape(20, -1), found)
                      for _ in range(20)])
    assert stats.kstest(large, "uniform").pvalue > 0.01
    assert large.min() > 1e-3


def test_a_5_percent_scale_change_is_rejected_at_the_probes_size():
    """At 100 000 values: a truncated normal scaled by 1.05 (some values beyond the support),
    one of stddev 1.05 x declared cut at the declared bounds (none beyond: only the AD test can
    see it), a uniform on a range 5% wider or narrower."""
    rng = np.random.default_rng(5)
    size = audit.AD_SIZE
    correct = truncated_normal(rng, size, 0.05, 0.1)
    assert ad_p_value(correct, KERAS_TRUNCATED) > 1e-3
    assert ad_p_value(correct * np.float32(1.05), KERAS_TRUNCATED) < 1e-12
    inside = truncated_normal(rng, size, 0.0525, 0.1)
    assert audit.count_outside(inside, -0.1, 0.1, False) == (0, 0, 0)
    assert ad_p_value(inside, KERAS_TRUNCATED) < 1e-9
    # the 0.88 of a normal cut at 2 sigma, "corrected" away: variance_scaling's truncation
    assert ad_p_value(truncated_normal(rng, size, 0.05 / 0.8796, 0.1), KERAS_TRUNCATED) < 1e-12
    uniform = rng.uniform(-0.05, 0.05, size)
    for scale in (1.05, 0.95):
        assert ad_p_value((uniform * scale).astype(np.float32), KERAS_UNIFORM) < 1e-12


def test_an_audit_entry_carries_the_ad_test_of_its_first_values():
    rng = np.random.default_rng(2)
    record = {"namespace": "keras.initializers", "initializer": "RandomUniform",
              "how": "constructor", "class_name": "RandomUniform", "config": {}}
    values = rng.uniform(-0.05, 0.05, (40, audit.COLUMNS)).astype(np.float32)
    values[30:] *= 2  # beyond the first AD_SIZE values: counted, not AD-tested
    entry = audit.audit_entry(record, KERAS_UNIFORM, values)
    assert entry["ad_n"] == audit.AD_SIZE and entry["n"] == values.size
    assert entry["outside_support"] > 0
    assert entry["ad_statistic"] == pytest.approx(
        audit.anderson_darling(values[:20], -0.05, 0.05, audit.UNIFORM)[1])
    assert anderson_darling.p_value(entry["ad_n"], entry["ad_statistic"]) > 1e-3
    small = audit.audit_entry(record, KERAS_UNIFORM, values[:1, :300])
    assert small["ad_n"] == 300
    validate_initializers(dict(AUDIT_DOCUMENT, audit=[entry, small]))


def test_values_on_a_bound_give_a_finite_statistic_and_nan_none():
    values = np.array([-0.05, -0.01, 0.0, 0.02, 0.049], dtype=np.float32)
    n, statistic = audit.anderson_darling(values, -0.05, 0.05, audit.UNIFORM)
    assert n == 5 and math.isfinite(statistic)
    assert audit.anderson_darling(np.array([0.0, np.nan]), -0.1, 0.1, audit.TRUNCATED) == (2, None)


def test_the_truncated_normal_cdf_is_the_normal_renormalized_on_the_cut():
    x = np.array([-0.1, -0.05, 0.0, 0.03, 0.1])
    lower, upper = audit.declared_cdf(x, -0.1, 0.1, audit.TRUNCATED)
    expected = (stats.norm.cdf(x, 0, 0.05) - stats.norm.cdf(-2)) / (1 - 2 * stats.norm.cdf(-2))
    assert lower == pytest.approx(expected, abs=1e-15)
    assert upper == pytest.approx(1 - expected, abs=1e-15)


AUDIT_DOCUMENT = {"schema_version": 2, "kind": "initializers", "env": {"name": "x"},
                  "status": "ok", "reason": None, "records": []}
AUDIT_ENTRY = {"namespace": "keras.initializers", "initializer": "TruncatedNormal",
               "how": "constructor", "n": 10, "outside_support": 0}


@pytest.mark.parametrize("fields, problem", [
    ({"ad_n": 0, "ad_statistic": 1.0}, "ad_n 0 is outside"),
    ({"ad_n": 11, "ad_statistic": 1.0}, "ad_n 11 is outside"),
    ({"ad_n": 10, "ad_statistic": -0.5}, "not a finite number"),
    ({"ad_n": 10, "ad_statistic": float("nan")}, "not a finite number"),
    ({"ad_n": 10, "ad_statistic": float("inf")}, "not a finite number"),
    ({"ad_statistic": 1.0}, "without its ad_n"),
    ({"ad_n": 10, "ad_statistic": "1.0"}, "type str")])
def test_an_impossible_ad_test_is_rejected(fields, problem):
    with pytest.raises(SchemaError, match=problem):
        validate_initializers(dict(AUDIT_DOCUMENT, audit=[dict(AUDIT_ENTRY, **fields)]))


def test_audit_entries_without_the_ad_test_still_load_and_say_not_measured():
    validate_initializers(dict(AUDIT_DOCUMENT, audit=[AUDIT_ENTRY]))
    validate_initializers(dict(AUDIT_DOCUMENT, audit=[dict(AUDIT_ENTRY, ad_n=10,
                                                           ad_statistic=None)]))
    row = audit_row(AUDIT_ENTRY)
    assert row["ad_n"] is None and row["ad_statistic"] is None and row["ad_p_value"] is None
