"""The throughput harness's bookkeeping and the report's statistics, without TensorFlow.

No measured throughput is asserted anywhere (timings are not pass/fail material); the pyperf
files here are built from fixed values with pyperf's own API, the ceilings only have to be
positive and physically plausible.
"""

import json
import os
import re
import types

import numpy as np
import pyperf
import pytest

from initcompat.probe import ceilings, schema
from initcompat.measurements.throughput import probe as probe_throughput
from initcompat.probe.output import write_json_atomic
from initcompat.report.__main__ import main as report_main
from initcompat.report.describe import NO_GPU
from initcompat.report.frame import order_results
from initcompat.report.load import load_results
from initcompat.report.packed import unpack_text
from initcompat.report.render import jinja_environment
from initcompat.measurements.throughput.section import build_throughput, load_pyperf
from initcompat.measurements.throughput.section.chart import FAMILY_COLORS
from initcompat.measurements.throughput.section.pyperf_file import read_pyperf_values
from initcompat.measurements.throughput.section.timing import compare, median_ci

META = probe_throughput.META


def layer_run(name, values, params, family="tf.keras", device="cpu", worker=0):
    family_name, layer, size, _ = name.split("/")
    metadata = {"name": name, "unit": "second", "loops": 1, META + "kind": "layer",
                META + "family": family_name, META + "layer": layer, META + "size": size,
                META + "device": device, META + "params": params, META + "bytes": 4 * params,
                META + "mode": "eager", META + "worker": worker}
    return pyperf.Run(values, warmups=[(1, values[0] * 2)], metadata=metadata,
                      collect_metadata=False)


def ceiling_run(kind, values, elements, worker=0):
    metadata = {"name": f"ceiling/{kind}/cpu", "unit": "second", "loops": 1,
                META + "kind": "ceiling", META + "device": "cpu", META + "elements": elements,
                META + "bytes": 4 * elements, META + "worker": worker}
    return pyperf.Run(values, metadata=metadata, collect_metadata=False)


def write_environment(folder, name, tensorflow, medians, *, aliases=None, gpu="none found",
                      seed=0, processes=3, env=None, installed=None, suite=None,
                      busy=1.0):
    """The probe's result, and the throughput step's summary and pyperf file, each written by
    the code that writes them in a run. env: the result's env record (default: a TF release);
    installed: the packages the result records as installed; suite: the suite file the run
    passes (None: the summary records no suite, as files from before suite identities, so it
    joins a result of any suite); busy: how many times slower the machine's ceilings ran."""
    rng = np.random.default_rng(seed)
    suites = []
    for worker in range(processes):
        runs = [ceiling_run("memory-write", list(busy * 0.04 * (1 + 0.01 * rng.random(4))),
                            1 << 25, worker),
                ceiling_run("philox-float32", list(busy * 0.08 * (1 + 0.01 * rng.random(4))),
                            1 << 24, worker)]
        for bench, (median, params) in medians.items():
            runs.append(layer_run(bench, list(median * (1 + 0.02 * rng.random(4))), params,
                                  worker=worker))
        suites.append(pyperf.BenchmarkSuite([pyperf.Benchmark([run]) for run in runs]))
    arguments = types.SimpleNamespace(out=str(folder / f"{name}.pyperf.json"), env_name=name,
                                      summary_out=str(folder / f"{name}.throughput.json"),
                                      suite=str(suite) if suite else os.devnull)
    info = {"tensorflow": tensorflow, "numpy": np.__version__, "pyperf": pyperf.__version__,
            "devices": ["cpu"], "gpu": gpu, "skipped": {"tf.layers": "unavailable: AttributeError"},
            "aliases": aliases or {}, "errors": [], "import_seconds": 1.0}
    summary = probe_throughput.build_summary(arguments, {"processes": processes, "values": 4,
                                                         "warmups": 1}, suites, [info] * processes,
                                             [], 12.0)
    probe_throughput.write_suite_atomic(summary.pop("_suite"), arguments.out)
    probe_throughput.write_summary(arguments, summary)
    result = schema.outcome_result(env or schema.environment_record(name, tensorflow, "3.11"),
                                   schema.ENV_OK, None)
    if installed:
        result["installed"] = {"packages": installed}
    write_json_atomic(str(folder / f"{name}.json"), result)


def loaded_results(folder):
    """The results as the report sees them: loaded, joined and in version order."""
    return order_results(load_results(folder).results)


DENSE = "tf.keras/Dense/4096x4096/cpu"
CONV = "tf.keras/Conv2D/3x3x256x256/cpu"
PARAMS = {DENSE: 4096 * 4096 + 4096, CONV: 3 * 3 * 256 * 256 + 256}


