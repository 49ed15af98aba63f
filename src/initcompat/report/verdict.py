"""The upgrade verdict: what an upgrader reads first, made from the timeline's events.

classify() turns every event into items: the topic it belongs to (default distributions,
layer defaults, seeding, removed APIs, shapes, added APIs, other behaviour; or, never counted,
throughput, harness notes and internal renames), the line it folds into, and what keeps the old
behaviour where the measurements say (the event's "keep", from report/keep_old.py, or a layer
setting's old value). summarize() folds the items of any set of events into lines and a
headline. report.js folds the page's items by the same rule (its upgrade view: fold, finish,
headline), so the page and `python -m initcompat.report diff` say the same thing. Pure.
"""

from __future__ import annotations

import re

TOPICS = ("defaults", "settings", "seeding", "removed", "shapes", "added", "other", "throughput",
          "harness", "renamed")
TITLES = {"defaults": "Default distributions", "settings": "Layer defaults", "seeding": "Seeding",
          "removed": "Removed APIs",
          "shapes": "Shapes", "added": "Added APIs", "other": "Other behaviour",
          "throughput": "Throughput", "harness": "Harness notes", "renamed": "Internal renames"}
# Always in the headline (with NONE_WORD when nothing changed); the others when present.
HEADLINE = ("defaults", "seeding", "removed", "shapes")
COUNTED = ("defaults", "settings", "seeding", "removed", "shapes", "added", "other")
NONE_WORD = {"defaults": "unchanged", "seeding": "unchanged", "removed": "none",
             "shapes": "unchanged"}
BRIEFS = 3  # lines a headline topic names before "and N more"
BRIEF_CHARS = 160  # a line longer than this is cut (with "…") in the headline; its line is whole
NAMED_ONLY = ("added",)  # topics whose headline names each line's subject only
STREAM = "stream|"  # the fold of a family's seeded-stream changes, one line per family
_SETTING = re.compile(r"^([A-Za-z_]\w*) (.+) → (.+)$")
_FACTOR = re.compile(r"([0-9.]+)× (slower|faster)")


def setting_keep(text: str) -> str:
    """'reset_after False → True' -> 'pass reset_after=False' (a layer setting's old value)."""
    found = _SETTING.match(text)
    return f"pass {found.group(1)}={found.group(2)}" if found else ""


def _item(topic: str, fold: str, subject: str, text: str, unit: str, detail: str = "",
          keep: str = "") -> dict:
    return {"topic": topic, "fold": fold, "subject": subject, "text": text, "unit": unit,
            "detail": detail, "keep": keep}


def _initializer_items(event: dict) -> list[dict]:
    """An Initializers-section event: a changed draw (a default distribution), or its
    namespace's parts (offered, removed, raising, working again), each in its topic."""
    env, text, subject = event["env"], event["text"], event["row"]
    if text.startswith("drawn "):
        settings = event.get("settings") or ""
        return [_item("defaults", f"{env}|init|{subject}", subject, settings or text,
                      "initializer", detail=text if settings else "", keep=event.get("keep", ""))]
    items = []
    for part in text.split("; "):
        topic = "removed" if part.startswith(("no longer", "now raises")) else "added"
        whole = part == "now offered" or part.startswith("no longer offered")
        # a whole namespace is one line with its layer family of the same name, if any
        fold = f"{env}|family-{topic}|{subject}" if whole else f"{env}|init|{topic}|{part}"
        items.append(_item(topic, fold, subject, part, "namespace"))
    return items


def _availability_item(event: dict) -> dict:
    env, text = event["env"], event["text"]
    if text.startswith(("now probed", "no longer probed")):
        return _item("harness", f"{env}|harness|{event['row']}", event["row"], text, "family")
    if not event.get("layer"):  # the whole family: "available → unavailable (why)"
        old, _, new = text.partition(" → ")
        topic = "added" if new.startswith("available") else "removed" \
            if old == "available" else "other"
        said = f"now {new}" if new else text
        fold = f"{env}|family-{topic}|{event['row']}" if topic != "other" else f"{env}|{text}"
        return _item(topic, fold, event["row"], said, "family", keep=event.get("keep", ""))
    subject = f"{event['family']} {event['layer']}"
    if text == "now offered":
        return _item("added", f"{env}|offered|{subject}", subject, text, "weight")
    return _item("removed", f"{env}|weight|{event['row']}|{text}", event["row"], f"now {text}",
                 "weight")


