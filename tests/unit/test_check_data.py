"""compat-data.json: built by the report from real results, read by the check with the loader's
hardening (schema version, validation, one-line rejection, a fuzz test as test_load.py's), and
the check's A -> B rule is the upgrade view's."""

from __future__ import annotations

import collections
import copy
import io
import json
import os
from contextlib import redirect_stderr, redirect_stdout

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from initcompat.check.context import Comparison, Incomparable
from initcompat.check import data as check_data
from initcompat.check.__main__ import main as check_main
from initcompat.check.uses import WEIGHT_SETTINGS
from initcompat.report import compat_data
from initcompat.report.__main__ import main as report_main
from initcompat.report.sections import timeline, upgrade

from check_sets import built, compat, data_file, example, results_folder


def test_the_checker_reads_what_the_report_writes():
    assert check_data.SCHEMA_VERSION == compat_data.SCHEMA_VERSION
    assert check_data.KIND == compat_data.KIND
    assert check_data.FILE_NAME == compat_data.FILE_NAME
    assert WEIGHT_SETTINGS == timeline.WEIGHT_SETTINGS


def test_history_document_holds_the_measurements():
    document, _ = built("history")
    assert document["schema_version"] == 1 and document["kind"] == compat_data.KIND
    assert [env["name"] for env in document["envs"]] == ["tf-1.15", "tf-2.0", "tf-2.15",
                                                        "tf-2.15-rerun", "tf-2.16"]
    assert document["envs"][3]["variant_of"] == "tf-2.15"
    assert document["layers"]["lstm_no_forget_bias"] == {"kind": "lstm",
                                                         "options": {"unit_forget_bias": False}}
    found = compat("history")
    row = found.row("tf.layers", False, "dense", "kernel")
    old, new = found.cell("tf-1.15", row), found.cell("tf-2.0", row)
    assert old["status"] == "ok" and old["declared"] == "Glorot uniform"
    assert "sqrt(6/(fan_in+fan_out))" in old["theory"] and old["shape"] == [96, 40]
    assert new["status"] == "unavailable" and new["error"].startswith("AttributeError:")
    gru = found.cell("tf-1.15", found.row("tf.keras", False, "gru", "bias"))
    assert gru["settings"]["reset_after"] is False
    removed = [e for e in found.events if e.get("family") == ["tf.layers", False]]
    assert removed and removed[0]["env"] == "tf-2.0" and "tf.compat.v1.layers" in removed[0]["keep"]
    seeding = found.seeding("tf-1.15")[("tf.keras", "tf.set_random_seed", "Dense kernel")]
    assert seeding["status"] == "reproducible" and seeding["group"]
    assert found.namespace("tf-2.15", "tf.contrib.layers")["status"] == "unavailable"
    assert ("tf", "constructor", "random_normal_initializer", "{}") in found.initializers("tf-2.15")


def test_the_report_writes_compat_data_beside_its_csvs(tmp_path):
    assert report_main([str(results_folder("merge")), "--out", str(tmp_path / "out")]) == 0
    written = check_data.load(tmp_path / "out" / compat_data.FILE_NAME)
    assert [env["name"] for env in written.envs] == ["tf-1.15", "tf-2.15", "tf-2.21"]
    # issue 31: the results' resolved locks ride along (what moved between two environments)
    locks = written.document.pop("locks")
    assert locks["tf-1.15"]["tensorflow"] == "1.15.5" and "causes" not in written.document
    assert written.document == json.loads(data_file("merge").read_text())


def test_results_folder_gives_the_same_data():
    assert check_data.from_results([results_folder("history")]).document == built("history")[0]


def _pairs(name: str):
    names = [env["name"] for env in built(name)[0]["envs"]]
    return [(a, b) for a in names for b in names]


def _key(event: dict) -> tuple:
    return (event["env"], event.get("since"), event["kind"], event["text"])


@pytest.mark.parametrize("name", ["history", "merge"])
def test_the_a_to_b_rule_is_the_upgrade_views(name):
    document, view = built(name)
    data = check_data.validate(copy.deepcopy(document), name)
    for first, second in _pairs(name):
        try:
            expected = upgrade.events_between(view.upgrade.envs, view.timeline.events, first,
                                              second, view.upgrade.backend_events)
        except ValueError:
            with pytest.raises(Incomparable):
                Comparison(data, first, second, False).events()
            continue
        found = Comparison(data, first, second, False).events()
        wanted = collections.Counter(_key(e) for e in expected
                                     if e["kind"] in compat_data.EVENT_KINDS)
        assert collections.Counter(_key(e) for e in found) == wanted, (first, second)


def _good() -> dict:
    return copy.deepcopy(built("history")[0])