@pytest.fixture
def two_versions(tmp_path):
    folder = tmp_path / "results"
    folder.mkdir()
    write_environment(folder, "tf-2.15", "2.15.1",
                      {DENSE: (0.25, PARAMS[DENSE]), CONV: (0.010, PARAMS[CONV])},
                      aliases={"keras": "tf.keras"}, seed=1)
    write_environment(folder, "tf-2.21", "2.21.0",
                      {DENSE: (0.40, PARAMS[DENSE]), CONV: (0.0102, PARAMS[CONV])}, seed=2)
    return loaded_results(folder), folder


# ---------------------------------------------------------------------------- statistics

def test_median_ci_uses_order_statistics_with_stated_coverage():
    values = list(range(1, 13))  # n = 12: ranks 3 and 10 give >= 95 %
    ci = median_ci(values)
    assert (ci["low"], ci["high"]) == (3.0, 10.0)
    assert 0.95 <= ci["coverage"] < 0.97
    tiny = median_ci([5.0, 1.0, 3.0])  # too few values: [min, max] covers only 75 %
    assert (tiny["low"], tiny["high"]) == (1.0, 5.0)
    assert tiny["coverage"] == pytest.approx(0.75)


def test_compare_flags_only_significant_changes_larger_than_the_factor():
    rng = np.random.default_rng(0)
    base = 0.1 * (1 + 0.01 * rng.random(12))
    slower = compare(base, base * 1.5)
    assert slower["flagged"] and slower["kind"] == "regression"
    assert slower["text"] == "1.50× slower" and slower["p"] < 0.002
    faster = compare(base, base / 2)
    assert faster["flagged"] and faster["kind"] == "speed-up" and faster["text"] == "2.00× faster"
    small = compare(base, base * 1.05)  # significant, but within the factor 1.1
    assert small["p"] < 0.002 and not small["flagged"] and small["kind"] == "small"
    noisy = compare([0.1, 0.3, 0.1, 0.3], [0.2, 0.4, 0.2, 0.4])  # large, not significant
    assert noisy["factor"] > 1.1 and not noisy["flagged"] and noisy["kind"] == "same"


def test_too_few_values_can_never_be_flagged():
    # 3 vs 3 values: the smallest exact two-sided p is 0.1, far above 0.002.
    result = compare([1.0, 1.01, 1.02], [5.0, 5.01, 5.02])
    assert result["p"] == pytest.approx(0.1) and not result["flagged"]


# ---------------------------------------------------------------------------- files

def test_probe_writes_well_formed_pyperf_files_that_pyperf_loads(two_versions):
    _, folder = two_versions
    suite = pyperf.BenchmarkSuite.load(str(folder / "tf-2.21.pyperf.json"))
    assert set(suite.get_benchmark_names()) == {DENSE, CONV, "ceiling/memory-write/cpu",
                                                "ceiling/philox-float32/cpu"}
    dense = suite.get_benchmark(DENSE)
    assert dense.get_nrun() == 3 and dense.get_nvalue() == 12
    assert dense.get_metadata()[META + "params"] == PARAMS[DENSE]
    assert all(run.warmups for run in dense.get_runs())
    assert read_pyperf_values(folder / "tf-2.21.pyperf.json")[DENSE] == list(dense.get_values())


def test_reader_finds_names_pyperf_hoisted_into_the_suite_metadata(tmp_path):
    path = tmp_path / "one.pyperf.json"
    pyperf.BenchmarkSuite([pyperf.Benchmark([layer_run(DENSE, [0.1, 0.2], 10)])]).dump(str(path))
    assert "name" in json.loads(path.read_text())["metadata"]  # one benchmark: name is hoisted
    assert read_pyperf_values(path) == {DENSE: [0.1, 0.2]}


def test_summary_in_the_result_has_the_statistics_and_no_gpu_statement(two_versions):
    results, _ = two_versions
    block = results[1]["throughput"]
    assert block["status"] == "ok" and block["gpu"] == "none found"
    dense = block["benchmarks"][DENSE]
    assert dense["n"] == 12 and dense["device"] == "cpu" and dense["params"] == PARAMS[DENSE]
    assert dense["q1_s"] <= dense["median_s"] <= dense["q3_s"]
    assert dense["bytes_per_s"] == pytest.approx(4 * dense["params_per_s"])
    assert set(block["ceilings"]["cpu"]) == {"memory-write", "philox-float32"}


# ---------------------------------------------------------------------------- view and HTML

def section_of(results, folder):
    """The section as the report builds it: its load step, then the pure view."""
    return build_throughput(results, load_pyperf(results, [folder]))


