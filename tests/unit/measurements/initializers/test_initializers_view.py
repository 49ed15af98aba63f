"""The Initializers section on real draws (tests/fixtures/initializers, joined with the probe
results of tests/fixtures/history): what it says must follow from the draws."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest

from initcompat.report.packed import unpacked_page
from initcompat.report.__main__ import main as report_main
from initcompat.report.initializer_records import analyse, change_steps
from initcompat.report.load import load_results
from initcompat.report.sections import build_view, load_inputs

FIXTURES = Path(__file__).resolve().parents[3] / "fixtures"
REQUIRED_COLUMNS = ["env", "tf_version", "keras_version", "backend", "namespace", "initializer",
                    "args", "class", "config", "status", "shape", "fan_in", "fan_out", "n",
                    "mean", "std", "min", "max", "excess_kurtosis", "fit"]


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("initializers")
    for name in ("tf-1.15", "tf-2.15"):
        shutil.copy(FIXTURES / "history" / f"{name}.json", folder)
        shutil.copy(FIXTURES / "initializers" / f"{name}.initializers.json", folder)
    return folder


@pytest.fixture(scope="module")
def view(folder):
    loaded = load_results(folder)
    assert not loaded.rejected
    return build_view(load_inputs(loaded, [folder]))


def point(view, row: str) -> dict:
    (found,) = [p for p in view.initializers.change_points if p["row"] == row]
    return found


def test_tf1_random_normal_default_stddev_one_becomes_keras_005_in_tf2(view):
    """tf.random_normal_initializer() is init_ops (stddev 1) in 1.x and init_ops_v2 (0.05) in 2.x:
    the change point says so from the draws' fingerprints, for both shapes at once."""
    found = point(view, "tf.random_normal_initializer()")
    assert (found["since"], found["version"], found["kind"]) == ("1.15", "2.15", "distribution")
    assert "normal, σ=1 → normal, σ=0.05" in found["text"]
    assert "conv and dense shapes" in found["text"]


def test_a_namespace_gone_is_one_line(view):
    found = point(view, "tf.contrib.layers")
    assert found["text"].startswith("no longer offered (AttributeError")


def test_removed_spellings_fold_into_one_line_per_namespace(view):
    lines = [p for p in view.initializers.change_points if p["row"] == "tf"]
    assert len(lines) == 1
    assert "no longer offers" in lines[0]["text"]
    assert "truncated_normal_initializer()" in lines[0]["text"]


def test_explicit_truncated_normal_draws_088_of_the_stddev_asked_for(view):
    """The asker's tf.truncated_normal_initializer(stddev=0.1): drawn std / 0.1 is the std of a
    normal cut at ±2σ (0.8796), measured, in 1.15 and 2.15 alike."""
    (row,) = [r for r in view.initializers.explicit
              if r["row"] == "tf.compat.v1.truncated_normal_initializer(stddev=0.1)"]
    (segment,) = row["segments"]
    assert segment["range"] == "1.15–2.15"
    assert segment["requested"] == "0.1"
    assert abs(float(segment["ratio"]) - 0.8796) < 0.01


def test_variance_scaling_normal_is_corrected_in_both_versions(view):
    """'normal' means the corrected truncated normal since 1.10: drawn std = sqrt(2/fan_in)."""
    rows = [r for r in view.initializers.explicit
            if r["row"].startswith("tf.compat.v1.variance_scaling_initializer(distribution='normal'")]
    (row,) = rows
    for segment in row["segments"]:
        assert abs(float(segment["ratio"]) - 1.0) < 0.02


def test_no_finding_where_draws_fit_their_declaration(view):
    assert view.initializers.findings == []


def test_initializer_changes_enter_the_timeline_and_the_upgrade_view(view):
    kinds = {e["kind"] for e in view.timeline.events if e["env"] == "tf-2.15"}
    assert "initializer" in kinds
    texts = [e["text"] for e in view.upgrade.events if e["kind"] == "initializer"]
    assert any("σ=1 → normal, σ=0.05" in text for text in texts)


def test_a_rerun_of_the_same_version_changes_no_draw():
    """Two independent runs of TF 2.15's initializers, compared as if one followed the other:
    no distribution change (the test family is Holm-corrected over every draw)."""
    first = json.loads((FIXTURES / "initializers" / "tf-2.15.initializers.json").read_text())
    second = json.loads((FIXTURES / "initializers" / "tf-2.15-rerun.initializers.json").read_text())
    results = [{"env": {"name": "a", "tensorflow": "2.15.1"}, "status": "ok",
                "initializers": first},
               {"env": {"name": "b", "tensorflow": "2.15.1"}, "status": "ok",
                "initializers": second}]
    for result in results:
        result["cells"] = []
    steps = change_steps(results, {"a": None, "b": None}, analyse(results))
    assert steps == []


