"""The "Why NaN?" section: the seed question's second half, answered from the propagation step's
NAME.propagation.json (initcompat.probe.propagation). Pure.

The asker set `tf.truncated_normal_initializer(stddev=0.1)` on the TF layers tutorial's CNN and
got NaN. This section says in plain words, with the numbers the probe drew in the newest TF 1.x
(tf.layers, the asker's API) and TF 2.x (tf.keras), what that initializer does to each layer's
activations against the default, how large the logits and their gaps are, whether the naive and
the stable cross-entropy are finite at initialization and through the tutorial's training, and
where a deeper stack overflows in float16. Charts: activation std against depth (measured, and
the mean-field prediction of report/propagation_theory.py dashed) per model and initializer;
loss against step. A table per version; reports/propagation.csv and reports/training.csv.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.report import propagation_theory
from initcompat.report.describe import one_line
from initcompat.report.measured import Measured

# exp(x) of a float32 is subnormal below this and 0 below -103.97; a softmax probability of 0
# makes log(0) = -inf and y*log = 0*-inf = NaN in the naive loss.
FLOAT32_NORMAL_GAP = -math.log(2.0 ** -126)  # 87.34
FLOAT32_SUBNORMAL_GAP = -math.log(2.0 ** -149)  # 103.28
DTYPE_MAX = {"float16": 65504.0, "bfloat16": 3.3895e38, "float32": 3.4028e38}
TUTORIAL = "tutorial_cnn"
ASKED = "truncated_normal(stddev=0.1)"
DEFAULT = "default"
PREDICTION_TOLERANCE = 0.10  # the measured/predicted std ratio the prediction is held to
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
COLOURS = ("#1b6ca8", "#c2410c", "#15803d", "#7c3aed", "#a16207")
CHART_WIDTH, CHART_HEIGHT, CHART_PAD = 320, 170, 30


@dataclass(frozen=True)
class Propagation:
    present: bool  # some environment has a propagation file
    answer: list[str]  # the plain-words answer, one paragraph each, every number from the files
    #                    (the newest TF 1.x: the asker's API), then the version ranges
    more: list[dict]  # {"title", "paragraphs"}: the same answer in the newer references
    references: list[dict]  # {"env", "label", "api"}: the environments the charts show
    charts: list[dict]  # {"title", "env", "model", "svg": {...}, "legend": [...]}
    training: list[dict]  # {"title", "svg", "legend", "rows": [...]} per reference environment
    versions: list[dict]  # {"label", "env", "api", "cells": [...]} per environment, page order
    version_columns: list[str]
    prediction: list[dict]  # {"env", "model", "initializer", "api", "ratios", "within", "parts"}
    missing: list[str]  # environments that ran but have no propagation file
    failed: list[dict]  # {"env", "status", "reason"}
    errors: list[dict]  # {"text", "range"}: what could not be measured, over versions
    events: list[dict]  # timeline events (kind TIMELINE_KIND): a loss that starts or stops being
    #                     finite between two environments compared
    table: list[dict]  # reports/propagation.csv
    training_table: list[dict]  # reports/training.csv


def _fmt(value: float | None, digits: int = 3) -> str:
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.{max(digits - 1, 1)}e}"
    return f"{value:.{digits}g}"


def _layer_label(layer: dict, spec: dict | None) -> str:
    kind = layer["type"]
    if kind == "conv2d" and layer.get("kernel_shape"):
        h, w, _, out = layer["kernel_shape"]
        text = f"conv {h}×{w}×{out}"
    elif kind == "dense" and layer.get("kernel_shape"):
        text = f"dense {layer['kernel_shape'][1]}"
    elif kind == "max_pool":
        text = "max-pool"
    else:
        text = kind
    if layer.get("activation"):
        text += f" {layer['activation']}"
    return text


def _version(result: dict) -> str | None:
    env = result["env"]
    if env.get("tensorflow") and env["tensorflow"] != schema.NO_TENSORFLOW:
        return env["tensorflow"]
    return env.get("keras")


def _body(result: dict) -> dict | None:
    body = result.get(schema.KIND_PROPAGATION)
    return body if body and body.get("status") == schema.ENV_OK and body.get("records") else None


def _records(body: dict) -> dict[tuple, dict]:
    return {(r["api"], r["model"], r["initializer"], r["dtype"]): r for r in body["records"]}


def _models(body: dict) -> dict[str, dict]:
    return {m["name"]: m for m in (body.get("design") or {}).get("models") or []}


def predictions_of(body: dict, record: dict, version: str | None):
    inputs = ((body.get("design") or {}).get("inputs") or {}).get(record["model"]) or {}
    return propagation_theory.predict(record, inputs.get("second_moment"), version,
                                      inputs.get("second_moment_map"),
                                      _models(body).get(record["model"]))


def _first_api(body: dict) -> str | None:
    apis = body.get("apis") or []
    return apis[0] if apis else None


def _primaries(measured: Measured) -> list[tuple[dict, dict, dict]]:
    """(env, result, body) of every environment with a usable propagation file, page order."""
    return [(env, result, _body(result)) for env, result in zip(measured.envs, measured.results)
            if _body(result) is not None]


def _references(found: list[tuple[dict, dict, dict]]) -> list[tuple[dict, dict, dict]]:
    """The newest TF 1.x, the newest TF 2.x and the newest Keras without TensorFlow (no
    variants; Keras on JAX where measured, its most used backend beside TensorFlow)."""
    chosen: dict[str, tuple] = {}
    for env, result, body in found:
        if env.get("variant_of") or env["line"] == "keras · tensorflow":
            continue
        if env["line"] != "tensorflow":
            group = "keras"
            if "keras" in chosen and chosen["keras"][0]["line"] == "keras · jax" and \
                    env["line"] != "keras · jax":
                continue
        elif str(env["tensorflow"]).startswith("1."):
            group = "tf1"
        else:
            group = "tf2"
        chosen[group] = (env, result, body)  # page order: the last is the newest
    return [chosen[g] for g in ("tf1", "tf2", "keras") if g in chosen]


def _ok(record: dict | None) -> bool:
    return bool(record) and record["status"] == schema.PROP_OK and bool(record["layers"])


def _std(record: dict, position: int) -> float | None:
    return record["layers"][position]["output"].get("std")


def _weighted(record: dict) -> list[int]:
    return [i for i, layer in enumerate(record["layers"]) if layer.get("kernel_shape")]


def _gain(layer: dict) -> float | None:
    """fan_in x E[w^2] as drawn: the factor a layer multiplies its input's second moment by."""
    if layer.get("kernel_std") is None or layer.get("fan_in") is None:
        return None
    return float(layer["fan_in"]) * (layer["kernel_std"] ** 2 + (layer.get("kernel_mean") or 0) ** 2)


