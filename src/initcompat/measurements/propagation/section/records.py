"""Reading one propagation body (NAME.propagation.json as the loader joins it into a result): its
records by key, its models, a record's layers, and the numbers' text. Pure.

Every other module of the section reads a body through these.
"""

from __future__ import annotations

import math

from initcompat.probe import schema
from initcompat.measurements.propagation.section import mean_field
from initcompat.report.measured import Measured

# exp(x) of a float32 is subnormal below this and 0 below -103.97; a softmax probability of 0
# makes log(0) = -inf and y*log = 0*-inf = NaN in the naive loss.
FLOAT32_NORMAL_GAP = -math.log(2.0 ** -126)  # 87.34
FLOAT32_SUBNORMAL_GAP = -math.log(2.0 ** -149)  # 103.28
DTYPE_MAX = {"float16": 65504.0, "bfloat16": 3.3895e38, "float32": 3.4028e38}
TUTORIAL = "tutorial_cnn"
DEEP = "deep_conv_relu"
ASKED = "truncated_normal(stddev=0.1)"
DEFAULT = "default"
HE = "he_normal"
MODEL_NAMES = {TUTORIAL: "tutorial CNN", DEEP: "deep stack", "tanh_mlp": "tanh MLP"}

Found = tuple[dict, dict, dict]  # (env summary, result, propagation body)


def fmt(value: float | None, digits: int = 3) -> str:
    """A number for tables: 3 significant digits, e-notation beyond 1e5 and below 1e-3."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 1e5 or abs(value) < 1e-3:
        return f"{value:.{max(digits - 1, 1)}e}"
    return f"{value:.{digits}g}"


_SUPERSCRIPT = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def plain(value: float | None) -> str:
    """A number for sentences: whole numbers with a thin space per thousand from 1 000 on,
    3 significant digits below, "2.4·10⁻⁶" below 0.001."""
    if value is None:
        return "—"
    if value == 0:
        return "0"
    if abs(value) >= 1000:
        return f"{round(value):,}".replace(",", "\u202f")
    if abs(value) >= 1e-3:
        return f"{value:.3g}"
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"{mantissa}·10{str(int(exponent)).translate(_SUPERSCRIPT)}"


def span(values: list[float]) -> str:
    """"low–high" of measured values (one value when they agree to 3 digits)."""
    low, high = plain(min(values)), plain(max(values))
    return low if low == high else f"{low}–{high}"


def layer_label(layer: dict) -> str:
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


def version_of(result: dict) -> str | None:
    env = result["env"]
    if env.get("tensorflow") and env["tensorflow"] != schema.NO_TENSORFLOW:
        return env["tensorflow"]
    return env.get("keras")


def body_of(result: dict) -> dict | None:
    body = result.get(schema.KIND_PROPAGATION)
    return body if body and body.get("status") == schema.ENV_OK and body.get("records") else None


def records_of(body: dict) -> dict[tuple, dict]:
    """(api, model, initializer, dtype) -> record."""
    return {(r["api"], r["model"], r["initializer"], r["dtype"]): r for r in body["records"]}


def models_of(body: dict) -> dict[str, dict]:
    return {m["name"]: m for m in (body.get("design") or {}).get("models") or []}


def first_api(body: dict) -> str | None:
    apis = body.get("apis") or []
    return apis[0] if apis else None


def predictions_of(body: dict, record: dict, version: str | None):
    inputs = ((body.get("design") or {}).get("inputs") or {}).get(record["model"]) or {}
    return mean_field.predict(record, inputs.get("second_moment"), version,
                                      inputs.get("second_moment_map"),
                                      models_of(body).get(record["model"]))


def primaries(measured: Measured) -> list[Found]:
    """(env, result, body) of every environment with a usable propagation file, page order."""
    return [(env, result, body_of(result)) for env, result in zip(measured.envs, measured.results)
            if body_of(result) is not None]


def ok(record: dict | None) -> bool:
    return bool(record) and record["status"] == schema.PROP_OK and bool(record["layers"])


def std_at(record: dict, position: int) -> float | None:
    return record["layers"][position]["output"].get("std")


def weighted(record: dict) -> list[int]:
    """The positions of the layers that hold a kernel."""
    return [i for i, layer in enumerate(record["layers"]) if layer.get("kernel_shape")]


def gain(layer: dict) -> float | None:
    """fan_in x E[w^2] as drawn: the factor a layer multiplies its input's second moment by."""
    if layer.get("kernel_std") is None or layer.get("fan_in") is None:
        return None
    return float(layer["fan_in"]) * (layer["kernel_std"] ** 2 + (layer.get("kernel_mean") or 0) ** 2)


def first_overflow(record: dict, dtype: str) -> int | None:
    """The 1-based position of the first layer whose output holds a non-finite value or exceeds
    the dtype's largest finite value; None when none does."""
    limit = DTYPE_MAX.get(dtype, DTYPE_MAX["float32"])
    for position, layer in enumerate(record["layers"]):
        out = layer["output"]
        if out.get("nonfinite") or (out.get("max_abs") or 0) >= limit:
            return position + 1
    return None


def loss_text(value: float | None) -> str:
    return "not finite" if value is None else fmt(value, 4)


def runs(labels: list[str], values: list) -> list[tuple[object, str]]:
    """(value, "first–last") for each run of equal consecutive values, in order."""
    found: list[list] = []
    for label, value in zip(labels, values):
        if found and found[-1][0] == value:
            found[-1][2] = label
        else:
            found.append([value, label, label])
    return [(value, first if first == last else f"{first}–{last}") for value, first, last in found]


def env_name(env: dict) -> str:
    """How a sentence names an environment: "TF 1.15", "Keras 3.4 jax"."""
    return f"TF {env['label']}" if env["line"] == "tensorflow" else env["label"]


def model_name(model: str) -> str:
    """A suite model's name in words ("tutorial CNN"); its id where it has none."""
    return MODEL_NAMES.get(model, model)
