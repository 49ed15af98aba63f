"""python -m initcompat.report diff RESULTS FROM TO [--format text|json]

Every behaviour difference between two environments (names such as tf-2.15), grouped by kind:
the same events and the same rule as the report's upgrade view (sections.upgrade.events_between).
Exit 0 when nothing differs, 1 when something does (renames are listed, not differences),
2 when the input is unusable. For CI logs. The change tests are Holm-corrected over every
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
from initcompat.report.sections.upgrade import events_between, grouped, is_difference
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
                        backend_events: list[dict] = ()) -> dict:
    """The differences between two environments, grouped by kind, as data."""
    between = events_between(envs, events, first, second, backend_events)
    labels = {env["name"]: env["column_label"] for env in envs}
    return {"from": first, "to": second, "from_label": labels[first], "to_label": labels[second],
            "differences": sum(1 for event in between if is_difference(event)),
            "kinds": grouped(between)}


def format_text(document: dict) -> str:
    """The document as lines for a terminal or a CI log."""
    lines = [f"{document['from']} ({document['from_label']}) -> {document['to']} "
             f"({document['to_label']}): {document['differences']} behaviour "
             f"difference{'' if document['differences'] == 1 else 's'}"]
    for kind in document["kinds"]:
        if not kind["difference"]:
            lines.append(f"{kind['kind']}: {kind['count']} (same distribution; not differences)")
            continue
        lines.append(f"{kind['kind']} ({kind['count']})")
        for group in kind["groups"]:
            rows = ", ".join(event["row"] for event in group["rows"])
            lines.append(f"  {group['text']} — {rows} [{group['env']} vs {group['since']}]")
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
                                       view.upgrade.backend_events)
    except ValueError as error:
        print(f"initcompat diff: {error}", file=sys.stderr)
        return 2
    if arguments.format == "json":
        print(json.dumps(document, indent=1, ensure_ascii=False))
    else:
        print(format_text(document))
    return 1 if document["differences"] else 0
