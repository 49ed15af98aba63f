"""python -m initcompat.report RESULTS... --out reports/ [--baseline DIR_OR_FILE]

Loads every result, analyses and diffs them, writes reports/index.html, cells.csv and
changes.json. Bad result files are listed, not fatal. With --baseline, exits 1 when a behaviour
changed that the baseline did not have, one line per change.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from initcompat.report import baseline as baseline_module
from initcompat.report.frame import cells_frame, order_results
from initcompat.report.load import ReportInputError, load_results
from initcompat.report.outputs import cells_csv, write_report
from initcompat.report.render import render_index
from initcompat.report.throughput import merge_timeline, throughput_section
from initcompat.report.view import build_view, with_groups


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m initcompat.report", description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="result folders or files")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    parser.add_argument("--baseline", type=Path, help="saved results to compare with (CI gate)")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    arguments = parse_arguments(argv)
    started = time.monotonic()
    try:
        loaded = load_results(arguments.results)
    except ReportInputError as error:
        print(f"initcompat report: {error}", file=sys.stderr)
        return 2
    for rejected in loaded.rejected:
        print(f"initcompat report: rejected {rejected.line()}", file=sys.stderr)
    if not loaded.results:
        print("initcompat report: no usable results; the report says so", file=sys.stderr)
    ordered = order_results(loaded.results)
    view = build_view(ordered, [r.line() for r in loaded.rejected])
    throughput = throughput_section(ordered, arguments.results)
    view.timeline = with_groups(merge_timeline(view.timeline, throughput, view.envs))
    view.extra["throughput"] = throughput
    frame = cells_frame(ordered)
    written = write_report(arguments.out, render_index(view), cells_csv(frame, view), view)
    print(f"initcompat report: {len(ordered)} environments, {len(frame)} cells, "
          f"{len(loaded.rejected)} rejected -> {written[0]} ({time.monotonic() - started:.1f} s)")
    if arguments.baseline is not None:
        try:
            base = load_results([arguments.baseline])
        except ReportInputError as error:
            print(f"initcompat report: baseline {error}", file=sys.stderr)
            return 2
        differences = baseline_module.new_differences(base.results, loaded.results)
        for line in differences:
            print(f"CHANGED {line}")
        if differences:
            print(f"initcompat report: {len(differences)} behaviour change(s) vs baseline "
                  f"{arguments.baseline}", file=sys.stderr)
            return 1
        print(f"initcompat report: no behaviour change vs baseline {arguments.baseline}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
