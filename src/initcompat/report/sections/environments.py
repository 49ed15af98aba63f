"""The Environments section: per session its TensorFlow, Python, packages, GPU and how it was
installed (resolution, date cut, pins with their reasons). Pure."""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.report.measured import Measured


@dataclass(frozen=True)
class Environments:
    envs: list[dict]  # measured.envs: measured.env_summary of every result, in version order


def build_environments(measured: Measured) -> Environments:
    """Every environment as the table shows it (the header counts them too)."""
    return Environments(envs=measured.envs)
