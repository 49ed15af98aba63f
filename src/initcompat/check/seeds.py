"""The seeding calls a file makes, from A to B: whether each still gives reproducible weights and
whether the same seed still gives A's weights, from the seeding step (two fresh processes, seed
1234, a default Dense kernel and a direct initializer call per API family). Only for a file that
seeds; only the families and targets the file uses. Pure.
"""

from __future__ import annotations

from initcompat.check.context import Comparison
from initcompat.check.findings import MEASURED, NONE, Finding, Fix
from initcompat.check.uses import SEED_ZERO_METHOD, SEEDED_INITIALIZER_METHOD, SeedUse, Uses
from initcompat.probe import schema

REPRODUCIBLE = schema.SEED_REPRODUCIBLE
DENSE, INITIALIZER_CALL = "Dense kernel", "initializer call"
# The families of the seeding step, and which measured family a call's family is seeded as.
SEEDING_FAMILIES = (schema.FAMILY_TF_LAYERS, schema.FAMILY_COMPAT_V1_LAYERS, schema.FAMILY_TF_KERAS,
                    schema.FAMILY_KERAS, schema.FAMILY_TF_KERAS_PACKAGE)
NAMESPACE_FAMILIES = {"tf": schema.FAMILY_TF_LAYERS,
                      "tf.compat.v1": schema.FAMILY_COMPAT_V1_LAYERS,
                      "tf.initializers": schema.FAMILY_TF_LAYERS,
                      "tf.compat.v1.initializers": schema.FAMILY_COMPAT_V1_LAYERS,
                      "tf.contrib.layers": schema.FAMILY_TF_LAYERS,
                      "tf.keras.initializers": schema.FAMILY_TF_KERAS,
                      "keras.initializers": schema.FAMILY_KERAS,
                      "tf_keras.initializers": schema.FAMILY_TF_KERAS_PACKAGE}
# A seeding call with no family of its own, in a file with no layer the step measures.
METHOD_FAMILIES = {"tf.set_random_seed": schema.FAMILY_TF_LAYERS,
                   "tf.compat.v1.set_random_seed": schema.FAMILY_COMPAT_V1_LAYERS,
                   "tf.random.set_seed": schema.FAMILY_TF_KERAS}


def _places(uses: Uses, seed: SeedUse) -> list[tuple[str, str]]:
    """(family, target) pairs the seeding call decides in this file."""
    if seed.method in (SEEDED_INITIALIZER_METHOD, SEED_ZERO_METHOD):
        initializer = next((u for u in uses.initializers if u.call is seed.call), None)
        family = NAMESPACE_FAMILIES.get(initializer.namespace) if initializer else None
        return [(family, INITIALIZER_CALL)] if family else []
    places = []
    for layer in uses.layers:
        if layer.family in SEEDING_FAMILIES:
            places.append((layer.family, DENSE))
    for initializer in uses.initializers:
        family = initializer.family or NAMESPACE_FAMILIES.get(initializer.namespace)
        if family and not initializer.family:
            places.append((family, INITIALIZER_CALL))
    if seed.family is not None:
        places = [place for place in places if place[0] == seed.family] or [(seed.family, DENSE)]
    if not places and seed.method in METHOD_FAMILIES:
        places = [(METHOD_FAMILIES[seed.method], DENSE)]
    return list(dict.fromkeys(places))


# The seeding methods a user writes, as code for a family (the step's other methods are
# scenarios of these: one instance used twice, two instances, seed 0).
_CALLS = {"tf.set_random_seed": "tf.set_random_seed({seed})",
          "tf.compat.v1.set_random_seed": "tf.compat.v1.set_random_seed({seed})",
          "tf.random.set_seed": "tf.random.set_seed({seed})",
          "keras.utils.set_random_seed": "{family}.utils.set_random_seed({seed})",
          SEEDED_INITIALIZER_METHOD: "pass seed={seed} to the initializer"}
_KERAS_SPELLING = {schema.FAMILY_TF_KERAS: "tf.keras", schema.FAMILY_KERAS: "keras",
                   schema.FAMILY_TF_KERAS_PACKAGE: "tf_keras"}


def _code(method: str, family: str, seed) -> str:
    spelled = _KERAS_SPELLING.get(family, "tf.keras")
    return _CALLS[method].format(family=spelled, seed=seed if seed is not None else "SEED")


def _same_bytes(comparison: Comparison, seed: SeedUse, family: str, target: str,
                group: str) -> list[Fix]:
    """The seeding calls of the target whose bytes are the source's (the same group letter is
    the same sha256 within a method), as code."""
    fixes = []
    for (name, method, where), record in comparison.data.seeding(comparison.second).items():
        if (name, where) == (family, target) and method in _CALLS and \
                record.get("status") == REPRODUCIBLE and record.get("group") == group:
            fixes.append(Fix(_code(method, family, seed.seed), MEASURED,
                             f"measured in {comparison.label(comparison.second)} for {family} "
                             f"({target}): two fresh processes drew the bytes "
                             f"{seed.method} drew in {comparison.label(comparison.first)} "
                             f"(seed 1234)"))
    return fixes


