"""What keeps the old behaviour after an upgrade, where the measurements can say so.

annotate() adds to timeline events the fields the upgrade verdict (report/verdict.py) reads:
- "keep": what an upgrader does to keep the older side's behaviour, derived only from what was
  measured: the explicit initializer (class and config) the older version declared, when a
  layer's default draw changed with its declared initializer; the older constructor arguments
  of an initializer whose default config changed (tf.random_normal_initializer(stddev=1.0)).
  Both only when the older draws fit what they declare and the report's theory says that
  class and config declare the older distribution in the newer version too (a TF 1.10
  VarianceScaling(distribution='normal') is the corrected truncated normal, so passing it does
  not bring 1.9's draws back, and is not offered);
  the family that still offers a removed family's layers in the newer version, with how many
  weights draw as before (tf.compat.v1.layers, or TF_USE_LEGACY_KERAS=1); the seeding calls
  measured reproducible in the newer version when one stopped working. Where the data shows
  nothing restores it (the same class and config, other draws) it says so.
- "settings": an initializer's changed config, 'stddev 1.0 → 0.05'.
- "of": for a seeded-stream change of a weight, how many weights of its family were
  reproducible on both sides of that step (so a line can say "all 39 weights").
A layer setting's old value (reset_after=False) is read from the event itself (verdict.py).
Pure.
"""

from __future__ import annotations

import re

from initcompat.probe import schema
from initcompat.report import fit, theory
from initcompat.report.analysis import reproducible
from initcompat.report.describe import declared_label
from initcompat.report.frame import family_label
from initcompat.report.initializer_records import analyse_draw, anchor, records_of
from initcompat.report.layer_theory import layer_distribution
from initcompat.report.measured import Measured, cell_id

_ATTRIBUTE = re.compile(r"layer attribute (\w+)")
_QUIET = ("seed", "dtype")  # config entries that do not shape a distribution
# Seeding calls a user makes (the other Seeding-section rows are scenarios of these).
_SEEDING_CALLS = ("tf.set_random_seed", "tf.compat.v1.set_random_seed", "tf.random.set_seed",
                  "keras.utils.set_random_seed", "initializer(seed=\u2026)")
_LOST = ("no longer offered", "now raises", "seeding fails", "the same seed no longer",
         "a repeat in one process now draws other bytes")
LEGACY = " (TF_USE_LEGACY_KERAS=1)"


def _arguments(config: dict) -> dict:
    return {key: value for key, value in sorted((config or {}).items()) if key not in _QUIET}


def _call(name: str, arguments: dict) -> str:
    return f"{name}({', '.join(f'{key}={value!r}' for key, value in arguments.items())})"


class _Context:
    """Lookups over the measured results, built when first asked for."""

    def __init__(self, measured: Measured):
        self.measured = measured
        self.label = {env["name"]: env["label"] for env in measured.envs}
        self.result = {env["name"]: result for env, result in zip(measured.envs, measured.results)}
        self._keys: dict[str, dict[str, tuple]] = {}
        self.families: dict[str, list[tuple]] = {}
        for key in measured.row_keys:
            self.families.setdefault(family_label(key[0], key[1]), []).append(key)

    def key(self, env: str, cell: str) -> tuple | None:
        if env not in self._keys:
            self._keys[env] = {cell_id(key, env): key for key in self.measured.row_keys}
        return self._keys[env].get(cell)

    def cell(self, key: tuple, env: str) -> dict | None:
        return self.measured.cells.get((key, env))

    def available(self, family: str, env: str) -> bool:
        return any((self.cell(key, env) or {}).get("status") == "ok"
                   for key in self.families.get(family, ()))


def _keras_of(result: dict) -> str | None:
    """The Keras an environment had (as measured.measure reads it)."""
    return (((result.get("installed") or {}).get("packages") or {}).get("keras")
            or result["env"].get("keras"))


def _description(distribution) -> str | None:
    return distribution.description if distribution is not None else None


