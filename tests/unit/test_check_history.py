"""initcompat check on example user code of every style (tests/fixtures/check) against real
measurements: for pairs across the history, exactly the changed calls are flagged, each with the
right kind (recall and precision: the expected set is the whole set), the same environment twice
says nothing, and the layer lines agree with the report's own upgrade view."""

from __future__ import annotations

import pytest

from initcompat.check.context import Comparison
from initcompat.check.reader import read
from initcompat.check.run import check_source, legacy_setting
from initcompat.check.uses import classify
from initcompat.report.sections import upgrade

from check_sets import EXAMPLES, built, compat

# (data set, from, to) -> {example file: [(line, code)]}: every finding, nothing else. Why each
# is expected, from the measurements (README of the data sets in check_sets.py):
# - tf.layers is gone in TF 2.0 (AttributeError), tf.compat.v1.layers under Keras 3 (2.16, 2.21);
# - GRU's reset_after default turned True in 2.0: bias 48 -> 2x48 (the setting itself is seen
#   where the results keep the layer config: 2.0, not the cut-down 2.15 and 2.16);
# - tf.set_random_seed is gone in TF 2; tf.compat.v1.set_random_seed and tf.compat.v1.layers
#   stop giving the same weights in two fresh processes from 2.15 (graph seed in TF 2);
# - tf.truncated_normal_initializer is not in TF 2's tf namespace;
# - tf.keras.utils.set_random_seed only exists in TF 2 (reproducible there);
# - TF 1.5 and 1.9 changed SimpleRNN's seeded recurrent kernel under the same graph seed;
# - TF 1.10 corrected VarianceScaling's truncated normal (he_normal, glorot_normal draw wider);
# - TF 1.11's tf.keras RandomNormal()/Embedding defaults went from N(0, 1) / U[0, 1) to
#   +-0.05-sized ones; LayerNormalization arrives in tf.keras 1.14; TF 2.0 drops tf.contrib,
#   tf.glorot_normal_initializer, and tf.random.set_seed arrives (reproducible for tf.keras);
# - tf.get_variable and tf.nn.rnn_cell (TF 1 spellings) and tf.compat.v1.X before 1.13 are not
#   measured as spelled, and raw random ops by no step: nothing is said of them.
EXPECTED = {
    ("history", "tf-1.15", "tf-2.0"): {
        "tf1_graph_model.py": [(18, "IC101"), (20, "IC101")],
        "tfkeras_sequential.py": [(10, "IC202"), (10, "IC203")]},
    ("history", "tf-1.15", "tf-2.15"): {
        "tf1_graph_model.py": [(6, "IC401"), (16, "IC301"), (18, "IC101"), (20, "IC101")],
        "tf2_compat_v1.py": [(6, "IC401"), (11, "IC401")],
        "tfkeras_functional.py": [(5, "IC403")],
        "tfkeras_sequential.py": [(10, "IC202")]},
    ("history", "tf-2.0", "tf-2.15"): {"tf2_compat_v1.py": [(11, "IC401")]},
    ("history", "tf-2.15", "tf-2.16"): {"legacy_keras.py": [(4, "IC501")],
                                        "tf2_compat_v1.py": [(11, "IC101")]},
    ("history", "tf-1.15", "tf-2.16"): {
        "legacy_keras.py": [(4, "IC501")],
        "tf1_graph_model.py": [(6, "IC401"), (18, "IC101"), (20, "IC101")],
        "tf2_compat_v1.py": [(11, "IC101")],
        "tfkeras_functional.py": [(5, "IC403")],
        "tfkeras_sequential.py": [(10, "IC202")]},
    ("history", "tf-2.15", "tf-2.15-rerun"): {},
    ("history", "tf-2.16", "tf-1.15"): {
        "legacy_keras.py": [(4, "IC501")],
        "tf1_graph_model.py": [(6, "IC403"), (18, "IC102"), (20, "IC102")],
        "tf2_compat_v1.py": [(6, "IC403"), (11, "IC102")],
        "tfkeras_functional.py": [(5, "IC401")],
        "tfkeras_sequential.py": [(10, "IC202")]},
    ("merge", "tf-1.15", "tf-2.15"): {
        "tf1_graph_model.py": [(12, "IC101"), (15, "IC101"), (18, "IC101"), (20, "IC101")],
        "tf2_compat_v1.py": [(9, "IC401"), (11, "IC401")]},
    ("merge", "tf-2.15", "tf-2.21"): {"legacy_keras.py": [(4, "IC501")],
                                      "tf2_compat_v1.py": [(9, "IC101"), (11, "IC101")]},
    ("matrix", "tf-1.4", "tf-1.5"): {"tf1_graph_model.py": [(24, "IC402")]},
    ("matrix", "tf-1.5", "tf-1.6"): {},
    ("matrix", "tf-1.6", "tf-1.7"): {},
    ("matrix", "tf-1.7", "tf-1.8"): {},
    ("matrix", "tf-1.8", "tf-1.9"): {"tf1_graph_model.py": [(24, "IC402")]},
    ("matrix", "tf-1.9", "tf-1.10"): {"raw_variables.py": [(15, "IC303")],
                                      "tfkeras_sequential.py": [(12, "IC303")]},
    ("matrix", "tf-1.10", "tf-1.11"): {"tfkeras_functional.py": [(12, "IC303")],
                                       "tfkeras_sequential.py": [(7, "IC201")]},
    ("matrix", "tf-1.11", "tf-1.12"): {},
    ("matrix", "tf-1.12", "tf-1.13"): {},
    ("matrix", "tf-1.13", "tf-1.14"): {"tfkeras_functional.py": [(13, "IC102")]},
    ("matrix", "tf-1.14", "tf-1.15"): {},
    ("matrix", "tf-1.15", "tf-2.0"): {
        "raw_variables.py": [(15, "IC301"), (16, "IC101")],
        "tf1_graph_model.py": [(6, "IC401"), (12, "IC101"), (15, "IC101"), (16, "IC301"),
                               (18, "IC101"), (19, "IC101"), (20, "IC101")],
        "tfkeras_sequential.py": [(4, "IC403"), (10, "IC202"), (10, "IC203")]},
    ("matrix", "tf-1.4", "tf-2.0"): {
        "raw_variables.py": [(15, "IC301"), (16, "IC101")],
        "tf1_graph_model.py": [(6, "IC401"), (12, "IC101"), (15, "IC101"), (16, "IC301"),
                               (18, "IC101"), (19, "IC101"), (20, "IC101")],
        "tfkeras_functional.py": [(12, "IC303"), (13, "IC102")],
        "tfkeras_sequential.py": [(4, "IC403"), (7, "IC201"), (10, "IC202"), (12, "IC303")]},
}
EXAMPLE_FILES = sorted(path.name for path in EXAMPLES.glob("*.py"))


