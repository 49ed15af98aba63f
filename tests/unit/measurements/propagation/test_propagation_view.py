"""The "Why NaN?" section, reports/propagation.csv and reports/training.csv, built from the real
propagation files of tests/fixtures/propagation (TF 1.4 tf.layers and TF 2.21 tf.keras, trimmed)
beside synthetic results; the step's file through validation and the loader."""

from __future__ import annotations

import copy
import csv
import io
import json
import os
import re
import shutil
from pathlib import Path

import pytest

from initcompat.probe import schema
from initcompat.probe.validation import SchemaError, validate_propagation
from initcompat.report.frame import order_results
from initcompat.report.load import load_results
from initcompat.report.measured import measure, without_frameworks
from initcompat.report.outputs import PROPAGATION_COLUMNS, TRAINING_COLUMNS, table_csv
from initcompat.report.packed import unpack_text
from initcompat.report.render import render_index
from initcompat.measurements.propagation.section import build_propagation, runs
from initcompat.measurements.propagation.section.records import plain, span
from synthetic import result
from test_report import view_of

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures" / "propagation"
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
    assert "<script>alert(1)</script>" not in unpacked(page)  # in the folds too
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in unpacked(page)  # the label is there, as text


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


# --- the conclusion: at most three sentences, every number from the files --------------------

MATRIX_RESULTS = Path(os.environ.get("INITCOMPAT_MATRIX_RESULTS", "/work/matrix-run/results"))


def propagation_of(documents: list[dict]):
    """The section alone, built as build_view builds it (faster than the whole view)."""
    return build_propagation(without_frameworks(measure(order_results(tuple(documents)))))


def expected_numbers(bodies: list[dict]) -> dict:
    """What the conclusion must quote, read straight from the propagation files (each
    environment's first API, float32)."""
    def record(body, model, initializer):
        return next(r for r in body["records"] if r["api"] == body["apis"][0] and r["model"] == model
                    and r["initializer"] == initializer and r["dtype"] == "float32")
    deep = [record(b, "deep_conv_relu", "truncated_normal(stddev=0.1)") for b in bodies]
    runs_ = [run for b in bodies for run in b["training"] if run["api"] == b["apis"][0]
             and run["model"] == "tutorial_cnn" and run["initializer"] == "truncated_normal(stddev=0.1)"
             and run["loss_kind"] == "naive"]
    return {
        "nan_gaps": [r["logits"]["max_gap"] for r in deep if r["loss"]["naive"] is None],
        "nan": sum(r["loss"]["naive"] is None for r in deep), "measured": len(deep),
        "stable": [r["loss"]["stable"] for r in deep if r["loss"]["stable"] is not None],
        "cnn_gaps": [record(b, "tutorial_cnn", "truncated_normal(stddev=0.1)")["logits"]["max_gap"]
                     for b in bodies],
        "trained_gap": max(g for run in runs_ for g in run["logit_gap"] if g is not None),
        "trained_nan": [run["first_nonfinite_step"] for run in runs_ if run["first_nonfinite_step"]],
        "he": max(record(b, "deep_conv_relu", "he_normal")["logits"]["max_gap"] for b in bodies),
        "default": max(record(b, "deep_conv_relu", "default")["logits"]["max_gap"] for b in bodies),
    }


def assert_conclusion_quotes(sentences: list[str], numbers: dict) -> None:
    assert 1 <= len(sentences) <= 3
    deep, tutorial, fix = sentences
    assert deep.startswith("The deep stack turns NaN, not the tutorial's CNN")
    assert f"logits, the network's outputs before softmax) {span(numbers['nan_gaps'])}," in deep
    assert f"not finite (NaN or ∞) in {numbers['nan']} of {numbers['measured']} environments" in deep \
        or (numbers["nan"] == numbers["measured"] and f"in all {numbers['measured']} environments" in deep)
    assert f"its logit gap is {span(numbers['cnn_gaps'])} at initialization" in tutorial
    assert f"at most {plain(numbers['trained_gap'])} over" in tutorial
    assert numbers["trained_gap"] < 87.3 and "far below 87.3" in tutorial
    assert not numbers["trained_nan"] and "finite at every step" in tutorial
    assert f"({span(numbers['stable'])})" in fix
    assert f"keeps the deep stack's gap at most {plain(numbers['he'])}" in fix
    assert f"at most {plain(numbers['default'])}" in fix


