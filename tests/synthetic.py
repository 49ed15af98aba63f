"""Synthetic result documents with known answers, for report tests (never a fake `tf`)."""

from __future__ import annotations

import math

import numpy as np

from initcompat.probe.moments import fingerprint_bytes, summarize_sample
from initcompat.probe.schema import KIND_RESULT, SCHEMA_VERSION


def glorot_limit(fan_in: int, fan_out: int) -> float:
    return math.sqrt(6.0 / (fan_in + fan_out))


def cell(family: str, kind: str, role: str, values=None, class_name="GlorotUniform",
         module="keras.src.initializers.random_initializers", config=None, shape=(96, 40),
         status="ok", reason=None, error_type=None, legacy=False, layer=None, seed_bytes=None) -> dict:
    """One cell; `values` are the drawn weights (flattened sample) for an ok cell."""
    document = {"api_family": family, "legacy_keras": legacy, "layer": layer or kind, "layer_kind": kind,
                "weight_role": role, "status": status, "reason": reason, "error_type": error_type}
    if status != "ok":
        return document
    values = np.asarray(values, dtype=np.float64)
    sample = summarize_sample(values, 1000, seed=0)
    sample["builds"] = 1
    sample["first_build_max_abs_gram_offdiag"] = 0.3 if len(shape) > 1 else None
    first = values[: int(np.prod(shape))] if seed_bytes is None else seed_bytes
    document.update({
        "shape": list(shape), "fan_in": shape[0], "fan_out": shape[-1],
        "initializer": {"class_name": class_name, "module": module,
                        "config": config if config is not None else {"seed": None},
                        "held_by_layer": class_name, "resolved_by": "layer attribute"},
        "sample": sample,
        "seeded": dict(fingerprint_bytes(first), seed=1, seed_call="test", repeats_in_process=True),
    })
    return document


def result(name: str, tensorflow: str, cells: list[dict], status: str = "ok", reason=None) -> dict:
    return {"schema_version": SCHEMA_VERSION, "kind": KIND_RESULT, "status": status, "reason": reason,
            "env": {"name": name, "tensorflow": tensorflow, "python": "3.11", "tags": [],
                    "resolution": "as-released"},
            "platform": {"python": "3.11.7"}, "installed": {"packages": {"tensorflow": tensorflow}},
            "devices": {"devices": [], "gpu": "none found"}, "cells": cells}


def uniform(limit: float, n: int = 100_000, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).uniform(-limit, limit, n)


def normal(std: float, n: int = 100_000, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).normal(0.0, std, n)
