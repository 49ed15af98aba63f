"""The Anderson-Darling null distribution (initcompat.report.anderson_darling) against values it
was not built from: Stephens' table, Imhof's inversion of the limit's characteristic function,
and Monte Carlo samples of the statistic."""

import math

import numpy as np
import pytest
from scipy import integrate

from initcompat.report import anderson_darling as ad

# Upper percentage points of the limit, fully specified null (Stephens 1974, case 0; the same
# in D'Agostino & Stephens 1986). The 10% and 5% entries are the limit's to their 3 decimals.
STEPHENS = {0.10: 1.933, 0.05: 2.492}
# The 2.5% and 1% entries of the same table are not: the limit's p there is 0.0252 and 0.0102
# by the series and by Imhof's inversion alike, whose points are 3.077 and 3.878.
STEPHENS_SHORT = {0.025: 3.070, 0.01: 3.857}


def imhof_sf(z: float, terms: int = 2000) -> float:
    """P(sum_j Y_j / (j (j + 1)) > z), Y_j iid chi^2_1 -- the limit of A^2 -- by Imhof (1961);
    the weights beyond `terms` (their sum is 1 / (terms + 1), their variance ~1e-10) as their
    mean."""
    weights = 1.0 / (np.arange(1, terms + 1) * np.arange(2, terms + 2))
    x = z - 1.0 / (terms + 1)

    def integrand(u):
        theta = 0.5 * np.sum(np.arctan(weights * u)) - 0.5 * x * u
        return math.sin(theta) / (u * np.exp(0.25 * np.sum(np.log1p((weights * u) ** 2))))

    edges = np.concatenate([[0.0], np.geomspace(1e-2, 1e4, 60)])
    return 0.5 + sum(integrate.quad(integrand, a, b, limit=200, epsabs=1e-14)[0]
                     for a, b in zip(edges[:-1], edges[1:])) / math.pi


def statistics(uniforms: np.ndarray) -> np.ndarray:
    """A^2 of each row of uniforms, by the textbook formula (not the probe's code)."""
    u = np.sort(uniforms, axis=1)
    n = u.shape[1]
    i = np.arange(1, n + 1)
    return -n - ((2 * i - 1) * (np.log(u) + np.log(1 - u[:, ::-1]))).sum(axis=1) / n


@pytest.mark.parametrize("level", sorted(STEPHENS))
def test_the_limits_percentage_points_are_stephens(level):
    # the table's 3 decimals move p by at most density * 5e-4 < 5e-5
    assert ad.p_value(100_000, STEPHENS[level]) == pytest.approx(level, abs=5e-5)


@pytest.mark.parametrize("level", sorted(STEPHENS_SHORT))
def test_the_tables_25_and_1_percent_entries_fall_short_of_the_limits_points(level):
    z = STEPHENS_SHORT[level]
    assert ad.p_value(100_000, z) == pytest.approx(imhof_sf(z), rel=1e-6)
    assert level * 1.008 < ad.p_value(100_000, z) < level * 1.03


@pytest.mark.parametrize("z", [0.3, 1.0, 2.492, 5.0, 8.0, 12.0, 16.0, 20.0, 25.0])
def test_the_limit_agrees_with_imhofs_inversion(z):
    """The series to 1e-6 relative; beyond TAIL_Z the tail expansion to 5e-4 (p ~ 1e-12 there,
    where 1 - cdf would be rounding noise)."""
    relative = 1e-6 if z < ad.TAIL_Z else 5e-4
    assert ad.asymptotic_sf(z) == pytest.approx(imhof_sf(z), rel=relative)


def test_p_values_fall_without_a_step_into_the_far_tail():
    assert 1.0 - ad.asymptotic_cdf(ad.TAIL_Z - 1e-9) == \
        pytest.approx(ad.asymptotic_sf(ad.TAIL_Z), rel=5e-4)
    values = [ad.p_value(100_000, z) for z in np.linspace(0.5, 60, 200)]
    assert all(a > b > 0 for a, b in zip(values, values[1:]))


def test_the_finite_n_correction_fits_monte_carlo_where_the_limit_does_not():
    """n = 8: the statistic's upper tail by 400 000 Monte Carlo samples against AD(n, z); the
    limit alone misses it by several standard errors."""
    rng = np.random.default_rng(1)
    drawn = statistics(rng.random((400_000, 8)))
    misses = []
    for z in (0.3, 0.5, 0.8, 1.0, 1.5, 2.0, 3.0):
        empirical = float((drawn > z).mean())
        se = math.sqrt(empirical * (1 - empirical) / drawn.size)
        assert abs(empirical - ad.p_value(8, z)) < 4 * se, z
        misses.append(abs(empirical - ad.asymptotic_sf(z)) / se)
    assert max(misses) > 6


def test_p_values_of_uniform_samples_are_uniform():
    """A correct null: p-values of 4000 samples of n = 50 (finite-n branch) and of 400 of
    n = 10 000 (the limit alone) are uniform by a KS test, and reject at their nominal rate."""
    from scipy import stats
    rng = np.random.default_rng(7)
    for n, samples in ((50, 4000), (10_000, 400)):
        p = np.array([ad.p_value(n, z) for z in statistics(rng.random((samples, n)))])
        assert stats.kstest(p, "uniform").pvalue > 0.01, n
        rate = float((p < 0.05).mean())
        assert abs(rate - 0.05) < 4 * math.sqrt(0.05 * 0.95 / samples), (n, rate)
