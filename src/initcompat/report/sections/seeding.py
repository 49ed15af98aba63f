"""The Seeding section: which seeding method gives the same weights in two fresh processes, per
API family and target, in every measured version (the seeding step's NAME.seeding.json). Pure.

Per record (family x method x target) the step says reproducible (two fresh processes drew the
same float32 bytes), not reproducible, unavailable or error, whether a second application in
one process drew the same bytes, and for the methods that draw twice per application whether
the second layer or call drew the bytes of the first. This module shows that as one table per
family (rows: method x target; columns: environments), groups the bytes of reproducible
records per method across families, targets and versions (the same letter: the same sha256),
says the same in words over version ranges, and turns the differences between an environment
and the one it is compared with (the previous primary with a seeding file; a variant's
primary) into timeline events: a method that starts or stops being offered, reproducible,
raising, repeating in one process or drawing the same bytes on a second call ("seeding"), and
reproducible bytes that changed where both sides were reproducible ("seeded stream"). Bytes of a
stream that is not reproducible are noise and are never compared.
"""

from __future__ import annotations

import json
import string
from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.report.analysis import comparison_pairs
from initcompat.report.describe import one_line
from initcompat.report.measured import Measured

# The page's short class and text of each status; a reproducible record shows its group letter.
STATUS_CLASS = {schema.SEED_REPRODUCIBLE: "rp", schema.SEED_NOT_REPRODUCIBLE: "nr",
                schema.SEED_UNAVAILABLE: "na", schema.SEED_ERROR: "er"}
STATUS_TEXT = {schema.SEED_NOT_REPRODUCIBLE: "no", schema.SEED_UNAVAILABLE: "—",
               schema.SEED_ERROR: "error"}
NOT_MEASURED = "not measured"
SHA_DIGITS = 16
# The record fields reports/seeding.csv carries (outputs.SEEDING_COLUMNS orders its columns).
RECORD_COLUMNS = ("family", "method", "target", "status", "cross_process_identical",
                  "repeat_identical", "sha256", "first_values", "warning", "calls_identical",
                  "sha256_repeat", "sha256_other_process", "seed", "initializer", "call",
                  "reason", "error_type")


@dataclass(frozen=True)
class Seeding:
    envs: list[dict]  # the columns: measured.envs that have a seeding file, version order
    missing: list[str]  # environments that ran but have no seeding file (older than the step)
    failed: list[dict]  # {"env", "status", "reason", "log_tail"}: the step failed or was skipped
    # one table per family that some environment offers: {"family", "id", "rows": [row],
    # "never": [{"method", "target", "reason"}]}; row: {"id", "method", "target", "cells"}
    families: list[dict]
    absent: list[dict]  # families no environment offers: {"family", "reason"}
    groups: list[dict]  # per method: {"method", "letters": [{"letter", "sha256", "first_values",
    #                     "where": [{"family", "target", "range"}]}]}
    words: list[dict]  # per family: {"family", "lines": [{"method", "target", "segments"}]}
    notes: list[dict]  # per family: {"family", "items": [{"method", "target", "kind", "text",
    #                    "range"}]}: the calls, reasons and warnings, over version ranges
    events: list[dict]  # timeline events (sections/timeline.py's shape)
    table: list[dict]  # reports/seeding.csv, one row per environment x record


def _slug(text: str) -> str:
    return "".join(c if c.isalnum() or c in "._-" else "-" for c in text)


def row_id(family: str, method: str, target: str) -> str:
    """The HTML id of a table row (timeline events link to it)."""
    return "sd-" + _slug(f"{family}-{method}-{target}")


def family_id(family: str) -> str:
    """The HTML id of a family's heading (its family-wide events link to it)."""
    return "sd-family-" + _slug(family)


def _records(result: dict) -> dict[tuple, dict]:
    seeding = result.get("seeding") or {}
    found = {}
    for record in seeding.get("records") or []:
        found.setdefault((record["family"], record["method"], record["target"]), record)
    return found


def _ordered(keys, order: tuple) -> list:
    """`keys` in the order of `order`, others after them in first-seen order."""
    rank = {name: index for index, name in enumerate(order)}
    seen = list(dict.fromkeys(keys))
    return sorted(seen, key=lambda k: (rank.get(k, len(order)), seen.index(k)))


