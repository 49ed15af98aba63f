"""The Matrix section: API family x layer x weight against environments, and the evidence behind
each measured cell (histogram with the declared density, moments, config, test statistics). Pure.
Its filters: rows by family, layer, weight and change; columns by backend and Keras release
(report.js; the page shows everything without it).

The evidence is JSON in the page (report.js draws it in the evidence dialog). To keep the page
light it holds only measured cells (an unavailable cell's reason comes from the cell itself, an
index into one shared list of reasons), numbers at 5 significant digits, no null fields, and
each repeated text (module, config, theory, ...) once in a shared list of strings, and what a
weight's cells share from version to version (declaration, shape, fans, seeding call) once in a
list of profiles.
"""

from __future__ import annotations

import functools
import json
import math
import re
from dataclasses import dataclass

import numpy as np

from initcompat.report import change
from initcompat.report.analysis import CellAnalysis, Step, finite
from initcompat.report.describe import initializer_label, one_line, short_version
from initcompat.report.frame import family_label
from initcompat.report.measured import Measured, cell_id

# The evidence table's statistics, in this order (their standard errors beside them).
MOMENTS = ("mean", "std", "min", "max", "skewness", "excess_kurtosis", "n")
STANDARD_ERRORS = {"mean": "se_mean", "std": "se_std", "skewness": "se_skewness",
                   "excess_kurtosis": "se_excess_kurtosis"}
# Profile fields whose texts repeat across cells: stored once in data["strings"].
SHARED = ("initializer", "module", "config", "held_by_layer", "resolved_by", "fan_source",
          "theory", "seed_call", "error_type", "graph_evidence")
# Each evidence field's one-letter key in the page (data["fields"] maps them back; report.js
# reads the long names): key names were a sixth of the page.
FIELDS = ("profile", "status", "reason", "error_type", "initializer", "module", "config", "held_by_layer",
          "resolved_by", "theory", "fingerprint", "fit", "fit_detail", "change", "change_detail",
          "shape", "fan_in", "fan_out", "fan_source", "seeded", "group", "graph_evidence",
          "moments", "se", "builds", "histogram", "lo", "hi", "counts", "expected", "edges",
          "seed", "seed_call", "sha256", "first_values", "repeats_in_process", "error")
SHORT = {name: chr(ord("a") + i) if i < 26 else chr(ord("A") + i - 26)
         for i, name in enumerate(FIELDS)}
DIGITS = 5
SE_DIGITS = 2  # a standard error's own precision is no better than that
SHA_DIGITS = 16  # hex digits of the seeded weights' sha256 shown (the whole one is in cells.csv)


@dataclass(frozen=True)
class Matrix:
    # the columns (measured.envs), each with what the column filters read: "backend_line" (its
    # backend, "tensorflow" for TF environments) and "keras_line" (the Keras release it had,
    # short: "3.15"; installed, else what its session asked for; None without a keras package)
    envs: list[dict]
    # {"key", "family", "family_id", "layer", "kind", "role", "cells", "changed", "renamed"};
    # key: the cell ids' common start (a cell's id is key + environment name)
    rows: list[dict]
    families: list[str]  # the family filter's entries
    kinds: list[dict]  # the layer filter's entries, one per layer kind: {"kind", "label"}
    roles: list[str]  # the weight filter's entries
    # the column filters' entries (empty where every column has the same, nothing to filter):
    backends: list[str]  # env.backend_line in column order
    keras_lines: list[str]  # env.keras_line in release order
    # the legend of the seed-call tags: {"label", "calls": [the seed_call texts it stands for]}
    seed_calls: list[dict]
    # what report.js reads: {"fields", "strings", "reasons", "profiles", "cells": {row key:
    # {environment name: evidence with SHORT keys}}} (a cell's id: row key + environment name)
    data: dict


class Strings:
    """Each distinct text once: intern() gives its index in `values`."""

    def __init__(self) -> None:
        self.values: list[str] = []
        self._index: dict[str, int] = {}

    def intern(self, text: str) -> int:
        if text not in self._index:
            self._index[text] = len(self.values)
            self.values.append(text)
        return self._index[text]


def significant(value, digits: int = DIGITS):
    """A float at `digits` significant digits (ints, None and non-numbers unchanged)."""
    if isinstance(value, bool) or not isinstance(value, float):
        return value
    return float(f"{value:.{digits}g}") if np.isfinite(value) else None


