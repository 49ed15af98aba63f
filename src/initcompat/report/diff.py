"""python -m initcompat.report diff RESULTS FROM TO [--format text|json]

The verdict of an upgrade between two environments (names such as tf-2.15): the report's upgrade
view in text, headline first (default distributions, seeding, removed APIs, shapes), then each
change with what keeps the old behaviour; the same events, rule and folding
(sections.upgrade.verdict_between). Exit 0 when nothing differs, 1 when something does
(throughput, harness notes and renames are listed, not differences), 2 when the input is
unusable. For CI logs. The change tests are Holm-corrected over every
comparison of the results given (as in the report), so the verdicts are the report's.
Two environments that measured different suites are never compared: one line says so, exit 2;
otherwise the view is built from the results of their suite only (initcompat.report.suites).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from initcompat.report.load import load_or_say
from initcompat.report.sections import build_view, load_inputs
from initcompat.report import verdict
from initcompat.report.sections.upgrade import (causes_between, events_between, grouped,
                                                 verdict_between)
from initcompat.report.suites import suite_key, suite_label


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m initcompat.report diff",
                                     description=__doc__.split("\n")[2])
    parser.add_argument("results", type=Path, help="a results folder (or file)")
    parser.add_argument("first", metavar="FROM", help="environment name, e.g. tf-2.15")
    parser.add_argument("second", metavar="TO", help="environment name, e.g. tf-2.16")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    return parser.parse_args(argv)


def difference_document(envs: list[dict], events: list[dict], first: str, second: str,
                        backend_events: list[dict] = (), causes=None) -> dict:
    """The verdict of the upgrade from `first` to `second` as data: the report's headline
    ("sentence", "headline") and its lines ("changes": how many, "lines"), throughput and
    what is not counted apart; "differences" counts the events behind the counted lines (the
    exit status's test) and "kinds" groups every event by kind, as before. With `causes`
    (report/causes.py): "moved" (the packages that moved between the two locks, '' when a lock
    is missing) and "causes" ([{"status", "text"}]: the attributions of the steps between)."""
    between = events_between(envs, events, first, second, backend_events)
    labels = {env["name"]: env["column_label"] for env in envs}
    found = verdict_between(envs, events, first, second, backend_events)
    said = found["said"]
    counted = [event for event in between
               if any(item["topic"] in verdict.COUNTED for item in verdict.classify([event]))]
    return {"from": first, "to": second, "from_label": labels[first], "to_label": labels[second],
            "sentence": found["sentence"], "headline": said["headline"],
            "changes": said["changes"], "lines": said["lines"],
            "throughput": said["throughput"], "not_counted": said["notCounted"],
            "differences": len(counted),
            "kinds": grouped(between),
            **_causes(envs, causes, first, second)}


def _causes(envs: list[dict], causes, first: str, second: str) -> dict:
    found = causes_between(envs, causes, first, second) or {"moved": "", "causes": []}
    return {"moved": found["moved"], "causes": found["causes"]}


def format_text(document: dict) -> str:
    """The document as lines for a terminal or a CI log: the headline, then each line with
    what keeps the old behaviour and the rows it stands for."""
    lines = [f"{document['from']} -> {document['to']}: {document['sentence']}"]
    if document.get("moved"):
        lines.append(f"  {document['moved'][:1].upper()}{document['moved'][1:]}")
    for cause in document.get("causes") or []:
        lines.append(f"  {cause['text'][:1].upper()}{cause['text'][1:]}")
        if cause.get("keep"):
            lines.append(f"    to keep the old behaviour: {cause['keep']}")
    lines += [f"  {item['title']}: {item['text']}" for item in document["headline"]]
    if document["throughput"]:
        lines.append(f"  Throughput: {document['throughput']}: not a behaviour difference")
    if document["not_counted"]:
        lines.append(f"  Not counted: {document['not_counted']}.")
    topic = None
    for line in document["lines"]:
        if line["topic"] != topic:
            topic = line["topic"]
            count = sum(1 for other in document["lines"] if other["topic"] == topic)
            counted = "" if topic in verdict.COUNTED else ", not counted"
            lines.append(f"{verdict.TITLES[topic]} ({count}{counted})")
        versions = f" [{', '.join(line['versions'])}]"
        detail = f" ({line['detail']})" if line["detail"] else ""
        lines.append(f"  {line['subject']}: {line['text']}{detail}{versions}")
        if line["keep"]:
            lines.append(f"    to keep the old behaviour: {line['keep']}")
        rows = [row["row"] for row in line["rows"]]
        if rows != [line["subject"]]:
            shown = ", ".join(rows[:8]) + (f" and {len(rows) - 8} more" if len(rows) > 8 else "")
            lines.append(f"    rows: {shown}")
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    loaded = load_or_say(arguments.results, "initcompat diff:")
    if loaded is None:
        return 2
    by_name = {result["env"]["name"]: result for result in loaded.results}
    pair = [by_name.get(name) for name in (arguments.first, arguments.second)]
    keys = [suite_key(result) for result in pair if result is not None]
    if len(set(key for key in keys if key is not None)) > 1:
        first, second = (suite_label(result["env"]["suite"]) for result in pair)
        print(f"initcompat diff: {arguments.first} measured the suite {first}, "
              f"{arguments.second} the suite {second}: results of different suites are never "
              "compared", file=sys.stderr)
        return 2
    suite = next((key for key in keys if key is not None), None)
    view = build_view(load_inputs(loaded, [arguments.results], suite))
    try:
        document = difference_document(view.upgrade.envs, view.timeline.events,
                                       arguments.first, arguments.second,
                                       view.upgrade.backend_events, view.upgrade.causes)
    except ValueError as error:
        print(f"initcompat diff: {error}", file=sys.stderr)
        return 2
    if arguments.format == "json":
        print(json.dumps(document, indent=1, ensure_ascii=False))
    else:
        print(format_text(document))
    return 1 if document["differences"] else 0
