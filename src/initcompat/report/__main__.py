"""python -m initcompat.report RESULTS... --out reports/ [--baseline DIR_OR_FILE]
python -m initcompat.report diff RESULTS FROM TO [--format text|json]

Loads every result, analyses and diffs them, writes reports/index.html, cells.csv and
changes.json. Bad result files are listed, not fatal. With --baseline, exits 1 when a behaviour
changed that the baseline did not have, one line per change. `diff` prints every behaviour
difference between two environments (initcompat.report.diff).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from initcompat.report import baseline as baseline_module
from initcompat.report import compat_data
from initcompat.report.frame import cells_frame
from initcompat.report.load import load_or_say
from initcompat.measurements import registry
from initcompat.report.outputs import cells_csv, changes_document, table_csv, write_report
from initcompat.report.render import render_index
from initcompat.report.sections.gpu import GPU_SEED_COLUMNS
from initcompat.report.sections import View, build_view, load_inputs, section_module


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m initcompat.report", description=__doc__.split("\n")[0])
    parser.add_argument("results", nargs="+", type=Path, help="result folders or files")
    parser.add_argument("--out", type=Path, default=Path("reports"), help="output folder")
    parser.add_argument("--baseline", type=Path, help="saved results to compare with (CI gate)")
    return parser.parse_args(argv)


def gate(baseline: Path, current: tuple[dict, ...]) -> int:
    """The CI gate: 1 and one CHANGED line per behaviour that differs from the saved results;
    2 when the baseline is unusable (missing, or no result in it loads)."""
    base = load_or_say([baseline], "initcompat report: baseline")
    if base is None:
        return 2
    if not base.results:
        print(f"initcompat report: baseline {baseline} holds no usable result: nothing to "
              "compare with", file=sys.stderr)
        return 2
    for line in baseline_module.not_compared(base.results, current).values():
        print(f"NOT COMPARED {line}")  # another suite, or a transient fault: no behaviour
    differences = baseline_module.new_differences(base.results, current)
    for line in differences:
        print(f"CHANGED {line}")
    if differences:
        print(f"initcompat report: {len(differences)} behaviour change(s) vs baseline "
              f"{baseline}", file=sys.stderr)
        return 1
    print(f"initcompat report: no behaviour change vs baseline {baseline}")
    return 0


def measurement_tables(view: View) -> dict[str, str]:
    """File name -> CSV text of every measurement step's tables (its section's CSV_TABLES), in
    the registry's order."""
    tables = {}
    for measurement in registry.steps_beside():
        section = getattr(view, measurement["section"])
        for file_name, rows, columns in section_module(measurement).CSV_TABLES:
            tables[file_name] = table_csv(rows(section), columns)
    return tables


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["diff"]:
        from initcompat.report import diff
        return diff.main(argv[1:])
    arguments = parse_arguments(argv)
    started = time.monotonic()
    loaded = load_or_say(arguments.results, "initcompat report:")
    if loaded is None:
        return 2
    if not loaded.results:
        print("initcompat report: no usable results; the report says so", file=sys.stderr)
    inputs = load_inputs(loaded, arguments.results)
    view = build_view(inputs)
    frame = cells_frame(inputs.results)
    tables = measurement_tables(view)
    tables["gpu_seeds.csv"] = table_csv(view.gpu.table, GPU_SEED_COLUMNS)
    tables[compat_data.FILE_NAME] = compat_data.compat_data_text(inputs.results, view)
    written = write_report(arguments.out, render_index(view),
                           cells_csv(frame, view, inputs.results), changes_document(view), tables)
    print(f"initcompat report: {len(inputs.results)} environments, {len(frame)} cells, "
          f"{len(loaded.rejected)} rejected -> {written[0]} ({time.monotonic() - started:.1f} s)")
    if arguments.baseline is not None:
        return gate(arguments.baseline, loaded.results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
