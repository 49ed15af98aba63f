"""The "Why NaN?" section's charts: activation std against depth (measured solid, the mean-field
prediction dashed) per model and initializer, and loss against training step; SVG geometry in
a fixed box. Pure.
"""

from __future__ import annotations

import math

from initcompat.probe import schema
from initcompat.measurements.propagation.section.records import (
    FLOAT32_NORMAL_GAP, env_name, first_api, fmt, model_name, ok, predictions_of, records_of,
    version_of)

COLOURS = ("#1b6ca8", "#c2410c", "#15803d", "#7c3aed", "#a16207")
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 170, 30


def _svg_lines(series: list[dict], log: bool, references: tuple = ()) -> dict:
    """Polyline points for series [{"label", "colour", "dash", "points": [(x, y)]}] in a fixed
    box; y on log10 when `log`. Non-positive or missing values break a line. `references`:
    (value, text) pairs drawn as labelled horizontal lines, inside the range."""
    values = [y for s in series for _, y in s["points"] if y is not None and (y > 0 or not log)]
    values += [value for value, _ in references] if values else []
    xs = [x for s in series for x, _ in s["points"]]
    if not values or not xs:
        return {"lines": [], "width": CHART_WIDTH, "height": CHART_HEIGHT, "ticks": [],
                "x_ticks": [], "references": []}
    transform = (lambda v: math.log10(v)) if log else (lambda v: v)
    low, high = transform(min(values)), transform(max(values))
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    x_low, x_high = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD

    def place(x, y):
        return (round(CHART_PAD + (x - x_low) / (x_high - x_low) * inner_w, 1),
                None if y is None else
                round(CHART_HEIGHT - CHART_PAD - (transform(y) - low) / (high - low) * inner_h, 1))

    lines = []
    for entry in series:
        segments, current = [], []
        for x, y in entry["points"]:
            if y is None or (log and y <= 0):
                if current:
                    segments.append(current)
                current = []
                continue
            current.append(place(x, y))
        if current:
            segments.append(current)
        for segment in segments:
            lines.append({"colour": entry["colour"], "dash": entry["dash"],
                          "points": " ".join(f"{a},{b}" for a, b in segment)})
    ticks = []
    for step in range(5):
        value = low + (high - low) * step / 4
        shown = 10 ** value if log else value
        ticks.append({"y": round(CHART_HEIGHT - CHART_PAD - step / 4 * inner_h, 1),
                      "text": fmt(shown, 2)})
    x_ticks = [{"x": place(x, None)[0], "text": str(x)}
               for x in sorted({x_low, round((x_low + x_high) / 2), x_high})]
    marks = [{"y": place(x_low, value)[1], "text": text} for value, text in references]
    return {"lines": lines, "width": CHART_WIDTH, "height": CHART_HEIGHT, "ticks": ticks,
            "x_ticks": x_ticks, "references": marks, "x_first": x_low, "x_last": x_high,
            "axis_y": CHART_HEIGHT - CHART_PAD + 12, "right": CHART_WIDTH - CHART_PAD}


def depth_chart(env: dict, body: dict, model: str, initializers: list[str]) -> dict | None:
    api = first_api(body)
    records = records_of(body)
    version = version_of({"env": {"tensorflow": env["tensorflow"],
                                "keras": env.get("keras_requested")}})
    series, legend = [], []
    for index, label in enumerate(initializers):
        record = records.get((api, model, label, "float32"))
        if not ok(record):
            continue
        colour = COLOURS[index % len(COLOURS)]
        predicted = predictions_of(body, record, version)
        series.append({"colour": colour, "dash": False, "points": [
            (position + 1, layer["output"].get("std")) for position, layer in enumerate(record["layers"])]})
        series.append({"colour": colour, "dash": True, "points": [
            (position + 1, p.std) for position, p in enumerate(predicted)]})
        legend.append({"label": label, "colour": colour})
    if not series:
        return None
    return {"title": f"{model_name(model)} · {env_name(env)} · {api}", "env": env["name"],
            "model": model, "svg": _svg_lines(series, log=True), "legend": legend,
            "x_title": "layer", "y_title": "output std, log scale",
            "axis": "activation std (log scale) against layer; dashed: mean-field prediction"}


def training_chart(env: dict, body: dict) -> dict | None:
    runs = [r for r in body.get("training") or [] if r["status"] == schema.PROP_OK]
    if not runs:
        return None
    series, gaps, legend, rows = [], [], [], []
    for index, run in enumerate(runs):
        colour = COLOURS[(index // 2) % len(COLOURS)]
        dash = run["loss_kind"] != "naive"
        series.append({"colour": colour, "dash": dash,
                       "points": [(step + 1, value) for step, value in enumerate(run["loss"])]})
        gaps.append({"colour": colour, "dash": dash,
                     "points": [(step + 1, value) for step, value in enumerate(run["logit_gap"])]})
        legend.append({"label": f"{run['initializer']}, {run['loss_kind']} loss",
                       "colour": colour, "dash": dash})
        finite = [v for v in run["loss"] if v is not None]
        rows.append({"initializer": run["initializer"], "loss_kind": run["loss_kind"],
                     "first": fmt(finite[0] if finite else None, 4),
                     "last": fmt(finite[-1] if finite else None, 4),
                     "nan_step": run["first_nonfinite_step"] or "none",
                     "steps": len(run["loss"]),
                     "gap": fmt(max([g for g in run["logit_gap"] if g is not None] or [None],
                                     key=lambda g: -1 if g is None else g), 3)})
    title = f"{model_name(runs[0]['model'])} training · {env_name(env)} · {runs[0]['api']}"
    threshold = (FLOAT32_NORMAL_GAP, f"{fmt(FLOAT32_NORMAL_GAP)}: float32 exp(−gap) underflows")
    return {"title": title, "svg": _svg_lines(series, log=False), "legend": legend, "rows": rows,
            "x_title": "training step", "y_title": "loss (cross-entropy)",
            "axis": "loss against step (solid: naive loss trained, dashed: stable)",
            "gap": {"title": title, "svg": _svg_lines(gaps, log=True, references=(threshold,)),
                    "legend": legend, "x_title": "training step",
                    "y_title": "largest logit gap, log scale",
                    "axis": "largest logit gap against step, log scale, with the gap past which "
                            "the naive loss is NaN"}}
