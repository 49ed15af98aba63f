"""One fan rule: the probe's fallback (initcompat.probe.identity.documented_fans, used when a
framework offers no fan function) and the report's theory (initcompat.report.theory.compute_fans)
agree on every shape, so a declared distribution is computed with the fans the probe records."""

from __future__ import annotations

import itertools

import pytest

from initcompat.probe.identity import documented_fans
from initcompat.report.theory import compute_fans

SHAPES = [(), (7,), (96, 40), (40, 96), (5, 6, 20), (5, 3, 6, 20), (3, 2, 4, 3, 8), (1, 1),
          (2, 48), (16, 64), (500, 16), (1, 1, 1, 1)]
SHAPES += [tuple(p) for p in itertools.product((1, 3), (2, 5), (4, 7))]


@pytest.mark.parametrize("shape", SHAPES, ids=str)
def test_probe_and_theory_compute_the_same_fans(shape: tuple) -> None:
    assert tuple(float(f) for f in documented_fans(shape)) == compute_fans(shape)


def test_fans_follow_the_receptive_field_rule() -> None:
    assert documented_fans((5, 3, 6, 20)) == (5 * 3 * 6, 5 * 3 * 20)
    assert documented_fans((96, 40)) == (96, 40)
    assert documented_fans((7,)) == (7, 7)
