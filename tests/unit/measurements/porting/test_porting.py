"""The porting table (issue 16): framework sessions in the matrix, the theory and snippets, the
files' validation, and the Porting view built from real runs (tests/fixtures/porting, cut from
tf-2.21, torch-1.0/1.13/2.15, flax-0.7, flax-0.12 and jax-stax-0.12 by its cut.py)."""

from __future__ import annotations

import copy
import json
import math
from pathlib import Path

import numpy as np
import pytest

from initcompat.host import matrix, runner
from initcompat.measurements.porting import snippets as porting_snippets
from initcompat.measurements.porting import theory as porting_theory
from initcompat.probe import schema
from initcompat.probe.frameworks import suite_dims
from initcompat.probe.moments import summarize_sample
from initcompat.probe.validation import PORTING_SHAPE_SETS, SchemaError, validate
from initcompat.report.__main__ import main as report_main
from initcompat.report.load import load_results
from initcompat.measurements.porting.section.comparisons import (
    DIFFERS, INEXPRESSIBLE, MATCHES, SIZES_MARK, SNIPPET_ERROR, defaults_table, porting_rows,
    sizes_label)
from initcompat.measurements.porting.section import PORTING_COLUMNS, body_of, snippet_rows
from test_report import view_of

ROOT = Path(__file__).resolve().parents[4]
FIXTURES = ROOT / "tests" / "fixtures" / "porting"
DIMS = suite_dims(json.loads((ROOT / "suites" / "default.json").read_text()))
PAIRS = [(a, b) for a in schema.PORTING_FRAMEWORKS for b in schema.PORTING_FRAMEWORKS if a != b]
WEIGHTS = [(kind, role) for kind, roles in schema.PORTING_LAYERS for role in roles]


def fixture_results() -> list[dict]:
    loaded = load_results(FIXTURES)
    assert not loaded.rejected, loaded.rejected
    return list(loaded.results)


# ---- matrix and runner ----------------------------------------------------------------------

def test_framework_sessions_are_in_the_matrix_with_their_tags_and_packages():
    table = matrix.load_matrix(ROOT / "suites" / "matrix.toml")
    names = [entry.name for entry in table.select("frameworks")]
    assert names == ["torch-1.0", "torch-1.13", "torch-2.15", "flax-0.7", "flax-0.12",
                     "jax-stax-0.12"]
    torch_old = table.entry("torch-1.0")
    assert torch_old.tags == ("frameworks", "torch") and torch_old.framework == "torch"
    assert torch_old.tensorflow == schema.NO_TENSORFLOW
    assert torch_old.requirements("as-released") == ["torch==1.0.0", "numpy"]
    assert table.entry("jax-stax-0.12").requirements("today") == ["jax==0.12.0.1",
                                                                  "jaxlib==0.12.0.1"]
    assert "history" not in table.entry("torch-2.15").tags  # several GB: opt-in
    assert [e.name for e in table.select("flax")] == ["flax-0.7", "flax-0.12"]
    assert table.entry("flax-0.7").exclude_newer("as-released") == "2023-10-30T00:00:00Z"


@pytest.mark.parametrize("block, problem", [
    ('framework = "mxnet"\nversion = "1.9.1"', "framework 'mxnet' is not one of"),
    ('framework = "torch"', "a framework session needs its version"),
    ('framework = "torch"\nversion = "2.0.0"\nkeras = "3.0.5"\nbackend = "torch"',
     "installs neither TensorFlow nor Keras"),
    ('tensorflow = "2.15.1"\nversion = "2.0.0"', "version belongs to a framework session"),
])
def test_a_bad_framework_block_is_one_line_naming_the_file(tmp_path, block, problem):
    path = tmp_path / "matrix.toml"
    path.write_text(f'[[env]]\nname = "x"\npython = "3.11"\n{block}\n')
    with pytest.raises(matrix.MatrixError) as raised:
        matrix.load_matrix(path)
    assert str(path) in str(raised.value) and problem in str(raised.value)
    assert "\n" not in str(raised.value)


