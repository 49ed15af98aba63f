"""The Throughput section: initialization speed per version and device, against the machine's
ceilings measured in the same run. Pure, apart from its load step.

  pyperf_file.py  load: every timed value from each result's pyperf file (the only I/O)
  timing.py       statistics: CI of the median, the Mann-Whitney change test
  formatting.py   numbers in words (si, seconds_text)
  cells.py        one environment's column and each cell
  names.py        what each environment is called, its chart (group) and place on the axis
  chart.py        one small chart's SVG geometry
  small_multiples.py  which charts: one per group of versions, per layer size and device
  tables.py       one table per group of versions
  lead.py         the answer in words, and the list of marked changes
  here            the section's view: rows, flagged changes (for the timeline), charts

Parameters/s and bytes/s are the parameter count (float32: 4 bytes each) divided by the times.
Each version is set against the ceilings measured in the same run (numpy memory-write
bandwidth, numpy Philox float32 rate) and a change says so when those moved too.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from initcompat.probe.schema import API_FAMILIES
from initcompat.measurements.throughput.section.cells import (anchor, cell, env_entry, resolve,
                                                         rng_and_memory)
from initcompat.measurements.throughput.section.chart import legend
from initcompat.measurements.throughput.section.lead import lead, marked_changes
from initcompat.measurements.throughput.section.names import (axis_version, categories,
                                                         display_names, group_of, resolution)
from initcompat.measurements.throughput.section.pyperf_file import PyperfValues, load_pyperf
from initcompat.measurements.throughput.section.small_multiples import chart_sets
from initcompat.measurements.throughput.section.tables import tables
from initcompat.measurements.throughput.section.timing import FACTOR_THRESHOLD, P_THRESHOLD, compare

__all__ = ["Throughput", "build_throughput", "load_pyperf", "PyperfValues"]


@dataclass(frozen=True)
class Throughput:
    present: bool  # some result carries a throughput block
    envs: list[dict]  # cells.env_entry of every result, in version order
    devices: list[str]  # "cpu", then each GPU some environment measured (none: no GPU column)
    rows: list[dict]  # {"family", "layer", "size", "benchmark", "devices": [{"device", "cells"}]}
    changes: dict[str, list[dict]]  # environment name -> flagged changes, as timeline changes
    headline: list[dict]  # small_multiples.chart_set of the headline size, one per device
    more_charts: list[dict]  # the chart sets of every other size (per device)
    tables: list[dict]  # tables.group_table, one per group of versions
    marked: list[dict]  # lead.marked_changes: every flagged change, once
    lead: list[str]  # the answer: one or two sentences
    design: str  # the usual timing design ("3 processes × 4 values, 1 warmup")
    has_variants: bool  # some version has a variant (drawn hollow)
    no_gpu: bool  # no environment listed a GPU device (the page says so once)
    legend: list[dict]  # chart.legend of every family charted: one colour per family
    p_threshold: float
    factor_threshold: float

    @property
    def charts(self) -> list[dict]:
        """Every chart, the headline ones first."""
        return [c for found in self.headline + self.more_charts for c in found["charts"]]


def _split(name: str) -> tuple[str, str, str, str]:
    family, layer, size, device = name.rsplit("/", 3)
    return family, layer, size, device


def _row_sort_key(key: tuple[str, str, str]) -> tuple:
    family, layer, size = key
    order = API_FAMILIES.index(family) if family in API_FAMILIES else len(API_FAMILIES)
    params = math.prod(int(p) for p in size.split("x") if p.isdigit()) if size else 0
    return (order, family, layer, params, size)


CEILING_WORDS = {"Philox": "numpy Philox", "mem-write": "numpy memory-write",
                 "device RNG": "device random-number", "device mem-write": "device memory-write"}


def _note_ceiling_drift(change: dict, before: dict, after: dict, device: str) -> None:
    """Say so when the machine itself moved by more than the factor between the two runs: its
    random-number ceiling (Philox on the CPU), or where a run could not measure that (numpy
    older than 1.17), its memory-write ceiling. Then the change may be the machine's state (a
    busy machine slows both), not the framework."""
    (rng_before, memory_before), (rng_after, memory_after) = (
        rng_and_memory(env, device) for env in (before, after))
    pairs = [(rng_before[0], rng_before[1], rng_after[1]),
             (memory_before[0], memory_before[1], memory_after[1])]
    label, first, second = next((p for p in pairs if p[1] and p[2]), (None, None, None))
    change["ceiling_drift"] = second / first if first and second else None
    drift = change["ceiling_drift"]
    if drift and max(drift, 1 / drift) > FACTOR_THRESHOLD:
        change["caution"] = (f"the {CEILING_WORDS.get(label, label)} ceiling measured in the same runs also moved "
                             f"{max(drift, 1 / drift):.2f}× ({'faster' if drift > 1 else 'slower'}): "
                             "part of this change may be the machine's state, not the framework")
        change["detail"] += "; " + change["caution"]
    else:
        change["caution"] = None


def build_throughput(ordered_results: list[dict], pyperf: list[PyperfValues],
                     variant_of: dict[str, str | None] | None = None) -> Throughput:
    """The section from results in version order and their raw values (load_pyperf, same order).

    A version is compared with the previous version that measured the benchmark; a variant
    (variant_of: name -> its primary's name, measured.assign_variants) with its primary, and
    it is never the "previous version" of another."""
    from initcompat.report.frame import line_of
    variant_of = variant_of or {}
    envs = [env_entry(result, raw) for result, raw in zip(ordered_results, pyperf)]
    lines = {result["env"]["name"]: line_of(result["env"]) for result in ordered_results}
    blocks = [result.get("throughput") or {} for result in ordered_results]
    values_by_env = [raw.values for raw in pyperf]
    keys, gpu_devices = set(), set()
    for env, block in zip(envs, blocks):
        for name in block.get("benchmarks") or {}:
            family, layer, size, device = _split(name)
            keys.add((family, layer, size))
            if device != "cpu":
                gpu_devices.add(device)
        for alias, target in env["aliases"].items():
            for family, layer, size in list(keys):
                if family == target:
                    keys.add((alias, layer, size))
    devices = ["cpu"] + sorted(gpu_devices)  # a GPU column only where a GPU was measured
    rows = []
    changes: dict[str, list[dict]] = {}
    reported = set()  # an alias row must not report the same measured change twice
    for family, layer, size in sorted(keys, key=_row_sort_key):
        row = {"family": family, "layer": layer, "size": size,
               "benchmark": f"{family}/{layer}/{size}", "devices": []}
        for device in devices:
            cells, previous, primaries = [], None, {}
            for env, block, values in zip(envs, blocks, values_by_env):
                entry, samples, alias_of = resolve(env, block, values, family, layer, size, device)
                shown = cell(env, entry, samples, alias_of, device, family)
                measured = f"{alias_of or family}/{layer}/{size}/{device}"
                shown["id"] = anchor(family, layer, size, device, env["name"])
                if shown["css"] == "tp-ok" and samples:
                    primary = variant_of.get(env["name"])
                    base = primaries.get(primary) if primary else previous
                    if base is not None and lines.get(base[0]["name"]) != lines.get(env["name"]):
                        base = None  # versions are compared within their line only
                    if base is not None:
                        change = compare(base[1], samples)
                        change["since"] = base[0]["label"]
                        change["since_env"] = base[0]["name"]
                        _note_ceiling_drift(change, base[0], env, device)
                        shown["change"] = change
                        if change["flagged"] and (env["name"], measured, base[2]) not in reported:
                            reported.add((env["name"], measured, base[2]))
                            changes.setdefault(env["name"], []).append({
                                "row": f"{family}/{layer}/{size}/{device}", "kind": change["kind"],
                                "text": f"initialization throughput {change['text']} "
                                        f"({change['detail']})",
                                "cell": shown["id"], "since": base[0]["label"],
                                "since_env": base[0]["name"],
                                "factor": change["factor"], "p": change["p"]})
                    if primary is None:
                        previous = primaries[env["name"]] = (env, samples, measured)
                cells.append(shown)
            row["devices"].append({"device": device, "cells": cells})
        rows.append(row)
    _place(ordered_results, envs, variant_of)
    groups = _groups(ordered_results)
    axes = {axis: categories([ordered_results[i] for g in groups if g["axis"] == axis
                              for i in g["envs"]])
            for axis in dict.fromkeys(g["axis"] for g in groups)}
    for group in groups:
        positions = {c["version"]: i for i, c in enumerate(axes[group["axis"]])}
        for index in group["envs"]:
            envs[index]["at"] = positions[axis_version(ordered_results[index])]
    _mark_hollow(envs, groups)
    headline, more = chart_sets(rows, envs, groups, axes, devices)
    marked = marked_changes(rows, envs, devices)
    charted = [item["family"] for found in headline + more for c in found["charts"]
               for item in c["legend"]]
    return Throughput(present=any(blocks), envs=envs, devices=devices, rows=rows, changes=changes,
                      headline=headline, more_charts=more, tables=tables(rows, envs, groups, devices),
                      marked=marked,
                      lead=lead(headline[0] if headline else None, envs, marked, P_THRESHOLD,
                                FACTOR_THRESHOLD),
                      design=_usual_design(envs),
                      has_variants=any(env["hollow"] for env in envs),
                      no_gpu=not gpu_devices, p_threshold=P_THRESHOLD,
                      factor_threshold=FACTOR_THRESHOLD, legend=legend(charted))


def _place(results: list[dict], envs: list[dict], variant_of: dict[str, str | None]) -> None:
    """Each environment's name in the section and whether it was resolved today."""
    names = display_names(results, variant_of)
    for result, env in zip(results, envs):
        env["display"] = names[env["name"]]
        env["variant_of"] = variant_of.get(env["name"])
        env["today"] = resolution(result) == "today"


def _groups(results: list[dict]) -> list[dict]:
    """The groups of versions (one chart and one table each), in the section's order:
    {key, title, axis, x_title, envs: [index into results]}."""
    groups: dict[str, dict] = {}
    for index, result in enumerate(results):
        found = group_of(result)
        groups.setdefault(found["key"], dict(found, envs=[]))["envs"].append(index)
    return sorted(groups.values(), key=lambda g: g["order"])


def _mark_hollow(envs: list[dict], groups: list[dict]) -> None:
    """At each place of a group's axis one environment is the version's point (the primary,
    else the first); the others there (a variant: resolved today, a GPU build) are hollow."""
    for group in groups:
        first_at: dict[int, int] = {}
        for index in group["envs"]:
            at = envs[index]["at"]
            current = first_at.get(at)
            if current is None or (envs[current]["variant_of"] and not envs[index]["variant_of"]):
                first_at[at] = index
        for index in group["envs"]:
            envs[index]["hollow"] = first_at[envs[index]["at"]] != index


def _usual_design(envs: list[dict]) -> str:
    """The timing design most environments used, in words."""
    designs = [env["design"] for env in envs if isinstance(env.get("design"), dict)]
    texts = [f"{d.get('processes')} processes × {d.get('values')} values, "
             f"{d.get('warmups')} warmup" for d in designs]
    return max(set(texts), key=texts.count) if texts else ""
