"""The mean-field prediction of activation statistics through a model at initialization. Pure.

For a layer with fan_in inputs and weights of second moment s_w = E[w^2] (variance plus squared
mean, from the declared initializer), zero biases and inputs of second moment m (over the batch),
the pre-activation is approximately normal with variance

    q = s_w * fan_in * m                                          (Poole et al. 2016, eq. 3)

and the output a = phi(sqrt(q) z), z ~ N(0, 1), has E[a] and E[a^2] by Gauss-Hermite quadrature
(ReLU in closed form: E[a] = sqrt(q / 2 pi), E[a^2] = q / 2). The next layer's m is E[a^2]. A
k x k max-pool is modelled as the maximum of k^2 independent outputs; neighbouring activations of
real images are correlated, so that is an upper bound, and the report says the prediction parts
there. "same" padding's zero border is not modelled (a fan_in slightly too large at the edges).

The first layer starts from the measured second moment of the batch the probe pushed through.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy import integrate, signal, stats

from initcompat.report import theory

_NODES, _WEIGHTS = np.polynomial.hermite_e.hermegauss(80)
_WEIGHTS = _WEIGHTS / _WEIGHTS.sum()


@dataclass(frozen=True)
class LayerPrediction:
    index: int
    pre_std: float | None  # the predicted pre-activation std (sqrt(q))
    std: float | None  # the predicted output std
    mean: float | None
    second_moment: float | None
    weight_source: str  # "declared <description>" or "drawn (declared None)" or "not modelled"


def activation_moments(activation: str | None, q: float) -> tuple[float, float]:
    """(E[phi(sqrt(q) z)], E[phi(sqrt(q) z)^2])."""
    if activation == "relu":
        return math.sqrt(q / (2 * math.pi)), q / 2
    if activation is None:
        return 0.0, q
    values = {"tanh": np.tanh}[activation](math.sqrt(q) * _NODES)
    return float(np.dot(_WEIGHTS, values)), float(np.dot(_WEIGHTS, values ** 2))


def max_pool_moments(mean: float, second: float, activation: str | None, q: float,
                     window: int) -> tuple[float, float]:
    """(E, E^2) of the max of `window` independent outputs of the previous layer; only ReLU and
    identity outputs of a normal pre-activation are modelled (else the moments pass through)."""
    if activation not in ("relu", None) or q <= 0:
        return mean, second
    scale = math.sqrt(q)

    def density(x):  # of the max of `window` standard normals
        return window * stats.norm.cdf(x) ** (window - 1) * stats.norm.pdf(x)

    lower = 0.0 if activation == "relu" else -np.inf
    first = integrate.quad(lambda x: x * density(x), lower, np.inf)[0]
    second_moment = integrate.quad(lambda x: x * x * density(x), lower, np.inf)[0]
    return scale * first, q * second_moment


def weight_second_moment(layer: dict, framework_version: str | None,
                         rescaled: str | None = None) -> tuple[float | None, str]:
    """E[w^2] of a layer's kernel from its declared initializer; where the layer declares none (a
    tf.layers kernel_initializer=None, resolved inside get_variable) or its kernels were rescaled
    after drawing (LSUV), the drawn kernel's."""
    declared = {} if rescaled else layer.get("declared") or {}
    class_name = declared.get("class_name")
    shape = layer.get("kernel_shape")
    if class_name and shape:
        distribution = theory.declared_distribution(class_name, declared.get("config"), shape,
                                                    framework_version, declared.get("module"))
        if distribution is not None:
            return distribution.std ** 2 + distribution.mean ** 2, \
                f"declared {distribution.description}"
        return None, f"declared {class_name}: not modelled"
    if layer.get("kernel_std") is not None:
        mean = layer.get("kernel_mean") or 0.0
        return layer["kernel_std"] ** 2 + mean ** 2, (
            f"drawn (rescaled by {rescaled})" if rescaled else
            "drawn (the layer declares no initializer)")
    return None, "no initializer recorded"


