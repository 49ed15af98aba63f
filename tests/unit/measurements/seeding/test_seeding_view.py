"""The Seeding section, reports/seeding.csv, their timeline events and the upgrade diff, on small
synthetic seeding files with known answers; the matrix's seed-call tags; the real seeding
files of tests/fixtures/seeding beside the real results of tests/fixtures/history."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

from initcompat.probe import schema
from initcompat.probe.validation import validate_seeding
from initcompat.report.__main__ import main as report_main
from initcompat.report.diff import difference_document
from initcompat.report.load import load_results
from initcompat.report.packed import unpacked_page
from initcompat.report.render import render_index
from initcompat.report.sections import build_view, load_inputs
from initcompat.report.sections.matrix import seed_call_label
from synthetic import cell, result, uniform
from test_report import history, view_of

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
DENSE, DIRECT = schema.SEED_TARGETS
SET_SEED, UTILS = "tf.random.set_seed", "keras.utils.set_random_seed"


def record(family: str, method: str, status: str, sha: str | None = None, target: str = DENSE,
           repeat: bool | None = True, calls: bool | None = None, reason: str | None = None,
           warning: str | None = None) -> dict:
    """One seeding record as the step writes it (a sha only where both processes drew)."""
    drawn = status in (schema.SEED_REPRODUCIBLE, schema.SEED_NOT_REPRODUCIBLE)
    other = sha if status == schema.SEED_REPRODUCIBLE else (sha and "f" * 64)
    return {"family": family, "method": method, "target": target, "status": status,
            "reason": reason, "call": f"{method}(1234); {family}.layers.Dense(40)",
            "cross_process_identical": (status == schema.SEED_REPRODUCIBLE) if drawn else None,
            "repeat_identical": repeat if drawn else None, "calls_identical": calls,
            "sha256": sha if drawn else None, "sha256_repeat": sha if drawn and repeat else None,
            "sha256_other_process": other if drawn else None,
            "first_values": [0.1, -0.2] if drawn else None, "warning": warning, "seed": 1234,
            "initializer": "glorot_uniform", "shape": [96, 40] if drawn else None,
            "backend": "tensorflow", "keras_version": "2.15.0" if family == "keras" else None}


def seeded(name: str, tensorflow: str, records: list[dict] | None, body: dict | None = None) -> dict:
    """A result joined with its seeding file's body (None: a result older than the step)."""
    document = result(name, tensorflow, [])
    if records is not None:
        document["seeding"] = body or {"status": "ok", "reason": None, "records": records,
                                       "versions": {"tensorflow": tensorflow, "keras": None}}
    elif body is not None:
        document["seeding"] = body
    return document


A, B, C = "a" * 64, "b" * 64, "c" * 64
OK, NO = schema.SEED_REPRODUCIBLE, schema.SEED_NOT_REPRODUCIBLE
NA, ERR = schema.SEED_UNAVAILABLE, schema.SEED_ERROR


def small_history() -> list[dict]:
    """tf.keras: tf.random.set_seed reproducible (A) in 2.0 and 2.6, other bytes (B) in 2.7,
    not reproducible from 2.13; utils.set_random_seed unavailable until 2.7, then C;
    initializer(seed=...) reproducible throughout, but from 2.7 not on a repeat."""
    seed_method = schema.SEED_METHODS[5]
    return [
        seeded("tf-2.0", "2.0.4", [record("tf.keras", SET_SEED, OK, A),
                                   record("tf.keras", UTILS, NA, reason="no tf.keras.utils.set_random_seed"),
                                   record("tf.keras", seed_method, OK, C)]),
        seeded("tf-2.6", "2.6.5", [record("tf.keras", SET_SEED, OK, A),
                                   record("tf.keras", UTILS, NA, reason="no tf.keras.utils.set_random_seed"),
                                   record("tf.keras", seed_method, OK, C)]),
        seeded("tf-2.7", "2.7.4", [record("tf.keras", SET_SEED, OK, B),
                                   record("tf.keras", UTILS, OK, C),
                                   record("tf.keras", seed_method, OK, C, repeat=False)]),
        seeded("tf-2.13", "2.13.1", [record("tf.keras", SET_SEED, NO, "d" * 64, repeat=False),
                                     record("tf.keras", UTILS, OK, C),
                                     record("tf.keras", seed_method, OK, C, repeat=False)]),
        seeded("tf-2.14", "2.14.1", [record("tf.keras", SET_SEED, NO, "e" * 64, repeat=False),
                                     record("tf.keras", UTILS, OK, C),
                                     record("tf.keras", seed_method, OK, C, repeat=False)]),
    ]


