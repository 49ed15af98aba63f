"""python -m initcompat.check as a command: linter lines and a summary, JSON, SARIF 2.1.0, exit
0 / 1 / 2, and every bad input as one line on stderr, never a traceback."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout

import pytest

from initcompat.check import __main__ as check_command
from initcompat.check.findings import CODES

from check_sets import ROOT, built, data_file, example, results_folder

LINE = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+):(?P<col>\d+): (?P<code>IC\d{3}) (?P<message>.+)$")


def run(*argv) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = check_command.main([str(a) for a in argv])
    return code, out.getvalue(), err.getvalue()


def history(*argv):
    return run(*argv, "--data", data_file("history"))


def test_changes_are_linter_lines_then_a_summary_and_exit_1():
    code, out, err = history(example("tf1_graph_model.py"), example("tfkeras_sequential.py"),
                             "--from", "tf-1.15", "--to", "tf-2.0")
    assert code == 1 and err == ""
    lines = out.splitlines()
    flagged = [LINE.match(line) for line in lines if not line.startswith("    ")]
    assert all(flagged[:-1]) and flagged[-1] is None
    assert [(m["line"], m["code"]) for m in flagged[:-1]] == [
        ("18", "IC101"), ("20", "IC101"), ("10", "IC202"), ("10", "IC203")]
    assert flagged[0]["path"].endswith("tf1_graph_model.py") and flagged[0]["col"] == "9"
    assert lines[-1] == ("initcompat check: tf-1.15 -> tf-2.0: 4 changes at 3 calls in 2 files "
                         "(18 calls read, 11 not measured on both sides)")
    assert "    fix (measured): tf.compat.v1.layers.dense(...)" in out


def test_nothing_changes_is_the_summary_alone_and_exit_0():
    code, out, err = history(example("tfkeras_sequential.py"), "--from", "tf-2.15",
                             "--to", "tf-2.16")
    assert (code, err) == (0, "")
    assert out.splitlines() == ["initcompat check: tf-2.15 -> tf-2.16: 0 changes at 0 calls in 1 "
                                "file (9 calls read, 3 not measured on both sides)"]


def test_the_same_environment_prints_nothing():
    for name in ("tf-1.15", "tf-2.15-rerun"):
        assert history(example("tf1_graph_model.py"), "--from", name, "--to", name) == (0, "", "")


def test_a_folder_is_every_python_file_below_it():
    code, out, _ = history(example("tf1_graph_model.py").parent, "--from", "tf-1.15", "--to",
                           "tf-2.0")
    assert code == 1 and " in 8 files " in out.splitlines()[-1]


def test_json_holds_every_finding_with_its_fixes():
    code, out, _ = history(example("tf1_graph_model.py"), "--from", "tf-1.15", "--to", "tf-2.15",
                           "--format", "json")
    document = json.loads(out)
    assert code == 1 and (document["from"], document["to"]) == ("tf-1.15", "tf-2.15")
    assert document["data"]["schema_version"] == 1
    assert [(f["line"], f["code"], f["name"]) for f in document["findings"]] == [
        (6, "IC401", "seeding-lost"), (16, "IC301", "initializer-removed"),
        (18, "IC101", "removed"), (20, "IC101", "removed")]
    fix = document["findings"][2]["fixes"][0]
    assert fix == {"code": "tf.compat.v1.layers.dense(...)", "status": "measured",
                   "why": "measured in TF 2.15: kernel, bias draw as in TF 1.15"}
    assert set(document["codes"]) == set(CODES)


def test_sarif_is_a_2_1_0_log_with_a_rule_per_code():
    code, out, _ = history(example("tfkeras_sequential.py"), "--from", "tf-1.15", "--to",
                           "tf-2.0", "--format", "sarif")
    log = json.loads(out)
    assert code == 1 and log["version"] == "2.1.0" and log["$schema"].endswith("sarif-2.1.0.json")
    run_ = log["runs"][0]
    rules = run_["tool"]["driver"]["rules"]
    assert [rule["id"] for rule in rules] == list(CODES)
    assert all(rule["shortDescription"]["text"] for rule in rules)
    results = run_["results"]
    assert [r["ruleId"] for r in results] == ["IC202", "IC203"]
    for result in results:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        assert result["level"] == "warning" and result["message"]["text"]
        region = result["locations"][0]["physicalLocation"]["region"]
        assert (region["startLine"], region["startColumn"]) == (10, 5)
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert uri.endswith("tfkeras_sequential.py")
    assert "reset_after=False" in json.dumps(results[1]["properties"]["fixes"])


def test_results_folder_instead_of_data():
    argv = (example("tf1_graph_model.py"), "--from", "tf-1.15", "--to", "tf-2.0")
    assert run(*argv, "--results", results_folder("history")) == history(*argv)


def test_runs_as_a_module_and_answers_fast():
    done = subprocess.run([sys.executable, "-m", "initcompat.check",
                           str(example("tf1_graph_model.py")), "--from", "tf-1.15", "--to",
                           "tf-2.0", "--data", str(data_file("history"))],
                          capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 1 and done.stderr == ""
    # the check itself never imports the report's libraries (it runs without them):
    probe = subprocess.run([sys.executable, "-c", "import sys, initcompat.check.__main__, "
                            "initcompat.check.run; print(sorted(m for m in sys.modules if "
                            "m.split('.')[0] in ('pandas', 'scipy', 'numpy', 'jinja2')))"],
                           capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert probe.stdout.strip() == "[]"


def _one_line(code: int, out: str, err: str) -> str:
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and err.startswith("initcompat check: ")
    assert "Traceback" not in err
    return err


def test_an_unparsable_file_is_one_line(tmp_path):
    broken = tmp_path / "broken.py"
    broken.write_text("import tensorflow as tf\nx = tf.layers.dense(\n")
    err = _one_line(*history(broken, "--from", "tf-1.15", "--to", "tf-2.0"))
    assert str(broken) in err and "does not parse" in err and "line " in err


def test_a_file_in_an_unknown_encoding_is_one_line(tmp_path):
    latin = tmp_path / "latin.py"
    latin.write_bytes(b"x = '\xe9'\n")
    assert "cannot be decoded" in _one_line(*history(latin, "--from", "tf-1.15", "--to", "tf-2.0"))


def test_an_unknown_environment_names_the_known_ones():
    err = _one_line(*history(example("raw_variables.py"), "--from", "tf-1.15", "--to", "tf-9.9"))
    assert "unknown environment 'tf-9.9'; known: tf-1.15, tf-2.0, tf-2.15, tf-2.15-rerun, tf-2.16" in err


def test_two_lines_that_cannot_be_compared_are_one_line(tmp_path):
    # the history data with tf-2.16 relabelled as a Keras line: the rule, not a measurement
    document = json.loads(json.dumps(built("history")[0]))
    document["envs"][4].update(line="keras3-jax", keras_release="3.4.1")
    relabelled = tmp_path / "two-lines.json"
    relabelled.write_text(json.dumps(document))
    err = _one_line(*run(example("raw_variables.py"), "--from", "tf-2.15", "--to", "tf-2.16",
                         "--data", relabelled))
    assert "tf-2.15 and tf-2.16 are on different lines (tensorflow; keras3-jax)" in err


@pytest.mark.parametrize("argv, problem", [
    (["missing.py", "--from", "tf-1.15", "--to", "tf-2.0"], "missing.py: no such file or folder"),
    (["{examples}/tf1_graph_model.py", "--from", "tf-1.15"], "the following arguments are required: --to"),
    (["{examples}/tf1_graph_model.py", "--from", "a", "--to", "b", "--format", "xml"], "invalid choice"),
    (["{examples}/tf1_graph_model.py", "--from", "a", "--to", "b", "--data", "nowhere.json"],
     "nowhere.json: No such file or directory"),
    (["{examples}/tf1_graph_model.py", "--from", "a", "--to", "b", "--results", "nowhere"],
     "nowhere: no such results folder or file"),
])
def test_bad_arguments_are_one_line(argv, problem):
    argv = [a.format(examples=example("x").parent) for a in argv]
    assert problem in _one_line(*run(*argv))


def test_an_empty_folder_is_one_line(tmp_path):
    assert "no Python file" in _one_line(*history(tmp_path, "--from", "tf-1.15", "--to", "tf-2.0"))


def test_bad_data_is_one_line(tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text('{"schema_version": 9, "kind": "initcompat-compat-data"}')
    err = _one_line(*run(example("raw_variables.py"), "--from", "a", "--to", "b", "--data", bad))
    assert "schema_version: 9 is newer than this checker reads (1): update initcompat" in err


def test_no_published_data_says_where_it_looked(tmp_path, monkeypatch):
    monkeypatch.setattr(check_command, "DEFAULT_DATA", tmp_path / "compat-data.json")
    err = _one_line(*run(example("raw_variables.py"), "--from", "a", "--to", "b"))
    assert "no compat data at" in err and "--data FILE" in err and "--results DIR" in err
