"""The seeding section in words: each method's status over version ranges per family and
target, where each byte group was drawn, and the exact calls, reasons and warnings over the
environments where each held. Pure.
"""

from __future__ import annotations

from initcompat.probe import schema
from initcompat.report.describe import one_line
from initcompat.measurements.seeding.section.records import NOT_MEASURED, STATUS_CLASS, env_line


def column_label(env: dict) -> str:
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


def where_drawn(where: dict[tuple, list[str]], every: list[str], targets: list[str],
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


def status_lines(family, keys, records, groups, primaries, labels) -> list[dict]:
    """Per method and target, its status over version ranges (primaries only); a target whose
    ranges are the Dense kernel's says so instead of repeating them."""
    lines = []
    for key in keys:
        values = [_status_words(records[e["name"]].get(key), groups.get((e["name"],) + key))
                  for e in primaries]
        segments = [{"text": value, "range": _span(run), "status": _css_of(value)}
                    for value, run in _runs(labels, values,
                                            [env_line(e) for e in primaries])]
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


def notes_of(family, keys, records, envs) -> list[dict]:
    """The exact calls, the reasons (unavailable, error) and the warnings, each over the
    environments where it was that text; where the whole family is unavailable in an
    environment, its reason once for the family (method and target empty)."""
    every = [column_label(env) for env in envs]
    lines = [env_line(env) for env in envs]
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
