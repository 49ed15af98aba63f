"""The upgrade view's rule (sections/upgrade.py): which timeline events lie between two
environments, variants included; and the section built from real results."""

from __future__ import annotations

from pathlib import Path

import pytest

from initcompat.report.frame import order_results
from initcompat.report.load import load_results
from initcompat.report.measured import assign_variants
from initcompat.report.sections import Inputs, build_view
from initcompat.measurements.throughput.section import load_pyperf
from initcompat.report.sections.upgrade import (KINDS, build_upgrade, events_between, grouped,
                                                is_difference)
from initcompat.report.verdict import TOPICS

MERGE = Path(__file__).resolve().parents[1] / "fixtures" / "merge"


def env(name: str, label: str) -> dict:
    return {"name": name, "label": label, "status": "ok", "tensorflow": label}


def environments() -> list[dict]:
    """1.15, 2.0, 2.15, 2.16, 2.21 and a CUDA build of 2.21, as measure() leaves them."""
    return assign_variants([env("tf-1.15", "1.15"), env("tf-2.0", "2.0"), env("tf-2.15", "2.15"),
                            env("tf-2.16", "2.16"), env("tf-2.21", "2.21"),
                            env("tf-2.21-gpu", "2.21")])


def event(name: str, since: str, kind: str = "distribution", row: str = "tf.keras Dense kernel",
          text: str = "drawn uniform → normal") -> dict:
    return {"env": name, "since": since, "kind": kind, "family": "tf.keras", "layer": "Dense",
            "weight": "kernel", "row": row, "text": text, "cell": f"c-{name}-{row}"}


EVENTS = [
    event("tf-2.0", "tf-1.15"),
    event("tf-2.0", "tf-1.15", kind="renamed", text="a.GlorotUniform → b.GlorotUniform"),
    event("tf-2.15", "tf-2.0", kind="availability", row="tf.layers", text="available → unavailable"),
    event("tf-2.16", "tf-2.15", kind="shape", text="shape [48] → [2, 48]"),
    event("tf-2.21", "tf-2.16", kind="seeding", text="seeding works again"),
    event("tf-2.21-gpu", "tf-2.21", kind="seeded stream", text="seed group A → B"),
]


def between(first: str, second: str) -> list[str]:
    return [f"{e['env']}:{e['kind']}" for e in events_between(environments(), EVENTS, first, second)]


def test_the_same_environment_twice_has_no_difference():
    for name in ("tf-1.15", "tf-2.16", "tf-2.21-gpu"):
        assert events_between(environments(), EVENTS, name, name) == []


def test_a_step_is_the_later_version_s_events_and_a_range_adds_every_step():
    assert between("tf-1.15", "tf-2.0") == ["tf-2.0:distribution", "tf-2.0:renamed"]
    assert between("tf-2.15", "tf-2.16") == ["tf-2.16:shape"]
    assert between("tf-2.0", "tf-2.21") == ["tf-2.15:availability", "tf-2.16:shape",
                                            "tf-2.21:seeding"]


def test_the_order_of_the_two_environments_does_not_matter():
    assert between("tf-2.16", "tf-1.15") == between("tf-1.15", "tf-2.16")
    assert between("tf-2.21-gpu", "tf-2.0") == between("tf-2.0", "tf-2.21-gpu")


def test_a_variant_adds_its_own_events_against_its_primary_and_is_never_a_step():
    assert between("tf-2.21", "tf-2.21-gpu") == ["tf-2.21-gpu:seeded stream"]
    assert between("tf-2.16", "tf-2.21-gpu") == ["tf-2.21:seeding", "tf-2.21-gpu:seeded stream"]
    # between two primaries the variant's events are not there
    assert "tf-2.21-gpu:seeded stream" not in between("tf-1.15", "tf-2.21")


def test_an_unknown_environment_is_named():
    with pytest.raises(ValueError, match="unknown environment 'tf-9.9'"):
        events_between(environments(), EVENTS, "tf-1.15", "tf-9.9")


def test_a_rename_is_listed_but_never_a_difference():
    found = events_between(environments(), EVENTS, "tf-1.15", "tf-2.0")
    assert [is_difference(e) for e in found] == [True, False]
    kinds = [(g["kind"], g["difference"], g["count"]) for g in grouped(found)]
    assert kinds == [("distribution", True, 1), ("renamed", False, 1)]  # renames last


def test_groups_follow_the_kind_order_and_gather_weights_of_one_step_and_text():
    same = [event("tf-2.16", "tf-2.15", kind="shape", row=row, text="shape [48] → [2, 48]")
            for row in ("tf.keras GRU bias", "keras GRU bias")]
    found = grouped(EVENTS + same)
    assert [g["kind"] for g in found] == [k for k in KINDS if k in {e["kind"] for e in EVENTS}]
    (shape,) = [g for g in found if g["kind"] == "shape"]
    assert shape["count"] == 3 and len(shape["groups"]) == 1
    assert [r["row"] for r in shape["groups"][0]["rows"]][1:] == ["tf.keras GRU bias",
                                                                  "keras GRU bias"]


def test_the_section_offers_the_usual_upgrades_and_opens_on_2_15_to_2_16():
    section = build_upgrade(environments(), EVENTS)
    assert [(p["first"], p["second"]) for p in section.pairs] == [
        ("tf-1.15", "tf-2.0"), ("tf-2.15", "tf-2.16"), ("tf-2.16", "tf-2.21")]
    assert (section.default["first"], section.default["second"]) == ("tf-2.15", "tf-2.16")
    assert section.shown["sentence"] == "1 behaviour change from TF 2.15 to TF 2.16."
    data = section.data
    assert [e[0] for e in data["envs"]] == [e["name"] for e in environments()]
    assert data["envs"][-1][2] == 4  # the CUDA build is a variant of tf-2.21 (index 4)
    assert data["events"][0][:3] == [1, 0, TOPICS.index("defaults")]
    assert "variant" in section.rule and "Renames" in section.rule and "throughput" in section.rule


def test_pairs_are_offered_only_where_both_versions_were_measured():
    section = build_upgrade(environments()[2:], EVENTS[2:])
    assert [(p["first"], p["second"]) for p in section.pairs] == [
        ("tf-2.15", "tf-2.16"), ("tf-2.16", "tf-2.21")]
    assert build_upgrade(environments()[:1], []).default is None
    # without 2.15 and 2.16 the view opens on the two newest
    section = build_upgrade(environments()[:2] + environments()[4:], EVENTS[:2])
    assert (section.default["first"], section.default["second"]) == ("tf-2.0", "tf-2.21")


def real_view():
    results = order_results(load_results(MERGE).results)
    return build_view(Inputs(results, [], load_pyperf(results, [])))


def test_on_real_results_a_step_is_the_timeline_s_events_of_the_later_version():
    view = real_view()
    envs = view.upgrade.envs
    names = [e["name"] for e in envs]
    assert names == ["tf-1.15", "tf-2.15", "tf-2.21"]
    timeline_events = view.timeline.events
    step = events_between(envs, view.upgrade.events, "tf-2.15", "tf-2.21")
    assert step and all(e["env"] == "tf-2.21" for e in step)
    assert len(step) == sum(1 for e in timeline_events if e["env"] == "tf-2.21")
    whole = events_between(envs, view.upgrade.events, "tf-2.21", "tf-1.15")
    assert len(whole) == len(view.upgrade.events)
    for name in names:  # A/A: nothing
        assert events_between(envs, view.upgrade.events, name, name) == []
