"""From loaded results to tables: environments in version order, one row per environment x cell."""

from __future__ import annotations

import json
import re

import pandas as pd


CELL_COLUMNS = [
    "env", "tf_version", "keras_version", "backend", "resolution", "variant", "python_version",
    "env_status", "api_family", "legacy_keras", "layer",
    "layer_kind", "weight_role", "status", "reason", "error_type", "declared_initializer",
    "declared_module", "declared_config", "held_by_layer", "resolved_by", "shape", "fan_in",
    "fan_out", "n", "mean", "std", "min", "max", "skewness", "excess_kurtosis", "se_mean",
    "se_std", "seeded_sha256", "repeats_in_process", "seed_call",
]
ROW_KEY = ["api_family", "legacy_keras", "layer_kind", "weight_role"]


def version_key(version: str) -> tuple:
    """Sort key for TF versions: 1.4 < 1.15 < 2.0 < 2.21 < 2.22.0.dev2026...; unknown last."""
    match = re.match(r"(\d+)\.(\d+)(?:\.(\d+))?(.*)", version or "")
    if not match:
        return (10 ** 6, 0, 0, version or "")
    major, minor, patch, rest = match.groups()
    return (int(major), int(minor), int(patch or 0), rest or "~")


def short_version(version: str) -> str:
    """'1.15.5' -> '1.15'; pre-releases and nightlies are kept whole."""
    match = re.match(r"^(\d+\.\d+)\.\d+$", version or "")
    return match.group(1) if match else version


LINES = ("tensorflow", "keras · tensorflow", "keras · jax", "keras · torch", "keras · numpy",
         "torch", "flax", "jax-stax")


FRAMEWORK_LABELS = {"torch": "PyTorch", "flax": "Flax", "jax-stax": "JAX stax"}


def env_label(env: dict) -> str:
    """An environment's column label: TF's short version ("2.16"), or the line it belongs to with
    its version ("Keras 3.4 jax", "PyTorch 2.15")."""
    line = line_of(env)
    framework = env.get("framework")
    if framework:
        return f"{FRAMEWORK_LABELS.get(framework, framework)} " \
               f"{short_version(str(env.get('framework_version') or '?'))}"
    if line != "tensorflow":
        return f"Keras {short_version(env['keras'])} {env.get('backend')}"
    return short_version(env["tensorflow"])


def line_of(env: dict) -> str:
    """Which history an environment belongs to: TensorFlow's releases, or the Keras axis on
    one backend ('keras · jax'), or a framework beside them ('torch', 'flax', 'jax-stax').
    Versions are compared only within a line."""
    if isinstance(env.get("framework"), str) and env["framework"]:
        return env["framework"]
    if isinstance(env.get("keras"), str) and env["keras"]:
        return f"keras · {env.get('backend') or '?'}"
    return "tensorflow"


def line_version(env: dict) -> str:
    """The version that orders an environment within its line: TF's, the Keras release, or
    the framework's."""
    if isinstance(env.get("framework"), str) and env["framework"]:
        return str(env.get("framework_version") or "")
    return env["keras"] if line_of(env) != "tensorflow" else env["tensorflow"]


def order_results(results: tuple[dict, ...]) -> list[dict]:
    """Results line by line (TensorFlow first, then the Keras axis per backend), in version
    order within a line (ties: environment name)."""
    def key(result: dict) -> tuple:
        line = line_of(result["env"])
        rank = LINES.index(line) if line in LINES else len(LINES)
        return (rank, line, version_key(line_version(result["env"])), result["env"]["name"])
    return sorted(results, key=key)


def family_label(api_family: str, legacy_keras: bool) -> str:
    """How the report names a family row group."""
    if legacy_keras and api_family != "tf_keras":
        return f"{api_family} (TF_USE_LEGACY_KERAS=1)"
    return api_family


def _cell_row(result: dict, cell: dict) -> dict:
    env = result["env"]
    initializer = cell.get("initializer") or {}
    sample = cell.get("sample") or {}
    seeded = cell.get("seeded") or {}
    config = initializer.get("config")
    return {
        "env": env["name"],
        "tf_version": env["tensorflow"],
        # the Keras the environment had (installed; else what its session asked for)
        "keras_version": (((result.get("installed") or {}).get("packages") or {}).get("keras")
                          or env.get("keras")),
        "backend": env.get("backend") or "tensorflow",
        "resolution": (result.get("install") or {}).get("resolution") or env.get("resolution"),
        "variant": None,  # filled by cells_csv from the view (a variant column's name)
        "python_version": (result.get("platform") or {}).get("python") or env["python"],
        "env_status": result["status"],
        "api_family": cell["api_family"],
        "legacy_keras": bool(cell["legacy_keras"]),
        "layer": cell["layer"],
        "layer_kind": cell["layer_kind"],
        "weight_role": cell["weight_role"],
        "status": cell["status"],
        "reason": cell.get("reason"),
        "error_type": cell.get("error_type"),
        "declared_initializer": initializer.get("class_name"),
        "declared_module": initializer.get("module"),
        "declared_config": json.dumps(config, sort_keys=True) if config is not None else None,
        "held_by_layer": initializer.get("held_by_layer"),
        "resolved_by": initializer.get("resolved_by"),
        "shape": json.dumps(cell.get("shape")) if cell.get("shape") is not None else None,
        "fan_in": cell.get("fan_in"),
        "fan_out": cell.get("fan_out"),
        **{key: sample.get(key) for key in ("n", "mean", "std", "min", "max", "skewness",
                                             "excess_kurtosis", "se_mean", "se_std")},
        "seeded_sha256": seeded.get("sha256"),
        "repeats_in_process": seeded.get("repeats_in_process"),
        "seed_call": seeded.get("seed_call"),
    }


def cells_frame(results: list[dict]) -> pd.DataFrame:
    """One row per environment x cell; environments in the given order."""
    rows = [_cell_row(result, cell) for result in results for cell in result["cells"]]
    frame = pd.DataFrame(rows, columns=CELL_COLUMNS)
    for column in ("fan_in", "fan_out", "n"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("Int64") \
            if frame[column].map(lambda v: pd.isna(v) or float(v).is_integer()).all() else frame[column]
    frame["env_order"] = frame["env"].map({r["env"]["name"]: i for i, r in enumerate(results)})
    return frame