def test_a_framework_session_runs_the_porting_step_and_not_the_tf_steps():
    table = matrix.load_matrix(ROOT / "suites" / "matrix.toml")
    torch_new, tf_new, tf_old = (table.entry(n) for n in ("torch-2.15", "tf-2.21", "tf-2.15"))
    assert runner.step_not_applicable(torch_new, "porting") is None
    assert "reads TensorFlow/Keras" in runner.step_not_applicable(torch_new, "seeding")
    assert runner.step_not_applicable(tf_new, "porting") is None  # tagged porting
    assert "tagged 'porting'" in runner.step_not_applicable(tf_old, "porting")
    assert runner.step_not_applicable(tf_old, "seeding") is None
    assert runner.step_arguments(torch_new) == ["--framework", "torch"]
    assert "porting" in {step for step, _, _ in schema.MEASUREMENT_STEPS}
    assert "torch-2.15.porting.json" in schema.every_file_name("torch-2.15")


# ---- theory and snippets --------------------------------------------------------------------

@pytest.mark.parametrize("source, target", PAIRS)
def test_every_layer_gets_code_in_every_direction_that_holds_no_size_but_its_first_line(
        source, target):
    for kind, _ in schema.PORTING_LAYERS:
        snippet = porting_snippets.layer_snippet(source, target, kind, DIMS)
        assert snippet["status"] == schema.PORT_OK, snippet["reason"]
        compile(snippet["code"], "<snippet>", "exec")
        first, _, body = snippet["code"].partition("\n")
        assert first == porting_snippets.sizes_line(target, kind, DIMS)
        assert first.endswith(SIZES_MARK) and "layer =" in body
        # any size: at the second sizes only the first line differs
        other = porting_snippets.layer_snippet(source, target, kind, porting_snippets.SECOND_DIMS)
        other_first, _, other_body = other["code"].partition("\n")
        assert other_body == body and other_first != first


def test_the_own_default_is_the_layer_without_an_initializer_argument():
    for framework in schema.PORTING_FRAMEWORKS:
        code = porting_snippets.layer_snippet(framework, framework, "dense", DIMS)["code"]
        assert "init" not in code.split("\n")[1] and "_initializer" not in code
    assert porting_snippets.layer_snippet("torch", "torch", "lstm", DIMS)["code"].splitlines() == [
        "input_size, hidden_size = 8, 16  # your layer's sizes",
        "layer = torch.nn.LSTM(input_size, hidden_size)"]


def test_built_ins_where_the_fans_agree_and_the_size_named_where_an_initializer_cannot_see_it():
    code = {(s, t, k): porting_snippets.layer_snippet(s, t, k, DIMS)["code"]
            for s, t in PAIRS for k, _ in schema.PORTING_LAYERS}
    # torch's (out, in) weight has TF's fans: xavier_uniform_ is the same draw on any shape
    assert "xavier_uniform_(layer.weight)" in code[("tf.keras", "torch", "dense")]
    assert "xavier_uniform_(layer.weight_ih_l0)" in code[("tf.keras", "torch", "lstm")]
    # PyTorch's Linear in Keras: the weight a built-in, the bias's bound from the named fan_in
    linear = code[("torch", "tf.keras", "dense")]
    assert 'scale=1 / 3, mode="fan_in", distribution="uniform"' in linear
    assert "fan_in = in_features" in linear and "1 / math.sqrt(fan_in)" in linear
    assert "bias_initializer=keras.initializers.RandomUniform(-bound, bound)" in linear
    assert "fan_in = in_channels * kernel_size[0] * kernel_size[1]" in \
        code[("torch", "tf.keras", "conv2d")]
    # Flax's LSTMCell has one (in, hidden) kernel per gate: Keras' Glorot fans named
    assert "math.sqrt(6 / (input_dim + 4 * features))" in code[("tf.keras", "flax", "lstm")]
    # Flax's lecun_normal in PyTorch: fan_in read off the weight it is given
    assert "fan_in = weight[0].numel()" in code[("flax", "torch", "dense")]
    assert 'mode="fan_out", distribution="untruncated_normal"' in \
        code[("flax", "tf.keras", "embedding")]
    theory = porting_theory.default_theory("torch", "dense", "bias", porting_snippets.SECOND_DIMS)
    assert theory["bound"] == pytest.approx(1 / math.sqrt(24), rel=1e-5)


