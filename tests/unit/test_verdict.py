"""The upgrade verdict's rules (report/verdict.py) on events shaped as the timeline makes them:
which topic each change counts under, how seeded-stream changes fold into one line per family,
what is never counted, and what keeps the old behaviour where an event says."""

from __future__ import annotations

from initcompat.report.diff import difference_document
from initcompat.report.measured import assign_variants
from initcompat.report.verdict import classify, not_counted_text, sentence, summarize

LABELS = {"tf-1.15": "TF 1.15", "tf-2.0": "TF 2.0", "tf-2.1": "TF 2.1"}


def event(kind: str, text: str, family: str = "tf.keras", layer: str = "Dense",
          weight: str = "kernel", env: str = "tf-2.0", since: str = "tf-1.15", **more) -> dict:
    row = more.pop("row", None) or " ".join(part for part in (family, layer, weight) if part)
    return dict({"env": env, "since": since, "kind": kind, "family": family, "layer": layer,
                 "weight": weight, "row": row, "text": text, "cell": f"c-{row}-{env}"}, **more)


def verdict(events: list[dict]) -> dict:
    return summarize(classify(events), LABELS)


def headline(said: dict) -> dict[str, str]:
    return {item["title"]: item["text"] for item in said["headline"]}


def test_seeded_stream_changes_of_a_family_are_one_line_in_plain_words():
    weights = [event("seeded stream", f"the same seed gives other weights (seed group A → B)",
                     layer=f"Layer{i}", of=39) for i in range(39)]
    other = [event("seeded stream", "the same seed gives other weights (seed group C → D)",
                   family="tf.compat.v1.keras", layer=f"Layer{i}", of=20) for i in range(12)]
    said = verdict(weights + other)
    assert said["changes"] == 2
    assert [(line["subject"], line["text"]) for line in said["lines"]] == [
        ("tf.keras", "the same seed gives other weights for all 39 weights"),
        ("tf.compat.v1.keras", "the same seed gives other weights for 12 of 20 weights")]
    assert len(said["lines"][0]["rows"]) == 39  # every weight still one click away


def test_throughput_harness_notes_and_renames_are_listed_but_never_counted():
    said = verdict([
        event("regression", "initialization throughput 2.40× slower (median 114 ms → 273 ms)",
              layer="Dense", weight="4096x4096"),
        event("speed-up", "initialization throughput 1.50× faster (median 3 ms → 2 ms)"),
        event("availability", "now probed: available", family="tf_keras", layer="", weight=""),
        event("renamed", "a.GlorotUniform → b.GlorotUniform")])
    assert said["changes"] == 0
    assert sentence(said, "TF 1.15", "TF 2.0") == "No behaviour change from TF 1.15 to TF 2.0."
    assert said["throughput"] == "1 slower (up to 2.40×), 1 faster (up to 1.50×)"
    assert not_counted_text(said) == ("1 harness note (a family probed on one side only) and "
                                      "1 internal rename (same distribution)")
    assert headline(said) == {"Default distributions": "unchanged", "Seeding": "unchanged",
                              "Removed APIs": "none", "Shapes": "unchanged"}


def test_the_headline_names_what_changed_with_its_numbers_in_topic_order():
    said = verdict([
        event("availability", "available → unavailable (AttributeError: module 'tensorflow' "
              "has no attribute 'layers')", family="tf.layers", layer="", weight="",
              keep="use tf.compat.v1.layers"),
        event("shape", "shape [48] → [2, 48]", layer="GRU", weight="bias"),
        event("layer default", "reset_after False → True", layer="GRU", weight="bias"),
        event("initializer", "drawn normal, σ=1 → normal, σ=0.05 (conv and dense shapes)",
              family="tf", layer="tf.random_normal_initializer()", weight="",
              row="tf.random_normal_initializer()", settings="stddev 1.0 → 0.05", keep="tf.random_normal_initializer(stddev=1.0)"),
        event("seeding", "the same seed no longer gives the same weights", keep="seed with x")])
    assert [item["title"] for item in said["headline"]] == [
        "Default distributions", "Layer defaults", "Seeding", "Removed APIs", "Shapes"]
    found = headline(said)
    assert found["Default distributions"] == "tf.random_normal_initializer(): stddev 1.0 → 0.05"
    assert found["Layer defaults"] == "tf.keras GRU: reset_after False → True"
    assert found["Removed APIs"] == ("tf.layers: now unavailable (AttributeError: module "
                                     "'tensorflow' has no attribute 'layers')")
    assert found["Shapes"] == "tf.keras GRU bias: shape [48] → [2, 48]"
    keeps = {line["subject"]: line["keep"] for line in said["lines"]}
    assert keeps == {"tf.keras GRU": "pass reset_after=False",  # from the setting's old value
                     "tf.keras GRU bias": "pass reset_after=False",  # the shape it changed
                     "tf.random_normal_initializer()": "tf.random_normal_initializer(stddev=1.0)",
                     "tf.layers": "use tf.compat.v1.layers", "tf.keras": "seed with x"}
    (initializer,) = [line for line in said["lines"] if line["topic"] == "defaults"
                      and line["subject"].startswith("tf.random")]
    assert initializer["detail"].startswith("drawn normal, σ=1")


