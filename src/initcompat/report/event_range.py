"""Which timeline events lie between two environments: the upgrade view's rule, used by the
Upgrade section (report/sections/upgrade.py, which exports it), the `diff` command line and the
check (initcompat.check.context), which reads it without the report's pandas and scipy: this
module is stdlib only. report.js mirrors it on indices. Pure.
"""

from __future__ import annotations


def positions(envs: list[dict]) -> tuple[dict[str, dict], dict[str, int]]:
    """Environments by name, and each one's position: its primary's among the primaries."""
    by_name = {env["name"]: env for env in envs}
    primaries = [env["name"] for env in envs if env.get("variant_of") is None]
    rank = {name: index for index, name in enumerate(primaries)}
    position = {}
    for env in envs:
        primary = env.get("variant_of") or env["name"]
        if primary not in rank:
            raise ValueError(f"environment {env['name']!r} is a variant of {primary!r}, "
                             "which is not among the environments")
        position[env["name"]] = rank[primary]
    return by_name, position


def events_between(envs: list[dict], events: list[dict], first: str, second: str,
                   backend_events: list[dict] = ()) -> list[dict]:
    """Every timeline event between environments `first` and `second` (names), in either order.

    With the primaries (environments whose variant_of is None) in version order and pos(e) the
    position of e's primary (e itself if primary), and (first, second) put in version order:
    the events whose env is a primary with position in (pos(first), pos(second)] (each compares
    an environment with the one before it, its `since`), plus the events of either side that is
    a variant (they compare it with its primary). The same environment twice: no events.
    One Keras release on two backends: the `backend_events` of exactly that pair.
    Other environments of two lines (frame.line_of: TensorFlow, Keras on a backend) are never
    compared: ValueError says so.
    Renames (kind "renamed") are included; is_difference says which events are differences.
    ValueError names an unknown environment.
    """
    by_name, position = positions(envs)
    for name in (first, second):
        if name not in by_name:
            raise ValueError(f"unknown environment {name!r}; known: {', '.join(by_name)}")
    if first == second:
        return []
    lines = [by_name[name].get("line", "tensorflow") for name in (first, second)]
    if lines[0] != lines[1]:
        releases = [by_name[name].get("keras_release") for name in (first, second)]
        if "tensorflow" not in lines and releases[0] and releases[0] == releases[1]:
            return [event for event in backend_events
                    if {event["env"], event.get("since")} == {first, second}]
        raise ValueError(f"{first} and {second} are on different lines ({lines[0]}; {lines[1]}): "
                         "versions are compared within a line, and backends only for the same "
                         "Keras release, so no difference is listed between them")
    order = {env["name"]: index for index, env in enumerate(envs)}
    low, high = sorted((first, second), key=lambda name: (position[name], order[name]))
    variants = {name for name in (low, high) if by_name[name].get("variant_of") is not None}
    return [event for event in events
            if event["env"] in variants
            or (event["env"] in by_name and by_name[event["env"]].get("variant_of") is None
                and position[low] < position[event["env"]] <= position[high])]
