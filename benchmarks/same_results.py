"""Check (not a test): two runs' result files hold the same measurements, timings aside.

  python benchmarks/same_results.py BEFORE_RESULTS AFTER_RESULTS [--save NAME]

For every measurement file both folders have (NAME.json, .initializers.json, .seeding.json,
.propagation.json, .porting.json) it compares the documents with every timing, date and
process id left out (VOLATILE keys, wherever they nest) and lists what else differs, path by
path. The throughput, pyperf, install and outcome files are timings and records of the run
itself, so they are not compared. Unseeded draws differ between any two runs (the cells'
samples from TF 2.7 on, the seeding step's "not reproducible" records), so a file can differ
while every verdict stands; the second check says whether it does: it builds the report from
each folder and compares its behaviour events (changes.json, throughput events aside: those
are timings). Used to show that a speed-up (the measurement steps side by side, say) left the
measurements as they were. Exit 0 when the events agree.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
NOT_COMPARED = (".throughput.json", ".pyperf.json", ".install.json", ".outcome.json")
# Keys whose values are the run's own clock, date or process, not a measurement.
VOLATILE = {"seconds", "timings", "generated_at", "date", "started_at", "finished_at", "pid",
            "import_seconds", "probe_seconds", "total_seconds", "hostname", "load_average",
            "legacy_child_wait_seconds", "availability_child_wait_seconds", "logged"}


def differences(first, second, path="$"):
    """Paths (JSONPath-like) where two documents differ, volatile keys left out."""
    if isinstance(first, dict) and isinstance(second, dict):
        found = []
        for key in sorted(set(first) | set(second)):
            if key in VOLATILE:
                continue
            if key not in first or key not in second:
                found.append(f"{path}.{key} (only in {'after' if key not in first else 'before'})")
                continue
            found.extend(differences(first[key], second[key], f"{path}.{key}"))
        return found
    if isinstance(first, list) and isinstance(second, list):
        if len(first) != len(second):
            return [f"{path} (length {len(first)} vs {len(second)})"]
        found = []
        for index, (a, b) in enumerate(zip(first, second)):
            found.extend(differences(a, b, f"{path}[{index}]"))
        return found
    return [] if first == second else [f"{path}: {first!r:.60} vs {second!r:.60}"]


def behaviour_events(results: Path) -> list[dict]:
    """The report's events for `results`, throughput events (timings) left out."""
    from initcompat.report.__main__ import main as report_main
    with tempfile.TemporaryDirectory() as folder, contextlib.redirect_stdout(io.StringIO()), \
            contextlib.redirect_stderr(io.StringIO()):
        if report_main([str(results), "--out", folder]) != 0:
            raise SystemExit(f"the report of {results} failed")
        events = json.loads((Path(folder) / "changes.json").read_text())["events"]
    return [event for event in events if not str(event.get("cell", "")).startswith("tp-")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("before", type=Path)
    parser.add_argument("after", type=Path)
    parser.add_argument("--save", help="write benchmarks/results/same-results-NAME.json")
    arguments = parser.parse_args()
    files, disagreeing = [], {}
    for before in sorted(arguments.before.glob("*.json")):
        if before.name.endswith(NOT_COMPARED):
            continue
        after = arguments.after / before.name
        if not after.exists():
            continue
        files.append(before.name)
        found = differences(json.loads(before.read_text()), json.loads(after.read_text()))
        if found:
            disagreeing[before.name] = found
    for name, found in disagreeing.items():
        print(f"{name}: {len(found)} differences, first: {'; '.join(found[:3])}")
    print(f"{len(files) - len(disagreeing)} of {len(files)} measurement files agree "
          f"(timings, dates and pids left out)")
    before_events, after_events = behaviour_events(arguments.before), behaviour_events(arguments.after)
    same_events = before_events == after_events
    print(f"report behaviour events: {len(before_events)} before, {len(after_events)} after, "
          f"{'identical' if same_events else 'DIFFERENT'} (throughput events aside)")
    if arguments.save:
        target = ROOT / "benchmarks" / "results" / f"same-results-{arguments.save}.json"
        target.write_text(json.dumps({"before": str(arguments.before), "after": str(arguments.after),
                                      "compared": files, "volatile_keys": sorted(VOLATILE),
                                      "identical_files": sorted(set(files) - set(disagreeing)),
                                      "differing_paths": {name: len(found) for name, found
                                                          in disagreeing.items()},
                                      "first_differences": {name: found[:5] for name, found
                                                            in disagreeing.items()},
                                      "behaviour_events": {"before": len(before_events),
                                                           "after": len(after_events),
                                                           "identical": same_events}},
                                     indent=1) + "\n")
    return 0 if same_events and files else 1


if __name__ == "__main__":
    sys.exit(main())
