"""Benchmark (not a test): the README's main command in a fresh clone, per commit, and again.

  python benchmarks/fresh_clone.py BEFORE_COMMIT AFTER_COMMIT [--command "nox -j auto"]
                                   [--repeat N] [--save NAME] [--work /tmp/initcompat-fresh]

For each commit, in the order given: a fresh `git clone` of this repository at that commit (no
`.nox`, no results: every environment is created from uv's cache, which is left warm), then the
command (wall time, and the CPU seconds, user + system, of it and every process it waited for),
then the same command again at once with nothing changed (the rerun). The commits' results
folders are compared with benchmarks/same_results.py (same report events). Both commits are
measured in one invocation, back to back, so they share the machine's state; with --repeat N the
commits alternate N times (before, after, before, after, ...) and the table gives each one's
median with its range. The load average before each command is recorded beside it. Prints a
table; saves benchmarks/results/fresh-clone-NAME.json.
"""

from __future__ import annotations

import argparse
import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def timed(command: list[str], cwd: Path, log: Path) -> dict:
    """Wall and CPU (user + system of the command and every process it waited for)."""
    started = time.monotonic()
    load = os.getloadavg()[0]
    with open(log, "w") as output:
        process = subprocess.Popen(command, cwd=cwd, stdout=output, stderr=subprocess.STDOUT)
        _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    return {"exit": process.returncode, "wall_s": round(time.monotonic() - started, 1),
            "user_s": round(usage.ru_utime, 1), "sys_s": round(usage.ru_stime, 1),
            "cpu_s": round(usage.ru_utime + usage.ru_stime, 1), "load_before": round(load, 2)}


def session_lines(log: Path) -> list[str]:
    """The nox lines that end a probe session (its status and step times)."""
    return [line.strip() for line in log.read_text(errors="replace").splitlines()
            if ": ok (" in line or "Session " in line and (" was successful" in line
                                                         or " failed" in line)]


def spread(values: list[float]) -> dict:
    """Median, lowest and highest of a commit's runs."""
    return {"median": round(statistics.median(values), 1), "min": min(values),
            "max": max(values), "n": len(values)}


def shown(figure: dict) -> str:
    if figure["n"] == 1:
        return f"{figure['median']}"
    return f"{figure['median']} ({figure['min']}-{figure['max']})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("commits", nargs="+")
    parser.add_argument("--command", default="nox -j auto")
    parser.add_argument("--work", type=Path, default=Path("/tmp/initcompat-fresh"))
    parser.add_argument("--repeat", type=int, default=1, help="alternate the commits N times")
    parser.add_argument("--save", help="write benchmarks/results/fresh-clone-NAME.json")
    arguments = parser.parse_args()
    command = shlex.split(arguments.command)
    runs = []
    for commit in arguments.commits * arguments.repeat:
        sha = subprocess.run(["git", "rev-parse", "--short", commit], cwd=ROOT, check=True,
                             capture_output=True, text=True).stdout.strip()
        clone = arguments.work / sha
        shutil.rmtree(clone, ignore_errors=True)
        clone.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(["git", "clone", "--quiet", str(ROOT), str(clone)], check=True)
        subprocess.run(["git", "checkout", "--quiet", sha], cwd=clone, check=True)
        fresh = timed(command, clone, clone.parent / f"{sha}.fresh.log")
        print(f"{sha} fresh clone: {fresh}", flush=True)
        again = timed(command, clone, clone.parent / f"{sha}.rerun.log")
        print(f"{sha} again, nothing changed: {again}", flush=True)
        runs.append({"commit": sha, "command": arguments.command, "fresh_clone": fresh,
                     "rerun": again,
                     "sessions_fresh": session_lines(clone.parent / f"{sha}.fresh.log"),
                     "sessions_rerun": session_lines(clone.parent / f"{sha}.rerun.log")})
    same = None
    if len(runs) >= 2:
        first, last = (arguments.work / run["commit"] / "results" for run in (runs[0], runs[-1]))
        compared = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "same_results.py"),
                                   str(first), str(last)], capture_output=True, text=True)
        same = {"exit": compared.returncode, "output_tail": compared.stdout[-3000:]}
        print(compared.stdout[-3000:])
    summary = {}
    for commit in dict.fromkeys(run["commit"] for run in runs):
        mine = [run for run in runs if run["commit"] == commit]
        summary[commit] = {f"{phase}_{what}": spread([run[phase][what] for run in mine])
                           for phase in ("fresh_clone", "rerun") for what in ("wall_s", "cpu_s")}
    print(f"{'commit':10} {'fresh wall':>18} {'fresh CPU':>18} {'rerun wall':>18} {'rerun CPU':>18}")
    for commit, figures in summary.items():
        print(f"{commit:10} " + " ".join(f"{shown(figures[key]):>18}" for key in (
            "fresh_clone_wall_s", "fresh_clone_cpu_s", "rerun_wall_s", "rerun_cpu_s")))
    if arguments.save:
        saved = ROOT / "benchmarks" / "results" / f"fresh-clone-{arguments.save}.json"
        saved.write_text(json.dumps({
            "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
            "cores": os.cpu_count(), "summary": summary, "runs": runs, "same_results": same},
            indent=1) + "\n")
        print(f"saved {saved.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
