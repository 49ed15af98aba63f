"""Hostile strings in result files and file names render as text, never as markup: in the HTML
(parsed with html.parser, and in headless Chromium) and in the CSV."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import tempfile
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from initcompat.probe import schema
from initcompat.report.__main__ import main as report_main
from initcompat.report.load import upgrade_0_to_1
from initcompat.report.packed import unpack_text, unpacked_page

ROOT = Path(__file__).resolve().parents[2]
OLD_FORMAT = ROOT / "tests" / "fixtures" / "old-format" / "tf-1.15-schema0.json"
CHROMIUM = "/usr/bin/chromium"

# Payloads that would leave a mark on the page if they ever ran, and the classic alert ones.
PWN_SCRIPT = "<script>document.documentElement.setAttribute('data-pwned','script')</script>"
PWN_IMG = "\"><img src=x onerror=\"document.documentElement.setAttribute('data-pwned','img')\">"
ALERT_SCRIPT = "<script>alert(1)</script>"
ALERT_IMG = '"><img src=x onerror=alert(1)>'
QUOTES = "it's \"quoted\" & <b>bold</b>\nsecond line\r\n\ttab"
LONG = "A" * 100_000 + ALERT_SCRIPT
# Every attribute the templates write; a name outside it would be markup from a result file.
ATTRIBUTE_NAMES = {"lang", "charset", "name", "content", "class", "id", "title", "href", "type",
                   "value", "selected", "scope", "colspan", "rowspan", "role", "style",
                   "data-cell", "data-key", "data-env", "data-family", "data-kind", "data-role",
                   "data-backend", "data-keras",
                   "data-changed", "data-r", "data-first", "data-second", "aria-live",
                   "aria-label", "aria-labelledby", "aria-pressed", "aria-hidden",
                   "viewbox", "xmlns", "width", "height", "x", "y", "x1", "x2", "y1", "y2", "cx",
                   "cy", "r", "points", "fill", "stroke", "stroke-width", "stroke-dasharray",
                   "text-anchor", "transform",
                   # packed folds (report/packed.py) and the views that use them
                   "data-z", "data-holds", "data-label", "data-topic"}


def page_data(page: "Elements") -> dict:
    """The page's one data block (report-data: packed JSON), unpacked and parsed."""
    return json.loads(unpack_text(page.script_text[0]))


def evidence_items(data: dict) -> dict:
    """Cell id -> evidence with its long field names and shared strings resolved, as report.js
    reads it."""
    matrix = data["matrix"]
    fields, strings = matrix["fields"], matrix["strings"]
    shared = {"initializer", "module", "config", "held_by_layer", "resolved_by", "fan_source",
              "theory", "seed_call", "error_type", "graph_evidence"}

    def long(value):
        if not isinstance(value, dict):
            return value
        named = {fields[k]: long(v) for k, v in value.items()}
        return {k: strings[v] if k in shared and isinstance(v, int) else v for k, v in named.items()}

    def item(raw):
        found = long(raw)
        return dict(long(matrix["profiles"][found.pop("profile")]), **found)

    return {key + env: item(raw) for key, row in matrix["cells"].items()
            for env, raw in row.items()}


