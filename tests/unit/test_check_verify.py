"""The pure parts of `initcompat check --verify` (docs/check.md): which fixes become which runs
(plan.py), and how a run's draws are judged against the source's (verdicts.py), on synthetic
samples with known answers. The real run is tests/integration/test_check_verify_real.py."""

from __future__ import annotations

import io
import json
import shutil
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import numpy as np
import pytest

import synthetic

from initcompat.check import plan
from initcompat.check.__main__ import main as check_main
from initcompat.check.findings import (DIFFERS, MEASURED, RAISED, UNVERIFIED, VERIFIED, Finding,
                                       Fix)
from initcompat.check.output import json_document, text
from initcompat.check.run import check_source
from initcompat.check.verdicts import initializer_verdict, layer_verdict
from initcompat.host.fix_runner import forget_replaced, load_run
from initcompat.probe import fix_runs, schema
from initcompat.probe.moments import compute_moments, summarize_sample
from initcompat.probe.validation import SchemaError
from initcompat.report.load import load_results, parse_documents

from check_sets import compat, data_file, example

ROOT = Path(__file__).resolve().parents[2]
INPUTS = {"env": "tf-2.16", "lock": ["tensorflow==2.16.2"], "interpreter": "/usr/bin/python3.11",
          "legacy_keras": False, "probe_code": "ab" * 32, "suite": "cd" * 32}
LABELS = ("TF 1.15", "TF 2.16")


def gru_fixes(first: str = "tf-1.15", second: str = "tf-2.0") -> list[Fix]:
    source = example("tfkeras_sequential.py").read_text()
    result = check_source(compat("history"), first, second, source, "tfkeras_sequential.py")
    return [fix for finding in result.findings for fix in finding.fixes
            if fix.status == UNVERIFIED]


def test_the_gru_setting_fix_becomes_a_run_of_every_defaulted_weight():
    fixes = gru_fixes()
    assert {fix.code for fix in fixes} == {"reset_after=False"}
    recipe = fixes[0].recipe
    assert recipe["kind"] == "layer" and recipe["env"] == "tf-2.0"
    assert (recipe["family"], recipe["legacy_keras"], recipe["layer"]) == ("tf.keras", False, "gru")
    assert recipe["settings"] == {"reset_after": False} and recipe["initializers"] == {}
    assert recipe["roles"] == ["kernel", "recurrent_kernel", "bias"]
    assert recipe["reference"] == {"env": "tf-1.15", "rows": [
        ["tf.keras", False, "gru", role] for role in recipe["roles"]]}
    run = plan.probe_run(recipe)
    assert "reference" not in run and "env" not in run  # what is drawn, not what it is compared with


def test_one_run_per_drawing_whatever_the_source():
    recipe = gru_fixes()[0].recipe
    other_source = dict(recipe, reference={"env": "tf-1.4", "rows": []})
    assert plan.keyed_run(recipe, INPUTS)["key"] == plan.keyed_run(other_source, INPUTS)["key"]
    document = plan.plan_document([plan.keyed_run(r, INPUTS) for r in (recipe, other_source)],
                                  False)
    assert len(document["runs"]) == 1
    assert fix_runs.plan_problem(document) is None  # what the host writes, the probe runs


@pytest.mark.parametrize("change", [{"lock": ["tensorflow==2.16.1"]}, {"probe_code": "ef" * 32},
                                    {"suite": "00" * 32}, {"legacy_keras": True},
                                    {"interpreter": "/usr/bin/python3.12"}, {"env": "tf-2.17"}])
def test_a_run_is_drawn_again_when_anything_deciding_its_draws_changes(change):
    run = plan.probe_run(gru_fixes()[0].recipe)
    assert plan.run_key(run, INPUTS) != plan.run_key(run, dict(INPUTS, **change))
    assert plan.run_key(run, INPUTS) != plan.run_key(dict(run, settings={"reset_after": True}),
                                                     INPUTS)


def test_only_unverified_fixes_with_a_recipe_are_wanted():
    recipe = {"kind": "initializer", "env": "tf-2.16", "code": "x()", "reference": {}}
    findings = [Finding("a.py", 1, 1, "IC303", "x", "m", fixes=(
        Fix("a", MEASURED, "w", recipe), Fix("b", UNVERIFIED, "w"), Fix("c", UNVERIFIED, "w", recipe)))]
    assert [(w.finding, w.fix) for w in plan.wanted(findings)] == [(0, 2)]
    assert list(plan.group(plan.wanted(findings))) == [("tf-2.16", False)]


