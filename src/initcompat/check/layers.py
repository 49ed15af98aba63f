"""A layer call from A to B: availability, and for each weight left to its default the drawn
distribution, the fan rule, the shape and the layer defaults that shape it, from the measured
cells and the report's events between A and B. Pure.

A distribution change is the report's verdict (its two-sample tests between consecutive
versions: the events between A and B), unless A and B draw what the data names the same way and
the events between them go there and back; shapes and settings are compared directly (they are
exact). Where the file sets TF_USE_LEGACY_KERAS=1 and only one side reads it, the rows differ
and the cells are compared directly.
"""

from __future__ import annotations

import re

from initcompat.check.context import Comparison
from initcompat.check.findings import MEASURED, NONE, UNVERIFIED, Finding, Fix, drawn_words, shape_words
from initcompat.check.uses import LayerUse
from initcompat.probe import catalogue, schema

# Settings whose other default changes a weight (shape arguments are the user's own).
DEFAULT_SETTINGS = ("reset_after", "unit_forget_bias", "use_bias", "center", "scale",
                    "depth_multiplier", "axis")
_SETTING_TEXT = re.compile(r"^(\w+) ")
# How a family spells its layers, for a fix that moves a call to another family.
LAYER_PREFIX = {schema.FAMILY_TF_LAYERS: "tf.layers", schema.FAMILY_COMPAT_V1_LAYERS: "tf.compat.v1.layers",
                schema.FAMILY_TF_KERAS: "tf.keras.layers", schema.FAMILY_KERAS: "keras.layers",
                schema.FAMILY_TF_KERAS_PACKAGE: "tf_keras.layers",
                schema.FAMILY_COMPAT_V1_KERAS: "tf.compat.v1.keras.layers"}
# Where an explicit initializer for a family's layers is spelled in a fix.
INITIALIZER_PREFIX = {schema.FAMILY_TF_KERAS: "tf.keras.initializers",
                      schema.FAMILY_KERAS: "keras.initializers",
                      schema.FAMILY_TF_KERAS_PACKAGE: "tf_keras.initializers"}
GRAPH_INITIALIZERS = "tf.compat.v1.keras.initializers"
LEGACY_SETUP = ('os.environ["TF_USE_LEGACY_KERAS"] = "1" before TensorFlow is imported '
                '(pip install tf-keras), then ')
CONSISTENT = "consistent"  # a cell's fit: its draws agree with its theory (report/fit.py)
_KEEP_PASS = re.compile(r"^pass (\w+)=(.+)$")
_KEEP_EXPLICIT = re.compile(r"^pass the initializer explicitly: (.+)$")


def _same_draw(first: dict, second: dict) -> bool:
    """Whether two ok cells name the same default the same way (declaration, config, theory,
    shape) and draw it: both drawn samples consistent with that same theory, or, where one is
    not, the same drawn label. The label is read off a sample (±0.2886 in one, ±0.2887 in the
    other for the same Glorot bound), so it decides only where no theory vouches for both."""
    if any(first.get(key) != second.get(key) for key in ("declared", "config", "theory", "shape")):
        return False
    if first.get("theory") and first.get("fit") == second.get("fit") == CONSISTENT:
        return True
    return first.get("drawn") == second.get("drawn")


def _where(comparison: Comparison, use: LayerUse, layer: str, env: str) -> tuple[int, dict] | None:
    """The first of the call's weights measured in `env`: (row, cell), or None."""
    for role in use.roles:
        row = comparison.row(use.family, env, layer, role)
        cell = comparison.data.cell(env, row) if row is not None else None
        if cell is not None:
            return row, cell
    return None


def _steps_passed(events: list[dict], settings: dict) -> set[tuple]:
    """The (env, since) steps of a row whose layer-default events name only settings the call
    passes itself: what changed there is the default it does not use."""
    named: dict[tuple, set] = {}
    for event in events:
        if event["kind"] == "layer default":
            found = _SETTING_TEXT.match(event["text"])
            named.setdefault((event["env"], event.get("since")), set()).add(
                found.group(1) if found else event["text"])
    return {step for step, names in named.items() if names <= set(settings)}


