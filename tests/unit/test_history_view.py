"""The report's view model on real results (tests/fixtures/history: compact copies of real probe
results of TF 1.15, 2.0, 2.15 twice and 2.16, dense/LSTM/GRU cells only, subsamples cut to 300):
what it says must follow from the draws."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from initcompat.report.baseline import new_differences
from initcompat.report.diff import difference_document, format_text
from initcompat.report.load import load_results
from initcompat.report.sections import build_view, load_inputs

HISTORY = Path(__file__).resolve().parents[1] / "fixtures" / "history"


@pytest.fixture(scope="module")
def view():
    loaded = load_results(HISTORY)
    assert not loaded.rejected
    return build_view(load_inputs(loaded, [HISTORY]))


def test_the_gru_bias_shape_change_at_2_0_is_a_change_not_a_rename(view):
    events = [e for e in view.timeline.events if e["env"] == "tf-2.0"
              and e["row"] == "tf.keras GRU bias"]
    kinds = {e["kind"] for e in events}
    assert "shape" in kinds and "renamed" not in kinds
    (shape,) = [e for e in events if e["kind"] == "shape"]
    assert shape["text"] == "shape [48] → [2, 48]"
    assert any(e["kind"] == "layer default" and e["text"] == "reset_after False → True"
               for e in events)


def test_a_rename_never_counts_as_a_change(view):
    for entry in view.timeline.entries:
        changes = [g for g in entry["groups"] if g["kind"] != "renamed"]
        assert entry["count"] == len(changes)
    renames = [e for e in view.timeline.events if e["kind"] == "renamed"]
    assert renames and all(e["row"] != "tf.keras GRU bias" or e["env"] != "tf-2.0" for e in renames)


def test_the_same_environment_twice_gives_an_empty_diff_and_passes_the_gate(view):
    document = difference_document(view.upgrade.envs, view.timeline.events, "tf-2.15",
                                   "tf-2.15-rerun")
    assert document["differences"] == 0, json.dumps(document["kinds"], indent=1)
    rerun = {r["env"]["name"]: r for r in load_results(HISTORY).results}
    second = dict(rerun["tf-2.15-rerun"], env=dict(rerun["tf-2.15-rerun"]["env"], name="tf-2.15"))
    assert new_differences((rerun["tf-2.15"],), (second,)) == []


def test_the_rerun_is_a_variant_column_not_a_version(view):
    (env,) = [e for e in view.upgrade.envs if e["name"] == "tf-2.15-rerun"]
    assert env["variant_of"] == "tf-2.15" and env["column_label"] == "TF 2.15 · rerun"
    assert [e["label"] for e in view.timeline.entries] == ["2.0", "2.15", "2.16"]
    # its events (against its primary) exist for the upgrade view, but it is no timeline step
    assert all(g["env"] != "tf-2.15-rerun" for entry in view.timeline.entries
               for g in entry["groups"])
    assert all(e["since"] == "tf-2.15" for e in view.timeline.events if e["env"] == "tf-2.15-rerun")


def test_a_family_that_appears_is_said_once(view):
    (event,) = [e for e in view.timeline.events if e["env"] == "tf-2.16"
                and e["row"] == "tf.compat.v1.layers (TF_USE_LEGACY_KERAS=1)"]
    assert event["kind"] == "availability" and event["text"] == "now probed: available"


def test_a_variant_whose_primary_failed_takes_its_place(tmp_path):
    """tf-2.15 did not run, its rerun did: 2.15 stays a version of the timeline."""
    import shutil
    for path in HISTORY.glob("*.json"):
        shutil.copy(path, tmp_path / path.name)
    result = json.loads((tmp_path / "tf-2.15.json").read_text())
    failed = dict(result, status="probe-crashed", reason="killed", cells=[])
    (tmp_path / "tf-2.15.json").write_text(json.dumps(failed))
    view = build_view(load_inputs(load_results(tmp_path), [tmp_path]))
    (rerun,) = [e for e in view.upgrade.envs if e["name"] == "tf-2.15-rerun"]
    assert rerun["variant_of"] is None
    assert [e["label"] for e in view.timeline.entries] == ["2.0", "2.15", "2.16"]


def test_from_1_15_to_2_0_the_differences_are_the_real_ones(view):
    document = difference_document(view.upgrade.envs, view.timeline.events, "tf-1.15", "tf-2.0")
    kinds = {k["kind"]: k["count"] for k in document["kinds"]}
    assert kinds.get("shape") == 1 and kinds.get("availability") == 1  # GRU bias; tf.layers gone
    assert "distribution" not in kinds  # no drawn distribution changed for these layers
    assert document["differences"] == sum(c for k, c in kinds.items() if k != "renamed")


def test_from_1_15_to_2_0_the_verdict_leads_with_each_change_and_how_to_keep_the_old(view):
    document = difference_document(view.upgrade.envs, view.timeline.events, "tf-1.15", "tf-2.0")
    headline = {item["title"]: item["text"] for item in document["headline"]}
    assert headline == {
        "Default distributions": "unchanged",
        "Layer defaults": "tf.keras GRU: reset_after False → True",
        "Seeding": "tf.keras: the same seed gives other weights for 8 of 11 weights",
        "Removed APIs": "tf.layers: now unavailable (AttributeError: module 'tensorflow' has no "
                        "attribute 'layers')",
        "Shapes": "tf.keras GRU bias: shape [48] → [2, 48]"}
    assert document["sentence"] == "4 behaviour changes from TF 1.15 to TF 2.0."
    keeps = {line["subject"]: line["keep"] for line in document["lines"]}
    assert keeps["tf.keras GRU"] == keeps["tf.keras GRU bias"] == "pass reset_after=False"
    # tf.compat.v1.layers is measured in 2.0 and draws what tf.layers drew in 1.15
    assert keeps["tf.layers"] == ("use tf.compat.v1.layers (measured in 2.0: all 2 weights draw "
                                  "as tf.layers did)")
    text = format_text(document)
    assert text.index("Default distributions:") < text.index("Seeding:") < \
        text.index("Removed APIs:") < text.index("Shapes:") < text.index("keep the old")


def test_from_2_15_to_2_16_a_family_probed_on_one_side_is_a_note_not_a_change(view):
    document = difference_document(view.upgrade.envs, view.timeline.events, "tf-2.15", "tf-2.16")
    assert document["changes"] == 2  # tf.compat.v1.layers removed, tf_keras offered
    (removed,) = [line for line in document["lines"] if line["topic"] == "removed"]
    assert removed["text"] == "now unavailable (AttributeError: `dense` is not available with Keras 3.)"
    assert removed["keep"].startswith("set TF_USE_LEGACY_KERAS=1 and use tf.compat.v1.layers")
    (note,) = [line for line in document["lines"] if line["topic"] == "harness"]
    assert note["text"] == "now probed: available"
    (entry,) = [e for e in view.timeline.entries if e["label"] == "2.16"]
    assert entry["changes"] == 2 and entry["outline"] == "removed APIs 1 · added APIs 1"
    assert view.timeline.verdicts["tf-2.16"]["harness"] == 1


def test_an_initializer_s_changed_default_says_the_argument_that_keeps_it(tmp_path):
    """tf.random_normal_initializer(): 1.15 draws normal σ=1, 2.15 σ=0.05 (real draws,
    tests/fixtures/initializers); its config says stddev 1.0 → 0.05 and the theory says
    stddev=1.0 draws σ=1 in 2.15 too."""
    import shutil
    for name in ("tf-1.15", "tf-2.15"):
        shutil.copy(HISTORY / f"{name}.json", tmp_path)
        shutil.copy(HISTORY.parent / "initializers" / f"{name}.initializers.json", tmp_path)
    view = build_view(load_inputs(load_results(tmp_path), [tmp_path]))
    document = difference_document(view.upgrade.envs, view.timeline.events, "tf-1.15", "tf-2.15")
    (line,) = [line for line in document["lines"]
               if line["subject"] == "tf.random_normal_initializer()"]
    assert (line["topic"], line["text"]) == ("defaults", "stddev 1.0 → 0.05")
    assert line["keep"] == "tf.random_normal_initializer(stddev=1.0)"
    assert document["headline"][0]["text"].startswith(
        "tf.random_normal_initializer(): stddev 1.0 → 0.05")


def test_the_timeline_is_one_line_per_version_that_opens_on_its_verdict(view):
    """Each version with a behaviour change is one packed fold whose summary gives its counts
    and whose content is that step's verdict; the rest is one line at the end."""
    import html as html_lib
    import re

    from initcompat.report.packed import unpack_text
    from initcompat.report.render import render_index
    page = render_index(view)
    start = page.index('<section id="timeline"')
    section = page[start:page.index("</section>", start)]
    folds = re.findall(r'<details class="lazy[^"]*" id="(tl-[^"]+)" data-z="([^"]+)"><summary>'
                       r'([^<]*)</summary>', section)
    changed = [e for e in view.timeline.entries if e["changes"]]
    assert [fold[0] for fold in folds] == [f"tl-{e['env']}" for e in changed] + (
        ["tl-quiet"] if len(changed) < len(view.timeline.entries) else [])
    summaries = {fold[0]: html_lib.unescape(fold[2]) for fold in folds}
    assert summaries["tl-tf-2.0"] == ("TF 2.0 (vs 1.15): 4 behaviour changes — layer "
                                      "defaults 1 · seeding 1 · removed APIs 1 · shapes 1")
    content = unpack_text(dict((fold[0], fold[1]) for fold in folds)["tl-tf-2.0"])
    assert "4 behaviour changes from TF 1.15 to TF 2.0." in content
    assert "the same seed gives other weights for 8 of 11 weights" in content
    assert "To keep the old behaviour: pass reset_after=False" in content
    assert section.count("<li") == len(changed)  # nothing else before a fold is opened
