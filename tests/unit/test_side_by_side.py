"""The measurement steps of one environment run side by side (runner.run_side_by_side), as real
processes: plain Python children that meet through files, so nothing here depends on timing
except generous waits that only a stalled machine would exhaust."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from initcompat.host import runner, side_by_side

SRC = Path(__file__).resolve().parents[2] / "src"

# A step stand-in: notes that it started, waits up to WAIT seconds for every name in PEERS to
# have started too, notes its order of finishing, exits 0 if it met them all, else 1.
CHILD = textwrap.dedent("""
    import os, sys, time
    folder, name, wait = sys.argv[1], sys.argv[2], float(sys.argv[3])
    peers = sys.argv[4:]
    open(os.path.join(folder, name + ".started"), "w").write(str(os.getpid()))
    with open(os.path.join(folder, "order.log"), "a") as log:
        log.write("start " + name + "\\n")
    deadline = time.time() + wait
    while time.time() < deadline and not all(
            os.path.exists(os.path.join(folder, p + ".started")) for p in peers):
        time.sleep(0.02)
    met = all(os.path.exists(os.path.join(folder, p + ".started")) for p in peers)
    with open(os.path.join(folder, "order.log"), "a") as log:
        log.write("end " + name + "\\n")
    sys.exit(0 if met else 1)
""")


def call(folder: Path, name: str, wait: float, *peers: str) -> runner.StepCall:
    command = [sys.executable, "-c", CHILD, str(folder), name, str(wait), *peers]

    def run(started):
        return runner.run_step(command, folder / f"{name}.log", 120, "never printed", lambda _: None,
                               dict(os.environ), started)

    return run


def test_two_lanes_run_two_steps_at_once(tmp_path: Path) -> None:
    calls = {"initializers": call(tmp_path, "initializers", 60, "propagation"),
             "propagation": call(tmp_path, "propagation", 60, "initializers")}
    results = runner.run_side_by_side(calls, lanes=2)
    assert list(results) == ["initializers", "propagation"]  # keyed in the order given
    assert [failure for _, failure, _ in results.values()] == [None, None]


def test_one_lane_runs_them_one_after_another_longest_first(tmp_path: Path) -> None:
    calls = {name: call(tmp_path, name, 0.5, *(other for other in ("seeding", "initializers",
                                                                 "propagation") if other != name))
             for name in ("seeding", "initializers", "propagation")}
    results = runner.run_side_by_side(calls, lanes=1)
    order = (tmp_path / "order.log").read_text().split("\n")[:-1]
    assert order == ["start propagation", "end propagation", "start initializers",
                     "end initializers", "start seeding", "end seeding"]
    # the first could not meet the others (they had not started); the last met them all
    assert results["propagation"][1] == "exit status 1"
    assert results["seeding"][1] is None


def test_more_lanes_than_steps_and_no_steps(tmp_path: Path) -> None:
    assert runner.run_side_by_side({}, lanes=4) == {}
    results = runner.run_side_by_side({"seeding": call(tmp_path, "seeding", 0)}, lanes=8)
    assert results["seeding"][1] is None


def test_ctrl_c_kills_every_step_process(tmp_path: Path) -> None:
    """A driver process runs two long steps side by side; SIGINT to it (what Ctrl-C on nox
    sends) must leave no step process running, though each runs in its own session."""
    # The driver stands for nox started from a terminal: SIGINT unblocked and handled as
    # Python does by default, whatever this test process passed down (signal masks and ignored
    # signals are inherited across exec; in the full suite under nox the driver once ignored
    # the SIGINT below and the test hung).
    driver = textwrap.dedent(f"""
        import signal, sys
        signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGINT])
        signal.signal(signal.SIGINT, signal.default_int_handler)
        sys.path.insert(0, {str(SRC)!r})
        sys.path.insert(0, {str(Path(__file__).parent)!r})
        from pathlib import Path
        from initcompat.host import runner
        from test_side_by_side import call
        folder = Path(sys.argv[1])
        calls = {{"propagation": call(folder, "propagation", 600, "never"),
                  "initializers": call(folder, "initializers", 600, "never"),
                  "seeding": call(folder, "seeding", 600, "never")}}
        runner.run_side_by_side(calls, lanes=2)
    """)
    process = subprocess.Popen([sys.executable, "-c", driver, str(tmp_path)])
    started = [tmp_path / "propagation.started", tmp_path / "initializers.started"]
    deadline = time.monotonic() + 60
    while not all(path.exists() and path.read_text() for path in started):
        assert time.monotonic() < deadline, "the two steps never started"
        assert process.poll() is None, "the driver ended early"
        time.sleep(0.05)
    process.send_signal(signal.SIGINT)
    assert process.wait(timeout=60) != 0
    for path in started:
        pid = int(path.read_text())
        deadline = time.monotonic() + 10
        while _alive(pid):
            assert time.monotonic() < deadline, f"step process {pid} still runs after Ctrl-C"
            time.sleep(0.05)
    assert not (tmp_path / "seeding.started").exists(), "a step started after Ctrl-C"


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a killed child of the (ended) driver is reparented and reaped by init; a zombie counts as gone
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(")")[-1].split()[0] != "Z"
    except OSError:
        return False


@pytest.mark.parametrize("value, lanes", [("3", 3), (" 1 ", 1)])
def test_lanes_from_the_environment(monkeypatch: pytest.MonkeyPatch, value: str, lanes: int) -> None:
    monkeypatch.setenv(runner.STEP_LANES_VARIABLE, value)
    assert runner.step_lanes() == lanes


def test_lanes_default_to_the_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(runner.STEP_LANES_VARIABLE, raising=False)
    assert runner.step_lanes() == (os.cpu_count() or 1)


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_bad_lanes_say_what_is_wrong(monkeypatch: pytest.MonkeyPatch, value: str) -> None:
    monkeypatch.setenv(runner.STEP_LANES_VARIABLE, value)
    with pytest.raises(ValueError, match=runner.STEP_LANES_VARIABLE):
        runner.step_lanes()


def test_the_last_run_orders_the_steps_longest_first() -> None:
    steps = ["seeding", "initializers", "propagation", "porting"]
    last = {"seeding": 2.0, "initializers": 30.0, "propagation": 20.0, "porting": 9.0,
            "probe": 5.0}
    assert side_by_side.start_order(steps, last) == ["initializers", "propagation", "porting",
                                                     "seeding"]
    # a step the last run did not time (new in the suite, or never reached): the fixed order
    assert side_by_side.start_order(steps, {"seeding": 2.0}) == ["propagation", "initializers",
                                                                 "porting", "seeding"]
    assert side_by_side.start_order(["mine", "seeding"], None) == ["seeding", "mine"]
