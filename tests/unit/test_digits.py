"""The shipped digits (suites/digits.npz) are what initcompat.host.digits prepares from the
installed scikit-learn, byte for byte in every array; the resize is bilinear."""

from pathlib import Path

import numpy as np
import pytest

from initcompat.host import digits

SHIPPED = Path(__file__).resolve().parents[2] / "suites" / "digits.npz"


def test_resize_keeps_corners_and_interpolates_linearly():
    image = np.array([[[0.0, 3.0], [6.0, 9.0]]])
    resized = digits.resize_bilinear(image, 3)
    assert resized[0].tolist() == [[0.0, 1.5, 3.0], [3.0, 4.5, 6.0], [6.0, 7.5, 9.0]]


def test_shipped_file_is_what_the_host_prepares():
    pytest.importorskip("sklearn", reason="scikit-learn prepares the digits (the test extra)")
    assert digits.differences(SHIPPED, digits.prepare()) == []


def test_shipped_file_shapes():
    with np.load(SHIPPED) as stored:
        assert stored["x8"].shape == (1797, 8, 8) and stored["x8"].max() == 16
        assert stored["x28"].shape == (1797, 28, 28) and stored["x28"].dtype == np.uint8
        assert sorted(set(stored["y"].tolist())) == list(range(10))
