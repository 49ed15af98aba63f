"""The report in a real browser (Debian's headless Chromium driven by Playwright): no console
errors, answers and matrix present, the evidence panel opens, hostile text stays text.

CI installs chromium; a missing browser fails this test rather than skipping it.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from initcompat.probe import schema
from initcompat.report.__main__ import main as report_main
from synthetic import cell, glorot_limit, result, uniform

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">"


def chromium() -> str:
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("chromium is not installed (apt-get install chromium); .ci/run installs it")
    return path


@pytest.fixture(scope="module")
def report(tmp_path_factory) -> Path:
    results = tmp_path_factory.mktemp("results")
    limit = glorot_limit(96, 40)
    documents = [
        result("tf-1.15", "1.15.5", [cell("tf.layers", "dense", "kernel", uniform(limit, seed=1)),
                                     cell("tf.layers", "dense", "bias", [0.0] * 4000, "Zeros", shape=(40,))]),
        result("tf-2.21", "2.21.0", [
            cell("tf.layers", "dense", "kernel", status="unavailable", error_type="AttributeError",
                 reason=HOSTILE),
            cell("tf.layers", "dense", "bias", status="unavailable", error_type="AttributeError",
                 reason="module 'tensorflow' has no attribute 'layers'")]),
    ]
    for document in documents:  # as the probe writes them (schema 2 says the file's kind)
        document = dict(document, kind=schema.KIND_RESULT)
        (results / f"{document['env']['name']}.json").write_text(json.dumps(document))
    out = tmp_path_factory.mktemp("report")
    assert report_main([str(results), "--out", str(out)]) == 0
    return out / "index.html"


def test_report_renders_in_chromium_without_console_errors(report):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        page.on("console", lambda m: problems.append(f"console {m.type}: {m.text}")
                if m.type in ("error", "warning") else None)
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        page.on("request", lambda r: problems.append(f"network request: {r.url}")
                if not r.url.startswith(("file:", "data:", "about:")) else None)
        page.goto(report.as_uri())
        assert page.locator("#answers li").count() >= 2
        assert "Glorot uniform" in page.locator("#answers").inner_text()
        assert page.locator("#matrix-table tbody tr").count() == 2
        page.locator("td.cell.ok").first.click()
        panel = page.locator("#evidence")
        assert panel.is_visible() and "Drawn values" in panel.inner_text()
        assert page.locator("#evidence svg rect").count() > 10
        page.select_option("#filter-layer", "dense")
        page.screenshot(path=str(ARTIFACTS / "report-1280.png"), full_page=True)
        page.set_viewport_size({"width": 390, "height": 844})
        page.screenshot(path=str(ARTIFACTS / "report-phone.png"), full_page=False)
        # hostile text from a result file is shown, not executed
        assert page.evaluate("window.__pwned === undefined")
        assert HOSTILE in page.locator("#answers").inner_text()
        browser.close()
    assert problems == []