def predict(record: dict, input_second_moment: float | None, framework_version: str | None,
            input_map: list[list[float]] | None = None,
            model: dict | None = None) -> list[LayerPrediction]:
    """One prediction per layer of a propagation record, from the batch's second moment on.

    With the batch's per-pixel second moment (`input_map`) and the suite's model (its paddings),
    a conv layer's q is computed per output position: a "same" conv's border position sums fewer
    in-bounds inputs, which a deep stack on a small image compounds. Without them, one q for all.
    """
    predictions: list[LayerPrediction] = []
    second = np.asarray(input_map, dtype=float) if input_map else input_second_moment
    specs = (model or {}).get("layers") or []
    previous_activation, q_last = None, 0.0
    for layer in record.get("layers") or []:
        if second is None or not np.all(np.isfinite(second)):
            predictions.append(LayerPrediction(layer["index"], None, None, None, None,
                                               "not modelled after an unmodelled layer"))
            second = None
            continue
        if layer["type"] == "max_pool":
            window = _pool_window(layer, record)
            first_constant, second_constant = _max_constants(previous_activation, window)
            q_last = _pool_map(q_last, window)
            mean_map, second = np.sqrt(q_last) * first_constant, q_last * second_constant
            mean_value, second_value = float(np.mean(mean_map)), float(np.mean(second))
            predictions.append(LayerPrediction(
                layer["index"], None, math.sqrt(max(second_value - mean_value ** 2, 0.0)),
                mean_value, second_value, f"max of {window} independent outputs"))
            continue
        s_w, source = weight_second_moment(layer, framework_version, record.get("rescaled"))
        fan_in = layer.get("fan_in")
        if s_w is None or fan_in is None:
            predictions.append(LayerPrediction(layer["index"], None, None, None, None, source))
            second = None
            continue
        spec = specs[layer["index"]] if layer["index"] < len(specs) else {}
        if layer["type"] == "conv2d" and np.ndim(second) == 2 and layer.get("kernel_shape"):
            kernel_h, kernel_w, channels = layer["kernel_shape"][:3]
            summed = signal.correlate2d(second, np.ones((kernel_h, kernel_w)),
                                        mode="same" if spec.get("padding") == "same" else "valid")
            q_last = s_w * channels * summed
        else:
            q_last = s_w * float(fan_in) * float(np.mean(second))
        mean_map, second = _activation_maps(layer.get("activation"), q_last)
        previous_activation = layer.get("activation")
        mean_value, second_value = float(np.mean(mean_map)), float(np.mean(second))
        predictions.append(LayerPrediction(
            layer["index"], math.sqrt(float(np.mean(q_last))),
            math.sqrt(max(second_value - mean_value ** 2, 0.0)), mean_value, second_value,
            source))
    return predictions


def _activation_maps(activation: str | None, q):
    """(E[a], E[a^2]) elementwise over a q map (or a scalar q)."""
    q = np.asarray(q, dtype=float)
    if activation == "relu":
        return np.sqrt(q / (2 * math.pi)), q / 2
    if activation is None:
        return np.zeros_like(q), q
    values = np.tanh(np.sqrt(q)[..., None] * _NODES)
    return values @ _WEIGHTS, (values ** 2) @ _WEIGHTS


def _max_constants(activation: str | None, window: int) -> tuple[float, float]:
    """(E[M], E[M^2]) of M = phi(max of `window` standard normals), phi ReLU or identity."""
    if activation not in ("relu", None):
        return 0.0, 1.0  # not modelled: the moments pass through (the report says so)
    return max_pool_moments(0.0, 1.0, activation, 1.0, window)


def _pool_map(q, window: int):
    """The mean q of each non-overlapping window of a q map (a scalar stays a scalar)."""
    q = np.asarray(q, dtype=float)
    if q.ndim != 2:
        return q
    side = int(round(math.sqrt(window)))
    rows, cols = q.shape[0] // side, q.shape[1] // side
    return q[:rows * side, :cols * side].reshape(rows, side, cols, side).mean(axis=(1, 3))


def _pool_window(layer: dict, record: dict) -> int:
    """k*k of a max-pool layer, from the shapes before and after it (2x2 in the shipped CNN)."""
    layers = record.get("layers") or []
    position = layers.index(layer)
    if position > 0 and layers[position - 1].get("output_shape") and layer.get("output_shape"):
        before, after = layers[position - 1]["output_shape"], layer["output_shape"]
        if after[0]:
            ratio = before[0] // after[0]
            return max(ratio, 1) ** 2
    return 4


def relu_preserving_variance(fan_in: float) -> float:
    """The weight variance that keeps q constant through ReLU layers: 2 / fan_in (He et al.)."""
    return 2.0 / fan_in