def test_section_flags_the_regression_once_and_says_no_gpu(two_versions):
    results, folder = two_versions
    section = section_of(results, folder)
    assert section.devices == ["cpu"] and section.no_gpu  # no GPU measured: no GPU column
    rows = {row["benchmark"]: row for row in section.rows}
    dense_cpu = rows["tf.keras/Dense/4096x4096"]["devices"][0]["cells"]
    assert dense_cpu[1]["change"]["flagged"] and dense_cpu[1]["change"]["kind"] == "regression"
    assert dense_cpu[1]["change"]["text"].endswith("× slower")
    conv_cpu = rows["tf.keras/Conv2D/3x3x256x256"]["devices"][0]["cells"]
    assert not conv_cpu[1]["change"]["flagged"]  # 2 % slower: never flagged
    # keras is tf.keras in 2.15 (alias): shown with the tf.keras values, the change reported once
    assert rows["keras/Dense/4096x4096"]["devices"][0]["cells"][0]["alias_of"] == "tf.keras"
    changes = [c for flagged in section.changes.values() for c in flagged]
    assert [c["row"] for c in changes] == [DENSE]
    assert 0 < dense_cpu[0]["philox_fraction"] and 0 < dense_cpu[0]["memory_fraction"]


def render(section) -> str:
    """The section's HTML with every packed fold unpacked in place: what a reader who opens
    every fold reads."""
    html = jinja_environment().get_template("sections/throughput.html.j2").render(section=section)
    return unfolded(html)


def unfolded(html: str) -> str:
    return re.sub(r' data-z="([^"]*)"(.*?)<div class="lazy-body">',
                  lambda m: f'{m.group(2)}<div class="lazy-body">{unpack_text(m.group(1))}', html,
                  flags=re.S)


def test_template_renders_svg_and_table_without_blanks(two_versions):
    results, folder = two_versions
    html = render(section_of(results, folder))
    assert "<svg" in html and "<circle" in html and "data-z" not in html
    # 2.15 and 2.21 are not neighbouring releases: no line joins them (2.16-2.20 unmeasured)
    assert "<polyline" not in html and "Not measured: the releases between 2.15 and 2.21" in html
    assert html.count("No GPU") == 1 and f">{NO_GPU}<" not in html  # said once
    assert "slower" in html and "<td></td>" not in html and "<script" not in html
    assert "3 processes × 4 values, 1 warmup" in html  # the design's "values", not dict.values
    assert "built-in method" not in html and " at 0x" not in html


def test_every_change_the_timeline_links_to_is_on_the_page(two_versions):
    """The timeline and the upgrade view link each flagged change by its cell's id (#tp-...):
    the list of marked changes carries that id, also for a family timed as another (keras as
    tf.keras), in a fold that opens for any id starting tp-."""
    results, folder = two_versions
    results[1]["throughput"]["aliases"] = {"keras": "tf.keras"}
    section = section_of(results, folder)
    html = render(section)
    linked = [change["cell"] for changes in section.changes.values() for change in changes]
    assert linked and all(f'id="{cell_id}"' in html for cell_id in linked)
    assert any("keras-Dense" in cell_id for change in section.marked for cell_id in change["also"])
    packed = jinja_environment().get_template("sections/throughput.html.j2").render(section=section)
    assert 'id="throughput-changes" data-holds="tp-"' in packed


def test_the_report_page_shows_the_design_and_one_no_gpu_sentence(two_versions, tmp_path):
    _, folder = two_versions
    assert report_main([str(folder), "--out", str(tmp_path / "out")]) == 0
    html = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "3 processes × 4 values, 1 warmup" in html
    assert "built-in method" not in html and " at 0x" not in html  # no Python repr leaks
    # no GPU column anywhere: one sentence in the throughput section, one in the environments
    assert f"<td>{NO_GPU}</td>" not in html and "<th>GPU</th>" not in html
    assert html.count("No GPU: no environment listed a GPU device") == 2
    assert "no GPU measured" not in html
    changes = json.loads((tmp_path / "out" / "changes.json").read_text())
    (entry,) = changes["timeline"]  # the flagged regression joins the timeline of its version
    assert entry["env"] == "tf-2.21"
    assert [row["row"] for g in entry["groups"] for row in g["rows"]] == [DENSE]
    assert entry["groups"][0]["kind"] == "regression"


def test_the_page_names_files_never_the_folders_they_are_in(two_versions, tmp_path):
    _, folder = two_versions
    assert report_main([str(folder), "--out", str(tmp_path / "out")]) == 0
    html = unfolded((tmp_path / "out" / "index.html").read_text(encoding="utf-8"))
    assert 'raw values: <span class="tp-nowrap">tf-2.21.pyperf.json</span>' in html
    assert str(folder) not in html and str(tmp_path) not in html


