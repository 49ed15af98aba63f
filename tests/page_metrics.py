"""What a reader meets on the report page, measured in a real browser (Playwright driving
Debian's Chromium): the first screen's text, the page's height in screens, its element count,
and the table cells narrower than their longest word. The browser test pins these; the
benchmark benchmarks/page_timing.py adds the load time (a timing, so never a pass/fail test).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}

# Text of the nodes at least partly inside the first screen, in document order.
FIRST_SCREEN_JS = """() => {
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const parts = [];
  for (let node = walker.nextNode(); node; node = walker.nextNode()) {
    const text = node.textContent.replace(/\\s+/g, " ").trim();
    if (!text) continue;
    const range = document.createRange(); range.selectNodeContents(node);
    const box = range.getBoundingClientRect();
    if (box.height > 0 && box.top < window.innerHeight && box.bottom > 0) parts.push(text);
  }
  return parts.join(" ");
}"""

# Every rendered table cell whose box is narrower than its longest word (in the cell's own
# font): [{"text", "word", "cell_px", "word_px"}]. A cell whose content scrolls in a box of its
# own (pre) counts by its box, not its text.
NARROW_CELLS_JS = """() => {
  const canvas = document.createElement("canvas").getContext("2d");
  const narrow = [];
  let seen = 0;
  for (const cell of document.querySelectorAll("td, th")) {
    if (!cell.offsetParent || cell.getClientRects().length === 0) continue;
    seen += 1;
    const style = getComputedStyle(cell);
    const inner = cell.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    let widest = 0, word = "";
    const walker = document.createTreeWalker(cell, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest("pre") || !parent.getClientRects().length) continue;
      canvas.font = getComputedStyle(parent).font;
      for (const w of node.textContent.split(/\\s+/)) {
        if (!w) continue;
        const px = canvas.measureText(w).width;
        if (px > widest) { widest = px; word = w; }
      }
    }
    if (widest > inner + 1) narrow.push({text: cell.innerText.slice(0, 60), word, cell_px: inner, word_px: widest});
  }
  return {seen, narrow};
}"""


@dataclass(frozen=True)
class PageMetrics:
    bytes: int
    elements: int
    screens_desktop: float  # scrollHeight / 800 at 1280x800, folds closed
    screens_phone: float  # scrollHeight / 844 at 390x844
    page_overflow_px: int  # how far the page scrolls sideways at 390 px
    first_screen: str  # desktop
    first_screen_phone: str
    cells_seen_phone: int
    narrow_cells_phone: list[dict]


def chromium_path() -> str | None:
    return shutil.which("chromium") or shutil.which("chromium-browser")


def measure_page(browser, page_path: Path) -> PageMetrics:
    """Open page_path at desktop and phone sizes in `browser` (a Playwright Browser)."""
    url = page_path.resolve().as_uri()
    desktop = browser.new_page(viewport=DESKTOP)
    desktop.goto(url)
    desktop.wait_for_load_state("load")
    elements = desktop.evaluate("() => document.getElementsByTagName('*').length")
    screens_desktop = desktop.evaluate("() => document.documentElement.scrollHeight") / DESKTOP["height"]
    first_screen = desktop.evaluate(FIRST_SCREEN_JS)
    desktop.close()
    phone = browser.new_page(viewport=PHONE, device_scale_factor=2, is_mobile=True)
    phone.goto(url)
    phone.wait_for_load_state("load")
    screens_phone = phone.evaluate("() => document.documentElement.scrollHeight") / PHONE["height"]
    overflow = phone.evaluate("() => document.documentElement.scrollWidth - window.innerWidth")
    first_screen_phone = phone.evaluate(FIRST_SCREEN_JS)
    cells = phone.evaluate(NARROW_CELLS_JS)
    phone.close()
    return PageMetrics(bytes=page_path.stat().st_size, elements=elements,
                       screens_desktop=round(screens_desktop, 2),
                       screens_phone=round(screens_phone, 2), page_overflow_px=int(overflow),
                       first_screen=first_screen, first_screen_phone=first_screen_phone,
                       cells_seen_phone=cells["seen"], narrow_cells_phone=cells["narrow"])


def dom_content_loaded_ms(browser, page_path: Path) -> float:
    """One fresh load's DOMContentLoaded, in milliseconds since navigation start."""
    page = browser.new_page(viewport=DESKTOP)
    page.goto(page_path.resolve().as_uri())
    page.wait_for_load_state("load")
    value = page.evaluate(
        "() => performance.getEntriesByType('navigation')[0].domContentLoadedEventEnd")
    page.close()
    return float(value)