def hostile_results(folder: Path) -> dict:
    """Results and rejected files full of hostile text; returns where each payload went."""
    base = upgrade_0_to_1(json.loads(OLD_FORMAT.read_text()))
    good = json.loads(json.dumps(base))
    good["env"].update(name="tf-2.15", tensorflow="2.15.1", resolution=ALERT_IMG)
    ok = next(c for c in good["cells"] if c["status"] == "ok" and c["layer_kind"] == "dense"
              and c["weight_role"] == "kernel")
    ok["layer"] = PWN_IMG
    ok["initializer"].update(class_name=ALERT_IMG, held_by_layer=PWN_SCRIPT,
                             config={"mode": PWN_SCRIPT, "scale": QUOTES, "note": LONG,
                                     PWN_IMG: "key"})
    unavailable = next(c for c in good["cells"] if c["status"] != "ok")
    unavailable.update(reason=PWN_SCRIPT + "\n" + LONG, error_type=PWN_IMG)
    good["install"]["pins"] = [{"spec": PWN_SCRIPT, "reason": ALERT_IMG}]
    good["install"]["exclude_newer"] = "2024-03-10" + PWN_SCRIPT
    good["platform"]["python"] = "3.11" + QUOTES
    # a Keras release that differs between the versions: the matrix's Keras filter shows it
    good.setdefault("installed", {}).setdefault("packages", {})["keras"] = "2.15.0" + ALERT_IMG
    (folder / "tf-2.15.json").write_text(json.dumps(good))

    # the same cells in a second version so the change/timeline code sees hostile text too
    second = json.loads(json.dumps(good))
    second["env"].update(name="tf-2.16", tensorflow="2.16.1")
    second["installed"]["packages"]["keras"] = "3.0.5"
    # the unavailable weight is measured in 2.16, so the matrix shows its row and 2.15's reason
    donor = json.loads(json.dumps(ok))
    donor.update({key: unavailable[key] for key in ("api_family", "legacy_keras", "layer",
                                                     "layer_kind", "weight_role")})
    second["cells"][good["cells"].index(unavailable)] = donor
    (folder / "tf-2.16.json").write_text(json.dumps(second))

    # seeding files of both versions: hostile family, method, call, reason and warning text,
    # a status that changes between them (a timeline event) and bytes of a reproducible stream
    for name, status in (("tf-2.15", "reproducible"), ("tf-2.16", "error")):
        records = [{"family": PWN_IMG, "method": PWN_SCRIPT, "target": QUOTES, "status": status,
                    "call": ALERT_SCRIPT, "reason": PWN_SCRIPT + "\n" + LONG,
                    "warning": "=cmd|' /C calc'!A0 " + ALERT_IMG, "sha256": "ab" * 32,
                    "first_values": [0.5, -0.25], "cross_process_identical": True,
                    "repeat_identical": True, "backend": ALERT_IMG, "keras_version": QUOTES},
                   {"family": "tf.keras", "method": "tf.random.set_seed", "target": "Dense kernel",
                    "status": "unavailable", "reason": PWN_IMG}]
        seeding = schema.measurement_record(schema.KIND_SEEDING, name, {
            "status": "ok", "reason": None, "records": records,
            "versions": {"tensorflow": ALERT_SCRIPT, "keras": PWN_IMG}})
        (folder / f"{name}.seeding.json").write_text(json.dumps(seeding))

    failed = {"schema_version": 1, "status": "import-failed", "cells": [],
              "env": {"name": ALERT_SCRIPT, "tensorflow": "1.15.5" + ALERT_IMG, "python": QUOTES,
                      "tags": [PWN_SCRIPT], "resolution": None},
              "reason": PWN_IMG + "\n" + LONG,
              "log_tail": "Traceback\n" + PWN_SCRIPT + " bytes: \udcff\udc80 end"}
    (folder / "failed.json").write_text(json.dumps(failed))  # \udcff: undecodable bytes

    rejected_status = dict(failed, status=PWN_SCRIPT)
    rejected_status["env"] = dict(failed["env"], name="rejected")
    (folder / "status.json").write_text(json.dumps(rejected_status))
    (folder / (ALERT_IMG.replace("/", "") + ".json")).write_text("{not json")
    (folder / "x'<b>quote.json").write_text("[]")
    with open(os.path.join(os.fsencode(folder), b"bad-\xff\xfe.json"), "wb") as stream:
        stream.write(b"{}")
    return good


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hostile-results")
    hostile_results(folder)
    out = tmp_path_factory.mktemp("hostile-report")
    assert report_main([str(folder), "--out", str(out)]) == 0
    return out


class Elements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []
        self.script_text: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"
        if self._in_script:
            self.script_text.append("")

    def handle_endtag(self, tag):
        self._in_script = False

    def handle_data(self, data):  # the parser may hand over one text in several pieces
        if self._in_script:
            self.script_text[-1] += data
        else:
            self.text.append(data)


