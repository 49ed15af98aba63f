"""Geometry of the throughput charts (inline SVG drawn by the template, no JS). Pure.

Every chart gives an API family the same colour (FAMILY_COLORS); its title, axis titles and
legend say what is drawn and in which unit (parameters/s, the table's unit too). The SVG is
drawn at phone-friendly proportions: on a 390 px screen its text stays about 10 px high.
"""

from __future__ import annotations

import math

import numpy as np

from initcompat.probe.schema import API_FAMILIES
from initcompat.probe.schema import CEILING_MEMORY_WRITE as MEMORY_WRITE
from initcompat.probe.schema import CEILING_PHILOX_FLOAT32 as PHILOX
from initcompat.report.sections.throughput.formatting import si

UNIT = "param/s"  # parameters per second, in the charts and the table alike
# One colour per API family in every chart (Okabe-Ito, distinguishable with colour blindness);
# a family the protocol does not list gets OTHER_COLOR.
FAMILY_COLORS = dict(zip(API_FAMILIES, ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")))
OTHER_COLOR = "#555555"
# The machine's ceilings as dashed lines, each in parameters/s (float32: 4 bytes a parameter).
CEILINGS = ((PHILOX, "numpy Philox float32 generation", 1.0, "8 4"),
            (MEMORY_WRITE, "numpy memory write", 4.0, "2 3"))
# viewBox units; the SVG is shown at most 640 px wide, so its 12.5-unit text is 10 px on a phone
WIDTH, HEIGHT = 480, 262
LEFT, RIGHT, TOP, BOTTOM = 60, 470, 10, 206


def family_color(family: str) -> str:
    return FAMILY_COLORS.get(family, OTHER_COLOR)


def legend(families: list[str]) -> list[dict]:
    """The families' legend entries in protocol order: {"family", "color"}."""
    order = {name: i for i, name in enumerate(API_FAMILIES)}
    return [{"family": f, "color": family_color(f)}
            for f in sorted(set(families), key=lambda f: (order.get(f, len(order)), f))]


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
            series.append((row["benchmark"].split("/", 1)[0], points))
    if not series:
        return None
    ceilings = []
    for name, label, per_param, dash in CEILINGS:
        rates = [((env["ceilings"].get(device) or {}).get(name) or {}).get("rate") for env in envs]
        rates = [r / per_param for r in rates if r]
        if rates:
            ceilings.append((label, float(np.median(rates)), dash))
    numbers = [c["params_per_s"] for _, points in series for _, c in points]
    numbers += [c[k] for _, points in series for _, c in points
                for k in ("ci_low_rate", "ci_high_rate") if c.get(k)]
    numbers += [rate for _, rate, _ in ceilings]
    low = math.floor(math.log10(min(numbers)))
    high = math.ceil(math.log10(max(numbers)))
    if high == low:
        high += 1
    step = (RIGHT - LEFT) / max(len(envs) - 1, 1)

    def x_of(env_index: int) -> float:
        return round(LEFT + env_index * step, 1)

    def y_of(value: float) -> float:
        return round(BOTTOM - (math.log10(value) - low) / (high - low) * (BOTTOM - TOP), 1)

    shapes: dict = {"polylines": [], "points": [], "whiskers": [], "ticks": [], "xlabels": [],
                    "lines": []}
    for family, points in series:
        color = family_color(family)
        shapes["polylines"].append({"color": color, "family": family, "points": " ".join(
            f"{x_of(i)},{y_of(c['params_per_s'])}" for i, c in points)})
        for env_index, cell in points:
            shapes["points"].append({"x": x_of(env_index), "y": y_of(cell["params_per_s"]),
                                     "color": color,
                                     "title": f"{family}, {envs[env_index]['heading']}: "
                                              f"{cell['text']} ({cell['ci'] or 'no CI'})"})
            if cell.get("ci_low_rate") and cell.get("ci_high_rate"):
                shapes["whiskers"].append({"x": x_of(env_index), "y1": y_of(cell["ci_low_rate"]),
                                           "y2": y_of(cell["ci_high_rate"])})
    for exponent in range(low, high + 1):
        shapes["ticks"].append({"y": y_of(10.0 ** exponent), "label": si(10.0 ** exponent)})
    label_every = max(1, math.ceil(len(envs) / 12))  # labels about 45 units apart at most
    for env_index, env in enumerate(envs):
        if env_index % label_every == 0:
            shapes["xlabels"].append({"x": x_of(env_index), "text": env["label"]})
    for label, rate, dash in ceilings:
        shapes["lines"].append({"y": y_of(rate), "x1": LEFT, "x2": RIGHT, "dash": dash,
                                "label": f"{label}: {si(rate, UNIT)}"})
    families = [family for family, _ in series]
    return dict(shapes, device=device, width=WIDTH, height=HEIGHT, left=LEFT, right=RIGHT,
                top=TOP, bottom=BOTTOM, legend=legend(families),
                x_title="TensorFlow version", y_title=f"{UNIT} (log scale)",
                title=f"{benchmark} on {device}",
                subtitle="parameters initialized per second, one line per API family; whiskers: the CI of "
                         "the median; dashed: the machine's ceilings (median over versions)")