def _first_overflow(record: dict, dtype: str) -> int | None:
    """The 1-based position of the first layer whose output holds a non-finite value or exceeds
    the dtype's largest finite value; None when none does."""
    limit = DTYPE_MAX.get(dtype, DTYPE_MAX["float32"])
    for position, layer in enumerate(record["layers"]):
        out = layer["output"]
        if out.get("nonfinite") or (out.get("max_abs") or 0) >= limit:
            return position + 1
    return None


def _loss_text(value: float | None) -> str:
    return "not finite" if value is None else _fmt(value, 4)


def _answer(reference: tuple[dict, dict, dict], deep: tuple[dict, dict, dict] | None) -> list[str]:
    env, result, body = reference
    api = _first_api(body)
    records = _records(body)
    asked = records.get((api, TUTORIAL, ASKED, "float32"))
    default = records.get((api, TUTORIAL, DEFAULT, "float32"))
    if not (_ok(asked) and _ok(default)):
        return []
    weighted = _weighted(asked)
    last_hidden = weighted[-2] if len(weighted) > 1 else weighted[-1]
    dense = asked["layers"][last_hidden]
    gain_asked, gain_default = _gain(dense), _gain(default["layers"][last_hidden])
    label = env["label"]
    design = body.get("design") or {}
    batch = (_models(body).get(TUTORIAL) or {}).get("batch") or design.get("batch")
    paragraphs = [
        f"Measured in TensorFlow {label} with {api}, on the tutorial's CNN and one seeded batch "
        f"of {batch} real digits, the std of each layer's output ("
        + ", ".join(_layer_label(layer, None) for layer in default["layers"])
        + ") is " + ", ".join(_fmt(_std(default, i)) for i in range(len(default["layers"])))
        + " under the default and "
        + ", ".join(_fmt(_std(asked, i)) for i in range(len(asked["layers"])))
        + " under truncated_normal_initializer(stddev=0.1)"
        + ". A fixed σ ignores the fan: the dense layer "
        f"({_layer_label(dense, None)}, fan_in {dense.get('fan_in')}) multiplies the second moment "
        f"of its input by fan_in × E[w²] = {_fmt(gain_asked)} with the drawn weights (σ drawn "
        f"{_fmt(dense.get('kernel_std'))}: the 0.1 asked for, cut at ±2σ), against "
        f"{_fmt(gain_default)} under the default (σ drawn "
        f"{_fmt(default['layers'][last_hidden].get('kernel_std'))}); ReLU halves it."]
    logits_a, logits_d = asked["logits"], default["logits"]
    loss_a, loss_d = asked.get("loss") or {}, default.get("loss") or {}
    paragraphs.append(
        f"So the logits come out with std {_fmt(logits_a.get('std'))} instead of "
        f"{_fmt(logits_d.get('std'))}, and the largest gap between two logits of one example is "
        f"{_fmt(logits_a.get('max_gap'))} (default {_fmt(logits_d.get('max_gap'))}). The naive "
        f"loss of the old tutorials, −Σ y·log(softmax(logits)), becomes NaN as soon as one "
        f"probability underflows to 0 (0·log 0 = 0·−∞): in float32 that needs a gap above "
        f"{FLOAT32_NORMAL_GAP:.1f} where subnormals are flushed to zero, else "
        f"{FLOAT32_SUBNORMAL_GAP:.1f}. At initialization this CNN stays below "
        f"that: the naive loss is {_loss_text(loss_a.get('naive'))} with stddev=0.1 and "
        f"{_loss_text(loss_d.get('naive'))} with the default (the stable one: "
        f"{_loss_text(loss_a.get('stable'))} and {_loss_text(loss_d.get('stable'))}).")
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
                             f"{len(run['loss'])} steps, {_fmt(finite[0], 3)} → "
                             f"{_fmt(finite[-1], 3)}, largest logit gap "
                             f"{_fmt(max(g for g in run['logit_gap'] if g is not None), 3)}")
        first = runs[0]
        paragraphs.append(
            f"Training it with the tutorial's gradient descent (learning rate "
            f"{first.get('learning_rate')}, batch {first.get('batch')}) for "
            f"{first.get('steps')} steps: " + "; ".join(parts) + ".")
    if deep is not None:
        paragraphs.extend(_deep_answer(deep))
    return paragraphs