def layer_recipe(comparison: Comparison, use: LayerUse, layer: str, roles, settings=None,
                 initializers=None) -> dict | None:
    """How to run a layer fix in the target (initcompat.check.plan): the target's family and
    layer built with the fix's settings or initializers, its `roles` drawn, and the source's rows
    of those weights to compare with; None where a row is missing on either side."""
    data, first, second = comparison.data, comparison.first, comparison.second
    target = [comparison.row(use.family, second, layer, role) for role in roles]
    source = [comparison.row(use.family, first, layer, role) for role in roles]
    if not roles or None in target or None in source:
        return None
    families = {data.rows[row][:2] for row in target}
    if len(families) != 1:
        return None
    family, legacy = families.pop()
    return {"kind": "layer", "env": second, "family": family, "legacy_keras": legacy,
            "layer": layer, "settings": dict(settings or {}),
            "initializers": dict(initializers or {}), "roles": list(roles),
            "reference": {"env": first, "rows": [list(data.rows[row]) for row in source]}}


def _initializer_fix(comparison: Comparison, use: LayerUse, keep: str | None, layer: str,
                     role: str) -> Fix:
    family = comparison.family(use.family, comparison.second)[0]
    prefix = INITIALIZER_PREFIX.get(family, GRAPH_INITIALIZERS)
    found = _KEEP_PASS.match(keep or "")
    if found:
        code = f"{prefix}.{found.group(2)}"
        return Fix(f"{found.group(1)}={code}", UNVERIFIED,
                   f"the initializer {comparison.label(comparison.first)} declared; the report's "
                   f"theory says it draws the same in {comparison.label(comparison.second)} "
                   "(not run there)",
                   layer_recipe(comparison, use, layer, [role],
                                initializers={found.group(1): code}))
    found = _KEEP_EXPLICIT.match(keep or "")
    if found:
        code = f"{prefix}.{found.group(1)}"
        return Fix(code, UNVERIFIED,
                   f"the initializer {comparison.label(comparison.first)} declared, passed "
                   "explicitly; by the report's theory, not run in the target",
                   layer_recipe(comparison, use, layer, [role],
                                initializers={catalogue.INITIALIZER_ARGUMENT[role]: code}))
    if keep:
        return Fix("", NONE, keep)
    return Fix("", NONE, "nothing measured in the target gives the source's draws")


def _role_changes(comparison: Comparison, use: LayerUse, layer: str, role: str) -> dict:
    """What changes for one defaulted weight: {"distribution", "fans", "shape", "settings",
    "keep", "a", "b"} (empty when nothing does)."""
    first, second = comparison.first, comparison.second
    rows = [comparison.row(use.family, env, layer, role) for env in (first, second)]
    cells = [comparison.data.cell(env, row) if row is not None else None
             for env, row in zip((first, second), rows)]
    if None in cells or any(cell.get("status") != "ok" for cell in cells):
        return {}
    a, b = cells
    differing = {key: (a["settings"].get(key), b["settings"].get(key))
                 for key in DEFAULT_SETTINGS
                 if key in (a.get("settings") or {}) and key in (b.get("settings") or {})
                 and a["settings"][key] != b["settings"][key]}
    passed = {key for key in differing if key in use.settings}
    shape = a.get("shape") != b.get("shape")
    keep = None
    if rows[0] == rows[1]:
        events = [e for e in comparison.events() if e.get("row") == rows[0]
                  and e["kind"] in ("distribution", "shape", "layer default")]
        skipped = _steps_passed(events, use.settings)
        drawn = [e for e in events if e["kind"] == "distribution"
                 and (e["env"], e.get("since")) not in skipped]
        distribution = bool(drawn) and not (len(drawn) > 1 and _same_draw(a, b))
        keep = next((e.get("keep") for e in drawn if e.get("keep")), None)
    else:
        distribution = not _same_draw(dict(a, shape=None), dict(b, shape=None))
    if passed:  # the call passes the setting whose default changed: that change is not its
        shape = distribution = False
    unused = {key: value for key, value in differing.items() if key not in passed}
    if not (distribution or shape):
        unused = {}
    if not (distribution or shape or unused):
        return {}
    fans = distribution and a.get("declared") == b.get("declared") and \
        a.get("config") == b.get("config") and a.get("fans") != b.get("fans")
    return {"distribution": distribution, "fans": fans, "shape": shape, "settings": unused,
            "keep": keep, "a": a, "b": b}


