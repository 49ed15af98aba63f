"""The "Why NaN?" section's conclusion: at most three sentences that answer the seed question's
second half with the measured numbers (which model's loss turns NaN and at which logit gap; why
the tutorial's CNN does not within its training steps; the fix), and the small table behind
them. Pure; every number is read from the environments' propagation files.

The mechanism, as measured: softmax subtracts the largest logit, so an example's smallest
probability is at most e^-gap (gap: its largest logit minus its smallest). Past a gap of 87.3
that is below float32's smallest normal number (2^-126), which a CPU that flushes subnormals
makes 0, and past 103.3 below its smallest subnormal (2^-149), 0 everywhere. The naive loss
-sum(y * log(softmax(logits))) then takes log 0 = -inf, and 0 * -inf = NaN for the classes an
example is not (inf for its own). The stable loss computes log-softmax from the logits and never
forms the 0.

Population: every environment's first API (tf.layers on TF 1.x, tf.keras on TF 2.x, keras
without TensorFlow), float32, no variants: one record per version and model.
"""

from __future__ import annotations

from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.measurements.propagation.section.records import (
    ASKED, DEEP, DEFAULT, FLOAT32_NORMAL_GAP, FLOAT32_SUBNORMAL_GAP, HE, TUTORIAL, Found,
    env_name, first_api, model_name, ok, plain, records_of, span)

GLOROT_TOLERANCE = 0.15  # drawn σ / √(2/(fan_in+fan_out)) within this: the default is Glorot's
FAR_BELOW = 2.0  # a gap at most threshold / FAR_BELOW is "far below" it
# the term, explained where the page first uses it
GAP_TERM = ("(the largest minus the smallest of an example's logits, the network's outputs "
            "before softmax)")
FADED_GAP = 1e-3  # a deep stack's logits closer than this: the signal faded through the layers


@dataclass(frozen=True)
class Measurement:
    """One model × initializer in one environment, float32, at initialization."""

    env: dict
    record: dict

    @property
    def gap(self) -> float | None:
        return (self.record.get("logits") or {}).get("max_gap")

    def finite(self, loss: str) -> bool:
        return (self.record.get("loss") or {}).get(loss) is not None


def _measurements(found: list[Found], model: str, initializer: str) -> list[Measurement]:
    out = []
    for env, _, body in found:
        if env.get("variant_of"):
            continue
        record = records_of(body).get((first_api(body), model, initializer, "float32"))
        if ok(record) and record.get("logits") and record["logits"].get("max_gap") is not None \
                and not (record.get("loss") or {}).get("error"):
            out.append(Measurement(env, record))
    return out


def _training(found: list[Found], initializer: str, loss_kind: str) -> list[tuple[dict, dict]]:
    """(env, run) of the tutorial CNN's training runs that ran, first API, no variants."""
    out = []
    for env, _, body in found:
        if env.get("variant_of"):
            continue
        api = first_api(body)
        for run in body.get("training") or []:
            if run["model"] == TUTORIAL and run["api"] == api and run["status"] == schema.PROP_OK \
                    and run["initializer"] == initializer and run["loss_kind"] == loss_kind \
                    and run["loss"]:
                out.append((env, run))
    return out


def _largest_gap(run: dict) -> float | None:
    gaps = [g for g in run["logit_gap"] if g is not None]
    return max(gaps) if gaps else None


def _where(envs: list[dict], chosen: list[dict]) -> str:
    """The chosen environments as version spans per line, in page order ("TF 1.14–1.15",
    "Keras 2.2–2.3 tensorflow")."""
    names = {id(env) for env in chosen}
    spans: list[list] = []  # [line, first label, last label]
    previous = None
    for env in envs:
        inside = id(env) in names
        if inside and previous is not None and id(previous) in names \
                and previous["line"] == env["line"]:
            spans[-1][2] = env["label"]
        elif inside:
            spans.append([env["line"], env["label"], env["label"]])
        previous = env
    return ", ".join(_span_name(line, first, last) for line, first, last in spans)


def _span_name(line: str, first: str, last: str) -> str:
    """"TF 1.14–1.15"; "Keras 2.2–2.3 tensorflow" where both labels share their first and last
    words."""
    if first == last:
        return env_name({"line": line, "label": first})
    a, b = first.split(), last.split()
    if line != "tensorflow" and len(a) == len(b) == 3 and a[0] == b[0] and a[2] == b[2]:
        return f"{a[0]} {a[1]}–{b[1]} {a[2]}"
    return env_name({"line": line, "label": f"{first}–{last}"})


def _count(part: int, whole: int) -> str:
    return f"all {whole}" if part == whole else f"{part} of {whole}"


def _log_softmax_evidence(found: list[Found], envs: list[dict]) -> bool:
    """Whether every environment named has a graph that evaluates log(softmax(x)) as one
    log-softmax: its bfloat16 run's error names a LogSoftmax kernel for the graph's Log node."""
    names = {env["name"] for env in envs}
    seen = set()
    for env, _, body in found:
        if env["name"] in names and any(
                "LogSoftmax" in str((r.get("loss") or {}).get("error") or "")
                and "node Log" in str((r.get("loss") or {}).get("error") or "")
                for r in body["records"]):
            seen.add(env["name"])
    return bool(names) and seen == names


