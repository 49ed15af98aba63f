"""The seeding step's own logic that needs no TensorFlow: the suite check, how two processes'
draws become statuses, and what counts as a warning (the draws themselves: the integration
test on real TF 1.15 and 2.21)."""

from __future__ import annotations

import json
import logging
import warnings

import pytest

from initcompat.measurements.seeding import probe as seeding
from initcompat.probe import schema
from initcompat.probe.validation import validate_seeding

BLOCK = {"seed": 1234, "dense": {"input_dim": 96, "units": 40}, "initializer": "glorot_uniform",
         "first_values": 4}


def drawn(method: str, sha: str, repeat: str | None = None, family: str = "tf.keras") -> dict:
    return {"family": family, "method": method, "target": "Dense kernel", "state": "drawn",
            "call": f"{method}(1234)", "sha256": sha, "sha256_repeat": repeat or sha,
            "first_values": [0.5], "shape": [96, 40], "warning": None}


def test_two_processes_decide_the_status_and_a_missing_draw_is_an_error():
    mine = {"items": [drawn("no seed", "a" * 64, "b" * 64), drawn("tf.random.set_seed", "c" * 64),
                      drawn("seed 0", "d" * 64),
                      {"family": "tf.keras", "method": "tf.set_random_seed",
                       "target": "Dense kernel", "state": "unavailable", "reason": "no tf.set_random_seed"}]}
    theirs = {"items": [drawn("no seed", "e" * 64), drawn("tf.random.set_seed", "c" * 64)]}
    records = seeding.combine(mine, theirs, None, BLOCK)
    statuses = [(r["method"], r["status"], r["cross_process_identical"], r["repeat_identical"])
                for r in records]
    assert statuses == [("no seed", schema.SEED_NOT_REPRODUCIBLE, False, False),
                        ("tf.random.set_seed", schema.SEED_REPRODUCIBLE, True, True),
                        ("seed 0", schema.SEED_ERROR, None, True),
                        ("tf.set_random_seed", schema.SEED_UNAVAILABLE, None, None)]
    assert records[2]["reason"].startswith("drawn here, but not in the second fresh process")
    assert records[2]["seed"] == 0 and records[1]["seed"] == 1234
    assert records[1]["sha256_other_process"] == "c" * 64
    document = schema.measurement_record(schema.KIND_SEEDING, "tf-2.21", {
        "status": "ok", "reason": None, "records": records})
    validate_seeding(json.loads(json.dumps(document)))  # what the step writes, the loader takes


def test_a_failed_second_process_is_named_in_every_drawn_record():
    records = seeding.combine({"items": [drawn("no seed", "a" * 64)]}, None,
                              "the second process exited with status 1: boom", BLOCK)
    assert records[0]["status"] == schema.SEED_ERROR and "boom" in records[0]["reason"]


def test_warnings_and_framework_log_records_are_captured_once_each():
    with seeding.Captured() as captured:
        warnings.warn("seeded twice", UserWarning)
        logging.getLogger("tensorflow").warning("deprecated call\nsecond line")
        logging.getLogger("tensorflow").warning("deprecated call\nsecond line")
        logging.getLogger("tensorflow").info("not a warning")
    assert captured.text() == "WARNING: deprecated call | UserWarning: seeded twice"
    with seeding.Captured() as quiet:
        pass
    assert quiet.text() is None


@pytest.mark.parametrize("content, problem", [
    ('{"seed": 1}', "lacks its 'seeding' block"),
    ('{"seeding": {"seed": "1", "first_values": 4, "dense": {"input_dim": 9, "units": 3}, '
     '"initializer": "glorot_uniform"}}', "needs integers"),
    ('{"seeding": {"seed": 1, "first_values": 4, "dense": {"input_dim": 9, "units": 3}}}',
     "needs an initializer name"),
    ("not json", "is not valid JSON"),
])
def test_an_unusable_suite_is_one_line(tmp_path, content, problem):
    path = tmp_path / "suite.json"
    path.write_text(content)
    with pytest.raises(SystemExit) as raised:
        seeding.load_suite(str(path))
    message = str(raised.value)
    assert message.startswith(schema.SEEDING_PREFIX) and problem in message and "\n" not in message


def test_the_default_suite_is_usable():
    from pathlib import Path
    suite = Path(__file__).resolve().parents[4] / "suites" / "default.json"
    block = seeding.load_suite(str(suite))
    assert block["initializer"] and block["dense"]["input_dim"] != block["dense"]["units"]
