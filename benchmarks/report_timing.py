"""Benchmark (not a test): report generation and page load for a 40-version report.

Builds 40 result files by relabelling real results from results/ (or the test fixtures) as
versions 1.0 ... 1.39, with every cell kept, then times `python -m initcompat.report` in-process
(median and spread of 5 runs; the issue's "generated in 3 s"), the same as a fresh command (its
imports included), and, when Chromium is there, the page's DOMContentLoaded and load times in
headless Chromium (Navigation Timing, from the start of navigation). Prints the figures and
saves them to benchmarks/results/report-timing.json.

  python benchmarks/report_timing.py [--source results] [--versions 40]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from initcompat.probe.output import write_json_atomic  # noqa: E402
from initcompat.report.__main__ import main as report_main  # noqa: E402


def make_results(source: Path, target: Path, versions: int, cells: int | None = None) -> int:
    """Write `versions` result files built from the ok results in `source`; returns cells/file."""
    seeds = [json.loads(p.read_text()) for p in sorted(source.glob("*.json"))
             if not p.name.endswith(".pyperf.json")]
    seeds = [s for s in seeds if s.get("status") == "ok" and s.get("cells")]
    if not seeds:
        raise SystemExit(f"no ok results in {source}: run `nox` first")
    most = 0
    for index in range(versions):
        document = json.loads(json.dumps(seeds[index % len(seeds)]))
        if cells:
            document["cells"] = document["cells"][:cells]
        document["env"]["name"] = f"tf-bench-{index:02d}"
        document["env"]["tensorflow"] = f"1.{index}.0"
        most = max(most, len(document["cells"]))
        write_json_atomic(str(target / f"tf-bench-{index:02d}.json"), document)
    return most


def time_generation(results: Path, out: Path, repeats: int) -> tuple[list[float], list[float]]:
    """(wall, CPU) seconds of each in-process run; the CPU time says what the run itself cost
    when other work shares the machine's cores."""
    seconds, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        assert report_main([str(results), "--out", str(out)]) == 0
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return seconds, cpu


def time_command(results: Path, out: Path, repeats: int) -> list[float]:
    """Wall time of the report command as a user runs it: a fresh interpreter, imports included."""
    seconds = []
    for _ in range(repeats):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-m", "initcompat.report", str(results), "--out", str(out)],
                       check=True, capture_output=True, env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
        seconds.append(time.perf_counter() - started)
    return seconds


NAVIGATION = """() => { const n = performance.getEntriesByType('navigation')[0];
    return [n.domContentLoadedEventEnd / 1000, n.loadEventEnd / 1000]; }"""


def time_page_load(index_html: Path, repeats: int) -> tuple[list[float], list[float]] | None:
    """(DOMContentLoaded, load) seconds of each of `repeats` fresh page loads."""
    chromium = shutil.which("chromium")
    if chromium is None:
        return None
    from playwright.sync_api import sync_playwright
    content_loaded, loaded = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium, args=[
            "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run"])
        for _ in range(repeats):
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto(index_html.as_uri(), wait_until="load")
            page.wait_for_function("performance.getEntriesByType('navigation')[0].loadEventEnd > 0")
            dcl, load = page.evaluate(NAVIGATION)
            content_loaded.append(dcl)
            loaded.append(load)
            page.close()
        browser.close()
    return content_loaded, loaded


def summary(values: list[float]) -> dict:
    return {"median_s": round(statistics.median(values), 3), "min_s": round(min(values), 3),
            "max_s": round(max(values), 3), "runs": len(values)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=ROOT / "results")
    parser.add_argument("--versions", type=int, default=40)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--cells", type=int, default=None,
                        help="keep only the first N cells of each result (the issue's size is 60)")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        results, out = Path(scratch) / "results", Path(scratch) / "out"
        results.mkdir()
        cells = make_results(arguments.source, results, arguments.versions, arguments.cells)
        generation = time_generation(results, out, arguments.repeats)
        command = time_command(results, out, min(arguments.repeats, 3))
        size = (out / "index.html").stat().st_size
        page = time_page_load(out / "index.html", arguments.repeats)
    figures = {"versions": arguments.versions, "cells_per_version": cells,
               "generation": summary(generation[0]), "generation_cpu": summary(generation[1]),
               "load_average": [round(v, 2) for v in os.getloadavg()],
               "command_with_imports": summary(command),
               "index_html_bytes": size,
               "dom_content_loaded": summary(page[0]) if page else "no chromium",
               "page_load": summary(page[1]) if page else "no chromium"}
    print(json.dumps(figures, indent=1))
    suffix = f"-{arguments.cells}cells" if arguments.cells else ""
    target = ROOT / "benchmarks" / "results" / f"report-timing{suffix}.json"
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(json.dumps(figures, indent=1) + "\n")


if __name__ == "__main__":
    main()