def test_lstm_biases_say_what_each_framework_adds():
    torch_bias = porting_theory.default_theory("torch", "lstm", "bias", DIMS)
    assert torch_bias["distribution"] == "uniform_sum" and torch_bias["bound"] == 0.25
    into_keras = porting_snippets.layer_snippet("torch", "tf.keras", "lstm", DIMS)["code"]
    assert "unit_forget_bias=False" in into_keras and "bias_initializer=two_biases" in into_keras
    into_torch = porting_snippets.layer_snippet("tf.keras", "torch", "lstm", DIMS)["code"]
    assert "layer.bias_ih_l0[hidden_size:2 * hidden_size] = 1.0" in into_torch
    assert "zeros_(layer.bias_hh_l0)" in into_torch
    into_flax = porting_snippets.layer_snippet("tf.keras", "flax", "lstm", DIMS)["code"]
    assert 'params["params"]["hf"]["bias"] = jnp.ones((features,))' in into_flax


def test_the_report_reads_the_sizes_line_the_probe_writes():
    assert SIZES_MARK == porting_snippets.SIZES_COMMENT
    assert set(PORTING_SHAPE_SETS) == set(porting_snippets.SHAPE_SETS)
    code = porting_snippets.layer_snippet("torch", "flax", "conv2d", DIMS)["code"]
    assert body_of(code) == code.split("\n", 1)[1] and body_of("x = 1") == "x = 1"
    for kind, _ in schema.PORTING_LAYERS:
        for dims in (DIMS, porting_snippets.SECOND_DIMS):
            assert sizes_label(kind, dims[kind]) == porting_snippets.shape_label(kind, dims)


# ---- validation -----------------------------------------------------------------------------

def test_the_new_files_validate_and_bad_records_are_named():
    porting = json.loads((FIXTURES / "torch-2.15.porting.json").read_text())
    validate(porting)
    broken = copy.deepcopy(porting)
    del broken["records"][0]["sample"]
    with pytest.raises(SchemaError, match=r"records\[0\]: ok record lacks its sample"):
        validate(broken)
    result = json.loads((FIXTURES / "torch-2.15.json").read_text())
    validate(result)
    broken = copy.deepcopy(result)
    broken["framework_cells"][0]["status"] = "fine"
    with pytest.raises(SchemaError, match=r"framework_cells\[0\]: unknown status 'fine'"):
        validate(broken)
    broken = copy.deepcopy(result)
    broken["env"]["framework"] = "mxnet"
    with pytest.raises(SchemaError, match="env: unknown framework 'mxnet'"):
        validate(broken)


# ---- the view, from real runs ---------------------------------------------------------------

