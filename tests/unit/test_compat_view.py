"""The first screen and the compatibility table (sections/summary.py, sections/compat.py): on
synthetic results with a planted change (tests/unit/test_report.py's history) and on real probe
results (tests/fixtures/history): version bands per line, boundary notes, distinct findings, the
answer to the seed question."""

from __future__ import annotations

from pathlib import Path

import pytest

from initcompat.report.load import load_results
from initcompat.report.render import render_index
from initcompat.report.sections import build_view, load_inputs
from initcompat.report.sections.compat import column_of
from test_report import history, view_of

HISTORY = Path(__file__).resolve().parents[1] / "fixtures" / "history"


def row(view, family: str, layer: str, role: str) -> dict:
    (group,) = [g for g in view.compat.families if g["family"] == family]
    (found,) = [r for r in group["headline"] + group["others"]
                if r["layer"] == layer and r["role"] == role]
    return found


def bands(view, found: dict) -> dict[str, list[tuple[str, str, str]]]:
    """{column title: [(range, text, status)]} of one row."""
    return {column["title"]: [(b["range"], b["text"], b["status"]) for b in cells]
            for column, cells in zip(view.compat.columns, found["cells"])}


@pytest.fixture(scope="module")
def real():
    loaded = load_results(HISTORY)
    assert not loaded.rejected
    return build_view(load_inputs(loaded, [HISTORY]))


def test_a_band_names_its_distribution_once_and_a_change_starts_a_new_band_with_its_note():
    view = view_of(history())
    kernel = row(view, "tf.compat.v1.layers", "dense", "kernel")
    assert bands(view, kernel) == {
        "TF 1.x": [("1.15", "Glorot uniform", "ok")],
        # 2.0 renames the class (GlorotUniformV2): same band; 2.5's planted normal is a finding
        "TF 2.x": [("2.0", "Glorot uniform", "ok"),
                   ("2.5", kernel["cells"][1][1]["text"], "finding"),
                   ("2.16", "raises AttributeError", "unavailable")]}
    assert kernel["cells"][1][1]["text"].startswith("normal, σ=")
    assert kernel["cells"][1][1]["text"].endswith("(declares Glorot uniform)")
    notes = {n["number"]: n["text"] for n in view.compat.footnotes}
    removed = kernel["cells"][1][2]["note"]
    assert notes[removed] == ("TF 2.16: removed — AttributeError: `dense` is not available "
                              "with Keras 3.")
    assert kernel["cells"][1][0]["note"] is None  # a line's first band starts nothing
    bias = row(view, "tf.compat.v1.layers", "dense", "bias")
    assert bands(view, bias)["TF 2.x"] == [("2.0–2.5", "zeros", "ok"),
                                           ("2.16", "raises AttributeError", "unavailable")]


def test_one_finding_per_distinct_disagreement_with_where_it_holds():
    view = view_of(history())
    (finding,) = view.compat.findings
    assert finding["count"] == 1 and finding["where"] == "tf.compat.v1.layers dense kernel (TF 2.x 2.5)"
    assert finding["cell"] == "c-tf.compat.v1.layers-default-dense-kernel-tf-2.5"


def test_the_first_screen_answers_the_seed_question_from_the_draws():
    view = view_of(history())
    (line,) = view.summary.lines  # only tf.compat.v1.layers is in these results
    assert line["calls"] == ["tf.compat.v1.layers.dense", "tf.compat.v1.layers.conv2d"]
    kernel, bias = line["weights"]
    # 2.5's draws disagree with the declaration: the answer says what was drawn there
    assert kernel["text"].startswith("Glorot uniform → normal, σ=")
    assert kernel["text"].endswith("(declares Glorot uniform)")
    assert kernel["formula"] == "uniform on ±√(6/(fan_in+fan_out))"
    assert kernel["example"].startswith("±0.21 for the measured 96×40")
    assert bias["text"] == "zeros"
    assert line["where"] == ["TF 1.x: 1.15", "TF 2.x: 2.0, 2.5, raises AttributeError (2.16)"]