def test_every_chart_gives_a_family_one_colour_a_title_above_and_axis_titles(two_versions):
    results, folder = two_versions
    section = section_of(results, folder)
    colours: dict[str, str] = {}
    assert len(section.charts) >= 2
    for chart in section.charts:
        assert chart["x_title"] == "TensorFlow version" and chart["y_title"] == "param/s, log scale"
        for item in chart["legend"]:
            assert colours.setdefault(item["family"], item["color"]) == item["color"]
        for line in chart["lines"]:
            assert line["color"] == FAMILY_COLORS[line["family"]]
        assert {p["color"] for p in chart["points"]} <= set(colours.values())
    assert section.legend and all(item["color"] == FAMILY_COLORS[item["family"]]
                                  for item in section.legend)
    html = render(section)
    first_chart = html.index("<figure")
    assert html.index("<figcaption>", first_chart) < html.index("<svg", first_chart)  # above
    assert "</svg>\n<figcaption" not in html
    # one unit, parameters per second, in the charts, the cells and the ceilings
    assert "param/s" in html and "B/s" not in html and "float/s" not in html


def test_a_gpu_column_only_where_a_gpu_was_measured(two_versions):
    results, folder = two_versions
    block = results[1]["throughput"]
    block["benchmarks"]["tf.keras/Dense/4096x4096/gpu"] = dict(block["benchmarks"][DENSE],
                                                               device="gpu")
    block.update(devices=["cpu", "gpu"], gpu=["NVIDIA H200"])
    section = section_of(results, folder)
    assert section.devices == ["cpu", "gpu"] and not section.no_gpu
    dense = {row["benchmark"]: row for row in section.rows}["tf.keras/Dense/4096x4096"]
    texts = [cell["text"] for cell in dense["devices"][1]["cells"]]
    assert texts[0] == NO_GPU and texts[1].endswith("param/s")
    html = render(section)
    assert "<th>GPU</th>" in html and "<td>NVIDIA H200</td>" in html
    assert "No GPU" + ":" not in html


def test_results_without_throughput_say_so(tmp_path):
    result = schema.outcome_result(schema.environment_record("tf-1.15", "1.15.5", "3.7"),
                                   schema.ENV_OK, None)
    section = section_of([result], tmp_path)
    assert not section.present
    assert section.envs[0]["status"] == "not measured"


def test_the_loader_joined_pyperf_file_is_preferred_over_the_search(two_versions, tmp_path):
    results, folder = two_versions
    assert results[1]["_files"]["pyperf"] == str(folder / "tf-2.21.pyperf.json")
    elsewhere = tmp_path / "joined" / "renamed.pyperf.json"
    elsewhere.parent.mkdir()
    elsewhere.write_bytes((folder / "tf-2.21.pyperf.json").read_bytes())
    searched = {k: v for k, v in results[0].items() if k != "_files"}  # as before the loader joined
    joined = dict(results[1], _files={"pyperf": str(elsewhere)})
    old, new = load_pyperf([searched, joined], [folder])
    assert old.path == folder / "tf-2.15.pyperf.json"  # found beside the result
    assert new.path == elsewhere and new.values[DENSE] and new.error is None


def test_an_unreadable_pyperf_file_is_named_in_the_notes(two_versions):
    results, folder = two_versions
    (folder / "tf-2.21.pyperf.json").write_text("{not json")
    section = section_of(results, folder)
    errors = section.envs[1]["errors"]
    # the file's name, never the folder it is in on the machine that made the report
    assert len(errors) == 1 and errors[0].startswith("pyperf file tf-2.21.pyperf.json: ")
    assert str(folder) not in errors[0]
    dense = {row["benchmark"]: row for row in section.rows}["tf.keras/Dense/4096x4096"]
    assert dense["devices"][0]["cells"][1]["change"] is None  # no raw values: no test


def test_a_change_while_the_machine_slowed_too_is_not_named_as_the_frameworks(tmp_path):
    """numpy < 1.17 has no Philox: the memory-write ceiling, measured in every run, says that
    the machine itself ran 3× slower in the second run; the lead counts that change apart."""
    folder = tmp_path / "results"
    folder.mkdir()
    write_environment(folder, "tf-1.9", "1.9.0", {DENSE: (0.1, PARAMS[DENSE])}, seed=1)
    write_environment(folder, "tf-1.10", "1.10.1", {DENSE: (0.3, PARAMS[DENSE])}, seed=2, busy=3)
    results = loaded_results(folder)
    for result in results:
        result["throughput"]["ceilings"]["cpu"]["philox-float32"] = "unavailable: numpy 1.14.5"
    section = section_of(results, folder)
    (change,) = section.marked
    assert change["kind"] == "regression" and change["caution"].startswith(
        "the numpy memory-write ceiling measured in the same runs also moved 3.0")
    assert "memory-write ceiling varied 3.0× across these runs" in section.lead[0]
    assert section.lead[1] == (
        "No version is markedly (more than ×1.35, p < 0.002) faster or slower than the version "
        "it is compared with; 1 marked change came with the machine's own ceiling moving as "
        "much (a busy machine), so may not be the framework's (listed below).")


# ---------------------------------------------------------------------------- ceilings

