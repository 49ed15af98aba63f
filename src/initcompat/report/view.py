"""The view model of a report: answers, timeline, matrix and evidence, as plain data for templates.

Pure: ordered results and their analysis in, dicts and lists out (no HTML here).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import numpy as np

from initcompat.probe.schema import API_FAMILIES
from initcompat.report import change
from initcompat.report.analysis import (CellAnalysis, Step, analyse_cell, change_steps,
                                        finite, reproducibility_groups, row_key)
from initcompat.report.describe import (initializer_label, one_line, relevant_config,
                                        short_version, version_range)
from initcompat.report.frame import family_label

MOMENT_KEYS = ("n", "mean", "std", "min", "max", "skewness", "excess_kurtosis", "se_mean",
               "se_std", "se_skewness", "se_excess_kurtosis", "builds")


@dataclass
class View:
    envs: list[dict]
    answers: list[dict]  # [{"family": label, "items": [answer, ...]}] in family order
    timeline: list[dict]
    rows: list[dict]
    evidence: dict[str, dict]
    rejected: list[str]
    failures: list[dict]
    families: list[str]
    layers: list[str]
    extra: dict = field(default_factory=dict)


def cell_id(key: tuple, env: str) -> str:
    family, legacy, kind, role = key
    return "c-" + "-".join(str(p) for p in (family, "legacy" if legacy else "default", kind, role, env))


def env_summary(result: dict) -> dict:
    """What the report says about one environment (column header and environment table)."""
    installed = (result.get("installed") or {}).get("packages") or {}
    devices = result.get("devices") or {}
    gpu = devices.get("gpu")
    install = result.get("install") or {}
    return {
        "name": result["env"]["name"],
        "tensorflow": result["env"]["tensorflow"],
        "label": short_version(result["env"]["tensorflow"]),
        "python": (result.get("platform") or {}).get("python") or result["env"]["python"],
        "status": result["status"],
        "reason": one_line(result.get("reason"), 300) if result.get("reason") else "",
        "log_tail": str(result.get("log_tail") or "")[-3000:],
        "keras": installed.get("keras"), "tf_keras": installed.get("tf-keras"),
        "numpy": installed.get("numpy"), "protobuf": installed.get("protobuf"),
        "gpu": ("no GPU" if gpu in (None, "none found") else
                ", ".join(gpu) if isinstance(gpu, list) else str(gpu)),
        "resolution": install.get("resolution") or result["env"].get("resolution"),
        "exclude_newer": install.get("exclude_newer"),
        "pins": install.get("pins") or [],
        "source": result.get("_source"),
        "cpu": (result.get("platform") or {}).get("cpu_model"),
    }


def cell_answer(cell: dict | None, analysis: CellAnalysis | None, legacy: bool = False) -> str:
    """The sentence fragment a user wants for one cell: what runs, or why nothing can."""
    if cell is None:
        return "not probed (no tf_keras installed)" if legacy else "not probed"
    if cell["status"] != "ok":
        kind = "unavailable" if cell["status"] == "unavailable" else "error"
        detail = f"{cell.get('error_type') or ''}: {one_line(cell.get('reason'), 120)}".strip(": ")
        return f"{kind} ({detail})" if detail else kind
    initializer = cell.get("initializer") or {}
    config = json.dumps(initializer.get("config"), sort_keys=True) \
        if initializer.get("config") is not None else None
    label = initializer_label(initializer.get("class_name"), config)
    if analysis and analysis.theory:
        label += f" — {analysis.theory}"
    return label


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


# The layers the original question asks about; every other layer's answer is one click away.
HEADLINE_KINDS = ("dense", "conv2d")


def _ranges(values: list[tuple[str, str, str]]) -> list[dict]:
    """[(version label, text, status)] -> consecutive runs of the same text, as ranges."""
    segments: list[dict] = []
    for label, text, status in values:
        if segments and segments[-1]["text"] == text:
            segments[-1]["versions"].append(label)
        else:
            segments.append({"text": text, "versions": [label], "status": status})
    for segment in segments:
        segment["range"] = version_range(segment["versions"])
    return segments


def _family_availability(keys: list[tuple], env: dict, cells: dict, legacy: bool) -> tuple[str, str]:
    """(text, status) of a whole API family in one environment."""
    present = [cells[(k, env["name"])] for k in keys if (k, env["name"]) in cells]
    if not present:
        return ("not probed (no tf_keras installed)" if legacy else "not probed"), "missing"
    if any(c["status"] == "ok" for c in present):
        return "available", "ok"
    reachable = [c for c in present if c.get("error_type") != "NotOffered"] or present
    return cell_answer(reachable[0], None), reachable[0]["status"]


def build_answers(row_keys: list[tuple], envs: list[dict], cells: dict, analyses: dict) -> list[dict]:
    """Per API family: where it is available, then per layer and weight what initializes it,
    as version ranges over the versions where the family is available."""
    ok_envs = [e for e in envs if e["status"] == "ok"]
    answers = []
    for family in dict.fromkeys((k[0], k[1]) for k in row_keys):
        keys = [k for k in row_keys if (k[0], k[1]) == family]
        availability = []
        available = set()
        for env in ok_envs:
            text, status = _family_availability(keys, env, cells, family[1])
            availability.append((env["label"], text, status))
            if status == "ok":
                available.add(env["name"])
        items = []
        for key in keys:
            values, offered, layer = [], False, None
            for env in ok_envs:
                if env["name"] not in available:
                    continue
                cell = cells.get((key, env["name"]))
                layer = layer or (cell["layer"] if cell else None)
                offered = offered or bool(cell and cell.get("error_type") != "NotOffered")
                values.append((env["label"], cell_answer(cell, analyses.get((key, env["name"])),
                                                         legacy=key[1]),
                               cell["status"] if cell else "missing"))
            if values and offered:
                items.append({"key": key, "layer": layer or key[2], "role": key[3],
                              "headline": key[2] in HEADLINE_KINDS, "segments": _ranges(values)})
        answers.append({"family": family_label(*family), "availability": _ranges(availability),
                        "items": items})
    return answers


def _describe_change(kind: str, before: str, after: str) -> str:
    return f"{before} → {after}"


def build_timeline(row_keys: list[tuple], envs: list[dict], cells: dict, analyses: dict,
                   steps: dict, groups: dict) -> list[dict]:
    """Every environment where some row's availability, default, distribution or seeding changed."""
    by_env: dict[str, list[dict]] = {}
    for key in row_keys:
        previous = None
        step_by_env = {s.env: s for s in steps.get(key, [])}
        for env in envs:
            cell = cells.get((key, env["name"]))
            if cell is None or env["status"] != "ok":
                continue
            if previous is not None:
                previous_env, previous_cell = previous
                label = family_label(key[0], key[1]) + f" {cell['layer']} {key[3]}"
                events = _row_events(previous_env, previous_cell, env, cell, step_by_env.get(env["name"]),
                                     groups, key, analyses)
                for kind, text in events:
                    by_env.setdefault(env["name"], []).append(
                        {"row": label, "kind": kind, "text": text, "cell": cell_id(key, env["name"]),
                         "since": previous_env["label"]})
            previous = (env, cell)
    return with_groups([{"env": env["name"], "label": env["label"], "changes": by_env[env["name"]]}
                        for env in envs if env["name"] in by_env])


