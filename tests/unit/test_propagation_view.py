"""The "Why NaN?" section, reports/propagation.csv and reports/training.csv, built from the real
propagation files of tests/fixtures/propagation (TF 1.4 tf.layers and TF 2.21 tf.keras, trimmed)
beside synthetic results; the step's file through validation and the loader."""

from __future__ import annotations

import copy
import csv
import io
import json
import re
from pathlib import Path

import pytest

from initcompat.probe import schema
from initcompat.probe.validation import SchemaError, validate_propagation
from initcompat.report.outputs import PROPAGATION_COLUMNS, TRAINING_COLUMNS, table_csv
from initcompat.report.render import render_index
from initcompat.report.sections.propagation import runs
from synthetic import result
from test_report import view_of

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "propagation"
VERSIONS = {"tf-1.4": "1.4.1", "tf-1.15": "1.15.5", "tf-2.21": "2.21.0"}


def document(name: str) -> dict:
    return json.loads((FIXTURES / f"{name}.propagation.json").read_text())


def joined(name: str) -> dict:
    """A synthetic result of `name` with its real propagation file's body joined, as the loader
    joins it."""
    found = result(name, VERSIONS[name], [])
    body = document(name)
    found[schema.KIND_PROPAGATION] = {k: v for k, v in body.items()
                                      if k not in ("schema_version", "kind", "env")}
    return found


def names() -> list[str]:
    return [name for name in VERSIONS if (FIXTURES / f"{name}.propagation.json").exists()]


def test_fixture_files_validate():
    for name in names():
        validate_propagation(document(name))


def test_validation_names_the_field_it_refuses():
    broken = document("tf-2.21")
    broken["records"][0]["layers"][1]["fan_in"] = 9.22e18  # the #11 fuzz crash, as a fan
    with pytest.raises(SchemaError, match=r"records\[0\]\.layers\[1\]\.fan_in"):
        validate_propagation(broken)
    broken = document("tf-2.21")
    broken["training"][0]["first_nonfinite_step"] = 10_000
    with pytest.raises(SchemaError, match=r"training\[0\]\.first_nonfinite_step"):
        validate_propagation(broken)


def test_the_answer_quotes_the_measured_numbers():
    view = view_of([joined(name) for name in names()]).propagation
    assert view.present and view.answer
    body = document("tf-2.21")
    record = next(r for r in body["records"] if r["model"] == "tutorial_cnn"
                  and r["initializer"] == "truncated_normal(stddev=0.1)" and r["dtype"] == "float32")
    assert "TensorFlow 1.15 with tf.layers" in view.answer[0]  # the asker's API answers first
    assert [item["title"] for item in view.more] == ["The same in TensorFlow 2.21 (tf.keras)"]
    text = " ".join(view.more[0]["paragraphs"])
    assert "TensorFlow 2.21 with tf.keras" in text
    logits_std = record["logits"]["std"]
    assert f"logits come out with std {logits_std:.3g}" in text
    # the stddev=0.1 CNN's logits stay below the float32 underflow gap: finite at initialization
    assert record["logits"]["max_gap"] < 87.3 and record["loss"]["naive"] is not None
    assert "At initialization this CNN stays below that" in text


def test_fixed_stddev_grows_the_tutorial_cnn_and_he_normal_keeps_the_deep_stack_in_range():
    """The asker's finding, from the real files: stddev=0.1 makes the CNN's logits tens of times
    wider than the default and explodes the deep stack; he_normal does not."""
    for name in names():
        records = {(r["model"], r["initializer"], r["dtype"]): r
                   for r in document(name)["records"] if r["status"] == "ok"}
        cnn = lambda init: records[("tutorial_cnn", init, "float32")]["logits"]["std"]
        assert cnn("truncated_normal(stddev=0.1)") > 10 * cnn("default"), name
        deep = lambda init: records[("deep_conv_relu", init, "float32")]["layers"][31]["output"]["std"]
        assert deep("truncated_normal(stddev=0.1)") > 100 > 1 > deep("he_normal"), name


def test_versions_table_and_charts_cover_every_environment():
    view = view_of([joined(name) for name in names()]).propagation
    assert [row["env"] for row in view.versions] == names()
    assert {row["api"] for row in view.versions} == {"tf.layers", "tf.keras"}
    assert len(view.charts) == 2 * 2  # two reference environments x the two models kept
    for chart in view.charts:
        assert chart["svg"]["lines"], chart["title"]
        for line in chart["svg"]["lines"]:
            assert re.fullmatch(r"[0-9.]+,[0-9.]+( [0-9.]+,[0-9.]+)*", line["points"])
    assert view.training and all(chart["rows"] for chart in view.training)