def test_initializers_csv_has_the_required_columns_and_a_row_per_draw(folder, tmp_path):
    out = tmp_path / "out"
    assert report_main([str(folder), "--out", str(out)]) == 0
    rows = list(csv.DictReader(io.StringIO((out / "initializers.csv").read_text())))
    assert list(rows[0])[:len(REQUIRED_COLUMNS)] == REQUIRED_COLUMNS
    asked = [r for r in rows if r["env"] == "tf-1.15" and r["namespace"] == "tf"
             and r["initializer"] == "truncated_normal_initializer"
             and json.loads(r["args"]) == {"stddev": 0.1} and r["shape"] == "400x250"]
    (row,) = asked
    assert abs(float(row["std"]) / 0.1 - 0.8796) < 0.01 and row["fit"] == "consistent"
    assert (row["fan_in"], row["fan_out"], row["n"]) == ("400", "250", "100000")


def test_the_tail_audit_shows_the_ad_test_beside_the_support_count(tmp_path):
    """Audit entries made by the probe's own code from numpy draws of known distribution: in
    TF 2.15 a correct Keras TruncatedNormal and one of stddev 1.05 x declared cut at the declared
    bounds (nothing outside: only the AD test sees it); in TF 1.15 an entry from before the AD
    test. The rejected one is a finding beside its count of 0; the old one is "not measured"."""
    import numpy as np

    from initcompat.measurements.initializers import audit
    rng = np.random.default_rng(4)

    def truncated(stddev):
        drawn = rng.normal(0.0, stddev, 3 * audit.AD_SIZE)
        return drawn[np.abs(drawn) < 0.1][:audit.AD_SIZE].astype(np.float32).reshape(20, -1)

    record = {"namespace": "keras.initializers", "how": "constructor",
              "class_name": "TruncatedNormal", "config": {}}
    found = audit.support(record, tf1_defaults=False)
    entries = {"tf-2.15": [audit.audit_entry(dict(record, initializer="TruncatedNormal"), found,
                                             truncated(0.05)),
                           audit.audit_entry(dict(record, initializer="truncated_normal"), found,
                                             truncated(0.0525))],
               "tf-1.15": [audit.audit_entry(dict(record, initializer="TruncatedNormal"), found,
                                             truncated(0.05))]}
    for key in ("ad_n", "ad_statistic"):
        del entries["tf-1.15"][0][key]
    for name in ("tf-1.15", "tf-2.15"):
        shutil.copy(FIXTURES / "history" / f"{name}.json", tmp_path)
        document = json.loads((FIXTURES / "initializers" / f"{name}.initializers.json").read_text())
        document["audit"] = entries[name]
        (tmp_path / f"{name}.initializers.json").write_text(json.dumps(document))
    loaded = load_results(tmp_path)
    assert not loaded.rejected
    audit_view = build_view(load_inputs(loaded, [tmp_path])).initializers.audit
    assert audit_view["ad"]["tests"] == 2 and audit_view["ad"]["rejected"] == 1
    (defect,) = audit_view["defects"]
    assert defect["initializer"] == "keras.initializers.truncated_normal()"
    assert defect["outside_support"] == 0 and defect["ad_rejected"] is True
    assert defect["ad_p_value"] < audit_view["ad"]["first_threshold"]
    out = tmp_path / "out"
    assert report_main([str(tmp_path), "--out", str(out)]) == 0
    rows = {(r["env"], r["initializer"]): r
            for r in csv.DictReader(io.StringIO((out / "audit.csv").read_text()))}
    assert list(next(iter(rows.values())))[10:13] == ["ad_n", "ad_statistic", "ad_p_value"]
    correct = rows[("tf-2.15", "keras.initializers.TruncatedNormal()")]
    assert correct["ad_n"] == "100000" and float(correct["ad_p_value"]) > 1e-3
    assert rows[("tf-1.15", "keras.initializers.TruncatedNormal()")]["ad_p_value"] == ""
    html = unpacked_page((out / "index.html").read_text(encoding="utf-8"))  # every fold opened
    assert "first 100,000 values with the declared distribution" in html
    assert "[minval, maxval)): 2 tests, Holm at family-wise 0.001" in html
    assert "3 audited draws, 300,000 values, 0 outside the support" in html
    assert "Anderson–Darling: 1 of 2 rejected (1 not measured)" in html  # TF 1.15's, old
    assert f"{defect['ad_p_text']} rejected</td>" in html
