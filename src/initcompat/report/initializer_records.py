"""The initializers step's records analysed: identity, what each draw fits, and change steps.

A row is one (namespace, how, initializer, arguments) as a user spells it; its draws are the
suite's shapes. Per environment each ok draw is fitted to the distribution its class and config
declare (report.theory) and named from its values alone (fit.fingerprint). Between an
environment and the one it is compared with (analysis.comparison_pairs), every draw present on
both sides is tested (change.compare_samples); the p-values of all these tests form one Holm
family of their own (the layer cells form another), so this part of the report keeps its own
family-wise error rate at change.ALPHA. Fits are corrected over all fitted draws the same way
(_report_wide). Pure.
"""

from __future__ import annotations

import dataclasses
import json
import math
from dataclasses import dataclass

from initcompat.report import change, fit, theory
from initcompat.report.analysis import comparison_pairs


def anchor(key) -> str:
    """The HTML id of a row of the Initializers section (keep_old and compat_data link to it)."""
    text = "-".join(str(part) for part in key)
    return "i-" + "".join(ch if ch.isalnum() or ch in "._-" else "_" for ch in text)


Key = tuple  # (namespace, how, initializer, arguments as sorted JSON)


@dataclass(frozen=True)
class DrawAnalysis:
    declared: str | None  # the theory's description of what the class and config declare
    declared_std: float | None
    requested_std: float | None  # explicit records: the std the arguments ask for
    fit: str  # fit.VERDICT_*
    fit_detail: str
    fingerprint: str | None
    p_value: float = math.nan  # the fit's smallest Bonferroni p over its checks (0: structural)


@dataclass(frozen=True)
class RecordStep:
    """One row between two environments: what changed (kind "availability" or "distribution")."""

    key: Key
    env: str
    since: str
    kind: str
    text: str
    # availability: "added", "removed", "raises", "works" (the row), "namespace added",
    # "namespace removed"; distribution: the shape name
    change: str = ""


def record_key(record: dict) -> Key:
    return (record["namespace"], record["how"], record["initializer"],
            json.dumps(record.get("args") or {}, sort_keys=True))


def _arguments_text(arguments: dict) -> str:
    return ", ".join(f"{name}={value!r}" for name, value in sorted(arguments.items()))


def key_label(key: Key) -> str:
    """How a user writes the row: tf.keras.initializers.HeNormal(), ….get("he_normal"), …"""
    namespace, how, name, arguments = key
    if how == "get":
        return f'{namespace}.get("{name}")'
    return f"{namespace}.{name}({_arguments_text(json.loads(arguments))})"


_INDEX: dict[int, tuple[list, dict]] = {}  # id of a records list -> (the list, its index)


def records_of(result: dict) -> dict[Key, dict]:
    """A result's initializer records by row (indexed once per records list: the sections ask
    for every row of every environment)."""
    records = (result.get("initializers") or {}).get("records") or []
    found = _INDEX.get(id(records))
    if found is None or found[0] is not records:
        if len(_INDEX) > 512:
            _INDEX.clear()
        found = (records, {record_key(record): record for record in records})
        _INDEX[id(records)] = found  # the list is kept with its index, so its id stays its own
    return found[1]


def requested_std(record: dict, draw: dict) -> float | None:
    """The standard deviation an explicit record's arguments ask for, before any truncation:
    stddev; sqrt(scale/n) of VarianceScaling with the framework's fans; a uniform range's.
    None when the arguments say none (or are not numbers)."""
    try:
        value = _requested_std(record.get("args") or {}, draw)
    except (TypeError, ValueError, ZeroDivisionError, OverflowError):
        return None
    return value if value is not None and math.isfinite(value) else None


def _requested_std(arguments: dict, draw: dict) -> float | None:
    if "stddev" in arguments:
        return float(arguments["stddev"])
    if "minval" in arguments or "maxval" in arguments:
        low, high = float(arguments.get("minval", 0.0)), float(arguments.get("maxval", 1.0))
        return (high - low) / math.sqrt(12.0)
    if "scale" in arguments and draw.get("fan_in") and draw.get("fan_out"):
        fans = {"fan_in": draw["fan_in"], "fan_out": draw["fan_out"],
                "fan_avg": (draw["fan_in"] + draw["fan_out"]) / 2.0}
        n = fans.get(str(arguments.get("mode", "fan_in")).lower())
        return math.sqrt(float(arguments["scale"]) / max(1.0, n)) if n else None
    return None


