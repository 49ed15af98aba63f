"""The check command says which package's move causes a finding (check/causes.py, issue 31):
from compat-data.json's "locks" and "causes" (report/compat_data.py causes_data)."""

from __future__ import annotations

import pytest

from initcompat.check import causes
from initcompat.check.data import DataError, validate
from initcompat.check.findings import Finding
from initcompat.report.compat_data import causes_data
from initcompat.report.causes import Attribution, Causes

NAMES = ("keras-3.7-jax", "keras-3.8-jax", "keras-3.9-jax")
LOCKS = {"keras-3.7-jax": {"keras": "3.7.0", "jax": "0.4.38", "jaxlib": "0.4.38"},
         "keras-3.8-jax": {"keras": "3.8.0", "jax": "0.4.38", "jaxlib": "0.4.38"},
         "keras-3.9-jax": {"keras": "3.9.2", "jax": "0.5.3", "jaxlib": "0.5.3"}}
CAUSE = Attribution("keras-3.8-jax", "keras-3.9-jax", "attributed",
                    "caused by jax 0.4.38 → 0.5.3, jaxlib 0.4.38 → 0.5.3 (...)",
                    [("jax", "0.4.38", "0.5.3"), ("jaxlib", "0.4.38", "0.5.3")])


def data(locks=LOCKS, found=None, **extra):
    envs = [{"name": name, "title": name, "label": name, "column_label": name, "line": "keras",
             "status": "ok", "variant_of": None, "keras_release": name.split("-")[1]}
            for name in NAMES]
    document = {"schema_version": 1, "kind": "initcompat-compat-data", "envs": envs,
                "layers": {}, "rows": [], "cells": {"summaries": [], "by_env": {}},
                "events": [], "seeding": {"by_env": {}},
                "initializers": {"summaries": [], "by_env": {}}}
    attributions = {(CAUSE.older, CAUSE.newer): CAUSE} if found is None else found
    document.update(causes_data(envs, Causes(locks, attributions, {})))
    document.update(extra)
    return validate(document, "compat-data.json")


def finding(code: str) -> Finding:
    return Finding("a.py", 1, 0, code, "keras.utils.set_random_seed", "other weights")


def test_a_finding_names_what_moved_and_the_move_that_caused_it():
    found = causes.annotate([finding("IC402"), finding("IC101")], data(), "keras-3.8-jax",
                            "keras-3.9-jax")
    assert found[0].details == (
        "packages that moved: keras 3.8.0 → 3.9.2, jax 0.4.38 → 0.5.3, jaxlib 0.4.38 → 0.5.3",
        "keras-3.8-jax -> keras-3.9-jax: caused by jax 0.4.38 → 0.5.3, jaxlib 0.4.38 → 0.5.3 "
        "(...)")
    assert found[0].data["causes"] == list(found[0].details)
    assert found[1].details == ()  # a removed API is not what the runs measured
    # a range that spans the step is told too
    assert len(causes.told(data(), "keras-3.7-jax", "keras-3.9-jax")) == 2
    assert causes.told(data(), "keras-3.7-jax", "keras-3.8-jax") == [
        "packages that moved: keras 3.7.0 → 3.8.0"]


def test_an_attribution_whose_cause_does_not_move_between_the_two_is_not_told():
    pinned = dict(LOCKS, **{"keras-3.9-jax": {"keras": "3.9.2", "jax": "0.4.38",
                                              "jaxlib": "0.4.38"}})
    lines = causes.told(data(locks=pinned), "keras-3.8-jax", "keras-3.9-jax")
    assert lines == ["packages that moved: keras 3.8.0 → 3.9.2"]


def test_data_without_locks_or_causes_says_nothing_more_and_bad_parts_are_one_line():
    plain = data(locks={}, found={})
    assert causes.annotate([finding("IC402")], plain, "keras-3.8-jax", "keras-3.9-jax")[0] \
        .details == ()
    with pytest.raises(DataError, match="causes\\[0\\]: expected an object naming two known"):
        causes.told(data(causes=[{"older": "x", "newer": "keras-3.9-jax"}]), "keras-3.8-jax",
                    "keras-3.9-jax")
    with pytest.raises(DataError, match="locks: expected"):
        causes.told(data(locks={"keras-3.8-jax": {"keras": 3}}), "keras-3.8-jax",
                    "keras-3.9-jax")