def row(view, family: str, method: str, target: str = DENSE) -> dict:
    (table,) = [f for f in view.seeding.families if f["family"] == family]
    (found,) = [r for r in table["rows"] if r["method"] == method and r["target"] == target]
    return found


def test_the_table_says_status_and_byte_group_per_version():
    view = view_of(small_history())
    assert [e["name"] for e in view.seeding.envs] == ["tf-2.0", "tf-2.6", "tf-2.7", "tf-2.13",
                                                      "tf-2.14"]
    cells = row(view, "tf.keras", SET_SEED)["cells"]
    assert [c["text"] for c in cells] == ["A", "A", "B", "no", "no"]
    assert [c["css"] for c in cells] == ["rp", "rp", "rp", "nr", "nr"]
    utils = row(view, "tf.keras", UTILS)["cells"]
    # letters are per method: utils.set_random_seed's first bytes are its own A
    assert [c["text"] for c in utils] == ["—", "—", "A", "A", "A"]
    seeded_cells = row(view, "tf.keras", schema.SEED_METHODS[5])["cells"]
    assert [c["tags"] for c in seeded_cells] == [[], [], ["repeat ≠"]] + [["repeat ≠"]] * 2


def test_words_give_each_status_over_its_version_range():
    view = view_of(small_history())
    (family,) = view.seeding.words
    line = next(x for x in family["lines"] if x["method"] == SET_SEED)
    assert [(s["text"], s["range"]) for s in line["segments"]] == [
        ("reproducible (bytes A)", "2.0–2.6"), ("reproducible (bytes B)", "2.7"),
        ("not reproducible", "2.13–2.14")]


def test_byte_groups_name_where_each_letter_was_drawn():
    view = view_of(small_history())
    group = next(g for g in view.seeding.groups if g["method"] == SET_SEED)
    assert [(e["letter"], e["sha256"], [(w["family"], w["target"], w["range"]) for w in e["where"]])
            for e in group["letters"]] == [
        ("A", "a" * 16, [("tf.keras", DENSE, "2.0–2.6")]), ("B", "b" * 16, [("tf.keras", DENSE, "2.7")])]


def test_events_are_changes_of_status_offer_repeat_and_reproducible_bytes_only():
    view = view_of(small_history())
    events = [(e["env"], e["since"], e["kind"], e["layer"], e["text"])
              for e in view.seeding.events]
    assert events == [
        ("tf-2.7", "tf-2.6", "seeded stream", SET_SEED, "the same seed gives other bytes (group A → B)"),
        ("tf-2.7", "tf-2.6", "seeding", UTILS, "now offered: reproducible"),
        ("tf-2.7", "tf-2.6", "seeding", schema.SEED_METHODS[5],
         "a repeat in one process now draws other bytes"),
        ("tf-2.13", "tf-2.7", "seeding", SET_SEED, "reproducible → not reproducible"),
    ]  # 2.13 -> 2.14: other bytes, but not reproducible on either side: noise, no event
    cell_ids = {e["cell"] for e in view.seeding.events}
    row_ids = {r["id"] for f in view.seeding.families for r in f["rows"]}
    assert cell_ids <= row_ids  # every event links to its row of the table


def test_seeding_events_are_timeline_and_upgrade_differences():
    view = view_of(small_history())
    (entry,) = [e for e in view.timeline.entries if e["label"] == "2.7"]
    kinds = {(g["family"], g["kind"]) for g in entry["groups"]}
    assert kinds == {("tf.keras", "seeding"), ("tf.keras", "seeded stream")}
    document = difference_document(view.upgrade.envs, view.timeline.events, "tf-2.6", "tf-2.13")
    assert document["differences"] == 4
    texts = {row["text"] for kind in document["kinds"] for group in kind["groups"]
             for row in group["rows"]}
    assert "reproducible → not reproducible" in texts
    same = difference_document(view.upgrade.envs, view.timeline.events, "tf-2.13", "tf-2.14")
    assert same["differences"] == 0


def test_a_family_offered_on_one_side_is_one_event_not_one_per_method():
    before = seeded("tf-2.15", "2.15.1", [record("tf_keras", m, NA, reason="no tf_keras (No module)")
                                          for m in (SET_SEED, UTILS)])
    after = seeded("tf-2.16", "2.16.2", [record("tf_keras", SET_SEED, NO, A),
                                         record("tf_keras", UTILS, ERR, reason="TypeError: float")])
    view = view_of([before, after])
    assert [(e["row"], e["text"]) for e in view.seeding.events] == [
        ("tf_keras (every seeding method)", "now offered: 0 of 2 methods × targets reproducible")]
    assert row(view, "tf_keras", UTILS)["cells"][1]["text"] == "error"


