"""Estimate (not a measurement): the wall time of a selection on N cores, from per-step CPU seconds.

  python benchmarks/cores_estimate.py CPU_RESULTS [--walls WALL_RESULTS] [--tag default]
                                      [--tag history] [--cores 2 8 16] [--save NAME]

CPU_RESULTS is a run's results folder whose outcome files carry each step's CPU seconds (the
runner records them: user + system of the step and every process it waited for). Environments
of a selection that this run did not measure take their steps' CPU seconds from WALL_RESULTS
(the full-matrix run's outcome files, wall seconds only), scaled per step by the CPU/wall ratio
of the environments both runs measured; the throughput step's wall seconds (it always runs
alone, on one core: pyperf's workers run one after another) are scaled by the ratio of the two
runs' throughput walls on those environments (other work shared the machine with the
full-matrix run); an install takes the median fresh install of CPU_RESULTS (its install
records' install_seconds: a rerun reuses the environment).

The schedule is modelled as `nox -j auto` runs it: N sessions at once; in each, the install
(one core), the probe, the measurement steps side by side, then the throughput step, which
runs alone (nothing else of any session runs while it times); the report after every session.
The cores are shared among the running steps, each using at most MAX_STEP_CORES (the steps'
CPU/wall when measured alone: TensorFlow uses about two cores in these steps). Checked against
the measured wall time of the CPU_RESULTS run on this machine's cores (printed beside it).
Prints a table; saves benchmarks/results/cores-estimate-NAME.json.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from initcompat.host.matrix import load_matrix  # noqa: E402

MEASUREMENT_STEPS = ("initializers", "seeding", "propagation", "porting")
MAX_STEP_CORES = 2.0  # a step's CPU/wall alone (probe 1.0-1.6, propagation 1.6-1.9: rounded up)
TICK = 0.1  # seconds of simulated time per step of the model
REPORT_SECONDS = 11.0  # the report session on the default selection (fresh clone, measured)


def outcome_steps(results: Path) -> dict[str, dict]:
    """{environment: its outcome's steps} for every outcome file in `results`."""
    found = {}
    for path in sorted(results.glob("*.outcome.json")):
        document = json.loads(path.read_text())
        found[document["env"]["name"]] = document.get("steps") or {}
    return found


def step_seconds(step: dict | None, key: str) -> float | None:
    value = (step or {}).get(key)
    return float(value) if isinstance(value, (int, float)) and (step or {}).get(
        "status") == "ok" else None


def cpu_ratios(cpu_runs: dict, wall_runs: dict) -> dict[str, float]:
    """Per step: sum of CPU seconds (CPU run) / sum of wall seconds (wall run) over the
    environments both measured; for the throughput step, wall over wall."""
    ratios = {}
    for step in ("probe", *MEASUREMENT_STEPS, "throughput"):
        cpu = wall = 0.0
        for name, steps in cpu_runs.items():
            c = step_seconds(steps.get(step), "seconds" if step == "throughput" else "cpu_seconds")
            w = step_seconds(wall_runs.get(name, {}).get(step), "seconds")
            if c is not None and w:
                cpu, wall = cpu + c, wall + w
        ratios[step] = cpu / wall if wall else 1.0
    return ratios


def session_plan(name: str, cpu_runs: dict, wall_runs: dict, ratios: dict,
                 install_seconds: float) -> list[tuple[str, float]] | None:
    """[(phase, amount)]: ("one", wall s on one core), ("work", CPU s; several steps as one
    phase with a core cap of MAX_STEP_CORES each), ("alone", wall s with the machine to itself);
    None when neither run measured the environment."""
    if name in cpu_runs:
        steps = cpu_runs[name]
        cpu = lambda step: step_seconds(steps.get(step), "cpu_seconds")  # noqa: E731
        throughput = step_seconds(steps.get("throughput"), "seconds")
    elif name in wall_runs:
        steps = wall_runs[name]
        cpu = lambda step: (None if step_seconds(steps.get(step), "seconds") is None  # noqa: E731
                            else step_seconds(steps.get(step), "seconds") * ratios[step])
        throughput = step_seconds(steps.get("throughput"), "seconds")
        throughput = throughput and throughput * ratios["throughput"]
    else:
        return None
    plan = [("one", install_seconds), ("work:1", cpu("probe") or 0.0)]
    measured = [cpu(step) for step in MEASUREMENT_STEPS if cpu(step)]
    if measured:
        plan.append((f"work:{len(measured)}", sum(measured)))
    if throughput:
        plan.append(("alone", throughput))
    return plan


def simulate(plans: list[list[tuple[str, float]]], cores: int) -> float:
    """Seconds until every session's plan is done, `cores` sessions at once (nox -j auto)."""
    waiting = [list(plan) for plan in plans]
    running: list[list[tuple[str, float]]] = []
    clock = 0.0
    while waiting or running:
        while waiting and len(running) < cores:
            running.append(waiting.pop(0))
        alone = [plan for plan in running if plan[0][0] == "alone"]
        if alone:  # the throughput step: nothing else runs while it times
            active = {id(alone[0]): 1.0}
        else:
            demands = {}
            for plan in running:
                kind = plan[0][0]
                demands[id(plan)] = 1.0 if kind == "one" else MAX_STEP_CORES * int(kind[5:])
            active = share(demands, cores)
        for plan in running:
            rate = active.get(id(plan), 0.0)
            phase, amount = plan[0]
            left = amount - TICK * rate
            plan[0] = (phase, left)
            if left <= 0:
                plan.pop(0)
        running = [plan for plan in running if plan]
        clock += TICK
    return clock + REPORT_SECONDS


def share(demands: dict, cores: float) -> dict:
    """Water-filling: each gets an equal share of the cores, at most its demand."""
    given, left, open_ = {}, float(cores), dict(demands)
    while open_ and left > 1e-9:
        each = left / len(open_)
        capped = {key: need for key, need in open_.items() if need <= each}
        if not capped:
            given.update({key: each for key in open_})
            return given
        for key, need in capped.items():
            given[key] = need
            left -= need
            del open_[key]
    return given


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cpu_results", type=Path)
    parser.add_argument("--walls", type=Path, help="outcome files with wall seconds (full matrix)")
    parser.add_argument("--tag", action="append", help="selections (default: default, history)")
    parser.add_argument("--cores", type=int, nargs="+", default=[2, 8, 16])
    parser.add_argument("--measured-wall", type=float,
                        help="the CPU_RESULTS run's measured wall seconds, shown beside its model")
    parser.add_argument("--save")
    arguments = parser.parse_args()
    matrix = load_matrix(ROOT / "suites" / "matrix.toml")
    cpu_runs = outcome_steps(arguments.cpu_results)
    wall_runs = outcome_steps(arguments.walls) if arguments.walls else {}
    ratios = cpu_ratios(cpu_runs, wall_runs) if wall_runs else {}
    installs = [json.loads(path.read_text()).get("install_seconds")
                for path in arguments.cpu_results.glob("*.install.json")]
    install_seconds = statistics.median([s for s in installs if s] or [0.0])
    rows = []
    for tag in arguments.tag or ["default", "history"]:
        names = [entry.name for entry in matrix.select(tag)]
        plans = {name: session_plan(name, cpu_runs, wall_runs, ratios, install_seconds)
                 for name in names}
        known = [plan for plan in plans.values() if plan]
        cpu_total = sum(amount for plan in known for phase, amount in plan
                        if phase.startswith("work"))
        row = {"selection": tag, "sessions": len(names), "modelled": len(known),
               "from_cpu_run": sum(name in cpu_runs for name in names),
               "step_cpu_s": round(cpu_total, 1),
               "throughput_s": round(sum(a for p in known for ph, a in p if ph == "alone"), 1),
               "wall_s": {str(n): round(simulate(known, n), 1) for n in arguments.cores}}
        rows.append(row)
        print(f"{tag}: {row['modelled']} of {row['sessions']} sessions modelled "
              f"({row['from_cpu_run']} from the CPU run), step CPU {row['step_cpu_s']} s, "
              f"throughput alone {row['throughput_s']} s; wall: "
              + ", ".join(f"{n} cores {w} s" for n, w in row["wall_s"].items()))
    if arguments.measured_wall:
        print(f"measured wall of the CPU run: {arguments.measured_wall} s")
    if arguments.save:
        saved = ROOT / "benchmarks" / "results" / f"cores-estimate-{arguments.save}.json"
        saved.write_text(json.dumps({
            "model": __doc__.split("\n\n")[2].replace("\n", " "),
            "cpu_results": str(arguments.cpu_results), "walls": str(arguments.walls),
            "cpu_per_wall_ratios": {k: round(v, 3) for k, v in ratios.items()},
            "install_seconds": install_seconds, "measured_wall_s": arguments.measured_wall,
            "selections": rows}, indent=1) + "\n")
        print(f"saved {saved.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
