"""The Timeline section: every version where an availability, a default, the drawn distribution,
the seeded stream or (from the throughput section) the speed changed. Pure."""

from __future__ import annotations

import json
from dataclasses import dataclass

from initcompat.report import change
from initcompat.report.analysis import Step
from initcompat.report.describe import cell_answer, initializer_label, one_line
from initcompat.report.frame import family_label
from initcompat.report.measured import Measured, Row, cell_id


@dataclass(frozen=True)
class Timeline:
    # [{"env", "label", "changes": [change], "groups": [changes grouped by kind and text]}],
    # in version order; changes.json carries the same list
    entries: list[dict]


def _row_events(previous_env: dict, previous_cell: dict, env: dict, cell: dict, step: Step | None,
                groups: dict, key: Row) -> list[tuple[str, str]]:
    """(kind, text) of every change of one row between two consecutive environments."""
    events = []
    if previous_cell["status"] != cell["status"]:
        after = cell_answer(cell, None) if cell["status"] != "ok" else "available"
        events.append(("availability", f"{previous_cell['status']} → {after}"))
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
        events.append((kind, f"{label_before} → {label_after}"))
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


def behaviour_changes(measured: Measured) -> dict[str, list[dict]]:
    """Environment name -> the changes of every row against the previous environment having it."""
    by_env: dict[str, list[dict]] = {}
    for key in measured.row_keys:
        previous = None
        step_by_env = {s.env: s for s in measured.steps.get(key, [])}
        for env in measured.envs:
            cell = measured.cells.get((key, env["name"]))
            if cell is None or env["status"] != "ok":
                continue
            if previous is not None:
                previous_env, previous_cell = previous
                label = family_label(key[0], key[1]) + f" {cell['layer']} {key[3]}"
                events = _row_events(previous_env, previous_cell, env, cell,
                                     step_by_env.get(env["name"]), measured.groups, key)
                for kind, text in events:
                    by_env.setdefault(env["name"], []).append(
                        {"row": label, "kind": kind, "text": text, "cell": cell_id(key, env["name"]),
                         "since": previous_env["label"]})
            previous = (env, cell)
    return by_env


def _grouped(changes: list[dict]) -> list[dict]:
    """The changes of one environment grouped by (kind, text): one line per kind of change."""
    groups: dict[tuple[str, str], dict] = {}
    for event in changes:
        group = groups.setdefault((event["kind"], event["text"]), {
            "kind": event["kind"], "text": event["text"], "since": event["since"], "rows": []})
        group["rows"].append({"row": event["row"], "cell": event["cell"]})
    return list(groups.values())


def build_timeline(measured: Measured, more_changes: dict[str, list[dict]]) -> Timeline:
    """The behaviour changes plus `more_changes` (environment name -> changes, e.g. throughput's
    flagged ones, appended after the behaviour changes), in version order."""
    by_env = behaviour_changes(measured)
    for name, changes in more_changes.items():
        by_env.setdefault(name, []).extend(changes)
    return Timeline(entries=[{"env": env["name"], "label": env["label"], "changes": by_env[env["name"]],
                              "groups": _grouped(by_env[env["name"]])}
                             for env in measured.envs if env["name"] in by_env])
