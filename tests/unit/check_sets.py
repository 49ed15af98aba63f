"""Compat data for the check's tests, built from real results through the report (not a test
module: the test_check_* modules import it).

- "history": tests/fixtures/history (TF 1.15, 2.0, 2.15 and its rerun, 2.16: dense, LSTM, GRU)
  with the seeding and initializers fixtures of the same environments;
- "merge": tests/fixtures/merge (TF 1.15, 2.15, 2.21: dense and conv2d in every family);
- "matrix": tests/fixtures/check/data/tf-1.4-2.0.compat-data.json, built by the report from
  the full-matrix run's TF 1.4-2.0 results (every family and layer kind), stored because those
  results are 1.4 MB per environment.
"""

from __future__ import annotations

import functools
import json
import shutil
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
FIXTURES = ROOT / "tests" / "fixtures"
EXAMPLES = FIXTURES / "check"
MATRIX_DATA = EXAMPLES / "data" / "tf-1.4-2.0.compat-data.json"
SOURCES = {"history": ("history", "seeding", "initializers"), "merge": ("merge",)}


@functools.lru_cache(maxsize=None)
def results_folder(name: str) -> Path:
    """A temporary folder with the result fixtures of one set (copied: fixtures stay as they are)."""
    folder = Path(tempfile.mkdtemp(prefix=f"check-{name}-"))
    for part in SOURCES[name]:
        for path in (FIXTURES / part).glob("*.json"):
            shutil.copy(path, folder / path.name)
    return folder


@functools.lru_cache(maxsize=None)
def built(name: str) -> tuple[dict, object]:
    """(the compat-data document, the report's View) of one set."""
    from initcompat.report.compat_data import build_compat_data
    from initcompat.report.load import load_results
    from initcompat.report.sections import build_view, load_inputs
    folder = results_folder(name)
    loaded = load_results(folder)
    inputs = load_inputs(loaded, [folder])
    view = build_view(inputs)
    document = build_compat_data(inputs.results, view.timeline.events, view.upgrade.backend_events)
    return json.loads(json.dumps(document)), view


@functools.lru_cache(maxsize=None)
def data_file(name: str) -> Path:
    """The set's compat-data.json as a file (of this test session)."""
    if name == "matrix":
        return MATRIX_DATA
    path = Path(tempfile.mkdtemp(prefix=f"check-{name}-data-")) / "compat-data.json"
    path.write_text(json.dumps(built(name)[0]), encoding="utf-8")
    return path


def compat(name: str):
    """The set's data, loaded by the check's loader."""
    from initcompat.check.data import load
    return load(data_file(name))


def example(name: str) -> Path:
    return EXAMPLES / name