def test_every_snippet_measured_here_matches_at_both_sizes_and_the_control_differs():
    rows = porting_rows(fixture_results())
    # 8 weights x 2 sizes x (tf <- 3 torch + 2 flax; 3 torch <- tf + 2 flax; 2 flax linen and
    # flax-0.12's nnx <- tf + 3 torch)
    assert len(rows) == 8 * 2 * (5 + 3 * 3 + 3 * 4)
    assert {r["sizes"] for r in rows if r["layer"] == "dense"} == {"96→40", "24→150"}
    assert {r["to_api"] for r in rows if r["to_env"] == "flax-0.12"} == {"", "flax.nnx"}
    verdicts = {}
    for row in rows:
        verdicts.setdefault(row["verdict"], []).append(row)
    assert set(verdicts) == {MATCHES, SNIPPET_ERROR}
    # torch 1.0 has no trunc_normal_: Flax's lecun_normal cannot be drawn there, so the layers
    # whose snippet calls it raise, at both sizes
    assert sorted({(r["layer"], r["from_env"], r["to_env"]) for r in verdicts[SNIPPET_ERROR]}) == [
        (layer, source, "torch-1.0") for layer in ("conv2d", "dense", "lstm")
        for source in ("flax-0.12", "flax-0.7")]
    assert len(verdicts[SNIPPET_ERROR]) == 7 * 2 * 2
    assert all("trunc_normal_" in r["statistic"] for r in verdicts[SNIPPET_ERROR])
    # without the snippet the target's own default differs, except the zero biases of TF
    # and Flax (nnx has no control: its own default is not measured at the second sizes)
    same_default = sorted({(r["layer"], r["weight"], r["from_framework"], r["to_framework"])
                           for r in rows if r["default_verdict"] == MATCHES})
    assert same_default == [("conv2d", "bias", "flax", "tf.keras"),
                            ("conv2d", "bias", "tf.keras", "flax"),
                            ("dense", "bias", "flax", "tf.keras"),
                            ("dense", "bias", "tf.keras", "flax")]


def test_a_snippet_that_draws_ten_percent_too_wide_differs():
    results = fixture_results()
    flax = next(r for r in results if r["env"]["name"] == "flax-0.12")
    record = next(r for r in flax["porting"]["records"] if r["layer_kind"] == "dense"
                  and r["weight_role"] == "kernel" and r["from_framework"] == "torch"
                  and r["shape_set"] == "suite" and not r.get("to_api"))
    bound = record["theory"]["bound"] * 1.1  # synthetic: what a wrong fan would draw
    values = np.random.RandomState(5).uniform(-bound, bound, size=record["sample"]["n"])
    record["sample"] = summarize_sample(values, 1000, 1234)
    rows = [r for r in porting_rows(results) if r["to_env"] == "flax-0.12"
            and r["layer"] == "dense" and r["weight"] == "kernel" and not r["to_api"]
            and r["from_framework"] == "torch" and r["shape_set"] == "suite"]
    assert [r["verdict"] for r in rows] == [DIFFERS] * 3  # one per PyTorch environment
    assert all("std z" in r["statistic"] for r in rows)


def test_the_suites_bias_constant_matches_at_its_size_and_differs_at_the_second():
    """The issue's RandomUniform(+-0.102062): PyTorch's Linear bias bound at fan_in 96, drawn
    in Keras at 24->150, where PyTorch's own bound is 1/sqrt(24) = 0.204: the second size is
    what tells a constant from a formula."""
    results = fixture_results()
    tf = next(r for r in results if r["env"]["name"] == "tf-2.21")
    record = next(r for r in tf["porting"]["records"] if r["layer_kind"] == "dense"
                  and r["weight_role"] == "bias" and r["from_framework"] == "torch"
                  and r["shape_set"] == "second")
    values = np.random.RandomState(7).uniform(-0.102062, 0.102062, size=record["sample"]["n"])
    record["sample"] = summarize_sample(values, 1000, 1234)
    rows = [r for r in porting_rows(results) if r["to_env"] == "tf-2.21" and r["layer"] == "dense"
            and r["weight"] == "bias" and r["from_framework"] == "torch"]
    assert {(r["sizes"], r["verdict"]) for r in rows} == {("96→40", MATCHES),
                                                           ("24→150", DIFFERS)}
    (linear,) = [s for s in snippet_rows(rows)]
    bias = linear["weights"][0]
    assert bias["verdict"] == DIFFERS and bias["word"] == "differs in the newest"
    assert bias["parts"][0].startswith(
        "matches in TF 2.21.0 against PyTorch 1.0.0, 1.13.1, 2.15.0 at 96→40")
    assert bias["parts"][1].startswith("differs in TF 2.21.0 against PyTorch 1.0.0, 1.13.1, "
                                       "2.15.0 at 24→150 (")