def _deep_answer(reference: tuple[dict, dict, dict]) -> list[str]:
    env, _, body = reference
    api = _first_api(body)
    records = _records(body)
    asked = records.get((api, "deep_conv_relu", ASKED, "float32"))
    he = records.get((api, "deep_conv_relu", "he_normal", "float32"))
    default = records.get((api, "deep_conv_relu", DEFAULT, "float32"))
    if not (_ok(asked) and _ok(default)):
        return []
    depth = len(_weighted(asked)) - 1
    last = _weighted(asked)[-2]
    gain = _gain(asked["layers"][1]) if len(asked["layers"]) > 1 else None
    text = (f"Depth is where a fixed σ breaks. In the plain stack of {depth} 3×3×64 ReLU convs "
            f"({env['label']}, {api}) each conv multiplies the second moment by about "
            f"{_fmt(gain)}/2 = {_fmt(gain / 2 if gain else None)} under stddev=0.1: the output "
            f"std after layer {depth} is {_fmt(_std(asked, last))} (default "
            f"{_fmt(_std(default, last))}"
            + (f", he_normal {_fmt(_std(he, last))}" if _ok(he) else "") + "). The logits' largest "
            f"gap is {_fmt(asked['logits'].get('max_gap'))}; the naive loss is "
            f"{_loss_text((asked.get('loss') or {}).get('naive'))} and the stable one "
            f"{_loss_text((asked.get('loss') or {}).get('stable'))}.")
    half = records.get((api, "deep_conv_relu", ASKED, "float16"))
    if _ok(half):
        position = _first_overflow(half, "float16")
        gap = half["logits"].get("max_gap")
        text += (f" Built in float16 the activations pass 65 504 first at layer {position}"
                 if position else " Built in float16 no activation passes 65 504")
        text += (f"; its logit gap is {_fmt(gap)}"
                 + (", beyond float16's largest value 65 504" if gap and gap > 65504 else "")
                 + f", and its stable loss is {_loss_text((half.get('loss') or {}).get('stable'))}.")
    paragraphs = [text]
    if _ok(he):
        predicted = predictions_of(body, he, _version(reference[1]))
        paragraphs.append(
            "The fix, checked: a σ that follows the fan. For ReLU layers the variance that keeps "
            "the second moment constant is 2/fan_in (He); he_normal draws it, and with it the "
            f"stack's output std is {_fmt(_std(he, _weighted(he)[0]))} at layer 1 and "
            f"{_fmt(_std(he, _weighted(he)[-2]))} at layer {depth} (stddev=0.1: "
            f"{_fmt(_std(asked, last))}; the default: {_fmt(_std(default, last))}). No explosion; "
            "what decay is left is the 'same' padding's zero border on 8×8 maps (the prediction, "
            f"border included, gives {_fmt(predicted[_weighted(he)[-2]].std)} at layer {depth}) "
            "and the spread of one draw of 64-channel layers, which compounds with depth.")
    lsuv = _lsuv_label(body)
    rescaled = records.get((api, "deep_conv_relu", lsuv, "float32")) if lsuv else None
    if _ok(rescaled):
        pre = [layer["pre_activation"].get("std") for layer in rescaled["layers"]
               if layer.get("kernel_shape")][:-1]
        pre = [value for value in pre if value is not None]
        if pre:
            paragraphs.append(
                f"{lsuv}: LSUV's one-batch rescaling on top of it divides each kernel, in layer "
                "order, by the std of its pre-activation on another seeded batch. On the measured "
                f"batch the pre-activation std then stays between {_fmt(min(pre))} and "
                f"{_fmt(max(pre))} through all {len(pre)} convs, and the output std at layer "
                f"{depth} is {_fmt(_std(rescaled, last))} (the std of ReLU of a unit normal: "
                f"{_fmt(math.sqrt(0.5 - 1 / (2 * math.pi)))}).")
    return paragraphs


