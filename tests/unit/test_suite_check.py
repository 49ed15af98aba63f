"""A user's suite is checked on the host before anything runs (initcompat.suite): every kind of
bad suite is one line naming the file, the JSON path and the problem, a non-zero exit, and
nothing is built or removed; the known values are the probe's own catalogue."""

from __future__ import annotations

import copy
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, seed, settings
from hypothesis import strategies as st

from initcompat.host import matrix, runner
from initcompat.probe import catalogue, schema
from initcompat.suite import SuiteError, check_document, check_file
from initcompat.suite.__main__ import main as suite_main

ROOT = Path(__file__).resolve().parents[2]
DEFAULT = ROOT / "suites" / "default.json"
KNOWN_KINDS = ", ".join(sorted(catalogue.KINDS))


def default() -> dict:
    return json.loads(DEFAULT.read_text())


def edited(mutate) -> dict:
    document = default()
    mutate(document)
    return document


def _set(path: list, value):
    def apply(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value
    return apply


def _drop(path: list):
    def apply(document):
        target = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]
    return apply


# name -> (mutation of the default suite, the problem after "FILE: ")
BAD_SUITES = {
    "unknown-kind": (_set(["layers", 1, "kind"], "conv2dd"),
                     f"layers[1].kind 'conv2dd' is not a layer kind (known: {KNOWN_KINDS})"),
    "negative-shape": (_set(["layers", 0, "units"], -40),
                       "layers[0].units -40 is not a positive integer"),
    "zero-shape": (_set(["layers", 2, "filters"], 0),
                   "layers[2].filters 0 is not a positive integer"),
    "fractional-shape": (_set(["layers", 2, "kernel_size"], [5, 3.5]),
                         "layers[2].kernel_size[1] 3.5 is not a positive integer"),
    "text-shape": (_set(["layers", 0, "input_dim"], "96"),
                   "layers[0].input_dim '96' is not a positive integer"),
    "bool-shape": (_set(["layers", 0, "units"], True),
                   "layers[0].units true is not a positive integer"),
    "kernel-dimensions": (_set(["layers", 2, "kernel_size"], [5]),
                          "layers[2].kernel_size [5] has 1 dimension, not 2"),
    "missing-layer-field": (_drop(["layers", 0, "units"]),
                            "layers[0] lacks 'units', which a dense layer needs"),
    "typo-layer-field": (_set(["layers", 0, "activation"], "relu"),
                         "layers[0].activation is not a field of a dense layer (fields: id, "
                         "input_dim, options, units)"),
    "initializer-option": (_set(["layers", 0, "options"], {"kernel_initializer": "zeros"}),
                           "layers[0].options passes initializer arguments kernel_initializer; "
                           "initcompat measures defaults only"),
    "second-row": (_set(["layers", 10], {"kind": "lstm", "units": 16, "input_dim": 8,
                                         "timesteps": 3}),
                   "layers[10] is a second 'lstm' (as layers[9]): give it an 'id' of its own"),
    "seeding-initializer": (_set(["seeding", "initializer"], "glorot_unifrom"),
                            "seeding.initializer 'glorot_unifrom' is not an initializer name "
                            f"(known: {', '.join(sorted(schema.INITIALIZER_NAMES))})"),
    "explicit-initializer": (_set(["initializers", "explicit", 0, "name"], "truncated"),
                             "initializers.explicit[0].name 'truncated' is not an initializer "
                             "name"),
    "propagation-initializer": (_set(["propagation", "initializers", 2, "name"], "kaiming_normal"),
                                "propagation.initializers[2].name 'kaiming_normal' is not an "
                                "initializer name"),
    "missing-layers": (_drop(["layers"]), "the suite lacks 'layers'"),
    "missing-seed": (_drop(["seed"]), "the suite lacks 'seed'"),
    "missing-seeding-dense": (_drop(["seeding", "dense"]), "seeding lacks 'dense'"),
    "missing-model-layers": (_drop(["propagation", "models", 1, "layers"]),
                             "propagation.models[1] lacks 'layers'"),
    "unknown-section": (lambda d: d.update(initialisers=d.pop("initializers")),
                        "initialisers is not a field of the suite (known: initializers, layers, "
                        "max_builds, propagation, sample_target, seed, seeding, subsample_size, "
                        "throughput)"),
    "throughput-kind": (_set(["throughput", "layers", 2, "kind"], "conv"),
                        "throughput.layers[2].kind 'conv' is not a layer kind"),
    "model-layer-type": (_set(["propagation", "models", 0, "layers", 1, "type"], "maxpool"),
                         "propagation.models[0].layers[1].type 'maxpool' is not a model layer "
                         "type (known: conv2d, dense, flatten, max_pool)"),
    "model-input-shape": (_set(["propagation", "models", 2, "input_shape"], [28, 28, 3]),
                          "propagation.models[2].input_shape [28, 28, 3] holds 2352 values per "
                          "example; x28 has 784"),
    "training-model": (_set(["propagation", "training", "model"], "lenet"),
                       "propagation.training.model 'lenet' is not a model of propagation.models"),
    "dtype": (_set(["propagation", "dtypes"], ["float32", "float8"]),
              "propagation.dtypes[1] 'float8' is not a dtype"),
    "data-file": (_set(["propagation", "data"], "mnist.npz"),
                  "propagation.data 'mnist.npz' is in none of"),
    "seed-range": (_set(["seed"], 2 ** 40), "seed 1099511627776 is not an integer from 0 to"),
}