def _declared_keep(context: _Context, event: dict) -> str:
    """A layer weight whose draw changed: the older side's initializer passed explicitly, when
    the theory says that class and config give the older distribution in the newer version
    too (and the older draws fit it); else what the data shows."""
    key = context.key(event["env"], event["cell"])
    before, after = (context.cell(key, name) for name in (event["since"], event["env"])) \
        if key else (None, None)
    if not (before and after) or "ok" != before["status"] or "ok" != after["status"]:
        return ""
    initializer = before.get("initializer") or {}
    arguments = _arguments(initializer.get("config"))
    if declared_label(before) == declared_label(after) and \
            arguments == _arguments((after.get("initializer") or {}).get("config")):
        return (f"nothing measured here does: both versions declare {declared_label(before)} "
                "with the same config")
    old = context.measured.analyses.get((key, event["since"]))
    if not initializer.get("class_name") or not old or not old.theory or \
            old.fit_verdict != fit.VERDICT_CONSISTENT:
        return ""
    result = context.result[event["env"]]
    hypothesis = dict(after, initializer=dict(after.get("initializer") or {},
                                              class_name=initializer["class_name"],
                                              config=initializer.get("config")))
    try:
        proposed = layer_distribution(hypothesis, result["env"]["tensorflow"], _keras_of(result))
    except (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError):
        return ""
    if _description(proposed) != old.theory:
        return ""  # that class would not draw the older distribution in the newer version
    expression = _call(initializer["class_name"], arguments)
    for cell in (after, before):
        found = _ATTRIBUTE.search((cell.get("initializer") or {}).get("resolved_by") or "")
        if found:
            return f"pass {found.group(1)}={expression}"
    return f"pass the initializer explicitly: {expression}"


def _draw_theory(record: dict, version: str, module: str | None = None) -> list:
    """The declared distribution of each ok draw of an initializer record, in draw order."""
    found = []
    for draw in record.get("draws") or []:
        if draw.get("status") != "ok":
            continue
        try:
            distribution = theory.declared_distribution(
                record.get("class_name") or "", record.get("config") or {}, draw["shape"],
                version, module or record.get("module"))
        except (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError):
            distribution = None
        found.append(_description(distribution))
    return found


def _initializer_fields(context: _Context, event: dict) -> dict:
    """An initializer whose default draw changed: its changed config and, for a constructor
    called without arguments, the call with the older values, offered when the theory says
    those values give the older draws in the newer version (and the older draws fit it)."""
    results = context.result.get(event["since"]) or {}, context.result.get(event["env"]) or {}
    after = records_of(results[1])
    key = next((k for k in after if anchor(k) == event["cell"]), None)
    old = records_of(results[0]).get(key) if key else None
    if not (key and old and old.get("status") == "ok"):
        return {}
    new = after[key]
    configs = _arguments(old.get("config")), _arguments(new.get("config"))
    names = [name for name in dict.fromkeys(list(configs[0]) + list(configs[1]))
             if configs[0].get(name, "absent") != configs[1].get(name, "absent")]
    if not names:
        return {"keep": "no argument does: the config is the same in both versions"}
    settings = ", ".join(f"{name} {configs[0].get(name, 'absent')!r} → "
                         f"{configs[1].get(name, 'absent')!r}".replace("'absent'", "absent")
                         for name in names)
    fields = {"settings": settings}
    namespace, how, name, arguments = key
    passed = {n: configs[0][n] for n in names if n in configs[0]}
    if how != "constructor" or arguments != "{}" or len(passed) != len(names):
        return fields
    versions = results[0]["env"]["tensorflow"], results[1]["env"]["tensorflow"]
    fits = [analyse_draw(old, draw, versions[0]).fit for draw in old.get("draws") or []
            if draw.get("status") == "ok"]
    wanted = _draw_theory(old, versions[0])
    proposed = _draw_theory(dict(new, config=dict(new.get("config") or {}, **passed)),
                            versions[1])
    if fits and all(f == fit.VERDICT_CONSISTENT for f in fits) and None not in wanted \
            and proposed == wanted:
        fields["keep"] = _call(f"{namespace}.{name}", passed)
    return fields


