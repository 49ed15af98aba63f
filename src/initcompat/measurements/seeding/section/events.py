"""The seeding changes between the environments compared, as timeline events: a method that
starts or stops being offered, reproducible, raising, repeating in one process or drawing the
same bytes on a second call ("seeding"), and reproducible bytes that changed where both sides
were reproducible ("seeded stream"). Pure.
"""

from __future__ import annotations

from initcompat.probe import schema
from initcompat.report.analysis import comparison_pairs
from initcompat.report.describe import one_line
from initcompat.report.measured import Measured
from initcompat.measurements.seeding.section.records import env_line, family_id, ordered, row_id


def _pairs(measured: Measured, has: set[str]):
    """(before, after) names to compare: each primary with the previous primary of its line
    that has a seeding file, each variant with its primary."""
    variant_of = {env["name"]: env["variant_of"] for env in measured.envs}
    line = {env["name"]: env_line(env) for env in measured.envs}
    last: dict[str, str] = {}  # per line, the newest primary with a seeding file
    for before, after, chained in comparison_pairs(measured.results, variant_of):
        names = before["env"]["name"], after["env"]["name"]
        if not chained:
            if names[0] in has and names[1] in has:
                yield names
            continue
        if line[names[1]] not in last and names[0] in has:
            last[line[names[1]]] = names[0]
        if names[1] in has:
            if line[names[1]] in last:
                yield last[line[names[1]]], names[1]
            last[line[names[1]]] = names[1]


def _family_offered(records: dict[tuple, dict], family: str) -> bool | None:
    mine = [r for k, r in records.items() if k[0] == family]
    if not mine:
        return None
    return any(r["status"] != schema.SEED_UNAVAILABLE for r in mine)


def _record_events(before: dict, after: dict, groups: tuple) -> list[tuple[str, str]]:
    """(kind, text) of what changed for one family x method x target."""
    old, new = before["status"], after["status"]
    if old != new:
        if old == schema.SEED_UNAVAILABLE:
            return [("seeding", f"now offered: {new}")]
        if new == schema.SEED_UNAVAILABLE:
            return [("seeding", f"no longer offered ({one_line(after.get('reason'), 160)})")]
        if new == schema.SEED_ERROR:
            return [("seeding", f"now raises: {one_line(after.get('reason'), 160)}")]
        if old == schema.SEED_ERROR:
            return [("seeding", f"no longer raises: {new}")]
        return [("seeding", f"{old} → {new}")]
    if new not in (schema.SEED_REPRODUCIBLE, schema.SEED_NOT_REPRODUCIBLE):
        return []
    events = []
    repeats = before.get("repeat_identical"), after.get("repeat_identical")
    if None not in repeats and repeats[0] != repeats[1]:
        events.append(("seeding", "a repeat in one process now draws the same bytes" if repeats[1]
                       else "a repeat in one process now draws other bytes"))
    calls = before.get("calls_identical"), after.get("calls_identical")
    if None not in calls and calls[0] != calls[1]:
        events.append(("seeding", "the second layer or call now draws the bytes of the first"
                       if calls[1] else "the second layer or call now draws other bytes than the first"))
    if new == schema.SEED_REPRODUCIBLE and before.get("sha256") != after.get("sha256"):
        events.append(("seeded stream", f"the same seed gives other bytes (group {groups[0]} → "
                                        f"{groups[1]})"))
    return events


def seeding_events(measured: Measured, records: dict[str, dict], groups: dict) -> list[dict]:
    """Every seeding change between the environments compared (see the module doc)."""
    has = {name for name, found in records.items() if found}
    events = []
    for since, env in _pairs(measured, has):
        before, after = records[since], records[env]
        families = ordered([k[0] for k in list(before) + list(after)], schema.API_FAMILIES)
        for family in families:
            offered = _family_offered(before, family), _family_offered(after, family)
            if None in offered:
                continue  # measured on one side only: nothing to compare
            if offered[0] != offered[1]:
                mine = [r for k, r in after.items() if k[0] == family]
                if offered[1]:
                    counts = sum(1 for r in mine if r["status"] == schema.SEED_REPRODUCIBLE)
                    text = (f"now offered: {counts} of {len(mine)} methods × targets "
                            "reproducible")
                else:
                    text = f"no longer offered ({one_line(mine[0].get('reason'), 160)})"
                events.append(_event(env, since, "seeding", family, "", "", text))
                continue
            keys = ordered([k for k in list(before) + list(after) if k[0] == family],
                            ())
            for key in keys:
                if key not in before or key not in after:
                    continue
                pair = (groups.get((since,) + key), groups.get((env,) + key))
                for kind, text in _record_events(before[key], after[key], pair):
                    events.append(_event(env, since, kind, family, key[1], key[2], text))
    return events


def _event(env: str, since: str, kind: str, family: str, method: str, target: str,
           text: str) -> dict:
    row = f"{family} {method} · {target}" if method else f"{family} (every seeding method)"
    cell = row_id(family, method, target) if method else family_id(family)
    return {"env": env, "since": since, "kind": kind, "family": family, "layer": method,
            "weight": target, "row": row, "text": text, "cell": cell}