def analyse_draw(record: dict, draw: dict, framework_version: str) -> DrawAnalysis:
    """Theory, fit and fingerprint of one draw of one record."""
    requested = requested_std(record, draw) if record["how"] == "explicit" else None
    if record["status"] != "ok" or draw["status"] != "ok" or not draw.get("sample"):
        return DrawAnalysis(None, None, requested, fit.VERDICT_NOT_TESTED, "not drawn", None)
    config = record.get("config") if isinstance(record.get("config"), dict) else {}
    try:
        distribution = theory.declared_distribution(record.get("class_name") or "", config,
                                                    draw["shape"], framework_version,
                                                    record.get("module"))
    except (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError):
        distribution = None
    p_value = math.nan
    try:
        fitted = fit.goodness_of_fit(draw["sample"], distribution)
        verdict, detail, p_value = fitted.verdict, fitted.detail, fitted.p_value
    except (TypeError, ValueError, KeyError, ZeroDivisionError) as error:
        verdict, detail = fit.VERDICT_NOT_TESTED, f"fit failed: {error}"
    try:
        printed = fit.fingerprint(draw["sample"]).label
    except (TypeError, ValueError, KeyError, ZeroDivisionError):
        printed = None
    return DrawAnalysis(distribution.description if distribution else None,
                        distribution.std if distribution else None, requested, verdict, detail,
                        printed, p_value)


def _same_draw(record: dict, draw: dict, framework_version: str) -> str:
    """What decides a draw's analysis: copies of one record under other namespaces (alias_of)
    share it, so each is analysed once."""
    sample = draw.get("sample") or {}
    return json.dumps([framework_version, record["status"], record["how"], record.get("args"),
                       record.get("class_name"), record.get("module"), record.get("config"),
                       draw["status"], draw["shape"], draw.get("fan_in"), draw.get("fan_out"),
                       [sample.get(k) for k in ("n", "mean", "std", "min", "max",
                                                "excess_kurtosis")]], sort_keys=True)


def analyse(ordered_results: list[dict]) -> dict[tuple[Key, str, str], DrawAnalysis]:
    """(row, environment name, shape name) -> the draw's analysis, for every ok record."""
    analyses, done = {}, {}
    for result in ordered_results:
        version = result["env"]["tensorflow"]
        for key, record in records_of(result).items():
            for draw in record["draws"]:
                same = _same_draw(record, draw, version)
                if same not in done:
                    done[same] = analyse_draw(record, draw, version)
                analyses[(key, result["env"]["name"], draw["shape_name"])] = done[same]
    return _report_wide(analyses, len(done))


def _report_wide(analyses: dict, tested: int) -> dict:
    """A fit's verdict over all draws of the report at once: each fit is Bonferroni-corrected
    over its own checks only, and thousands of draws are fitted, so one that is "inconsistent"
    only by its statistics must also stay below fit.ALPHA times the number of draws tested
    (structural violations, p = 0, stay inconsistent). Without this a report of 10^4 draws
    shows chance findings (one seeded draw at p = 1e-5 repeated over every version)."""
    adjusted = {}
    for place, analysis in analyses.items():
        if analysis.fit == fit.VERDICT_INCONSISTENT and analysis.p_value > 0 and \
                analysis.p_value * tested >= fit.ALPHA:
            analysis = dataclasses.replace(
                analysis, fit=fit.VERDICT_CONSISTENT,
                fit_detail=analysis.fit_detail + f"; not significant over the report's {tested} "
                                                 "fitted draws (Bonferroni)")
        adjusted[place] = analysis
    return adjusted


def _status_text(record: dict | None) -> str:
    if record is None:
        return "not offered"
    if record["status"] == "ok":
        return "offered"
    return f"raises {record.get('reason') or record['status']}"


