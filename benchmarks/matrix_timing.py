"""Benchmark (not a test): wall time of a cold and a warm run of a selection, split per session.

  python benchmarks/matrix_timing.py --tag default --cold   # remove the selection's environments first
  python benchmarks/matrix_timing.py --tag history          # warm: environments reused

Runs `nox -t TAG` (the TF sessions, then the report) and reads each session's result:
install time this run, TF import time, probe time (the probe's own work, without install and
import), the probe process's wall time (import and legacy child included), the throughput
step's time, every step's seconds (steps_s), and the disk its environment uses; for the whole
run also the CPU seconds (user + system) of nox and every process it waited for (cpu_s), and
the wall time no schedule can beat on this machine, cpu_s / cores (cpu_floor_wall_s). "Cold"
removes the environments but keeps uv's cache (pass --clear-uv-cache for a first-ever run).
Prints a table; saves benchmarks/results/.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from initcompat.host.matrix import load_matrix  # noqa: E402
from initcompat.report.load import load_results  # noqa: E402


def disk_bytes(path: Path) -> int:
    if not path.exists():
        return 0
    return sum(p.lstat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tag", default="default")
    parser.add_argument("--cold", action="store_true")
    parser.add_argument("--clear-uv-cache", action="store_true")
    parser.add_argument("--label", default=None,
                        help="saved as matrix-TAG-MODE-LABEL.json (e.g. before, after)")
    arguments = parser.parse_args()
    matrix = load_matrix(ROOT / "suites" / "matrix.toml")
    entries = matrix.select(arguments.tag)
    if arguments.cold:
        for entry in entries:
            shutil.rmtree(ROOT / ".nox" / entry.name, ignore_errors=True)
        if arguments.clear_uv_cache:
            subprocess.run(["uv", "cache", "clean"], check=False)
    cpu_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    completed = subprocess.run(["nox", "-t", arguments.tag], cwd=ROOT)
    wall = time.monotonic() - started
    cpu_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    cores = os.cpu_count() or 1
    rows = []
    joined = {r["env"]["name"]: r for r in load_results(ROOT / matrix.results).results}
    for entry in entries:
        result = joined.get(entry.name, {})
        install = result.get("install") or {}
        timings = result.get("timings") or {}
        steps = (result.get("outcome") or {}).get("steps") or {}
        rows.append({"session": entry.name, "status": result.get("status", "missing"),
                     "install_s": install.get("seconds_this_run"), "reused": install.get("reused"),
                     "import_s": timings.get("import_seconds"), "probe_s": timings.get("probe_seconds"),
                     "probe_process_s": (steps.get("probe") or {}).get("seconds"),
                     "throughput_s": (steps.get("throughput") or {}).get("seconds"),
                     "steps_s": {step: record.get("seconds") for step, record in steps.items()
                                 if record.get("seconds") is not None},
                     "disk_mb": round(disk_bytes(ROOT / ".nox" / entry.name) / 2 ** 20)})
    figures = {"tag": arguments.tag, "mode": "cold" if arguments.cold else "warm",
               "nox_exit": completed.returncode, "wall_s": round(wall, 1), "cpu_s": round(cpu, 1),
               "cores": cores, "cpu_floor_wall_s": round(cpu / cores, 1), "sessions": rows,
               "disk_mb_total": sum(r["disk_mb"] for r in rows)}
    print(f"{'session':<14}{'status':<16}{'install s':>10}{'import s':>10}{'probe s':>10}"
          f"{'process s':>10}{'timing s':>10}{'disk MB':>9}")
    for r in rows:
        print(f"{r['session']:<14}{r['status']:<16}{r['install_s'] or 0:>10.1f}{r['import_s'] or 0:>10.1f}"
              f"{r['probe_s'] or 0:>10.1f}{r['probe_process_s'] or 0:>10.1f}"
              f"{r['throughput_s'] or 0:>10.1f}{r['disk_mb']:>9}")
    print(f"wall {figures['wall_s']} s for {len(rows)} sessions + report ({figures['mode']}); "
          f"CPU {figures['cpu_s']} s on {cores} cores (no schedule beats "
          f"{figures['cpu_floor_wall_s']} s); disk {figures['disk_mb_total']} MB")
    label = f"-{arguments.label}" if arguments.label else ""
    target = ROOT / "benchmarks" / "results" / f"matrix-{arguments.tag}-{figures['mode']}{label}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