def findings(name: str, first: str, second: str) -> dict:
    data = compat(name)
    found = {}
    for file in EXAMPLE_FILES:
        result = check_source(data, first, second, (EXAMPLES / file).read_text(), file)
        if result.findings:
            found[file] = result.findings
    return found


@pytest.mark.parametrize("case", list(EXPECTED), ids=lambda c: f"{c[0]}:{c[1]}->{c[2]}")
def test_exactly_the_changed_calls_are_flagged_with_their_kind(case):
    found = findings(*case)
    assert {file: [(f.line, f.code) for f in items] for file, items in found.items()} == \
        EXPECTED[case]


@pytest.mark.parametrize("name", ["history", "merge", "matrix"])
def test_the_same_environment_twice_says_nothing(name):
    for env in compat(name).envs:
        assert findings(name, env["name"], env["name"]) == {}


def test_every_example_style_is_flagged_somewhere():
    flagged = {file for expected in EXPECTED.values() for file in expected}
    styles = {"tf1_graph_model.py", "raw_variables.py", "tfkeras_sequential.py",
              "tfkeras_functional.py", "tf2_compat_v1.py", "legacy_keras.py"}
    assert styles <= flagged
    # the multi-backend Keras 2 script and the Keras 3 layer: their keras package is not in
    # these TensorFlow environments, so nothing is said (not measured, never a guess)
    for case in EXPECTED:
        for file in ("keras2_standalone.py", "keras3_subclassed.py"):
            assert file not in findings(*case)


