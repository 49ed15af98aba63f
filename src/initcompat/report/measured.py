"""The results analysed once for every section: one column per environment, one row per weight,
each cell's statistics, change steps and seeded-reproducibility groups. Pure."""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from initcompat.probe.schema import API_FAMILIES
from initcompat.report.analysis import (CellAnalysis, Step, analyse_cell, change_steps,
                                        reproducibility_groups, row_key)
from initcompat.report.describe import gpu_text, one_line, short_version
from initcompat.report.frame import FRAMEWORK_LABELS, env_label, line_of  # noqa: F401 (re-exported)

# How the report names a framework session's framework (env.framework).
Row = tuple  # (api_family, legacy_keras, layer_kind, weight_role): analysis.row_key
Place = tuple  # (row, environment name): one cell of the matrix


@dataclass(frozen=True)
class Measured:
    """What the sections share: environments and rows in page order, and every cell analysed."""

    results: list[dict]  # in version order (frame.order_results)
    envs: list[dict]  # env_summary of each result, same order
    row_keys: list[Row]  # API family order, then legacy, layer kind and weight role as measured
    cells: dict[Place, dict]
    analyses: dict[Place, CellAnalysis]
    steps: dict[Row, list[Step]]
    groups: dict[Place, str]


# Characters an HTML id keeps; any other (the spaces and brackets of "tf.keras in
# variable_scope(initializer=...)") becomes "_". Character by character, so an id is still its
# row's id followed by the environment's (the matrix builds it that way).
_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_.:-]")


def cell_id(key: Row, env: str) -> str:
    """The HTML id of a matrix cell (timeline and answers link to it)."""
    family, legacy, kind, role = key
    return _ID_UNSAFE.sub("_", "c-" + "-".join(
        str(p) for p in (family, "legacy" if legacy else "default", kind, role, env)))


def env_summary(result: dict) -> dict:
    """What the report says about one environment (column header and environment table)."""
    installed = (result.get("installed") or {}).get("packages") or {}
    devices = result.get("devices") or {}
    install = result.get("install") or {}
    line = line_of(result["env"])
    framework = result["env"].get("framework")
    keras_line = line != "tensorflow" and not framework
    label = env_label(result["env"])
    return {
        "name": result["env"]["name"],
        "tensorflow": result["env"]["tensorflow"],
        "line": line,
        "backend": result["env"].get("backend") if keras_line else (framework or "tensorflow"),
        "keras_requested": result["env"].get("keras"),
        "framework": framework,
        "label": label,  # ranges stay unambiguous: "Keras 3.4 jax", "PyTorch 2.15"
        "python": (result.get("platform") or {}).get("python") or result["env"]["python"],
        "status": result["status"],
        "reason": one_line(result.get("reason"), 300) if result.get("reason") else "",
        "log_tail": str(result.get("log_tail") or "")[-3000:],
        "keras": installed.get("keras"), "tf_keras": installed.get("tf-keras"),
        "numpy": installed.get("numpy"), "protobuf": installed.get("protobuf"),
        "gpu": gpu_text(devices.get("gpu")),
        "resolution": install.get("resolution") or result["env"].get("resolution"),
        "exclude_newer": install.get("exclude_newer"),
        "pins": install.get("pins") or [],
        "source": result.get("_source"),
        "cpu": (result.get("platform") or {}).get("cpu_model"),
        "reused": reused_text(result.get("outcome")),
    }


def reused_text(outcome: dict | None) -> str:
    """Which steps' files a run kept from an earlier identical one (initcompat.host.reuse), as
    the Environments table says it: "reused, measured 2026-12-02 14:20 UTC" when every step
    was, else "probe, seeding reused, measured ..."; "" when it measured everything."""
    steps = (outcome or {}).get("steps") or {}
    by_date: dict[str, list[str]] = {}
    measured = 0
    for step, record in steps.items():
        if not isinstance(record, dict) or record.get("status") != "ok" or step == "install":
            continue
        measured += 1
        if record.get("reused") is True:
            when = str(record.get("measured_at") or "")
            shown = f"{when[:10]} {when[11:16]} UTC" if len(when) >= 16 else "an earlier run"
            by_date.setdefault(shown, []).append(step)
    reused = sum(len(names) for names in by_date.values())
    if reused and reused == measured and len(by_date) == 1:
        return f"reused, measured {next(iter(by_date))}"
    return "; ".join(f"{', '.join(names)} reused, measured {when}"
                     for when, names in sorted(by_date.items()))


