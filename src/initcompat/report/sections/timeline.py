"""The Timeline section: per version, the verdict of its step (report/verdict.py), and the events.

The page shows one line per version with the counts of its verdict (default distributions,
seeding, removed APIs, shapes, added APIs, other behaviour; throughput apart), opening on that
step's verdict as the upgrade view shows it; versions with throughput, harness notes or renames
only are one line at the end. Events carry what keeps the old behaviour where the measurements
say (report/keep_old.py). changes.json keeps the groups, one per (version, API family, kind).

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

from dataclasses import dataclass

from initcompat.report import change, verdict
from initcompat.report.analysis import Step, comparison_pairs, reproducible, row_key
from initcompat.report.causes import Causes
from initcompat.report.describe import cell_answer, declared_label, family_status, one_line
from initcompat.report.frame import family_label
from initcompat.report.keep_old import annotate
from initcompat.report.measured import Measured, Row, cell_id

KINDS = ("availability", "shape", "layer default", "distribution", "seeding", "seeded stream",
         "initializer", "propagation", "regression", "speed-up", "renamed")
NOT_A_CHANGE = ("renamed",)
# Layer settings that change what a weight draws or its shape; other settings that differ
# (an activation, an implementation choice) are not weight behaviour and stay in the evidence.
WEIGHT_SETTINGS = ("reset_after", "unit_forget_bias", "use_bias", "center", "scale",
                   "depth_multiplier", "units", "filters", "kernel_size", "input_dim",
                   "output_dim", "axis")
# What a group says when its weights' own texts differ.
GENERIC = {"availability": "availability changed", "shape": "weight shapes changed",
           "layer default": "layer settings changed", "distribution": "drawn distribution changed",
           "seeding": "seeding changed", "seeded stream": "the same seed gives other weights",
           "initializer": "initializers changed",
           "propagation": "whether a loss turns NaN changed",
           "regression": "initialization slower", "speed-up": "initialization faster"}


@dataclass(frozen=True)
class Timeline:
    # [{"env", "label", "heading", "since", "count", "groups": [group], "changes", "outline",
    # "throughput", "not_counted", "sentence"}] per primary version with events; a group:
    # {"env", "version", "family", "kind", "text", "rows": [{"row", "cell", "text"}]}; changes,
    # outline (its counts in one line), throughput, not_counted, sentence: from its verdict
    entries: list[dict]
    events: list[dict]  # every event, variants' included: {"env", "since", "kind", "family",
    #                     "layer", "weight", "row", "text", "cell"}, and where the measurements
    #                     support them "keep", "settings", "of" (keep_old.annotate)
    summary: list[dict]  # every group of every entry, for changes.json
    verdicts: dict[str, dict]  # environment name -> its step's verdict (verdict.summarize)


def _settings_changed(before: dict, after: dict) -> list[str]:
    """'reset_after False → True' for every weight setting present on both sides that differs."""
    old, new = before.get("layer_config") or {}, after.get("layer_config") or {}
    return [f"{key} {old[key]} → {new[key]}" for key in WEIGHT_SETTINGS
            if key in old and key in new and old[key] != new[key]]


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
        declared = (declared_label(before), declared_label(after))
        text = f"drawn {fingerprints[0] or '?'} → {fingerprints[1] or '?'}"
        if declared[0] != declared[1]:
            text += f" (declared {declared[0]} → {declared[1]})"
        events.append(("distribution", text))
    if (step is not None and step.shape_changed) or distribution_changed:
        for setting in _settings_changed(before, after):
            events.append(("layer default", setting))
    identity = [((c.get("initializer") or {}).get("module"), (c.get("initializer") or {}).get("class_name"))
                for c in (before, after)]
    renamed = step is not None and not step.shape_changed and \
        step.distribution_verdict in (change.SAME, change.RENAMED)
    if identity[0] != identity[1] and renamed:
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
                old = family_status([before for _, before, _ in pairs])
                new = family_status([after for _, _, after in pairs])
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


def probed_families_events(measured: Measured) -> list[dict]:
    """A family measured on one side of a comparison only: 'now probed' or 'no longer probed'
    (the tf_keras families appear with tf-keras installed from 2.16 on)."""
    variant_of = {env["name"]: env["variant_of"] for env in measured.envs}
    events = []
    for before, after, _ in comparison_pairs(measured.results, variant_of):
        families = [{(row_key(c)[0], row_key(c)[1]): None for c in r["cells"]} for r in (before, after)]
        for family in list(families[1]) + [f for f in families[0] if f not in families[1]]:
            if (family in families[0]) == (family in families[1]):
                continue
            appeared = family in families[1]
            side = after if appeared else before
            cells = [c for c in side["cells"] if (row_key(c)[0], row_key(c)[1]) == family]
            status = family_status(cells)
            text = (f"now probed: {status[1] or status[0]}" if appeared
                    else "no longer probed (the environment has no such family)")
            key = row_key(cells[0])
            event = _event(after["env"]["name"], before["env"]["name"], "availability", key, None, text)
            events.append(dict(event, layer="", weight="", row=family_label(*family)))
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
    """Events grouped per (environment, family, kind), kinds in KINDS order; renames of every
    family of an environment fold into one group."""
    groups: dict[tuple, dict] = {}
    for event in events:
        family = "" if event["kind"] in NOT_A_CHANGE else event["family"]
        group = groups.setdefault((event["env"], family, event["kind"]), {
            "env": event["env"], "version": label_of.get(event["env"], event["env"]),
            "since": label_of.get(event["since"], event["since"]), "family": family,
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
            since = item.get("since_env") or by_label.get(item.get("since"), item.get("since"))
            events.append({"env": name, "since": since,
                           "kind": item["kind"], "family": item["row"].split("/")[0],
                           "layer": layer, "weight": size, "row": item["row"],
                           "text": item["text"], "cell": item["cell"]})
    return events


def build_timeline(measured: Measured, more_changes: dict[str, list[dict]],
                   section_events: list[dict] = (), causes: Causes | None = None) -> Timeline:
    """The behaviour events plus `more_changes` (environment name -> the throughput section's
    flagged changes) and `section_events` (other sections' events, already in the event shape:
    the Initializers section's), grouped per primary version in version order. With `causes`
    (report/causes.py) each entry says which packages moved and, where measured, which move
    caused its changes ("causes", None when there is nothing to say)."""
    events = annotate(measured, probed_families_events(measured) + behaviour_events(measured)
                      + list(section_events) + _throughput_events(measured, more_changes))
    label_of = {env["name"]: env["column_label"].removeprefix("TF ") for env in measured.envs}
    column_of = {env["name"]: env["column_label"] for env in measured.envs}
    items = verdict.classify(events)
    entries, summary, verdicts = [], [], {}
    for env in measured.envs:
        if env["variant_of"] is not None:
            continue
        mine = [e for e in events if e["env"] == env["name"]]
        if not mine:
            continue
        groups = grouped(mine, label_of)
        summary.extend({k: g[k] for k in ("version", "family", "kind", "text", "rows")}
                       for g in groups)
        said = verdict.summarize([i for i in items if i["env"] == env["name"]], label_of)
        since = column_of.get(mine[0]["since"], groups[0]["since"])
        entries.append({"env": env["name"], "label": env["label"],
                        "heading": env["column_label"],  # "TF 2.16", "Keras 3.4 · jax"
                        "since": groups[0]["since"], "groups": groups,
                        "count": sum(1 for g in groups if g["kind"] not in NOT_A_CHANGE),
                        "changes": said["changes"], "outline": outline(said),
                        "throughput": said["throughput"], "not_counted": said["notCounted"],
                        "sentence": verdict.sentence(said, since, env["column_label"]),
                        "causes": causes.step(mine[0]["since"], env["name"])
                        if causes is not None and said["changes"] else None})
        verdicts[env["name"]] = said
    return Timeline(entries=entries, events=events, summary=summary, verdicts=verdicts)


def outline(said: dict) -> str:
    """One line of a verdict's counts: 'default distributions 2 · seeding 6 · removed APIs 3'."""
    parts = [f"{h['title'][0].lower()}{h['title'][1:]} {h['count']}" for h in said["headline"]
             if h["count"]]
    return " · ".join(parts)