def test_a_failed_step_an_old_result_and_a_family_never_offered_are_said():
    failed = {"status": "failed", "reason": "seeding step exit status 1", "log_tail": "Traceback",
              "records": []}
    documents = [seeded("tf-1.15", "1.15.5", None),
                 seeded("tf-2.0", "2.0.4", None, body=failed),
                 seeded("tf-2.1", "2.1.4", [record("tf.layers", SET_SEED, NA, reason="no tf.layers"),
                                            record("tf.keras", SET_SEED, OK, A)])]
    view = view_of(documents)
    assert view.seeding.missing == ["tf-1.15"]
    assert [(f["env"], f["status"], f["reason"]) for f in view.seeding.failed] == [
        ("tf-2.0", "failed", "seeding step exit status 1")]
    assert view.seeding.absent == [{"family": "tf.layers", "reason": "no tf.layers"}]
    assert [f["family"] for f in view.seeding.families] == ["tf.keras"]
    html = unpacked_page(render_index(view))  # every fold opened
    assert "seeding step exit status 1" in html and 'id="sd-tf.keras-tf.random.set_seed-Dense-kernel"' in html


def test_hostile_text_in_a_seeding_file_is_text():
    script = "<script>alert(1)</script>"
    documents = [seeded("tf-2.15", "2.15.1", [
        record("tf.keras", SET_SEED, ERR, reason=script),
        record("tf.keras", UTILS, OK, A, warning='"><img src=x onerror=alert(1)>'),
        record(script, SET_SEED, OK, A)])]
    html = unpacked_page(render_index(view_of(documents)))
    assert script not in html and "<img" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def write_folder(folder: Path, documents: list[dict]) -> Path:
    """Each document as the probe's result file and, where it has one, its seeding file."""
    folder.mkdir(parents=True, exist_ok=True)
    for document in documents:
        document = dict(document)
        body = document.pop("seeding", None)
        name = document["env"]["name"]
        (folder / f"{name}.json").write_text(json.dumps(document))
        if body is not None:
            seeding = schema.measurement_record(schema.KIND_SEEDING, name, body)
            validate_seeding(seeding)
            (folder / f"{name}.seeding.json").write_text(json.dumps(seeding))
    return folder


def test_seeding_csv_has_the_documented_columns_and_one_row_per_record(tmp_path):
    documents = small_history()
    documents[0]["seeding"]["records"][0]["warning"] = "=HYPERLINK(\"x\")"
    folder = write_folder(tmp_path / "results", documents)
    assert report_main([str(folder), "--out", str(tmp_path / "out")]) == 0
    rows = list(csv.DictReader(io.StringIO((tmp_path / "out" / "seeding.csv").read_text())))
    required = ["env", "tf_version", "keras_version", "backend", "family", "method", "target",
                "status", "cross_process_identical", "repeat_identical", "sha256",
                "first_values", "group", "warning"]
    assert list(rows[0])[:len(required)] == required
    assert len(rows) == 15
    first = rows[0]
    assert (first["env"], first["tf_version"], first["backend"], first["group"]) == (
        "tf-2.0", "2.0.4", "tensorflow", "A")
    assert json.loads(first["first_values"]) == [0.1, -0.2] and first["sha256"] == A
    assert first["warning"].startswith("'=")  # a formula stays text in a spreadsheet
    late = next(r for r in rows if r["env"] == "tf-2.13" and r["method"] == SET_SEED)
    assert (late["status"], late["group"], late["cross_process_identical"]) == (
        NO, NO, "False")


def test_matrix_cells_name_the_call_that_seeded_them():
    documents = history()
    for document in documents:
        for measured in document["cells"]:
            if measured.get("seeded"):
                measured["seeded"]["seed_call"] = ("tf.compat.v1.set_random_seed (graph-level)"
                                                   if document["env"]["name"] == "tf-1.15"
                                                   else "tf.random.set_seed")
    view = view_of(documents)
    kernel = next(r for r in view.matrix.rows if r["role"] == "kernel")
    assert ("t ts", "graph seed") in kernel["cells"][0]["tags"]
    assert ("t ts", "set_seed") in kernel["cells"][1]["tags"]
    assert view.matrix.seed_calls == [
        {"label": "graph seed", "calls": ["tf.compat.v1.set_random_seed (graph-level)"]},
        {"label": "set_seed", "calls": ["tf.random.set_seed"]}]
    assert seed_call_label("tf_keras.utils.set_random_seed") == "set_random_seed"
    html = unpacked_page(render_index(view))  # every fold opened
    assert "seeded with <code>tf.random.set_seed</code>" in html


