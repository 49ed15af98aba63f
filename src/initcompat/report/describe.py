"""Words for what was measured: initializer labels, cell answers, GPUs, version ranges."""

from __future__ import annotations

import json

from initcompat.probe import schema
from initcompat.report.analysis import CellAnalysis
from initcompat.report.frame import short_version  # noqa: F401 (re-exported: words use it)
from initcompat.report.theory import normalize_class_name

# Human names for initializer classes, by theory.normalize_class_name's key (the one normalizer:
# 'GlorotUniformV2', 'glorot_uniform_initializer' and 'GlorotUniform' share the key).
HUMAN_NAMES = {
    "glorotuniform": "Glorot uniform", "glorotnormal": "Glorot normal",
    "heuniform": "He uniform", "henormal": "He normal",
    "lecununiform": "LeCun uniform", "lecunnormal": "LeCun normal",
    "zeros": "zeros", "ones": "ones",
    "constant": "constant", "randomuniform": "random uniform", "randomnormal": "random normal",
    "truncatednormal": "truncated normal", "variancescaling": "variance scaling",
    "orthogonal": "orthogonal", "identity": "identity",
    "uniformunitscaling": "uniform unit scaling",
}
# Config keys that never change what is drawn.
IGNORED_CONFIG_KEYS = {"seed", "dtype"}
# The report's one sentence for a record that lists no GPU (the probe writes schema.NO_GPU).
NO_GPU = "no GPU"


def relevant_config(config_json: str | None) -> dict:
    """The config without keys that do not change the distribution (seed, dtype), nulls dropped."""
    if not config_json:
        return {}
    try:
        config = json.loads(config_json)
    except ValueError:
        return {"config": config_json}
    if not isinstance(config, dict):
        return {"config": config}
    return {k: v for k, v in sorted(config.items()) if k not in IGNORED_CONFIG_KEYS and v is not None}


def initializer_label(class_name: str | None, config_json: str | None) -> str:
    """'Glorot uniform' or 'variance scaling (mode=fan_in, scale=2.0)': name plus what matters."""
    if not class_name:
        return "unknown initializer"
    name = HUMAN_NAMES.get(normalize_class_name(class_name), class_name)
    config = relevant_config(config_json)
    if not config:
        return name
    return f"{name} ({', '.join(f'{k}={v}' for k, v in config.items())})"


def declared_label(cell: dict) -> str:
    """The label of the initializer a measured cell declares ('Glorot uniform')."""
    initializer = cell.get("initializer") or {}
    return initializer_label(initializer.get("class_name"),
                             json.dumps(initializer.get("config"), sort_keys=True))


def family_status(cells: list[dict]) -> tuple[str, str]:
    """('available', '') when any cell of a family measured, else (status, why) of the first
    cell that names a reason other than the family not offering that layer."""
    if any(c["status"] == "ok" for c in cells):
        return "available", ""
    reachable = [c for c in cells if c.get("error_type") != "NotOffered"] or cells
    return reachable[0]["status"], cell_answer(reachable[0], None)


def cell_answer(cell: dict | None, analysis: CellAnalysis | None, legacy: bool = False) -> str:
    """The sentence fragment a user wants for one cell: what runs, or why nothing can."""
    if cell is None:
        return "not probed (no tf_keras installed)" if legacy else "not probed"
    if cell["status"] != "ok":
        kind = "unavailable" if cell["status"] == "unavailable" else "error"
        detail = f"{cell.get('error_type') or ''}: {one_line(cell.get('reason'), 120)}".strip(": ")
        return f"{kind} ({detail})" if detail else kind
    initializer = cell.get("initializer") or {}
    config = json.dumps(initializer.get("config"), sort_keys=True) \
        if initializer.get("config") is not None else None
    label = initializer_label(initializer.get("class_name"), config)
    if analysis and analysis.theory:
        label += f" — {analysis.theory}"
    return label


def gpu_text(gpu) -> str:
    """The GPUs a record lists, or NO_GPU when it lists none (never a blank)."""
    if not gpu or gpu == schema.NO_GPU:
        return NO_GPU
    return ", ".join(gpu) if isinstance(gpu, list) else str(gpu)


def one_line(text: str | None, limit: int = 160) -> str:
    """Collapse whitespace and cut long text (error messages can be pages long)."""
    flat = " ".join(str(text or "").split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"
