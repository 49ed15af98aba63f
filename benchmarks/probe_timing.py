"""Benchmark (not a test): wall time of the probe process per environment, against a saved run.

  python benchmarks/probe_timing.py                 # every history environment present in .nox
  python benchmarks/probe_timing.py tf-1.15 tf-2.21 # some
  python benchmarks/probe_timing.py --repeats 3     # median of 3 runs each

Runs `python -m initcompat.probe` in each existing environment (nothing is installed), one after
another, and reports the process's wall time (interpreter start, TF import, every family, the
tf_keras child) next to the "before" figures of a saved matrix run (import + probe seconds of
benchmarks/results/matrix-history-warm-before.json: the probe before it drew from initializer
instances, fed fresh seeds to stateless graph initializers, ran the legacy child beside the
parent and measured aliased families once). Saves benchmarks/results/probe-timing.json.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from initcompat.host.matrix import load_matrix  # noqa: E402

BEFORE = ROOT / "benchmarks" / "results" / "matrix-history-warm-before.json"


def before_seconds() -> dict[str, float]:
    """Import + probe (+ legacy child, which ran after the parent) seconds per environment."""
    if not BEFORE.exists():
        return {}
    rows = json.loads(BEFORE.read_text())["sessions"]
    return {r["session"]: round((r["import_s"] or 0) + (r["probe_s"] or 0), 2) for r in rows
            if r["status"] == "ok"}


def probe_wall(python: Path, name: str, suite: Path) -> tuple[float, dict]:
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / f"{name}.json"
        started = time.monotonic()
        completed = subprocess.run([str(python), "-m", "initcompat.probe", "--suite", str(suite),
                                    "--out", str(out), "--env-name", name],
                                   capture_output=True, text=True,
                                   env=dict(os.environ, TF_CPP_MIN_LOG_LEVEL="2"))
        wall = time.monotonic() - started
        if completed.returncode != 0 or not out.exists():
            raise RuntimeError(f"{name}: probe failed: {completed.stderr[-2000:]}")
        return wall, json.loads(out.read_text()).get("timings") or {}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("names", nargs="*")
    parser.add_argument("--repeats", type=int, default=1)
    arguments = parser.parse_args()
    table = load_matrix(ROOT / "suites" / "matrix.toml")
    entries = [table.entry(n) for n in arguments.names] if arguments.names else table.select("history")
    before = before_seconds()
    rows = []
    for entry in entries:
        python = ROOT / ".nox" / entry.name / "bin" / "python"
        if not python.exists():
            continue
        walls, timings = [], {}
        for _ in range(arguments.repeats):
            wall, timings = probe_wall(python, entry.name, ROOT / table.suite)
            walls.append(wall)
        row = {"session": entry.name, "after_wall_s": round(statistics.median(walls), 2),
               "after_walls_s": [round(w, 2) for w in walls],
               "after_import_s": timings.get("import_seconds"),
               "before_import_plus_probe_s": before.get(entry.name)}
        rows.append(row)
        print(f"{entry.name:<10} before {row['before_import_plus_probe_s'] or float('nan'):>6.1f} s"
              f"   after {row['after_wall_s']:>5.1f} s (whole process)", flush=True)
    figures = {"what": "wall seconds of `python -m initcompat.probe` per environment",
               "before_source": str(BEFORE.relative_to(ROOT)), "repeats": arguments.repeats,
               "sessions": rows, "max_after_wall_s": max((r["after_wall_s"] for r in rows), default=None)}
    target = ROOT / "benchmarks" / "results" / "probe-timing.json"
    target.write_text(json.dumps(figures, indent=1) + "\n")
    print(f"slowest after: {figures['max_after_wall_s']} s -> {target.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
