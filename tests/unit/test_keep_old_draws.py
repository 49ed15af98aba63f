"""report.keep_old.draws_alike: two cells draw alike when both samples fit the same theory, the
fingerprints (read off each sample) deciding only where no theory vouches for both."""

from __future__ import annotations

from initcompat.report import fit
from initcompat.report.analysis import CellAnalysis
from initcompat.report.keep_old import draws_alike

GLOROT = "uniform on ±√(6/(fan_in+fan_out))"
HE = "normal, std √(2/fan_in)"


def cell(theory, verdict, fingerprint) -> CellAnalysis:
    return CellAnalysis(theory=theory, theory_family="uniform", fit_verdict=verdict, fit_detail="",
                        fingerprint=fingerprint, fingerprint_family="uniform", distribution=None)


def test_the_same_theory_fitted_by_both_is_alike_whatever_the_sample_bound_reads() -> None:
    # the tf-2.16 legacy conv3d_transpose kernel of two fresh runs of the default selection
    assert draws_alike(cell(GLOROT, fit.VERDICT_CONSISTENT, "uniform on ±0.1508"),
                       cell(GLOROT, fit.VERDICT_CONSISTENT, "uniform on ±0.1507"))


def test_where_a_sample_does_not_fit_the_fingerprints_decide() -> None:
    assert not draws_alike(cell(GLOROT, fit.VERDICT_CONSISTENT, "uniform on ±0.1508"),
                           cell(GLOROT, fit.VERDICT_INCONSISTENT, "uniform on ±0.3016"))
    assert draws_alike(cell(GLOROT, fit.VERDICT_INCONSISTENT, "uniform on ±0.3016"),
                       cell(GLOROT, fit.VERDICT_INCONSISTENT, "uniform on ±0.3016"))


def test_other_theories_differ_unless_the_fingerprints_agree() -> None:
    assert not draws_alike(cell(GLOROT, fit.VERDICT_CONSISTENT, "uniform on ±0.1508"),
                           cell(HE, fit.VERDICT_CONSISTENT, "normal, std 0.0722"))


def test_a_missing_cell_or_no_fingerprint_is_not_alike() -> None:
    assert not draws_alike(None, cell(GLOROT, fit.VERDICT_CONSISTENT, "uniform on ±0.1508"))
    assert not draws_alike(cell(None, fit.VERDICT_NOT_TESTED, None),
                           cell(None, fit.VERDICT_NOT_TESTED, None))
