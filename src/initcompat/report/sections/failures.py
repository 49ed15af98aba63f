"""The Failures section: environments that produced no measurements, with why and the error tail. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.report.measured import Measured


@dataclass(frozen=True)
class Failures:
    envs: list[dict]  # measured.envs whose status is not ok (install failed, crashed, ...)


def build_failures(measured: Measured) -> Failures:
    """Every environment whose status is not ok, in version order (empty: the section is left out)."""
    return Failures(envs=[e for e in measured.envs if e["status"] != "ok"])
