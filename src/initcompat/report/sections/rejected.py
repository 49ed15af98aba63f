"""The Rejected section: result files the loader refused, one line each (file: why). Pure."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Rejected:
    lines: list[str]  # load.Rejected.line() of each refused file


def build_rejected(lines: list[str]) -> Rejected:
    """The loader's rejections as the page lists them (empty: the section is left out)."""
    return Rejected(lines=list(lines))