def _rounded(value):
    """Every float in a JSON-like value at DIGITS significant digits."""
    if isinstance(value, dict):
        return {k: _rounded(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_rounded(v) for v in value]
    return significant(value)


def _histogram(analysis: CellAnalysis, sample: dict) -> dict | None:
    """{lo, hi, counts, expected}: equal-width bins from lo to hi (the probe's np.histogram), and
    the counts per bin the declared distribution predicts (None for constants and identities)."""
    histogram = sample.get("histogram") or {}
    edges, counts = histogram.get("edges"), histogram.get("counts")
    if not edges or not counts or len(edges) != len(counts) + 1 or edges[0] == edges[-1]:
        return None
    edges = np.asarray(edges, dtype=float)
    shown = {"lo": significant(float(edges[0])), "hi": significant(float(edges[-1])),
             "counts": [int(c) for c in counts]}
    widths = np.diff(edges)
    if float(np.ptp(widths)) > 1e-6 * abs(float(widths[0])):
        shown["edges"] = [significant(float(e)) for e in edges]  # not equal-width: every edge
    if analysis.distribution is not None and analysis.theory_family not in ("constant", "identity"):
        try:
            cdf = np.asarray(analysis.distribution.cdf(edges), dtype=float)
        except (ValueError, TypeError, KeyError):
            cdf = None
        if cdf is not None:
            expected = np.diff(cdf) * float(sum(counts))
            if np.all(np.isfinite(expected)):
                shown["expected"] = _plotted(expected)
    return shown


def _plotted(values: np.ndarray):
    """Counts for a plot line: to a thousandth of the largest or finer (a 270-unit-high plot
    shows no more); one number when every bin expects the same (a uniform distribution)."""
    top = float(np.max(np.abs(values))) if values.size else 0.0
    if top <= 0:
        return [0] * int(values.size)
    decimals = 3 - math.floor(math.log10(top))
    rounded = np.round(values, decimals)
    shown = rounded.astype(int).tolist() if decimals <= 0 else rounded.tolist()
    return shown[0] if all(v == shown[0] for v in shown) else shown


def _seeded(seeded: dict | None) -> dict | None:
    """What this cell's seeded draw gave (the seed and how it was set are in its profile)."""
    if not seeded:
        return None
    shown = {"sha256": (seeded.get("sha256") or "")[:SHA_DIGITS] or None,
             "first_values": [significant(v) for v in seeded.get("first_values") or []] or None,
             "repeats_in_process": seeded.get("repeats_in_process"),
             "error": one_line(seeded.get("error"), 600) if seeded.get("error") else None}
    return {k: v for k, v in shown.items() if v is not None}


@functools.lru_cache(maxsize=4096)
def _indented(compact: str) -> str:
    """A config's JSON laid out for reading; once per distinct config (json indents in Python,
    not in its C encoder, and a report has thousands of cells but a few hundred configs)."""
    return json.dumps(json.loads(compact), sort_keys=True, indent=1)


def _profile(cell: dict, analysis: CellAnalysis, strings: Strings) -> dict:
    """What a weight's cells share from version to version (declaration, shape, fans, seeding
    call): stored once in data["profiles"], a cell naming it by index."""
    initializer = cell.get("initializer") or {}
    seeded = cell.get("seeded") or {}
    graph = cell.get("graph_evidence")
    texts = {
        "initializer": initializer.get("class_name"), "module": initializer.get("module"),
        "config": (_indented(json.dumps(initializer.get("config"), sort_keys=True))
                   if initializer.get("config") is not None else None),
        "held_by_layer": initializer.get("held_by_layer"),
        "resolved_by": initializer.get("resolved_by"), "fan_source": cell.get("fan_source"),
        "theory": analysis.theory, "error_type": cell.get("error_type"),
        "graph_evidence": graph if isinstance(graph, str) or graph is None
        else json.dumps(_rounded(graph), sort_keys=True),
        "seed_call": seeded.get("seed_call"),
    }
    profile = {key: strings.intern(str(texts[key])) for key in SHARED if texts[key] is not None}
    profile.update({k: v for k, v in (("shape", cell.get("shape")), ("fan_in", cell.get("fan_in")),
                                      ("fan_out", cell.get("fan_out")), ("seed", seeded.get("seed")))
                    if v is not None})
    return profile


def evidence_for(cell: dict, analysis: CellAnalysis, step: Step | None, group: str | None,
                 strings: Strings, profiles: "Profiles") -> dict:
    """What the evidence dialog shows for one measured (ok or error) cell; no null fields, and
    no status when it is "ok"."""
    sample = cell.get("sample") or {}
    item = {
        "profile": profiles.intern(_profile(cell, analysis, strings)),
        "status": cell["status"] if cell["status"] != "ok" else None,
        "reason": one_line(cell.get("reason"), 2000) if cell.get("reason") else None,
        "fit": analysis.fit_verdict if sample else None,
        "fit_detail": analysis.fit_detail if sample else None,
        "fingerprint": analysis.fingerprint,
        "change": step.verdict if step else None,
        "change_detail": f"vs {step.previous_env}: {step.detail}" if step else None,
        "seeded": _seeded(cell.get("seeded")), "group": group,
    }
    if sample:
        item["moments"] = [significant(finite(sample.get(k))) for k in MOMENTS]
        item["se"] = [significant(finite(sample.get(STANDARD_ERRORS[k])), SE_DIGITS)
                      if k in STANDARD_ERRORS else None for k in MOMENTS]
        item["builds"] = sample.get("builds")
        item["histogram"] = _histogram(analysis, sample)
    return {k: v for k, v in item.items() if v is not None}


class Profiles:
    """Each distinct profile once (with SHORT keys): intern() gives its index in `values`."""

    def __init__(self) -> None:
        self.values: list[dict] = []
        self._index: dict[str, int] = {}

    def intern(self, profile: dict) -> int:
        key = json.dumps(profile, sort_keys=True)
        if key not in self._index:
            self._index[key] = len(self.values)
            self.values.append(shortened(profile))
        return self._index[key]


def shortened(value):
    """An evidence item with SHORT keys, nested dicts included."""
    if isinstance(value, dict):
        return {SHORT[k]: shortened(v) for k, v in value.items()}
    return value


# The page's short class of each status (5,000 cells), and the tags a cell shows.
STATUS_CLASS = {"ok": "ok", "unavailable": "na", "error": "er", "missing": "mi"}
FIT_TAGS = {"consistent": ("t", "fit ✓"), "inconsistent": ("t ti", "fit ✗")}


def seed_call_label(call: str | None) -> str | None:
    """The short tag of how a cell's seeded draw was seeded: 'graph seed' for a graph-level
    seed (tf.set_random_seed, tf.compat.v1.set_random_seed), else the function's own name
    ('set_seed' for tf.random.set_seed, 'set_random_seed' for FAMILY.utils.set_random_seed)."""
    if not call:
        return None
    if "(graph-level)" in call:
        return "graph seed"
    return one_line(call.split(" (")[0].rsplit(".", 1)[-1], 40)


def _blank_cell(**fields) -> dict:
    """A matrix cell with every key the template and cells.csv read."""
    base = {"css": "", "text": "", "measured": None, "fit": None, "change": None,
            "changed": False, "renamed": False, "group": None, "id": None, "reason": None,
            "seed_call": None}
    base.update(fields)
    return base


def _presented(cell: dict, variant: bool) -> dict:
    """The cell's classes and tags as the template writes them (decided here, once)."""
    classes = [STATUS_CLASS.get(cell["css"], cell["css"])]
    classes += [name for flag, name in ((cell["changed"], "ch"), (cell["renamed"], "rn"),
                                        (variant, "va")) if flag]
    tags = [FIT_TAGS[cell["fit"]]] if cell["fit"] in FIT_TAGS else []
    if cell["changed"]:
        tags.append(("t tc", "changed"))
    elif cell["renamed"]:
        tags.append(("t tr", "renamed"))
    if cell["group"]:
        tags.append(("t", f"seed {cell['group']}"))
    if cell["seed_call"]:
        tags.append(("t ts", seed_call_label(cell["seed_call"])))
    cell["classes"], cell["tags"] = " ".join(classes), tags
    return cell


def _matrix_cell(cell: dict, analysis: CellAnalysis, step: Step | None, group: str | None,
                 identifier: str, reasons: Strings) -> dict:
    if cell["status"] != "ok":
        reason = f"{cell.get('error_type') or ''}: {one_line(cell.get('reason'), 600)}".strip(": ")
        return _blank_cell(css=cell["status"], text=cell["status"], id=identifier,
                           reason=reasons.intern(reason or cell["status"]))
    initializer = cell.get("initializer") or {}
    verdict = step.verdict if step else None
    return _blank_cell(
        css="ok", id=identifier,
        text=initializer_label(initializer.get("class_name"),
                               json.dumps(initializer.get("config"), sort_keys=True)),
        measured=analysis.fingerprint, fit=analysis.fit_verdict, change=verdict,
        changed=verdict == change.CHANGED, renamed=verdict == change.RENAMED,
        group=group or ("none (seeding failed)" if (cell.get("seeded") or {}).get("error") else None),
        seed_call=(cell.get("seeded") or {}).get("seed_call") or None)


def _kinds(rows: list[dict]) -> list[dict]:
    """One filter entry per layer kind (tf.layers' `dense` and Keras' `Dense` are one layer),
    labelled with the Keras class name where a family uses it."""
    names: dict[str, list[str]] = {}
    for row in rows:
        names.setdefault(row["kind"], []).append(row["layer"])
    entries = []
    for kind, layers in names.items():
        capitalized = [name for name in layers if name[:1].isupper()]
        entries.append({"kind": kind, "label": (capitalized or layers)[0]})
    return sorted(entries, key=lambda e: e["label"].casefold())


def _keras_line(env: dict) -> str | None:
    """The Keras release a column had, as cells.csv's keras_version says it, shortened."""
    version = env.get("keras") or env.get("keras_requested")
    return short_version(str(version)) if version else None


def _release_order(line: str) -> tuple:
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in re.split(r"[.+-]", line))