def test_ceilings_do_the_work_they_are_named_for():
    """Each ceiling writes every element it claims (its rate is the throughput step's business:
    timings belong in benchmarks, never in a pass/fail test)."""
    elements = 1 << 16
    memory, philox = ceilings.all_ceilings(elements)
    for ceiling in (memory, philox):
        assert ceiling.unavailable is None
        assert ceiling.bytes == 4 * ceiling.elements
    written = memory.run()
    assert written.dtype == np.float32 and written.size == elements and (written == 1.0).all()
    drawn = philox.run().copy()
    assert drawn.dtype == np.float32 and drawn.size == elements // 2
    assert 0.0 <= drawn.min() and drawn.max() < 1.0 and 0.45 < drawn.mean() < 0.55
    assert not np.array_equal(drawn, philox.run())  # each run draws anew: the stream moves on


def test_old_numpy_records_philox_as_unavailable(monkeypatch):
    monkeypatch.setattr(ceilings.np, "__version__", "1.16.6")
    ceiling = ceilings.philox_float32(16)
    assert ceiling.run is None
    assert ceiling.unavailable.startswith("unavailable: numpy 1.16.6 has no Philox")


def test_benchmark_names_are_stable_across_versions():
    spec = {"kind": "conv2d", "in_channels": 256, "filters": 256, "kernel_size": [3, 3]}
    assert probe_throughput.benchmark_name("tf.keras", "Conv2D", spec, "cpu") == CONV
    assert probe_throughput.device_label({"device_type": "GPU", "name": "/device:GPU:1"}) == "gpu1"
    assert probe_throughput.device_label({"device_type": "CPU", "name": "/device:CPU:0"}) == "cpu"


def test_a_variant_is_compared_with_its_version_and_never_followed(tmp_path):
    """tf-2.15-gpu (a variant, twice as slow) sorts between 2.15 and 2.21: it is compared with
    2.15, and 2.21 is compared with 2.15, not with the variant."""
    folder = tmp_path / "results"
    folder.mkdir()
    write_environment(folder, "tf-2.15", "2.15.1", {DENSE: (0.25, PARAMS[DENSE])}, seed=1)
    write_environment(folder, "tf-2.15-gpu", "2.15.1", {DENSE: (0.50, PARAMS[DENSE])}, seed=2)
    write_environment(folder, "tf-2.21", "2.21.0", {DENSE: (0.25, PARAMS[DENSE])}, seed=3)
    results = loaded_results(folder)
    names = [r["env"]["name"] for r in results]
    section = build_throughput(results, load_pyperf(results, [folder]),
                               {"tf-2.15": None, "tf-2.15-gpu": "tf-2.15", "tf-2.21": None})
    (row,) = [r for r in section.rows if r["benchmark"] == DENSE.rsplit("/", 1)[0]]
    by_env = dict(zip(names, row["devices"][0]["cells"]))
    assert by_env["tf-2.15-gpu"]["change"]["kind"] == "regression"  # vs its own version
    assert by_env["tf-2.21"]["change"]["flagged"] is False  # vs 2.15, not the slow variant
    assert list(section.changes) == ["tf-2.15-gpu"]
    assert section.changes["tf-2.15-gpu"][0]["since_env"] == "tf-2.15"


# ---------------------------------------------------------------------------- lines of versions

