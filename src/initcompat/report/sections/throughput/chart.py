"""Geometry of the throughput charts (inline SVG drawn by the template, no JS). Pure."""

from __future__ import annotations

import math

import numpy as np

from initcompat.report.sections.throughput.formatting import si
from initcompat.probe.schema import CEILING_MEMORY_WRITE as MEMORY_WRITE
from initcompat.probe.schema import CEILING_PHILOX_FLOAT32 as PHILOX

# One colour per series, in series order (asv keeps a series' colour across graphs).
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#e377c2",
           "#17becf", "#7f7f7f", "#bcbd22")


def chart(rows: list[dict], envs: list[dict], device: str, device_index: int,
          benchmark: str) -> dict | None:
    """One line chart: parameters/s of one layer size across versions, a line per API family,
    whiskers for the CI of the median, dashed ceilings; None when nothing was measured."""
    series = []
    for row in rows:
        cells = row["devices"][device_index]["cells"]
        points = [(env_index, cell) for env_index, cell in enumerate(cells)
                  if cell["css"] == "tp-ok" and cell.get("params_per_s")]
        if points:
            series.append((row, points))
    if not series:
        return None
    ceilings = []
    for name, label, per_param in ((PHILOX, "numpy Philox float32", 1.0),
                                   (MEMORY_WRITE, "numpy memory write", 4.0)):
        rates = [((env["ceilings"].get(device) or {}).get(name) or {}).get("rate") for env in envs]
        rates = [r / per_param for r in rates if r]
        if rates:
            ceilings.append((label, float(np.median(rates))))
    numbers = [c["params_per_s"] for _, points in series for _, c in points]
    numbers += [c[k] for _, points in series for _, c in points
                for k in ("ci_low_rate", "ci_high_rate") if c.get(k)]
    numbers += [rate for _, rate in ceilings]
    low = math.floor(math.log10(min(numbers)))
    high = math.ceil(math.log10(max(numbers)))
    if high == low:
        high += 1
    left, right, top, bottom = 60, 740, 20, 200
    step = (right - left) / max(len(envs) - 1, 1)

    def x_of(env_index: int) -> float:
        return round(left + env_index * step, 1)

    def y_of(value: float) -> float:
        return round(bottom - (math.log10(value) - low) / (high - low) * (bottom - top), 1)

    shapes: dict = {"polylines": [], "points": [], "whiskers": [], "ticks": [], "xlabels": [],
                    "lines": [], "legend": []}
    for number, (row, points) in enumerate(series):
        color = PALETTE[number % len(PALETTE)]
        family = row["benchmark"].split("/", 1)[0]
        shapes["polylines"].append({"color": color, "points": " ".join(
            f"{x_of(i)},{y_of(c['params_per_s'])}" for i, c in points)})
        for env_index, cell in points:
            shapes["points"].append({"x": x_of(env_index), "y": y_of(cell["params_per_s"]),
                                     "color": color,
                                     "title": f"{family}, TF {envs[env_index]['label']}: "
                                              f"{cell['text']} ({cell['ci'] or 'no CI'})"})
            if cell.get("ci_low_rate") and cell.get("ci_high_rate"):
                shapes["whiskers"].append({"x": x_of(env_index), "y1": y_of(cell["ci_low_rate"]),
                                           "y2": y_of(cell["ci_high_rate"])})
        shapes["legend"].append({"x": left + 130 * (number % 5), "y": bottom + 44 + 16 * (number // 5),
                                 "color": color, "text": family})
    for exponent in range(low, high + 1):
        shapes["ticks"].append({"y": y_of(10.0 ** exponent), "label": si(10.0 ** exponent)})
    label_every = max(1, math.ceil(len(envs) / 18))
    for env_index, env in enumerate(envs):
        if env_index % label_every == 0 or env_index == len(envs) - 1:
            shapes["xlabels"].append({"x": x_of(env_index), "text": env["label"]})
    for label, rate in ceilings:
        shapes["lines"].append({"y": y_of(rate), "x1": left, "x2": right,
                                "label": f"{label} {si(rate, 'float/s')}"})
    height = bottom + 44 + 16 * ((len(series) - 1) // 5 + 1)
    return dict(shapes, device=device, width=right + 190, height=height, left=left, right=right,
                top=top, bottom=bottom,
                title=f"{benchmark} on {device}: parameters/s per version (log scale; whiskers: "
                      "CI of the median; dashed: ceilings, median over versions)")
