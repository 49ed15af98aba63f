"""One Keras release on two backends (report/backends.py), compared cell by cell, and the upgrade
view and `diff` between them: synthetic results with known answers."""

from __future__ import annotations

import math

import pytest

from initcompat.report.backends import backend_events, same_release_pairs
from initcompat.report.diff import difference_document
from initcompat.report.sections.upgrade import events_between
from synthetic import cell, normal, result, uniform
from test_report import view_of

LIMIT = math.sqrt(6 / (96 + 40))


def keras(name: str, release: str, backend: str, cells: list[dict]) -> dict:
    document = result(name, "none", cells)
    document["env"].update(tensorflow="none", keras=release, backend=backend)
    return document


def dense(values, seed_bytes=None):
    return [cell("keras", "dense", "kernel", values, seed_bytes=seed_bytes)]


def test_same_distribution_and_same_seeded_bytes_is_no_difference():
    same = uniform(LIMIT, seed=1)
    documents = [keras("keras-3.15-jax", "3.15.1", "jax", dense(same)),
                 keras("keras-3.15-torch", "3.15.1", "torch", dense(uniform(LIMIT, seed=1)))]
    assert backend_events(documents) == []


def test_a_backend_drawing_another_distribution_is_a_distribution_event():
    documents = [keras("keras-3.15-jax", "3.15.1", "jax", dense(uniform(LIMIT, seed=1))),
                 keras("keras-3.15-torch", "3.15.1", "torch",
                       dense(normal(LIMIT / math.sqrt(3), seed=2)))]
    events = backend_events(documents)
    assert [(e["since"], e["env"], e["kind"]) for e in events if e["kind"] == "distribution"] == [
        ("keras-3.15-jax", "keras-3.15-torch", "distribution")]


def test_only_one_release_on_two_backends_is_paired():
    documents = [keras("keras-3.14-jax", "3.14.0", "jax", []),
                 keras("keras-3.15-jax", "3.15.1", "jax", []),
                 keras("keras-3.15-numpy", "3.15.1", "numpy", []),
                 keras("keras-3.15-torch", "3.15.1", "torch", []),
                 result("tf-2.21", "2.21.0", [])]
    names = [(a["env"]["name"], b["env"]["name"]) for a, b in same_release_pairs(documents)]
    assert names == [("keras-3.15-jax", "keras-3.15-numpy"), ("keras-3.15-jax", "keras-3.15-torch"),
                     ("keras-3.15-numpy", "keras-3.15-torch")]


def test_upgrade_view_and_diff_list_the_backend_pair_and_refuse_other_lines():
    documents = [keras("keras-3.14-jax", "3.14.0", "jax", dense(uniform(LIMIT, seed=3))),
                 keras("keras-3.15-jax", "3.15.1", "jax", dense(uniform(LIMIT, seed=1))),
                 keras("keras-3.15-torch", "3.15.1", "torch",
                       dense(normal(LIMIT / math.sqrt(3), seed=2)))]
    view = view_of(documents)
    upgrade = view.upgrade
    assert upgrade.backend_events and not [e for e in view.timeline.events
                                           if e["env"] == "keras-3.15-torch"]
    found = events_between(upgrade.envs, upgrade.events, "keras-3.15-torch", "keras-3.15-jax",
                           upgrade.backend_events)
    assert {e["kind"] for e in found} >= {"distribution"}
    document = difference_document(upgrade.envs, upgrade.events, "keras-3.15-jax",
                                   "keras-3.15-torch", upgrade.backend_events)
    assert document["differences"] >= 1
    with pytest.raises(ValueError, match="backends only for the same Keras release"):
        events_between(upgrade.envs, upgrade.events, "keras-3.14-jax", "keras-3.15-torch",
                       upgrade.backend_events)
    assert upgrade.data["backendEvents"] and upgrade.data["envs"][0][4] == "3.14.0"