def assign_variants(envs: list[dict]) -> list[dict]:
    """Mark every environment that measures the same TensorFlow version as another as a variant.

    Per version label, the primary is the environment that ran (status ok) named tf-<label>,
    else the first that ran by name, else tf-<label>; the others get `variant_of` (the primary's name) and `variant` (their name without
    the primary's, e.g. "gpu"). Variants are columns beside their version, never timeline steps.
    """
    by_label: dict[str, list[dict]] = {}
    for env in envs:
        by_label.setdefault(env["label"], []).append(env)
    for label, group in by_label.items():
        # an environment that ran beats one that did not; then tf-<label>, then name order
        primary = sorted(group, key=lambda e: (e["status"] != "ok", e["name"] != f"tf-{label}",
                                               e["name"]))[0]
        for env in group:
            is_variant = env is not primary
            suffix = env["name"][len(primary["name"]):].lstrip("-_.") \
                if env["name"].startswith(primary["name"]) else env["name"]
            env["variant_of"] = primary["name"] if is_variant else None
            env["variant"] = (suffix or env["name"]) if is_variant else None
            base = (env["label"] if env.get("framework") else
                    f"Keras {short_version(env['keras_requested'])} · {env['backend']}"
                    if env.get("line", "tensorflow") != "tensorflow" else f"TF {env['label']}")
            env["column_label"] = base + (f" · {env['variant']}" if is_variant else "")
            env["title"] = env_title(env)
    return envs


def env_title(env: dict) -> str:
    """What an environment is, in words a reader tells apart: 'TF 2.16.2 · Keras 3.4.1, as
    released', 'TF 2.16.2 · today: Keras 3.15.1', 'Keras 3.9.2 on jax', 'PyTorch 2.15.0'."""
    if env.get("framework"):
        return env["label"]
    today = env.get("resolution") == "today"
    if env.get("line", "tensorflow") != "tensorflow":
        keras = env.get("keras") or env.get("keras_requested")
        return f"Keras {keras} on {env.get('backend')}" + (" · today" if today else "")
    parts = [f"TF {env['tensorflow']}"]
    if env.get("keras"):
        parts.append(f"{'today: ' if today else ''}Keras {env['keras']}"
                     + ("" if today else ", as released"))
    elif today:
        parts.append("today")
    if env.get("variant") and env["variant"] not in ("today",) and \
            not env["tensorflow"].startswith(env["variant"]):
        parts.append(env["variant"])  # another build: "gpu"
    return " · ".join(parts)


def without_frameworks(measured: Measured) -> Measured:
    """The TF/Keras environments only: what the sections that read TF/Keras cells and steps
    show (a framework session has none; its draws are the Porting section's)."""
    keep = [i for i, result in enumerate(measured.results) if not result["env"].get("framework")]
    if len(keep) == len(measured.results):
        return measured
    return dataclasses.replace(measured, results=[measured.results[i] for i in keep],
                               envs=[measured.envs[i] for i in keep])


def measure(ordered_results: list[dict], with_changes: bool = True) -> Measured:
    """Analyse every cell of results already in version order; with_changes=False leaves out
    the change steps and seeding groups (a reader that takes them from the events instead)."""
    cells: dict[Place, dict] = {}
    analyses: dict[Place, CellAnalysis] = {}
    keys: dict[Row, None] = {}
    for result in ordered_results:
        # the Keras the environment had (installed; else what its session asked for)
        keras_version = (((result.get("installed") or {}).get("packages") or {}).get("keras")
                         or result["env"].get("keras"))
        for cell in result["cells"]:
            key = row_key(cell)
            keys.setdefault(key, None)
            cells[(key, result["env"]["name"])] = cell
            analyses[(key, result["env"]["name"])] = analyse_cell(
                cell, result["env"]["tensorflow"], keras_version)
    family_rank = {name: i for i, name in enumerate(API_FAMILIES)}
    kinds = list(dict.fromkeys(k[2] for k in keys))
    role_order = list(dict.fromkeys(k[3] for k in keys))
    row_keys = sorted(keys, key=lambda k: (family_rank.get(k[0], 99), k[1], kinds.index(k[2]),
                                           role_order.index(k[3])))
    envs = assign_variants([env_summary(r) for r in ordered_results])
    variant_of = {env["name"]: env["variant_of"] for env in envs}
    if not with_changes:
        return Measured(results=list(ordered_results), envs=envs, row_keys=row_keys,
                        cells=cells, analyses=analyses, steps={}, groups={})
    return Measured(results=list(ordered_results), envs=envs, row_keys=row_keys, cells=cells,
                    analyses=analyses, steps=change_steps(ordered_results, variant_of),
                    groups=reproducibility_groups(ordered_results))