def _availability(comparison: Comparison, use: LayerUse, layer: str, path: str,
                  a: dict, b: dict) -> list[Finding]:
    call, first, second = use.call, comparison.first, comparison.second
    if a.get("status") == "ok" and b.get("status") != "ok":
        return [Finding(path, call.line, call.col, "IC101", call.shown,
                        f"{call.shown} raises in {comparison.label(second)}: {b.get('error')} "
                        f"(works in {comparison.label(first)})",
                        details=(f"in {comparison.title(first)}: "
                                 + "; ".join(_defaults_words(comparison, use, layer, first)),),
                        fixes=tuple(_alternatives(comparison, use, layer)),
                        data={"error": b.get("error")})]
    if a.get("status") != "ok" and b.get("status") == "ok":
        return [Finding(path, call.line, call.col, "IC102", call.shown,
                        f"{call.shown} raises in {comparison.label(first)} ({a.get('error')}) "
                        f"and works in {comparison.label(second)}",
                        details=(f"in {comparison.title(second)}: "
                                 + "; ".join(_defaults_words(comparison, use, layer, second)),),
                        data={"error": a.get("error")})]
    return []


def _defaults_words(comparison: Comparison, use: LayerUse, layer: str, env: str) -> list[str]:
    words = []
    for role in use.defaulted:
        row = comparison.row(use.family, env, layer, role)
        cell = comparison.data.cell(env, row) if row is not None else None
        if cell and cell.get("status") == "ok":
            words.append(f"{role} {drawn_words(cell)}")
    return words or ["no weight left to its default"]


def _alternatives(comparison: Comparison, use: LayerUse, layer: str) -> list[Fix]:
    """Families of the target that still build this layer, each with whether every weight the
    call leaves to its default draws there as in the source (measured, cell by cell)."""
    first, second, data = comparison.first, comparison.second, comparison.data
    family = use.family
    candidates = []
    if family.startswith("tf.") and not family.startswith("tf.compat.v1.") and \
            "tf.compat.v1." + family[3:] in LAYER_PREFIX:
        candidates.append(("tf.compat.v1." + family[3:], False))
    for name in [family] + [c[0] for c in candidates]:
        candidates.append((name, True))
    if family in (schema.FAMILY_TF_KERAS, schema.FAMILY_KERAS):
        candidates.append((schema.FAMILY_TF_KERAS_PACKAGE, True))
    fixes, seen = [], set()
    for name, legacy in candidates:
        target = (schema.FAMILY_TF_KERAS_PACKAGE if legacy and name == schema.FAMILY_TF_KERAS
                  else name, legacy)
        if target in seen or target == comparison.family(family, second) or \
                name not in LAYER_PREFIX:
            continue
        seen.add(target)
        same, differ = [], []
        for role in use.roles:
            row = data.row(target[0], target[1], layer, role)
            if row is None and target[0] == schema.FAMILY_TF_KERAS_PACKAGE:
                row = data.row(target[0], not target[1], layer, role)
            new = data.cell(second, row) if row is not None else None
            if new is None or new.get("status") != "ok":
                break
            old_row = comparison.row(family, first, layer, role)
            old = data.cell(first, old_row) if old_row is not None else None
            if role in use.defaulted:
                (same if old and old.get("status") == "ok" and _same_draw(old, new)
                 else differ).append(role)
        else:
            callee = f"{LAYER_PREFIX[name]}.{use.call.path.rsplit('.', 1)[1]}"
            setup = LEGACY_SETUP if legacy and target[0] != schema.FAMILY_TF_KERAS_PACKAGE else ""
            where = comparison.label(second)
            if not differ:
                fixes.append(Fix(f"{setup}{callee}(...)", MEASURED,
                                 f"measured in {where}: " + (
                                     f"{', '.join(same)} draw{'s' if len(same) == 1 else ''} "
                                     f"as in {comparison.label(first)}"
                                     if same else "builds the layer")))
            else:
                fixes.append(Fix(f"{setup}{callee}(...)", NONE,
                                 f"measured in {where}: builds the layer, but {', '.join(differ)} "
                                 f"draw otherwise than in {comparison.label(first)}"))
    fixes.sort(key=lambda fix: fix.status != MEASURED)
    return fixes or [Fix("", NONE, f"no family measured in {comparison.label(second)} builds "
                                   "this layer")]


