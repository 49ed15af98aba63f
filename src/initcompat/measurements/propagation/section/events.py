"""The "Why NaN?" section's timeline events: a loss that starts or stops being finite between
two environments compared, where that is a property of the version and not of one draw. Pure.
"""

from __future__ import annotations

import math

from initcompat.probe import schema
from initcompat.report.analysis import comparison_pairs
from initcompat.report.measured import Measured
from initcompat.measurements.propagation.section.records import (
    DTYPE_MAX, FLOAT32_NORMAL_GAP, FLOAT32_SUBNORMAL_GAP, body_of, fmt, ok, records_of)

TIMELINE_KIND = "propagation"
# Whether a loss is finite is a property of the version only where the logit gap (and the largest
# activation) lie far from the values where one draw tips it: around the gap where exp(-gap)
# underflows (normal to subnormal limit) and around the dtype's largest finite value. Within a
# factor 2 of those a record is not compared, so a gap that wanders across one is not a change.
UNSTABLE_GAPS = {
    "float32": ((FLOAT32_NORMAL_GAP / 2, FLOAT32_SUBNORMAL_GAP * 2),),
    "bfloat16": ((FLOAT32_NORMAL_GAP / 2, FLOAT32_SUBNORMAL_GAP * 2),),  # float32's exponent
    "float16": ((-math.log(2.0 ** -14) / 2, -math.log(2.0 ** -24) * 2),
                (DTYPE_MAX["float16"] / 2, DTYPE_MAX["float16"] * 2)),
}


def _finite_flags(record: dict) -> dict[str, bool]:
    """Which of the two losses came out finite, where that is a property of the version and not
    of where one draw's logit gap or largest activation fell (UNSTABLE_GAPS)."""
    gap = (record.get("logits") or {}).get("max_gap")
    loss = record.get("loss") or {}
    bands = UNSTABLE_GAPS.get(record["dtype"], UNSTABLE_GAPS["float32"])
    if gap is None or loss.get("error") or any(low <= gap <= high for low, high in bands):
        return {}
    limit = DTYPE_MAX.get(record["dtype"], DTYPE_MAX["float32"])
    if any(limit / 2 <= (layer["output"].get("max_abs") or 0) <= limit * 2
           for layer in record["layers"]):
        return {}
    return {"naive": loss.get("naive") is not None, "stable": loss.get("stable") is not None}


def propagation_events(measured: Measured) -> list[dict]:
    """A loss that starts or stops being finite between two environments compared (the
    previous primary of the line; a variant's primary), per API x model x initializer x dtype,
    and a training run that starts or stops reaching NaN."""
    variant_of = {env["name"]: env["variant_of"] for env in measured.envs}
    usable = [r for r in measured.results if body_of(r) is not None]
    events = []
    for before, after, _ in comparison_pairs(usable, variant_of):
        old, new = records_of(body_of(before)), records_of(body_of(after))
        for key in [k for k in new if k in old]:
            if not (ok(old[key]) and ok(new[key])):
                continue
            flags = _finite_flags(old[key]), _finite_flags(new[key])
            for loss in ("naive", "stable"):
                if loss in flags[0] and loss in flags[1] and flags[0][loss] != flags[1][loss]:
                    api, model, initializer, dtype = key
                    words = {True: "finite", False: "not finite"}
                    events.append(_timeline_event(
                        after, before, api, f"{model} · {initializer} · {dtype}",
                        f"{loss} loss at initialization: {words[flags[0][loss]]} → "
                        f"{words[flags[1][loss]]} (largest logit gap "
                        f"{fmt(old[key]['logits'].get('max_gap'))} → "
                        f"{fmt(new[key]['logits'].get('max_gap'))})"))
        old_runs = {(r["initializer"], r["loss_kind"]): r for r in body_of(before).get("training") or []}
        for run in body_of(after).get("training") or []:
            previous = old_runs.get((run["initializer"], run["loss_kind"]))
            if previous is None or run["status"] != schema.PROP_OK or \
                    previous["status"] != schema.PROP_OK:
                continue
            nan = bool(previous["first_nonfinite_step"]), bool(run["first_nonfinite_step"])
            if nan[0] != nan[1]:
                step = run["first_nonfinite_step"] or previous["first_nonfinite_step"]
                events.append(_timeline_event(
                    after, before, run["api"], f"{run['model']} training · {run['initializer']}",
                    f"{run['loss_kind']} loss " + (f"now NaN/∞ at step {step}" if nan[1] else
                                                   f"no longer NaN (was at step {step})")
                    + f" within {len(run['loss'])} steps"))
    return events


def _timeline_event(after: dict, before: dict, api: str, row: str, text: str) -> dict:
    return {"env": after["env"]["name"], "since": before["env"]["name"], "kind": TIMELINE_KIND,
            "family": api, "layer": row, "weight": "", "row": f"{api} {row}", "text": text,
            "cell": "propagation"}