def _reproducible_there(comparison: Comparison, family: str, target: str, seed) -> list[str]:
    return [_code(method, family, seed) for (name, method, where), record in
            comparison.data.seeding(comparison.second).items()
            if (name, where) == (family, target) and record.get("status") == REPRODUCIBLE
            and method in _CALLS]


def _compare_place(comparison: Comparison, seed: SeedUse, family: str, target: str):
    """(code, words, fixes, facts) for one family and target, or None."""
    first, second = comparison.first, comparison.second
    reached = [comparison.family(family, env) for env in (first, second)]
    families = [name for name, _ in reached]
    records = [comparison.data.seeding(env).get((name, seed.method, target))
               for env, name in zip((first, second), families)]
    if None in records or not comparison.data.has_family(second, *reached[1]):
        return None  # not measured, or the family is gone (its layers' findings say so)
    a, b = records
    if any(name == schema.FAMILY_COMPAT_V1_LAYERS and not comparison.compat_v1(env)
           for env, name in zip((first, second), families)) or \
            (seed.call.path.startswith("tf.compat.v1.") and
             not (comparison.compat_v1(first) and comparison.compat_v1(second))):
        return None  # before TF 1.13 the probe measured tf.X as its tf.compat.v1 family
    where = f"{families[1]} ({target})"
    facts = {"family": families[1], "target": target, "a": a, "b": b}
    if a["status"] == REPRODUCIBLE and b["status"] != REPRODUCIBLE:
        why = b.get("reason") or b["status"]
        fixes = _same_bytes(comparison, seed, families[1], target, a.get("group"))
        others = _reproducible_there(comparison, families[1], target, seed.seed)
        if not fixes:
            fixes = [Fix("", NONE, f"no seeding method measured in {comparison.label(second)} "
                     f"draws the weights of {comparison.label(first)}" + (
                         f"; reproducible there (other weights): {', '.join(others)}"
                         if others else ""))]
        return "IC401", f"{where}: {b['status']}" + (f" — {why}" if why != b["status"] else ""), \
            fixes, facts
    if a["status"] == REPRODUCIBLE and b.get("group") != a.get("group"):
        fixes = _same_bytes(comparison, seed, families[1], target, a.get("group")) or [
            Fix("", NONE, f"no seeding method measured in {comparison.label(second)} draws the "
                f"weights of {comparison.label(first)}")]
        return "IC402", (f"{where}: byte group {a.get('group')} in {comparison.label(first)}, "
                         f"{b.get('group')} in {comparison.label(second)}"), fixes, facts
    if a["status"] != REPRODUCIBLE and b["status"] == REPRODUCIBLE:
        return "IC403", f"{where}: {a['status']} in {comparison.label(first)}", (), facts
    return None


_MESSAGES = {"IC401": "no longer gives reproducible weights in {second}",
             "IC402": "gives other weights in {second} than in {first} (the same seed, measured "
                      "with 1234)",
             "IC403": "gives reproducible weights in {second}, not in {first}"}


def compare_seeds(comparison: Comparison, uses: Uses, path: str) -> tuple[list[Finding], int]:
    """The findings of the file's seeding calls, and how many the data does not measure."""
    findings, unmeasured = [], 0
    labels = {"first": comparison.label(comparison.first),
              "second": comparison.label(comparison.second)}
    for seed in uses.seeds:
        found: dict[str, list] = {}
        measured = False
        for family, target in _places(uses, seed):
            result = _compare_place(comparison, seed, family, target)
            measured = measured or all(comparison.data.seeding(env).get(
                (comparison.family(family, env)[0], seed.method, target)) is not None
                for env in (comparison.first, comparison.second))
            if result is None:
                continue
            code, words, fixes, facts = result
            entry = found.setdefault(code, [[], [], []])
            entry[0].append(words)
            entry[1].extend(fix for fix in fixes if fix not in entry[1])
            entry[2].append(facts)
        unmeasured += not measured
        call = seed.call
        spelled = call.spelled if seed.method not in (SEEDED_INITIALIZER_METHOD, SEED_ZERO_METHOD) \
            else f"{call.spelled}(seed={seed.seed!r})"
        for code, (words, fixes, facts) in found.items():
            message = f"{spelled} {_MESSAGES[code].format(**labels)}: {'; '.join(words)}"
            findings.append(Finding(path, call.line, call.col, code, spelled, message,
                                    tuple(f"{fact['family']} ({fact['target']}) in "
                                          f"{comparison.title(env)}: {fact[side]['status']}"
                                          + (f", byte group {fact[side]['group']}"
                                             if fact[side].get("group") else "")
                                          for fact in facts
                                          for env, side in ((comparison.first, "a"),
                                                            (comparison.second, "b"))),
                                    tuple(fixes), {"method": seed.method, "places": facts}))
    return findings, unmeasured
