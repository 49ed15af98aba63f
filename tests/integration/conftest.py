"""Real TensorFlow environments, built by the same code the nox sessions use (and reused with them)."""

import json
import os
import shutil
from pathlib import Path

import pytest

from initcompat import matrix, runner

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def probed(tmp_path_factory):
    """Probe an environment of the real matrix once per test run; returns name -> result dict."""
    if shutil.which("uv") is None:
        pytest.fail("uv is not on PATH: the integration tests build real TF environments with it")
    table = matrix.load_matrix(ROOT / "suites" / "matrix.toml")
    results = tmp_path_factory.mktemp("results")
    cache: dict = {}

    def probe(name: str) -> dict:
        if name not in cache:
            entry = table.entry(name)
            # Throughput has its own integration test; here it would only add time per env.
            saved = os.environ.get("INITCOMPAT_THROUGHPUT")
            os.environ["INITCOMPAT_THROUGHPUT"] = "0"
            try:
                outcome = runner.run_entry(entry, resolution=table.resolution,
                                           suite=ROOT / table.suite, results=results,
                                           envs=ROOT / ".nox", source=ROOT / "src",
                                           timeout=table.probe_timeout)
            finally:
                if saved is None:
                    os.environ.pop("INITCOMPAT_THROUGHPUT")
                else:
                    os.environ["INITCOMPAT_THROUGHPUT"] = saved
            cache[name] = json.loads(outcome.result_path.read_text())
            cache[name]["_path"] = str(outcome.result_path)
        return cache[name]

    return probe
