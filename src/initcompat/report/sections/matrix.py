"""The Matrix section: API family x layer x weight against versions, and the evidence behind each
cell (histogram with the declared density, moments, config, test statistics). Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from initcompat.report import change
from initcompat.report.analysis import CellAnalysis, Step, finite
from initcompat.report.describe import initializer_label, one_line, relevant_config
from initcompat.report.frame import family_label
from initcompat.report.measured import Measured, cell_id

MOMENT_KEYS = ("n", "mean", "std", "min", "max", "skewness", "excess_kurtosis", "se_mean",
               "se_std", "se_skewness", "se_excess_kurtosis", "builds")


@dataclass(frozen=True)
class Matrix:
    envs: list[dict]  # the columns (measured.envs)
    rows: list[dict]  # {"family", "family_id", "layer", "kind", "role", "cells", "changed"}
    evidence: dict[str, dict]  # cell id -> what the evidence panel shows (JSON in the page)
    families: list[str]  # for the filters
    layers: list[str]


def _expected_counts(analysis: CellAnalysis, sample: dict) -> list[float] | None:
    """Counts per histogram bin the declared distribution predicts, for the evidence plot."""
    histogram = sample.get("histogram") or {}
    edges, counts = histogram.get("edges"), histogram.get("counts")
    if analysis.distribution is None or not edges or not counts or len(edges) != len(counts) + 1:
        return None
    if analysis.theory_family in ("constant", "identity"):
        return None
    try:
        cdf = np.asarray(analysis.distribution.cdf(np.asarray(edges, dtype=float)), dtype=float)
    except (ValueError, TypeError, KeyError):
        return None
    total = float(sum(counts))
    expected = np.diff(cdf) * total
    return [round(float(v), 3) for v in expected] if np.all(np.isfinite(expected)) else None


def _rounded(values: list | None, digits: int = 6) -> list | None:
    """Plot coordinates need no more than 6 significant digits (keeps the page light)."""
    return None if values is None else [float(f"{v:.{digits}g}") for v in values]


def evidence_for(cell: dict, env: dict, analysis: CellAnalysis, step: Step | None,
                 group: str | None) -> dict:
    """What the evidence panel shows for one cell."""
    sample = cell.get("sample") or {}
    initializer = cell.get("initializer") or {}
    histogram = sample.get("histogram") or {}
    return {
        "title": f"{family_label(cell['api_family'], cell['legacy_keras'])} {cell['layer']} "
                 f"{cell['weight_role']} — TF {env['tensorflow']}",
        "status": cell["status"],
        "reason": one_line(cell.get("reason"), 2000) if cell.get("reason") else None,
        "error_type": cell.get("error_type"),
        "initializer": initializer.get("class_name"),
        "module": initializer.get("module"),
        "config": json.dumps(initializer.get("config"), sort_keys=True, indent=1),
        "held_by_layer": initializer.get("held_by_layer"),
        "resolved_by": initializer.get("resolved_by"),
        "graph_evidence": cell.get("graph_evidence"),
        "shape": cell.get("shape"), "fan_in": cell.get("fan_in"), "fan_out": cell.get("fan_out"),
        "fan_source": cell.get("fan_source"),
        "moments": {k: finite(sample.get(k)) for k in MOMENT_KEYS},
        "histogram": {"edges": _rounded(histogram.get("edges")), "counts": histogram.get("counts"),
                      "expected": _expected_counts(analysis, sample) if sample else None},
        "theory": analysis.theory, "fit": analysis.fit_verdict, "fit_detail": analysis.fit_detail,
        "fingerprint": analysis.fingerprint,
        "change": step.verdict if step else None,
        "change_detail": (f"vs {step.previous_env}: {step.detail}" if step else None),
        "seeded": cell.get("seeded"), "group": group,
    }


def _moments_text(sample: dict) -> str:
    """The moments in one line, for the cell's hover text."""
    parts = []
    for key in ("n", "mean", "std", "min", "max", "skewness", "excess_kurtosis"):
        value = finite(sample.get(key))
        parts.append(f"{key}={value:.4g}" if value is not None else f"{key}=—")
    return "moments: " + ", ".join(parts)


def _blank_cell(**fields) -> dict:
    """A matrix cell with every key the template reads."""
    base = {"css": "", "text": "", "measured": None, "fit": None, "change": None,
            "changed": False, "group": None, "title": "", "id": None}
    base.update(fields)
    return base


def _matrix_cell(cell: dict, analysis: CellAnalysis, step: Step | None, group: str | None,
                 identifier: str) -> dict:
    if cell["status"] != "ok":
        return _blank_cell(css=cell["status"], text=cell["status"], id=identifier,
                           title=f"{cell.get('error_type') or ''}: {one_line(cell.get('reason'), 300)}")
    initializer = cell.get("initializer") or {}
    config = json.dumps(initializer.get("config"), sort_keys=True)
    verdict = step.verdict if step else None
    return _blank_cell(**{
        "css": "ok" + (" inconsistent" if analysis.fit_verdict == "inconsistent" else ""),
        "text": initializer_label(initializer.get("class_name"), config),
        "measured": analysis.fingerprint,
        "fit": analysis.fit_verdict,
        "change": verdict,
        "changed": verdict in (change.CHANGED, change.RENAMED),
        "group": group or ("none (seeding failed)" if (cell.get("seeded") or {}).get("error") else None),
        "title": f"declared: {analysis.theory or 'unknown'}; measured: {analysis.fingerprint}; "
                 f"fit: {analysis.fit_verdict}; relevant config: {relevant_config(config)}; "
                 + _moments_text(cell.get("sample") or {}),
        "id": identifier,
    })


def build_matrix(measured: Measured) -> Matrix:
    """One row per weight that some version offers, one cell per environment, and the evidence."""
    envs, cells = measured.envs, measured.cells
    rows, evidence = [], {}
    for key in measured.row_keys:
        step_by_env = {s.env: s for s in measured.steps.get(key, [])}
        row_cells = []
        layer = next((cells[(key, e["name"])]["layer"] for e in envs if (key, e["name"]) in cells), key[2])
        for env in envs:
            cell = cells.get((key, env["name"]))
            if cell is None:
                row_cells.append(_blank_cell(
                    css="missing", text="—" if env["status"] == "ok" else env["status"],
                    title="not probed" if env["status"] == "ok" else env["reason"]))
                continue
            analysis = measured.analyses[(key, env["name"])]
            step = step_by_env.get(env["name"])
            identifier = cell_id(key, env["name"])
            group = measured.groups.get((key, env["name"]))
            evidence[identifier] = evidence_for(cell, env, analysis, step, group)
            row_cells.append(_matrix_cell(cell, analysis, step, group, identifier))
        if not any(cells.get((key, e["name"]), {}).get("status") in ("ok", "error") for e in envs):
            continue  # no measured version offers this layer in this API: nothing to show
        rows.append({"family": family_label(key[0], key[1]), "family_id": key[0], "layer": layer,
                     "kind": key[2], "role": key[3], "cells": row_cells,
                     "changed": any(c.get("changed") for c in row_cells)})
    return Matrix(envs=envs, rows=rows, evidence=evidence,
                  families=list(dict.fromkeys(r["family"] for r in rows)),
                  layers=list(dict.fromkeys(r["layer"] for r in rows)))