@pytest.mark.parametrize("plan_document, problem", [
    ({"kind": "other"}, "not a fix plan"),
    ({"kind": fix_runs.PLAN_KIND, "plan_version": 9}, "plan_version"),
    ({"kind": fix_runs.PLAN_KIND, "plan_version": 1, "legacy_keras": False,
      "runs": [{"kind": "layer", "key": "XYZ"}]}, "key"),
    ({"kind": fix_runs.PLAN_KIND, "plan_version": 1, "legacy_keras": False,
      "runs": [{"kind": "layer", "key": "ab" * 8, "family": "tf.keras", "layer": "gru",
                "roles": ["bias"], "settings": {"kernel_initializer": "x"}}]}, "settings"),
    ({"kind": fix_runs.PLAN_KIND, "plan_version": 1, "legacy_keras": False,
      "runs": [{"kind": "initializer", "key": "ab" * 8, "code": ""}]}, "code"),
])
def test_the_probe_refuses_a_bad_plan_with_one_reason(plan_document, problem):
    assert problem in fix_runs.plan_problem(plan_document)


# ----------------------------------------------------------------- verdicts, known answers

ROWS = [["tf.keras", False, "gru", "kernel"], ["tf.keras", False, "gru", "bias"]]
RECIPE = {"kind": "layer", "env": "tf-2.16", "roles": ["kernel", "bias"],
          "reference": {"env": "tf-1.15", "rows": ROWS}}


def cell(role: str, values, shape) -> dict:
    return {"api_family": "tf.keras", "legacy_keras": False, "layer_kind": "gru",
            "weight_role": role, "status": "ok", "shape": list(shape),
            "sample": summarize_sample(np.asarray(values, dtype=np.float64), 500, 0)}


def source_cells(limit: float = 0.3) -> dict:
    rng = np.random.default_rng(1)
    return {tuple(ROWS[0]): cell("kernel", rng.uniform(-limit, limit, 24576), (8, 48)),
            tuple(ROWS[1]): cell("bias", np.zeros(3072), (48,))}


def run_body(limit: float = 0.3, bias_shape=(48,), seed: int = 2) -> dict:
    rng = np.random.default_rng(seed)
    return {"status": "ok", "seconds": 0.9,
            "cells": [cell("kernel", rng.uniform(-limit, limit, 24576), (8, 48)),
                      cell("bias", np.zeros(int(np.prod(bias_shape)) * 64), bias_shape)]}


def test_the_same_distribution_is_verified_with_its_figures():
    verdict = layer_verdict(RECIPE, run_body(), source_cells(), LABELS)
    assert verdict.status == VERIFIED, verdict.text
    assert verdict.text.startswith("verified in TF 2.16: draws match TF 1.15's (kernel 8×48: KS D=")
    assert "n=24576/24576" in verdict.text and "bias 48: constant 0.0 in both" in verdict.text
    kernel = verdict.facts["weights"][0]
    assert {t["test"] for t in kernel["tests"]} == {"mean", "std", "excess_kurtosis", "ks"}
    assert verdict.facts["seconds"] == 0.9


def test_a_wider_distribution_differs():
    verdict = layer_verdict(RECIPE, run_body(limit=0.36), source_cells(), LABELS)
    assert verdict.status == DIFFERS and "not a fix" in verdict.text
    assert "std z=" in verdict.text or "KS D=" in verdict.text


def test_another_shape_differs_whatever_the_values():
    verdict = layer_verdict(RECIPE, run_body(bias_shape=(2, 48)), source_cells(), LABELS)
    assert verdict.status == DIFFERS
    assert "bias shape 2×48 here, 48 in TF 1.15" in verdict.text


def test_code_that_raises_is_raised_with_the_error():
    body = {"status": "error", "seconds": 0.1, "error_type": "TypeError",
            "reason": "TypeError: GRU.__init__() got an unexpected keyword argument 'x'"}
    verdict = layer_verdict(RECIPE, body, source_cells(), LABELS)
    assert verdict.status == RAISED
    assert verdict.text == ("run in TF 2.16: raised TypeError: GRU.__init__() got an unexpected "
                            "keyword argument 'x'")


def test_a_weight_the_source_did_not_measure_is_not_compared():
    cells = source_cells()
    del cells[tuple(ROWS[1])]
    verdict = layer_verdict(RECIPE, run_body(), cells, LABELS)
    assert verdict.status == UNVERIFIED and "TF 1.15 did not measure bias" in verdict.text


def draw(name: str, values, shape, full: bool) -> dict:
    values = np.asarray(values, dtype=np.float64)
    sample = summarize_sample(values, 500, 0) if full else compute_moments(values)
    return {"shape_name": name, "shape": list(shape), "status": "ok", "sample": sample}


def record(std: float, seed: int) -> dict:
    rng = np.random.default_rng(seed)
    return {"status": "ok", "draws": [draw("conv", rng.normal(0, std, 14400), (3, 5, 24, 40), False),
                                      draw("dense", rng.normal(0, std, 100000), (400, 250), True)]}


