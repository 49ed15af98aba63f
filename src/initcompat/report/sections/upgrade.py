"""The Upgrade section: the verdict of any upgrade, headline first (report/verdict.py).

The page holds the timeline's events once, as verdict items; report.js picks those between the
two chosen environments by the rule events_between implements and folds them as
verdict.summarize does (the `diff` command line uses these functions themselves), so the page
and the command line agree. The view opens on 2.15 → 2.16, rendered here. Pure.
"""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.report import causes as causes_module
from initcompat.report import locks as locks_module
from initcompat.report import verdict
from initcompat.report.event_range import events_between  # noqa: F401 (exported)
from initcompat.report.event_range import positions as _positions
from initcompat.report.sections.timeline import KINDS  # the order both list kinds in
from initcompat.report.sections.timeline import NOT_A_CHANGE as NOT_A_DIFFERENCE  # renames

RULE = ("Between two environments taken in version order, the differences are the changes of "
        "every version after the first up to the second (each against the version before it), "
        "plus the changes of a variant column (CUDA build, ...) against its own version when "
        "either side is one. Renames of an unchanged initializer, throughput changes and harness "
        "notes (a family measured on one side only) are listed apart and are not differences; the "
        "weights of one family whose seeded draws changed are one line. One Keras release on two "
        "backends is compared directly, cell by cell, as a variant is against its version.")
# One-click pairs: (from label, to label); the two newest versions are added when present.
PAIRS = (("1.15", "2.0"), ("2.15", "2.16"), ("Keras 3.0 jax", "Keras 3.15 jax"),
         ("Keras 3.15 jax", "Keras 3.15 torch"), ("Keras 3.15 jax", "Keras 3.15 tensorflow"))
OPENS_ON = ("2.15", "2.16")  # the upgrade most readers ask about (Keras 3 arrives)


@dataclass(frozen=True)
class Upgrade:
    envs: list[dict]  # {"name", "label", "column_label", "variant_of", "status"}, version order
    pairs: list[dict]  # one-click pairs present in these results: {"text", "first", "second"}
    default: dict | None  # the pair shown first (OPENS_ON, else the two newest), or None
    events: list[dict]  # the timeline's events ({"env", "since", "kind", "row", "text", "cell"})
    backend_events: list[dict]  # one Keras release on two backends (report/backends.py), same shape
    data: dict  # what report.js reads (the "upgrade" part of the page's data block): see _data
    rule: str  # RULE, shown on the page
    shown: dict | None  # the default pair's verdict: {"said" (verdict.summarize), "sentence",
    #                     "causes" (what moved and why, report/causes.py; None: nothing to say)}
    causes: causes_module.Causes | None = None  # for causes_between (the `diff` command)


def is_difference(event: dict) -> bool:
    """Whether an event is a behaviour difference (a rename of the same distribution is not)."""
    return event["kind"] not in NOT_A_DIFFERENCE


def grouped(events: list[dict]) -> list[dict]:
    """Events by kind (KINDS order), then by (version step, text) within a kind:
    [{"kind", "count", "difference", "groups": [{"env", "since", "text", "rows": [event]}]}]."""
    by_kind: dict[str, dict[tuple, dict]] = {}
    for event in events:
        steps = by_kind.setdefault(event["kind"], {})
        group = steps.setdefault((event["env"], event.get("since"), event["text"]), {
            "env": event["env"], "since": event.get("since"), "text": event["text"], "rows": []})
        group["rows"].append(event)
    ordered = sorted(by_kind, key=lambda k: (KINDS.index(k) if k in KINDS else len(KINDS), k))
    return [{"kind": kind, "count": sum(len(g["rows"]) for g in by_kind[kind].values()),
             "difference": kind not in NOT_A_DIFFERENCE, "groups": list(by_kind[kind].values())}
            for kind in ordered]


def verdict_between(envs: list[dict], events: list[dict], first: str, second: str,
                    backend_events: list[dict] = ()) -> dict:
    """The verdict of upgrading from `first` to `second` (names): {"said"
    (verdict.summarize), "sentence", "from_label", "to_label"} with the two in version
    order, as the page shows it. ValueError as events_between."""
    between = events_between(envs, events, first, second, backend_events)
    labels = {env["name"]: env.get("column_label") or env["name"] for env in envs}
    _, position = _positions(envs)
    order = {env["name"]: index for index, env in enumerate(envs)}
    low, high = sorted((first, second), key=lambda name: (position[name], order[name]))
    if by_line(envs, first) != by_line(envs, second):  # backends: as chosen
        low, high = first, second
    said = verdict.summarize(verdict.classify(between), labels)
    return {"said": said, "from_label": labels[low], "to_label": labels[high],
            "sentence": verdict.sentence(said, labels[low], labels[high], first == second)}


def by_line(envs: list[dict], name: str) -> str:
    return next(env.get("line", "tensorflow") for env in envs if env["name"] == name)


