"""Which fix runs a check needs: every unverified fix's recipe (findings.Fix.recipe, written by
layers.py and inits.py) as the run the probe's fix_runs module takes (initcompat.probe.fix_runs), keyed by everything that
decides its draws, and grouped into one plan per target environment and TF_USE_LEGACY_KERAS
setting (one process each). Pure.

A run is what is drawn, never what it is compared with: `GRU(reset_after=False)` in tf-2.16 is
one run whichever source environment a fix aims at, so a check from tf-1.15 and one from tf-2.0
share its file. Its key (sha256) covers the run, the environment's name, lock and interpreter,
the probe code and the suite, as host/reuse.py keys a measurement step: a file whose key is
the one wanted was drawn by the same code in the same installation and is never drawn again.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from initcompat.check.findings import UNVERIFIED, Finding
from initcompat.probe import schema

# What of a recipe the probe needs, per run kind (the rest says what to compare with).
RUN_FIELDS = {"layer": ("kind", "family", "layer", "settings", "initializers", "roles"),
              "initializer": ("kind", "code")}


@dataclass(frozen=True)
class Wanted:
    """One fix to verify: where it is among the findings, and its recipe."""

    finding: int  # index into the findings
    fix: int  # index into that finding's fixes
    recipe: dict


def wanted(findings: list[Finding]) -> list[Wanted]:
    """Every unverified fix that has a recipe, in the findings' order."""
    return [Wanted(i, j, fix.recipe) for i, finding in enumerate(findings)
            for j, fix in enumerate(finding.fixes)
            if fix.status == UNVERIFIED and fix.recipe is not None]


def probe_run(recipe: dict) -> dict:
    """The run the probe takes (without its key), from a recipe."""
    return {name: recipe[name] for name in RUN_FIELDS[recipe["kind"]]}


def run_key(run: dict, inputs: dict) -> str:
    """sha256 (hex) of a run and the inputs that decide its draws (`inputs`: the environment's
    name, lock, interpreter, legacy setting, probe code hash and suite hash)."""
    text = json.dumps({"run": run, "inputs": inputs}, sort_keys=True, separators=(",", ":"),
                      default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def keyed_run(recipe: dict, inputs: dict) -> dict:
    run = probe_run(recipe)
    return dict(run, key=run_key(run, inputs))


def group(items: list[Wanted]) -> dict[tuple[str, bool], list[Wanted]]:
    """(target environment, legacy Keras) -> the fixes run there, in order."""
    found: dict[tuple[str, bool], list[Wanted]] = {}
    for item in items:
        found.setdefault((item.recipe["env"], bool(item.recipe.get("legacy_keras"))),
                         []).append(item)
    return found


def plan_document(runs: list[dict], legacy_keras: bool) -> dict:
    """The plan the probe reads (fix_runs.read_plan), each run once."""
    unique = list({run["key"]: run for run in runs}.values())
    return {"kind": schema.FIX_PLAN_KIND, "plan_version": schema.FIX_PLAN_VERSION,
            "legacy_keras": legacy_keras,
            "runs": unique}
