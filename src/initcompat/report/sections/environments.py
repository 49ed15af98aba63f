"""The Environments section: per session its TensorFlow, Python, packages, GPU and how it was
installed (resolution, date cut, pins with their reasons). Pure."""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.report.describe import NO_GPU
from initcompat.report.measured import Measured


@dataclass(frozen=True)
class Environments:
    envs: list[dict]  # measured.envs: measured.env_summary of every result, in version order
    any_gpu: bool  # some environment listed a GPU (else no GPU column, one sentence instead)


def build_environments(measured: Measured) -> Environments:
    """Every environment as the table shows it (the header counts them too)."""
    return Environments(envs=measured.envs,
                        any_gpu=any(env["gpu"] != NO_GPU for env in measured.envs))
