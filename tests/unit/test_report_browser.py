"""The report in a real browser (Debian's headless Chromium driven by Playwright): no console
errors; the upgrade view, the sticky matrix header, the matrix's backend and Keras column
filters (and every column without JavaScript), the evidence dialog by keyboard, its URL hash
and the Back button; hostile text stays text; a 390 px phone has no page overflow outside the
matrix and legible charts.

CI installs chromium; a missing browser fails this test rather than skipping it.
"""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import pytest

from initcompat.probe import schema
from initcompat.report.__main__ import main as report_main
from initcompat.report.frame import order_results
from initcompat.report.load import load_results
from initcompat.report.sections import Inputs, build_view
from initcompat.measurements.throughput.section import load_pyperf
from initcompat.report.render import jinja_environment
from initcompat.report.sections.upgrade import causes_between, verdict_between
from initcompat.report.verdict import COUNTED
from synthetic import cell, glorot_limit, result, uniform

# the throughput section's test helpers live with its tests (tests/unit/measurements/throughput/)
sys.path.insert(0, str(Path(__file__).resolve().parent / "measurements" / "throughput"))
from test_throughput_report import CONV, DENSE, PARAMS, write_environment  # noqa: E402

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
MERGE = ROOT / "tests" / "fixtures" / "merge"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
HOSTILE = "<script>window.__pwned = 1</script><img src=x onerror=\"window.__pwned=2\">"
# Environments made from the real fixtures: (name, TensorFlow, fixture it copies). tf-2.21-gpu
# is a variant (same version as tf-2.21).
HISTORY = [("tf-1.15", "1.15.5", "tf-1.15"), ("tf-2.0", "2.0.4", "tf-2.15"),
           ("tf-2.15", "2.15.1", "tf-2.15"), ("tf-2.16", "2.16.2", "tf-2.21"),
           ("tf-2.21", "2.21.0", "tf-2.21"), ("tf-2.21-gpu", "2.21.0", "tf-2.21")]


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


@pytest.fixture(scope="module")
def history(tmp_path_factory) -> tuple[Path, Path]:
    """(index.html, results folder) of six environments made from the real fixtures, with
    throughput files beside them."""
    results = tmp_path_factory.mktemp("history")
    timed = tmp_path_factory.mktemp("timed")
    for index, (name, tensorflow, source) in enumerate(HISTORY):
        document = json.loads((MERGE / f"{source}.json").read_text())
        document["env"].update(name=name, tensorflow=tensorflow)
        (results / f"{name}.json").write_text(json.dumps(document))
        write_environment(timed, name, tensorflow, {DENSE: (0.25 * (1 + index / 10), PARAMS[DENSE]),
                                                    CONV: (0.010, PARAMS[CONV])}, seed=index)
        for suffix in (".throughput.json", ".pyperf.json"):
            shutil.copy(timed / f"{name}{suffix}", results / f"{name}{suffix}")
    out = tmp_path_factory.mktemp("history-report")
    assert report_main([str(results), "--out", str(out)]) == 0
    return out / "index.html", results


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=chromium(), args=CHROMIUM_ARGS)
        yield launched
        launched.close()


class Page:
    """A page that records every console error or warning, page error and network request."""

    def __init__(self, browser, url: str, width: int = 1280, height: int = 900):
        self.problems: list[str] = []
        self.page = browser.new_page(viewport={"width": width, "height": height})
        self.page.on("console", lambda m: self.problems.append(f"console {m.type}: {m.text}")
                     if m.type in ("error", "warning") else None)
        self.page.on("pageerror", lambda e: self.problems.append(f"page error: {e}"))
        self.page.on("request", lambda r: self.problems.append(f"network request: {r.url}")
                     if not r.url.startswith(("file:", "data:", "about:")) else None)
        self.page.goto(url)

    def close(self) -> None:
        self.page.close()
        assert self.problems == []


def open_matrix(page) -> None:
    """Open the matrix's packed fold and wait for report.js to unpack it."""
    page.locator("#matrix-fold > summary").click()
    page.wait_for_selector("#matrix-table tbody tr")