def with_groups(timeline: list[dict]) -> list[dict]:
    """Each timeline entry plus its changes grouped by (kind, text): one line per kind of change."""
    grouped = []
    for entry in timeline:
        groups: dict[tuple[str, str], dict] = {}
        for change_event in entry["changes"]:
            group = groups.setdefault((change_event["kind"], change_event["text"]), {
                "kind": change_event["kind"], "text": change_event["text"],
                "since": change_event["since"], "rows": []})
            group["rows"].append({"row": change_event["row"], "cell": change_event["cell"]})
        grouped.append(dict(entry, groups=list(groups.values())))
    return grouped


def _row_events(previous_env: dict, previous_cell: dict, env: dict, cell: dict, step: Step | None,
                groups: dict, key: tuple, analyses: dict) -> list[tuple[str, str]]:
    events = []
    if previous_cell["status"] != cell["status"]:
        events.append(("availability", _describe_change(
            "availability", previous_cell["status"], cell_answer(cell, None) if cell["status"] != "ok"
            else "available")))
        return events
    if cell["status"] != "ok":
        return events
    before = (previous_cell.get("initializer") or {})
    after = (cell.get("initializer") or {})
    label_before = initializer_label(before.get("class_name"), json.dumps(before.get("config"), sort_keys=True))
    label_after = initializer_label(after.get("class_name"), json.dumps(after.get("config"), sort_keys=True))
    verdict = step.verdict if step else change.NOT_COMPARABLE
    if verdict == change.CHANGED:
        events.append(("distribution", f"drawn distribution changed ({step.detail})"))
    if label_before != label_after:
        kind = "default" if verdict == change.CHANGED else "renamed"
        events.append((kind, _describe_change(kind, label_before, label_after)))
    elif (before.get("module"), before.get("class_name")) != (after.get("module"), after.get("class_name")):
        events.append(("renamed", f"moved: {before.get('module')}.{before.get('class_name')} → "
                                  f"{after.get('module')}.{after.get('class_name')}"))
    error_before = (previous_cell.get("seeded") or {}).get("error")
    error_after = (cell.get("seeded") or {}).get("error")
    if bool(error_before) != bool(error_after):
        events.append(("reproducibility", f"seeding fails: {one_line(error_after, 160)}" if error_after
                       else "seeding works again"))
    group_before = groups.get((key, previous_env["name"]))
    group_after = groups.get((key, env["name"]))
    if group_before and group_after and group_before != group_after:
        events.append(("reproducibility", f"seeded weights differ (group {group_before} → {group_after})"))
    return events