TORCH_DENSE = "torch.nn/Linear/4096x4096/cpu"
KERAS_DENSE = "keras/Dense/4096x4096/cpu"
# (name, env record, installed packages, benchmark -> median seconds): every line the matrix has,
# with the gaps it has (Keras 3.2 measured on no backend; PyTorch 1.14-2.14 not at all)
LINES = [
    ("tf-1.14", schema.environment_record("tf-1.14", "1.14.0", "3.7"), {}, {DENSE: 0.12}),
    ("tf-1.15", schema.environment_record("tf-1.15", "1.15.5", "3.7"), {}, {DENSE: 0.12}),
    ("tf-2.15", schema.environment_record("tf-2.15", "2.15.1", "3.11"), {"keras": "2.15.0"},
     {DENSE: 0.05}),
    ("tf-2.16", schema.environment_record("tf-2.16", "2.16.2", "3.12", resolution="as-released"),
     {"keras": "3.4.1"}, {DENSE: 0.06}),
    ("tf-2.16-today", schema.environment_record("tf-2.16-today", "2.16.2", "3.12",
                                                resolution="today"),
     {"keras": "3.15.1"}, {DENSE: 0.06}),
    ("tf-2.16-2.16.1", schema.environment_record("tf-2.16-2.16.1", "2.16.1", "3.12",
                                                 resolution="as-released"),
     {"keras": "3.0.5"}, {DENSE: 0.06}),
    ("tf-2.17", schema.environment_record("tf-2.17", "2.17.1", "3.12"), {"keras": "3.6.0"},
     {DENSE: 0.05}),
    ("tf-2.21", schema.environment_record("tf-2.21", "2.21.0", "3.13"), {"keras": "3.13.2"},
     {DENSE: 0.05}),
    ("keras-2.3-tensorflow", schema.environment_record(
        "keras-2.3-tensorflow", "1.15.0", "3.7", keras="2.3.1", backend="tensorflow"),
     {"keras": "2.3.1", "tensorflow": "1.15.0"}, {KERAS_DENSE: 0.08}),
    ("keras-3.0-jax", schema.environment_record("keras-3.0-jax", schema.NO_TENSORFLOW, "3.11",
                                                keras="3.0.5", backend="jax"),
     {"keras": "3.0.5"}, {KERAS_DENSE: 0.15}),
    ("keras-3.1-jax", schema.environment_record("keras-3.1-jax", schema.NO_TENSORFLOW, "3.11",
                                                keras="3.1.1", backend="jax"),
     {"keras": "3.1.1"}, {KERAS_DENSE: 0.15}),
    ("keras-3.3-jax", schema.environment_record("keras-3.3-jax", schema.NO_TENSORFLOW, "3.11",
                                                keras="3.3.3", backend="jax"),
     {"keras": "3.3.3"}, {KERAS_DENSE: 0.15}),
    ("keras-3.0-torch", schema.environment_record("keras-3.0-torch", schema.NO_TENSORFLOW,
                                                  "3.11", keras="3.0.5", backend="torch"),
     {"keras": "3.0.5"}, {KERAS_DENSE: 0.2}),
    ("keras-3.15-torch", schema.environment_record(
        "keras-3.15-torch", schema.NO_TENSORFLOW, "3.13", resolution="today", keras="3.15.1",
        backend="torch"), {"keras": "3.15.1"}, {KERAS_DENSE: 0.2}),
    ("torch-1.13", schema.environment_record("torch-1.13", schema.NO_TENSORFLOW, "3.10",
                                             framework="torch", framework_version="1.13.1"),
     {}, {TORCH_DENSE: 0.08}),
    ("torch-2.15", schema.environment_record("torch-2.15", schema.NO_TENSORFLOW, "3.13",
                                             framework="torch", framework_version="2.15.0"),
     {}, {TORCH_DENSE: 0.08}),
]
VARIANT_OF = {"tf-2.16-today": "tf-2.16", "tf-2.16-2.16.1": "tf-2.16"}


@pytest.fixture(scope="module")
def lines_folder(tmp_path_factory):
    folder = tmp_path_factory.mktemp("lines")
    for seed, (name, env, installed, medians) in enumerate(LINES):
        benchmarks = {bench: (median, 4096 * 4096 + 4096) for bench, median in medians.items()}
        write_environment(folder, name, env["tensorflow"], benchmarks, seed=seed, env=env,
                          installed=dict(installed, numpy="1.26.4"))
    return folder


@pytest.fixture(scope="module")
def lines_section(lines_folder):
    results = loaded_results(lines_folder)
    variant_of = {r["env"]["name"]: VARIANT_OF.get(r["env"]["name"]) for r in results}
    return build_throughput(results, load_pyperf(results, [lines_folder]), variant_of)


def test_names_say_what_each_environment_is(lines_section):
    names = {env["name"]: env["display"] for env in lines_section.envs}
    assert names == {
        "tf-1.14": "TF 1.14", "tf-1.15": "TF 1.15", "tf-2.15": "TF 2.15",
        # three environments of TF 2.16: the patch release, the Keras installed, how resolved
        "tf-2.16": "TF 2.16.2 · Keras 3.4.1, as released",
        "tf-2.16-today": "TF 2.16.2 · today: Keras 3.15.1",
        "tf-2.16-2.16.1": "TF 2.16.1 · Keras 3.0.5, as released",
        "tf-2.17": "TF 2.17", "tf-2.21": "TF 2.21",
        "keras-2.3-tensorflow": "Keras 2.3.1 · TF 1.15",
        "keras-3.0-jax": "Keras 3.0.5 · jax", "keras-3.1-jax": "Keras 3.1.1 · jax",
        "keras-3.3-jax": "Keras 3.3.3 · jax", "keras-3.0-torch": "Keras 3.0.5 · torch",
        "keras-3.15-torch": "Keras 3.15.1 · torch, resolved today",
        "torch-1.13": "PyTorch 1.13", "torch-2.15": "PyTorch 2.15"}
    assert len(set(names.values())) == len(names)


def test_a_variant_with_nothing_else_apart_gets_its_own_suffix():
    from initcompat.measurements.throughput.section.names import display_names
    results = [{"env": schema.environment_record(name, "1.15.5", "3.7")}
               for name in ("tf-1.15", "tf-1.15-gpu")]
    assert display_names(results, {"tf-1.15": None, "tf-1.15-gpu": "tf-1.15"}) == {
        "tf-1.15": "TF 1.15", "tf-1.15-gpu": "TF 1.15 · gpu"}