def test_an_inexpressible_record_says_so_without_statistics():
    results = fixture_results()
    torch_new = next(r for r in results if r["env"]["name"] == "torch-2.15")
    record = torch_new["porting"]["records"][0]
    record.update(status=schema.PORT_INEXPRESSIBLE, snippet=None, sample=None,
                  reason="torch has no code here for it")
    rows = [r for r in porting_rows(results) if r["to_env"] == "torch-2.15"
            and r["layer"] == record["layer_kind"] and r["weight"] == record["weight_role"]
            and r["from_framework"] == record["from_framework"] and r["shape_set"] == "suite"]
    assert rows and all(r["verdict"] == INEXPRESSIBLE and r["statistic"] == "" for r in rows)


def test_the_defaults_table_shows_every_framework_api_and_what_stax_lacks():
    table = {(g["layer"], g["weight"]): g["entries"] for g in defaults_table(fixture_results())}
    dense = {(e["env"], e["api"]): e for e in table[("dense", "kernel")]}
    assert dense[("torch-2.15", "torch.nn")]["shape"] == [40, 96]
    assert dense[("torch-2.15", "torch.nn")]["identity"] == \
        "torch.nn.init.kaiming_uniform_(a=2.23607)"  # sqrt(5), fixture rounded
    assert dense[("tf-2.21", "tf.keras")]["shape"] == [96, 40]
    assert "fan_avg" in dense[("jax-stax-0.12", "jax.example_libraries.stax")]["identity"]
    lstm = {e["env"]: e for e in table[("lstm", "kernel")]}
    assert lstm["jax-stax-0.12"]["status"] == "unavailable"
    assert "no LSTM layer" in lstm["jax-stax-0.12"]["reason"]


def test_one_row_per_distinct_snippet_across_versions_and_sizes_per_direction():
    view = view_of(fixture_results())
    directions = view.porting.directions
    assert [d["title"] for d in directions] == [
        "PyTorch → TF/Keras", "TF/Keras → PyTorch", "Flax → TF/Keras", "TF/Keras → Flax linen",
        "TF/Keras → Flax nnx", "PyTorch → Flax linen", "PyTorch → Flax nnx", "Flax → PyTorch"]
    assert all(len(d["rows"]) == 4 and d["lead"] for d in directions)
    linear = directions[0]["rows"][0]
    assert linear["title"] == "torch.nn.Linear → keras.layers.Dense"
    assert linear["code"].startswith("in_features, units = 96, 40  # your layer's sizes\n")
    assert "fan_in = in_features" in linear["code"] and "0.102" not in linear["code"]
    assert [(w["name"], w["verdict"]) for w in linear["weights"]] == [("kernel", MATCHES),
                                                                       ("bias", MATCHES)]
    # the three PyTorch versions and both sizes in one line
    assert linear["weights"][1]["parts"] == [
        "matches in TF 2.21.0 against PyTorch 1.0.0, 1.13.1, 2.15.0 at 96→40 and 24→150"]
    assert linear["weights"][1]["text"] == ("in TF 2.21.0 against PyTorch 1.0.0, 1.13.1, 2.15.0 "
                                            "at 96→40 and 24→150")
    assert linear["weights"][1]["control"] == "Without it, Keras' own default differs"
    # the same words for every weight: one line on the page
    assert [line["name"] for line in linear["lines"]] == ["kernel, bias"]
    back = directions[-1]["rows"][0]
    assert back["title"] == "flax.linen.Dense → torch.nn.Linear"
    weight = back["weights"][0]  # matches in the newest PyTorch, raises in 1.0 (no trunc_normal_)
    assert (weight["name"], weight["verdict"], weight["word"]) == ("weight", MATCHES,
                                                                   "matches in the newest")
    assert weight["parts"][0] == ("matches in PyTorch 1.13.1, 2.15.0 against Flax 0.7.5, 0.12.12 "
                                  "at 96→40 and 24→150")
    assert weight["parts"][1].startswith("raised in PyTorch 1.0.0 against Flax 0.7.5, 0.12.12 at "
                                         "96→40 and 24→150 (AttributeError")
    nnx = directions[4]["rows"][0]
    assert nnx["title"] == "keras.layers.Dense → flax.nnx.Linear" and "rngs=nnx.Rngs(key)" in \
        nnx["code"] and "from flax import nnx" in directions[4]["imports"]
    assert ("64 of 64 weights match in the newest, against every source version; 7 of them not "
            "in an older release (each says which).") in view.porting.lead