def _column_filters(envs: list[dict]) -> tuple[list[str], list[str]]:
    """(backends, Keras lines) the column filters offer; each empty when all columns share one
    value (a filter with one choice hides nothing)."""
    backends = list(dict.fromkeys(env["backend_line"] for env in envs))
    lines = {env["keras_line"] for env in envs}
    keras_lines = sorted((line for line in lines if line), key=_release_order)
    return (backends if len(backends) > 1 else [],
            keras_lines if len(lines) > 1 else [])


def build_matrix(measured: Measured) -> Matrix:
    """One row per weight that some version offers, one cell per environment, and the evidence."""
    envs = [{**env, "backend_line": env.get("backend") or "tensorflow",
             "keras_line": _keras_line(env)} for env in measured.envs]
    cells = measured.cells
    strings, reasons, profiles = Strings(), Strings(), Profiles()
    rows, evidence = [], {}
    for key in measured.row_keys:
        if not any(cells.get((key, e["name"]), {}).get("status") in ("ok", "error") for e in envs):
            continue  # no measured version offers this layer in this API: nothing to show
        step_by_env = {s.env: s for s in measured.steps.get(key, [])}
        row_key = cell_id(key, "")  # a cell's id is this + its environment's name
        row_cells = []
        layer = next((cells[(key, e["name"])]["layer"] for e in envs if (key, e["name"]) in cells), key[2])
        for env in envs:
            cell = cells.get((key, env["name"]))
            variant = env.get("variant_of") is not None
            if cell is None:
                row_cells.append(_presented(_blank_cell(css="missing", text="—"), variant))
                continue
            analysis = measured.analyses[(key, env["name"])]
            step = step_by_env.get(env["name"])
            identifier = row_key + env["name"]
            group = measured.groups.get((key, env["name"]))
            if cell["status"] in ("ok", "error"):
                evidence.setdefault(row_key, {})[env["name"]] = shortened(
                    evidence_for(cell, analysis, step, group, strings, profiles))
            row_cells.append(_presented(_matrix_cell(cell, analysis, step, group, identifier,
                                                     reasons), variant))
        rows.append({"key": row_key, "family": family_label(key[0], key[1]),
                     "family_id": key[0], "layer": layer,
                     "kind": key[2], "role": key[3], "cells": row_cells,
                     "changed": any(c["changed"] for c in row_cells),
                     "renamed": any(c["renamed"] for c in row_cells)})
    calls: dict[str, list[str]] = {}
    for row in rows:
        for shown in row["cells"]:
            if shown["seed_call"]:
                found = calls.setdefault(seed_call_label(shown["seed_call"]), [])
                if shown["seed_call"] not in found:
                    found.append(shown["seed_call"])
    backends, keras_lines = _column_filters(envs)
    return Matrix(envs=envs, rows=rows,
                  families=list(dict.fromkeys(r["family"] for r in rows)),
                  kinds=_kinds(rows), roles=list(dict.fromkeys(r["role"] for r in rows)),
                  backends=backends, keras_lines=keras_lines,
                  seed_calls=[{"label": label, "calls": found} for label, found in calls.items()],
                  data={"fields": {short: name for name, short in SHORT.items()},
                        "strings": strings.values, "reasons": reasons.values,
                        "profiles": profiles.values, "cells": evidence})
