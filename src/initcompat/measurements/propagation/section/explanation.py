"""The "Why NaN?" section's long explanation, step by step, in the reference environments: what
a fixed σ does to each layer of the tutorial's CNN and of the deep stack, the logits, both
losses at initialization and through training, float16, the He fix and LSUV; and over which
versions the deep stack's naive loss is finite. Pure; every number from the files.
"""

from __future__ import annotations

import math

from initcompat.probe import schema
from initcompat.report.describe import one_line
from initcompat.measurements.propagation.section.records import (
    ASKED, DEEP, DEFAULT, FLOAT32_NORMAL_GAP, FLOAT32_SUBNORMAL_GAP, HE, TUTORIAL, Found,
    env_name, first_api, first_overflow, fmt, gain, layer_label, loss_text, models_of, ok,
    predictions_of, records_of, runs, std_at, version_of, weighted)


def answer_paragraphs(reference: Found, deep: Found | None) -> list[str]:
    env, result, body = reference
    api = first_api(body)
    records = records_of(body)
    asked = records.get((api, TUTORIAL, ASKED, "float32"))
    default = records.get((api, TUTORIAL, DEFAULT, "float32"))
    if not (ok(asked) and ok(default)):
        return []
    kernels = weighted(asked)
    last_hidden = kernels[-2] if len(kernels) > 1 else kernels[-1]
    dense = asked["layers"][last_hidden]
    gain_asked, gain_default = gain(dense), gain(default["layers"][last_hidden])
    label = env["label"]
    design = body.get("design") or {}
    batch = (models_of(body).get(TUTORIAL) or {}).get("batch") or design.get("batch")
    paragraphs = [
        f"Measured in TensorFlow {label} with {api}, on the tutorial's CNN and one seeded batch "
        f"of {batch} real digits, the standard deviation (std) of each layer's output ("
        + ", ".join(layer_label(layer) for layer in default["layers"])
        + ") is " + ", ".join(fmt(std_at(default, i)) for i in range(len(default["layers"])))
        + " under the default and "
        + ", ".join(fmt(std_at(asked, i)) for i in range(len(asked["layers"])))
        + " under truncated_normal_initializer(stddev=0.1)"
        + ". A fixed σ ignores the fan (fan_in: how many inputs each output sums): the dense "
        f"layer ({layer_label(dense)}, fan_in {dense.get('fan_in')}) multiplies the second "
        "moment (the mean of the squares) of its input by fan_in × E[w²] = "
        f"{fmt(gain_asked)} with the drawn weights (σ drawn "
        f"{fmt(dense.get('kernel_std'))}: the 0.1 asked for, cut at ±2σ), against "
        f"{fmt(gain_default)} under the default (σ drawn "
        f"{fmt(default['layers'][last_hidden].get('kernel_std'))}); ReLU halves it."]
    logits_a, logits_d = asked["logits"], default["logits"]
    loss_a, loss_d = asked.get("loss") or {}, default.get("loss") or {}
    paragraphs.append(
        f"So the logits come out with std {fmt(logits_a.get('std'))} instead of "
        f"{fmt(logits_d.get('std'))}, and the largest gap between two logits of one example is "
        f"{fmt(logits_a.get('max_gap'))} (default {fmt(logits_d.get('max_gap'))}). The naive "
        f"loss of the old tutorials, −Σ y·log(softmax(logits)), becomes NaN as soon as one "
        f"probability underflows to 0 (0·log 0 = 0·−∞): in float32 that needs a gap above "
        f"{FLOAT32_NORMAL_GAP:.1f} where subnormals are flushed to zero, else "
        f"{FLOAT32_SUBNORMAL_GAP:.1f}. At initialization this CNN stays below "
        f"that: the naive loss is {loss_text(loss_a.get('naive'))} with stddev=0.1 and "
        f"{loss_text(loss_d.get('naive'))} with the default (the stable one: "
        f"{loss_text(loss_a.get('stable'))} and {loss_text(loss_d.get('stable'))}).")
    runs = [r for r in body.get("training") or [] if r["model"] == TUTORIAL]
    if runs:
        parts = []
        for run in runs:
            finite = [v for v in run["loss"] if v is not None]
            if run["status"] != schema.PROP_OK:
                parts.append(f"{run['initializer']}, {run['loss_kind']} loss: failed "
                             f"({one_line(run.get('reason'), 120)})")
            elif run["first_nonfinite_step"]:
                parts.append(f"{run['initializer']}, {run['loss_kind']} loss: NaN/∞ at step "
                             f"{run['first_nonfinite_step']}")
            else:
                parts.append(f"{run['initializer']}, {run['loss_kind']} loss: finite for all "
                             f"{len(run['loss'])} steps, {fmt(finite[0], 3)} → "
                             f"{fmt(finite[-1], 3)}, largest logit gap "
                             f"{fmt(max(g for g in run['logit_gap'] if g is not None), 3)}")
        first = runs[0]
        paragraphs.append(
            f"Training it with the tutorial's gradient descent (learning rate "
            f"{first.get('learning_rate')}, batch {first.get('batch')}) for "
            f"{first.get('steps')} steps: " + "; ".join(parts) + ".")
    if deep is not None:
        paragraphs.extend(_deep_answer(deep))
    return paragraphs


