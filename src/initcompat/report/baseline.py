"""Comparing a run with a saved one, per environment and cell, for CI gating.

A rerun of the same environments must pass: a behaviour is compared only where it is a
behaviour. Status, declared initializer and weight shape always; the drawn distribution by the
report's two-sample tests (Holm over every comparison); the seeded stream only where the same
seed repeated on both sides (analysis.reproducible) — a stream that does not repeat even in one
process changes on every run, and is compared by its distribution alone. The seeding step's
records the same way: their status always, their bytes only where both runs were reproducible.

Never compared (not_compared says so, one line each, and no difference is reported): an
environment that measured another suite than in the baseline (initcompat.report.suites), and
one that was not measured on either side (schema.ENV_NOT_MEASURED: a transient fault such as an
unreachable package index is no behaviour of the version).
"""

from __future__ import annotations

import json

from initcompat.report import change
from initcompat.report.analysis import reproducible, row_key
from initcompat.report.describe import one_line, relevant_config
from initcompat.probe import schema
from initcompat.report.frame import family_label
from initcompat.report.suites import suite_key, suite_label
from initcompat.report.theory import normalize_class_name


def _declared(cell: dict) -> tuple:
    """The declared initializer as it decides the draws: class (any spelling) and the config
    keys that matter. A module move alone is a rename, as in the timeline, not a change."""
    initializer = cell.get("initializer") or {}
    return (normalize_class_name(initializer.get("class_name") or ""),
            json.dumps(relevant_config(json.dumps(initializer.get("config"), sort_keys=True)),
                       sort_keys=True))


def _seeding(cell: dict) -> str:
    seeded = cell.get("seeded") or {}
    if seeded.get("error"):
        return "seeding fails"
    return "reproducible" if reproducible(cell) else "not reproducible"


def cell_differences(old: dict, new: dict) -> list[str]:
    """What differs between two measurements of one cell, statistics aside."""
    lines = []
    if old.get("status") != new.get("status"):
        return [f"status {old.get('status')} -> {new.get('status')}"]
    if new.get("status") != "ok":
        return lines
    if _declared(old) != _declared(new):
        lines.append(f"initializer {_declared(old)} -> {_declared(new)}")
    if old.get("shape") != new.get("shape"):
        lines.append(f"shape {old.get('shape')} -> {new.get('shape')}")
    seeding = _seeding(old), _seeding(new)
    if seeding[0] != seeding[1]:
        lines.append(f"seeding {seeding[0]} -> {seeding[1]}")
    elif seeding[0] == "reproducible" and old["seeded"]["sha256"] != new["seeded"]["sha256"]:
        lines.append(f"seeded {old['seeded']['sha256'][:8]}… -> {new['seeded']['sha256'][:8]}…")
    return lines


def not_compared(baseline: tuple[dict, ...], current: tuple[dict, ...]) -> dict[str, str]:
    """name -> why, for each environment that is not compared: measured with another suite than
    in the baseline, or not measured (a transient fault) on either side."""
    base = {r["env"]["name"]: r for r in baseline}
    now = {r["env"]["name"]: r for r in current}
    found = {}
    for name in list(now) + [name for name in base if name not in now]:
        old, result = base.get(name), now.get(name)
        unmeasured = [(side, r) for side, r in (("the baseline", old), ("this run", result))
                      if r is not None and r["status"] == schema.ENV_NOT_MEASURED]
        if unmeasured:
            side, r = unmeasured[0]
            found[name] = (f"{name}: not measured in {side} ({one_line(r.get('reason'), 160)}); "
                           "not compared")
        elif old is not None and result is not None and \
                None not in (suite_key(old), suite_key(result)) and \
                suite_key(old) != suite_key(result):
            found[name] = (f"{name}: the suite {suite_label(result['env']['suite'])} in this "
                           f"run, {suite_label(old['env']['suite'])} in the baseline; results of "
                           "different suites are never compared")
    return found


