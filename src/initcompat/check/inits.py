"""An initializer call (a constructor, a get("alias"), a string alias passed to a layer) from A
to B: whether it is offered and whether it draws the same, from the initializers step's records
and the report's events. Pure.

A call with arguments is matched with the record of the same arguments where the step measured
one, else with the constructor without arguments: then a changed default of an argument the call
passes itself does not count.
"""

from __future__ import annotations

import json
import re

from initcompat.check.context import Comparison
from initcompat.check.findings import MEASURED, NONE, UNVERIFIED, Finding, Fix
from initcompat.check.uses import InitializerUse

CODE = re.compile(r"^[\w.]+\(.*\)$")  # a keep text that is code: tf.random_normal_initializer(...)
# Where a removed initializer may still be found in the target.
_MOVED = {"tf": ("tf.compat.v1",), "tf.initializers": ("tf.compat.v1.initializers",),
          "tf.keras.initializers": ("tf_keras.initializers",),
          "tf.contrib.layers": ()}


def _keys(use: InitializerUse, namespace: str) -> list[tuple]:
    if use.how == "get":
        return [(namespace, "get", use.name, "{}")]
    keys = []
    if use.arguments:
        keys.append((namespace, "explicit", use.name,
                     json.dumps(use.arguments, sort_keys=True)))
    keys.append((namespace, "constructor", use.name, "{}"))
    return keys


def _declared(summary: dict) -> list:
    return [(draw.get("shape"), draw.get("declared"), draw.get("drawn"))
            for draw in summary.get("draws") or []]


def _words(summary: dict) -> str:
    draws = summary.get("draws") or []
    if not draws:
        return summary.get("error") or summary.get("class") or "?"
    draw = draws[-1]
    return draw.get("declared") or f"{summary.get('class') or '?'} (drawn {draw.get('drawn')})"


def _short(summary: dict) -> str:
    """What the last draw was named from its values, with the class: 'normal, σ=1 (RandomNormal)'."""
    draws = summary.get("draws") or []
    drawn = draws[-1].get("drawn") if draws else None
    return f"{drawn} ({summary.get('class')})" if drawn else _words(summary)


def _offered(comparison: Comparison, env: str, namespace: str, key: tuple) -> tuple[str, dict | None]:
    """("ok" | "error" | "absent" | "unknown", the record's summary)."""
    record = comparison.data.initializers(env).get(key)
    if record is not None:
        return ("ok" if record.get("status") == "ok" else "error"), record
    entry = comparison.data.namespace(env, namespace)
    if entry is None:
        return "unknown", None
    return "absent", {"error": entry.get("reason") if entry.get("status") != "ok"
                      else f"{namespace} offers no {key[2]}"}


def _moved(comparison: Comparison, use: InitializerUse, old: dict) -> list[Fix]:
    """Where the target still offers the same name, and whether it draws as the source did."""
    second = comparison.second
    fixes = []
    for namespace in _MOVED.get(use.namespace, ()):
        for key in _keys(use, namespace):
            record = comparison.data.initializers(second).get(key)
            if record is None or record.get("status") != "ok":
                continue
            code = f'{namespace}.get("{use.name}")' if use.how == "get" else \
                f"{namespace}.{use.name}(...)"
            if _declared(record) == _declared(old):
                fixes.append(Fix(code, MEASURED, f"measured in {comparison.label(second)}: draws "
                                 f"as {use.namespace}.{use.name} did in "
                                 f"{comparison.label(comparison.first)}"))
            else:
                fixes.append(Fix(code, NONE, f"offered in {comparison.label(second)} but draws "
                                 f"{_words(record)}"))
            break
    return fixes or [Fix("", NONE, f"no namespace measured in {comparison.label(second)} offers "
                                   f"{use.name}")]


