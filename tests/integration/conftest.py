"""Real TensorFlow environments, built by the same code the nox sessions use (and reused with them)."""

import shutil
from pathlib import Path

import pytest

from initcompat.host import matrix, runner
from initcompat.report.load import load_results

ROOT = Path(__file__).resolve().parents[2]


def pytest_collection_modifyitems(items):
    for item in items:
        if "integration" in str(item.fspath):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def probed(tmp_path_factory):
    """Probe an environment of the real matrix once per test run (no throughput step: it has
    its own test); returns name -> the environment's files joined by the report's loader."""
    if shutil.which("uv") is None:
        pytest.fail("uv is not on PATH: the integration tests build real TF environments with it")
    table = matrix.load_matrix(ROOT / "suites" / "matrix.toml")
    results = tmp_path_factory.mktemp("results")
    cache: dict = {}

    def probe(name: str) -> dict:
        if name not in cache:
            folder = results / name
            runner.run_entry(table.entry(name), resolution=table.resolution,
                             suite=ROOT / table.suite, results=folder, envs=ROOT / ".nox",
                             source=ROOT / "src", timeout=table.probe_timeout, throughput=False)
            loaded = load_results(folder)
            assert not loaded.rejected, loaded.rejected
            (cache[name],) = loaded.results
        return cache[name]

    return probe