def new_differences(baseline: tuple[dict, ...], current: tuple[dict, ...]) -> list[str]:
    """One line per behaviour that differs from the baseline: environments or cells present on
    one side only, statuses, declarations, shapes, seeding, drawn distributions. Environments
    in not_compared are left out."""
    skipped = not_compared(baseline, current)
    baseline = tuple(r for r in baseline if r["env"]["name"] not in skipped)
    current = tuple(r for r in current if r["env"]["name"] not in skipped)
    base_cells = {(r["env"]["name"], row_key(c)): c for r in baseline for c in r["cells"]}
    base_status = {r["env"]["name"]: r["status"] for r in baseline}
    now = {r["env"]["name"] for r in current}
    lines = [f"{name}: environment {status} in the baseline, not in this run"
             for name, status in base_status.items() if name not in now]
    pending = []
    for result in current:
        name = result["env"]["name"]
        if name not in base_status:
            lines.append(f"{name}: environment {result['status']} in this run, not in the baseline")
            continue
        if result["status"] != base_status[name]:
            lines.append(f"{name}: environment {base_status[name]} -> {result['status']}")
        current_keys = {row_key(c) for c in result["cells"]}
        for (base_name, key), old in base_cells.items():
            if base_name == name and key not in current_keys and result["status"] == "ok":
                lines.append(f"{name} {family_label(key[0], key[1])} {old['layer']} {key[3]}: "
                             "measured in the baseline, not in this run")
        for cell in result["cells"]:
            key = row_key(cell)
            old = base_cells.get((name, key))
            where = f"{name} {family_label(key[0], key[1])} {cell['layer']} {key[3]}"
            if old is None:
                if base_status[name] == "ok":
                    lines.append(f"{where}: measured in this run, not in the baseline")
                continue
            lines.extend(f"{where}: {line}" for line in cell_differences(old, cell))
            if old.get("status") == cell.get("status") == "ok":
                pending.append((where, change.compare_samples(old.get("sample"), cell.get("sample"))))
    verdicts = change.classify_changes([test for _, test in pending])
    for (where, test), verdict in zip(pending, verdicts):
        if verdict == change.CHANGED:
            lines.append(f"{where}: drawn distribution changed ({test.detail})")
    base_results = {r["env"]["name"]: r for r in baseline}
    for result in current:
        if result["env"]["name"] in base_results:
            lines.extend(seeding_differences(base_results[result["env"]["name"]], result))
    return lines


def seeding_differences(old: dict, new: dict) -> list[str]:
    """What differs between two runs' seeding files of one environment: per family, method and
    target its status, and the bytes where both runs were reproducible (a stream that is not
    reproducible changes on every run). Nothing where either run has no seeding file."""
    before, after = old.get("seeding"), new.get("seeding")
    if before is None or after is None:
        return []
    name = new["env"]["name"]
    records = [{(r["family"], r["method"], r["target"]): r for r in side.get("records") or []}
               for side in (before, after)]
    if bool(records[0]) != bool(records[1]):
        return [f"{name} seeding: {len(records[0])} records in the baseline, {len(records[1])} "
                f"in this run ({one_line(after.get('reason') or before.get('reason'), 160)})"]
    lines = []
    for key in list(records[1]) + [k for k in records[0] if k not in records[1]]:
        where = f"{name} seeding {key[0]} {key[1]} · {key[2]}"
        was, now = records[0].get(key), records[1].get(key)
        if was is None or now is None:
            lines.append(f"{where}: measured in {'this run' if was is None else 'the baseline'} only")
        elif was["status"] != now["status"]:
            lines.append(f"{where}: {was['status']} -> {now['status']}")
        elif now["status"] == "reproducible" and was.get("sha256") != now.get("sha256"):
            lines.append(f"{where}: seeded {str(was.get('sha256'))[:8]}… -> "
                         f"{str(now.get('sha256'))[:8]}…")
    return lines