def compare_initializer(comparison: Comparison, use: InitializerUse,
                        path: str) -> list[Finding] | None:
    """The findings of one initializer call; None when the data did not measure it."""
    first, second = comparison.first, comparison.second
    namespaces = [comparison.namespace(use.namespace, env) for env in (first, second)]
    pairs = []
    for key_a, key_b in zip(_keys(use, namespaces[0]), _keys(use, namespaces[1])):
        pairs.append((key_a, key_b) + _offered(comparison, first, namespaces[0], key_a)
                     + _offered(comparison, second, namespaces[1], key_b))
    measured = ("ok", "error")
    # the same record on both sides first (the arguments' own, else the constructor's)
    chosen = [p for p in pairs if p[2] in measured and p[4] in measured] or \
        [p for p in pairs if p[2] in measured and p[4] == "absent"]
    if not chosen:
        # offered on neither side is measured too (nothing changes); anything else is not
        return [] if any(p[2] == "absent" and p[4] == "absent" for p in pairs) else None
    key_a, key_b, state_a, old, state_b, new = chosen[0]
    call = use.call
    spelled = call.spelled
    labels = comparison.label(first), comparison.label(second)
    if state_a == "ok" and state_b in ("absent", "error"):
        message = (f"{spelled} is not offered in {labels[1]}: {new.get('error')} (it is in "
                   f"{labels[0]})")
        return [Finding(path, call.line, call.col, "IC301", spelled, message,
                        (f"in {comparison.title(first)}: {_words(old)}",),
                        tuple(_moved(comparison, use, old)), {"error": new.get("error")})]
    if state_a == "error" and state_b == "ok":
        return [Finding(path, call.line, call.col, "IC302", spelled,
                        f"{spelled} raises in {labels[0]} ({old.get('error')}) and works in "
                        f"{labels[1]}", (f"in {comparison.title(second)}: {_words(new)}",))]
    if state_a != "ok" or state_b != "ok":
        return []
    return _distribution(comparison, use, path, spelled, key_a, key_b, old, new)


def _distribution(comparison: Comparison, use: InitializerUse, path: str, spelled: str,
                  key_a: tuple, key_b: tuple, old: dict, new: dict) -> list[Finding]:
    first, second = comparison.first, comparison.second
    keep = None
    if key_a == key_b:
        events = [e for e in comparison.events() if e.get("initializer") == list(key_a)
                  and e["text"].startswith("drawn")]
        passed = set(use.arguments or {})
        relevant = []
        for event in events:
            names = {part.split(" ")[0] for part in (event.get("settings") or "").split(", ")
                     if part}
            if names and names <= passed and key_a[1] == "constructor":
                continue  # a default the call does not use
            relevant.append(event)
        changed = bool(relevant) and not (len(relevant) > 1 and _declared(old) == _declared(new))
        keep = next((e.get("keep") for e in relevant if e.get("keep")), None)
        settings = "; ".join(e["settings"] for e in relevant if e.get("settings"))
    else:
        changed = [d[1] for d in _declared(old)] != [d[1] for d in _declared(new)]
        settings = ""
    if not changed:
        return []
    call = use.call
    message = (f"{spelled} draws another distribution: {comparison.label(first)} "
               f"{_short(old)} → {comparison.label(second)} {_short(new)}"
               + (f" ({settings})" if settings else ""))
    if keep and CODE.match(keep):
        fix = Fix(keep, UNVERIFIED, "the source's arguments passed explicitly; by the report's "
                  "theory, not run in the target",
                  {"kind": "initializer", "env": second, "code": keep,
                   "legacy_keras": comparison.legacy_active(second),
                   "reference": {"env": first, "key": list(key_a)}})
    else:
        fix = Fix("", NONE, keep or "nothing measured in the target gives the source's draws")
    return [Finding(path, call.line, call.col, "IC303", spelled, message,
                    (f"in {comparison.title(first)}: {_words(old)}",
                     f"in {comparison.title(second)}: {_words(new)}"), (fix,),
                    {"a": old, "b": new, "settings": settings})]
