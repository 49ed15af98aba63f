"""Packed page content: text gzip-compressed and base64-encoded, so that the page carries its
evidence and its long folds at a tenth of their size and the browser unpacks them only when a
reader opens them (report.js: DecompressionStream, which works on file://). Pure.

What is packed is text the templates already rendered (autoescaped HTML) or JSON the page's code
reads with textContent: packing changes its size, never what it says.
"""

from __future__ import annotations

import base64
import gzip
import json
import re

from markupsafe import Markup


def pack_text(text: str) -> str:
    """gzip (level 9, no timestamp: the same text gives the same bytes) then base64."""
    return base64.b64encode(gzip.compress(text.encode("utf-8"), compresslevel=9, mtime=0)).decode("ascii")


def unpack_text(packed: str) -> str:
    """pack_text's inverse (for tests and tools reading a page)."""
    return gzip.decompress(base64.b64decode(packed)).decode("utf-8")


def pack_markup(markup: Markup | str) -> str:
    """A rendered fragment, packed for a lazy fold (templates/lazy.html.j2)."""
    return pack_text(str(markup))


def pack_json(value) -> str:
    """A JSON document packed for the page's data blocks; the same separators as the page's
    tojson (compact, keys sorted, UTF-8 as is)."""
    return pack_text(json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False))


_FOLD = re.compile(r'data-z="([A-Za-z0-9+/=]*)"(.*?)<div class="lazy-body">.*?</div></details>', re.S)


def unpacked_page(html: str) -> str:
    """The page with every lazy fold's content in place, as a reader who opened every fold (and
    every fold inside them) sees it: for tests and tools that read the page's text."""
    while True:
        replaced = _FOLD.sub(lambda m: m.group(2) + '<div class="lazy-body">'
                             + unpack_text(m.group(1)) + "</div></details>", html, count=1)
        if replaced == html:
            return html
        html = replaced
