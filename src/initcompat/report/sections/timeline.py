"""The Timeline section: behaviour changes only, one group per (version, API family, kind).

An event compares one weight of one environment with the environment it follows: the previous
primary version that has the weight, or for a variant its primary. Kinds, in page order:
availability (per family, or per layer within a family that stays available), shape, layer
default (a layer setting that differs where its weight changed), distribution (the two-sample
tests), seeding (seeding that starts or stops working or repeating), seeded stream (the same
seed gives other bytes, only where both sides were reproducible), the throughput section's
regression and speed-up, and renamed (class or module only; folded, never a change). Variants'
events are kept for the upgrade view but are never steps of the timeline. Pure.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from initcompat.report import change
from initcompat.report.analysis import Step, reproducible
from initcompat.report.describe import cell_answer, initializer_label, one_line
from initcompat.report.frame import family_label
from initcompat.report.measured import Measured, Row, cell_id

KINDS = ("availability", "shape", "layer default", "distribution", "seeding", "seeded stream",
         "regression", "speed-up", "renamed")
NOT_A_CHANGE = ("renamed",)
# What a group says when its weights' own texts differ.
GENERIC = {"availability": "availability changed", "shape": "weight shapes changed",
           "layer default": "layer settings changed", "distribution": "drawn distribution changed",
           "seeding": "seeding changed", "seeded stream": "the same seed gives other weights",
           "regression": "initialization slower", "speed-up": "initialization faster"}


@dataclass(frozen=True)
class Timeline:
    # [{"env", "label", "since", "count", "groups": [group]}] per primary version with events;
    # a group: {"env", "version", "family", "kind", "text", "rows": [{"row", "cell", "text"}]}
    entries: list[dict]
    events: list[dict]  # every event, variants' included: {"env", "since", "kind", "family",
    #                     "layer", "weight", "row", "text", "cell"}
    summary: list[dict]  # every group of every entry, for changes.json


def _label(initializer: dict) -> str:
    return initializer_label(initializer.get("class_name"),
                             json.dumps(initializer.get("config"), sort_keys=True))


def _settings_changed(before: dict, after: dict) -> list[str]:
    """'reset_after False → True' for every layer setting present on both sides that differs."""
    old, new = before.get("layer_config") or {}, after.get("layer_config") or {}
    return [f"{key} {old[key]} → {new[key]}" for key in sorted(set(old) & set(new))
            if old[key] != new[key] and key != "get_config_error"]


def weight_events(before: dict, after: dict, step: Step | None, fingerprints: tuple,
                  groups: tuple) -> list[tuple[str, str]]:
    """(kind, text) of every behaviour change of one weight between two environments."""
    if before["status"] != "ok" or after["status"] != "ok":
        return []  # availability is decided per family (family_availability_events)
    events = []
    if step is not None and step.shape_changed:
        events.append(("shape", f"shape {list(step.shape_before)} → {list(step.shape_after)}"))
    distribution_changed = step is not None and step.distribution_verdict == change.CHANGED
    if distribution_changed:
        declared = (_label(before.get("initializer") or {}), _label(after.get("initializer") or {}))
        text = f"drawn {fingerprints[0] or '?'} → {fingerprints[1] or '?'}"
        if declared[0] != declared[1]:
            text += f" (declared {declared[0]} → {declared[1]})"
        events.append(("distribution", text))
    if (step is not None and step.shape_changed) or distribution_changed:
        for setting in _settings_changed(before, after):
            events.append(("layer default", setting))
    identity = [((c.get("initializer") or {}).get("module"), (c.get("initializer") or {}).get("class_name"))
                for c in (before, after)]
    if identity[0] != identity[1] and not distribution_changed and not (step and step.shape_changed):
        events.append(("renamed", f"{identity[0][0]}.{identity[0][1]} → {identity[1][0]}.{identity[1][1]}"))
    errors = [(c.get("seeded") or {}).get("error") for c in (before, after)]
    if bool(errors[0]) != bool(errors[1]):
        events.append(("seeding", f"seeding fails: {one_line(errors[1], 160)}" if errors[1]
                       else "seeding works again"))
    elif not errors[1]:
        repeats = [reproducible(c) for c in (before, after)]
        if repeats[0] != repeats[1]:
            events.append(("seeding", "the same seed gives the same weights again" if repeats[1]
                           else "the same seed no longer gives the same weights"))
        elif all(repeats) and groups[0] != groups[1]:
            events.append(("seeded stream", f"the same seed gives other weights "
                                            f"(seed group {groups[0]} → {groups[1]})"))
    return events


def _family_status(cells: list[dict]) -> tuple[str, str]:
    """('available', '') or ('unavailable'/'error', why) of a whole family in one environment."""
    if any(c["status"] == "ok" for c in cells):
        return "available", ""
    reachable = [c for c in cells if c.get("error_type") != "NotOffered"] or cells
    return reachable[0]["status"], cell_answer(reachable[0], None)


def _event(env: str, since: str, kind: str, key: Row, cell: dict | None, text: str) -> dict:
    family = family_label(key[0], key[1])
    layer = cell["layer"] if cell else key[2]
    return {"env": env, "since": since, "kind": kind, "family": family, "layer": layer,
            "weight": key[3], "row": f"{family} {layer} {key[3]}", "text": text,
            "cell": cell_id(key, env)}


def behaviour_events(measured: Measured) -> list[dict]:
    """Every behaviour event of the measured environments, in environment then row order."""
    steps_by_env: dict[str, dict[Row, Step]] = {}
    for key, steps in measured.steps.items():
        for step in steps:
            steps_by_env.setdefault(step.env, {})[key] = step
    env_index = {env["name"]: index for index, env in enumerate(measured.envs)}
    events = []
    families = list(dict.fromkeys((k[0], k[1]) for k in measured.row_keys))
    for env in measured.envs:
        steps = steps_by_env.get(env["name"], {})
        if not steps:
            continue
        since_names = {step.previous_env for step in steps.values()}
        for family in families:
            keys = [k for k in measured.row_keys if (k[0], k[1]) == family]
            for since in sorted(since_names, key=env_index.get):
                pairs = [(k, measured.cells[(k, since)], measured.cells[(k, env["name"])])
                         for k in keys if k in steps and steps[k].previous_env == since
                         and (k, since) in measured.cells and (k, env["name"]) in measured.cells]
                if not pairs:
                    continue
                old = _family_status([before for _, before, _ in pairs])
                new = _family_status([after for _, _, after in pairs])
                if old[0] != new[0]:
                    text = f"{old[0]} → {new[1] or new[0]}"
                    events.append(dict(_event(env["name"], since, "availability", keys[0], None, text),
                                       layer="", weight="", row=family_label(*family)))
                    continue
                for key, cell_before, cell_after in pairs:
                    if old[0] == "available" and cell_before["status"] != cell_after["status"]:
                        text = ("now offered" if cell_after["status"] == "ok"
                                else cell_answer(cell_after, None))
                        events.append(_event(env["name"], since, "availability", key, cell_after, text))
                        continue
                    analyses = (measured.analyses.get((key, since)),
                                measured.analyses.get((key, env["name"])))
                    fingerprints = tuple(a.fingerprint if a else None for a in analyses)
                    groups = (measured.groups.get((key, since)), measured.groups.get((key, env["name"])))
                    for kind, text in weight_events(cell_before, cell_after, steps[key], fingerprints,
                                                    groups):
                        events.append(_event(env["name"], since, kind, key, cell_after, text))
    return events


def _group_text(kind: str, events: list[dict]) -> str:
    """One line for a group of events of one kind: their text when they share it."""
    texts = list(dict.fromkeys(e["text"] for e in events))
    if kind == "renamed":
        return (f"{len(events)} internal rename{'s' if len(events) != 1 else ''}, "
                "same distribution")
    if kind == "seeded stream":
        return GENERIC[kind]
    if len(texts) == 1:
        return texts[0]
    if kind == "layer default" and len(texts) <= 4:
        return "; ".join(texts)
    return GENERIC.get(kind, kind)


def grouped(events: list[dict], label_of: dict[str, str]) -> list[dict]:
    """Events grouped per (environment, family, kind), kinds in KINDS order."""
    groups: dict[tuple, dict] = {}
    for event in events:
        group = groups.setdefault((event["env"], event["family"], event["kind"]), {
            "env": event["env"], "version": label_of.get(event["env"], event["env"]),
            "since": label_of.get(event["since"], event["since"]), "family": event["family"],
            "kind": event["kind"], "rows": [], "events": []})
        group["events"].append(event)
        group["rows"].append({"row": event["row"], "cell": event["cell"], "text": event["text"]})
    ordered = sorted(groups.values(), key=lambda g: KINDS.index(g["kind"]) if g["kind"] in KINDS
                     else len(KINDS))
    for group in ordered:
        group["text"] = _group_text(group["kind"], group.pop("events"))
    return ordered


def _throughput_events(measured: Measured, more_changes: dict[str, list[dict]]) -> list[dict]:
    """The throughput section's flagged changes as events (it compares the previous measured env)."""
    by_label = {env["label"]: env["name"] for env in measured.envs if env["variant_of"] is None}
    events = []
    for name, changes in more_changes.items():
        for item in changes:
            layer, size = (item["row"].split("/")[1:3] + ["", ""])[:2]
            events.append({"env": name, "since": by_label.get(item.get("since"), item.get("since")),
                           "kind": item["kind"], "family": item["row"].split("/")[0],
                           "layer": layer, "weight": size, "row": item["row"],
                           "text": item["text"], "cell": item["cell"]})
    return events


def build_timeline(measured: Measured, more_changes: dict[str, list[dict]]) -> Timeline:
    """The behaviour events plus `more_changes` (environment name -> the throughput section's
    flagged changes), grouped per primary version in version order."""
    events = behaviour_events(measured) + _throughput_events(measured, more_changes)
    label_of = {env["name"]: env["column_label"].removeprefix("TF ") for env in measured.envs}
    entries, summary = [], []
    for env in measured.envs:
        if env["variant_of"] is not None:
            continue
        mine = [e for e in events if e["env"] == env["name"]]
        if not mine:
            continue
        groups = grouped(mine, label_of)
        summary.extend({k: g[k] for k in ("version", "family", "kind", "text", "rows")}
                       for g in groups)
        entries.append({"env": env["name"], "label": env["label"],
                        "since": groups[0]["since"], "groups": groups,
                        "count": sum(1 for g in groups if g["kind"] not in NOT_A_CHANGE)})
    return Timeline(entries=entries, events=events, summary=summary)