def page_html(report: Path) -> str:
    """index.html as a reader who opened every fold sees it: a packed fold's content is markup
    the templates rendered, so every check of the page holds inside the folds too."""
    return unpacked_page((report / "index.html").read_text(encoding="utf-8"))


def parsed(report: Path) -> Elements:
    parser = Elements()
    parser.feed(page_html(report))
    parser.close()
    return parser


def test_report_has_only_its_own_two_scripts_and_no_injected_elements(report):
    page = parsed(report)
    tags = [tag for tag, _ in page.tags]
    assert tags.count("script") == 2
    assert "img" not in tags and "b" not in tags
    names = {name for _, attrs in page.tags for name in attrs}
    assert names <= ATTRIBUTE_NAMES, names - ATTRIBUTE_NAMES
    assert not any(name.startswith("on") for name in names)
    scripts = [attrs for tag, attrs in page.tags if tag == "script"]
    assert scripts == [{"type": "text/plain", "id": "report-data"}, {}]


def test_hostile_text_appears_escaped_as_text(report):
    html = page_html(report)
    text = "".join(parsed(report).text)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in html  # in a version label
    # the Keras filter's entry and its column's attribute
    assert "<option>2.15.0&#34;&gt;&lt;img src=x onerror=alert(1)&gt;</option>" in html
    assert 'data-keras="2.15.0&#34;&gt;&lt;img src=x onerror=alert(1)&gt;"' in html
    for payload in (ALERT_SCRIPT, PWN_SCRIPT, ALERT_IMG):
        assert payload in text  # shown to the reader as the text it is
    assert ALERT_SCRIPT not in html.replace(LONG, "")  # never raw in the markup
    assert "bad-\\xff\\xfe.json: not an initcompat result (no schema_version)" in text
    assert "status.json: result: unknown status " in text
    assert "x'<b>quote.json: not a result: top level is list, not an object" in text
    assert "\ufffd\ufffd end" in text  # undecodable bytes of the error tail


def test_no_python_object_repr_leaks_into_the_page(report):
    html = page_html(report)
    # The evidence data may quote what a probe recorded (held_by_layer is the environment's own
    # repr, "<...Zeros object at 0x...>"); everything the templates print must be words.
    start = html.index('<script type="text/plain" id="report-data">')
    markup = html[:start] + html[html.index("</script>", start):]
    assert "built-in method" not in markup and " at 0x" not in markup


def test_evidence_data_is_inert_json_holding_the_hostile_text(report):
    page = parsed(report)
    packed = page.script_text[0].strip()
    assert re.fullmatch(r"[A-Za-z0-9+/=]+", packed)  # base64: nothing a parser could read as markup
    data = unpack_text(packed)
    evidence = evidence_items(json.loads(data))
    texts = [item.get(key) or "" for item in evidence.values()
             for key in ("held_by_layer", "initializer", "config")]
    assert any(PWN_SCRIPT == text for text in texts)  # held_by_layer, exactly
    assert any(json.loads(text or "null") == {"mode": PWN_SCRIPT, "scale": QUOTES, "note": LONG,
                                              PWN_IMG: "key"} for text in texts if "{" in text)
    # an unavailable cell has no evidence entry: its reason is one of the shared reasons
    reasons = json.loads(data)["matrix"]["reasons"]
    assert any(reason.startswith(PWN_IMG + ": " + PWN_SCRIPT + " AAAA") for reason in reasons)


def test_csv_holds_hostile_text_as_quoted_fields(report):
    text = (report / "cells.csv").read_text(encoding="utf-8")
    frame = pd.read_csv(io.StringIO(text), dtype=str, keep_default_na=False)
    assert set(frame["env"]) == {"tf-2.15", "tf-2.16"}
    assert len(frame) == 2 * len(upgrade_0_to_1(json.loads(OLD_FORMAT.read_text()))["cells"])
    layers = set(frame["layer"])
    assert PWN_IMG in layers or "'" + PWN_IMG in layers
    reasons = "".join(frame["reason"])
    assert PWN_SCRIPT + "\n" in reasons  # newlines kept inside a quoted field, not new rows
    assert any(ALERT_IMG in value for value in frame["declared_initializer"])