def test_a_namespace_s_parts_go_to_their_topics_and_a_gone_namespace_joins_its_family():
    said = verdict([
        event("availability", "available → unavailable (AttributeError: no contrib)",
              family="tf.contrib.layers", layer="", weight=""),
        event("initializer", "no longer offered (AttributeError: no contrib)",
              family="tf.contrib.layers", layer="tf.contrib.layers", weight="",
              row="tf.contrib.layers"),
        event("initializer", "now offers Identity(); no longer offers normal(); now raises on "
              'get("constant")', family="tf.keras.initializers", layer="tf.keras.initializers",
              weight="", row="tf.keras.initializers")])
    lines = [(line["topic"], line["subject"], line["text"]) for line in said["lines"]]
    assert lines == [
        ("removed", "tf.contrib.layers", "now unavailable (AttributeError: no contrib)"),
        ("removed", "tf.keras.initializers", "no longer offers normal()"),
        ("removed", "tf.keras.initializers", 'now raises on get("constant")'),
        ("added", "tf.keras.initializers", "now offers Identity()")]


def test_a_range_names_the_version_of_each_change_and_folds_streams_across_steps():
    said = verdict([
        event("seeded stream", "the same seed gives other weights (seed group A → B)", of=2),
        event("seeded stream", "the same seed gives other weights (seed group B → C)",
              env="tf-2.1", since="tf-2.0", layer="LSTM", of=2),
        event("shape", "shape [48] → [2, 48]", env="tf-2.1", since="tf-2.0", layer="GRU")])
    assert said["spans"] and said["changes"] == 2
    assert headline(said)["Seeding"] == ("tf.keras: the same seed gives other weights for all 2 "
                                         "weights (in TF 2.0, TF 2.1)")
    assert headline(said)["Shapes"].endswith("(in TF 2.1)")


def env(name: str, label: str) -> dict:
    return {"name": name, "label": label, "status": "ok", "tensorflow": label,
            "column_label": f"TF {label}"}


def test_the_diff_document_keeps_its_kinds_and_counts_only_behaviour():
    envs = assign_variants([env("tf-1.15", "1.15"), env("tf-2.0", "2.0")])
    only_speed = [event("speed-up", "initialization throughput 1.50× faster (median 3 → 2 ms)"),
                  event("renamed", "a.Zeros → b.Zeros")]
    document = difference_document(envs, only_speed, "tf-1.15", "tf-2.0")
    assert document["differences"] == 0 and document["changes"] == 0  # exit status 0
    assert [kind["kind"] for kind in document["kinds"]] == ["speed-up", "renamed"]
    changed = only_speed + [event("shape", "shape [48] → [2, 48]")] * 2
    document = difference_document(envs, changed, "tf-2.0", "tf-1.15")
    assert document["differences"] == 2 and document["changes"] == 1
    assert document["sentence"] == "1 behaviour change from TF 1.15 to TF 2.0."
    assert document["headline"][3] == {"topic": "shapes", "title": "Shapes", "count": 1,
                                       "text": "tf.keras Dense kernel: shape [48] → [2, 48]"}


def test_a_seeding_call_that_goes_is_a_removed_api_and_one_that_comes_an_added_one():
    def seeding(method: str, text: str, **more) -> dict:
        return event("seeding", text, layer=method, weight="Dense kernel",
                     row=f"tf.keras {method} · Dense kernel",
                     cell=f"sd-tf.keras-{method}-Dense-kernel", **more)
    said = verdict([
        seeding("tf.set_random_seed", "no longer offered (no tf.set_random_seed (AttributeError: "
                "module 'tensorflow' has no attribute 'set_random_seed'))",
                keep="seed with tf.random.set_seed (reproducible in TF 2.0)"),
        seeding("tf.random.set_seed", "now offered: reproducible"),
        seeding("keras.utils.set_random_seed", "reproducible → not reproducible")])
    lines = [(line["topic"], line["subject"], line["keep"]) for line in said["lines"]]
    assert lines == [
        ("seeding", "keras.utils.set_random_seed", ""),
        ("removed", "tf.set_random_seed", "seed with tf.random.set_seed (reproducible in TF 2.0)"),
        ("added", "tf.random.set_seed", "")]
    assert headline(said)["Removed APIs"].startswith(
        "tf.set_random_seed: no longer offered (no tf.set_random_seed (AttributeError:")
