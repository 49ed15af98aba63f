"""`nox -s NAME -- --step STEP` (runner.rerun_step): refuses an unknown step and an environment
whose last probe did not succeed, before building anything, and leaves the other files alone."""

import json
from pathlib import Path

import pytest

from initcompat.host import matrix, runner
from initcompat.probe import schema

ROOT = Path(__file__).resolve().parents[2]


def entry():
    return matrix.load_matrix(ROOT / "suites" / "matrix.toml").entry("tf-2.21")


def test_unknown_step_names_the_known_ones(tmp_path):
    with pytest.raises(ValueError, match="unknown step 'bogus' .*propagation"):
        runner.rerun_step(entry(), "bogus", resolution="as-released", suite=tmp_path / "s.json",
                          results=tmp_path, envs=tmp_path / "envs", source=ROOT / "src")


def test_without_a_successful_probe_it_skips_and_touches_nothing(tmp_path):
    failed = tmp_path / "tf-2.21.json"
    failed.write_text(json.dumps({"status": schema.ENV_PROBE_CRASHED}))
    kept = tmp_path / "tf-2.21.propagation.json"
    kept.write_text("{}")
    outcome = runner.rerun_step(entry(), "propagation", resolution="as-released",
                                suite=tmp_path / "s.json", results=tmp_path,
                                envs=tmp_path / "envs", source=ROOT / "src")
    assert outcome.status == schema.ENV_SKIPPED
    assert "no successful probe" in outcome.message and "run the whole session" in outcome.message
    assert kept.read_text() == "{}" and not (tmp_path / "envs").exists()