def _classify(event: dict) -> list[dict]:
    kind, env, text = event["kind"], event["env"], event["text"]
    keep = event.get("keep", "")
    if kind == "initializer":
        return _initializer_items(event)
    if kind == "availability":
        return [_availability_item(event)]
    if kind == "distribution":
        return [_item("defaults", f"{env}|drawn|{text}", event["row"], text, "weight", keep=keep)]
    if kind == "layer default":
        subject = f"{event['family']} {event['layer']}"
        return [_item("settings", f"{env}|setting|{subject}|{text}", subject, text, "layer",
                      keep=keep or setting_keep(text))]
    if kind == "shape":
        return [_item("shapes", f"{env}|shape|{text}", event["row"], text, "weight", keep=keep)]
    if kind == "seeded stream":
        unit = "check" if str(event.get("cell", "")).startswith("sd-") else "weight"
        return [_item("seeding", STREAM + event["family"], event["family"], text, unit)]
    if kind == "seeding":
        section = str(event.get("cell", "")).startswith("sd-")  # the Seeding section's rows
        if section and not event.get("layer"):  # a whole family offered or not: its line
            topic = "removed" if text.startswith("no longer") else "added"
            return [_item(topic, f"{env}|family-{topic}|{event['family']}", event["family"],
                          text, "family")]
        subject, unit = (event["layer"], "method") if section else (event["family"], "weight")
        # a seeding call gone from the newer version is a removed API (with its error), one
        # that appears an added one
        topic = "seeding" if not section else "removed" if text.startswith("no longer offered") \
            else "added" if text.startswith("now offered") else "seeding"
        return [_item(topic, f"{env}|{topic}|{subject}|{text}", subject, text, unit,
                      keep=keep)]
    if kind in ("regression", "speed-up"):
        return [_item("throughput", f"{env}|{kind}|{event['row']}", event["row"], text,
                      "measurement")]
    if kind == "renamed":
        return [_item("renamed", f"{env}|renamed|{text}", event["row"], text, "weight")]
    return [_item("other", f"{env}|{kind}|{event['row']}|{text}", event["row"], text, "case",
                  keep=keep)]


def classify(events: list[dict]) -> list[dict]:
    """Every event's items, in event order: the event's env, since, row and cell, and topic,
    fold, subject, text, detail, keep, unit and (seeded streams) of. A shape or distribution
    change of a weight whose layer setting changed in the same step keeps the setting's fix."""
    settings = {}
    for event in events:
        if event["kind"] == "layer default" and setting_keep(event["text"]):
            settings.setdefault((event["env"], event["row"]), setting_keep(event["text"]))
    items = []
    for event in events:
        for item in _classify(event):
            if not item["keep"] and item["topic"] in ("defaults", "shapes"):
                item["keep"] = settings.get((event["env"], event["row"]), "")
            item.update(env=event["env"], since=event.get("since"), row=event["row"],
                        cell=event.get("cell") or "", of=int(event.get("of") or 0))
            items.append(item)
    return items


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def stream_text(items: list[dict]) -> str:
    """A family's seeded-stream line: 'the same seed gives other weights for all 39 weights'
    (of: the weights reproducible on both sides of a step), plus the Seeding section's checks."""
    weights = list(dict.fromkeys(i["row"] for i in items if i["unit"] == "weight"))
    checks = list(dict.fromkeys(i["row"] for i in items if i["unit"] != "weight"))
    of = max([i["of"] for i in items if i["unit"] == "weight"] or [0])
    parts = []
    if weights:
        count = len(weights)
        said = f"all {count}" if of == count > 1 else f"{count} of {of}" if of > count \
            else str(count)
        parts.append(f"for {said} weight{'' if max(count, of) == 1 else 's'}")
    if checks:
        parts.append(f"in {_plural(len(checks), 'seeding check')}")
    return "the same seed gives other weights " + " and ".join(parts)


def fold(items: list[dict], label_of: dict[str, str]) -> list[dict]:
    """Items folded into lines: one per (topic, fold) in first-seen order, topics in TOPICS
    order. A line: {"topic", "subject", "text", "detail", "keep", "rows": [{"row", "cell"}],
    "versions": [label], "brief"}; the brief names the version when the items span several."""
    by_key: dict[tuple, dict] = {}
    for item in items:
        by_key.setdefault((item["topic"], item["fold"]), {"items": []})["items"].append(item)
    lines = sorted(({"topic": key[0], "fold": key[1], **value} for key, value in by_key.items()),
                   key=lambda line: TOPICS.index(line["topic"]))
    spans = len({item["env"] for item in items}) > 1
    return [_finish(line, label_of, spans) for line in lines]


