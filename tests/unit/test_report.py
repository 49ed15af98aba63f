"""The report pipeline on synthetic results with known answers: sections, timeline, CSV, baseline
(the compatibility table and first screen: test_compat_view.py)."""

from __future__ import annotations

import csv
import dataclasses
import io
import json
import math
from pathlib import Path

from initcompat.probe import schema
from initcompat.report import sections
from initcompat.report.__main__ import main as report_main
from initcompat.report.describe import initializer_label
from initcompat.report.frame import cells_frame, order_results, version_key
from initcompat.report.outputs import cells_csv
from initcompat.report.packed import unpacked_page
from initcompat.report.render import measurement_template_folders, render_index
from initcompat.report.sections import Inputs, View, build_view
from initcompat.measurements.throughput.section import load_pyperf
from synthetic import cell, glorot_limit, normal, result, uniform

LIMIT = glorot_limit(96, 40)


def history() -> list[dict]:
    """1.15: Glorot uniform; 2.0: same, renamed class; 2.5: normal of equal variance (a planted
    change); 2.16: tf.compat.v1.layers gone."""
    same = uniform(LIMIT, seed=1)
    return [
        result("tf-1.15", "1.15.5", [
            cell("tf.compat.v1.layers", "dense", "kernel", same, module="tensorflow.python.ops.init_ops"),
            cell("tf.compat.v1.layers", "dense", "bias", [0.0] * 4000, "Zeros", shape=(40,)),
        ]),
        result("tf-2.0", "2.0.4", [
            cell("tf.compat.v1.layers", "dense", "kernel", uniform(LIMIT, seed=2), "GlorotUniformV2"),
            cell("tf.compat.v1.layers", "dense", "bias", [0.0] * 4000, "Zeros", shape=(40,)),
        ]),
        result("tf-2.5", "2.5.3", [
            cell("tf.compat.v1.layers", "dense", "kernel", normal(LIMIT / math.sqrt(3), seed=3),
                 "GlorotUniformV2"),
            cell("tf.compat.v1.layers", "dense", "bias", [0.0] * 4000, "Zeros", shape=(40,)),
        ]),
        result("tf-2.16", "2.16.2", [
            cell("tf.compat.v1.layers", "dense", "kernel", status="unavailable",
                 reason="`dense` is not available with Keras 3.", error_type="AttributeError"),
            cell("tf.compat.v1.layers", "dense", "bias", status="unavailable",
                 reason="`dense` is not available with Keras 3.", error_type="AttributeError"),
        ]),
    ]


def view_of(documents: list[dict], rejected: list[str] | None = None) -> View:
    """The view of in-memory results (no pyperf files), as the report command builds it."""
    ordered = order_results(tuple(documents))
    return build_view(Inputs(ordered, rejected or [], load_pyperf(ordered, [])))


def write_results(folder, documents):
    """Each document as the probe's result file (schema 2: its kind is said in the file)."""
    folder.mkdir(parents=True, exist_ok=True)
    for document in documents:
        document = dict(document, kind=schema.KIND_RESULT)
        (folder / f"{document['env']['name']}.json").write_text(json.dumps(document))
    return folder


def test_versions_sort_numerically():
    assert sorted(["2.10.0", "1.4.1", "2.9.3", "1.15.5", "2.23.0.dev20261026"], key=version_key) == [
        "1.4.1", "1.15.5", "2.9.3", "2.10.0", "2.23.0.dev20261026"]


def test_every_spelling_of_a_class_gets_one_readable_label():
    for spelling in ("GlorotUniformV2", "glorot_uniform_initializer", "GlorotUniform",
                     "GlorotUniformInitializer"):
        assert initializer_label(spelling, None) == "Glorot uniform", spelling
    assert initializer_label("HeNormalV2", '{"seed": null}') == "He normal"
    assert initializer_label("MyInitializer", None) == "MyInitializer"  # unknown: kept as is


def test_each_view_field_is_a_section_rendered_by_its_own_template_in_page_order():
    failed = result("tf-9.0", "9.0.0", [], status="install-failed", reason="no wheel")
    view = view_of([*history(), failed], ["x.json: bad"])
    names = [field.name for field in dataclasses.fields(View)]
    templates = Path(sections.__file__).parent.parent / "templates" / "sections"
    # a measurement with its own folder keeps its template there (measurements/NAME/section/)
    found = [p.name for p in templates.iterdir()] + [
        p.name for folder in measurement_template_folders() for p in Path(folder).glob("*.j2")]
    assert sorted(found) == sorted(f"{n}.html.j2" for n in names)
    html = render_index(view)
    positions = [html.index(f'<section id="{name}"') for name in names]
    assert positions == sorted(positions)


