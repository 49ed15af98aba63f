"""Results are compared only within one suite: a results folder holding two suites gives no
cross-suite difference in the page, `diff` or the baseline gate, and says so in one line; a
transient fault (not-measured) is never a change at the gate. On real results
(tests/fixtures/history: TF 1.15, 2.0, 2.15, 2.16), each file given the suite it measured."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from initcompat.probe import schema
from initcompat.report import baseline, diff, suites
from initcompat.report.__main__ import main as report_main
from initcompat.report.load import load_results
from initcompat.report.sections import build_view, load_inputs

ROOT = Path(__file__).resolve().parents[2]
HISTORY = ROOT / "tests" / "fixtures" / "history"
NAMES = ("tf-1.15", "tf-2.0", "tf-2.15", "tf-2.16")
DEFAULT = schema.suite_identity("suites/default.json", json.loads(
    (ROOT / "suites" / "default.json").read_text()))
MINE = schema.suite_identity("/home/u/my.json", {
    "seed": 1234, "sample_target": 100000, "max_builds": 64, "subsample_size": 1000,
    "layers": [{"kind": "dense", "input_dim": 3136, "units": 1024}]})


def folder(tmp_path: Path, mine: tuple[str, ...] = (), name: str = "results") -> Path:
    """The history results, each with its suite: MINE for the names in `mine`, else DEFAULT."""
    results = tmp_path / name
    results.mkdir()
    for env in NAMES:
        document = json.loads((HISTORY / f"{env}.json").read_text())
        document["env"]["suite"] = MINE if env in mine else DEFAULT
        (results / f"{env}.json").write_text(json.dumps(document))
    return results


def view_of(results: Path, suite: str | None = None):
    loaded = load_results(results)
    assert not loaded.rejected
    inputs = load_inputs(loaded, [results], suite)
    return inputs, build_view(inputs)


def test_the_identity_names_the_file_never_its_folder():
    assert MINE["file"] == "my.json" and DEFAULT["file"] == schema.DEFAULT_SUITE_FILE
    assert MINE["sha256"] != DEFAULT["sha256"]


def measured(name: str, suite: dict | None, status: str = schema.ENV_OK) -> dict:
    return {"env": {"name": name, "suite": suite}, "status": status}


def test_partition_shows_the_suite_most_environments_measured_and_says_what_it_left_out():
    results = [measured(n, MINE if n == "tf-2.0" else DEFAULT) for n in NAMES]
    results.append(measured("tf-1.5", None, schema.ENV_INSTALL_FAILED))  # from before suites
    # a failure measured nothing: it is shown whichever suite is, whatever suite it was run with
    results.append(measured("tf-1.6", MINE, schema.ENV_NOT_MEASURED))
    parts = suites.partition(results)
    assert [r["env"]["name"] for r in parts.shown] == ["tf-1.15", "tf-2.15", "tf-2.16", "tf-1.5",
                                                       "tf-1.6"]
    assert [r["env"]["name"] for r in parts.left_out] == ["tf-2.0"]
    assert parts.note == (
        f"This results folder mixes 2 suites; the page compares only the 3 environments that "
        f"measured default.json (sha256 {DEFAULT['sha256'][:12]}) and leaves out those of "
        f"another suite (my.json (sha256 {MINE['sha256'][:12]}): tf-2.0): results of different "
        "suites are never compared.")
    preferred = suites.partition(results, MINE["sha256"])
    assert [r["env"]["name"] for r in preferred.shown] == ["tf-2.0", "tf-1.5", "tf-1.6"]
    assert preferred.note.startswith(f"These results measured the suite my.json (sha256 "
                                     f"{MINE['sha256'][:12]}), not the shipped default "
                                     "(default.json). This results folder mixes 2 suites;")


def test_one_suite_says_nothing_unless_it_is_not_the_default():
    same = [measured(n, DEFAULT) for n in NAMES]
    assert suites.partition(same).note is None and suites.partition(same).left_out == []
    assert suites.partition([measured("tf-1.15", None)]).note is None
    mine = [measured(n, MINE) for n in NAMES]
    assert suites.partition(mine).note == (f"These results measured the suite my.json (sha256 "
                                           f"{MINE['sha256'][:12]}), not the shipped default "
                                           "(default.json).")


def test_the_page_never_compares_two_suites(tmp_path):
    # One suite: TF 2.0 changes the GRU bias's shape against 1.15 (so the check below can fail).
    _, together = view_of(folder(tmp_path, name="one"))
    assert any(e["env"] == "tf-2.0" and e["kind"] == "shape" for e in together.timeline.events)
    inputs, view = view_of(folder(tmp_path, mine=("tf-2.0",)))
    assert [r["env"]["name"] for r in inputs.results] == ["tf-1.15", "tf-2.15", "tf-2.16"]
    assert "tf-2.0" not in {env["name"] for env in view.upgrade.envs}
    assert not [e for e in view.timeline.events if "tf-2.0" in (e["env"], e.get("since"))]
    assert "leaves out those of another suite (my.json" in inputs.suites_note
    assert inputs.suites_note.endswith(": tf-2.0): results of different suites are never "
                                       "compared.")


def test_diff_refuses_two_suites_and_compares_within_one(tmp_path, capsys):
    results = folder(tmp_path, mine=("tf-1.15", "tf-2.0"))
    assert diff.main([str(results), "tf-1.15", "tf-2.15"]) == 2
    err = capsys.readouterr().err
    assert err == (f"initcompat diff: tf-1.15 measured the suite my.json (sha256 "
                   f"{MINE['sha256'][:12]}), tf-2.15 the suite default.json (sha256 "
                   f"{DEFAULT['sha256'][:12]}): results of different suites are never compared\n")
    # both of my.json: compared with each other, in a view of my.json's results only
    assert diff.main([str(results), "tf-1.15", "tf-2.0", "--format", "json"]) == 1
    document = json.loads(capsys.readouterr().out)
    assert document["differences"] > 0


def test_the_gate_does_not_compare_two_suites_and_says_so(tmp_path, capsys):
    base = folder(tmp_path, name="baseline")
    current = folder(tmp_path, mine=("tf-2.0",))
    assert baseline.new_differences(load_results(base).results,
                                    load_results(current).results) == []
    assert report_main([str(current), "--out", str(tmp_path / "out"), "--baseline",
                        str(base)]) == 0
    out = capsys.readouterr().out
    assert (f"NOT COMPARED tf-2.0: the suite my.json (sha256 {MINE['sha256'][:12]}) in this run, "
            f"default.json (sha256 {DEFAULT['sha256'][:12]}) in the baseline; results of "
            "different suites are never compared") in out
    assert "CHANGED" not in out


def _replace_with_outcome(results: Path, name: str, status: str, reason: str) -> None:
    document = json.loads((results / f"{name}.json").read_text())
    (results / f"{name}.json").unlink()
    steps = {"install": schema.step_record(schema.STEP_FAILED, f"install x failed: {reason}")}
    (results / f"{name}.outcome.json").write_text(json.dumps(schema.outcome_record(
        document["env"], status, reason, steps, "$ uv pip install\n" + reason)))


def test_a_transient_fault_is_never_a_change_at_the_gate(tmp_path, capsys):
    base = folder(tmp_path, name="baseline")
    current = folder(tmp_path, name="transient")
    _replace_with_outcome(current, "tf-2.16", schema.ENV_NOT_MEASURED,
                          "package index unreachable: Connection refused")
    assert report_main([str(current), "--out", str(tmp_path / "out"), "--baseline",
                        str(base)]) == 0
    out = capsys.readouterr().out
    assert ("NOT COMPARED tf-2.16: not measured in this run (package index unreachable: "
            "Connection refused); not compared") in out and "CHANGED" not in out
    # the same environment genuinely failing to install is a change
    failed = folder(tmp_path, name="failed")
    _replace_with_outcome(failed, "tf-2.16", schema.ENV_INSTALL_FAILED,
                          "install tensorflow==2.16.1 failed: Because there is no version")
    assert baseline.new_differences(load_results(base).results, load_results(failed).results) \
        == ["tf-2.16: environment ok -> install-failed"]


def test_a_not_measured_environment_is_shown_with_its_own_status_and_cause(tmp_path):
    results = folder(tmp_path)
    _replace_with_outcome(results, "tf-2.16", schema.ENV_NOT_MEASURED,
                          "package index unreachable: Connection refused")
    _, view = view_of(results)
    (env,) = [e for e in view.failures.envs if e["name"] == "tf-2.16"]
    assert (env["status"], env["reason"]) == ("not-measured",
                                              "package index unreachable: Connection refused")


def test_a_result_from_before_identities_is_the_default_suite_by_its_kept_content(tmp_path):
    suite = json.loads((ROOT / "suites" / "default.json").read_text())
    document = json.loads((HISTORY / "tf-1.15.json").read_text())
    document["suite"] = dict(suite, comment="comments change no measurement")
    (tmp_path / "tf-1.15.json").write_text(json.dumps(document))
    (result,) = load_results(tmp_path).results
    assert result["env"]["suite"] == {"file": "default.json", "sha256": DEFAULT["sha256"],
                                      "recorded": False}


def test_a_step_file_of_another_suite_is_rejected_in_one_line(tmp_path):
    results = folder(tmp_path)
    seeding = json.loads((ROOT / "tests" / "fixtures" / "seeding" / "tf-2.15.seeding.json")
                         .read_text())
    seeding["env"]["suite"] = MINE
    (results / "tf-2.15.seeding.json").write_text(json.dumps(seeding))
    loaded = load_results(results)
    (rejected,) = loaded.rejected
    assert rejected.line() == (
        f"{results / 'tf-2.15.seeding.json'}: measured the suite my.json (sha256 "
        f"{MINE['sha256'][:12]}), not the suite of its result file (default.json, sha256 "
        f"{DEFAULT['sha256'][:12]}); ignored")
    (joined,) = [r for r in loaded.results if r["env"]["name"] == "tf-2.15"]
    assert joined["seeding"] is None


@pytest.mark.parametrize("identity, problem", [
    ({"file": "my.json", "sha256": "abc"}, "env.suite: sha256 'abc' is not 64 lowercase hex"),
    ({"file": 3, "sha256": MINE["sha256"]}, "env.suite: field 'file' has type int"),
    ({"sha256": MINE["sha256"]}, "env.suite: missing field 'file'"),
])
def test_a_bad_suite_identity_is_a_rejected_file(tmp_path, identity, problem):
    document = json.loads((HISTORY / "tf-1.15.json").read_text())
    document["env"]["suite"] = identity
    (tmp_path / "tf-1.15.json").write_text(json.dumps(document))
    (rejected,) = load_results(tmp_path).rejected
    assert rejected.problem.startswith(problem)