def _default_is_glorot(measurements: list[Measurement]) -> bool:
    """Whether every weighted layer of the default's draws has Glorot's
    σ = √(2/(fan_in+fan_out))."""
    checked = 0
    for m in measurements:
        for layer in m.record["layers"]:
            fan_in, fan_out = layer.get("fan_in"), layer.get("fan_out")
            drawn = layer.get("kernel_std")
            if not (fan_in and fan_out and drawn):
                continue
            expected = (2.0 / (fan_in + fan_out)) ** 0.5
            if abs(drawn / expected - 1) > GLOROT_TOLERANCE:
                return False
            checked += 1
    return checked > 0


def _conv_stack(record: dict) -> str:
    """"32 convolutions (3×3, 64 channels, ReLU)" from the record's layers."""
    convs = [layer for layer in record["layers"]
             if layer["type"] == "conv2d" and layer.get("kernel_shape")]
    if not convs:
        return f"{len(record['layers'])} layers"
    height, width, _, channels = convs[-1]["kernel_shape"]
    activation = convs[-1].get("activation")
    return (f"{len(convs)} convolutions ({height}×{width}, {channels} channels"
            + (f", {'ReLU' if activation == 'relu' else activation}" if activation else "") + ")")


def _small_net(record: dict) -> str:
    """"2 convolutions and 2 dense layers" from the record's layers."""
    convs = sum(1 for layer in record["layers"] if layer["type"] == "conv2d")
    dense = sum(1 for layer in record["layers"] if layer["type"] == "dense")
    return f"{convs} convolutions and {dense} dense layers"


def _deep_sentence(found: list[Found], asked: list[Measurement]) -> str:
    envs = [m.env for m in asked]
    nan = [m for m in asked if not m.finite("naive")]
    stack = _conv_stack(asked[0].record)
    if not nan:
        return (f"No model measured turns NaN at initialization: even in the deep stack of {stack} "
                f"with truncated_normal_initializer(stddev=0.1), where the logit gap {GAP_TERM} "
                f"is {span([m.gap for m in asked])}, the naive loss "
                "−Σ y·log(softmax(logits)) came out finite in "
                f"{_count(len(asked), len(asked))} environments measured.")
    finite = [m.env for m in asked if m.finite("naive")]
    text = (f"The deep stack turns NaN, not the tutorial's CNN: in a plain stack of {stack}, "
            f"truncated_normal_initializer(stddev=0.1) makes the logit gap {GAP_TERM} "
            f"{span([m.gap for m in nan])}, and the naive loss −Σ y·log(softmax(logits)) is "
            f"then not finite (NaN or ∞) in {_count(len(nan), len(asked))} environments measured")
    if finite:
        text += f" (finite in {_where(envs, finite)}"
        if _log_softmax_evidence(found, finite):
            text += ", whose graph evaluates log(softmax) as one log-softmax"
        text += ")"
    return text + "."


def _tutorial_sentence(init: list[Measurement], trained: list[tuple[dict, dict]]) -> str:
    net = _small_net(init[0].record)
    init_gaps = span([m.gap for m in init])
    if not trained:
        largest = max(m.gap for m in init)
        return (f"The tutorial's CNN ({net}) has a logit gap of {init_gaps} with stddev=0.1 at "
                f"initialization, {_below(largest)} {plain(FLOAT32_NORMAL_GAP)}, the gap past "
                "which float32's smallest softmax probability, at most exp(−gap), underflows "
                "to 0 and log 0 = −∞ makes the naive loss NaN.")
    nan = [(env, run) for env, run in trained if run["first_nonfinite_step"]]
    steps = span([len(run["loss"]) for _, run in trained])
    rates = sorted({run.get("learning_rate") for _, run in trained if run.get("learning_rate")})
    rate = f", learning rate {plain(rates[0])}" if len(rates) == 1 else ""
    if nan:
        return (f"The tutorial's CNN ({net}) with stddev=0.1 turns NaN while training (naive loss, "
                f"{steps} steps{rate}) in {_count(len(nan), len(trained))} runs, first at step "
                f"{min(run['first_nonfinite_step'] for _, run in nan)} "
                f"({_where([env for env, _ in trained], [env for env, _ in nan])}); its logit gap "
                f"is {init_gaps} at initialization.")
    gaps = [g for _, run in trained for g in [_largest_gap(run)] if g is not None]
    largest = max(gaps + [m.gap for m in init])
    first = [next(v for v in run["loss"] if v is not None) for _, run in trained]
    last = [next(v for v in reversed(run["loss"]) if v is not None) for _, run in trained]
    return (f"The tutorial's CNN ({net}) does not: with stddev=0.1 its logit gap is {init_gaps} "
            f"at initialization and at most {plain(max(gaps))} over {steps} steps of training "
            f"(gradient descent{rate}), {_below(largest)} {plain(FLOAT32_NORMAL_GAP)}, the gap "
            "past which float32's smallest softmax probability, at most exp(−gap), underflows "
            "to 0 and log 0 = −∞ makes the naive loss NaN; that loss goes from "
            f"{span(first)} to {span(last)}, finite at every step in "
            f"{_count(len(trained), len(trained))} runs.")