def build_view(ordered_results: list[dict], rejected: list[str]) -> View:
    """Everything the templates show, from results already in version order."""
    envs = [env_summary(r) for r in ordered_results]
    cells: dict[tuple, dict] = {}
    analyses: dict[tuple, CellAnalysis] = {}
    keys: dict[tuple, None] = {}
    for result in ordered_results:
        for cell in result["cells"]:
            key = row_key(cell)
            keys.setdefault(key, None)
            cells[(key, result["env"]["name"])] = cell
            analyses[(key, result["env"]["name"])] = analyse_cell(cell, result["env"]["tensorflow"])
    family_rank = {name: i for i, name in enumerate(API_FAMILIES)}
    kinds = list(dict.fromkeys(k[2] for k in keys))
    role_order = list(dict.fromkeys(k[3] for k in keys))
    row_keys = sorted(keys, key=lambda k: (family_rank.get(k[0], 99), k[1], kinds.index(k[2]),
                                           role_order.index(k[3])))
    steps = change_steps(ordered_results)
    groups = reproducibility_groups(ordered_results)
    env_by_name = {e["name"]: e for e in envs}
    rows, evidence = [], {}
    for key in row_keys:
        step_by_env = {s.env: s for s in steps.get(key, [])}
        row_cells = []
        layer = next((cells[(key, e["name"])]["layer"] for e in envs if (key, e["name"]) in cells), key[2])
        for env in envs:
            cell = cells.get((key, env["name"]))
            analysis = analyses.get((key, env["name"]))
            step = step_by_env.get(env["name"])
            if cell is None:
                row_cells.append(_blank_cell(
                    css="missing", text="—" if env["status"] == "ok" else env["status"],
                    title="not probed" if env["status"] == "ok" else env["reason"]))
                continue
            identifier = cell_id(key, env["name"])
            group = groups.get((key, env["name"]))
            evidence[identifier] = evidence_for(cell, env_by_name[env["name"]], analysis, step, group)
            row_cells.append(_matrix_cell(cell, analysis, step, group, identifier))
        if not any(cells.get((key, e["name"]), {}).get("status") in ("ok", "error") for e in envs):
            continue  # no measured version offers this layer in this API: nothing to show
        rows.append({"family": family_label(key[0], key[1]), "family_id": key[0], "layer": layer,
                     "kind": key[2], "role": key[3], "cells": row_cells,
                     "changed": any(c.get("changed") for c in row_cells)})
    failures = [e for e in envs if e["status"] != "ok"]
    return View(envs=envs, answers=build_answers(row_keys, envs, cells, analyses),
                timeline=build_timeline(row_keys, envs, cells, analyses, steps, groups),
                rows=rows, evidence=evidence, rejected=rejected, failures=failures,
                families=list(dict.fromkeys(r["family"] for r in rows)),
                layers=list(dict.fromkeys(r["layer"] for r in rows)))


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