def _finish(line: dict, label_of: dict[str, str], spans: bool) -> dict:
    items = line.pop("items")
    rows: dict[str, str] = {}
    for item in items:
        rows.setdefault(item["row"], item["cell"])
    subjects = list(dict.fromkeys(item["subject"] for item in items))
    subject = subjects[0] if len(subjects) == 1 else \
        f"{subjects[0]} and {len(subjects) - 1} more {items[0]['unit']}{'' if len(subjects) == 2 else 's'}"
    text = stream_text(items) if line["fold"].startswith(STREAM) else items[0]["text"]
    versions = list(dict.fromkeys(label_of.get(item["env"], item["env"]) for item in items))
    keeps = list(dict.fromkeys(item["keep"] for item in items if item["keep"]))
    brief = subject if line["topic"] in NAMED_ONLY else f"{subject}: {text}"
    if len(brief) > BRIEF_CHARS:
        brief = brief[:BRIEF_CHARS - 1].rstrip() + "…"
    brief += f" (in {', '.join(versions)})" if spans else ""
    return {"topic": line["topic"], "subject": subject, "text": text,
            "detail": items[0]["detail"], "keep": "; ".join(keeps),
            "rows": [{"row": row, "cell": cell} for row, cell in rows.items()],
            "versions": versions, "brief": brief}


def throughput_text(lines: list[dict]) -> str:
    """'3 slower (up to 2.40×), 1 faster (up to 1.95×)', or '' without throughput lines."""
    found = {"slower": [], "faster": []}
    for line in lines:
        if line["topic"] == "throughput":
            factor = _FACTOR.search(line["text"])
            if factor:
                found[factor.group(2)].append(float(factor.group(1)))
    parts = [f"{len(values)} {word} (up to {max(values):.2f}×)"
             for word, values in found.items() if values]
    return ", ".join(parts)


def summarize(items: list[dict], label_of: dict[str, str]) -> dict:
    """The verdict of a set of items: {"changes" (counted lines), "headline": [{"topic",
    "title", "count", "text"}], "lines" (fold), "topics": [{"topic", "title", "counted",
    "lines"}] (the topics with lines, TOPICS order), "spans" (items of several versions),
    "throughput" (throughput_text), "harness" (lines), "renamed" (items), "notCounted"}."""
    lines = fold(items, label_of)
    headline, topics = [], []
    for topic in TOPICS:
        mine = [line for line in lines if line["topic"] == topic]
        if mine:
            topics.append({"topic": topic, "title": TITLES[topic], "counted": topic in COUNTED,
                           "lines": mine})
        if topic not in COUNTED or (topic not in HEADLINE and not mine):
            continue
        text = "; ".join(line["brief"] for line in mine[:BRIEFS]) + (
            f"; and {len(mine) - BRIEFS} more" if len(mine) > BRIEFS else "")
        headline.append({"topic": topic, "title": TITLES[topic], "count": len(mine),
                         "text": text or NONE_WORD[topic]})
    said = {"changes": sum(1 for line in lines if line["topic"] in COUNTED),
            "headline": headline, "lines": lines, "topics": topics,
            "spans": len({item["env"] for item in items}) > 1,
            "throughput": throughput_text(lines),
            "harness": sum(1 for line in lines if line["topic"] == "harness"),
            "renamed": sum(1 for item in items if item["topic"] == "renamed")}
    said["notCounted"] = not_counted_text(said)
    return said


def sentence(said: dict, first: str, second: str, same: bool = False) -> str:
    """The verdict's first sentence: 'N behaviour changes from A to B.' (labels in version
    order), 'No behaviour change from A to B.', or the same environment twice."""
    if same:
        return "The same environment twice: nothing differs."
    if not said["changes"]:
        return f"No behaviour change from {first} to {second}."
    return f"{_plural(said['changes'], 'behaviour change')} from {first} to {second}."


def not_counted_text(verdict: dict) -> str:
    """'2 harness notes (a family probed on one side only) and 83 internal renames (same
    distribution)', or ''."""
    parts = []
    if verdict["harness"]:
        parts.append(_plural(verdict["harness"], "harness note")
                     + " (a family probed on one side only)")
    if verdict["renamed"]:
        parts.append(_plural(verdict["renamed"], "internal rename") + " (same distribution)")
    return " and ".join(parts)
