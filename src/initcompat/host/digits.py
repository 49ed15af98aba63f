"""The small real dataset the propagation step pushes through its models: scikit-learn's digits.

    python -m initcompat.host.digits suites/digits.npz          # write it (needs scikit-learn)
    python -m initcompat.host.digits --check suites/digits.npz  # exit 1 if it differs

scikit-learn ships the 1 797 handwritten digits (8x8 pixels, values 0..16) inside its wheel
(`sklearn/datasets/data/digits.csv.gz`, from the UCI "Optical Recognition of Handwritten Digits"
set). This module prepares them once on the host, so an environment needs nothing beyond numpy:

  x8   uint8 (1797, 8, 8)    the pixels as shipped, 0..16
  x28  uint8 (1797, 28, 28)  bilinearly resized to the 28x28 of the TF layers tutorial's MNIST,
                             rescaled to 0..255 (the probe divides by 255, as the tutorial's
                             MNIST arrays are 0..1 floats)
  y    uint8 (1797,)         the digit

The file is committed (suites/digits.npz) and deterministic: `--check` rebuilds it and compares
the arrays, which the tests do where scikit-learn is installed.
"""

from __future__ import annotations

import argparse
import io
import sys
from pathlib import Path

import numpy as np

TUTORIAL_SIDE = 28


def resize_bilinear(images: np.ndarray, side: int) -> np.ndarray:
    """(n, h, w) float images -> (n, side, side), bilinear with aligned corners (pure numpy)."""
    n, height, width = images.shape
    rows = np.linspace(0.0, height - 1.0, side)
    cols = np.linspace(0.0, width - 1.0, side)
    r0 = np.floor(rows).astype(int).clip(0, height - 2)
    c0 = np.floor(cols).astype(int).clip(0, width - 2)
    dr = (rows - r0)[None, :, None]
    dc = (cols - c0)[None, None, :]
    top = images[:, r0][:, :, c0] * (1 - dc) + images[:, r0][:, :, c0 + 1] * dc
    bottom = images[:, r0 + 1][:, :, c0] * (1 - dc) + images[:, r0 + 1][:, :, c0 + 1] * dc
    return top * (1 - dr) + bottom * dr


def prepare() -> dict[str, np.ndarray]:
    """The arrays of the file, from the installed scikit-learn."""
    try:
        from sklearn.datasets import load_digits
    except ImportError as error:
        raise SystemExit(f"initcompat digits: scikit-learn is needed to prepare the data ({error})")
    digits = load_digits()
    x8 = digits.images.astype(np.float64)  # 0..16
    x28 = resize_bilinear(x8, TUTORIAL_SIDE) * (255.0 / 16.0)
    return {"x8": x8.astype(np.uint8), "x28": np.rint(x28).clip(0, 255).astype(np.uint8),
            "y": digits.target.astype(np.uint8)}


def to_bytes(arrays: dict[str, np.ndarray]) -> bytes:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, **arrays)
    return buffer.getvalue()


def differences(path: Path, arrays: dict[str, np.ndarray]) -> list[str]:
    """What differs between the file at `path` and `arrays` (empty: the same)."""
    with np.load(path) as stored:
        found = []
        for name, array in arrays.items():
            if name not in stored.files:
                found.append(f"{name} missing")
            elif stored[name].shape != array.shape or not np.array_equal(stored[name], array):
                found.append(f"{name} differs")
        return found


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m initcompat.host.digits",
                                     description="Prepare scikit-learn's digits for the probe.")
    parser.add_argument("path", type=Path)
    parser.add_argument("--check", action="store_true", help="compare instead of writing")
    arguments = parser.parse_args(argv)
    arrays = prepare()
    if arguments.check:
        found = differences(arguments.path, arrays)
        print(f"initcompat digits: {arguments.path}: " + ("; ".join(found) or "as prepared"))
        return 1 if found else 0
    from initcompat.probe.output import replace_atomically
    replace_atomically(str(arguments.path), lambda temporary: Path(temporary).write_bytes(
        to_bytes(arrays)))
    print(f"initcompat digits: wrote {arguments.path} ({len(arrays['y'])} digits)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
