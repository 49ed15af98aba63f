"""The compatibility table's availability lines for a case the cells do not measure (TF_USE_LEGACY_KERAS=1
without tf_keras: a result's `availability` records), and cell ids for family names with spaces
and brackets (the variable_scope families)."""

from __future__ import annotations

import re

from initcompat.probe import schema, validation
from initcompat.report.frame import order_results
from initcompat.report.measured import cell_id
from initcompat.report.packed import unpacked_page
from initcompat.report.render import render_index
from initcompat.report.sections import Inputs, build_view
from initcompat.measurements.throughput.section import load_pyperf
from synthetic import cell, glorot_limit, result, uniform

CASE = "TF_USE_LEGACY_KERAS=1 without tf_keras"


def view_of(documents):
    ordered = order_results(tuple(documents))
    return build_view(Inputs(ordered, [], load_pyperf(ordered, [])))


def entry(target, family, error_type, reason, attempt):
    return {"case": CASE, "api_family": family, "legacy_keras": True, "target": target,
            "attempt": attempt, "status": schema.CELL_UNAVAILABLE, "error_type": error_type,
            "reason": reason, "logged": ["Your environment has TF_USE_LEGACY_KERAS set"]}


def documents():
    values = uniform(glorot_limit(96, 40), seed=1)
    scoped = schema.FAMILY_SCOPED_TF_KERAS
    found = []
    for name, version in (("tf-2.15", "2.15.1"), ("tf-2.16", "2.16.2"), ("tf-2.21", "2.21.0")):
        cells = [cell("tf.keras", "dense", "kernel", values),
                 cell(scoped, "dense", "kernel", values),
                 cell("tf.compat.v1.layers", "dense", "kernel", values, legacy=True)]
        document = result(name, version, cells)
        if version >= "2.16":
            document["availability"] = [
                entry("tf.keras", "tf.keras", "ImportError",
                      "Keras cannot be imported. Check that it is installed.", 1),
                entry("tf.keras.layers.Dense(...).build(...)", "tf.keras", "RecursionError",
                      "maximum recursion depth exceeded <b>", 2),
                entry("tf.compat.v1.layers.dense", "tf.compat.v1.layers", "ImportError",
                      "Keras cannot be imported. Check that it is installed.", 3)]
        found.append(document)
    return found


def test_availability_records_validate():
    for document in documents():
        validation.validate(document)


def test_legacy_without_tf_keras_is_an_availability_line_of_its_family():
    view = view_of(documents())
    conditional = view.compat.conditional
    keras = conditional["tf.keras"]  # no legacy tf.keras rows: shown under tf.keras
    assert [(line["target"], [(s["text"], s["range"]) for s in line["segments"]]) for line in keras] == [
        ("tf.keras", [("raises ImportError: Keras cannot be imported. Check that it is installed.",
                       "from 2.16 to 2.21")]),
        ("tf.keras.layers.Dense(...).build(...)",
         [("raises RecursionError: maximum recursion depth exceeded <b> (tried again after the "
           "first failure)", "from 2.16 to 2.21")])]
    assert {line["case"] for line in keras} == {CASE}
    (legacy,) = conditional["tf.compat.v1.layers (TF_USE_LEGACY_KERAS=1)"]
    assert legacy["target"] == "tf.compat.v1.layers.dense"
    assert schema.FAMILY_SCOPED_TF_KERAS not in conditional
    html = render_index(view)
    assert "With <code>TF_USE_LEGACY_KERAS=1 without tf_keras</code>: <code>tf.keras</code>" in html
    assert "exceeded &lt;b&gt;" in html  # result text stays text


def test_cell_ids_are_html_ids_even_for_family_names_with_spaces():
    key = (schema.FAMILY_SCOPED_TF_KERAS, False, "dense", "kernel")
    identifier = cell_id(key, "tf-2.21")
    assert re.fullmatch(r"[A-Za-z0-9_.:-]+", identifier)
    assert identifier == cell_id(key, "") + "tf-2.21"  # the matrix appends the environment
    html = unpacked_page(render_index(view_of(documents())))  # the matrix is a packed fold
    # a matrix cell's id is its row's data-key followed by its column's data-env (report.js)
    ids = {key + env for key in re.findall(r'data-key="([^"]+)"', html)
           for env in re.findall(r'data-env="([^"]+)"', html)}
    links = set(re.findall(r'href="#(c-[^"]+)"', html))
    assert links and links <= ids
    assert cell_id(key, "tf-2.21") in links