def _below(largest: float) -> str:
    if largest >= FLOAT32_NORMAL_GAP:
        return "not below"
    return "far below" if largest * FAR_BELOW <= FLOAT32_NORMAL_GAP else "below"


def _fix_sentence(asked: list[Measurement], default: list[Measurement],
                  he: list[Measurement]) -> str:
    stable = [m for m in asked if m.finite("stable")]
    text = ("The fix: compute the loss from the logits (the stable loss: "
            "tf.nn.sparse_softmax_cross_entropy_with_logits, which the tutorial's "
            "tf.losses.sparse_softmax_cross_entropy calls; from_logits=True in Keras)")
    if stable:
        values = [m.record["loss"]["stable"] for m in stable]
        text += (f", finite in {_count(len(stable), len(asked))} of those deep-stack runs "
                 f"({span(values)})")
    parts = []
    if he:
        parts.append(f"he_normal (σ = √(2/fan_in)) keeps the deep stack's gap at most "
                     f"{plain(max(m.gap for m in he))}")
    if default:
        name = "the default (Glorot: σ = √(2/(fan_in+fan_out)))" if _default_is_glorot(default) \
            else "the default"
        largest = max(m.gap for m in default)
        parts.append(f"{name} at most {plain(largest)}"
                     + (" (its signal fades instead)" if largest < FADED_GAP else ""))
    if parts:
        text += (", and let the weights' σ follow the fan (fan_in, fan_out: a unit's inputs, "
                 "an input's units): " + "; ".join(parts))
    return text + "."


def conclusion(found: list[Found]) -> list[str]:
    """At most three sentences: which model turns NaN at which gap, why the tutorial's CNN does
    not, the fix. Empty when neither model was measured with stddev=0.1."""
    asked = _measurements(found, DEEP, ASKED)
    tutorial = _measurements(found, TUTORIAL, ASKED)
    sentences = []
    if asked:
        sentences.append(_deep_sentence(found, asked))
    if tutorial:
        sentences.append(_tutorial_sentence(tutorial, _training(found, ASKED, "naive")))
    if asked:
        sentences.append(_fix_sentence(asked, _measurements(found, DEEP, DEFAULT),
                                       _measurements(found, DEEP, HE)))
    return sentences


SHORT_NAMES = {ASKED: "stddev=0.1"}  # the summary table's name for the asker's initializer
SUMMARY_CASES = ((TUTORIAL, DEFAULT), (TUTORIAL, ASKED), (DEEP, DEFAULT), (DEEP, HE), (DEEP, ASKED))


def summary_rows(found: list[Found]) -> list[dict]:
    """The table behind the conclusion: per model × initializer (and the tutorial CNN's training
    runs with stddev=0.1) the logit gap over the environments and in how many each loss came out
    finite."""
    rows = []
    for model, initializer in SUMMARY_CASES:
        found_here = _measurements(found, model, initializer)
        if not found_here:
            continue
        rows.append(_summary_row(model_name(model), initializer, "initialization",
                                 [m.gap for m in found_here],
                                 sum(m.finite("naive") for m in found_here),
                                 sum(m.finite("stable") for m in found_here), len(found_here)))
        if model == TUTORIAL and initializer == ASKED:
            rows.extend(_training_rows(found, initializer))
    return rows


def _training_rows(found: list[Found], initializer: str) -> list[dict]:
    naive, stable = _training(found, initializer, "naive"), _training(found, initializer, "stable")
    if not naive:
        return []
    gaps = [g for _, run in naive + stable for g in [_largest_gap(run)] if g is not None]
    steps = span([len(run["loss"]) for _, run in naive + stable])
    return [_summary_row(model_name(TUTORIAL), initializer, f"trained {steps} steps (largest)",
                         gaps, sum(not run["first_nonfinite_step"] for _, run in naive),
                         sum(not run["first_nonfinite_step"] for _, run in stable),
                         len(naive), len(stable))]


def _summary_row(model: str, initializer: str, when: str, gaps: list[float], naive: int,
                 stable: int, measured: int, measured_stable: int | None = None) -> dict:
    measured_stable = measured if measured_stable is None else measured_stable
    largest = max(gaps) if gaps else None
    return {"model": model, "initializer": SHORT_NAMES.get(initializer, initializer), "when": when,
            "gap": span(gaps) if gaps else "—",
            "over": largest is not None and largest >= FLOAT32_NORMAL_GAP,
            "beyond": largest is not None and largest >= FLOAT32_SUBNORMAL_GAP,
            "naive": _finite_text(naive, measured), "naive_bad": naive < measured,
            "stable": _finite_text(stable, measured_stable),
            "stable_bad": stable < measured_stable}


def _finite_text(finite: int, measured: int) -> str:
    if not measured:
        return "—"
    if finite == measured:
        return f"finite in all {measured}"
    return f"not finite in {measured - finite} of {measured}"