def _namespaces(result: dict) -> dict[str, dict]:
    block = result.get("initializers") or {}
    return {entry["namespace"]: entry for entry in block.get("namespaces") or []
            if isinstance(entry, dict) and "namespace" in entry}


def _measured(result: dict) -> bool:
    block = result.get("initializers")
    return bool(block) and block.get("status") == "ok"


def change_steps(ordered_results: list[dict], variant_of: dict[str, str | None],
                 analyses: dict) -> list[RecordStep]:
    """Every behaviour change of a row between an environment and the one it follows.

    Availability: a namespace offered on one side only is one step for the namespace (key with
    how "" and name ""); within a namespace offered on both sides, a row offered, missing or
    raising on one side only. Distribution: a draw whose two-sample tests call it changed
    (Holm over all of them), with the fingerprints of both sides. Renames (another class or
    module, the same draws) are not steps.
    """
    steps: list[RecordStep] = []
    pending: list[tuple[Key, str, str, str, change.ChangeTest]] = []
    for before, after, _ in comparison_pairs(ordered_results, variant_of):
        if not (_measured(before) and _measured(after)):
            continue  # a side without the step says nothing about its initializers
        env, since = after["env"]["name"], before["env"]["name"]
        spaces = _namespaces(before), _namespaces(after)
        rows = records_of(before), records_of(after)
        for namespace in list(dict.fromkeys(list(spaces[1]) + list(spaces[0]))):
            offered = [spaces[0].get(namespace, {}).get("status") == "ok",
                       spaces[1].get(namespace, {}).get("status") == "ok"]
            if offered[0] != offered[1]:
                why = spaces[1].get(namespace, {}).get("reason")
                text = "now offered" if offered[1] else f"no longer offered ({why or 'missing'})"
                steps.append(RecordStep((namespace, "", "", "{}"), env, since, "availability",
                                        text, "namespace added" if offered[1]
                                        else "namespace removed"))
                continue
            if not offered[1]:
                continue
            keys = [k for k in dict.fromkeys(list(rows[1]) + list(rows[0])) if k[0] == namespace]
            for key in keys:
                old, new = rows[0].get(key), rows[1].get(key)
                old_ok = old is not None and old["status"] == "ok"
                new_ok = new is not None and new["status"] == "ok"
                if old_ok != new_ok or (old is None) != (new is None):
                    what = ("added" if old is None else "removed" if new is None
                            else "works" if new_ok else "raises")
                    steps.append(RecordStep(key, env, since, "availability",
                                            f"{_status_text(old)} → {_status_text(new)}", what))
                    continue
                if not (old_ok and new_ok):
                    continue
                old_draws = {d["shape_name"]: d for d in old["draws"]}
                for draw in new["draws"]:
                    previous = old_draws.get(draw["shape_name"])
                    if previous is None or "ok" not in (previous["status"], draw["status"]):
                        continue
                    if previous["status"] != draw["status"]:
                        steps.append(RecordStep(key, env, since, "availability", (
                            f"{draw['shape_name']} shape {draw['shape']}: "
                            + ("works now" if draw["status"] == "ok"
                               else f"raises {draw.get('reason') or draw['status']}")),
                            "works" if draw["status"] == "ok" else "raises"))
                        continue
                    try:
                        test = change.compare_samples(previous.get("sample"), draw.get("sample"))
                    except (TypeError, ValueError, KeyError, ZeroDivisionError) as error:
                        test = change.ChangeTest(False, detail=f"not comparable: {error!r}")
                    pending.append((key, env, since, draw["shape_name"], test))
    verdicts = change.classify_changes([test for *_, test in pending])
    for (key, env, since, shape_name, _), verdict in zip(pending, verdicts):
        if verdict != change.CHANGED:
            continue
        before, after = analyses.get((key, since, shape_name)), analyses.get((key, env, shape_name))
        text = (f"drawn {(before and before.fingerprint) or '?'} → "
                f"{(after and after.fingerprint) or '?'}")
        steps.append(RecordStep(key, env, since, "distribution", text, shape_name))
    return steps