@pytest.mark.parametrize("change, problem", [
    (lambda d: d.update(schema_version=2), "schema_version: 2 is newer than this checker reads"),
    (lambda d: d.update(schema_version="1"), "schema_version: expected 1, found '1'"),
    (lambda d: d.pop("schema_version"), "schema_version: expected 1, found None"),
    (lambda d: d.update(kind="result"), "kind: expected 'initcompat-compat-data'"),
    (lambda d: d.update(envs={}), "envs: expected a list, found dict"),
    (lambda d: d["envs"].append(dict(d["envs"][0])), "environment 'tf-1.15' twice"),
    (lambda d: d["envs"][1].update(variant_of="tf-9"), "envs[1].variant_of: unknown environment"),
    (lambda d: d["rows"][0].append("x"), "rows[0]: expected 4 fields, found 5"),
    (lambda d: d["rows"][0].__setitem__(1, "no"), "rows[0][1]: expected true or false"),
    (lambda d: d["cells"]["by_env"]["tf-2.0"][0].__setitem__(0, 10 ** 6),
     "cells.by_env.tf-2.0[0][0]: index 1000000 out of range"),
    (lambda d: d["cells"]["by_env"].update({"tf-9": []}), "cells.by_env: unknown environment 'tf-9'"),
    (lambda d: d["cells"]["summaries"][0].update(status=None), "cells.summaries[0].status"),
    (lambda d: d["events"][0].update(env="tf-9"), "events[0].env: unknown environment 'tf-9'"),
    (lambda d: d["events"][0].update(row=0, family=["x", True]), "events[0]: expected exactly one"),
    (lambda d: d["seeding"]["by_env"]["tf-1.15"][0].pop(), "expected 7 fields, found 6"),
    (lambda d: d["initializers"]["by_env"]["tf-1.15"][0].__setitem__(4, -1),
     "initializers.by_env.tf-1.15[0][4]: index -1 out of range"),
])
def test_unusable_documents_are_one_line_naming_where(change, problem):
    document = _good()
    change(document)
    with pytest.raises(check_data.DataError) as raised:
        check_data.validate(document, "d.json")
    assert str(raised.value).startswith("d.json: ") and problem in str(raised.value)
    assert "\n" not in str(raised.value)


@pytest.mark.parametrize("text, problem", [(b"", "not JSON"), (b"{", "not JSON"),
                                           (b"\xff\xfe", "not JSON"), (b"[" * 100000, "nested too deeply"),
                                           (b"[]", "expected a JSON object")])
def test_unreadable_bytes_are_one_line(text, problem):
    with pytest.raises(check_data.DataError) as raised:
        check_data.parse(text, "d.json")
    assert problem in str(raised.value) and "\n" not in str(raised.value)


def _mutations(document):
    """A path into the document and what to put there."""
    paths = []

    def walk(value, path, depth):
        paths.append(path)
        if depth > 5:
            return
        if isinstance(value, dict):
            for key in list(value)[:12]:
                walk(value[key], path + (key,), depth + 1)
        elif isinstance(value, list):
            for index in range(min(len(value), 4)):
                walk(value[index], path + (index,), depth + 1)
    walk(document, (), 0)
    values = st.one_of(st.none(), st.booleans(), st.integers(-3, 10 ** 9), st.floats(),
                       st.text(max_size=8), st.lists(st.integers(), max_size=3),
                       st.dictionaries(st.text(max_size=4), st.integers(), max_size=2))
    return st.tuples(st.sampled_from(paths), values, st.sampled_from(["set", "delete"]))


FUZZ_EXAMPLES = int(os.environ.get("INITCOMPAT_FUZZ_EXAMPLES", "80"))


@seed(int(os.environ.get("INITCOMPAT_FUZZ_SEED", "28")))
@settings(max_examples=FUZZ_EXAMPLES, deadline=None, database=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(st.data())
def test_fuzzed_data_is_rejected_in_one_line_or_checks(tmp_path, data):
    document = _good()
    for _ in range(data.draw(st.integers(1, 3))):
        path, value, how = data.draw(_mutations(document))
        if not path:
            document = value
            break
        parent = document
        for part in path[:-1]:
            parent = parent[part]
        if how == "delete" and isinstance(parent, dict):
            parent.pop(path[-1], None)
        elif how == "delete" and isinstance(parent, list) and path[-1] < len(parent):
            parent.pop(path[-1])
        else:
            parent[path[-1]] = value
    target = tmp_path / "fuzzed.compat-data.json"
    target.write_text(json.dumps(document), encoding="utf-8")
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = check_main([str(example("tfkeras_sequential.py")), str(example("tf1_graph_model.py")),
                           "--from", "tf-1.15", "--to", "tf-2.15", "--data", str(target)])
    assert code in (0, 1, 2)
    if code == 2:
        assert out.getvalue() == "" and err.getvalue().count("\n") == 1
        assert err.getvalue().startswith("initcompat check: ")
    else:
        assert out.getvalue().splitlines()[-1].startswith("initcompat check: tf-1.15 -> tf-2.15")
