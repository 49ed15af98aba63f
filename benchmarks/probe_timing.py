"""Benchmark (not a test): wall time of the probe process per environment, before and after.

  python benchmarks/probe_timing.py                   # every history environment in .nox
  python benchmarks/probe_timing.py tf-1.15 tf-2.21   # some
  python benchmarks/probe_timing.py --repeats 3       # median of 3 runs of each
  python benchmarks/probe_timing.py --step propagation --before 7fa7f13 tf-1.4 tf-2.21
                                                      # the propagation step's process instead

"Before" is the probe of another commit (--before, default b266ad3: the probe before it drew
from initializer instances, fed fresh seeds to stateless graph initializers, ran the legacy
child beside the parent and measured aliased families once), run with that commit's suite;
"after" is this checkout's probe with this checkout's suite. Both run in the same existing
environment (nothing is installed), alternately, so the machine's state is shared. The figure
is the whole process's wall time: interpreter start, TF import, every family, the tf_keras
child. Saves benchmarks/results/probe-timing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
from io import BytesIO
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from initcompat.host.matrix import load_matrix  # noqa: E402


def extract(commit: str, folder: Path) -> None:
    """src/ and suites/ of `commit` into `folder` (git archive)."""
    archive = subprocess.run(["git", "archive", commit, "src", "suites"], cwd=ROOT,
                             capture_output=True, check=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder)


# Each step's module, newest path first: a --before commit from before the step moved into its
# measurement folder (issue 30) still has it at the older path.
STEP_MODULES = {"probe": ("initcompat.probe",),
                "propagation": ("initcompat.measurements.propagation.probe",
                                "initcompat.probe.propagation")}


def step_module(source: Path, step: str) -> str:
    """The first of STEP_MODULES[step] that `source` (a checkout: src/) holds."""
    for module in STEP_MODULES[step]:
        path = source.joinpath("src", *module.split("."))
        if (path / "__main__.py").is_file() or path.with_suffix(".py").is_file():
            return module
    raise RuntimeError(f"{source} holds none of {', '.join(STEP_MODULES[step])}")


def probe_wall(python: Path, name: str, source: Path, step: str = "probe") -> float:
    """Seconds of one probe (or `step`) process run from `source` (a checkout: src/, suites/)."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"{name}.json"
        environment = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2", PYTHONPATH=str(source / "src"))
        started = time.monotonic()
        completed = subprocess.run([str(python), "-m", step_module(source, step), "--suite",
                                    str(source / "suites" / "default.json"), "--out", str(out),
                                    "--env-name", name], capture_output=True, text=True,
                                   env=environment)
        wall = time.monotonic() - started
        if completed.returncode != 0 or not out.exists():
            raise RuntimeError(f"{name}: probe failed: {completed.stderr[-2000:]}")
        return wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--before", default="b266ad3", help="commit whose probe is 'before'")
    parser.add_argument("--step", choices=sorted(STEP_MODULES), default="probe",
                        help="which process to time (default: the probe)")
    arguments = parser.parse_args()
    table = load_matrix(ROOT / "suites" / "matrix.toml")
    entries = [table.entry(n) for n in arguments.names] if arguments.names else table.select("history")
    rows = []
    with tempfile.TemporaryDirectory() as folder:
        before_source = Path(folder)
        extract(arguments.before, before_source)
        for entry in entries:
            python = ROOT / ".nox" / entry.name / "bin" / "python"
            if not python.exists():
                continue
            before, after = [], []
            for _ in range(arguments.repeats):
                before.append(probe_wall(python, entry.name, before_source, arguments.step))
                after.append(probe_wall(python, entry.name, ROOT, arguments.step))
            row = {"session": entry.name, "before_s": round(statistics.median(before), 2),
                   "after_s": round(statistics.median(after), 2),
                   "before_runs_s": [round(w, 2) for w in before],
                   "after_runs_s": [round(w, 2) for w in after]}
            rows.append(row)
            print(f"{entry.name:<10} before {row['before_s']:>5.1f} s   after {row['after_s']:>5.1f} s",
                  flush=True)
    figures = {"what": f"wall seconds of `python -m {STEP_MODULES[arguments.step][0]}` per "
                       "environment, median",
               "before": arguments.before, "after": "this checkout", "repeats": arguments.repeats,
               "load_average_after": os.getloadavg()[0], "sessions": rows,
               "max_after_s": max((r["after_s"] for r in rows), default=None),
               "max_before_s": max((r["before_s"] for r in rows), default=None)}
    target = ROOT / "benchmarks" / "results" / (
        "probe-timing.json" if arguments.step == "probe" else f"probe-timing-{arguments.step}.json")
    target.write_text(json.dumps(figures, indent=1) + "\n")
    print(f"slowest before {figures['max_before_s']} s, after {figures['max_after_s']} s -> "
          f"{target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