def test_what_a_finding_says():
    found = findings("history", "tf-1.15", "tf-2.0")
    removed = found["tf1_graph_model.py"][0]
    assert removed.message.startswith("tf.layers.dense raises in TF 2.0: AttributeError: "
                                      "module 'tensorflow' has no attribute 'layers'")
    assert "kernel Glorot uniform: uniform on ±0.21 (Glorot: limit=sqrt(6/(fan_in+fan_out))" in \
        removed.details[0]
    assert [(fix.code, fix.status) for fix in removed.fixes] == [
        ("tf.compat.v1.layers.dense(...)", "measured")]
    assert "kernel, bias draw as in TF 1.15" in removed.fixes[0].why
    shape, setting = found["tfkeras_sequential.py"]
    assert "bias shape TF 1.15 48 → TF 2.0 2×48" in shape.message
    assert setting.message.endswith("default reset_after: TF 1.15 False → TF 2.0 True (changes its "
                                    "bias)")
    assert [(fix.code, fix.status) for fix in setting.fixes] == [("reset_after=False", "unverified")]
    moved = findings("merge", "tf-2.15", "tf-2.21")["tf2_compat_v1.py"][1]
    assert moved.message.startswith("tf.layers.dense (tf.compat.v1.layers.dense) raises in "
                                    "TF 2.21: AttributeError: `dense` is not available with Keras 3.")
    assert moved.fixes[0].status == "measured"
    assert moved.fixes[0].code.startswith('os.environ["TF_USE_LEGACY_KERAS"] = "1"')
    initializer = findings("matrix", "tf-1.10", "tf-1.11")["tfkeras_functional.py"][0]
    assert "normal, σ=1 (RandomNormal) → TF 1.11 normal, σ=0.05" in initializer.message
    assert (initializer.fixes[0].code, initializer.fixes[0].status) == (
        "tf.keras.initializers.RandomNormal(stddev=1.0)", "unverified")
    seeded = findings("history", "tf-1.15", "tf-2.15")["tf1_graph_model.py"][0]
    assert seeded.code == "IC401" and "tf.set_random_seed" in seeded.message
    assert {fix.status for fix in seeded.fixes} == {"measured"}
    assert [fix.code for fix in seeded.fixes] == ["tf.keras.utils.set_random_seed(1234)"]


def test_a_file_that_never_seeds_hears_nothing_of_seeded_streams():
    source = (EXAMPLES / "tf1_graph_model.py").read_text()
    unseeded = "\n".join(line for line in source.splitlines()
                         if "set_random_seed" not in line and "np.random.seed" not in line)
    for case in EXPECTED:
        result = check_source(compat(case[0]), case[1], case[2], unseeded, "unseeded.py")
        assert not [f for f in result.findings if f.code.startswith("IC4")], case


def _layer_rows(comparison: Comparison, source: str):
    for use in classify(read(source).calls).layers:
        layer = comparison.layer_id(use.kind, use.call.literals)
        rows = {comparison.row(use.family, env, layer, role)
                for env in (comparison.first, comparison.second) for role in use.defaulted}
        if layer and use.defaulted and None not in rows and not use.settings:
            yield use, rows


@pytest.mark.parametrize("name", ["history", "merge"])
def test_layer_lines_agree_with_the_upgrade_view(name):
    """Independently of the compat data: a call whose weights left to defaults have a shape or
    distribution event in the report's own upgrade view between A and B is flagged IC201, IC202
    or IC204 at its line, and one without any such event is not."""
    document, view = built(name)
    data = compat(name)
    names = [env["name"] for env in document["envs"]]
    seen = {True: 0, False: 0}
    for first in names:
        for second in names:
            if first == second:
                continue
            between = upgrade.events_between(view.upgrade.envs, view.timeline.events, first,
                                             second, view.upgrade.backend_events)
            changed_cells = {e["cell"].rsplit("-" + e["env"], 1)[0] for e in between
                             if e["kind"] in ("shape", "distribution")}
            for file in EXAMPLE_FILES:
                source = (EXAMPLES / file).read_text()
                comparison = Comparison(data, first, second,
                                        legacy_setting(read(source)) is not None)
                result = check_source(data, first, second, source, file)
                flagged = {f.line for f in result.findings if f.code in ("IC201", "IC202", "IC204")}
                for use, rows in _layer_rows(comparison, source):
                    if len(rows) != len(use.defaulted):  # the legacy setting moves one side
                        continue
                    keys = {_row_key(data.rows[row]) for row in rows}
                    expected = bool(keys & changed_cells)
                    seen[expected] += 1
                    assert (use.call.line in flagged) == expected, (file, use.call.line, first,
                                                                    second)
    assert seen[False] > seen[True]
    assert seen[True] or name == "merge"  # merge's dense and conv2d defaults never changed


def _row_key(row: tuple) -> str:
    from initcompat.report.measured import cell_id
    return cell_id(row, "x")[:-2]