def draws_alike(before, after) -> bool:
    """Whether two analysed cells draw the same: both samples consistent with the same theory,
    or, where no theory vouches for both, the same fingerprint. A fingerprint is read off a
    sample (a bound of ±0.1508 in one run, ±0.1507 in the next for the same Glorot bound), so
    comparing fingerprints alone made "all 22 weights draw as before" read "21 of 22" by chance."""
    if before is None or after is None:
        return False
    if before.theory and before.theory == after.theory \
            and before.fit_verdict == after.fit_verdict == fit.VERDICT_CONSISTENT:
        return True
    return before.fingerprint is not None and before.fingerprint == after.fingerprint


def _family_keep(context: _Context, event: dict) -> str:
    """A family gone in the newer version: the families there that still offer its layers."""
    family, env, since = event["row"], event["env"], event["since"]
    bare = family[:-len(LEGACY)] if family.endswith(LEGACY) else family
    candidates = []
    if bare.startswith("tf.") and not bare.startswith("tf.compat.v1."):
        candidates.append("tf.compat.v1." + bare[3:])
    candidates += [name + LEGACY for name in (bare, *candidates) if name + LEGACY != family]
    said = []
    for candidate in candidates:
        if not context.available(candidate, env):
            continue
        olds = {(k[2], k[3]): k for k in context.families.get(family, ())
                if (context.cell(k, since) or {}).get("status") == "ok"}
        same = total = 0
        for key in context.families.get(candidate, ()):
            old = olds.get((key[2], key[3]))
            new = context.measured.analyses.get((key, env))
            if old is None or (context.cell(key, env) or {}).get("status") != "ok":
                continue
            total += 1
            same += draws_alike(context.measured.analyses.get((old, since)), new)
        how = "set TF_USE_LEGACY_KERAS=1 and use " if candidate.endswith(LEGACY) else "use "
        draws = (f"all {total} weights draw as {family} did" if same == total
                 else f"{same} of {total} weights draw as {family} did") if total else \
            "no weight measured on both"
        said.append(f"{how}{candidate.removesuffix(LEGACY)} (measured in "
                    f"{context.label.get(env)}: {draws})")
    return "; or ".join(said)


def _seeding_keep(context: _Context, event: dict) -> str:
    """Seeding that stopped working: the calls measured reproducible in the newer version."""
    family = event["family"].removesuffix(LEGACY)
    records = ((context.result.get(event["env"]) or {}).get("seeding") or {}).get("records") or []
    lost = event.get("layer") if str(event.get("cell", "")).startswith("sd-") else None
    calls = list(dict.fromkeys(
        record["method"] for record in records
        if record.get("family") == family and record.get("status") == schema.SEED_REPRODUCIBLE
        and record.get("method") in _SEEDING_CALLS and record.get("method") != lost))
    return f"seed with {' or '.join(calls)} (reproducible in {context.label.get(event['env'])})" \
        if calls else ""


def _stream_of(context: _Context, event: dict) -> int:
    """The weights of the event's family reproducible on both sides of its step."""
    return sum(1 for key in context.families.get(event["family"], ())
               if all(cell and cell.get("status") == "ok" and reproducible(cell)
                      for cell in (context.cell(key, event["since"]),
                                   context.cell(key, event["env"]))))


def annotate(measured: Measured, events: list[dict]) -> list[dict]:
    """The events with "keep", "settings" and "of" added where the measurements support them."""
    context = _Context(measured)
    annotated = []
    for event in events:
        kind, text, extra = event["kind"], event["text"], {}
        if kind == "distribution" and str(event.get("cell", "")).startswith("c-"):
            extra["keep"] = _declared_keep(context, event)
        elif kind == "initializer" and text.startswith("drawn "):
            extra = _initializer_fields(context, event)
        elif kind == "availability" and not event.get("layer") and text.startswith("available →"):
            extra["keep"] = _family_keep(context, event)
        elif kind == "seeding" and (text.startswith(_LOST) or text.endswith("→ not reproducible")):
            extra["keep"] = _seeding_keep(context, event)
        elif kind == "seeded stream" and str(event.get("cell", "")).startswith("c-"):
            extra["of"] = _stream_of(context, event)
        extra = {name: value for name, value in extra.items() if value}
        annotated.append(dict(event, **extra) if extra else event)
    return annotated
