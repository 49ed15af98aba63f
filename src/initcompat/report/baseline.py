"""Comparing a run with a saved one, per environment and cell, for CI gating."""

from __future__ import annotations

import json

from initcompat.report import change
from initcompat.report.analysis import row_key
from initcompat.report.frame import family_label


def _behaviour(cell: dict) -> dict:
    initializer = cell.get("initializer") or {}
    return {
        "status": cell.get("status"),
        "initializer": (initializer.get("class_name"), initializer.get("module"),
                        json.dumps(initializer.get("config"), sort_keys=True)),
        "seeded": (cell.get("seeded") or {}).get("sha256"),
    }


def new_differences(baseline: tuple[dict, ...], current: tuple[dict, ...]) -> list[str]:
    """One line per behaviour that differs from the baseline, for environments in both."""
    base_cells = {(r["env"]["name"], row_key(c)): c for r in baseline for c in r["cells"]}
    base_status = {r["env"]["name"]: r["status"] for r in baseline}
    lines, pending = [], []
    for result in current:
        name = result["env"]["name"]
        if name not in base_status:
            continue
        if result["status"] != base_status[name]:
            lines.append(f"{name}: environment {base_status[name]} -> {result['status']}")
        for cell in result["cells"]:
            key = row_key(cell)
            old = base_cells.get((name, key))
            if old is None:
                continue
            where = f"{name} {family_label(key[0], key[1])} {cell['layer']} {key[3]}"
            before, after = _behaviour(old), _behaviour(cell)
            for aspect in ("status", "initializer", "seeded"):
                if before[aspect] != after[aspect]:
                    lines.append(f"{where}: {aspect} {before[aspect]} -> {after[aspect]}")
            pending.append((where, change.compare_samples(old.get("sample"), cell.get("sample"))))
    verdicts = change.classify_changes([test for _, test in pending])
    for (where, test), verdict in zip(pending, verdicts):
        if verdict == change.CHANGED:
            lines.append(f"{where}: drawn distribution changed ({test.detail})")
    return lines