@pytest.mark.parametrize("std, status", [(1.0, VERIFIED), (0.05, DIFFERS)])
def test_an_initializer_fix_is_judged_on_every_shape(std, status):
    recipe = {"kind": "initializer", "env": "tf-2.16",
              "reference": {"env": "tf-1.4", "key": ["tf.keras.initializers", "constructor",
                                                     "RandomNormal", "{}"]}}
    body = {"status": "ok", "seconds": 0.1, "record": record(std, 3)}
    verdict = initializer_verdict(recipe, body, record(1.0, 4), ("TF 1.4", "TF 2.16"))
    assert verdict.status == status, verdict.text
    assert [w["weight"] for w in verdict.facts["weights"]] == ["conv draw", "dense draw"]


def test_the_outputs_say_what_verification_found():
    verdict = layer_verdict(RECIPE, run_body(), source_cells(), LABELS)
    fix = Fix("reset_after=False", VERIFIED, verdict.text, None, dict(verdict.facts, env="tf-2.16"))
    finding = Finding("m.py", 3, 5, "IC203", "GRU", "default reset_after changed", fixes=(fix,))
    assert f"    fix (verified): reset_after=False — {verdict.text}" in text([finding], "s")
    document = json.loads(json_document([finding], "s", {"from": "a", "to": "b"}, "d", 1))
    found = document["findings"][0]["fixes"][0]
    assert found["status"] == VERIFIED and found["verification"]["env"] == "tf-2.16"


# ----------------------------------------------------------------- the fix runs' files

FIXES = ROOT / "tests" / "fixtures" / "fix"
GRU_RUN = "tf-2.16.fix-651c83af1403ad38.json"  # GRU(reset_after=False), drawn in TF 2.16
NORMAL_RUN = "tf-2.0.fix-de124a3e70abec46.json"  # RandomNormal(stddev=1.0), drawn in TF 2.0


def test_fix_files_join_their_environment_one_per_run(tmp_path):
    shutil.copy(FIXES / GRU_RUN, tmp_path / GRU_RUN)
    shutil.copy(FIXES / NORMAL_RUN, tmp_path / NORMAL_RUN)  # no tf-2.0 result beside it
    (tmp_path / "tf-2.16.json").write_text(json.dumps(synthetic.result("tf-2.16", "2.16.2", [])))
    loaded = load_results(tmp_path)
    (result,) = loaded.results
    (run,) = result[schema.KIND_FIX]
    assert run["run"]["settings"] == {"reset_after": False} and run["status"] == "ok"
    assert {c["weight_role"]: c["shape"] for c in run["cells"]} == {
        "kernel": [8, 48], "recurrent_kernel": [16, 48], "bias": [48]}
    (alone,) = loaded.rejected
    assert alone.path.endswith(NORMAL_RUN) and "no result or outcome file" in alone.problem


def test_a_fix_file_is_reused_only_for_its_key_and_a_bad_one_is_one_line(tmp_path):
    path = tmp_path / GRU_RUN
    shutil.copy(FIXES / GRU_RUN, path)
    key = json.loads(path.read_text())["run"]["key"]
    assert load_run(path, key)["run"]["key"] == key
    assert load_run(path, "0" * 64) is None  # another key: drawn again
    document = json.loads(path.read_text())
    document["cells"][0]["sample"]["std"] = -1.0
    path.write_text(json.dumps(document))
    assert load_run(path, key) is None
    with pytest.raises(SchemaError, match=r"cells\[0\]\.sample: std -1.0 does not match"):
        parse_documents(path.read_text())


def test_verify_without_the_sources_results_runs_nothing_and_says_why(tmp_path):
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = check_main([str(example("tfkeras_sequential.py")), "--from", "tf-1.15", "--to",
                           "tf-2.0", "--data", str(data_file("history")), "--verify",
                           "--measured", str(tmp_path / "none"), "--envs", str(tmp_path / "envs"),
                           "--format", "json"])
    assert code == 1
    fixes = [fix for finding in json.loads(out.getvalue())["findings"]
             for fix in finding["fixes"] if fix["code"] == "reset_after=False"]
    assert len(fixes) == 2 and all(fix["status"] == UNVERIFIED for fix in fixes)
    assert fixes[0]["why"].startswith("not run: no measured results of tf-1.15 in ")
    assert "2 fixes to verify: 2 unverified (0 run now, 0 reused; " in err.getvalue()
    assert not (tmp_path / "envs").exists()  # nothing built, nothing run


def test_a_run_drawn_again_replaces_its_older_file_and_nothing_else(tmp_path):
    old = tmp_path / GRU_RUN
    shutil.copy(FIXES / GRU_RUN, old)
    other = tmp_path / NORMAL_RUN.replace("tf-2.0", "tf-2.16")
    shutil.copy(FIXES / NORMAL_RUN, other)
    run = dict(json.loads(old.read_text())["run"], key="9" * 64)  # the same run, new inputs
    new = tmp_path / schema.fix_file_name("tf-2.16", run["key"])
    new.write_text(json.dumps(dict(json.loads(old.read_text()), run=run)))
    forget_replaced(tmp_path, "tf-2.16", [run])
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted([new.name, other.name])