def _deep_answer(reference: Found) -> list[str]:
    env, _, body = reference
    api = first_api(body)
    records = records_of(body)
    asked = records.get((api, DEEP, ASKED, "float32"))
    he = records.get((api, DEEP, HE, "float32"))
    default = records.get((api, DEEP, DEFAULT, "float32"))
    if not (ok(asked) and ok(default)):
        return []
    depth = len(weighted(asked)) - 1
    last = weighted(asked)[-2]
    growth = gain(asked["layers"][1]) if len(asked["layers"]) > 1 else None
    conv = layer_label(asked["layers"][last])
    text = (f"Depth is where a fixed σ breaks. In the deep stack ({depth} plain {conv} layers; "
            f"{env_name(env)}, {api}) each conv multiplies the second moment by about "
            f"{fmt(growth)}/2 = {fmt(growth / 2 if growth else None)} under stddev=0.1: the output "
            f"std after layer {depth} is {fmt(std_at(asked, last))} (default "
            f"{fmt(std_at(default, last))}"
            + (f", he_normal {fmt(std_at(he, last))}" if ok(he) else "") + "). The logits' largest "
            f"gap is {fmt(asked['logits'].get('max_gap'))}; the naive loss is "
            f"{loss_text((asked.get('loss') or {}).get('naive'))} and the stable one "
            f"{loss_text((asked.get('loss') or {}).get('stable'))}.")
    half = records.get((api, DEEP, ASKED, "float16"))
    if ok(half):
        position = first_overflow(half, "float16")
        gap = half["logits"].get("max_gap")
        text += (f" Built in float16 the activations pass 65 504 first at layer {position}"
                 if position else " Built in float16 no activation passes 65 504")
        text += (f"; its logit gap is {fmt(gap)}"
                 + (", beyond float16's largest value 65 504" if gap and gap > 65504 else "")
                 + f", and its stable loss is {loss_text((half.get('loss') or {}).get('stable'))}.")
    paragraphs = [text]
    if ok(he):
        predicted = predictions_of(body, he, version_of(reference[1]))
        paragraphs.append(
            "The fix, checked: a σ that follows the fan. For ReLU layers the variance that keeps "
            "the second moment constant is 2/fan_in (He); he_normal draws it, and with it the "
            f"stack's output std is {fmt(std_at(he, weighted(he)[0]))} at layer 1 and "
            f"{fmt(std_at(he, weighted(he)[-2]))} at layer {depth} (stddev=0.1: "
            f"{fmt(std_at(asked, last))}; the default: {fmt(std_at(default, last))}). No explosion; "
            "what decay is left is the 'same' padding's zero border on 8×8 maps (the prediction, "
            f"border included, gives {fmt(predicted[weighted(he)[-2]].std)} at layer {depth}) "
            "and the spread of one draw of 64-channel layers, which compounds with depth.")
    lsuv = _lsuv_label(body)
    rescaled = records.get((api, DEEP, lsuv, "float32")) if lsuv else None
    if ok(rescaled):
        pre = [layer["pre_activation"].get("std") for layer in rescaled["layers"]
               if layer.get("kernel_shape")][:-1]
        pre = [value for value in pre if value is not None]
        if pre:
            paragraphs.append(
                f"{lsuv}: LSUV (layer-sequential unit variance) rescales on top of it: it divides "
                "each kernel, in layer order, by the std of its pre-activation (the layer's "
                "output before ReLU) on another seeded batch. On the measured "
                f"batch the pre-activation std then stays between {fmt(min(pre))} and "
                f"{fmt(max(pre))} through all {len(pre)} convs, and the output std at layer "
                f"{depth} is {fmt(std_at(rescaled, last))} (the std of ReLU of a unit normal: "
                f"{fmt(math.sqrt(0.5 - 1 / (2 * math.pi)))}).")
    return paragraphs