def write(folder: Path, name: str, document) -> Path:
    path = folder / name
    path.write_text(document if isinstance(document, str) else json.dumps(document, indent=1))
    return path


def test_the_default_suite_is_usable_and_its_identity_is_the_probe_s():
    identity = check_file(DEFAULT)
    assert identity == schema.suite_identity(DEFAULT, default())
    assert identity["file"] == "default.json" and re.fullmatch("[0-9a-f]{64}", identity["sha256"])


@pytest.mark.parametrize("name", sorted(BAD_SUITES))
def test_each_bad_suite_is_one_line_naming_file_path_and_problem(tmp_path, name):
    mutate, problem = BAD_SUITES[name]
    path = write(tmp_path, "my.json", edited(mutate))
    with pytest.raises(SuiteError) as raised:
        check_file(path)
    message = str(raised.value)
    assert "\n" not in message
    assert message.startswith(f"{path}: {problem}"), message


@pytest.mark.parametrize("text, problem", [
    ('{"seed": 1,\n  "layers" [', "not valid JSON: Expecting ':' delimiter (line 2, column 12)"),
    ("", "not valid JSON: Expecting value (line 1, column 1)"),
    ('{"seed": NaN}', "not valid JSON: NaN is not a JSON number"),
    ("[1, 2]", "the suite must be a JSON object, not a list"),
])
def test_a_suite_that_is_not_a_json_object_is_one_line(tmp_path, text, problem):
    path = write(tmp_path, "my.json", text)
    with pytest.raises(SuiteError, match=re.escape(f"{path}: {problem}")):
        check_file(path)


def test_an_unreadable_suite_is_one_line(tmp_path):
    with pytest.raises(SuiteError, match=re.escape(f"{tmp_path / 'gone.json'}: cannot read: ")):
        check_file(tmp_path / "gone.json")


def test_the_step_sections_may_be_left_out_but_not_mistyped(tmp_path):
    minimal = {"seed": 1, "sample_target": 1000, "max_builds": 4, "subsample_size": 100,
               "layers": [{"kind": "dense", "input_dim": 3136, "units": 1024}]}
    assert check_document(minimal, tmp_path / "mine.json")["file"] == "mine.json"
    with pytest.raises(SuiteError, match="mine.json: seeding must be an object, not a list"):
        check_document(dict(minimal, seeding=[]), tmp_path / "mine.json")


def test_the_known_kinds_are_the_catalogue_s(monkeypatch, tmp_path):
    """A kind added to the probe's catalogue is a kind the check accepts, with the fields its
    functions read: the two never drift."""
    monkeypatch.setitem(catalogue.KINDS, "spline", catalogue.Kind(
        None, "Spline", ("kernel",), lambda s: {"knots": s["knots"]}, lambda s: [s["width"]],
        lambda s: "%dx%d" % (s["width"], s["knots"])))
    suite = dict(default(), layers=[{"kind": "spline", "knots": 8, "width": 12}])
    check_document(suite, tmp_path / "mine.json")
    with pytest.raises(SuiteError, match=r"layers\[0\] lacks 'width', which a spline layer needs"):
        check_document(dict(suite, layers=[{"kind": "spline", "knots": 8}]), tmp_path / "m.json")


def test_the_readme_example_suite_is_usable(tmp_path):
    """The README's "Measure your own layers" suite runs as written: the check accepts it."""
    readme = (ROOT / "README.md").read_text()
    section = readme.split("## Measure your own layers", 1)[1]
    example = re.search(r"```json\n(.*?)```", section, re.S).group(1)
    path = write(tmp_path, "my.json", example)
    assert check_file(path)["file"] == "my.json"


def test_the_command_line_says_ok_or_the_one_line_and_exits_non_zero(tmp_path, capsys):
    bad = write(tmp_path, "bad.json", edited(BAD_SUITES["unknown-kind"][0]))
    assert suite_main(["check", str(DEFAULT)]) == 0
    assert capsys.readouterr().out.startswith(f"{DEFAULT}: ok (sha256 ")
    assert suite_main(["check", str(DEFAULT), str(bad)]) == 1
    captured = capsys.readouterr()
    assert captured.err == f"initcompat suite: {bad}: {BAD_SUITES['unknown-kind'][1]}\n"