def _lsuv_label(body: dict) -> str | None:
    """The label of the suite's LSUV initializer ("lsuv": true), if it has one."""
    for initializer in (body.get("design") or {}).get("initializers") or []:
        if initializer.get("lsuv"):
            return initializer["label"]
    return None


def _svg_lines(series: list[dict], log: bool) -> dict:
    """Polyline points for series [{"label", "colour", "dash", "points": [(x, y)]}] in a fixed
    box; y on log10 when `log`. Non-positive or missing values break a line."""
    values = [y for s in series for _, y in s["points"] if y is not None and (y > 0 or not log)]
    xs = [x for s in series for x, _ in s["points"]]
    if not values or not xs:
        return {"lines": [], "width": CHART_WIDTH, "height": CHART_HEIGHT, "ticks": []}
    transform = (lambda v: math.log10(v)) if log else (lambda v: v)
    low, high = transform(min(values)), transform(max(values))
    if high - low < 1e-9:
        low, high = low - 1, high + 1
    x_low, x_high = min(xs), max(xs) if max(xs) > min(xs) else min(xs) + 1
    inner_w, inner_h = CHART_WIDTH - 2 * CHART_PAD, CHART_HEIGHT - 2 * CHART_PAD

    def place(x, y):
        return (round(CHART_PAD + (x - x_low) / (x_high - x_low) * inner_w, 1),
                round(CHART_HEIGHT - CHART_PAD - (transform(y) - low) / (high - low) * inner_h, 1))

    lines = []
    for entry in series:
        segments, current = [], []
        for x, y in entry["points"]:
            if y is None or (log and y <= 0):
                if current:
                    segments.append(current)
                current = []
                continue
            current.append(place(x, y))
        if current:
            segments.append(current)
        for segment in segments:
            lines.append({"colour": entry["colour"], "dash": entry["dash"],
                          "points": " ".join(f"{a},{b}" for a, b in segment)})
    ticks = []
    for step in range(5):
        value = low + (high - low) * step / 4
        shown = 10 ** value if log else value
        ticks.append({"y": round(CHART_HEIGHT - CHART_PAD - step / 4 * inner_h, 1),
                      "text": _fmt(shown, 2)})
    return {"lines": lines, "width": CHART_WIDTH, "height": CHART_HEIGHT, "ticks": ticks,
            "x_first": x_low, "x_last": x_high}


