"""The same Keras release on two backends: which layer defaults draw differently. Pure.

Users port models between Keras backends believing that numerics are identical across them
(keras-team/keras#20804). For every Keras version measured on more than one backend, each pair
of its backends is compared cell by cell with the report's own change tests: the second
environment (by name) is analysed as a variant of the first, exactly as a CUDA build is against
its TensorFlow version, and the timeline's event rules turn the verdicts into events (an
availability, a shape, a drawn distribution, the seeded bytes). Holm's correction runs per pair.
The events never enter the version timeline (a backend is not an upgrade); the upgrade view
lists them when its two environments are one Keras release on two backends.
"""

from __future__ import annotations

from itertools import combinations

from initcompat.probe import schema
from initcompat.report.frame import line_of
from initcompat.report.measured import measure


def _as_backend(result: dict, backend: str) -> dict:
    """A shallow copy of `result` that the analysis takes for the `backend` line: the same
    Keras release then has one label, so the second environment becomes a variant."""
    env = dict(result["env"], backend=backend)
    return dict(result, env=env)


def same_release_pairs(results: list[dict]) -> list[tuple[dict, dict]]:
    """(first, second) results of one Keras release on two backends that both ran, by name."""
    by_release: dict[str, list[dict]] = {}
    for result in results:
        if line_of(result["env"]) == "tensorflow" or result["status"] != schema.ENV_OK \
                or result["env"].get("framework"):
            continue
        by_release.setdefault(result["env"]["keras"], []).append(result)
    pairs = []
    for release in sorted(by_release):
        group = sorted(by_release[release], key=lambda r: r["env"]["name"])
        pairs.extend(combinations(group, 2))
    return pairs


def backend_events(results: list[dict]) -> list[dict]:
    """Timeline-shaped events ({"env", "since", "kind", ...}) for every pair of backends of one
    Keras release: `since` is the first environment, `env` the second."""
    from initcompat.report.sections.timeline import behaviour_events
    events = []
    for first, second in same_release_pairs(results):
        pair = measure([first, _as_backend(second, first["env"]["backend"])])
        if pair.envs[1]["variant_of"] != first["env"]["name"]:
            continue  # the analysis did not pair them (cannot happen for two that ran)
        for event in behaviour_events(pair):
            if event["env"] == second["env"]["name"]:
                events.append(event)
    return events
