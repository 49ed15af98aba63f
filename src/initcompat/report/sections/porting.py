"""The Porting section: each framework's default for the same layers side by side (TF/Keras,
PyTorch, Flax, as measured), and for every ordered pair the code that gives A's default in B,
with the verdict of B's real draws against A's (report/porting.py). Pure."""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.report.measured import FRAMEWORK_LABELS, Measured
from initcompat.report.porting import (DIFFERS, INEXPRESSIBLE, MATCHES, SNIPPET_ERROR,
                                       defaults_table, ported, porting_rows)

# reports/porting.csv: these columns first (outputs.table_csv), the rest after them.
PORTING_COLUMNS = ["layer", "weight", "from_framework", "from_version", "to_framework",
                   "snippet", "verdict", "statistic", "default_verdict", "default_statistic",
                   "imports", "to_version", "from_env", "to_env",
                   "status", "theory", "from_identity", "from_layout", "from_shape", "to_shape",
                   "notes", "reason"]
VERDICT_CLASS = {MATCHES: "ok", DIFFERS: "ch", INEXPRESSIBLE: "na", SNIPPET_ERROR: "er"}
FRAMEWORK_NAMES = dict(FRAMEWORK_LABELS, **{schema.FRAMEWORK_TF_KERAS: "TF/Keras"})


@dataclass(frozen=True)
class Porting:
    envs: list[str]  # the environments that ran the porting step, in version order
    imports: list[dict]  # {"framework", "code"}: what every snippet of a target assumes
    defaults: list[dict]  # per weight: {"layer", "weight", "entries": [...]}
    groups: list[dict]  # per layer and weight: {"layer", "weight", "rows": [porting row]}
    counts: dict  # verdict -> number of rows
    failed: list[dict]  # {"env", "status", "reason"}: a porting step that did not run
    table: list[dict]  # reports/porting.csv


def build_porting(measured: Measured) -> Porting:
    results = measured.results
    rows = porting_rows(results)
    for row in rows:
        row["css"] = VERDICT_CLASS.get(row["verdict"], "mi")
        row["default_css"] = VERDICT_CLASS.get(row["default_verdict"], "mi")
        row["from_label"] = FRAMEWORK_NAMES.get(row["from_framework"], row["from_framework"])
        row["to_label"] = FRAMEWORK_NAMES.get(row["to_framework"], row["to_framework"])
    groups: list[dict] = []
    for row in rows:
        if not groups or (groups[-1]["layer"], groups[-1]["weight"]) != (row["layer"],
                                                                          row["weight"]):
            groups.append({"layer": row["layer"], "weight": row["weight"], "rows": []})
        groups[-1]["rows"].append(row)
    imports: dict[str, str] = {}
    failed = []
    for result in results:
        body = result.get("porting")
        if not body:
            continue
        if ported(result):
            framework = result["env"].get("framework") or schema.FRAMEWORK_TF_KERAS
            imports.setdefault(framework, str(body.get("imports") or ""))
        elif body.get("status") not in (schema.STEP_SKIPPED,) and body.get("status") != \
                schema.ENV_OK:
            failed.append({"env": result["env"]["name"], "status": str(body.get("status")),
                           "reason": str(body.get("reason") or "")})
    counts: dict[str, int] = {}
    for row in rows:
        counts[row["verdict"]] = counts.get(row["verdict"], 0) + 1
    table = [{key: (" | ".join(value) if isinstance(value, list) and key == "notes" else value)
              for key, value in row.items() if key not in ("css", "default_css", "from_label", "to_label")}
             for row in rows]
    defaults = defaults_table(results)
    for group in defaults:
        for entry in group["entries"]:
            entry["label"] = FRAMEWORK_NAMES.get(entry["framework"], entry["framework"])
            entry["css"] = "" if entry["status"] == schema.PORT_OK else "na"
    return Porting(envs=[r["env"]["name"] for r in results if ported(r)],
                   imports=[{"framework": FRAMEWORK_NAMES.get(k, k), "code": v}
                            for k, v in imports.items()],
                   defaults=[g for g in defaults if g["entries"]], groups=groups, counts=counts,
                   failed=failed, table=table)