def test_numbers_read_as_words():
    assert plain(48983.763671875) == "48\u202f984"
    assert plain(9.52472472190857) == "9.52"
    assert plain(2.4418849875473825e-06) == "2.4·10⁻⁶"
    assert plain(0.0038654309464618564) == "0.00387"
    assert span([9.5247, 17.8168]) == "9.52–17.8" and span([0.5, 0.5004]) == "0.5"


def test_the_conclusion_quotes_the_fixture_files():
    """TF 1.4 (tf.layers) and TF 2.21 (tf.keras): the deep stack's naive loss not finite at a
    gap of 48 984 and 92 639; TF 1.15's graph finite; the tutorial CNN below 87.3 throughout."""
    view = propagation_of([joined(name) for name in names()])
    numbers = expected_numbers([document(name) for name in names()])
    assert numbers["nan"] == 2 and numbers["measured"] == 3  # what the files say, pinned
    assert_conclusion_quotes(view.conclusion, numbers)
    assert "(finite in TF 1.15)" in view.conclusion[0]
    assert "48\u202f984–92\u202f639" in view.conclusion[0]
    assert "Glorot" in view.conclusion[2]  # every default kernel drawn with σ = √(2/(in+out))


def test_the_table_behind_the_conclusion_marks_the_gap_past_the_underflow():
    view = propagation_of([joined(name) for name in names()])
    rows = {(row["model"], row["initializer"], row["when"]): row for row in view.summary}
    deep = rows[("deep stack", "stddev=0.1", "initialization")]
    assert deep["over"] and deep["naive_bad"] and deep["naive"] == "not finite in 2 of 3"
    assert deep["stable"] == "finite in all 3" and not deep["stable_bad"]
    trained = rows[("tutorial CNN", "stddev=0.1", "trained 12 steps (largest)")]
    assert not trained["over"] and trained["naive"] == "finite in all 3"
    assert [key[:2] for key in rows] == [("tutorial CNN", "default"), ("tutorial CNN", "stddev=0.1"),
                                         ("tutorial CNN", "stddev=0.1"), ("deep stack", "default"),
                                         ("deep stack", "he_normal"), ("deep stack", "stddev=0.1")]
    assert view.environments == 3


def test_a_tutorial_run_that_turns_nan_is_said_with_its_step():
    documents = [joined(name) for name in names()]
    run = next(r for r in documents[0][schema.KIND_PROPAGATION]["training"]
               if r["initializer"] == "truncated_normal(stddev=0.1)" and r["loss_kind"] == "naive")
    run["loss"][6:] = [None] * (len(run["loss"]) - 6)
    run["first_nonfinite_step"] = 7
    sentences = propagation_of(documents).conclusion
    assert "turns NaN while training" in sentences[1] and "first at step 7 (TF 1.4)" in sentences[1]
    assert "in 1 of 3 runs" in sentences[1]


def test_without_the_deep_stack_the_conclusion_says_only_what_was_measured():
    documents = [joined(name) for name in names()]
    for document_ in documents:
        body = document_[schema.KIND_PROPAGATION]
        body["records"] = [r for r in body["records"] if r["model"] != "deep_conv_relu"]
    sentences = propagation_of(documents).conclusion
    assert len(sentences) == 1 and sentences[0].startswith("The tutorial's CNN")
    assert "deep" not in sentences[0]


def matrix_environments() -> list[str]:
    return sorted(path.name[:-len(".propagation.json")]
                  for path in MATRIX_RESULTS.glob("*.propagation.json")
                  if (MATRIX_RESULTS / path.name.replace(".propagation.json", ".json")).exists())


