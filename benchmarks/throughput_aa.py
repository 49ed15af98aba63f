"""Benchmark (not a test): an A/A run of the throughput step, judged by the report's own rule.

  python benchmarks/throughput_aa.py tf-2.15            # two runs of the same environment
  python benchmarks/throughput_aa.py tf-2.15 --pairs 3  # three A/A pairs

Runs the real throughput step (initcompat.host.runner.run_throughput, the suite's design:
3 processes x 4 values + 1 warmup) twice on one existing environment, nothing else changed,
and compares every benchmark of the two pyperf files with the rule the report flags changes
by (initcompat.measurements.throughput.section.timing.compare: exact Mann-Whitney p and the ratio
of medians). A flagged benchmark here is a false alarm of that rule on this machine. Prints
ratio and p per benchmark; saves benchmarks/results/throughput-aa-<env>.json.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from initcompat.host import runner  # noqa: E402
from initcompat.host.matrix import load_matrix  # noqa: E402
from initcompat.probe import schema  # noqa: E402
from initcompat.measurements.throughput.section.pyperf_file import read_pyperf_values  # noqa: E402
from initcompat.measurements.throughput.section.timing import (  # noqa: E402
    FACTOR_THRESHOLD, P_THRESHOLD, compare)


def measure(name: str, suite: Path, folder: Path) -> dict[str, list[float]]:
    python = ROOT / ".nox" / name / "bin" / "python"
    seconds, failure, tail = runner.run_throughput(python, suite, name, folder, echo=print)
    if failure:
        raise SystemExit(f"{name}: {failure}\n{tail}")
    return read_pyperf_values(folder / schema.pyperf_file_name(name))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("name")
    parser.add_argument("--pairs", type=int, default=1)
    arguments = parser.parse_args()
    table = load_matrix(ROOT / "suites" / "matrix.toml")
    suite = ROOT / table.suite
    pairs = []
    for pair in range(arguments.pairs):
        with tempfile.TemporaryDirectory() as first, tempfile.TemporaryDirectory() as second:
            a = measure(arguments.name, suite, Path(first))
            b = measure(arguments.name, suite, Path(second))
        rows = []
        for benchmark in sorted(set(a) & set(b)):
            verdict = compare(a[benchmark], b[benchmark])
            rows.append({"benchmark": benchmark, "ratio": round(verdict["ratio"], 4),
                         "p": verdict["p"], "flagged": verdict["flagged"], "kind": verdict["kind"]})
            print(f"pair {pair + 1}: {benchmark:<44} ratio {verdict['ratio']:6.3f}  "
                  f"p {verdict['p']:8.2g}  {'FLAGGED ' + verdict['kind'] if verdict['flagged'] else 'ok'}")
        pairs.append(rows)
    flagged = sum(r["flagged"] for rows in pairs for r in rows)
    total = sum(len(rows) for rows in pairs)
    figures = {"env": arguments.name, "rule": {"p_threshold": P_THRESHOLD,
                                               "factor_threshold": FACTOR_THRESHOLD},
               "pairs": pairs, "flagged": flagged, "benchmarks_compared": total}
    target = ROOT / "benchmarks" / "results" / f"throughput-aa-{arguments.name}.json"
    target.write_text(json.dumps(figures, indent=1) + "\n")
    print(f"{flagged} of {total} A/A comparisons flagged -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
