"""probe.output.replace_atomically: a write interrupted anywhere leaves the old file and no temp
file; a finished one replaces it whole, readable by others."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from initcompat.probe.output import replace_atomically, write_json_atomic


def test_an_interrupted_write_leaves_the_old_file_and_no_temp_file(tmp_path: Path) -> None:
    target = tmp_path / "tf-2.15.json"
    write_json_atomic(str(target), {"old": True})

    def interrupted(temporary: str) -> None:
        Path(temporary).write_text("half")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        replace_atomically(str(target), interrupted)
    assert target.read_text() == '{"old":true}\n'
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tf-2.15.json"]


def test_the_temp_file_exists_when_write_is_called_and_becomes_the_result(tmp_path: Path) -> None:
    target = tmp_path / "tf-2.15.json"
    seen = []

    def write(temporary: str) -> None:
        seen.append((Path(temporary).name, os.path.exists(temporary)))
        Path(temporary).write_text("new\n")

    replace_atomically(str(target), write)
    name, existed = seen[0]
    assert existed and name.startswith(".tf-2.15.json.") and name.endswith(".tmp")
    assert target.read_text() == "new\n" and (target.stat().st_mode & 0o777) == 0o644
    assert sorted(p.name for p in tmp_path.iterdir()) == ["tf-2.15.json"]
