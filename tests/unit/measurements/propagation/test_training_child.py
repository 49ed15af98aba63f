"""The propagation step's training child (probe.propagation.TrainingChild) as a real process:
what the step records when the child fails or writes nothing usable. (That its records equal a
single process's is shown against real TF by benchmarks/same_results.py; see
benchmarks/results/same-results-side-by-side.json.)"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

from initcompat.measurements.propagation import probe as propagation
from initcompat.probe import schema

ROOT = Path(__file__).resolve().parents[4]
SETTINGS = json.loads((ROOT / "suites" / "default.json").read_text())["propagation"]
TRAINER = SimpleNamespace(label="tf.keras")


def child(script: str) -> propagation.TrainingChild:
    # the script gets "--out FILE" appended, as the real child does
    return propagation.TrainingChild(None, command=[sys.executable, "-c", script])


def planned_runs() -> list[tuple[str, str]]:
    _, plan, runs = propagation.training_runs(SETTINGS)
    return [(initializer["label"], loss) for initializer, loss in runs]


def test_a_failed_child_makes_every_planned_run_an_error_with_its_output() -> None:
    training_child = child("print('the child fell over'); raise SystemExit(3)")
    try:
        records = training_child.training(TRAINER, SETTINGS)
    finally:
        training_child.close()
    assert [(r["initializer"], r["loss_kind"]) for r in records] == planned_runs()
    assert len(records) == 2  # the shipped plan: stddev=0.1 with the naive and the stable loss
    for record in records:
        assert record["status"] == schema.PROP_ERROR and record["api"] == "tf.keras"
        assert "exited with status 3" in record["reason"]
        assert "the child fell over" in record["reason"]
        assert record["loss"] == [] and record["first_nonfinite_step"] is None


def test_a_child_that_leaves_no_records_is_an_error_too() -> None:
    script = "import sys; open(sys.argv[sys.argv.index('--out') + 1], 'w').write('{\"nope\": 1}')"
    training_child = child(script)
    try:
        records = training_child.training(TRAINER, SETTINGS)
    finally:
        training_child.close()
    assert records and all("no readable records" in r["reason"] for r in records)


def test_the_childs_records_are_taken_as_written_and_its_file_removed() -> None:
    script = ("import json, sys; json.dump({'training': [{'status': 'ok', 'loss': [1.5]}]}, "
              "open(sys.argv[sys.argv.index('--out') + 1], 'w'))")
    training_child = child(script)
    out = Path(training_child.out)
    assert training_child.training(TRAINER, SETTINGS) == [{"status": "ok", "loss": [1.5]}]
    training_child.close()
    assert not out.exists()


def test_close_stops_a_child_still_running() -> None:
    training_child = child("import time; time.sleep(600)")
    training_child.close()
    assert training_child.process.poll() is not None
    assert not Path(training_child.out).exists()


def test_no_trainer_no_runs() -> None:
    training_child = child("raise SystemExit(1)")
    try:
        assert training_child.training(None, SETTINGS) == []
    finally:
        training_child.close()


@pytest.mark.parametrize("framework, expected", [("keras", None), ("tensorflow", "first")])
def test_training_api_is_the_first_with_gradients(framework: str, expected: str | None) -> None:
    found = propagation.training_api(["first", "second"], framework)
    assert found == expected
    assert propagation.training_api([], "tensorflow") is None