def byte_groups(envs: list[dict], records: dict[str, dict]) -> dict[tuple, str]:
    """(env, family, method, target) -> letter: per method, reproducible records with the same
    sha256 share a letter (first seen in version, family and target order gets A)."""
    letters: dict[str, dict[str, str]] = {}
    groups = {}
    for env in envs:
        for key, record in records[env["name"]].items():
            if record["status"] != schema.SEED_REPRODUCIBLE or not record.get("sha256"):
                continue
            seen = letters.setdefault(key[1], {})
            if record["sha256"] not in seen:
                index = len(seen)
                seen[record["sha256"]] = string.ascii_uppercase[index % 26] + (
                    "" if index < 26 else str(index // 26))
            groups[(env["name"],) + key] = seen[record["sha256"]]
    return groups


def _cell(record: dict | None, group: str | None) -> dict:
    if record is None:
        return {"css": "mi", "text": "", "tags": [], "title": NOT_MEASURED}
    status = record["status"]
    tags = []
    if status in (schema.SEED_REPRODUCIBLE, schema.SEED_NOT_REPRODUCIBLE):
        repeat = record.get("repeat_identical")
        if status == schema.SEED_REPRODUCIBLE and repeat is False:
            tags.append("repeat ≠")
        elif status == schema.SEED_NOT_REPRODUCIBLE and repeat is True:
            tags.append("repeat =")
        if record.get("calls_identical") is False:
            tags.append("2nd ≠")
    title = status
    if record.get("sha256"):
        title += f"; sha256 {record['sha256'][:SHA_DIGITS]}"
    if record.get("reason") and status in (schema.SEED_ERROR,):
        title += f"; {one_line(record['reason'], 200)}"
    return {"css": STATUS_CLASS.get(status, "er"),
            "text": group if group else STATUS_TEXT.get(status, status), "tags": tags,
            "title": title}


def _column(env: dict) -> str:
    """An environment's label in ranges: its version, or version · variant for a variant."""
    return env["label"] if env.get("variant_of") is None else f"{env['label']} · {env['variant']}"


def _runs(labels: list[str], values: list, lines: list[str] | None = None
          ) -> list[tuple[object, list[str]]]:
    """Consecutive equal values: [(value, [labels])]; a run never crosses from one line
    (TensorFlow, or Keras on a backend: env["line"]) to another."""
    runs: list[tuple[object, list[str]]] = []
    previous = None
    for label, value, line in zip(labels, values, lines or [None] * len(labels)):
        if runs and runs[-1][0] == value and line == previous:
            runs[-1][1].append(label)
        else:
            runs.append((value, [label]))
        previous = line
    return runs


def _span(labels: list[str]) -> str:
    return labels[0] if len(labels) == 1 else f"{labels[0]}–{labels[-1]}"


def _ranges(labels: list[str], every: list[str], lines: list[str] | None = None) -> str:
    """'2.0–2.6, 2.16' over the consecutive runs of `labels` within `every` (each line apart)."""
    chosen = set(labels)
    spans = [run for value, run in _runs(every, [label in chosen for label in every], lines)
             if value]
    return ", ".join(_span(run) for run in spans)


def _line(env: dict) -> str:
    return env.get("line") or "tensorflow"


def _status_words(record: dict | None, group: str | None) -> str:
    if record is None:
        return NOT_MEASURED
    status = record["status"]
    if status == schema.SEED_REPRODUCIBLE:
        words = f"reproducible (bytes {group})" if group else "reproducible"
        if record.get("repeat_identical") is False:
            words += ", but not on a repeat in one process"
        return words
    if status == schema.SEED_NOT_REPRODUCIBLE and record.get("repeat_identical") is True:
        return "not reproducible (though a repeat in one process drew the same bytes)"
    return status


def _pairs(measured: Measured, has: set[str]):
    """(before, after) names to compare: each primary with the previous primary of its line
    that has a seeding file, each variant with its primary."""
    variant_of = {env["name"]: env["variant_of"] for env in measured.envs}
    line = {env["name"]: _line(env) for env in measured.envs}
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
        families = _ordered([k[0] for k in list(before) + list(after)], schema.API_FAMILIES)
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
            keys = _ordered([k for k in list(before) + list(after) if k[0] == family],
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


def _csv_rows(measured: Measured, groups: dict) -> list[dict]:
    rows = []
    for result, env in zip(measured.results, measured.envs):
        seeding = result.get("seeding")
        if seeding is None:
            continue
        versions = seeding.get("versions") or {}
        base = {"env": env["name"], "tf_version": result["env"]["tensorflow"]}
        if not seeding.get("records"):
            rows.append(dict(base, status=seeding.get("status"), reason=seeding.get("reason")))
            continue
        for record in seeding["records"]:
            key = (record["family"], record["method"], record["target"])
            group = groups.get((env["name"],) + key)
            if record["status"] == schema.SEED_NOT_REPRODUCIBLE:
                group = schema.SEED_NOT_REPRODUCIBLE
            keras = record.get("keras_version")
            if keras is None and record["family"] in (schema.FAMILY_KERAS,
                                                      schema.FAMILY_TF_KERAS_PACKAGE):
                keras = versions.get("keras" if record["family"] == schema.FAMILY_KERAS
                                     else "tf_keras")
            row = dict(base, keras_version=keras, backend=record.get("backend") or "tensorflow",
                       group=group)
            for column in RECORD_COLUMNS:
                if column not in row and column in record:
                    value = record[column]
                    row[column] = json.dumps(value) if isinstance(value, (list, dict)) else value
            rows.append(row)
    return rows


def build_seeding(measured: Measured) -> Seeding:
    """The section from the results' seeding files (result["seeding"], joined by the loader)."""
    envs = [env for result, env in zip(measured.results, measured.envs)
            if result.get("seeding") is not None]
    missing = [env["name"] for result, env in zip(measured.results, measured.envs)
               if result.get("seeding") is None and env["status"] == "ok"]
    by_name = {r["env"]["name"]: r for r in measured.results}
    records = {env["name"]: _records(by_name[env["name"]]) for env in envs}
    failed = [{"env": env["name"], "status": by_name[env["name"]]["seeding"].get("status"),
               "reason": one_line(by_name[env["name"]]["seeding"].get("reason"), 600),
               "log_tail": str(by_name[env["name"]]["seeding"].get("log_tail") or "")[-3000:]}
              for env in envs if not records[env["name"]]
              or by_name[env["name"]]["seeding"].get("status") != schema.ENV_OK]
    groups = byte_groups(envs, records)
    every_key = [k for env in envs for k in records[env["name"]]]
    families_seen = _ordered([k[0] for k in every_key], schema.API_FAMILIES)
    methods = _ordered([k[1] for k in every_key], schema.SEED_METHODS)
    targets = _ordered([k[2] for k in every_key], schema.SEED_TARGETS)
    primaries = [env for env in envs if env.get("variant_of") is None]
    labels = [env["label"] for env in primaries]
    families, absent, words, notes = [], [], [], []
    for family in families_seen:
        keys = [(family, m, t) for m in methods for t in targets
                if any((family, m, t) in records[e["name"]] for e in envs)]
        offered = [k for k in keys if any(records[e["name"]].get(k, {}).get("status")
                                          not in (None, schema.SEED_UNAVAILABLE) for e in envs)]
        if not offered:
            reasons = [records[e["name"]][k].get("reason") for e in envs for k in keys
                       if k in records[e["name"]]]
            absent.append({"family": family, "reason": one_line(next(
                (r for r in reasons if r), "unavailable"), 300)})
            continue
        rows, never = [], {}
        for key in keys:
            if key not in offered:
                never.setdefault(key[1], []).append(key[2])
                continue
            cells = [_cell(records[e["name"]].get(key), groups.get((e["name"],) + key))
                     for e in envs]
            rows.append({"id": row_id(*key), "method": key[1], "target": key[2],
                         "cells": cells})
        families.append({"family": family, "id": family_id(family),
                         "rows": rows, "never": [
                             {"method": method, "targets": ", ".join(found)
                              if len(found) < len(targets) else "both targets"}
                             for method, found in never.items()]})
        words.append({"family": family, "lines": _words(family, offered, records, groups,
                                                         primaries, labels)})
        notes.append({"family": family, "items": _notes(family, keys, records, envs)})
    letters = []
    for method in methods:
        found: dict[str, dict] = {}
        for env in envs:
            for key, record in records[env["name"]].items():
                letter = groups.get((env["name"],) + key)
                if key[1] != method or letter is None:
                    continue
                entry = found.setdefault(letter, {"letter": letter,
                                                  "sha256": record["sha256"][:SHA_DIGITS],
                                                  "first_values": record.get("first_values") or [],
                                                  "where": {}})
                entry["where"].setdefault((key[0], key[2]), []).append(_column(env))
        if found:
            every = [_column(env) for env in envs]
            letters.append({"method": method, "letters": [
                dict(entry, where=_where(entry["where"], every, targets,
                                         [_line(env) for env in envs]))
                for entry in found.values()]})
    return Seeding(envs=envs, missing=missing, failed=failed, families=families, absent=absent,
                   groups=letters, words=words, notes=notes,
                   events=seeding_events(measured, records, groups),
                   table=_csv_rows(measured, groups))


def _where(where: dict[tuple, list[str]], every: list[str], targets: list[str],
           lines: list[str]) -> list[dict]:
    """Where a byte group was drawn: per family its version ranges, per target only where the
    targets' ranges differ."""
    families = list(dict.fromkeys(f for f, _ in where))
    shown = []
    for family in families:
        ranges = {t: _ranges(v, every, lines) for (f, t), v in where.items() if f == family}
        if len(targets) > 1 and len(ranges) == len(targets) and len(set(ranges.values())) == 1:
            shown.append({"family": family, "target": "", "range": next(iter(ranges.values()))})
        else:
            shown.extend({"family": family, "target": t, "range": r} for t, r in ranges.items())
    return shown


def _words(family, keys, records, groups, primaries, labels) -> list[dict]:
    """Per method and target, its status over version ranges (primaries only); a target whose
    ranges are the Dense kernel's says so instead of repeating them."""
    lines = []
    for key in keys:
        values = [_status_words(records[e["name"]].get(key), groups.get((e["name"],) + key))
                  for e in primaries]
        segments = [{"text": value, "range": _span(run), "status": _css_of(value)}
                    for value, run in _runs(labels, values, [_line(e) for e in primaries])]
        previous = lines[-1] if lines and lines[-1]["method"] == key[1] else None
        if previous is not None and [(s["text"], s["range"]) for s in previous["segments"]] == \
                [(s["text"], s["range"]) for s in segments]:
            previous["target"] += f" and {key[2]}"
            continue
        lines.append({"method": key[1], "target": key[2], "segments": segments})
    return lines


def _css_of(words: str) -> str:
    for status, css in STATUS_CLASS.items():
        if words.startswith(status):
            return css
    return "mi"


def _notes(family, keys, records, envs) -> list[dict]:
    """The exact calls, the reasons (unavailable, error) and the warnings, each over the
    environments where it was that text; where the whole family is unavailable in an
    environment, its reason once for the family (method and target empty)."""
    every = [_column(env) for env in envs]
    lines = [_line(env) for env in envs]
    items = []
    whole: dict[str, list[str]] = {}
    offered = {}
    for env, label in zip(envs, every):
        mine = [records[env["name"]][k] for k in keys if k in records[env["name"]]]
        offered[env["name"]] = any(r["status"] != schema.SEED_UNAVAILABLE for r in mine)
        if mine and not offered[env["name"]]:
            whole.setdefault(one_line(mine[0].get("reason") or "unavailable", 400), []).append(label)
    for text, where in whole.items():
        items.append({"method": "", "target": "", "kind": "why", "text": text,
                      "range": _ranges(where, every, lines)})
    for key in keys:
        for kind, field in (("call", "call"), ("why", "reason"), ("warning", "warning")):
            texts: dict[str, list[str]] = {}
            for env, label in zip(envs, every):
                record = records[env["name"]].get(key)
                if record is None or not record.get(field) or not offered[env["name"]]:
                    continue
                texts.setdefault(one_line(record[field], 400), []).append(label)
            for text, where in texts.items():
                items.append({"method": key[1], "target": key[2], "kind": kind, "text": text,
                              "range": _ranges(where, every, lines)})
    return items
