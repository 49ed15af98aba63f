"""The compatibility table, in the form readers know from caniuse and MDN's browser-compat-data:
one row per API family × layer × weight, one column per line of releases (TF 1.x, TF 2.x,
multi-backend Keras 2, Keras 3 on each backend), and in each cell the version bands that draw
the same thing, each naming its distribution once. A band ends where the measured behaviour
changes (the change tests between consecutive versions, analysis.change_steps), and the change
is a footnote. Pure.

A band's words come from the draws: the declared initializer where the draws fit it, what was
drawn (the fingerprint) where they do not (a finding), the error where the layer is unavailable.
Findings are listed once each across families, layers and lines.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from initcompat.report import change, fit
from initcompat.report.describe import declared_label, one_line
from initcompat.report.frame import family_label
from initcompat.report.measured import Measured, Row, cell_id
from initcompat.report.sections.conditional import conditional_availability
from initcompat.report.usage_notes import cell_usage_notes

# The layers the seed question asks about: their rows are shown open, the others in folds.
HEADLINE_KINDS = ("dense", "conv2d")
CONTINUES = (change.SAME, change.RENAMED)
NOT_OFFERED = "NotOffered"  # the probe's error_type for a family that has no such layer


@dataclass(frozen=True)
class Compat:
    columns: list[dict]  # {"id", "title", "envs": [names]}: the lines present, in page order
    families: list[dict]  # {"family", "headline": [row], "others": [row]}, API family order
    footnotes: list[dict]  # {"number", "text"}: what changed at a band's boundary
    findings: list[dict]  # {"text", "where", "count", "cell", "cause"}: one per distinct finding
    # {family label: [{"case", "target", "segments"}]}: what a family does in a case the cells do
    # not measure (TF_USE_LEGACY_KERAS=1 without tf_keras installed: answers.conditional_availability)
    conditional: dict
    counts: dict  # {"rows", "bands", "findings"}


def column_of(env: dict) -> tuple[str, str] | None:
    """(id, title) of the compatibility column an environment belongs to, None for a variant."""
    if env.get("variant_of") is not None or env.get("framework"):
        return None
    line = env.get("line", "tensorflow")
    if line == "tensorflow":
        major = str(env.get("tensorflow") or "").split(".")[0]
        return (f"tf{major}", f"TF {major}.x") if major in ("1", "2") else ("tf-other", "TF")
    backend = env.get("backend") or "?"
    keras_major = str(env.get("keras_requested") or env.get("keras") or "").split(".")[0]
    if keras_major == "2":
        return f"keras2-{backend}", f"Keras 2 (multi-backend) · {backend}"
    return f"keras{keras_major}-{backend}", f"Keras {keras_major} · {backend}"


def columns_of(measured: Measured) -> list[dict]:
    columns: dict[str, dict] = {}
    for env in measured.envs:
        place = column_of(env)
        if place is None:
            continue
        column = columns.setdefault(place[0], {"id": place[0], "title": place[1], "envs": []})
        column["envs"].append(env)
    return list(columns.values())


def short_label(env: dict) -> str:
    """The version as a band names it: '1.15', '3.4' (the column says which line)."""
    label = env["label"]
    return label.split(" ")[1] if label.startswith("Keras ") else label


def _span(envs: list[dict]) -> str:
    first, last = short_label(envs[0]), short_label(envs[-1])
    return first if first == last else f"{first}–{last}"


def _unavailable_text(cell: dict) -> str:
    error = cell.get("error_type") or ("error" if cell["status"] == "error" else "unavailable")
    return f"raises {error}" if cell["status"] == "unavailable" else f"probe error ({error})"


def _band_text(run: list[tuple[dict, dict]], measured: Measured, key: Row) -> tuple[str, str]:
    """(words, status) for one band: status ok, finding, unchecked, unavailable or error."""
    cell = run[-1][1]
    if cell["status"] != "ok":
        return _unavailable_text(cell), cell["status"]
    analyses = [measured.analyses.get((key, env["name"])) for env, _ in run]
    verdicts = {a.fit_verdict for a in analyses if a}
    analysis = analyses[-1]
    declared = declared_label(cell)
    if analysis and analysis.theory_family == "discrete":  # layer_theory: the LSTM's forget gate
        declared += " + forget-gate ones"
    if fit.VERDICT_INCONSISTENT in verdicts:
        drawn = analysis.fingerprint if analysis and analysis.fingerprint else "something else"
        return f"{drawn} (declares {declared})", "finding"
    if analysis and analysis.theory and fit.VERDICT_CONSISTENT in verdicts:
        return declared, "ok"
    drawn = analysis.fingerprint if analysis and analysis.fingerprint else "unknown values"
    return f"{declared} (drawn: {drawn}; not modelled)", "unchecked"


def _joins(previous: tuple[dict, dict], current: tuple[dict, dict], steps: dict) -> bool:
    before, cell = previous[1], current[1]
    if before["status"] != cell["status"]:
        return False
    if cell["status"] != "ok":
        return before.get("error_type") == cell.get("error_type")
    step = steps.get(current[0]["name"])
    return step is not None and step.verdict in CONTINUES


def _boundary_note(before: dict, after: dict, env: dict, step) -> str:
    """The footnote for the change at the start of a band: what the version changed."""
    where = f"{env['column_label']}"
    if after["status"] != "ok" and before["status"] == "ok":
        return f"{where}: removed — {after.get('error_type') or 'error'}: " \
               f"{one_line(after.get('reason'), 140)}"
    if after["status"] == "ok" and before["status"] != "ok":
        return f"{where}: available again"
    if after["status"] != "ok":
        return f"{where}: now {after.get('error_type') or after['status']}: " \
               f"{one_line(after.get('reason'), 140)}"
    if step is not None and step.shape_changed:
        return f"{where}: weight shape {list(step.shape_before)} → {list(step.shape_after)}"
    if step is not None and step.detail:
        return f"{where}: {one_line(step.detail, 200)}"
    return f"{where}: the drawn distribution changed"


def _bands(measured: Measured, key: Row, column: dict, notes: dict[str, int]) -> list[dict]:
    present = [(env, measured.cells[(key, env["name"])]) for env in column["envs"]
               if (key, env["name"]) in measured.cells]
    if not present or all(c.get("error_type") == NOT_OFFERED for _, c in present):
        return []
    steps = {s.env: s for s in measured.steps.get(key, [])}
    runs: list[list[tuple[dict, dict]]] = []
    for pair in present:
        if runs and _joins(runs[-1][-1], pair, steps):
            runs[-1].append(pair)
        else:
            runs.append([pair])
    bands = []
    for index, run in enumerate(runs):
        text, status = _band_text(run, measured, key)
        if status != "ok" and run[-1][1].get("error_type") == NOT_OFFERED:
            text, status = "not offered", "na"
        usage = list(dict.fromkeys(
            note.text for env, cell in run
            for note in cell_usage_notes(cell, env.get("tensorflow"), env.get("keras"))))
        band = {"range": _span([env for env, _ in run]), "text": text, "status": status,
                "cell": cell_id(key, run[-1][0]["name"]), "note": None,
                "usage": [notes.setdefault(f"Holds only under this usage: {u}", len(notes) + 1)
                          for u in usage], "usage_text": usage}
        env, cell = run[0]
        step = steps.get(env["name"])
        if index:
            note = _boundary_note(runs[index - 1][-1][1], cell, env, step)
            band["note"] = notes.setdefault(note, len(notes) + 1)
        elif step is not None and cell["status"] == "ok" and step.verdict == change.CHANGED:
            # the line's previous version sits in the column before (TF 1.15 for TF 2.0)
            before = measured.cells.get((key, step.previous_env)) or {"status": "ok"}
            note = _boundary_note(before, cell, env, step)
            band["note"] = notes.setdefault(f"{note} (against {step.previous_env})",
                                            len(notes) + 1)
        bands.append(band)
    return bands


def _finding_key(text: str) -> str:
    """Findings that say the same thing with other numbers (the bound of another shape) are one."""
    return re.sub(r"[-+]?\d[\d.e+-]*", "#", text)


def build_compat(measured: Measured) -> Compat:
    """Every row's bands per column, the boundary footnotes and the distinct findings."""
    columns = columns_of(measured)
    notes: dict[str, int] = {}
    families: dict[tuple, dict] = {}
    findings: dict[str, dict] = {}
    band_count = 0
    for key in measured.row_keys:
        family = family_label(key[0], key[1])
        cells = [_bands(measured, key, column, notes) for column in columns]
        if not any(cells):
            continue
        layer = next((measured.cells[(key, env["name"])].get("layer") for column in columns
                      for env in column["envs"] if (key, env["name"]) in measured.cells), key[2])
        row = {"key": cell_id(key, ""), "family": family, "layer": layer or key[2],
               "kind": key[2], "role": key[3], "cells": cells}
        band_count += sum(len(c) for c in cells)
        group = families.setdefault((key[0], key[1]), {"family": family, "headline": [],
                                                       "others": []})
        group["headline" if key[2] in HEADLINE_KINDS else "others"].append(row)
        for column, bands in zip(columns, cells):
            for band in bands:
                if band["status"] != "finding":
                    continue
                where = f"{family} {row['layer']} {key[3]} ({column['title']} {band['range']})"
                entry = findings.setdefault(_finding_key(band["text"]) + key[3],
                                            {"text": band["text"], "where": [], "cell": band["cell"],
                                             "cause": " ".join(band["usage_text"]) or None})
                entry["where"].append(where)
    footnotes = [{"number": number, "text": text} for text, number in notes.items()]
    conditional = {}
    for (api_family, legacy), lines in conditional_availability(measured).items():
        place = (api_family, legacy)
        if place not in families and (api_family, not legacy) in families:
            place = (api_family, not legacy)  # tf.keras has no legacy rows: its lines go there
        conditional.setdefault(family_label(*place), []).extend(lines)
    finding_list = [{"text": f["text"], "where": "; ".join(f["where"][:6]) + (
        f"; and {len(f['where']) - 6} more" if len(f["where"]) > 6 else ""),
        "count": len(f["where"]), "cell": f["cell"], "cause": f["cause"]}
        for f in findings.values()]
    return Compat(columns=[{"id": c["id"], "title": c["title"],
                            "span": _span(c["envs"])} for c in columns],
                  families=list(families.values()), footnotes=footnotes, findings=finding_list,
                  conditional=conditional,
                  counts={"rows": sum(len(g["headline"]) + len(g["others"])
                                      for g in families.values()),
                          "bands": band_count, "findings": len(finding_list)})
