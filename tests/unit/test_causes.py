"""Every change names its cause (report/causes.py, report/crossed_file.py): the attribution
runs' draws against both ends', the verdict and its sentence, and the loader's hardening of the
crossed files. Draws here are made-up sha256 values with known answers; the real runs are in
tests/integration/test_crossed_real.py."""

from __future__ import annotations

import hashlib
import json

import pytest

from initcompat.probe import schema
from initcompat.probe.validation import SchemaError
from initcompat.report import causes, crossed_file
from initcompat.report.load import load_results
from initcompat.report.sections.upgrade import causes_between

OLD_LOCK = ["jax==0.4.38", "jaxlib==0.4.38", "keras==3.8.0", "numpy==2.2.1", "rich==13.9.4"]
NEW_LOCK = ["jax==0.5.3", "jaxlib==0.5.3", "keras==3.9.2", "numpy==2.2.4", "rich==14.0.0"]
KEYS = ["keras|initializer seed=S|Dense kernel", "keras|seed 0|Dense kernel",
        "keras|keras.utils.set_random_seed|direct call"]
LABELS = {"keras-3.8-jax": "Keras 3.8 · jax", "keras-3.9-jax": "Keras 3.9 · jax"}


def sha(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def seeding(tag: str, same: int = 0) -> dict:
    """A seeding body whose records' draws are `tag`'s, the first `same` shared by every tag."""
    records = []
    for index, key in enumerate(KEYS):
        family, method, target = key.split("|")
        records.append({"family": family, "method": method, "target": target,
                        "status": schema.SEED_REPRODUCIBLE,
                        "sha256": sha(key if index < same else tag + key)})
    records.append({"family": "keras", "method": "no seed", "target": "Dense kernel",
                    "status": schema.SEED_NOT_REPRODUCIBLE, "sha256": sha(tag)})
    return {"records": records}


def result(name: str, lock: list[str], tag: str) -> dict:
    return {"env": {"name": name}, "install": {"lock": lock}, "seeding": seeding(tag),
            "cells": []}


def run(group: tuple, draws_of: str | None, status: str = crossed_file.MEASURED,
        reason: str | None = None, step: str = "seeding", back: bool = False) -> dict:
    old, new = dict(l.split("==") for l in OLD_LOCK), dict(l.split("==") for l in NEW_LOCK)
    draws = crossed_file.draw_fingerprints(seeding(draws_of), step) if draws_of else {}
    base = "keras-3.9-jax" if back else "keras-3.8-jax"
    return crossed_file.crossed_record(
        crossed_file.crossed_name(base, group, back), "keras-3.8-jax", "keras-3.9-jax",
        step, [(name, old[name], new[name]) for name in group], status, reason, [], draws,
        {"install": 30.0, "step": 8.0}, "ab" * 32, "2026-12-07T16:00:00Z",
        "newer" if back else "older")


ENDS = [result("keras-3.8-jax", OLD_LOCK, "old"), result("keras-3.9-jax", NEW_LOCK, "new")]


def found(documents) -> causes.Attribution:
    return causes.attributions(ENDS, documents, LABELS)[("keras-3.8-jax", "keras-3.9-jax")]


def test_the_move_whose_crossed_run_draws_the_newer_bytes_is_the_cause():
    said = found([run(("keras",), "old"), run(("jax", "jaxlib"), "new"), run(("numpy",), "old")])
    assert said.status == causes.ATTRIBUTED
    assert said.cause == [("jax", "0.4.38", "0.5.3"), ("jaxlib", "0.4.38", "0.5.3")]
    assert said.text == (
        "caused by jax 0.4.38 → 0.5.3, jaxlib 0.4.38 → 0.5.3 (Keras 3.8 · jax with jax 0.5.3 "
        "draws Keras 3.9 · jax's 3 of 3 seeding records; with keras 3.8.0 → 3.9.2 alone, or "
        "numpy 2.2.1 → 2.2.4 alone it draws its own)")
    verdicts = {run.group: run.verdict for run in said.runs}
    assert verdicts == {("keras",): causes.KEEPS_OLD, ("jax", "jaxlib"): causes.REPRODUCES,
                        ("numpy",): causes.KEEPS_OLD}


def test_a_pin_is_offered_only_where_moving_the_cause_back_in_the_newer_lock_kept_old_bytes():
    forward = [run(("keras",), "old"), run(("jax", "jaxlib"), "new")]
    assert found(forward).keep == ""  # not verified in the newer environment: no pin
    kept = found(forward + [run(("jax", "jaxlib"), "old", back=True)])
    assert kept.status == causes.ATTRIBUTED and kept.keep == (
        "pin jax==0.4.38, jaxlib==0.4.38 (measured: Keras 3.9 · jax with them draws "
        "Keras 3.8 · jax's 3 of 3 seeding records)")
    assert found(forward + [run(("jax", "jaxlib"), "new", back=True)]).keep == ""
    assert causes.shown("", [kept])["causes"][0]["keep"] == kept.keep


def test_only_the_draws_that_changed_count_and_unreproducible_ones_never_do():
    ends = [result("keras-3.8-jax", OLD_LOCK, "old"), result("keras-3.9-jax", NEW_LOCK, "new")]
    ends[0]["seeding"] = seeding("old", same=1)  # one record drew the same on both ends
    ends[1]["seeding"] = seeding("new", same=1)
    document = run(("jax", "jaxlib"), "new")
    runs = causes.compared_runs([document], {r["env"]["name"]: r for r in ends})
    assert runs[("keras-3.8-jax", "keras-3.9-jax")][0].counts == {
        "changed": 2, "as_newer": 2, "as_older": 0}


def test_when_two_moves_each_reproduce_it_or_none_does_nothing_is_attributed():
    both = found([run(("keras",), "new"), run(("jax", "jaxlib"), "new")])
    assert both.status == causes.NOT_ATTRIBUTED and both.cause == []
    neither = found([run(("keras",), "old"), run(("jax", "jaxlib"), "other")])
    assert neither.status == causes.NOT_ATTRIBUTED
    assert "keras 3.8.0 → 3.9.2: 0 of 3 seeding records" in neither.text


def test_a_refused_move_is_said_with_the_resolver_s_line():
    refusal = ("could not isolate: Because tensorflow==2.15.1 depends on keras>=2.15.0,<2.16 "
               "and you require keras==3.4.1, we can conclude that your requirements are "
               "unsatisfiable.")
    every = found([run(("keras",), None, crossed_file.REFUSED, refusal)])
    assert every.status == causes.NOT_ISOLATED
    assert every.text == ("could not isolate: keras 3.8.0 → 3.9.2 alone: tensorflow==2.15.1 "
                          "depends on keras>=2.15.0,<2.16")
    both = found([run(("keras",), None, crossed_file.REFUSED, refusal),
                  run(("jax", "jaxlib"), None, crossed_file.REFUSED, "could not isolate: no")])
    assert both.text.startswith("could not isolate: keras and jax only move together (")
    partly = found([run(("keras",), None, crossed_file.REFUSED, refusal),
                    run(("jax", "jaxlib"), "new"), run(("numpy",), "old")])
    assert partly.status == causes.ATTRIBUTED
    assert "could not be moved: keras 3.8.0 → 3.9.2 alone" in partly.text


def test_a_change_without_runs_is_not_yet_attributed_where_several_candidates_moved():
    locks = causes.locks_of(ENDS)
    said = causes.cause_of({}, locks, "keras-3.8-jax", "keras-3.9-jax", LABELS)
    assert said.status == causes.NOT_YET
    one = {"a": {"keras": "3.8.0", "rich": "1"}, "b": {"keras": "3.9.2", "rich": "2"}}
    assert causes.cause_of({}, one, "a", "b", {}) is None  # one candidate: the lock diff says it
    assert causes.moved_between(locks, "keras-3.8-jax", "keras-3.9-jax") == (
        "packages that moved: keras 3.8.0 → 3.9.2, jax 0.4.38 → 0.5.3, "
        "jaxlib 0.4.38 → 0.5.3, numpy 2.2.1 → 2.2.4 and 1 more")


def test_the_upgrade_view_shows_an_attribution_for_every_pair_that_spans_its_step():
    envs = [{"name": name, "variant_of": None, "line": "keras"}
            for name in ("keras-3.7-jax", "keras-3.8-jax", "keras-3.9-jax", "keras-3.10-jax")]
    ends = [result(env["name"], OLD_LOCK if index < 2 else NEW_LOCK, str(index))
            for index, env in enumerate(envs)]
    ends[1]["seeding"], ends[2]["seeding"] = seeding("old"), seeding("new")
    built = causes.build_causes(envs, ends, [run(("jax", "jaxlib"), "new"),
                                             run(("keras",), "old")])
    spanning = causes_between(envs, built, "keras-3.7-jax", "keras-3.10-jax")
    assert [c["status"] for c in spanning["causes"]] == [causes.ATTRIBUTED]
    assert causes_between(envs, built, "keras-3.9-jax", "keras-3.10-jax")["causes"] == []
    assert causes_between(envs, built, "keras-3.9-jax", "keras-3.9-jax") is None


def test_crossed_files_load_apart_and_a_bad_one_is_one_line(tmp_path):
    good = run(("jax", "jaxlib"), "new")
    (tmp_path / crossed_file.file_name(good["env"]["name"], "seeding")).write_text(
        json.dumps(good))
    second = tmp_path / "copy" / "again.seeding.crossed.json"
    second.parent.mkdir()
    second.write_text(json.dumps(good))
    bad = dict(good, status="maybe")
    (tmp_path / "bad.seeding.crossed.json").write_text(json.dumps(bad))
    loaded = load_results(tmp_path)
    assert loaded.results == () and len(loaded.crossed) == 1
    problems = sorted(r.problem for r in loaded.rejected)
    assert problems[0] == "crossed: status 'maybe' is not one of measured, refused, failed"
    assert problems[1].startswith("second crossed seeding run 'keras-3.8-jax+jax+jaxlib'")


@pytest.mark.parametrize("change, problem", [
    (lambda d: d.update(moved=[]), "crossed: moved names no package"),
    (lambda d: d.update(moved=[["jax", 1, "0.5.3"]]), "crossed.moved[0]: expected"),
    (lambda d: d["draws"].update(x="zz"), "crossed.draws['x']: expected a sha256 in hex"),
    (lambda d: d.update(step="train"), "crossed: step 'train' is not one of seeding, probe"),
    (lambda d: d.update(newer="keras-3.8-jax"), "crossed: older and newer must be two"),
    (lambda d: d.update(status="refused", reason=None), "crossed: a refused run needs its reason"),
    (lambda d: d["seconds"].update(step=True), "crossed.seconds['step']: expected seconds"),
    (lambda d: d.pop("draws"), "crossed: missing field 'draws'"),
])
def test_each_bad_crossed_field_is_named(change, problem):
    document = run(("jax", "jaxlib"), "new")
    change(document)
    with pytest.raises(SchemaError) as raised:
        crossed_file.validate_crossed(document)
    assert str(raised.value).startswith(problem)


def test_every_timeline_step_says_what_moved_and_that_it_is_not_yet_attributed():
    from pathlib import Path

    from initcompat.report.frame import order_results
    from initcompat.report.sections import Inputs, build_view
    from initcompat.measurements.throughput.section import load_pyperf
    folder = Path(__file__).resolve().parents[1] / "fixtures" / "merge"  # locks recorded
    ordered = order_results(load_results(folder).results)
    view = build_view(Inputs(ordered, [], load_pyperf(ordered, [folder])))
    said = {entry["env"]: entry["causes"] for entry in view.timeline.entries}
    assert said["tf-2.15"]["moved"].startswith(
        "packages that moved: tensorflow 1.15.5 → 2.15.1, keras added (2.15.0), numpy 1.18.5 → "
        "1.26.4")
    assert said["tf-2.15"]["causes"] == [{"status": causes.NOT_YET, "keep": "",
                                          "text": "not yet attributed: no attribution run for "
                                                  "this change"}]