def _spelling_measured(comparison: Comparison, use: LayerUse, env: str) -> bool:
    """Whether the data measured the call as the file spells it: the probe measures the
    tf.compat.v1 families as tf.X before TF 1.13 (no tf.compat.v1 yet), and tf.get_variable or
    tf.nn.rnn_cell are those families' functions in TF 1 only."""
    if use.call.path.startswith("tf.compat.v1."):
        return comparison.compat_v1(env)
    if use.tf1_only:
        return comparison.tensorflow(env)[:1] == (1,)
    return True


_GROUPS = re.compile(r"seed group (\S+) → (\S+)\)")
_GRAPH_SEED = ("tf.set_random_seed", "tf.compat.v1.set_random_seed")  # one graph-level seed


def seeding_method(seed_call: str | None) -> str | None:
    """The seeding method of a cell's seed call: 'tf.set_random_seed (graph-level)' -> the graph
    seed, 'tf.keras.utils.set_random_seed' -> 'keras.utils.set_random_seed'."""
    call = str(seed_call or "").split(" (")[0]
    if call in _GRAPH_SEED:
        return "graph seed"
    if call.endswith("utils.set_random_seed"):
        return "keras.utils.set_random_seed"
    return call or None


def _seeded(comparison: Comparison, use: LayerUse, layer: str, path: str,
            methods: set) -> list[Finding]:
    """Where the file seeds with the very call the probe seeded a weight with on both sides:
    whether the same seed still gives that weight's bytes (the report's row events "seeded
    stream", "seeding")."""
    wanted = {("graph seed" if m in _GRAPH_SEED else m) for m in methods}
    first, second = comparison.first, comparison.second
    other, lost, gained, calls = [], [], [], set()
    for role in use.defaulted:
        rows = [comparison.row(use.family, env, layer, role) for env in (first, second)]
        if rows[0] is None or rows[0] != rows[1]:
            continue
        cells = [comparison.data.cell(env, rows[0]) for env in (first, second)]
        if None in cells or any(cell.get("status") != "ok" for cell in cells):
            continue
        method = {seeding_method(cell.get("seed_call")) for cell in cells}
        if len(method) != 1 or not method & wanted:
            continue
        events = [e for e in comparison.events() if e.get("row") == rows[0]
                  and e["kind"] in ("seeded stream", "seeding")]
        streams = [_GROUPS.search(e["text"]) for e in events if e["kind"] == "seeded stream"]
        streams = [found.groups() for found in streams if found]
        states = [not ("no longer" in e["text"] or e["text"].startswith("seeding fails"))
                  for e in events if e["kind"] == "seeding"]
        calls.add(cells[1].get("seed_call"))
        if states and states[0] != states[-1]:
            continue  # lost and regained (or the reverse): as it was
        if states:
            (gained if states[-1] else lost).append(role)
        elif streams and streams[0][0] != streams[-1][1]:
            other.append(f"{role} (seed group {streams[0][0]} → {streams[-1][1]})")
    findings = []
    call, seeded_with = use.call, ", ".join(sorted(c for c in calls if c))
    labels = comparison.label(first), comparison.label(second)
    if other:
        findings.append(Finding(path, call.line, call.col, "IC402", call.shown,
                                f"{call.shown}: the same seed gives other weights in {labels[1]} "
                                f"than in {labels[0]}: {', '.join(other)} (measured seeded with "
                                f"{seeded_with})",
                                fixes=(Fix("", NONE, "no seeding call measured in the target "
                                               "draws these weights' bytes"),)))
    for code, roles, words in (("IC401", lost, "no longer gives the same"),
                               ("IC403", gained, "now gives the same")):
        if roles:
            findings.append(Finding(path, call.line, call.col, code, call.shown,
                                    f"{call.shown}: with the file's seeding, {', '.join(roles)} "
                                    f"{words} weights in two runs ({labels[0]} → {labels[1]}, "
                                    f"measured seeded with {seeded_with})"))
    return findings


