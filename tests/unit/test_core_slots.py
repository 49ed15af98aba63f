"""The core slots across `nox -j` sessions (initcompat.host.core_slots): at most N step
processes hold one at a time, the next waits until one is let go (also when its holder is
killed), and timing_lock.shared takes one. Real processes meet through files; no assertion is
about time."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from initcompat.host import core_slots

SRC = Path(__file__).resolve().parents[2] / "src"

# A holder: takes a slot (or the timing lock shared, HOW), notes "in NAME", holds it until the
# file RELEASE exists (at most 60 s), notes "out NAME" and lets go.
CHILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from initcompat.host import core_slots, timing_lock
    folder, name, how, release = Path(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
    def note(text):
        with open(str(folder / "order.log"), "a") as log:
            log.write(text + "\\n")
        (folder / text.replace(" ", "-")).write_text("")
    holding = core_slots.holding_slot(folder / "locks") if how == "slot" \\
        else timing_lock.shared(folder / "locks")
    with holding:
        note("in " + name)
        deadline = time.time() + 60
        while time.time() < deadline and not (folder / release).exists():
            time.sleep(0.02)
        note("out " + name)
""")


def start(folder: Path, name: str, release: str, slots: int, how: str = "slot"):
    return subprocess.Popen([sys.executable, "-c", CHILD, str(folder), name, how, release],
                            env=dict(os.environ, PYTHONPATH=str(SRC),
                                     INITCOMPAT_CORE_SLOTS=str(slots)))


def wait_for(path: Path) -> bool:
    deadline = time.time() + 60
    while time.time() < deadline and not path.exists():
        time.sleep(0.02)
    return path.exists()


def order(folder: Path) -> list[str]:
    return (folder / "order.log").read_text().split("\n")[:-1]


@pytest.mark.parametrize("how", ["slot", "shared"])
def test_one_slot_lets_one_holder_in_at_a_time(tmp_path: Path, how: str) -> None:
    first = start(tmp_path, "a", "go", 1, how)
    assert wait_for(tmp_path / "in-a")
    second = start(tmp_path, "b", "go", 1, how)
    time.sleep(1.0)  # time enough for a wrongly admitted second holder to note itself
    assert order(tmp_path) == ["in a"]
    (tmp_path / "go").write_text("")
    assert [first.wait(timeout=120), second.wait(timeout=120)] == [0, 0]
    assert order(tmp_path) == ["in a", "out a", "in b", "out b"]


def test_two_slots_hold_two_at_once(tmp_path: Path) -> None:
    first = start(tmp_path, "a", "in-b", 2)
    second = start(tmp_path, "b", "in-a", 2)
    assert [first.wait(timeout=120), second.wait(timeout=120)] == [0, 0]  # each saw the other in


def test_a_killed_holder_lets_its_slot_go(tmp_path: Path) -> None:
    holder = start(tmp_path, "holder", "never", 1)
    assert wait_for(tmp_path / "in-holder")
    holder.kill()
    holder.wait()
    after = start(tmp_path, "after", "", 1)
    assert after.wait(timeout=120) == 0
    assert order(tmp_path)[-2:] == ["in after", "out after"]


@pytest.mark.parametrize("value", ["two", "0", "-1"])
def test_a_bad_slot_count_says_which_setting(monkeypatch, value: str) -> None:
    monkeypatch.setenv(core_slots.SLOTS_VARIABLE, value)
    with pytest.raises(ValueError, match=core_slots.SLOTS_VARIABLE):
        core_slots.slot_count()


def test_the_slot_count_defaults_to_the_cores(monkeypatch) -> None:
    monkeypatch.delenv(core_slots.SLOTS_VARIABLE, raising=False)
    assert core_slots.slot_count() == (os.cpu_count() or 1)
    monkeypatch.setenv(core_slots.SLOTS_VARIABLE, " 3 ")
    assert core_slots.slot_count() == 3