def test_report_renders_in_chromium_without_console_errors(report, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    shown = Page(browser, report.as_uri())
    page = shown.page
    assert "Glorot uniform" in page.locator("#summary").inner_text()
    assert "Glorot uniform" in page.locator("#compat").inner_text()
    assert page.locator("#matrix-table").count() == 0  # packed until a reader opens it
    open_matrix(page)
    assert page.locator("#matrix-table tbody tr").count() == 2
    page.locator("td.ok button.c").first.click()
    dialog = page.locator("#evidence")
    dialog.wait_for(state="visible")
    assert "Drawn values" in dialog.inner_text()
    assert page.locator("#evidence svg rect").count() > 10
    page.keyboard.press("Escape")
    # an unavailable cell opens its reason, from the shared list of reasons, as text
    page.locator("td.na button.c").first.click()
    dialog.wait_for(state="visible")
    assert HOSTILE in dialog.inner_text()
    page.keyboard.press("Escape")
    page.select_option("#filter-layer", "dense")
    page.screenshot(path=str(ARTIFACTS / "report-1280.png"), full_page=True)
    page.set_viewport_size({"width": 390, "height": 844})
    page.screenshot(path=str(ARTIFACTS / "report-phone.png"), full_page=False)
    # hostile text from a result file is shown, not executed
    assert page.evaluate("window.__pwned === undefined")
    shown.close()


def test_the_table_of_contents_links_every_section_and_the_downloads(history, browser):
    shown = Page(browser, history[0].as_uri())
    links = shown.page.locator("nav.toc a")
    targets = [links.nth(i).get_attribute("href") for i in range(links.count())]
    assert targets == ["#compat", "#upgrade", "#propagation", "#porting", "#timeline", "#matrix",
                       "#initializers", "#seeding", "#throughput", "#environments", "#downloads"]
    for target in targets:
        assert shown.page.locator(target).count() == 1
    files = shown.page.locator("#downloads a")
    names = [files.nth(i).get_attribute("href") for i in range(files.count())]
    assert {"cells.csv", "initializers.csv", "seeding.csv", "propagation.csv", "training.csv",
            "porting.csv", "changes.json"} <= set(names)
    for name in names:
        assert (history[0].parent / name).is_file()
    shown.close()


def upgrade_verdicts(results: Path):
    """(view, verdict of a pair): the Python side of the upgrade view (sections.upgrade)."""
    ordered = order_results(load_results(results).results)
    view = build_view(Inputs(ordered, [], load_pyperf(ordered, [results])))
    upgrade = view.upgrade
    # issue 31: each verdict also says which packages moved between the two locks (the
    # fixtures keep their install records) and the causes measured
    return view, lambda first, second: dict(
        verdict_between(upgrade.envs, upgrade.events, first, second, upgrade.backend_events),
        causes=causes_between(upgrade.envs, upgrade.causes, first, second))


def verdict_text(page, said: dict, sentence: str, causes: dict | None = None) -> str:
    """The text the page shows for a verdict rendered from templates/verdict.html.j2 (placed in
    the upgrade section, every fold open), whitespace collapsed."""
    html = str(jinja_environment().get_template("verdict.html.j2").module.verdict_view(
        said, sentence, causes))
    return " ".join(page.evaluate("""html => {
        const box = document.createElement('div'); box.innerHTML = html;
        document.getElementById('upgrade').appendChild(box);
        box.querySelectorAll('details').forEach(d => d.open = true);
        const text = box.innerText; box.remove(); return text; }""", html).split())


def shown_text(page) -> str:
    page.evaluate("() => document.querySelectorAll('#upgrade-result details').forEach(d => d.open = true)")
    return " ".join(page.inner_text("#upgrade-result").split())


def test_the_upgrade_view_shows_a_one_click_pair_grouped_by_kind(history, browser):
    """The view arrives on 2.15 -> 2.16 with its verdict, headline first; each pair's verdict
    that report.js builds says exactly what the Python side (and so `diff`) says."""
    index, results = history
    view, verdict_of = upgrade_verdicts(results)
    shown = Page(browser, index.as_uri())
    page = shown.page
    pairs = page.locator(".pairs button")
    assert [pairs.nth(i).inner_text() for i in range(pairs.count())] == [
        "1.15 → 2.0", "2.15 → 2.16", "2.16 → 2.21 (the two newest)"]
    # 2.15 -> 2.16 is shown on arrival, headline first
    assert pairs.nth(1).get_attribute("aria-pressed") == "true"
    arrival = verdict_of("tf-2.15", "tf-2.16")
    assert page.locator("#upgrade-result .upgrade-summary").inner_text() == arrival["sentence"]
    titles = page.locator("#upgrade-result dl.headline dt")
    assert [titles.nth(i).inner_text() for i in range(4)] == [
        "Default distributions", "Seeding", "Removed APIs", "Shapes"]
    assert arrival["causes"]["moved"].startswith("packages that moved: tensorflow 2.15.1 → ")
    assert shown_text(page) == verdict_text(page, arrival["said"], arrival["sentence"],
                                            arrival["causes"])
    for number, (first, second) in enumerate((("tf-1.15", "tf-2.0"), ("tf-2.16", "tf-2.21"),
                                              ("tf-2.15", "tf-2.16"))):
        pairs.nth((0, 2, 1)[number]).click()
        assert pairs.nth((0, 2, 1)[number]).get_attribute("aria-pressed") == "true"
        assert (page.input_value("#upgrade-from"), page.input_value("#upgrade-to")) == (first, second)
        found = verdict_of(first, second)
        said = found["said"]
        assert shown_text(page) == verdict_text(page, said, found["sentence"], found["causes"])
        counted = [line for line in said["lines"] if line["topic"] in COUNTED]
        assert said["changes"] == len(counted)  # throughput, notes and renames never counted
        # every row a line stands for is one link away
        assert page.locator("#upgrade-result li a code").count() == \
            sum(len(line["rows"]) for line in said["lines"])
        topics = page.locator("#upgrade-result .verdict-topic")
        assert [topics.nth(i).get_attribute("data-topic") for i in range(topics.count())] == \
            [topic["topic"] for topic in said["topics"]]
    # a variant: the CUDA build against its own version
    page.select_option("#upgrade-from", "tf-2.21")
    page.select_option("#upgrade-to", "tf-2.21-gpu")
    found = verdict_of("tf-2.21", "tf-2.21-gpu")
    assert shown_text(page) == verdict_text(page, found["said"], found["sentence"],
                                            found["causes"])
    # the same environment twice: nothing
    page.select_option("#upgrade-from", "tf-2.15")
    page.select_option("#upgrade-to", "tf-2.15")
    assert "nothing differs" in page.locator("#upgrade-result").inner_text()
    assert page.locator("#upgrade-result .verdict-topic").count() == 0
    # a weight in the list opens its evidence
    pairs.nth(0).click()
    page.locator("#upgrade-result [data-topic=seeding] details.rows summary").first.click()
    link = page.locator("#upgrade-result [data-topic=seeding] a[data-cell]:visible").first
    link.click()
    page.wait_for_selector("#evidence", state="visible")  # the data block unpacks first
    page.keyboard.press("Escape")
    shown.close()


def test_the_matrix_header_and_row_labels_stay_visible_while_it_scrolls(history, browser):
    shown = Page(browser, history[0].as_uri(), height=700)
    page = shown.page
    open_matrix(page)
    page.locator("#matrix-scroll").scroll_into_view_if_needed()
    scroller = page.locator("#matrix-scroll")
    # it does scroll (once on screen the browser lays it out: content-visibility: auto)
    page.wait_for_function("(e => e.scrollHeight > e.clientHeight + 200)"
                           "(document.getElementById('matrix-scroll'))")
    scroller.evaluate("e => { e.scrollTop = 400; e.scrollLeft = 250; }")
    page.wait_for_timeout(50)
    box = scroller.bounding_box()
    header = page.locator("#matrix-table thead th").nth(2).bounding_box()
    assert abs(header["y"] - box["y"]) <= 2  # stuck to the top of the scrolled matrix
    row_label = page.locator("#matrix-table tbody th.rowhead").nth(8).bounding_box()
    assert abs(row_label["x"] - box["x"]) <= 2  # stuck to its left edge
    # the legend explains every colour and tag the cells use
    legend = page.locator("#matrix .legend").inner_text()
    for words in ("measured", "unavailable", "changed", "renamed", "variant", "fit ✓", "fit ✗",
                  "seed A"):
        assert words in legend
    shown.close()


def test_filters_are_one_entry_per_layer_kind_whatever_its_case(history, browser):
    shown = Page(browser, history[0].as_uri())
    page = shown.page
    open_matrix(page)
    options = page.locator("#filter-layer option")
    labels = [options.nth(i).inner_text() for i in range(options.count())]
    assert len({label.casefold() for label in labels}) == len(labels)
    assert "Dense" in labels and "dense" not in labels
    page.select_option("#filter-layer", "dense")
    visible = page.locator("#matrix-table tbody tr:not(.hidden)")
    families = {visible.nth(i).get_attribute("data-family") for i in range(visible.count())}
    assert len(families) >= 3  # tf.layers' dense and Keras' Dense rows both
    assert {visible.nth(i).get_attribute("data-kind") for i in range(visible.count())} == {"dense"}
    shown.close()


def test_the_evidence_dialog_by_keyboard_returns_focus_and_follows_the_hash(history, browser):
    shown = Page(browser, history[0].as_uri())
    page = shown.page
    open_matrix(page)
    cells = page.locator("#matrix-table td.ok button.c")
    dialog = page.locator("#evidence")
    for key, number in (("Enter", 0), ("Space", 5)):
        cells.nth(number).focus()
        page.keyboard.press(key)
        dialog.wait_for(state="visible")  # the evidence is unpacked on the first open
        assert page.evaluate("document.activeElement.closest('dialog') !== null")  # focus moved in
        assert page.evaluate("location.hash").startswith("#c-")
        stats = page.locator("#evidence table.stats th")
        assert [stats.nth(i).inner_text() for i in range(1, 8)] == [
            "mean", "std", "min", "max", "skewness", "excess kurtosis", "n"]
        page.keyboard.press("Escape")
        assert not dialog.is_visible()
        # closing goes back in history, which updates the hash asynchronously: wait for it
        page.wait_for_function("location.hash === ''", timeout=5000)
        assert cells.nth(number).evaluate("b => b === document.activeElement")  # focus is back
    # the close button closes it too
    cells.nth(1).click()
    dialog.wait_for(state="visible")
    page.locator("#evidence-close").click()
    assert not dialog.is_visible()
    page.wait_for_function("location.hash === ''", timeout=5000)
    shown.close()


def test_back_closes_the_evidence_and_a_link_to_a_cell_opens_it(history, browser):
    shown = Page(browser, history[0].as_uri())
    page = shown.page
    open_matrix(page)
    cells = page.locator("#matrix-table tr[data-role=kernel] td.ok button.c")
    cells.nth(2).click()
    page.locator("#evidence").wait_for(state="visible")
    opened = page.evaluate("location.hash")
    assert page.locator("#evidence").is_visible() and opened.startswith("#c-")
    page.go_back()
    page.wait_for_function("!document.getElementById('evidence').open")
    assert page.evaluate("location.hash") == ""
    assert page.url.startswith(history[0].as_uri())  # Back closed the dialog, stayed on the page
    page.go_forward()
    page.wait_for_function("document.getElementById('evidence').open")
    page.keyboard.press("Escape")
    # a link to a cell (shared, bookmarked) opens its evidence; closing it stays on the page
    linked = Page(browser, history[0].as_uri() + opened)
    linked.page.locator("#evidence").wait_for(state="visible")  # from the data, matrix unopened
    histogram = linked.page.locator("#evidence svg text")
    axis = " ".join(histogram.nth(i).text_content() for i in range(histogram.count()))
    assert "drawn weight value" in axis and "values per bin (count)" in axis
    linked.page.keyboard.press("Escape")
    linked.page.wait_for_function("location.hash === ''", timeout=5000)
    assert linked.page.url.startswith(history[0].as_uri())
    linked.close()
    shown.close()


def test_a_390_px_phone_has_no_page_overflow_outside_the_matrix_and_legible_charts(history, browser):
    ARTIFACTS.mkdir(exist_ok=True)
    shown = Page(browser, history[0].as_uri(), width=390, height=844)
    page = shown.page
    page.wait_for_selector("#upgrade-result .upgrade-summary")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    outside = page.evaluate("""() => Array.from(document.body.querySelectorAll('*'))
        .filter(e => !e.closest('.scroll, .matrix-scroll, dialog, svg'))
        .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1)
        .map(e => e.tagName + '.' + e.className).slice(0, 5)""")
    assert outside == []
    charts = page.locator("#throughput svg.tp-chart")
    assert charts.count() >= 2
    for i in range(charts.count()):  # chart text >= 9.5 px on screen: font size x the SVG's scale
        text_px = charts.nth(i).evaluate(
            "s => parseFloat(getComputedStyle(s.querySelector('text')).fontSize)"
            " * s.getBoundingClientRect().width / s.viewBox.baseVal.width")
        assert text_px >= 9.5
    page.screenshot(path=str(ARTIFACTS / "report-phone-history.png"), full_page=False)
    open_matrix(page)
    page.locator("#matrix-table td.ok button.c").first.click()
    page.locator("#evidence").wait_for(state="visible")
    assert page.locator("#evidence").evaluate("d => d.getBoundingClientRect().width") <= 390
    page.keyboard.press("Escape")
    shown.close()


def test_upgrade_view_compares_one_keras_release_across_backends_and_refuses_others(
        tmp_path, browser):
    """The page's JS mirrors events_between: Keras 3.15 on jax and torch shows the backend
    comparison's verdict; Keras 3.14 jax against 3.15 torch says they are not compared."""
    from test_backends import LIMIT, dense, keras
    from synthetic import normal, uniform
    documents = [keras("keras-3.14-jax", "3.14.0", "jax", dense(uniform(LIMIT, seed=3))),
                 keras("keras-3.15-jax", "3.15.1", "jax", dense(uniform(LIMIT, seed=1))),
                 keras("keras-3.15-torch", "3.15.1", "torch",
                       dense(normal(LIMIT / 3 ** 0.5, seed=2)))]
    results = tmp_path / "results"
    results.mkdir()
    for document in documents:
        (results / f"{document['env']['name']}.json").write_text(json.dumps(document))
    out = tmp_path / "report"
    assert report_main([str(results), "--out", str(out)]) == 0
    shown = Page(browser, (out / "index.html").as_uri())
    page = shown.page
    page.select_option("#upgrade-from", "keras-3.15-jax")
    page.select_option("#upgrade-to", "keras-3.15-torch")
    summary = page.locator("#upgrade-result .upgrade-summary").inner_text()
    assert summary == "2 behaviour changes from Keras 3.15 · jax to Keras 3.15 · torch.", summary
    topics = page.locator("#upgrade-result .verdict-topic")
    assert [topics.nth(i).get_attribute("data-topic") for i in range(topics.count())] == \
        ["defaults", "seeding"]  # the draw, and with it the seeded bytes
    page.select_option("#upgrade-from", "keras-3.14-jax")
    assert "backends only for the same Keras release" in page.locator("#upgrade-result").inner_text()
    shown.close()


@pytest.fixture(scope="module")
def backends(tmp_path_factory) -> Path:
    """index.html of TF 1.15, 2.16 (Keras 3.3) and 2.21 (Keras 3.13), whose keras Dense kernel
    changes from 2.16 to 2.21, beside Keras sessions 3.14 jax, 3.15 jax and 3.15 torch."""
    from test_backends import LIMIT, dense, keras
    from synthetic import normal
    gone = {"status": "unavailable", "error_type": "AttributeError", "reason": "no tf.layers"}
    documents = [
        result("tf-1.15", "1.15.5", [cell("tf.layers", "dense", "kernel", uniform(LIMIT, seed=6))]),
        result("tf-2.16", "2.16.2", [cell("tf.layers", "dense", "kernel", **gone),
                                     cell("keras", "dense", "kernel", uniform(LIMIT, seed=4))]),
        result("tf-2.21", "2.21.0", [cell("tf.layers", "dense", "kernel", **gone),
                                     cell("keras", "dense", "kernel",
                                          normal(LIMIT / 3 ** 0.5, seed=5))]),
        keras("keras-3.14-jax", "3.14.0", "jax", dense(uniform(LIMIT, seed=3))),
        keras("keras-3.15-jax", "3.15.1", "jax", dense(uniform(LIMIT, seed=1))),
        keras("keras-3.15-torch", "3.15.1", "torch", dense(normal(LIMIT / 3 ** 0.5, seed=2)))]
    documents[1]["installed"]["packages"]["keras"] = "3.3.3"
    documents[2]["installed"]["packages"]["keras"] = "3.13.2"
    results = tmp_path_factory.mktemp("backends")
    for document in documents:
        (results / f"{document['env']['name']}.json").write_text(json.dumps(document))
    out = tmp_path_factory.mktemp("backends-report")
    assert report_main([str(results), "--out", str(out)]) == 0
    return out / "index.html"


SHOWN = "const shown = e => getComputedStyle(e).display !== 'none';"


def shown_columns(page) -> list[str]:
    """data-env of each matrix column header the page displays."""
    return page.evaluate("() => {" + SHOWN + """ return Array.from(document.querySelectorAll(
        '#matrix-table thead th[data-env]')).filter(shown).map(th => th.dataset.env); }""")


def shown_rows(page) -> list[tuple[str, int]]:
    """(family, displayed cells) of each matrix row the page displays."""
    return [tuple(found) for found in page.evaluate("() => {" + SHOWN + """
        return Array.from(document.querySelectorAll('#matrix-table tbody tr')).filter(shown)
            .map(tr => [tr.dataset.family, Array.from(tr.cells).slice(1).filter(shown).length]);
        }""")]


def test_the_backend_and_keras_filters_keep_one_backends_or_releases_columns(backends, browser):
    everything = ["tf-1.15", "tf-2.16", "tf-2.21", "keras-3.14-jax", "keras-3.15-jax",
                  "keras-3.15-torch"]
    shown = Page(browser, backends.as_uri())
    page = shown.page
    open_matrix(page)
    options = page.locator("#filter-backend option")
    assert [options.nth(i).inner_text() for i in range(options.count())] == [
        "all", "tensorflow", "jax", "torch"]
    options = page.locator("#filter-keras option")
    assert [options.nth(i).inner_text() for i in range(options.count())] == [
        "all", "3.3", "3.13", "3.14", "3.15"]
    assert shown_columns(page) == everything
    page.select_option("#filter-backend", "jax")
    assert shown_columns(page) == ["keras-3.14-jax", "keras-3.15-jax"]
    # tf.layers has no cell in a Keras session: its row goes, the keras row keeps 2 cells
    assert shown_rows(page) == [("keras", 2)]
    page.select_option("#filter-keras", "3.15")
    assert shown_columns(page) == ["keras-3.15-jax"]
    page.select_option("#filter-backend", "")
    assert shown_columns(page) == ["keras-3.15-jax", "keras-3.15-torch"]
    page.select_option("#filter-keras", "")
    page.select_option("#filter-backend", "tensorflow")
    assert shown_columns(page) == ["tf-1.15", "tf-2.16", "tf-2.21"]
    assert shown_rows(page) == [("tf.layers", 3), ("keras", 3)]
    # "only rows that changed" reads the shown columns: the keras kernel changed in TF 2.21
    page.check("#filter-changed")
    assert shown_rows(page) == [("keras", 3)]
    page.select_option("#filter-backend", "jax")
    assert shown_rows(page) == []
    page.select_option("#filter-backend", "")
    assert shown_rows(page) == [("keras", 6)]
    page.uncheck("#filter-changed")
    assert shown_columns(page) == everything and len(shown_rows(page)) == 2
    # a phone: the filters wrap, nothing outside the matrix widens the page
    page.set_viewport_size({"width": 390, "height": 844})
    page.select_option("#filter-backend", "torch")
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    assert shown_columns(page) == ["keras-3.15-torch"]
    shown.close()


def test_without_javascript_the_answer_and_the_table_are_there_and_the_folds_say_why_not(
        backends, browser):
    """Packed folds need JavaScript (DecompressionStream); the first screen and the
    compatibility table do not, and a closed packed fold says where the same data is."""
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(backends.as_uri())
    assert "Glorot uniform" in page.locator("#summary").inner_text()
    assert page.locator("#compat table.compat-table").count() >= 1
    page.locator("#matrix-fold > summary").click()
    assert "cells.csv" in page.locator("#matrix-fold").inner_text()
    context.close()


def test_a_reader_finds_the_answer_on_the_first_screen_and_every_table_reads_on_a_phone(
        history, browser):
    """Issue 27's page figures on six real environments: the seed question answered on the
    first 1280x800 screen; at 390 px no table cell narrower than its longest word and nothing
    wider than the screen; folds closed, a light page (the full-matrix figures, with load
    times, come from benchmarks/page_timing.py)."""
    from page_metrics import measure_page
    metrics = measure_page(browser, history[0])
    for words in ("tf.layers.dense", "tf.keras.layers.Dense", "Glorot uniform",
                  "uniform on ±√(6/(fan_in+fan_out))", "zeros"):
        assert words in metrics.first_screen, words
    assert "tf.layers.dense" in metrics.first_screen_phone
    assert metrics.narrow_cells_phone == [], metrics.narrow_cells_phone[:5]
    assert metrics.cells_seen_phone > 20  # it did look at tables
    assert metrics.page_overflow_px <= 0
    assert metrics.screens_desktop <= 30 and metrics.elements <= 40_000
    assert metrics.bytes <= 2_000_000