def test_seeding_csv_holds_hostile_text_as_quoted_fields(report):
    frame = pd.read_csv(report / "seeding.csv", dtype=str, keep_default_na=False)
    assert set(frame["env"]) == {"tf-2.15", "tf-2.16"} and len(frame) == 4
    hostile = frame[frame["status"] == "error"].iloc[0]
    assert (hostile["family"], hostile["method"], hostile["target"]) == (PWN_IMG, PWN_SCRIPT,
                                                                         QUOTES)
    assert hostile["reason"] == PWN_SCRIPT + "\n" + LONG  # one quoted field, newline kept
    assert hostile["warning"].startswith("'=cmd")  # a formula stays text


def test_hostile_seeding_text_is_shown_as_text(report):
    text = "".join(parsed(report).text)
    html = (report / "index.html").read_text(encoding="utf-8")
    section = html[html.index('<section id="seeding"'):]
    section = section[:section.index("</section>")]
    assert "<img" not in section and "<script" not in section
    assert PWN_SCRIPT in text and ALERT_SCRIPT in text  # the call, shown as the text it is


def test_csv_defuses_formulas_in_every_text_column(tmp_path):
    base = upgrade_0_to_1(json.loads(OLD_FORMAT.read_text()))
    ok = next(c for c in base["cells"] if c["status"] == "ok")
    ok["initializer"].update(class_name="=HYPERLINK(\"http://x\")", module="+cmd",
                             held_by_layer="@SUM(1)", resolved_by="-1+2")
    folder = tmp_path / "results"
    folder.mkdir()
    (folder / "tf-1.15.json").write_text(json.dumps(base))
    assert report_main([str(folder), "--out", str(tmp_path / "out")]) == 0
    frame = pd.read_csv(tmp_path / "out" / "cells.csv", dtype=str, keep_default_na=False)
    for column in frame.columns:
        for value in frame[column]:
            assert value[:1] not in ("=", "+", "@") and not value.startswith("-1+"), (column, value)


def chromium_dom(url: str) -> str:
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.fail(f"{CHROMIUM} is missing: the browser tests need Chromium (CI installs it)")
    with tempfile.TemporaryDirectory() as profile:
        completed = subprocess.run(
            [CHROMIUM if Path(CHROMIUM).exists() else shutil.which("chromium"), "--headless",
             "--no-sandbox", "--disable-gpu", "--disable-background-networking",
             "--disable-component-update", "--disable-sync", "--no-first-run",
             f"--user-data-dir={profile}", "--virtual-time-budget=3000", "--dump-dom", url],
            capture_output=True, text=True, timeout=120)
    assert completed.returncode == 0, completed.stderr[-2000:]
    return completed.stdout


@pytest.mark.browser
def test_browser_runs_no_injected_code(report):
    evidence = evidence_items(page_data(parsed(report)))
    hostile_cell = next(key for key, item in evidence.items()
                        if "onerror" in (item.get("initializer") or "") and key.endswith("-tf-2.15"))
    dom = chromium_dom((report / "index.html").as_uri() + "#" + hostile_cell)
    page = Elements()
    page.feed(dom)
    tags = [tag for tag, _ in page.tags]
    html_attributes = next(attrs for tag, attrs in page.tags if tag == "html")
    assert "data-pwned" not in html_attributes  # no payload ran (each would have set it)
    assert tags.count("script") == 2 and "img" not in tags
    names = {name for _, attrs in page.tags for name in attrs}
    assert not any(name.startswith("on") for name in names)
    text = "".join(page.text)
    assert ALERT_SCRIPT in text and PWN_SCRIPT in text
    # the evidence dialog was opened by report.js from the hostile cell's hash, filled as text
    panel = dom[dom.index('<dialog id="evidence"'):]
    assert " open" in panel[:panel.index(">")]
    assert "&lt;script&gt;document.documentElement" in panel
    assert "<title>initcompat — TensorFlow default initializers across versions</title>" in dom
