"""The report page as a reader's browser meets it: size, DOMContentLoaded (median and spread of
fresh loads, headless Chromium), elements, height in screens at 1280x800 and 390x844, the first
screen's text and the phone's table cells narrower than their longest word.

  python benchmarks/page_timing.py reports/index.html [OTHER.html ...] [--loads 15] [--save NAME]

Pages given together are loaded interleaved (A B A B ...), so a before/after pair shares the
machine's state; --save writes benchmarks/results/NAME.json.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import statistics
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from page_metrics import CHROMIUM_ARGS, chromium_path, dom_content_loaded_ms, measure_page  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("pages", nargs="+", type=Path)
    parser.add_argument("--loads", type=int, default=15)
    parser.add_argument("--save", help="benchmarks/results/NAME.json")
    arguments = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright
    figures = {}
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        loads = {str(page): [] for page in arguments.pages}
        for _ in range(arguments.loads):
            for page in arguments.pages:
                loads[str(page)].append(dom_content_loaded_ms(browser, page))
        for page in arguments.pages:
            metrics = dataclasses.asdict(measure_page(browser, page))
            times = sorted(loads[str(page)])
            metrics["dom_content_loaded_ms"] = {
                "median": round(statistics.median(times), 1), "min": round(times[0], 1),
                "max": round(times[-1], 1), "loads": len(times)}
            metrics["narrow_cells_phone_count"] = len(metrics["narrow_cells_phone"])
            metrics["narrow_cells_phone"] = metrics["narrow_cells_phone"][:20]
            figures[str(page)] = metrics
        browser.close()
    for page, metrics in figures.items():
        dcl = metrics["dom_content_loaded_ms"]
        print(f"{page}: {metrics['bytes'] / 1e6:.2f} MB, DOMContentLoaded median "
              f"{dcl['median']} ms ({dcl['min']}–{dcl['max']}, {dcl['loads']} loads), "
              f"{metrics['elements']} elements, {metrics['screens_desktop']} screens at 1280 px, "
              f"{metrics['screens_phone']} at 390 px, {metrics['narrow_cells_phone_count']} of "
              f"{metrics['cells_seen_phone']} phone cells narrower than their longest word, "
              f"page overflow {metrics['page_overflow_px']} px")
        print(f"  first screen: {metrics['first_screen'][:600]}")
    if arguments.save:
        out = ROOT / "benchmarks" / "results" / f"{arguments.save}.json"
        out.write_text(json.dumps(figures, indent=1, ensure_ascii=False) + "\n")
        print(f"saved {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