def test_the_check_imports_no_framework_nor_numpy(tmp_path):
    bad = write(tmp_path, "bad.json", edited(BAD_SUITES["unknown-kind"][0]))
    code = ("import sys\nfrom initcompat.suite.__main__ import main\nrc = main(['check', %r])\n"
            "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('numpy', 'tensorflow', "
            "'keras', 'torch', 'jax', 'pandas', 'scipy'))\nprint(rc, heavy)" % str(bad))
    completed = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                               env=dict(os.environ, PYTHONPATH=str(ROOT / "src")))
    assert completed.stdout.strip() == "1 []", completed.stderr
    assert completed.stderr.count("\n") == 1 and "Traceback" not in completed.stderr


def _earlier_results(folder: Path) -> dict[str, bytes]:
    folder.mkdir()
    files = {"tf-1.15.json": b'{"status": "ok", "note": "an earlier result"}',
             "tf-1.15.outcome.json": b"{}", "tf-1.15.log": b"earlier log"}
    for name, content in files.items():
        (folder / name).write_bytes(content)
    return files


def test_the_runner_refuses_a_bad_suite_before_touching_anything(tmp_path):
    bad = write(tmp_path, "bad.json", edited(BAD_SUITES["unknown-kind"][0]))
    entry = matrix.load_matrix(ROOT / "suites" / "matrix.toml").entry("tf-1.15")
    results, envs = tmp_path / "results", tmp_path / "envs"
    earlier = _earlier_results(results)
    for call in (lambda: runner.run_entry(entry, resolution="as-released", suite=bad,
                                          results=results, envs=envs, source=ROOT / "src",
                                          timeout=5),
                 lambda: runner.rerun_step(entry, "seeding", resolution="as-released", suite=bad,
                                           results=results, envs=envs, source=ROOT / "src")):
        with pytest.raises(SuiteError, match=re.escape(BAD_SUITES["unknown-kind"][1])):
            call()
    assert {p.name: p.read_bytes() for p in results.iterdir()} == earlier
    assert not envs.exists()


def test_the_nox_session_fails_with_the_one_line_and_leaves_results_alone(tmp_path):
    """`nox -s tf-1.15 -- --suite bad.json` on a copy of the noxfile (its results folder is the
    copy's): the session fails with the check's line, no traceback, nothing built or removed."""
    if shutil.which("nox") is None and not (Path(sys.executable).parent / "nox").exists():
        pytest.skip("nox is not installed here")
    for name in ("noxfile.py",):
        shutil.copy(ROOT / name, tmp_path / name)
    (tmp_path / "src").symlink_to(ROOT / "src")
    (tmp_path / "suites").symlink_to(ROOT / "suites")
    earlier = _earlier_results(tmp_path / "results")
    bad = write(tmp_path, "bad.json", edited(BAD_SUITES["unknown-kind"][0]))
    completed = subprocess.run([sys.executable, "-m", "nox", "-s", "tf-1.15", "--", "--suite",
                                str(bad)], cwd=tmp_path, capture_output=True, text=True,
                               timeout=120)
    output = completed.stdout + completed.stderr
    assert completed.returncode != 0
    assert f"{bad}: {BAD_SUITES['unknown-kind'][1]}" in output
    assert "Traceback" not in output and "Session tf-1.15 aborted: " in output
    assert {p.name: p.read_bytes() for p in (tmp_path / "results").iterdir()} == earlier
    assert not (tmp_path / ".nox").exists()


# Any edit of the default suite is accepted or refused in one line, never a crash.
def _paths(value, prefix=()):
    yield prefix
    children = value.items() if isinstance(value, dict) else enumerate(value) \
        if isinstance(value, list) else []
    for key, child in children:
        yield from _paths(child, prefix + (key,))


PATHS = [path for path in _paths(default()) if path]
REPLACEMENTS = st.one_of(st.none(), st.booleans(), st.integers(-3, 5000),
                         st.floats(allow_nan=False, allow_infinity=False), st.text(max_size=8),
                         st.lists(st.integers(-2, 40), max_size=4),
                         st.dictionaries(st.text(max_size=6), st.integers(), max_size=2))


@seed(20261207)
@settings(max_examples=120, database=None, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(edits=st.lists(st.tuples(st.sampled_from(PATHS), REPLACEMENTS, st.booleans()),
                      min_size=1, max_size=3))
def test_any_edit_is_accepted_or_one_line(tmp_path, edits):
    document = default()
    for path, value, delete in edits:
        target = document
        try:
            for key in path[:-1]:
                target = target[key]
            if delete:
                del target[path[-1]]
            else:
                target[path[-1]] = copy.deepcopy(value)
        except (KeyError, IndexError, TypeError):
            continue
    try:
        check_document(document, tmp_path / "fuzzed.json")
    except SuiteError as error:
        assert str(error).startswith(f"{tmp_path / 'fuzzed.json'}: ") and "\n" not in str(error)