def test_prediction_matches_the_first_conv_and_says_where_it_parts():
    view = view_of([joined(name) for name in names()]).propagation
    rows = [row for row in view.prediction if row["model"] == "tutorial_cnn"]
    assert rows and all(row["layers"] == 6 for row in rows)
    first = [float(row["ratios"][0]) for row in rows]
    assert all(0.8 < ratio < 1.25 for ratio in first), first
    assert all(row["parts"] for row in rows if row["within"] < row["layers"])


def test_csv_tables_have_the_issue_columns_and_one_row_per_layer():
    view = view_of([joined(name) for name in names()]).propagation
    rows = list(csv.DictReader(io.StringIO(table_csv(view.table, PROPAGATION_COLUMNS))))
    assert list(rows[0])[:len(PROPAGATION_COLUMNS)] == PROPAGATION_COLUMNS
    expected = sum(len(r["layers"]) for name in names() for r in document(name)["records"]
                   if r["status"] == "ok" and r["layers"])
    assert len(rows) == expected
    training = list(csv.DictReader(io.StringIO(table_csv(view.training_table, TRAINING_COLUMNS))))
    assert list(training[0])[:len(TRAINING_COLUMNS)] == TRAINING_COLUMNS
    assert len(training) == sum(len(run["loss"]) for name in names()
                                for run in document(name)["training"])


def test_a_failed_step_and_a_missing_file_are_said():
    failed = result("tf-2.20", "2.20.0", [])
    failed[schema.KIND_PROPAGATION] = {"status": "probe-crashed", "reason": "ImportError: x",
                                       "records": []}
    missing = result("tf-2.19", "2.19.0", [])
    view = view_of([joined("tf-2.21"), failed, missing]).propagation
    assert view.missing == ["tf-2.19"]
    assert view.failed == [{"env": "tf-2.20", "status": "probe-crashed", "reason": "ImportError: x"}]


def test_no_propagation_file_anywhere_renders_the_instruction():
    view = view_of([result("tf-2.21", "2.21.0", [])])
    assert not view.propagation.present
    assert "--step propagation" in render_index(view)


def test_hostile_labels_stay_text():
    hostile = joined("tf-2.21")
    for record in hostile[schema.KIND_PROPAGATION]["records"]:
        record["initializer"] = "<script>alert(1)</script>"
    page = render_index(view_of([hostile]))
    assert "<script>alert(1)</script>" not in page


def test_runs_fold_equal_neighbours():
    assert runs(["1.4", "1.5", "1.6", "2.0"], [False, False, True, True]) == [
        (False, "1.4–1.5"), (True, "1.6–2.0")]


def test_the_naive_loss_turning_finite_in_tf_1_15_graph_mode_is_a_timeline_event():
    """TF 1.4's deep stack at stddev=0.1 has a naive loss that is not finite; TF 1.15's graph
    evaluates it finite (the same logit gap, far above the underflow band); TF 2.21 is eager
    again: an event at 1.15, none at 2.21 (another API, never compared with tf.layers), and the
    answer says it over version ranges."""
    view = view_of([joined(name) for name in names()])
    events = [e for e in view.propagation.events if "deep_conv_relu" in e["row"]
              and "float32" in e["row"] and e["text"].startswith("naive loss")]
    assert [(e["since"], e["env"], "not finite → finite" in e["text"]) for e in events] == [
        ("tf-1.4", "tf-1.15", True)]
    assert any(e["kind"] == "propagation" for e in view.timeline.events)
    text = " ".join(view.propagation.answer)
    assert "TensorFlow: not finite in 1.4; finite in 1.15; not finite in 2.21" in text


def test_a_rerun_with_the_same_draws_is_not_a_change():
    rerun = joined("tf-2.21")
    rerun["env"]["name"] = "tf-2.21-rerun"
    view = view_of([joined("tf-2.21"), rerun])
    assert view.propagation.events == []


def test_a_float16_loss_tipped_by_where_one_draw_fell_is_not_a_change():
    """The deep stack's float16 logit gap (about 5e4) lies within a factor 2 of float16's
    largest value: whether its loss overflows depends on the draw, so no event either way."""
    before, after = joined("tf-1.4"), joined("tf-1.15")
    for record in after[schema.KIND_PROPAGATION]["records"]:
        if record["dtype"] == "float16" and record["model"] == "deep_conv_relu" and \
                record["initializer"] == "truncated_normal(stddev=0.1)":
            assert 65504 / 2 < record["logits"]["max_gap"] < 65504 * 2
            record["loss"]["stable"] = None if record["loss"]["stable"] is not None else 1.0
    events = view_of([before, after]).propagation.events
    assert not [e for e in events if "float16" in e["row"]]