def test_timeline_tells_rename_from_change_and_availability():
    view = view_of(history())
    kinds = {entry["label"]: sorted({g["kind"] for g in entry["groups"]})
             for entry in view.timeline.entries}
    # same distribution: the rename is folded and not counted; the synthetic seeded draws differ
    # and repeat in-process on both sides, so that is a seeded-stream change
    assert kinds["2.0"] == ["renamed", "seeded stream"]
    assert [e["count"] for e in view.timeline.entries if e["label"] == "2.0"] == [1]
    (renamed,) = [g for g in view.timeline.entries[0]["groups"] if g["kind"] == "renamed"]
    assert renamed["text"] == "1 internal rename, same distribution"
    assert renamed["rows"][0]["text"].endswith(".GlorotUniformV2")
    assert "distribution" in kinds["2.5"]  # uniform -> normal of equal variance
    assert kinds["2.16"] == ["availability"]
    (gone,) = [g for e in view.timeline.entries if e["label"] == "2.16" for g in e["groups"]]
    assert gone["family"] == "tf.compat.v1.layers" and len(gone["rows"]) == 1  # one line per family
    # the zeros bias never changes until it becomes unavailable with the whole API
    assert not any(e["weight"] == "bias" for e in view.timeline.events)
    assert {g["kind"] for g in view.timeline.summary} == {"renamed", "distribution", "availability",
                                                          "seeded stream"}


def test_matrix_cells_carry_fit_fingerprint_change_and_group():
    view = view_of(history())
    kernel_row = next(r for r in view.matrix.rows if r["role"] == "kernel")
    first, renamed, changed, gone = kernel_row["cells"]
    assert first["fit"] == "consistent" and first["measured"].startswith("uniform")
    assert renamed["change"] == "renamed"
    assert changed["change"] == "changed" and changed["fit"] == "inconsistent"
    assert changed["measured"].startswith("normal")
    assert gone["css"] == "unavailable"
    assert first["group"] == "A" and renamed["group"] == "B"


def test_column_filters_offer_what_the_columns_differ_in_and_nothing_else():
    """TensorFlow alone, no keras package: no backend or Keras filter (one choice hides
    nothing). A Keras session beside it: both, the Keras releases in release order."""
    view = view_of(history())
    assert view.matrix.backends == [] and view.matrix.keras_lines == []
    html = render_index(view)
    assert 'id="filter-backend"' not in html and 'id="filter-keras"' not in html
    documents = history()
    documents[2]["installed"]["packages"]["keras"] = "2.5.0rc3"
    documents[3]["installed"]["packages"]["keras"] = "3.10.0"
    keras = result("keras-3.9-jax", "none", [cell("keras", "dense", "kernel", uniform(LIMIT))])
    keras["env"].update(tensorflow="none", keras="3.9.2", backend="jax")
    view = view_of(documents + [keras])
    assert view.matrix.backends == ["tensorflow", "jax"]
    assert view.matrix.keras_lines == ["2.5.0rc3", "3.9", "3.10"]
    assert {env["name"]: env["keras_line"] for env in view.matrix.envs} == {
        "tf-1.15": None, "tf-2.0": None, "tf-2.5": "2.5.0rc3", "tf-2.16": "3.10",
        "keras-3.9-jax": "3.9"}
    html = unpacked_page(render_index(view))  # the matrix is a packed fold
    assert 'data-backend="jax" data-keras="3.9"' in html
    assert '<option>3.9</option><option>3.10</option>' in html


def test_cells_csv_has_the_documented_columns():
    view = view_of(history())
    ordered = order_results(tuple(history()))
    rows = list(csv.DictReader(io.StringIO(cells_csv(cells_frame(ordered), view))))
    required = {"tf_version", "python_version", "api_family", "layer", "weight_role", "status", "reason",
                "declared_initializer", "declared_config", "n", "mean", "std", "min", "max", "skewness",
                "excess_kurtosis", "fingerprint", "fit_verdict", "change_verdict", "reproducibility_group"}
    assert required <= set(rows[0])
    assert len(rows) == 8
    kernel_115 = next(r for r in rows if r["tf_version"] == "1.15.5" and r["weight_role"] == "kernel")
    assert float(kernel_115["max"]) <= LIMIT and int(kernel_115["n"]) == 100_000


