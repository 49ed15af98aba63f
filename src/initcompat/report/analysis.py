"""Per-cell statistics on the loaded results: declared theory, fit, fingerprint, change vs the
previous version, and seeded-reproducibility groups. Pure: results in, tables out."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

from initcompat.report import change, fit, theory
from initcompat.report.frame import ROW_KEY


@dataclass(frozen=True)
class CellAnalysis:
    theory: str | None
    theory_family: str | None
    fit_verdict: str
    fit_detail: str
    fingerprint: str | None
    fingerprint_family: str | None
    distribution: object | None  # theory.Distribution, for plotting the density


@dataclass(frozen=True)
class Step:
    """What happened to one row between an environment and the previous one that has the row."""

    previous_env: str
    env: str
    verdict: str  # change.SAME / CHANGED / RENAMED / NOT_COMPARABLE
    detail: str


def row_key(cell: dict) -> tuple:
    return tuple(bool(cell[k]) if k == "legacy_keras" else cell[k] for k in ROW_KEY)


def analyse_cell(cell: dict, framework_version: str) -> CellAnalysis:
    """Theory, fit and fingerprint of one measured cell."""
    if cell.get("status") != "ok" or not cell.get("sample"):
        return CellAnalysis(None, None, fit.VERDICT_NOT_TESTED, "not measured", None, None, None)
    initializer = cell.get("initializer") or {}
    distribution = None
    if initializer.get("class_name"):
        try:
            distribution = theory.declared_distribution(
                initializer["class_name"], initializer.get("config") if isinstance(
                    initializer.get("config"), dict) else None,
                cell.get("shape") or [], framework_version, initializer.get("module"))
        except (TypeError, ValueError, KeyError, ZeroDivisionError, OverflowError):
            distribution = None
    try:
        fitted = fit.goodness_of_fit(cell["sample"], distribution)
        fitted_verdict, fitted_detail = fitted.verdict, fitted.detail
    except (TypeError, ValueError, KeyError, ZeroDivisionError) as error:
        fitted_verdict, fitted_detail = fit.VERDICT_NOT_TESTED, f"fit failed: {error}"
    try:
        printed = fit.fingerprint(cell["sample"])
        fingerprint_label, fingerprint_family = printed.label, printed.family
    except (TypeError, ValueError, KeyError, ZeroDivisionError):
        fingerprint_label = fingerprint_family = None
    return CellAnalysis(distribution.description if distribution else None,
                        distribution.family if distribution else None,
                        fitted_verdict, fitted_detail, fingerprint_label, fingerprint_family,
                        distribution)


def change_steps(ordered_results: list[dict]) -> dict[tuple, list[Step]]:
    """For every row, the change verdict of each environment vs the previous one having the row.

    All two-sample tests of the report are corrected together (Holm), as change.classify_changes
    requires, so adding versions makes each verdict more conservative, never less.
    """
    last_seen: dict[tuple, tuple[str, dict]] = {}
    pending: list[tuple[tuple, str, str, change.ChangeTest]] = []
    for result in ordered_results:
        if result["status"] != "ok":
            continue
        for cell in result["cells"]:
            key = row_key(cell)
            if key in last_seen:
                previous_env, previous_cell = last_seen[key]
                try:
                    test = change.compare_samples(previous_cell.get("sample"), cell.get("sample"),
                                                  previous_cell.get("initializer"),
                                                  cell.get("initializer"))
                except (TypeError, ValueError, KeyError, ZeroDivisionError) as error:
                    test = change.ChangeTest(False, detail=f"not comparable: {error!r}")
                pending.append((key, previous_env, result["env"]["name"], test))
            last_seen[key] = (result["env"]["name"], cell)
    verdicts = change.classify_changes([test for *_, test in pending])
    steps: dict[tuple, list[Step]] = {}
    for (key, previous_env, env, test), verdict in zip(pending, verdicts):
        steps.setdefault(key, []).append(Step(previous_env, env, verdict, test.detail))
    return steps


def reproducibility_groups(ordered_results: list[dict]) -> dict[tuple[tuple, str], str]:
    """(row, env) -> group letter; environments with bit-identical seeded weights share a letter."""
    letters: dict[tuple, dict[str, str]] = {}
    groups: dict[tuple[tuple, str], str] = {}
    for result in ordered_results:
        for cell in result["cells"]:
            digest = (cell.get("seeded") or {}).get("sha256")
            if cell.get("status") != "ok" or not digest:
                continue
            key = row_key(cell)
            seen = letters.setdefault(key, {})
            if digest not in seen:
                index = len(seen)
                seen[digest] = string.ascii_uppercase[index % 26] + ("" if index < 26 else str(index // 26))
            groups[(key, result["env"]["name"])] = seen[digest]
    return groups


def finite(value) -> float | None:
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None