def compare_layer(comparison: Comparison, use: LayerUse, path: str,
                  methods: set = frozenset()) -> list[Finding] | None:
    """The findings of one layer call; None when the data did not measure it on both sides."""
    layer = comparison.layer_id(use.kind, use.call.literals)
    if layer is None or not all(_spelling_measured(comparison, use, env)
                                for env in (comparison.first, comparison.second)):
        return None
    found = [_where(comparison, use, layer, env) for env in (comparison.first, comparison.second)]
    if None in found:
        return None
    (_, a), (_, b) = found
    if a.get("status") != "ok" or b.get("status") != "ok":
        return _availability(comparison, use, layer, path, a, b)
    call = use.call
    findings = []
    first, second = comparison.label(comparison.first), comparison.label(comparison.second)
    for role in use.defaulted:
        change = _role_changes(comparison, use, layer, role)
        if not change:
            continue
        old, new = change["a"], change["b"]
        details = (f"{role} in {comparison.title(comparison.first)}: {drawn_words(old)}",
                   f"{role} in {comparison.title(comparison.second)}: {drawn_words(new)}")
        facts = {"role": role, "a": old, "b": new}
        if change["distribution"]:
            if change["fans"]:
                message = (f"{call.shown}: {role} left to its default ({new.get('declared')}) "
                           f"takes other fans: {first} {_fans(old)} → {second} {_fans(new)}")
                code = "IC204"
            else:
                message = (f"{call.shown}: {role} left to its default draws another "
                           f"distribution: {first} {_short(old)} → {second} {_short(new)}")
                code = "IC201"
            findings.append(Finding(path, call.line, call.col, code, call.shown, message,
                                    details, (_initializer_fix(comparison, use, change["keep"],
                                                               layer, role),),
                                    facts))
        if change["shape"]:
            findings.append(Finding(
                path, call.line, call.col, "IC202", call.shown,
                f"{call.shown}: {role} shape {first} {shape_words(old)} → {second} "
                f"{shape_words(new)} (the suite's layer)", details,
                tuple(_setting_fix(change["settings"], comparison, use, layer)), facts))
        for name, (was, now) in change["settings"].items():
            findings.append(Finding(
                path, call.line, call.col, "IC203", call.shown,
                f"{call.shown}: default {name}: {first} {was!r} → {second} {now!r} (changes "
                f"its {role})", details,
                tuple(_setting_fix({name: (was, now)}, comparison, use, layer)),
                dict(facts, setting=name, before=was, after=now)))
    if methods:
        findings.extend(_seeded(comparison, use, layer, path, methods))
    return _merged(findings)


def _fans(summary: dict) -> str:
    fans = summary.get("fans")
    return f"fan_in={fans[0]}, fan_out={fans[1]}" if isinstance(fans, list) and len(fans) == 2 \
        else "unknown fans"


def _short(summary: dict) -> str:
    """'uniform on [0, 1] (random uniform (minval=0))': drawn, then declared."""
    drawn, declared = summary.get("drawn"), summary.get("declared")
    return f"{drawn} ({declared})" if drawn and declared else (drawn or declared or "?")


def _setting_fix(settings: dict, comparison: Comparison, use: LayerUse,
                 layer: str) -> list[Fix]:
    """The source's default of each changed setting, passed; run in the target with every
    weight the call leaves to its default."""
    return [Fix(f"{name}={was!r}", UNVERIFIED,
                f"the default of {comparison.label(comparison.first)}; the layer with it is not "
                f"measured in {comparison.label(comparison.second)}",
                layer_recipe(comparison, use, layer, list(use.defaulted), settings={name: was}))
            for name, (was, _) in settings.items()]


def _merged(findings: list[Finding]) -> list[Finding]:
    """One IC203 per setting of a call (a setting that shapes several weights is one line)."""
    seen, kept = set(), []
    for finding in findings:
        key = (finding.code, finding.data.get("setting")) if finding.code == "IC203" else None
        if key is not None and key in seen:
            continue
        if key is not None:
            seen.add(key)
        kept.append(finding)
    return kept
