"""The Answers section: per API family, where it is available and what initializes each weight,
as version ranges in words. Pure."""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.report.describe import cell_answer, version_range
from initcompat.report.frame import family_label
from initcompat.report.measured import Measured, Row

# The layers the original question asks about; every other layer's answer is one click away.
HEADLINE_KINDS = ("dense", "conv2d")


@dataclass(frozen=True)
class Answers:
    # [{"family": label, "availability": [segment], "items": [answer]}] in family order
    groups: list[dict]


def _ranges(values: list[tuple[str, str, str]]) -> list[dict]:
    """[(version label, text, status)] -> consecutive runs of the same text, as ranges."""
    segments: list[dict] = []
    for label, text, status in values:
        if segments and segments[-1]["text"] == text:
            segments[-1]["versions"].append(label)
        else:
            segments.append({"text": text, "versions": [label], "status": status})
    for segment in segments:
        segment["range"] = version_range(segment["versions"])
    return segments


def _family_availability(keys: list[Row], env: dict, cells: dict, legacy: bool) -> tuple[str, str]:
    """(text, status) of a whole API family in one environment."""
    present = [cells[(k, env["name"])] for k in keys if (k, env["name"]) in cells]
    if not present:
        return ("not probed (no tf_keras installed)" if legacy else "not probed"), "missing"
    if any(c["status"] == "ok" for c in present):
        return "available", "ok"
    reachable = [c for c in present if c.get("error_type") != "NotOffered"] or present
    return cell_answer(reachable[0], None), reachable[0]["status"]


def build_answers(measured: Measured) -> Answers:
    """Per API family: where it is available, then per layer and weight what initializes it,
    as version ranges over the versions where the family is available."""
    cells, analyses = measured.cells, measured.analyses
    ok_envs = [e for e in measured.envs if e["status"] == "ok"]
    groups = []
    for family in dict.fromkeys((k[0], k[1]) for k in measured.row_keys):
        keys = [k for k in measured.row_keys if (k[0], k[1]) == family]
        availability = []
        available = set()
        for env in ok_envs:
            text, status = _family_availability(keys, env, cells, family[1])
            availability.append((env["label"], text, status))
            if status == "ok":
                available.add(env["name"])
        items = []
        for key in keys:
            values, offered, layer = [], False, None
            for env in ok_envs:
                if env["name"] not in available:
                    continue
                cell = cells.get((key, env["name"]))
                layer = layer or (cell["layer"] if cell else None)
                offered = offered or bool(cell and cell.get("error_type") != "NotOffered")
                values.append((env["label"], cell_answer(cell, analyses.get((key, env["name"])),
                                                         legacy=key[1]),
                               cell["status"] if cell else "missing"))
            if values and offered:
                items.append({"key": key, "layer": layer or key[2], "role": key[3],
                              "headline": key[2] in HEADLINE_KINDS, "segments": _ranges(values)})
        groups.append({"family": family_label(*family), "availability": _ranges(availability),
                       "items": items})
    return Answers(groups=groups)
