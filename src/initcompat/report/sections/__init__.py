"""The report's sections: each loads what it needs, computes and builds its part of the View
(pure) and renders with its own template, templates/sections/<field name>.html.j2.

View's fields are the sections in page order; index.html.j2 includes each one's template with
the field's value as `section`. CONTRIBUTING.md, "Add a report section", is the recipe.
"""

from __future__ import annotations

import dataclasses
import importlib
from dataclasses import dataclass
from pathlib import Path

from initcompat.measurements import registry
from initcompat.report.backends import backend_events
from initcompat.report.causes import build_causes
from initcompat.report.frame import order_results
from initcompat.report.load import Loaded
from initcompat.report.measured import measure, without_frameworks
from initcompat.report.suites import partition
from initcompat.report.sections.compat import Compat, build_compat
from initcompat.report.sections.environments import Environments, build_environments
from initcompat.report.sections.failures import Failures, build_failures
from initcompat.report.sections.gpu import Gpu, build_gpu
from initcompat.measurements.initializers.section import Initializers
from initcompat.report.sections.matrix import Matrix, build_matrix
from initcompat.measurements.propagation.section import Propagation
from initcompat.measurements.porting.section import Porting
from initcompat.report.sections.rejected import Rejected, build_rejected
from initcompat.measurements.seeding.section import Seeding
from initcompat.measurements.throughput.section import (PyperfValues, Throughput,
                                                         build_throughput, load_pyperf)
from initcompat.report.sections.timeline import Timeline, build_timeline
from initcompat.report.sections.summary import Summary, build_summary
from initcompat.report.sections.upgrade import Upgrade, build_upgrade


@dataclass(frozen=True)
class Inputs:
    """What the sections read: the loaded results in version order, and what sections load themselves."""

    results: list[dict]
    rejected: list[str]  # one line per refused file
    pyperf: list[PyperfValues]  # the throughput section's raw values, one per result
    # one line when the results are not of the default suite or mix suites (report.suites):
    # `results` holds one suite's only, the others are named here, never compared
    suites_note: str | None = None
    crossed: tuple = ()  # attribution runs (report/crossed_file.py), for report/causes.py


@dataclass(frozen=True)
class View:
    """Everything the page shows: one field per section, in page order."""

    rejected: Rejected
    summary: Summary
    compat: Compat
    upgrade: Upgrade
    propagation: Propagation
    porting: Porting
    timeline: Timeline
    matrix: Matrix
    initializers: Initializers
    seeding: Seeding
    throughput: Throughput
    gpu: Gpu
    failures: Failures
    environments: Environments

    def sections(self) -> list[tuple[str, object]]:
        """(template name, section view) in page order, for index.html.j2."""
        return [(f.name, getattr(self, f.name)) for f in dataclasses.fields(self)]


def load_inputs(loaded: Loaded, sources: list[Path], suite: str | None = None) -> Inputs:
    """Every section's own load step on top of the loader's results (the only I/O here); the
    results of one suite only (`suite`: its sha256, else the one most environments measured)."""
    one_suite = partition(order_results(loaded.results), suite)
    results = one_suite.shown
    return Inputs(results=results, rejected=[r.line() for r in loaded.rejected],
                  pyperf=load_pyperf(results, sources), suites_note=one_suite.note,
                  crossed=tuple(loaded.crossed))


def build_view(inputs: Inputs) -> View:
    """Every section from the inputs; pure."""
    every = measure(inputs.results)
    # the TF/Keras sections leave out framework sessions (PyTorch, Flax, stax): they have no
    # TF cells or steps; Porting, Failures and Environments show every environment
    measured = without_frameworks(every)
    # throughput: every environment (framework sessions are timed too); the timeline, which
    # reads TF/Keras, gets the changes of the TF/Keras environments only
    throughput = build_throughput(inputs.results, inputs.pyperf,
                                  {env["name"]: env["variant_of"] for env in every.envs})
    tf_keras_names = {env["name"] for env in measured.envs}
    throughput_changes = {name: changes for name, changes in throughput.changes.items()
                          if name in tf_keras_names}
    # the measurement steps' sections, in the registry's order (initcompat.measurements.registry)
    built = measurement_sections(every, measured)
    causes = build_causes(measured.envs, measured.results, inputs.crossed)
    timeline = build_timeline(measured, throughput_changes, [
        event for m in registry.steps_beside() if m["timeline"]
        for event in built[m["section"]].events], causes)
    compat = build_compat(measured)
    return View(rejected=build_rejected(inputs.rejected),
                summary=build_summary(measured, compat, every.envs, inputs.suites_note),
                compat=compat,
                upgrade=build_upgrade(measured.envs, timeline.events,
                                      backend_events(measured.results), causes),
                timeline=timeline,
                matrix=build_matrix(measured),
                throughput=throughput,
                gpu=build_gpu(every),
                failures=build_failures(every),
                environments=build_environments(every),
                **built)


def section_module(measurement: dict):
    """The report-side module of a registry entry (its `section_module`)."""
    return importlib.import_module(measurement["section_module"])


def measurement_sections(every, measured) -> dict:
    """View field -> section, for every measurement step of the registry: each built by its
    `builder` from the TF/Keras environments (`measured`) or, for a step that also runs in the
    framework sessions, from every environment (`every`)."""
    built = {}
    for measurement in registry.steps_beside():
        build = getattr(section_module(measurement), measurement["builder"])
        built[measurement["section"]] = build(
            measured if measurement["sessions"] == registry.SESSIONS_TF_KERAS else every)
    return built
