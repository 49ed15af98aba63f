"""What running one environment did (Outcome): its status, where its files are, the seconds of
each step and what was reused. Written by host.runner and host.rerun. Host side."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from initcompat.probe import schema


@dataclass(frozen=True)
class Outcome:
    """What run_entry did: the environment's status, where its files are, and step timings."""

    status: str
    folder: Path
    name: str
    message: str
    seconds: dict = field(default_factory=dict)
    cause: str | None = None  # the last line of what went wrong (console), None when nothing did
    reused: dict = field(default_factory=dict)  # step -> when its reused files were measured

    def path(self, kind: str) -> Path:
        """The file of `kind` (schema.KIND_*) this run wrote or would have written."""
        return self.folder / schema.file_name(self.name, kind)
