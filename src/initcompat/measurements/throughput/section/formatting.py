"""Numbers of the throughput section in words: SI prefixes and durations."""

from __future__ import annotations

import math


def si(value: float | None, unit: str = "", digits: int = 3) -> str:
    """72200000 -> '72.2 M' + unit; None -> '—'."""
    if value is None or not math.isfinite(value):
        return "—"
    for factor, prefix in ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= factor:
            return f"{value / factor:.{digits}g} {prefix}{unit}"
    return f"{value:.{digits}g} {unit}".rstrip()


def seconds_text(value: float | None) -> str:
    """0.0123 -> '12.3 ms'; None -> '—'."""
    if value is None:
        return "—"
    if value >= 1:
        return f"{value:.3g} s"
    if value >= 1e-3:
        return f"{value * 1e3:.3g} ms"
    return f"{value * 1e6:.3g} µs"


def range_text(low: float | None, high: float | None, unit: str = "") -> str:
    """(270e6, 310e6) -> '270–310 M' + unit: the prefix once where both ends share it."""
    if low is None or high is None:
        return ""
    low_text, high_text = si(low), si(high)
    low_number, _, low_prefix = low_text.partition(" ")
    high_number, _, high_prefix = high_text.partition(" ")
    if low_prefix == high_prefix:
        return f"{low_number}–{high_number} {high_prefix}{unit}".rstrip()
    return f"{low_text}–{high_text}{unit}"
