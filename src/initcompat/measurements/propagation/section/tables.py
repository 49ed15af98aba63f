"""The "Why NaN?" section's tables: one row per version, the prediction against the
measurement, what could not be measured, and reports/propagation.csv and reports/training.csv.
Pure.
"""

from __future__ import annotations

from initcompat.probe import schema
from initcompat.report.describe import one_line
from initcompat.measurements.propagation.section.records import (
    ASKED, DEEP, DEFAULT, HE, TUTORIAL, Found, first_api, first_overflow, fmt, layer_label,
    loss_text, ok, predictions_of, records_of, std_at, version_of, weighted)

PREDICTION_TOLERANCE = 0.10  # the measured/predicted std ratio the prediction is held to


VERSION_COLUMNS = ["CNN logits std (default / stddev=0.1)", "CNN largest logit gap (stddev=0.1)",
                   "deep stack output std (default / stddev=0.1 / he_normal)",
                   "deep stack naive loss (stddev=0.1)", "deep stack float16: first overflow",
                   "CNN training, stddev=0.1, naive loss: NaN step / last loss"]


def version_row(env: dict, body: dict) -> dict:
    api = first_api(body)
    records = records_of(body)
    get = lambda model, init, dtype="float32": records.get((api, model, init, dtype))
    cnn_d, cnn_a = get(TUTORIAL, DEFAULT), get(TUTORIAL, ASKED)
    deep = {init: get(DEEP, init) for init in (DEFAULT, ASKED, HE)}
    half = get(DEEP, ASKED, "float16")
    cells = []
    cells.append(" / ".join(fmt(r["logits"].get("std")) if ok(r) else "—" for r in (cnn_d, cnn_a)))
    cells.append(fmt(cnn_a["logits"].get("max_gap")) if ok(cnn_a) else "—")
    cells.append(" / ".join(fmt(std_at(r, weighted(r)[-2])) if ok(r) else "—"
                            for r in deep.values()))
    cells.append(loss_text((deep[ASKED].get("loss") or {}).get("naive")) if ok(deep[ASKED])
                 else "—")
    if ok(half):
        position = first_overflow(half, "float16")
        cells.append(f"layer {position}" if position else "none")
    else:
        cells.append("error: " + one_line(half.get("reason"), 80) if half else "—")
    run = next((r for r in body.get("training") or [] if r["initializer"] == ASKED
                and r["loss_kind"] == "naive"), None)
    if run and run["status"] == schema.PROP_OK:
        finite = [v for v in run["loss"] if v is not None]
        cells.append(f"{run['first_nonfinite_step'] or 'none'} / "
                     f"{fmt(finite[-1] if finite else None, 3)}")
    else:
        cells.append("not trained" if run is None else "error")
    return {"env": env["name"], "label": env["label"] + (f" · {env['variant']}"
                                                        if env.get("variant_of") else ""),
            "api": api, "cells": cells}


def prediction_rows(reference: Found) -> list[dict]:
    env, result, body = reference
    api = first_api(body)
    version = version_of(result)
    rows = []
    for record in body["records"]:
        if record["api"] != api or record["dtype"] != "float32" or not ok(record):
            continue
        predicted = predictions_of(body, record, version)
        ratios = []
        for layer, p in zip(record["layers"], predicted):
            measured = layer["output"].get("std")
            ratios.append(None if not p.std or measured is None else measured / p.std)
        within = 0
        for ratio in ratios:
            if ratio is None or abs(ratio - 1) > PREDICTION_TOLERANCE:
                break
            within += 1
        first_off = within if within < len(ratios) else None
        parts = ""
        if first_off is not None:
            layer = record["layers"][first_off]
            after_pool = any(l["type"] == "max_pool" for l in record["layers"][:first_off + 1])
            parts = (f"parts at layer {first_off + 1} ({layer_label(layer)}): measured/"
                     f"predicted {fmt(ratios[first_off], 3)}"
                     + ("; a max-pool before it is modelled as the max of independent values, "
                        "and neighbouring activations of an image are correlated"
                        if after_pool else
                        "; one weight draw of a finite layer, not the average over draws the "
                        "recursion predicts (correlated pixels make that spread large)"))
        rows.append({"env": env["label"], "model": record["model"],
                     "initializer": record["initializer"], "api": api,
                     "ratios": [fmt(r, 3) for r in ratios], "within": within,
                     "layers": len(ratios), "parts": parts})
    return rows


def csv_rows(found: list[Found]) -> tuple[list[dict], list[dict]]:
    rows, training = [], []
    for env, result, body in found:
        version = version_of(result)
        base = {"env": env["name"], "tf_version": env["tensorflow"],
                "keras_version": result["env"].get("keras") or env.get("keras"),
                "backend": env.get("backend"), "line": env["line"]}
        for record in body["records"]:
            if not ok(record):
                continue
            predicted = predictions_of(body, record, version)
            for layer, p in zip(record["layers"], predicted):
                out = layer["output"]
                rows.append(dict(base, api=record["api"], model=record["model"],
                                 initializer=record["initializer"], dtype=record["dtype"],
                                 layer_index=layer["index"],
                                 layer=layer_label(layer),
                                 activation_std=out.get("std"), activation_mean=out.get("mean"),
                                 zero_fraction=out.get("zero_fraction"),
                                 max_abs=out.get("max_abs"), nonfinite=out.get("nonfinite"),
                                 grad_norm=layer.get("grad_norm"), predicted_std=p.std,
                                 pre_activation_std=layer["pre_activation"].get("std"),
                                 predicted_pre_activation_std=p.pre_std,
                                 fan_in=layer.get("fan_in"), kernel_std=layer.get("kernel_std"),
                                 weight_source=p.weight_source))
        for run in body.get("training") or []:
            for step, (value, gap) in enumerate(zip(run["loss"], run["logit_gap"])):
                training.append(dict(base, api=run["api"], model=run["model"],
                                     initializer=run["initializer"], loss=run["loss_kind"],
                                     step=step + 1, value=value, logit_gap=gap))
    return rows, training


def unmeasurable(found: list[Found]) -> list[dict]:
    """What could not be measured (a dtype a version cannot build or compute in), with the
    environments where it happened: one line per distinct error text."""
    where: dict[str, list[str]] = {}
    for env, _, body in found:
        for record in body["records"]:
            text = None
            if record["status"] != schema.PROP_OK:
                text = f"{record['dtype']} {record['api']}: {one_line(record.get('reason'), 140)}"
            elif (record.get("loss") or {}).get("error"):
                text = (f"{record['dtype']} {record['api']} loss: "
                        f"{one_line(record['loss']['error'], 140)}")
            if text:
                names = where.setdefault(text, [])
                if env["label"] not in names:
                    names.append(env["label"])
    return [{"text": text, "range": ", ".join(labels)} for text, labels in where.items()]


# reports/propagation.csv and reports/training.csv (this module's rows).
PROPAGATION_COLUMNS = ["env", "tf_version", "model", "initializer", "dtype", "layer_index",
                       "layer", "activation_std", "activation_mean", "zero_fraction", "max_abs",
                       "grad_norm", "predicted_std", "keras_version", "backend", "api",
                       "pre_activation_std", "predicted_pre_activation_std", "nonfinite",
                       "fan_in", "kernel_std", "weight_source", "line"]
TRAINING_COLUMNS = ["env", "tf_version", "model", "initializer", "loss", "step", "value",
                    "keras_version", "backend", "api", "logit_gap", "line"]