def _pairs(envs: list[dict]) -> tuple[list[dict], dict | None]:
    primaries = [env for env in envs if env.get("variant_of") is None]
    by_label = {env["label"]: env for env in primaries}
    pairs = []
    for first, second in PAIRS:
        if first in by_label and second in by_label:
            pairs.append({"text": f"{first} → {second}", "first": by_label[first]["name"],
                          "second": by_label[second]["name"]})
    newest = None
    tensorflow = [env for env in primaries if env.get("line", "tensorflow") == "tensorflow"]
    if len(tensorflow) >= 2:  # the two newest TensorFlow releases (other lines follow them)
        primaries = tensorflow
    if len(primaries) >= 2:
        first, second = primaries[-2], primaries[-1]
        newest = {"text": f"{first['label']} → {second['label']} (the two newest)",
                  "first": first["name"], "second": second["name"]}
        if not any(p["first"] == first["name"] and p["second"] == second["name"] for p in pairs):
            pairs.append(newest)
    opens = [p for p in pairs if (by_label.get(OPENS_ON[0], {}).get("name"),
                                  by_label.get(OPENS_ON[1], {}).get("name"))
             == (p["first"], p["second"])]
    return pairs, opens[0] if opens else newest


ITEM_FIELDS = ("fold", "subject", "text", "detail", "keep", "unit", "of", "row", "cell")


def _data(envs: list[dict], events: list[dict], backend_events: list[dict] = ()) -> dict:
    """Compact for the page: environments as [name, column label, index of its primary or -1,
    line, Keras release or ""]; every event's verdict items (verdict.classify) as
    [environment index, since (index or -1), topic index, then ITEM_FIELDS]; the backend
    comparisons apart, in the same form; the topics with their titles and which count."""
    index = {env["name"]: i for i, env in enumerate(envs)}
    topics = {topic: i for i, topic in enumerate(verdict.TOPICS)}

    def compact(found: list[dict]) -> list[list]:
        return [[index[item["env"]], index.get(item.get("since"), -1), topics[item["topic"]]]
                + [item[field] for field in ITEM_FIELDS]
                for item in verdict.classify([e for e in found if e["env"] in index])]

    return {"envs": [[env["name"], env["column_label"], index.get(env["variant_of"], -1),
                      env.get("line", "tensorflow"), env.get("keras_release") or ""]
                     for env in envs],
            "topics": list(verdict.TOPICS), "titles": verdict.TITLES,
            "counted": list(verdict.COUNTED), "headline": list(verdict.HEADLINE),
            "none": verdict.NONE_WORD, "briefs": verdict.BRIEFS,
            "briefChars": verdict.BRIEF_CHARS, "stream": verdict.STREAM,
            "namedOnly": list(verdict.NAMED_ONLY),
            "events": compact(events), "backendEvents": compact(backend_events)}


def causes_between(envs: list[dict], causes: causes_module.Causes | None, first: str,
                   second: str) -> dict | None:
    """What moved between two environments and the attributions of the steps between them (an
    attribution counts where an event of its newer environment since its older would:
    events_between), for verdict.html.j2; None when there is nothing to say."""
    if causes is None:
        return None
    steps = [{"env": newer, "since": older, "kind": "cause", "found": found}
             for (older, newer), found in causes.found.items()]
    try:
        within = events_between(envs, steps, first, second)
    except ValueError:
        return None
    return causes_module.shown(causes_module.moved_between(causes.locks, first, second),
                               [step["found"] for step in within])


def _lock_data(envs: list[dict], causes: causes_module.Causes | None) -> dict:
    """Compact for the page: every package name once, each environment's lock as [[package
    index, version]] (null: none recorded), what report.js needs to say what moved between any
    two (locks.moved_text), and the attributions as [older index, newer index, status, text,
    keep]."""
    locks = causes.locks if causes is not None else {}
    names = sorted({name for env in envs for name in (locks.get(env["name"]) or {})})
    index = {name: i for i, name in enumerate(names)}
    where = {env["name"]: i for i, env in enumerate(envs)}
    return {"packages": names,
            "locks": [[[index[name], version] for name, version in locks[env["name"]].items()]
                      if env["name"] in locks else None for env in envs],
            "interesting": list(locks_module.INTERESTING), "named": locks_module.NAMED,
            "causes": [[where[older], where[newer], found.status, found.text, found.keep]
                       for (older, newer), found in (causes.found.items() if causes else [])
                       if older in where and newer in where]}


def build_upgrade(envs: list[dict], events: list[dict],
                  backend_events: list[dict] = (),
                  causes: causes_module.Causes | None = None) -> Upgrade:
    """The section from measured.envs, the timeline's events (Timeline.events, annotated by
    keep_old), the comparisons of one Keras release on two backends (report/backends.py) and
    what moved between the environments' locks (report/causes.py)."""
    _positions(envs)  # every variant's primary is among the environments
    shown = [{"name": env["name"], "label": env["label"],
              "column_label": env.get("column_label") or f"TF {env['label']}",
              "variant_of": env.get("variant_of"), "status": env["status"],
              "line": env.get("line", "tensorflow"),
              "keras_release": env.get("keras_requested")
              if env.get("line", "tensorflow") != "tensorflow" else None} for env in envs]
    pairs, default = _pairs(shown)
    kept, across = list(events), list(backend_events)
    opened = verdict_between(shown, kept, default["first"], default["second"], across) \
        if default else None
    if opened is not None:
        opened["causes"] = causes_between(shown, causes, default["first"], default["second"])
    data = _data(shown, kept, across)
    data["lockDiff"] = _lock_data(shown, causes)
    return Upgrade(envs=shown, pairs=pairs, default=default, events=kept, backend_events=across,
                   data=data, rule=RULE, shown=opened, causes=causes)