def _lsuv_label(body: dict) -> str | None:
    """The label of the suite's LSUV initializer ("lsuv": true), if it has one."""
    for initializer in (body.get("design") or {}).get("initializers") or []:
        if initializer.get("lsuv"):
            return initializer["label"]
    return None


def naive_loss_versions(found: list[Found]) -> str | None:
    """Where the deep stack's logits gap passes the float32 underflow point under stddev=0.1:
    per run of versions, whether the naive loss came out finite (the version evaluated
    log(softmax) without the underflow) or not. None when no version measured it."""
    lines: dict[str, tuple[list, list]] = {}
    evidence: list[str] = []
    for env, _, body in found:
        if env.get("variant_of"):
            continue
        record = records_of(body).get((first_api(body), DEEP, ASKED, "float32"))
        if not ok(record) or (record["logits"].get("max_gap") or 0) < FLOAT32_SUBNORMAL_GAP:
            continue
        finite = (record.get("loss") or {}).get("naive") is not None
        labels, values = lines.setdefault(env["line"], ([], []))
        labels.append(env["label"])
        values.append(finite)
        errors = [str((other.get("loss") or {}).get("error") or "") for other in body["records"]]
        if finite and any("LogSoftmax" in e and "node Log" in e for e in errors):
            evidence.append(env["label"])
    if not lines:
        return None
    parts = []
    for line, (labels, values) in lines.items():
        name = "TensorFlow" if line == "tensorflow" else line.replace("keras · ", "Keras on ")
        parts.append(f"{name}: " + "; ".join(
            f"{'finite' if value else 'not finite'} in {span}" for value, span in
            runs(labels, values)))
    if len({value for _, values in lines.values() for value in values}) == 1:
        text = ("The same in every version measured: with the deep stack's logit gap above "
                f"{FLOAT32_SUBNORMAL_GAP:.1f} under stddev=0.1, in each environment's first API, "
                "the naive loss is " + ". ".join(parts) + ".")
    else:
        text = ("Whether the naive loss shows that NaN depends on the version: with the deep "
                f"stack's logit gap above {FLOAT32_SUBNORMAL_GAP:.1f} under stddev=0.1, in each "
                "environment's first API, it is " + ". ".join(parts) + ".")
    if evidence:
        text += (" Where it is finite, TensorFlow evaluated log(softmax(x)) as one log-softmax: "
                 "in " + ", ".join(evidence) + " the bfloat16 run's error names a LogSoftmax "
                 "kernel for the graph's Log node.")
    return text