@pytest.mark.skipif(not matrix_environments(), reason=f"no measured results in {MATRIX_RESULTS}")
def test_the_conclusion_quotes_the_full_matrix_results(tmp_path):
    """The conclusion on real results of the full-matrix run (copied as they appear): its
    numbers are the files' numbers, whatever versions have been measured so far."""
    chosen = matrix_environments()[-4:]
    for name in chosen:
        for suffix in (".json", ".propagation.json"):
            shutil.copy(MATRIX_RESULTS / f"{name}{suffix}", tmp_path / f"{name}{suffix}")
    loaded = load_results(tmp_path)
    assert not loaded.rejected, [r.line() for r in loaded.rejected]
    view = build_propagation(without_frameworks(measure(order_results(loaded.results))))
    bodies = [json.loads((tmp_path / f"{name}.propagation.json").read_text()) for name in chosen]
    assert_conclusion_quotes(view.conclusion, expected_numbers(bodies))


def unpacked(page: str) -> str:
    """The page with every packed fold's content in place (as report.js unpacks it)."""
    return re.sub(r'data-z="([^"]+)"', lambda m: ">" + unpack_text(m.group(1)) + "<", page)


def test_the_conclusion_is_on_the_page_and_the_long_parts_are_folded():
    page = render_index(view_of([joined(name) for name in names()]))
    section = page[page.index('<section id="propagation"'):]
    section = section[:section.index("</section>")]
    opened = section[:section.index("<details")]  # what a reader sees before opening a fold
    assert '<div class="conclusion">' in opened and "The deep stack turns NaN" in opened
    assert "table class=\"summary\"" in opened and "class=\"propagation-versions\"" not in opened
    assert 'class="propagation-versions"' in unpacked(section)
    assert "logits come out with std" in unpacked(section)


def test_the_gap_the_conclusion_names_separates_the_measured_losses():
    """Every float32 record measured: below 87.3 the naive loss is finite; the non-finite ones lie
    far above 103.3 (where even a subnormal exp(−gap) is 0) — the mechanism the conclusion
    states, checked against the data rather than assumed."""
    bodies = [document(name) for name in names()]
    bodies += [json.loads((MATRIX_RESULTS / f"{name}.propagation.json").read_text())
               for name in matrix_environments()[-2:]]
    below, above = 0, 0
    for body in bodies:
        for record in body["records"]:
            if record["status"] != "ok" or record["dtype"] != "float32" or record["loss"]["error"]:
                continue
            gap = record["logits"]["max_gap"]
            if gap < 87.3:
                assert record["loss"]["naive"] is not None, (record["model"], record["initializer"])
                below += 1
            if record["loss"]["naive"] is None:
                assert gap > 103.3
                above += 1
        for run in body["training"]:
            for loss, gap in zip(run["loss"], run["logit_gap"]):
                if gap is not None and gap < 87.3:
                    assert loss is not None
    assert below and above


def test_a_naive_loss_alike_in_every_version_is_not_said_to_depend_on_it():
    answer = " ".join(propagation_of([joined("tf-1.4"), joined("tf-2.21")]).answer)
    assert "The same in every version measured" in answer
    assert "TensorFlow: not finite in 1.4–2.21" in answer and "depends on the version" not in answer


def test_environments_are_named_as_version_spans_per_line():
    from initcompat.measurements.propagation.section.conclusion import _where
    envs = [{"line": "tensorflow", "label": v} for v in ("1.13", "1.14", "1.15", "2.0")]
    envs += [{"line": "keras · tensorflow", "label": f"Keras {v} tensorflow"}
             for v in ("2.1", "2.2", "2.3", "3.0")]
    chosen = [envs[1], envs[2], envs[5], envs[6]]
    assert _where(envs, chosen) == "TF 1.14–1.15, Keras 2.2–2.3 tensorflow"
    assert _where(envs, [envs[0], envs[3]]) == "TF 1.13, TF 2.0"