def _depth_chart(env: dict, body: dict, model: str, initializers: list[str]) -> dict | None:
    api = _first_api(body)
    records = _records(body)
    version = _version({"env": {"tensorflow": env["tensorflow"],
                                "keras": env.get("keras_requested")}})
    series, legend = [], []
    for index, label in enumerate(initializers):
        record = records.get((api, model, label, "float32"))
        if not _ok(record):
            continue
        colour = COLOURS[index % len(COLOURS)]
        predicted = predictions_of(body, record, version)
        series.append({"colour": colour, "dash": False, "points": [
            (position + 1, layer["output"].get("std")) for position, layer in enumerate(record["layers"])]})
        series.append({"colour": colour, "dash": True, "points": [
            (position + 1, p.std) for position, p in enumerate(predicted)]})
        legend.append({"label": label, "colour": colour})
    if not series:
        return None
    return {"title": f"{model} · {env['label']} · {api}", "env": env["name"], "model": model,
            "svg": _svg_lines(series, log=True), "legend": legend,
            "axis": "activation std (log scale) against layer; dashed: mean-field prediction"}


def _training_chart(env: dict, body: dict) -> dict | None:
    runs = [r for r in body.get("training") or [] if r["status"] == schema.PROP_OK]
    if not runs:
        return None
    series, legend, rows = [], [], []
    for index, run in enumerate(runs):
        colour = COLOURS[(index // 2) % len(COLOURS)]
        dash = run["loss_kind"] != "naive"
        series.append({"colour": colour, "dash": dash,
                       "points": [(step + 1, value) for step, value in enumerate(run["loss"])]})
        legend.append({"label": f"{run['initializer']}, {run['loss_kind']} loss",
                       "colour": colour, "dash": dash})
        finite = [v for v in run["loss"] if v is not None]
        rows.append({"initializer": run["initializer"], "loss_kind": run["loss_kind"],
                     "first": _fmt(finite[0] if finite else None, 4),
                     "last": _fmt(finite[-1] if finite else None, 4),
                     "nan_step": run["first_nonfinite_step"] or "none",
                     "steps": len(run["loss"]),
                     "gap": _fmt(max([g for g in run["logit_gap"] if g is not None] or [None],
                                     key=lambda g: -1 if g is None else g), 3)})
    return {"title": f"{runs[0]['model']} training · {env['label']} · {runs[0]['api']}",
            "svg": _svg_lines(series, log=False), "legend": legend, "rows": rows,
            "axis": "loss against step (solid: naive loss trained, dashed: stable)"}


VERSION_COLUMNS = ["CNN logits std (default / stddev=0.1)", "CNN largest logit gap (stddev=0.1)",
                   "deep stack output std (default / stddev=0.1 / he_normal)",
                   "deep stack naive loss (stddev=0.1)", "deep stack float16: first overflow",
                   "CNN training, stddev=0.1, naive loss: NaN step / last loss"]


def _version_row(env: dict, body: dict) -> dict:
    api = _first_api(body)
    records = _records(body)
    get = lambda model, init, dtype="float32": records.get((api, model, init, dtype))
    cnn_d, cnn_a = get(TUTORIAL, DEFAULT), get(TUTORIAL, ASKED)
    deep = {init: get("deep_conv_relu", init) for init in (DEFAULT, ASKED, "he_normal")}
    half = get("deep_conv_relu", ASKED, "float16")
    cells = []
    cells.append(" / ".join(_fmt(r["logits"].get("std")) if _ok(r) else "—" for r in (cnn_d, cnn_a)))
    cells.append(_fmt(cnn_a["logits"].get("max_gap")) if _ok(cnn_a) else "—")
    cells.append(" / ".join(_fmt(_std(r, _weighted(r)[-2])) if _ok(r) else "—"
                            for r in deep.values()))
    cells.append(_loss_text((deep[ASKED].get("loss") or {}).get("naive")) if _ok(deep[ASKED])
                 else "—")
    if _ok(half):
        position = _first_overflow(half, "float16")
        cells.append(f"layer {position}" if position else "none")
    else:
        cells.append("error: " + one_line(half.get("reason"), 80) if half else "—")
    run = next((r for r in body.get("training") or [] if r["initializer"] == ASKED
                and r["loss_kind"] == "naive"), None)
    if run and run["status"] == schema.PROP_OK:
        finite = [v for v in run["loss"] if v is not None]
        cells.append(f"{run['first_nonfinite_step'] or 'none'} / "
                     f"{_fmt(finite[-1] if finite else None, 3)}")
    else:
        cells.append("not trained" if run is None else "error")
    return {"env": env["name"], "label": env["label"] + (f" · {env['variant']}"
                                                        if env.get("variant_of") else ""),
            "api": api, "cells": cells}


def _prediction_rows(reference: tuple[dict, dict, dict]) -> list[dict]:
    env, result, body = reference
    api = _first_api(body)
    version = _version(result)
    rows = []
    for record in body["records"]:
        if record["api"] != api or record["dtype"] != "float32" or not _ok(record):
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
            parts = (f"parts at layer {first_off + 1} ({_layer_label(layer, None)}): measured/"
                     f"predicted {_fmt(ratios[first_off], 3)}"
                     + ("; a max-pool before it is modelled as the max of independent values, "
                        "and neighbouring activations of an image are correlated"
                        if after_pool else
                        "; one weight draw of a finite layer, not the average over draws the "
                        "recursion predicts (correlated pixels make that spread large)"))
        rows.append({"env": env["label"], "model": record["model"],
                     "initializer": record["initializer"], "api": api,
                     "ratios": [_fmt(r, 3) for r in ratios], "within": within,
                     "layers": len(ratios), "parts": parts})
    return rows


def _csv_rows(found: list[tuple[dict, dict, dict]]) -> tuple[list[dict], list[dict]]:
    rows, training = [], []
    for env, result, body in found:
        version = _version(result)
        base = {"env": env["name"], "tf_version": env["tensorflow"],
                "keras_version": result["env"].get("keras") or env.get("keras"),
                "backend": env.get("backend"), "line": env["line"]}
        models = _models(body)
        for record in body["records"]:
            if not _ok(record):
                continue
            predicted = predictions_of(body, record, version)
            specs = (models.get(record["model"]) or {}).get("layers") or []
            for layer, p in zip(record["layers"], predicted):
                out = layer["output"]
                rows.append(dict(base, api=record["api"], model=record["model"],
                                 initializer=record["initializer"], dtype=record["dtype"],
                                 layer_index=layer["index"],
                                 layer=_layer_label(layer, specs[layer["index"]]
                                                    if layer["index"] < len(specs) else None),
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


def _errors(found: list[tuple[dict, dict, dict]]) -> list[dict]:
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


def runs(labels: list[str], values: list) -> list[tuple[object, str]]:
    """(value, "first–last") for each run of equal consecutive values, in order."""
    found: list[list] = []
    for label, value in zip(labels, values):
        if found and found[-1][0] == value:
            found[-1][2] = label
        else:
            found.append([value, label, label])
    return [(value, first if first == last else f"{first}–{last}") for value, first, last in found]


def naive_loss_versions(found: list[tuple[dict, dict, dict]]) -> str | None:
    """Where the deep stack's logits gap passes the float32 underflow point under stddev=0.1:
    per run of versions, whether the naive loss came out finite (the version evaluated
    log(softmax) without the underflow) or not. None when no version measured it."""
    lines: dict[str, tuple[list, list]] = {}
    evidence: list[str] = []
    for env, _, body in found:
        if env.get("variant_of"):
            continue
        record = _records(body).get((_first_api(body), "deep_conv_relu", ASKED, "float32"))
        if not _ok(record) or (record["logits"].get("max_gap") or 0) < FLOAT32_SUBNORMAL_GAP:
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
    text = ("Whether the naive loss shows that NaN depends on the version: with the deep stack's "
            f"logit gap above {FLOAT32_SUBNORMAL_GAP:.1f} under stddev=0.1, in each "
            "environment's first API, it is " + ". ".join(parts) + ".")
    if evidence:
        text += (" Where it is finite, TensorFlow evaluated log(softmax(x)) as one log-softmax: "
                 "in " + ", ".join(evidence) + " the bfloat16 run's error names a LogSoftmax "
                 "kernel for the graph's Log node.")
    return text


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
    from initcompat.report.analysis import comparison_pairs
    variant_of = {env["name"]: env["variant_of"] for env in measured.envs}
    usable = [r for r in measured.results if _body(r) is not None]
    events = []
    for before, after, _ in comparison_pairs(usable, variant_of):
        old, new = _records(_body(before)), _records(_body(after))
        for key in [k for k in new if k in old]:
            if not (_ok(old[key]) and _ok(new[key])):
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
                        f"{_fmt(old[key]['logits'].get('max_gap'))} → "
                        f"{_fmt(new[key]['logits'].get('max_gap'))})"))
        old_runs = {(r["initializer"], r["loss_kind"]): r for r in _body(before).get("training") or []}
        for run in _body(after).get("training") or []:
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


def build_propagation(measured: Measured) -> Propagation:
    found = _primaries(measured)
    missing = [env["name"] for env, result in zip(measured.envs, measured.results)
               if env["status"] == "ok" and result.get(schema.KIND_PROPAGATION) is None]
    failed = [{"env": env["name"], "status": result[schema.KIND_PROPAGATION].get("status"),
               "reason": one_line(result[schema.KIND_PROPAGATION].get("reason"), 200)}
              for env, result in zip(measured.envs, measured.results)
              if result.get(schema.KIND_PROPAGATION) is not None and _body(result) is None]
    if not found:
        return Propagation(False, [], [], [], [], [], [], VERSION_COLUMNS, [], missing, failed,
                           [], [], [], [])
    references = _references(found)
    tf_references = [r for r in references if r[0]["line"] == "tensorflow"]
    answer, more = [], []
    for reference in tf_references[:2]:
        paragraphs = _answer(reference, reference)
        if not answer:
            answer = paragraphs
        elif paragraphs:
            env, _, body = reference
            more.append({"title": f"The same in TensorFlow {env['label']} ({_first_api(body)})",
                         "paragraphs": paragraphs})
    versions_text = naive_loss_versions(found)
    if versions_text:
        answer.append(versions_text)
    charts, training = [], []
    for env, _, body in references:
        initializers = [i["label"] for i in (body.get("design") or {}).get("initializers") or []]
        for model in _models(body):
            chart = _depth_chart(env, body, model, initializers)
            if chart:
                charts.append(chart)
        chart = _training_chart(env, body)
        if chart:
            training.append(chart)
    prediction = [row for reference in references for row in _prediction_rows(reference)]
    table, training_table = _csv_rows(found)
    return Propagation(
        present=True, answer=answer, more=more,
        references=[{"env": env["name"], "label": env["label"], "api": _first_api(body)}
                    for env, _, body in references],
        charts=charts, training=training,
        versions=[_version_row(env, body) for env, _, body in found],
        version_columns=VERSION_COLUMNS, prediction=prediction,
        missing=missing, failed=failed, errors=_errors(found),
        events=propagation_events(measured), table=table,
        training_table=training_table)
