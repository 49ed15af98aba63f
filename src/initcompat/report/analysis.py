"""Per-cell statistics on the loaded results: declared theory, fit, fingerprint, change vs the
previous version, and seeded-reproducibility groups. Pure: results in, tables out."""

from __future__ import annotations

import math
import string
from dataclasses import dataclass

from initcompat.report import change, fit
from initcompat.report.frame import line_of
from initcompat.report.layer_theory import layer_distribution

# The group of a cell whose seeded draws were not reproducible: its hash says nothing.
NOT_REPRODUCIBLE = "not reproducible"
SEEDING_FAILED = "none (seeding failed)"


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
    """What happened to one row between an environment and the one it is compared with: the
    previous primary version having the row, or for a variant its primary."""

    previous_env: str
    env: str
    verdict: str  # change.SAME / CHANGED / RENAMED / NOT_COMPARABLE, shape changes included
    detail: str
    distribution_verdict: str = change.NOT_COMPARABLE  # the two-sample tests alone
    shape_before: tuple | None = None
    shape_after: tuple | None = None

    @property
    def shape_changed(self) -> bool:
        return self.shape_before is not None and self.shape_after is not None \
            and self.shape_before != self.shape_after


def row_key(cell: dict) -> tuple:
    """frame.ROW_KEY's fields of a cell in that order, legacy_keras as a bool (spelled out: it
    runs for every cell several times)."""
    return (cell["api_family"], bool(cell["legacy_keras"]), cell["layer_kind"], cell["weight_role"])


def analyse_cell(cell: dict, framework_version: str,
                 keras_version: str | None = None) -> CellAnalysis:
    """Theory, fit and fingerprint of one measured cell (keras_version: the Keras the
    environment had, which decides some layers' fan rule)."""
    if cell.get("status") != "ok" or not cell.get("sample"):
        return CellAnalysis(None, None, fit.VERDICT_NOT_TESTED, "not measured", None, None, None)
    try:
        distribution = layer_distribution(cell, framework_version, keras_version)
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


def comparison_pairs(ordered_results: list[dict], variant_of: dict[str, str | None]):
    """(previous result, result) pairs to compare: each primary with the previous primary of its
    line (frame.line_of), each variant with its primary; environments that did not run are
    skipped."""
    by_name = {r["env"]["name"]: r for r in ordered_results}
    previous = None
    for result in ordered_results:
        if result["status"] != "ok":
            continue
        if previous is not None and line_of(previous["env"]) != line_of(result["env"]):
            previous = None  # a new line (the Keras axis on a backend) starts its own history
        primary = variant_of.get(result["env"]["name"])
        if primary is not None:
            if primary in by_name and by_name[primary]["status"] == "ok":
                yield by_name[primary], result, False
            continue
        if previous is not None:
            yield previous, result, True
        previous = result


def _shape(cell: dict) -> tuple | None:
    return tuple(cell["shape"]) if isinstance(cell.get("shape"), list) else None


def change_steps(ordered_results: list[dict],
                 variant_of: dict[str, str | None] | None = None) -> dict[tuple, list[Step]]:
    """For every row, the change verdict of each environment vs the one it is compared with.

    Primaries follow the previous primary that has the row (a row missing in between keeps the
    last one seen); variants are compared with their primary. All two-sample tests of the report
    are corrected together (Holm), as change.classify_changes requires. A changed weight shape
    makes a step "changed" whatever the distribution does.
    """
    variant_of = variant_of or {}
    last_seen: dict[tuple, tuple[str, dict]] = {}
    line_by_env = {r["env"]["name"]: line_of(r["env"]) for r in ordered_results}
    pending: list[tuple[tuple, str, str, dict, dict, change.ChangeTest]] = []
    for before, after, chained in comparison_pairs(ordered_results, variant_of):
        before_cells = {row_key(c): c for c in before["cells"]}
        for cell in after["cells"]:
            key = row_key(cell)
            if chained:
                found = last_seen.get(key) or ((before["env"]["name"], before_cells[key])
                                               if key in before_cells else None)
                if found is not None and line_by_env.get(found[0]) != \
                        line_by_env.get(after["env"]["name"]):
                    found = None  # the last version with the row is of another line
            else:
                found = (before["env"]["name"], before_cells[key]) if key in before_cells else None
            if found is not None:
                previous_env, previous_cell = found
                try:
                    test = change.compare_samples(previous_cell.get("sample"), cell.get("sample"),
                                                  previous_cell.get("initializer"),
                                                  cell.get("initializer"))
                except (TypeError, ValueError, KeyError, ZeroDivisionError) as error:
                    test = change.ChangeTest(False, detail=f"not comparable: {error!r}")
                pending.append((key, previous_env, after["env"]["name"], previous_cell, cell, test))
            if chained:
                last_seen[key] = (after["env"]["name"], cell)
        if chained:
            for cell in before["cells"]:  # the first primary seeds the chain
                last_seen.setdefault(row_key(cell), (before["env"]["name"], cell))
    verdicts = change.classify_changes([test for *_, test in pending])
    steps: dict[tuple, list[Step]] = {}
    for (key, previous_env, env, previous_cell, cell, test), verdict in zip(pending, verdicts):
        shapes = _shape(previous_cell), _shape(cell)
        overall, detail = verdict, test.detail
        if shapes[0] is not None and shapes[1] is not None and shapes[0] != shapes[1]:
            overall = change.CHANGED
            detail = f"shape {list(shapes[0])} → {list(shapes[1])}; " + detail
        steps.setdefault(key, []).append(Step(previous_env, env, overall, detail, verdict,
                                              shapes[0], shapes[1]))
    return steps


def reproducible(cell: dict) -> bool:
    """Whether a cell's seeded draws are a stream worth comparing: seeding worked and the same
    seed gave the same bytes again in the probe's process (the probe does not yet compare two
    processes)."""
    seeded = cell.get("seeded") or {}
    return bool(seeded.get("sha256")) and not seeded.get("error") \
        and seeded.get("repeats_in_process") is True


def reproducibility_groups(ordered_results: list[dict]) -> dict[tuple[tuple, str], str]:
    """(row, env) -> group letter; environments with bit-identical reproducible seeded weights
    share a letter. A cell whose seeded draws do not repeat is NOT_REPRODUCIBLE (no letter: its
    hash is noise), one whose seeding failed SEEDING_FAILED."""
    letters: dict[tuple, dict[str, str]] = {}
    groups: dict[tuple[tuple, str], str] = {}
    for result in ordered_results:
        for cell in result["cells"]:
            if cell.get("status") != "ok" or not cell.get("seeded"):
                continue
            key = row_key(cell)
            place = (key, result["env"]["name"])
            if (cell.get("seeded") or {}).get("error"):
                groups[place] = SEEDING_FAILED
                continue
            if not reproducible(cell):
                groups[place] = NOT_REPRODUCIBLE
                continue
            seen = letters.setdefault(key, {})
            digest = cell["seeded"]["sha256"]
            if digest not in seen:
                index = len(seen)
                seen[digest] = string.ascii_uppercase[index % 26] + ("" if index < 26 else str(index // 26))
            groups[place] = seen[digest]
    return groups


def finite(value) -> float | None:
    return value if isinstance(value, (int, float)) and math.isfinite(value) else None