def test_real_results_the_lstm_bias_band_names_the_forget_gate_ones(real):
    lstm = bands(real, row(real, "tf.keras", "LSTM", "bias"))
    assert lstm["TF 1.x"] == [("1.15", "zeros + forget-gate ones", "ok")]
    assert lstm["TF 2.x"] == [("2.0–2.16", "zeros + forget-gate ones", "ok")]
    assert not real.compat.findings


def test_real_results_the_gru_bias_shape_change_at_2_0_is_a_band_boundary(real):
    gru = row(real, "tf.keras", "GRU", "bias")
    assert [b["range"] for b in gru["cells"][1]] == ["2.0–2.16"]  # one band in TF 2.x
    notes = {n["number"]: n["text"] for n in real.compat.footnotes}
    # the change from 1.15 (the column before) is the note of TF 2.x's first band
    assert notes[gru["cells"][1][0]["note"]] == "TF 2.0: weight shape [48] → [2, 48] (against tf-1.15)"
    without = bands(real, row(real, "tf.keras", "LSTM(unit_forget_bias=False)", "bias"))
    assert without["TF 2.x"] == [("2.0–2.16", "zeros", "ok")]
    dense = row(real, "tf.keras", "Dense", "kernel")
    # GlorotUniform -> GlorotUniformV2 -> keras.initializers.GlorotUniform: renames, one band
    assert [b["range"] for b in dense["cells"][1]] == ["2.0–2.16"]


def test_real_results_the_first_screen_says_glorot_uniform_and_zeros(real):
    html = render_index(real)
    first = html[html.index('<section id="summary"'):html.index('<section id="compat"')]
    assert "<code>tf.keras.layers.Dense</code>" in first
    assert "<strong>Glorot uniform</strong><br>uniform on ±√(6/(fan_in+fan_out))" in first
    assert "<strong>zeros</strong>" in first


def test_columns_are_lines_of_releases():
    assert column_of({"line": "tensorflow", "tensorflow": "1.15.5", "variant_of": None}) == (
        "tf1", "TF 1.x")
    assert column_of({"line": "keras · jax", "backend": "jax", "keras_requested": "3.4.1",
                      "variant_of": None}) == ("keras3-jax", "Keras 3 · jax")
    assert column_of({"line": "keras · tensorflow", "backend": "tensorflow",
                      "keras_requested": "2.1.6", "variant_of": None}) == (
        "keras2-tensorflow", "Keras 2 (multi-backend) · tensorflow")
    assert column_of({"line": "tensorflow", "tensorflow": "2.16.2", "variant_of": "tf-2.16"}) is None


def test_a_tf_family_is_answered_from_tensorflow_lines_only():
    """tf.layers' answer never lists the standalone Keras 2 or Keras 3 environments (they have
    TensorFlow installed too, but a reader of `tf.layers.dense` asks about TensorFlow)."""
    from types import SimpleNamespace

    from initcompat.report.sections.summary import answered_columns
    compat = SimpleNamespace(columns=[
        {"id": "tf1", "title": "TF 1.x"}, {"id": "tf2", "title": "TF 2.x"},
        {"id": "keras2-tensorflow", "title": "Keras 2 (multi-backend) · tensorflow"},
        {"id": "keras3-jax", "title": "Keras 3 · jax"}])
    for family in ("tf.layers", "tf.compat.v1.layers", "tf.keras"):
        assert answered_columns(compat, family) == [0, 1], family
    assert answered_columns(compat, "keras") == [0, 1, 2, 3]


def test_a_finding_is_never_folded_into_a_spelling_on_the_first_screen():
    """Bands that all draw what they declare, with one formula, are one distribution spelled
    several ways (summary._weight names it once); a band whose draws contradict its declaration
    (the planted normal) is a change and keeps its arrow."""
    view = view_of(history())
    kernels = [w for line in view.summary.lines for w in line["weights"] if w["role"] == "kernel"]
    assert any(w["text"].startswith("Glorot uniform → normal, σ=") for w in kernels)
    assert not any("the same draw" in w["text"] for w in kernels)