def test_script_in_an_error_message_renders_as_text():
    documents = history()
    documents[-1]["cells"][0]["reason"] = "<script>alert('x')</script>"
    documents[-1]["env"]["name"] = "tf-<b>2.16</b>"
    # every packed fold's content too: it is the same autoescaped markup, unpacked on open
    html = unpacked_page(render_index(view_of(documents, ["a<script>.json: bad"])))
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert(" in html or "\\u003cscript\\u003ealert" in html
    assert "<b>2.16</b>" not in html
    assert html.count("<script") == 2  # the report's own data block and code, nothing else


def test_report_command_writes_three_files(tmp_path):
    results = write_results(tmp_path / "results", history())
    assert report_main([str(results), "--out", str(tmp_path / "out")]) == 0
    assert {p.name for p in (tmp_path / "out").iterdir()} >= {"index.html", "cells.csv", "changes.json"}
    changes = json.loads((tmp_path / "out" / "changes.json").read_text())
    assert [e["label"] for e in changes["timeline"]] == ["2.0", "2.5", "2.16"]


def test_baseline_exits_nonzero_on_a_planted_change(tmp_path, capsys):
    documents = history()
    base = write_results(tmp_path / "base", documents)
    assert report_main([str(base), "--out", str(tmp_path / "o1"), "--baseline", str(base)]) == 0
    planted = history()
    planted[0]["cells"][0] = cell("tf.compat.v1.layers", "dense", "kernel", uniform(LIMIT * 1.1, seed=9),
                                  module="tensorflow.python.ops.init_ops")
    current = write_results(tmp_path / "current", planted)
    capsys.readouterr()
    assert report_main([str(current), "--out", str(tmp_path / "o2"), "--baseline", str(base)]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("CHANGED")]
    assert any("tf-1.15" in line and "kernel" in line and "distribution" in line for line in lines)
    assert all("bias" not in line for line in lines)


def _reseeded(documents, repeats: bool):
    """The same documents with other seeded bytes in every cell, repeating in-process or not."""
    for document in documents:
        for item in document["cells"]:
            if item.get("seeded"):
                item["seeded"] = dict(item["seeded"], sha256="f" * 64, repeats_in_process=repeats)
    return documents


def test_baseline_ignores_seeded_bytes_that_never_repeat(tmp_path, capsys):
    """A rerun of cells whose seeded draws do not repeat even in one process: their hashes are
    noise, so the gate compares their distributions only and passes (issue 18)."""
    base = write_results(tmp_path / "base", _reseeded(history(), repeats=False))
    rerun = history()
    for document in rerun:
        for item in document["cells"]:
            if item.get("seeded"):
                item["seeded"] = dict(item["seeded"], repeats_in_process=False)
    current = write_results(tmp_path / "current", rerun)
    capsys.readouterr()
    assert report_main([str(current), "--out", str(tmp_path / "o"), "--baseline", str(base)]) == 0
    assert "CHANGED" not in capsys.readouterr().out
    groups = {c["group"] for r in view_of(rerun).matrix.rows for c in r["cells"] if c.get("group")}
    assert groups == {"not reproducible"}  # no group letter for a stream that does not repeat


def test_baseline_flags_reproducible_seeded_bytes_that_differ(tmp_path, capsys):
    base = write_results(tmp_path / "base", _reseeded(history(), repeats=True))
    current = write_results(tmp_path / "current", history())
    capsys.readouterr()
    assert report_main([str(current), "--out", str(tmp_path / "o"), "--baseline", str(base)]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("CHANGED")]
    assert lines and all(": seeded ffffffff… -> " in line for line in lines)


def test_baseline_with_no_usable_result_is_exit_2_not_a_pass(tmp_path, capsys):
    current = write_results(tmp_path / "current", history())
    empty = tmp_path / "empty"
    empty.mkdir()
    assert report_main([str(current), "--out", str(tmp_path / "o"), "--baseline", str(empty)]) == 2
    assert "holds no usable result" in capsys.readouterr().err
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "tf-1.15.json").write_text('{"schema_version": 99}')
    assert report_main([str(current), "--out", str(tmp_path / "o"), "--baseline", str(broken)]) == 2
    err = capsys.readouterr().err
    assert "baseline rejected" in err and "tf-1.15.json" in err


def test_baseline_flags_an_environment_or_cell_present_on_one_side_only(tmp_path, capsys):
    base = write_results(tmp_path / "base", history())
    fewer = history()[:-1]  # tf-2.16 did not run
    fewer[0]["cells"] = fewer[0]["cells"][:1]  # and tf-1.15 lost its bias cell
    current = write_results(tmp_path / "current", fewer)
    capsys.readouterr()
    assert report_main([str(current), "--out", str(tmp_path / "o"), "--baseline", str(base)]) == 1
    lines = [line for line in capsys.readouterr().out.splitlines() if line.startswith("CHANGED")]
    assert "CHANGED tf-2.16: environment ok in the baseline, not in this run" in lines
    assert any(line.startswith("CHANGED tf-1.15 ") and "bias: measured in the baseline, not in "
               "this run" in line for line in lines)


def test_missing_results_folder_is_one_line_exit_2(tmp_path, capsys):
    assert report_main([str(tmp_path / "nope"), "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "nope" in err[0]
