"""Which charts the section draws and what is on each: per device, a set of small charts (one per
group of versions: TF 1.x, TF 2.x, Keras 3 · jax, ...) for one layer size, every chart of a set
on the same rate axis. Pure; the geometry is chart.py's.

The headline set is the largest Dense (or Linear) layer: with the most parameters, its time is
the least dominated by per-call overhead, so it says most about generating the weights.
"""

from __future__ import annotations

import math

import numpy as np

from initcompat.measurements.throughput.section.cells import rng_and_memory
from initcompat.measurements.throughput.section.chart import chart, domain
from initcompat.measurements.throughput.section.formatting import si

DENSE_LIKE = ("Dense", "Linear")


def size_params(size: str) -> int:
    """A size label's parameter count without bias ("4096x4096" -> 16777216)."""
    return math.prod(int(p) for p in size.split("x") if p.isdigit()) if size else 0


def size_text(size: str) -> str:
    return size.replace("x", "×")


def headline_size(rows: list[dict]) -> str | None:
    """The size of the largest Dense/Linear benchmark (else the largest of any layer)."""
    dense = [r["size"] for r in rows if r["layer"] in DENSE_LIKE]
    pool = dense or [r["size"] for r in rows]
    return max(pool, key=size_params) if pool else None


def benchmark_title(rows: list[dict], size: str) -> str:
    """'Dense 4096×4096', or 'Dense/Linear 4096×4096' when families name the layer apart."""
    layers = list(dict.fromkeys(r["layer"] for r in rows if r["size"] == size))
    return f"{'/'.join(layers)} {size_text(size)}"


def _ceiling(envs: list[dict], device: str) -> dict | None:
    """The random-number ceiling of `device`: the median over every run that measured it."""
    found = [rng_and_memory(env, device)[0] for env in envs]
    rates = [rate for _, rate in found if rate]
    if not rates:
        return None
    label = next(label for label, rate in found if rate)
    text = "numpy Philox float32 generation" if label == "Philox" else label
    rate = float(np.median(rates))
    return {"rate": rate, "label": f"{text}: {si(rate, 'param/s')}"}


def _series(rows: list[dict], group: dict, envs: list[dict], size: str,
            device_index: int) -> tuple[list[dict], dict]:
    """The group's series of one size on one device, and the aliases seen: {(family, target):
    [category index]}."""
    series, aliases = [], {}
    for row in rows:
        if row["size"] != size:
            continue
        cells = row["devices"][device_index]["cells"]
        points = []
        for env_index in group["envs"]:
            cell, env = cells[env_index], envs[env_index]
            if cell.get("alias_of"):
                aliases.setdefault((row["family"], cell["alias_of"]), []).append(env["at"])
                continue
            if cell["css"] != "tp-ok" or not cell.get("params_per_s"):
                continue
            points.append({"at": env["at"], "rate": cell["params_per_s"],
                           "low": cell.get("ci_low_rate"), "high": cell.get("ci_high_rate"),
                           "hollow": env["hollow"], "name": env["display"],
                           "title": f"{env['display']}, {row['family']}: {cell['text']}"
                                    + (f" ({cell['ci_range']})" if cell.get("ci_range") else "")})
        if points:
            series.append({"family": row["family"], "label": row["family"], "points": points})
    return series, aliases


def _notes(aliases: dict, categories: list[dict]) -> list[str]:
    """What the chart cannot say by itself: the families drawn as another, and where releases
    between two measured versions were not measured (no line joins those)."""
    gaps = [f"{before['label']} and {after['label']}"
            for before, after in zip(categories, categories[1:]) if not after["follows"]]
    notes = [f"Not measured: the releases between {', '.join(gaps)} (no line joins them)"] \
        if gaps else []
    for (family, target), places in aliases.items():
        labels = [categories[i]["label"] for i in sorted(set(places))]
        where = labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"
        notes.append(f"{family} = {target} in {where} (the same classes, timed once)")
    return notes


def chart_set(rows: list[dict], envs: list[dict], groups: list[dict], axes: dict,
              size: str, device: str, device_index: int) -> dict | None:
    """Every group's chart of one size on one device, on one shared rate axis; None when
    nothing of that size was measured there."""
    drawn = []
    for group in groups:
        series, aliases = _series(rows, group, envs, size, device_index)
        if series:
            drawn.append((group, series, aliases))
    if not drawn:
        return None
    values = [v for _, series, _ in drawn for s in series for p in s["points"]
              for v in (p["rate"], p.get("low"), p.get("high")) if v]
    ceiling = _ceiling(envs, device)
    rate_domain = domain(values + ([ceiling["rate"]] if ceiling else []))
    charts = []
    for group, series, aliases in drawn:
        categories = axes[group["axis"]]
        found = chart(group["title"], group["x_title"], categories, series, rate_domain, ceiling)
        found["notes"] = _notes(aliases, categories)
        charts.append(found)
    params = [c.get("params") for r in rows if r["size"] == size
              for c in r["devices"][device_index]["cells"] if c.get("params")]
    return {"device": device, "size": size, "title": benchmark_title(rows, size),
            "params": max(params) if params else size_params(size),
            "params_text": si(max(params) if params else size_params(size), " parameters"),
            "charts": charts, "ceiling": ceiling}


def chart_sets(rows: list[dict], envs: list[dict], groups: list[dict], axes: dict,
               devices: list[str]) -> tuple[list[dict], list[dict]]:
    """(the headline sets, one per device; every other size's sets, per device)."""
    headline = headline_size(rows)
    sizes = sorted(dict.fromkeys(r["size"] for r in rows), key=size_params, reverse=True)
    first, more = [], []
    for device_index, device in enumerate(devices):
        for size in sizes:
            found = chart_set(rows, envs, groups, axes, size, device, device_index)
            if found:
                (first if size == headline else more).append(found)
    return first, more
