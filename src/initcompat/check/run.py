"""One file from A to B: read it, find what it calls, compare each call in the data, and return
the findings with counts of what was read and what the data does not measure. Pure apart from
nothing (the caller reads the file)."""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.check.context import LEGACY_VARIABLE, TRUE_WORDS, Comparison
from initcompat.check.data import CompatData
from initcompat.check.findings import Finding
from initcompat.check.inits import compare_initializer
from initcompat.check.layers import compare_layer
from initcompat.check.reader import read
from initcompat.check.seeds import compare_seeds
from initcompat.check.uses import classify


@dataclass(frozen=True)
class FileResult:
    path: str
    findings: list
    calls: int  # the layer, initializer and seeding calls read
    unmeasured: int  # of those, the ones the data measured on neither or one side only


def legacy_setting(reading):
    """The file's first TF_USE_LEGACY_KERAS setting to a true value, or None."""
    return next((s for s in reading.settings if s.name == LEGACY_VARIABLE
                 and str(s.value or "").strip().lower() in TRUE_WORDS), None)


def _legacy(comparison: Comparison, setting, path: str) -> list[Finding]:
    """IC501 where the setting changes tf.keras on one side only."""
    findings = []
    active = [comparison.legacy_active(env) for env in (comparison.first, comparison.second)]
    if setting is not None and active[0] != active[1]:
        on, off = (comparison.second, comparison.first) if active[1] else \
            (comparison.first, comparison.second)
        tf_keras = comparison.data.env[on].get("tf_keras")
        installed = f"tf_keras {tf_keras}" if tf_keras else "tf_keras, which must be installed"
        message = (f"{LEGACY_VARIABLE}={setting.value}: in {comparison.label(on)} tf.keras and "
                   f"tf.compat.v1.layers are the legacy Keras 2 ({installed}); in "
                   f"{comparison.label(off)} the variable changes nothing")
        findings.append(Finding(path, setting.line, setting.col, "IC501", LEGACY_VARIABLE, message))
    return findings


def check_source(data: CompatData, first: str, second: str, source: str, path: str) -> FileResult:
    """The findings of one file's source (reader.Unreadable when it does not parse;
    context.Incomparable when the two environments are of two lines)."""
    reading = read(source)
    uses = classify(reading.calls)
    setting = legacy_setting(reading)
    comparison = Comparison(data, first, second, setting is not None)
    comparison.events()  # two lines: Incomparable before anything is said
    findings = _legacy(comparison, setting, path)
    unmeasured = 0
    methods = {seed.method for seed in uses.seeds}
    for layer in uses.layers:
        found = compare_layer(comparison, layer, path, methods)
        unmeasured += found is None
        findings.extend(found or [])
    for initializer in uses.initializers:
        found = compare_initializer(comparison, initializer, path)
        unmeasured += found is None
        findings.extend(found or [])
    seeded, unseeded = compare_seeds(comparison, uses, path)
    findings.extend(seeded)
    unmeasured += unseeded
    unmeasured += len(uses.ops)  # no step measures raw random ops
    calls = len(uses.layers) + len(uses.initializers) + len(uses.seeds) + len(uses.ops)
    return FileResult(path, sorted(findings, key=Finding.sort_key), calls, unmeasured)
