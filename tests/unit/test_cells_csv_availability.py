"""cells.csv holds what the page says about availability: besides one row per environment x
weight, one row per attempt of a result's `availability` record (TF_USE_LEGACY_KERAS=1 without
tf_keras: ImportError on first access, RecursionError on the retry), with the page's words."""

from __future__ import annotations

import csv
import io

from initcompat.probe import schema, validation
from initcompat.report import availability
from initcompat.report.frame import cells_frame, order_results
from initcompat.report.outputs import cells_csv
from initcompat.report.sections import Inputs, build_view
from initcompat.measurements.throughput.section import load_pyperf
from synthetic import cell, glorot_limit, result, uniform

CASE = "TF_USE_LEGACY_KERAS=1 without tf_keras"
# What TF 2.16-2.21 raise there (the committed full-matrix report's availability lines).
IMPORT_ERROR = "Keras cannot be imported. Check that it is installed."
RECURSION = "maximum recursion depth exceeded in comparison"


def entry(target, family, error_type, reason, attempt, status=schema.CELL_UNAVAILABLE):
    return {"case": CASE, "api_family": family, "legacy_keras": True, "target": target,
            "attempt": attempt, "status": status, "error_type": error_type, "reason": reason,
            "logged": ["Your environment has TF_USE_LEGACY_KERAS set"]}


def documents() -> list[dict]:
    values = uniform(glorot_limit(96, 40), seed=1)
    found = []
    for name, version in (("tf-2.15", "2.15.1"), ("tf-2.16", "2.16.2"), ("tf-2.21", "2.21.0")):
        document = result(name, version, [cell("tf.keras", "dense", "kernel", values)])
        if version >= "2.16":
            document["availability"] = [
                entry("tf.keras", "tf.keras", "ImportError", IMPORT_ERROR, 1),
                entry("tf.keras.layers.Dense(...).build(...)", "tf.keras", "RecursionError",
                      RECURSION, 2),
                entry("tf.compat.v1.layers.dense", "tf.compat.v1.layers", "ImportError",
                      IMPORT_ERROR, 3),
                entry("tf.compat.v1.keras", "tf.compat.v1.keras", None, None, 4, "ok")]
        validation.validate(document)
        found.append(document)
    return found


def csv_rows(documents: list[dict]) -> list[dict]:
    ordered = order_results(tuple(documents))
    view = build_view(Inputs(ordered, [], load_pyperf(ordered, [])))
    return list(csv.DictReader(io.StringIO(cells_csv(cells_frame(ordered), view, ordered))))


def test_every_attempt_is_a_row_with_the_pages_words():
    rows = csv_rows(documents())
    attempts = [r for r in rows if r["record"] == availability.RECORD_AVAILABILITY]
    assert [(r["env"], r["attempt"], r["target"]) for r in attempts] == [
        (env, str(i), target) for env in ("tf-2.16", "tf-2.21") for i, target in enumerate(
            ["tf.keras", "tf.keras.layers.Dense(...).build(...)", "tf.compat.v1.layers.dense",
             "tf.compat.v1.keras"], 1)]
    first, retry, v1_layers, v1_keras = attempts[:4]
    assert (first["api_family"], first["legacy_keras"], first["case"]) == ("tf.keras", "True", CASE)
    assert (first["status"], first["error_type"], first["reason"]) == (
        "unavailable", "ImportError", IMPORT_ERROR)
    assert first["availability"] == f"raises ImportError: {IMPORT_ERROR}"
    assert retry["availability"] == f"raises RecursionError: {RECURSION} (tried again after the " \
                                    "first failure)"
    assert v1_layers["availability"] == f"raises ImportError: {IMPORT_ERROR}"  # its own loader
    assert v1_keras["availability"] == "works"
    assert first["tf_version"] == "2.16.2" and first["layer"] == "" and first["shape"] == ""


def test_weight_rows_say_so_and_keep_their_columns():
    rows = csv_rows(documents())
    weights = [r for r in rows if r["record"] == availability.RECORD_WEIGHT]
    assert len(weights) == 3 and all(r["case"] == r["target"] == r["attempt"] == "" for r in weights)
    assert list(rows[0])[:2] == ["env", "tf_version"]
    # an environment's attempts follow its weights
    assert [r["env"] for r in rows] == ["tf-2.15"] + ["tf-2.16"] * 5 + ["tf-2.21"] * 5


def test_without_results_or_records_cells_csv_is_weights_only():
    documents_ = documents()
    ordered = order_results(tuple(documents_))
    view = build_view(Inputs(ordered, [], load_pyperf(ordered, [])))
    rows = list(csv.DictReader(io.StringIO(cells_csv(cells_frame(ordered), view))))
    assert {r["record"] for r in rows} == {availability.RECORD_WEIGHT}
    assert "availability" in rows[0]  # the columns are there either way


def test_a_failed_child_is_not_an_unavailability():
    failed = entry("tf.keras", "tf.keras", "ChildFailed", "exit status 1", 1, schema.CELL_ERROR)
    text, status = availability.attempt_text(failed, retried=False)
    assert (text, status) == ("could not be measured (ChildFailed: exit status 1)", "error")
