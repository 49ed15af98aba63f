"""Geometry of the throughput charts: small multiples, one per line of versions (inline SVG drawn
by the template, no JS). Pure.

Each chart has a categorical version axis (one place per version of its line, labels that never
overprint: horizontal where they fit, else upright, else every k-th), a log-scale rate axis
shared by every chart of a set (so charts compare by eye), one series per API family in the
family's colour everywhere, a whisker for the interval of each median, and the numpy Philox
ceiling as a dashed line. A line joins two neighbouring versions only when both were measured:
a version not measured (or measured as another family: an alias) breaks the line. A variant of
a version (the same version resolved today, a GPU build) is a hollow point beside it, never
joined.

The SVG is drawn at 1:1 (its viewBox is its size in CSS px): text stays FONT px on any screen.
"""

from __future__ import annotations

import math

from initcompat.probe.schema import API_FAMILIES
from initcompat.measurements.throughput.section.formatting import si

UNIT = "param/s"  # parameters per second, in the charts and the tables alike
# One colour per API family in every chart (Okabe-Ito, distinguishable with colour blindness);
# a family the protocol does not list gets OTHER_COLOR.
FAMILY_COLORS = dict(zip(API_FAMILIES, ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00")))
FRAMEWORK_COLORS = {"torch.nn": "#56B4E9", "flax.linen": "#000000", "flax.nnx": "#7f5f00",
                    "jax.example_libraries.stax": "#999999"}
OTHER_COLOR = "#555555"
FONT = 10  # px, axis text
CHAR_WIDTH = 6.0  # a generous estimate of one character's width at FONT (digits: ~5.6)
LEFT, RIGHT_PAD, TOP, PLOT_HEIGHT = 50, 8, 6, 120
PLOT_WIDTH = 220  # the usual plot width; a chart with many versions grows up to MAX_PLOT_WIDTH
MAX_PLOT_WIDTH = 300
UPRIGHT_STEP = FONT + 1  # the least room an upright label needs beside the next one
X_TITLE_BAND = 16
MARKER_RADIUS = 2.6


def family_color(family: str) -> str:
    return FAMILY_COLORS.get(family) or FRAMEWORK_COLORS.get(family) or OTHER_COLOR


def legend(families: list[str]) -> list[dict]:
    """The families' legend entries in protocol order: {"family", "color"}."""
    order = {name: i for i, name in enumerate(list(API_FAMILIES) + list(FRAMEWORK_COLORS))}
    return [{"family": f, "color": family_color(f)}
            for f in sorted(set(families), key=lambda f: (order.get(f, len(order)), f))]


def domain(values: list[float]) -> tuple[float, float] | None:
    """A log axis that holds every value with some room, at least a factor 4 wide."""
    values = [v for v in values if v and v > 0 and math.isfinite(v)]
    if not values:
        return None
    low, high = min(values) / 1.15, max(values) * 1.15
    if high / low < 4:
        middle = math.sqrt(high * low)
        low, high = middle / 2, middle * 2
    return low, high


def ticks(low: float, high: float) -> list[float]:
    """1-2-5 ticks inside [low, high] (each decade's 1, 2 and 5); 1-2-3-5-7 where that gives
    fewer than three."""
    for mantissas in ((1, 2, 5), (1, 2, 3, 5, 7)):
        found = [m * 10.0 ** e
                 for e in range(math.floor(math.log10(low)), math.ceil(math.log10(high)) + 1)
                 for m in mantissas if low <= m * 10.0 ** e <= high]
        if len(found) >= 3:
            break
    return found


def x_axis(labels: list[str]) -> dict:
    """Where the version labels go: {plot_width, step, upright, every, band} (band: the height
    the labels take under the plot). Horizontal when the widest fits its place, else upright
    (rotated -90°), and every k-th label only when even upright ones would touch."""
    count = max(len(labels), 1)
    widest = max((len(label) for label in labels), default=1) * CHAR_WIDTH
    plot_width = PLOT_WIDTH
    step = plot_width / count
    if step >= widest + 6:
        return {"plot_width": plot_width, "step": step, "upright": False, "every": 1,
                "band": FONT + 6}
    if count * UPRIGHT_STEP > plot_width:
        plot_width = min(count * UPRIGHT_STEP, MAX_PLOT_WIDTH)
        step = plot_width / count
    return {"plot_width": plot_width, "step": step, "upright": True,
            "every": max(1, math.ceil(UPRIGHT_STEP / step)), "band": widest + 8}


def chart(title: str, x_title: str, categories: list[dict], series: list[dict],
          rate_domain: tuple[float, float], ceiling: dict | None = None) -> dict:
    """One small chart.

    categories: [{label, follows}] in axis order (follows: the release right after the one
    before, so a line may join them); series: [{"family", "label", "points": [{"at": index
    into categories, "rate", "low", "high" (the interval, may be None), "hollow", "title"}]}];
    ceiling: {"rate", "label"} or None. Returns the shapes the template draws."""
    axis = x_axis([c["label"] for c in categories])
    plot_width, step = axis["plot_width"], axis["step"]
    bottom = TOP + PLOT_HEIGHT
    low, high = rate_domain
    span = math.log10(high) - math.log10(low)

    def x_of(index: int) -> float:
        return round(LEFT + (index + 0.5) * step, 1)

    def y_of(value: float) -> float:
        value = min(max(value, low), high)
        return round(bottom - (math.log10(value) - math.log10(low)) / span * PLOT_HEIGHT, 1)

    measured_at = set()
    lines, points, whiskers = [], [], []
    for item in series:
        color = family_color(item["family"])
        solid = {p["at"]: p for p in item["points"] if not p.get("hollow")}
        run: list[str] = []
        for index in range(len(categories) + 1):  # joined only across measured neighbours
            joins = index < len(categories) and categories[index].get("follows", True)
            if run and not (index in solid and joins):
                if len(run) > 1:
                    lines.append({"color": color, "family": item["family"],
                                  "points": " ".join(run)})
                run = []
            if index in solid:
                run.append(f"{x_of(index)},{y_of(solid[index]['rate'])}")
        for point in item["points"]:
            measured_at.add(point["at"])
            x = x_of(point["at"]) + (2.5 if point.get("hollow") else 0)
            points.append({"x": x, "y": y_of(point["rate"]), "color": color,
                           "hollow": bool(point.get("hollow")), "title": point["title"],
                           "name": point.get("name"), "rate": point["rate"]})
            if point.get("low") and point.get("high") and \
                    y_of(point["low"]) - y_of(point["high"]) > 2 * MARKER_RADIUS:
                # a whisker shorter than the marker would hide under it: drawn only when longer
                whiskers.append({"x": x, "y1": y_of(point["low"]), "y2": y_of(point["high"]),
                                 "color": color})
    xlabels = []
    for index, category in enumerate(categories):
        if index % axis["every"]:
            continue  # thinned: upright labels would touch
        xlabels.append({"x": x_of(index), "text": category["label"],
                        "measured": index in measured_at})
    width = LEFT + plot_width + RIGHT_PAD
    height = bottom + axis["band"] + X_TITLE_BAND
    shapes = {
        "title": title, "x_title": x_title, "y_title": f"{UNIT}, log scale",
        "width": round(width), "height": round(height), "left": LEFT,
        "right": round(LEFT + plot_width, 1), "top": TOP, "bottom": bottom,
        "upright": axis["upright"], "radius": MARKER_RADIUS, "label_y": bottom + (4 if axis["upright"] else FONT + 4),
        "x_title_y": round(height - 4), "y_title_x": 11, "font": FONT,
        "ticks": [{"y": y_of(v), "label": si(v)} for v in ticks(low, high)],
        "xlabels": xlabels, "lines": lines, "points": points, "whiskers": whiskers,
        "ceiling": None, "legend": legend([s["family"] for s in series]),
        "labels": {s["family"]: s.get("label") or s["family"] for s in series},
        "empty": not points,
    }
    if ceiling and low <= ceiling["rate"] <= high:
        shapes["ceiling"] = {"y": y_of(ceiling["rate"]), "label": ceiling["label"]}
    return shapes
