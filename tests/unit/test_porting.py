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
from initcompat.probe import porting_theory, schema
from initcompat.probe.frameworks import suite_dims
from initcompat.probe.moments import summarize_sample
from initcompat.probe.validation import SchemaError, validate
from initcompat.report.__main__ import main as report_main
from initcompat.report.load import load_results
from initcompat.report.porting import (DIFFERS, INEXPRESSIBLE, MATCHES, SNIPPET_ERROR,
                                       defaults_table, porting_rows)
from initcompat.report.sections.porting import PORTING_COLUMNS
from test_report import view_of

ROOT = Path(__file__).resolve().parents[2]
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
def test_every_weight_gets_code_in_every_direction_and_it_compiles(source, target):
    for kind, role in WEIGHTS:
        theory = porting_theory.default_theory(source, kind, role, DIMS)
        snippet = porting_theory.snippet(theory, target, kind, role, DIMS)
        assert snippet["status"] in (schema.PORT_OK, schema.PORT_INEXPRESSIBLE)
        if snippet["status"] == schema.PORT_OK:
            compile(snippet["code"], "<snippet>", "exec")
            assert "layer =" in snippet["code"]


def test_fans_decide_between_the_built_in_and_the_constant():
    glorot = porting_theory.default_theory("tf.keras", "dense", "kernel", DIMS)
    assert glorot["bound"] == pytest.approx(math.sqrt(6 / (96 + 40)), rel=1e-5)
    # torch's (out, in) weight has TF's fans: xavier_uniform_ is the same draw
    assert "xavier_uniform_(layer.weight)" in porting_theory.snippet(
        glorot, "torch", "dense", "kernel", DIMS)["code"]
    # Flax's LSTMCell has one (in, hidden) kernel per gate: glorot there would use 8 + 16
    lstm = porting_theory.snippet(porting_theory.default_theory("tf.keras", "lstm", "kernel",
                                                                DIMS), "flax", "lstm", "kernel",
                                  DIMS)
    assert "-0.288675, 0.288675" in lstm["code"] and lstm["notes"][0].startswith("fans differ")
    torch_linear = porting_theory.default_theory("torch", "dense", "kernel", DIMS)
    assert torch_linear["bound"] == pytest.approx(1 / math.sqrt(96), rel=1e-5)
    assert "VarianceScaling(scale=0.333333, mode='fan_in', distribution='uniform')" in \
        porting_theory.snippet(torch_linear, "tf.keras", "dense", "kernel", DIMS)["code"]


def test_lstm_biases_say_what_each_framework_adds():
    torch_bias = porting_theory.default_theory("torch", "lstm", "bias", DIMS)
    assert torch_bias["distribution"] == "uniform_sum" and torch_bias["bound"] == 0.25
    into_keras = porting_theory.snippet(torch_bias, "tf.keras", "lstm", "bias", DIMS)
    assert "unit_forget_bias=False" in into_keras["code"]
    keras_bias = porting_theory.default_theory("tf.keras", "lstm", "bias", DIMS)
    into_torch = porting_theory.snippet(keras_bias, "torch", "lstm", "bias", DIMS)["code"]
    assert "layer.bias_ih_l0[16:32] = 1.0" in into_torch and "zeros_(layer.bias_hh_l0)" in \
        into_torch
    into_flax = porting_theory.snippet(keras_bias, "flax", "lstm", "bias", DIMS)["code"]
    assert "params['params']['hf']['bias'] = jnp.ones((16,))" in into_flax


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

def test_every_snippet_measured_here_matches_and_the_control_differs():
    rows = porting_rows(fixture_results())
    # 8 weights x (tf <-> 3 torch, tf <-> 2 flax, 3 torch <-> 2 flax), both directions
    assert len(rows) == 8 * 22
    verdicts = {}
    for row in rows:
        verdicts.setdefault(row["verdict"], []).append(row)
    assert set(verdicts) == {MATCHES, SNIPPET_ERROR}
    # torch 1.0 has no trunc_normal_: Flax's lecun_normal kernels cannot be drawn there
    assert sorted((r["layer"], r["from_env"], r["to_env"]) for r in verdicts[SNIPPET_ERROR]) == [
        (layer, source, "torch-1.0") for layer in ("conv2d", "dense", "lstm")
        for source in ("flax-0.12", "flax-0.7")]
    assert all("trunc_normal_" in r["statistic"] for r in verdicts[SNIPPET_ERROR])
    # without the snippet the target's own default differs, except the zero biases of TF
    # and Flax
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
                  and r["weight_role"] == "kernel" and r["from_framework"] == "torch")
    bound = record["theory"]["bound"] * 1.1  # synthetic: what a wrong fan would draw
    values = np.random.RandomState(5).uniform(-bound, bound, size=record["sample"]["n"])
    record["sample"] = summarize_sample(values, 1000, 1234)
    rows = [r for r in porting_rows(results) if r["to_env"] == "flax-0.12"
            and r["layer"] == "dense" and r["weight"] == "kernel"
            and r["from_framework"] == "torch"]
    assert [r["verdict"] for r in rows] == [DIFFERS] * 3  # one per PyTorch environment
    assert all("std z" in r["statistic"] for r in rows)


def test_an_inexpressible_record_says_so_without_statistics():
    results = fixture_results()
    torch_new = next(r for r in results if r["env"]["name"] == "torch-2.15")
    record = torch_new["porting"]["records"][0]
    record.update(status=schema.PORT_INEXPRESSIBLE, snippet=None, sample=None,
                  reason="torch has no code here for it")
    rows = [r for r in porting_rows(results) if r["to_env"] == "torch-2.15"
            and r["layer"] == record["layer_kind"] and r["weight"] == record["weight_role"]
            and r["from_framework"] == record["from_framework"]]
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


def test_the_section_renders_and_porting_csv_has_its_columns(tmp_path):
    view = view_of(fixture_results())
    assert view.porting.envs == ["tf-2.21", "torch-1.0", "torch-1.13", "torch-2.15", "flax-0.7",
                                 "flax-0.12"]
    assert view.porting.counts == {MATCHES: 170, SNIPPET_ERROR: 6}
    out = tmp_path / "out"
    assert report_main([str(FIXTURES), "--out", str(out)]) == 0
    html = (out / "index.html").read_text(encoding="utf-8")
    assert '<section id="porting">' in html and "torch.nn.init.xavier_uniform_(layer.weight)" in html
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
