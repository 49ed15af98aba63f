"""The registry of measurements (initcompat.measurements.registry): every entry names things that
exist (the module the runner runs, the report section and its builder and CSV tables), and the
protocol's step tables are read from it."""

from __future__ import annotations

import ast
import subprocess
import sys
import dataclasses
import importlib.util
from pathlib import Path

from initcompat.host import reuse
from initcompat.measurements import registry
from initcompat.probe import schema
from initcompat.report.sections import View, section_module

SOURCE = Path(__file__).resolve().parents[2] / "src"


def module_path(dotted: str) -> Path:
    path = SOURCE.joinpath(*dotted.split("."))
    return path / "__main__.py" if path.is_dir() else path.with_suffix(".py")


def test_names_kinds_and_suffixes_are_each_used_once():
    for field in ("name", "kind", "suffix", "log_suffix", "module", "prefix", "section"):
        values = [m[field] for m in registry.MEASUREMENTS]
        assert len(values) == len(set(values)), field


def test_every_step_runs_a_module_that_exists_and_prints_its_prefix():
    for measurement in registry.MEASUREMENTS:
        path = module_path(measurement["module"])
        assert path.is_file(), (measurement["name"], path)
        assert measurement["prefix"] == f"initcompat {measurement['name']}:"


def test_every_step_after_the_probe_has_a_section_a_builder_and_csv_tables():
    fields = {f.name for f in dataclasses.fields(View)}
    for measurement in registry.MEASUREMENTS:
        assert measurement["section"] in fields, measurement["name"]
        module = section_module(measurement)
        assert callable(getattr(module, measurement["builder"])), measurement["name"]
    for measurement in registry.steps_beside():
        tables = section_module(measurement).CSV_TABLES
        assert tables and all(name.endswith(".csv") and columns for name, _, columns in tables)


def test_the_protocol_and_the_host_read_their_steps_from_the_registry():
    beside = registry.steps_beside()
    assert schema.MEASUREMENT_STEPS == tuple((m["name"], m["module"], m["kind"]) for m in beside)
    assert [m["name"] for m in beside] == ["initializers", "seeding", "propagation", "porting"]
    assert schema.TF_KERAS_STEPS == ("initializers", "seeding", "propagation")
    for measurement in registry.MEASUREMENTS:
        assert schema.FILE_SUFFIXES[measurement["kind"]] == measurement["suffix"]
        assert "tf-2.16" + measurement["log_suffix"] in schema.every_file_name("tf-2.16")
        assert reuse.STEP_KINDS[measurement["name"]] == measurement["kind"]
    assert reuse.step_files("tf-2.16", "seeding") == ["tf-2.16.seeding.json",
                                                      "tf-2.16.seeding.log"]
    assert reuse.step_files("tf-2.16", "probe") == ["tf-2.16.json", "tf-2.16.log"]


def test_the_registry_imports_nothing_and_is_plain_data():
    """schema imports it inside every environment (Python 3.6 and up): no import, no
    annotation, only dicts, tuples and text."""
    path = SOURCE / "initcompat" / "measurements" / "registry.py"
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert not [n for n in ast.walk(tree) if isinstance(n, (ast.Import, ast.ImportFrom,
                                                            ast.AnnAssign, ast.JoinedStr))]
    spec = importlib.util.spec_from_file_location("registry_alone", path)
    alone = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(alone)
    for measurement in alone.MEASUREMENTS:
        assert all(isinstance(value, (str, bool)) for value in measurement.values())


def test_each_probe_side_module_of_a_measurement_folder_imports_first_in_a_fresh_process():
    """A measurement folder's modules import the probe's and the probe's validation imports the
    folder's: whichever comes first in a fresh interpreter must load (no import-order cycle)."""
    modules = sorted(".".join(path.relative_to(SOURCE).with_suffix("").parts)
                     for path in (SOURCE / "initcompat" / "measurements").glob("*/*.py"))
    modules.append("initcompat.probe.validation")
    for module in modules:
        completed = subprocess.run([sys.executable, "-c", f"import {module}"], cwd=SOURCE,
                                   capture_output=True, text=True)
        assert completed.returncode == 0, (module, completed.stderr[-2000:])