def test_one_chart_per_line_with_its_own_version_axis(lines_section):
    (headline,) = lines_section.headline
    assert headline["title"] == "Dense/Linear 4096×4096" and headline["device"] == "cpu"
    charts = {chart["title"]: chart for chart in headline["charts"]}
    assert list(charts) == ["TF 1.x", "TF 2.x", "Keras 2 (multi-backend) · tensorflow",
                            "Keras 3 · jax", "Keras 3 · torch", "PyTorch"]
    assert {c["x_title"] for t, c in charts.items() if t.startswith("TF")} == {"TensorFlow version"}
    assert charts["Keras 3 · jax"]["x_title"] == "Keras version"
    assert charts["PyTorch"]["x_title"] == "PyTorch version"
    assert [label["text"] for label in charts["TF 2.x"]["xlabels"]] == [
        "2.15", "2.16.1", "2.16.2", "2.17", "2.21"]
    # Keras 3 on every backend shares one axis: the versions any backend measured
    for title in ("Keras 3 · jax", "Keras 3 · torch"):
        assert [label["text"] for label in charts[title]["xlabels"]] == ["3.0", "3.1", "3.3", "3.15"]
    assert [label["measured"] for label in charts["Keras 3 · torch"]["xlabels"]] == [
        True, False, False, True]
    # every chart of the set is on one rate axis
    assert len({tuple(t["label"] for t in chart["ticks"]) for chart in charts.values()}) == 1


def test_no_line_crosses_a_version_that_was_not_measured(lines_section):
    charts = {chart["title"]: chart for chart in lines_section.headline[0]["charts"]}
    points = lambda line: len(line["points"].split())  # noqa: E731
    # 2.15 -> 2.16.1 -> 2.16.2 -> 2.17 are neighbouring releases; 2.18-2.20 were not measured
    assert [points(line) for line in charts["TF 2.x"]["lines"]] == [4]
    assert sum(p["hollow"] for p in charts["TF 2.x"]["points"]) == 1  # 2.16.2 today, unjoined
    assert len(charts["TF 2.x"]["points"]) == 6
    assert [points(line) for line in charts["Keras 3 · jax"]["lines"]] == [2]  # 3.0-3.1; 3.2 absent
    assert charts["Keras 3 · torch"]["lines"] == [] and charts["PyTorch"]["lines"] == []
    assert [points(line) for line in charts["TF 1.x"]["lines"]] == [2]
    assert charts["PyTorch"]["notes"] == [
        "Not measured: the releases between 1.13 and 2.15 (no line joins them)"]


def test_release_neighbours_and_axis_labels():
    from initcompat.measurements.throughput.section.names import axis_label, follows
    assert follows("2.15.1", "2.16.1") and follows("2.16.1", "2.16.2")
    assert follows("2.21.0", "2.22.0.dev20260101")
    assert not follows("2.15.1", "2.17.0") and not follows("1.15.5", "2.0.0")
    assert not follows("1.0.0", "1.13.1") and not follows("?", "1.0")
    assert [axis_label(v) for v in ("2.16.2", "0.12.0.1", "2.22.0.dev20260101", "3.0")] == [
        "2.16", "0.12", "2.22 dev", "3.0"]


@pytest.mark.parametrize("width", [3, 4, 6, 10])
def test_version_labels_never_overprint_and_charts_fit_a_phone(width):
    from initcompat.measurements.throughput.section import chart as geometry
    for count in range(1, 61):
        axis = geometry.x_axis(["9" * width] * count)
        label_px = width * geometry.CHAR_WIDTH
        if axis["upright"]:  # rotated: the labels' heights side by side
            assert axis["step"] * axis["every"] >= geometry.UPRIGHT_STEP, (count, width)
            assert axis["band"] >= label_px  # the labels fit under the plot
        else:  # horizontal: each label within its own place
            assert axis["every"] == 1 and axis["step"] >= label_px + 4, (count, width)
        assert geometry.LEFT + axis["plot_width"] + geometry.RIGHT_PAD <= 360


