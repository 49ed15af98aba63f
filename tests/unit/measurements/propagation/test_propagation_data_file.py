"""Where the propagation step finds a suite's data (probe.data_file): beside the suite, else the
repository's suites/ folder, four levels above the step's own file."""

from __future__ import annotations

from pathlib import Path

from initcompat.measurements.propagation import probe

SUITES = Path(__file__).resolve().parents[4] / "suites"


def test_a_suite_elsewhere_finds_the_shipped_digits(tmp_path):
    suite = tmp_path / "mine.json"
    assert Path(probe.data_file(str(suite), "digits.npz")) == SUITES / "digits.npz"
    assert (SUITES / "digits.npz").is_file()


def test_data_beside_the_suite_comes_first_and_a_missing_name_stays_beside_it(tmp_path):
    (tmp_path / "digits.npz").write_bytes(b"")
    assert probe.data_file(str(tmp_path / "mine.json"), "digits.npz") == str(
        tmp_path / "digits.npz")
    assert probe.data_file(str(tmp_path / "mine.json"), "none.npz") == str(
        tmp_path / "none.npz")
