"""The report's files: index.html, cells.csv, initializers.csv, changes.json; each written
atomically."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from initcompat.probe.output import replace_atomically, write_json_atomic
from initcompat.report import availability
from initcompat.report.frame import family_label
from initcompat.report.sections import View
# Each measurement's CSV columns live with its section (CSV_TABLES); kept here under their old names.
from initcompat.measurements.initializers.section import INITIALIZER_COLUMNS  # noqa: F401
from initcompat.measurements.propagation.section.tables import (  # noqa: F401
    PROPAGATION_COLUMNS, TRAINING_COLUMNS)
from initcompat.measurements.seeding.section import SEEDING_COLUMNS  # noqa: F401


def write_text_atomic(path: Path, text: str) -> None:
    """Write `text` (UTF-8) so readers see the old file or the whole new one."""
    def write(temporary: str) -> None:
        Path(temporary).write_text(text, encoding="utf-8")
    replace_atomically(str(path), write)


# cells.csv's columns after frame.CELL_COLUMNS: the matrix's verdicts, then what tells the two
# kinds of row apart (`record`: availability.RECORD_WEIGHT or RECORD_AVAILABILITY) and the
# availability attempts' own fields (empty on weight rows).
CELLS_EXTRA_COLUMNS = ["fingerprint", "fit_verdict", "change_verdict", "reproducibility_group",
                       "record", "case", "target", "attempt", "availability"]
# The environment's columns an availability row shares with the weight rows of its environment.
_ENV_COLUMNS = ["env", "tf_version", "keras_version", "backend", "resolution", "python_version",
                "env_status"]


def _availability_rows(frame: pd.DataFrame, results: list[dict]) -> list[dict]:
    """One row per availability attempt (availability.attempts), with its environment's columns
    as the environment's weight rows have them."""
    env_rows = {row["env"]: row for row in frame[_ENV_COLUMNS].drop_duplicates("env")
                .to_dict("records")}
    rows = []
    for result in results:
        name = result["env"]["name"]
        env = env_rows.get(name) or {"env": name, "tf_version": result["env"].get("tensorflow"),
                                     "env_status": result.get("status")}
        for attempt in availability.attempts(result):
            rows.append({**env, "api_family": attempt["api_family"],
                         "legacy_keras": attempt["legacy_keras"], "status": attempt["status"],
                         "reason": attempt["reason"], "error_type": attempt["error_type"],
                         "record": availability.RECORD_AVAILABILITY, "case": attempt["case"],
                         "target": attempt["target"], "attempt": attempt["attempt"],
                         "availability": attempt["text"]})
    return rows


def cells_csv(frame: pd.DataFrame, view: View, results: list[dict] | None = None) -> str:
    """One row per environment x cell, with the analysis columns the matrix shows; then, from
    `results`, one row per availability attempt (what TF_USE_LEGACY_KERAS=1 without tf_keras
    raises) with the words the page says."""
    table = frame.drop(columns=["env_order"]).copy()
    measured, fits, verdicts, groups = [], [], [], []
    lookup = {}
    for row in view.matrix.rows:
        for env, cell in zip(view.matrix.envs, row["cells"]):
            lookup[(row["family"], row["kind"], row["role"], env["name"])] = cell
    for record in table.itertuples(index=False):
        cell = lookup.get((family_label(record.api_family, record.legacy_keras), record.layer_kind,
                           record.weight_role, record.env), {})
        measured.append(cell.get("measured"))
        fits.append(cell.get("fit"))
        verdicts.append(cell.get("change"))
        groups.append(cell.get("group"))
    table["fingerprint"] = measured
    table["fit_verdict"] = fits
    table["change_verdict"] = verdicts
    table["reproducibility_group"] = groups
    table["record"] = availability.RECORD_WEIGHT
    attempts = _availability_rows(frame, results or [])
    if attempts:  # each environment's attempts right after its weights
        order = {result["env"]["name"]: i for i, result in enumerate(results or [])}
        table = pd.concat([table, pd.DataFrame(attempts)], ignore_index=True)
        table = table.iloc[sorted(range(len(table)), key=lambda i: (
            order.get(table["env"].iat[i], len(order)),
            table["record"].iat[i] == availability.RECORD_AVAILABILITY, i))]
    table = table.reindex(columns=list(frame.columns.drop("env_order")) + CELLS_EXTRA_COLUMNS)
    table["attempt"] = pd.to_numeric(table["attempt"], errors="coerce").astype("Int64")
    variants = {env["name"]: env.get("variant") for env in view.matrix.envs}
    table["variant"] = table["env"].map(lambda name: variants.get(name))
    # Text fields are data: a leading =, +, - or @ would be a formula in a spreadsheet.
    for column in table.columns:
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(_defuse_formula)
    return table.to_csv(index=False, lineterminator="\n")


def table_csv(rows: list[dict], columns: list[str]) -> str:
    """A CSV of dict rows with at least `columns` (first, in order), formulas defused."""
    table = pd.DataFrame(rows)
    for column in columns:
        if column not in table.columns:
            table[column] = None
    table = table[columns + [c for c in table.columns if c not in columns]]
    for column in table.columns:
        values = table[column].dropna()
        if pd.api.types.is_float_dtype(table[column]) and len(values) and \
                bool((values == values.round()).all()) and column in INTEGER_COLUMNS:
            table[column] = table[column].astype("Int64")  # 360, not 360.0, beside empty cells
        if table[column].dtype == object or pd.api.types.is_string_dtype(table[column]):
            table[column] = table[column].map(_defuse_formula)
    return table.to_csv(index=False, lineterminator="\n")


INTEGER_COLUMNS = ("fan_in", "fan_out", "n", "seed", "layer_index", "step", "nonfinite", "ad_n",
                   "outside_support")


def _defuse_formula(value):
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def changes_document(view: View) -> dict:
    """changes.json: the timeline, the environments and the rejected files, for machines."""
    return {"timeline": view.timeline.entries, "summary": view.timeline.summary,
            "events": view.timeline.events,
            "environments": [{k: e[k] for k in ("name", "tensorflow", "python", "status", "reason")}
                             for e in view.environments.envs],
            "rejected": view.rejected.lines}


def write_report(out: Path, html: str, csv_text: str, changes: dict,
                 tables: dict[str, str] | None = None) -> list[Path]:
    """index.html, cells.csv and changes.json in `out`, then each of `tables` (file name -> CSV
    text); returns their paths in that order."""
    out.mkdir(parents=True, exist_ok=True)
    written = [out / "index.html", out / "cells.csv", out / "changes.json"]
    write_text_atomic(written[0], html)
    write_text_atomic(written[1], csv_text)
    write_json_atomic(str(written[2]), changes)
    for name, text in (tables or {}).items():
        written.append(out / name)
        write_text_atomic(written[-1], text)
    return written
