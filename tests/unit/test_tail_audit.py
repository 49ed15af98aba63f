"""The tail audit's counting (probe side) and its rates (report side), on synthetic samples with
known answers."""

import math

import numpy as np
import pytest

from initcompat.probe import audit
from initcompat.probe.validation import SchemaError, validate_initializers
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