def test_real_seeding_files_beside_real_results(tmp_path):
    """tests/fixtures/seeding: the step's own files of TF 1.15, 2.15 (twice) and 2.16, joined
    with the real results of tests/fixtures/history."""
    folder = tmp_path / "results"
    shutil.copytree(FIXTURES / "history", folder)
    for path in (FIXTURES / "seeding").glob("*.seeding.json"):
        shutil.copy(path, folder / path.name)
    loaded = load_results(folder)
    assert not loaded.rejected
    view = build_view(load_inputs(loaded, [folder]))
    assert view.seeding.missing == ["tf-2.0"]
    cells = {e["name"]: c for e, c in zip(view.seeding.envs, row(view, "tf.keras", SET_SEED)["cells"])}
    assert cells["tf-1.15"]["text"] == "—"  # TF 1.15 has no tf.random.set_seed
    assert cells["tf-2.15"]["css"] == cells["tf-2.16"]["css"] == "nr"
    utils = {e["name"]: c for e, c in zip(view.seeding.envs, row(view, "tf.keras", UTILS)["cells"])}
    assert utils["tf-2.15"]["css"] == utils["tf-2.15-rerun"]["css"] == "rp"
    assert utils["tf-2.15"]["text"] == utils["tf-2.16"]["text"]  # Keras 2.15 and 3 drew the same
    # a rerun of the same version draws the same reproducible bytes: no seeded-stream event
    assert not [e for e in view.seeding.events if e["env"] == "tf-2.15-rerun"]
    graph = {e["name"]: c for e, c in zip(view.seeding.envs,
                                          row(view, "tf.layers", "tf.set_random_seed")["cells"])}
    assert graph["tf-1.15"]["css"] == "rp"


def keras_session(name: str, keras: str, records: list[dict]) -> dict:
    """A Keras session without TensorFlow (the Keras axis on JAX)."""
    document = seeded(name, "none", records)
    document["env"].update(tensorflow="none", keras=keras, backend="jax")
    return document


def test_the_keras_axis_is_its_own_line_never_compared_with_tensorflow():
    documents = small_history() + [
        keras_session("keras-3.0-jax", "3.0.5", [record("keras", UTILS, OK, "9" * 64)]),
        keras_session("keras-3.1-jax", "3.1.1", [record("keras", UTILS, OK, "9" * 64)]),
        keras_session("keras-3.2-jax", "3.2.1", [record("keras", UTILS, OK, "8" * 64)])]
    documents[-4]["seeding"]["records"].append(record("keras", UTILS, OK, C))  # tf-2.14
    view = view_of(documents)
    keras_events = [(e["env"], e["since"], e["kind"]) for e in view.seeding.events
                    if e["family"] == "keras"]
    assert keras_events == [("keras-3.2-jax", "keras-3.1-jax", "seeded stream")]
    (line,) = [x for w in view.seeding.words if w["family"] == "keras" for x in w["lines"]]
    # 2.14 and Keras 3.0 on jax are neighbours in the table, but never one range
    assert [s["range"] for s in line["segments"]] == [
        "2.0–2.13", "2.14", "Keras 3.0 jax–Keras 3.1 jax", "Keras 3.2 jax"]


def test_the_baseline_gate_compares_seeding_status_and_reproducible_bytes_only(tmp_path, capsys):
    saved = write_folder(tmp_path / "saved", small_history())
    assert report_main([str(saved), "--out", str(tmp_path / "a"), "--baseline", str(saved)]) == 0
    changed = small_history()
    records = changed[-1]["seeding"]["records"]  # tf-2.14
    records[0]["sha256"] = "0" * 64  # not reproducible on both sides: noise, not a change
    records[1]["sha256"] = "1" * 64  # reproducible on both sides: a change
    records[2]["status"] = NO
    folder = write_folder(tmp_path / "now", changed)
    capsys.readouterr()
    assert report_main([str(folder), "--out", str(tmp_path / "b"), "--baseline", str(saved)]) == 1
    printed = [line for line in capsys.readouterr().out.splitlines() if line.startswith("CHANGED")]
    assert printed == [
        f"CHANGED tf-2.14 seeding tf.keras {UTILS} · {DENSE}: seeded cccccccc… -> 11111111…",
        f"CHANGED tf-2.14 seeding tf.keras {schema.SEED_METHODS[5]} · {DENSE}: reproducible -> "
        "not reproducible"]
