"""Which events lie between two environments: the upgrade view's rule
(initcompat.report.sections.upgrade.events_between), on the compat data's environments and
events, without importing the report (pandas, scipy). tests/unit/test_check_data.py checks that
both select the same events for every pair of real environments. Pure.

With the primaries (environments whose variant_of is null) in version order and pos(e) the
position of e's primary: the events whose env is a primary with position in (pos(A), pos(B)]
(A and B put in version order), plus the events of either side that is a variant. One Keras
release on two backends: the events of exactly that pair ("backends": true in the data). Other environments of two lines are
never compared (Incomparable).
"""

from __future__ import annotations


class Incomparable(ValueError):
    """Two environments whose behaviour the data does not compare (two lines)."""


def _positions(envs: list[dict]) -> dict[str, int]:
    primaries = [env["name"] for env in envs if env.get("variant_of") is None]
    rank = {name: index for index, name in enumerate(primaries)}
    return {env["name"]: rank.get(env.get("variant_of") or env["name"], -1) for env in envs}


def in_order(envs: list[dict], first: str, second: str) -> tuple[str, str]:
    """The two names in version order (the environment list's order breaks ties)."""
    position = _positions(envs)
    order = {env["name"]: index for index, env in enumerate(envs)}
    low, high = sorted((first, second), key=lambda name: (position[name], order[name]))
    return low, high


def events_between(envs: list[dict], events: list[dict], first: str, second: str) -> list[dict]:
    """The events between two known environments (names), in either order; Incomparable for two
    lines that are not one Keras release on two backends."""
    by_name = {env["name"]: env for env in envs}
    if first == second:
        return []
    lines = [by_name[name].get("line", "tensorflow") for name in (first, second)]
    if lines[0] != lines[1]:
        releases = [by_name[name].get("keras_release") for name in (first, second)]
        if "tensorflow" not in lines and releases[0] and releases[0] == releases[1]:
            return [event for event in events if event.get("backends")
                    and {event["env"], event.get("since")} == {first, second}]
        raise Incomparable(
            f"{first} and {second} are on different lines ({lines[0]}; {lines[1]}): versions are "
            "compared within a line, and backends only for the same Keras release")
    position = _positions(envs)
    low, high = in_order(envs, first, second)
    variants = {name for name in (low, high) if by_name[name].get("variant_of") is not None}
    return [event for event in events if not event.get("backends") and (
            event["env"] in variants
            or (event["env"] in by_name and by_name[event["env"]].get("variant_of") is None
                and position[low] < position[event["env"]] <= position[high]))]