def test_the_lead_answers_from_the_data(two_versions, lines_section):
    results, folder = two_versions
    first, second = section_of(results, folder).lead
    assert first.startswith("Creating a Dense 4096×4096 layer's weights (16.8 M parameters) "
                            "with the default initializers takes ")
    assert "fastest TF 2.15, slowest TF 2.21" in first
    assert re.fullmatch(r"Markedly \(more than ×1\.35, p < 0\.002\) slower: TF 2\.21 "
                        r"\(1\.[5-7]\d× vs TF 2\.15\) — 1 marked change in 1 environment, each "
                        r"listed below\.", second), second
    # TF 1.15 -> 2.15 (0.12 s -> 0.05 s) is the only marked change of the lines' fixture
    assert re.fullmatch(r"Markedly \(more than ×1\.35, p < 0\.002\) faster: TF 2\.15 "
                        r"\(2\.[3-5]\d× vs TF 1\.15\) — 1 marked change in 1 environment, each "
                        r"listed below\.", lines_section.lead[1]), lines_section.lead[1]
    from initcompat.measurements.throughput.section.lead import lead
    assert lead(None, [], [], 0.002, 1.35) == [
        "No version is markedly (more than ×1.35, p < 0.002) faster or slower than the version "
        "it is compared with."]


def test_the_section_stays_small_with_many_versions(tmp_path):
    """Every version's numbers are in packed folds; what the page carries open (the answer, one
    small chart per line) grows by little per environment."""
    folder = tmp_path / "results"
    folder.mkdir()
    for minor in range(0, 22):
        name = f"tf-2.{minor}"
        write_environment(folder, name, f"2.{minor}.0",
                          {DENSE: (0.25 * (1 + minor % 3), PARAMS[DENSE]),
                           CONV: (0.010, PARAMS[CONV])}, seed=minor, processes=1)
    html = jinja_environment().get_template("sections/throughput.html.j2").render(
        section=section_of(loaded_results(folder), folder))
    packed = sum(len(m) for m in re.findall(r' data-z="([^"]*)"', html))
    assert len(html) - packed < 40_000, len(html) - packed
    assert len(html) < 80_000, len(html)


# ---------------------------------------------------------------------------- in a browser

# Pairs of text boxes that overlap inside one chart, and texts outside their chart's box.
OVERPRINT_JS = """(selector) => {
  const found = [];
  for (const svg of document.querySelectorAll(selector)) {
    const frame = svg.getBoundingClientRect();
    const boxes = Array.from(svg.querySelectorAll("text")).map(t => [t.textContent, t.getBoundingClientRect()]);
    for (const [text, box] of boxes) {
      if (box.left < frame.left - 1 || box.right > frame.right + 1 || box.top < frame.top - 1
          || box.bottom > frame.bottom + 1) found.push("outside: " + text);
    }
    for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
      const [a, p] = boxes[i], [b, q] = boxes[j];
      const dx = Math.min(p.right, q.right) - Math.max(p.left, q.left);
      const dy = Math.min(p.bottom, q.bottom) - Math.max(p.top, q.top);
      if (dx > 0.5 && dy > 0.5) found.push(a + " / " + b);
    }
  }
  return found;
}"""


@pytest.mark.browser
def test_in_chromium_labels_never_overprint_and_every_table_reads_on_a_phone(lines_folder,
                                                                               tmp_path):
    """At 1280x800 the section with its folds closed is at most two screens; at 1280 and 390 px
    no two texts of a chart overlap and none leaves its chart; with every fold open, no table
    cell is narrower than its longest word on a phone and nothing scrolls the page sideways."""
    from playwright.sync_api import sync_playwright

    from page_metrics import CHROMIUM_ARGS, NARROW_CELLS_JS, chromium_path
    assert chromium_path(), "chromium is not installed"
    assert report_main([str(lines_folder), "--out", str(tmp_path / "out")]) == 0
    url = (tmp_path / "out" / "index.html").as_uri()
    narrow_js = NARROW_CELLS_JS.replace('querySelectorAll("td, th")',
                                        'querySelectorAll("#throughput td, #throughput th")')
    assert narrow_js != NARROW_CELLS_JS
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        try:
            for viewport in ({"width": 1280, "height": 800}, {"width": 390, "height": 844}):
                page = browser.new_page(viewport=viewport, is_mobile=viewport["width"] < 500)
                page.goto(url)
                height = page.evaluate("document.getElementById('throughput')"
                                       ".getBoundingClientRect().height")
                if viewport["width"] == 1280:
                    assert height <= 2 * 800, height
                assert page.locator("#throughput svg.tp-chart").count() == 6
                for _ in range(2):  # the tables' folds sit inside a fold
                    page.evaluate("() => document.querySelectorAll('#throughput details')"
                                  ".forEach(d => { d.open = true; })")
                    page.wait_for_function("() => !document.querySelector("
                                           "'#throughput details[data-z]')"
                                           " || !document.querySelector('#throughput details:not([open])')")
                page.wait_for_function("() => !document.querySelector('#throughput details[data-z]')")
                assert page.locator("#throughput table.tp-table").count() >= 6
                assert page.evaluate(OVERPRINT_JS, "#throughput svg.tp-chart") == []
                cells = page.evaluate(narrow_js)
                assert cells["seen"] > 50 and cells["narrow"] == []
                assert page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
                page.close()
        finally:
            browser.close()