def test_the_section_renders_and_porting_csv_has_its_columns(tmp_path):
    view = view_of(fixture_results())
    assert view.porting.envs == ["tf-2.21", "torch-1.0", "torch-1.13", "torch-2.15", "flax-0.7",
                                 "flax-0.12"]
    assert view.porting.counts == {MATCHES: 416 - 28, SNIPPET_ERROR: 28}
    out = tmp_path / "out"
    assert report_main([str(FIXTURES), "--out", str(out)]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<section id="porting">' in html and "torch.nn.init.xavier_uniform_(layer.weight)" in html
    assert '<pre class="code">in_features, units = 96, 40  # your layer&#39;s sizes' in html
    header = (out / "porting.csv").read_text().splitlines()[0].split(",")
    assert header[:len(PORTING_COLUMNS)] == PORTING_COLUMNS
    assert header[:8] == ["layer", "weight", "from_framework", "from_version", "to_framework",
                          "snippet", "verdict", "statistic"]


def test_every_measured_default_fits_its_documented_theory_and_a_wrong_one_does_not():
    results = fixture_results()
    fits = [(g["layer"], g["weight"], e["env"], e["fit"]) for g in defaults_table(results)
            for e in g["entries"] if e["status"] == "ok"]
    assert {fit for _, _, env, fit in fits if env != "jax-stax-0.12"} == {"consistent"}
    assert {fit for _, _, env, fit in fits if env == "jax-stax-0.12"} == {"not tested"}
    # PyTorch's kaiming_uniform_(a=sqrt(5)) is not He's uniform: with He's bound it is refused
    for result in results:
        for record in (result.get("porting") or {}).get("records") or []:
            if record["from_framework"] == "torch" and record["layer_kind"] == "dense" and \
                    record["weight_role"] == "kernel":
                record["theory"]["bound"] = math.sqrt(6 / 96)  # He uniform, gain sqrt(2)
    wrong = {e["env"]: e for g in defaults_table(results) for e in g["entries"]
             if (g["layer"], g["weight"]) == ("dense", "kernel")}
    assert wrong["torch-2.15"]["fit"] == "inconsistent"


def test_the_sum_of_two_uniforms_is_triangular():
    from initcompat.report.theory import triangular
    values = np.random.RandomState(3).uniform(-0.25, 0.25, (2, 200000)).sum(axis=0)
    distribution = triangular(0.5, "two U(+-0.25)")
    assert distribution.std == pytest.approx(values.std(), rel=0.01)
    assert distribution.excess_kurtosis == pytest.approx(-0.6)
    assert float(distribution.cdf(0.0)) == pytest.approx(0.5)
    assert distribution.central_moment(4) == pytest.approx(np.mean(values ** 4), rel=0.02)


def test_framework_sessions_stay_out_of_the_tf_keras_sections():
    view = view_of(fixture_results())
    assert [env["name"] for env in view.matrix.envs] == ["tf-2.21"]
    assert [env["name"] for env in view.upgrade.envs] == ["tf-2.21"]
    assert view.seeding.failed == []  # no "seeding step skipped" line per framework session
    shown = {env["name"]: env["label"] for env in view.environments.envs}
    assert shown["torch-1.0"] == "PyTorch 1.0" and shown["jax-stax-0.12"] == "JAX stax 0.12.0.1"
    assert shown["flax-0.7"] == "Flax 0.7"


def test_seeded_framework_builds_repeat_across_two_fresh_processes():
    results = {r["env"]["name"]: r for r in fixture_results()}
    for name in ("torch-1.0", "torch-2.15", "flax-0.12", "jax-stax-0.12"):
        seeded = [c["seeded"] for c in results[name]["framework_cells"] if c["status"] == "ok"]
        assert seeded and all(s["cross_process_identical"] and s["repeats_in_process"]
                              for s in seeded), name
    table = {(g["layer"], g["weight"]): g["entries"] for g in defaults_table(list(results.values()))}
    torch_kernel = next(e for e in table[("dense", "kernel")] if e["env"] == "torch-2.15")
    assert torch_kernel["seeded"] == ("torch.manual_seed(1234), same bytes in two fresh "
                                      "processes, and again in the process")


@pytest.mark.browser
def test_a_porter_on_a_phone_reads_the_first_direction_open_and_code_that_never_wraps(tmp_path):
    """At 390 px: PyTorch → TF/Keras is open, its code blocks keep their lines (white-space:
    pre, scrolling inside their own box), nothing scrolls the page sideways, and the evidence
    folds' tables, opened, have no cell narrower than its longest word; at 1280 px the first
    block sits beside its verdicts."""
    from playwright.sync_api import sync_playwright

    from page_metrics import CHROMIUM_ARGS, NARROW_CELLS_JS, chromium_path
    assert chromium_path(), "chromium is not installed"
    out = tmp_path / "out"
    assert report_main([str(FIXTURES), "--out", str(out)]) == 0
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            phone = browser.new_page(viewport={"width": 390, "height": 844}, is_mobile=True)
            phone.goto((out / "index.html").as_uri())
            first = phone.locator("#porting details.direction").first
            assert first.get_attribute("open") is not None
            assert "PyTorch → TF/Keras" in first.locator("summary").inner_text()
            blocks = first.locator("pre.code")
            assert blocks.count() >= 4
            for index in range(blocks.count()):
                block = blocks.nth(index)
                assert block.evaluate("e => getComputedStyle(e).whiteSpace") == "pre"
                text = block.inner_text()
                # one line of code is one line on screen: the box scrolls, the words stay whole
                line_px = block.evaluate("e => parseFloat(getComputedStyle(e).lineHeight)")
                height = block.evaluate(
                    "e => e.clientHeight - parseFloat(getComputedStyle(e).paddingTop)"
                    " - parseFloat(getComputedStyle(e).paddingBottom)")
                assert height <= (text.count("\n") + 1) * line_px + 24, text[:80]
                assert block.evaluate("e => e.getBoundingClientRect().right") <= 390
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            # the evidence folds, opened: every cell at least as wide as its longest word
            for fold in ("#porting-defaults", "#porting-comparisons"):
                phone.locator(fold + " > summary").click()
                phone.wait_for_selector(fold + " tbody tr")
            cells = phone.evaluate(NARROW_CELLS_JS.replace(
                'querySelectorAll("td, th")', 'querySelectorAll("#porting td, #porting th")'))
            assert cells["seen"] > 1000 and cells["narrow"] == [], cells["narrow"][:3]
            assert phone.evaluate("document.documentElement.scrollWidth") <= 390
            desktop = browser.new_page(viewport={"width": 1280, "height": 800})
            desktop.goto((out / "index.html").as_uri())
            port = desktop.locator("#porting .port").first
            code = port.locator("pre.code").evaluate("e => e.getBoundingClientRect().toJSON()")
            verdicts = port.locator("ul.verdicts").evaluate(
                "e => e.getBoundingClientRect().toJSON()")
            assert verdicts["left"] > code["right"] and abs(verdicts["top"] - code["top"]) < 5
        finally:
            browser.close()
