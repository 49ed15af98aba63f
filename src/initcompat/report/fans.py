"""Fans: the input and output sizes a VarianceScaling initializer divides by, by the rule of
the version that drew the weight.

* The receptive-field rule (TF init_ops and init_ops_v2, tf.keras, Keras 2.2+, tf_keras, and
  Keras 3 before 3.15, or from 3.15 whenever no axes are given): scalar -> (1, 1); 1-D ->
  (n, n); 2-D -> (in, out); k-D -> the receptive field prod(shape[:-2]) times shape[-2] and
  shape[-1]. Keras 2.0/2.1 differed for 1-D and 3-D shapes (sqrt(prod(shape))); not modelled.
* Named axes, from Keras 3.15.0 (keras-team/keras#22789, commit 534a1e73, first in the v3.15.0
  tag; keras/src/initializers/random_initializers.py): compute_fans(shape, input_axes,
  output_axes) multiplies the sizes of the named axes when both lists are given, else applies
  the rule above. VarianceScaling and its Glorot, He and LeCun subclasses take input_axes and
  output_axes and record them in get_config (None unless set).
* EinsumDense (keras/src/layers/core/einsum_dense.py, the same commit): at build, a
  VarianceScaling kernel initializer whose input_axes or output_axes is None is replaced by a
  copy with both filled from the equation: a kernel axis whose letter is in the output spec is
  an output axis, otherwise (its letter is in the input spec) an input axis. The layer keeps its
  own initializer (input_axes None), which is what its get_config and the probe record.
* MultiHeadAttention's projections are EinsumDense layers whose equations
  _build_proj_equation(free_dims, bound_dims, output_dims) writes: the kernel's letters are the
  bound ones, then the output ones. Query, key and value (and the gate) use bound_dims=1, the
  output projection bound_dims=2. So a [20, 4, 6] query kernel has the fans (20, 24) from Keras
  3.15 on and (80, 120) before; a [4, 6, 20] output kernel (24, 20), before (24, 80).
"""

import re
from typing import Optional, Sequence, Tuple

import numpy as np

# The first Keras whose EinsumDense (and so MultiHeadAttention) names its kernel's fan axes.
KERAS_FAN_AXES_SINCE = (3, 15)

Axes = Tuple[Tuple[int, ...], Tuple[int, ...]]  # (input axes, output axes) of a kernel


def compute_fans(shape: Sequence[int], input_axes: Optional[Sequence[int]] = None,
                 output_axes: Optional[Sequence[int]] = None) -> Tuple[float, float]:
    """(fan_in, fan_out) as TF's and Keras' compute_fans compute them; with both axis lists,
    the products of those axes' sizes (Keras >= 3.15)."""
    shape = [int(d) for d in shape]
    if input_axes is not None and output_axes is not None:
        return (float(np.prod([shape[axis] for axis in input_axes])),
                float(np.prod([shape[axis] for axis in output_axes])))
    if len(shape) < 1:
        return 1.0, 1.0
    if len(shape) == 1:
        return float(shape[0]), float(shape[0])
    receptive_field = float(np.prod(shape[:-2])) if len(shape) > 2 else 1.0
    return shape[-2] * receptive_field, shape[-1] * receptive_field


# The three forms EinsumDense accepts, with "..." written as "0" (its _analyze_einsum_string).
_EINSUM_FORMS = (r"([a-zA-Z]+),([a-zA-Z]+)->([a-zA-Z]+)$",
                 r"0([a-zA-Z]+),([a-zA-Z]+)->0([a-zA-Z]+)$",
                 r"([a-zA-Z]{2,})0,([a-zA-Z]+)->([a-zA-Z]+)0$")


def einsum_kernel_axes(equation: str) -> Optional[Axes]:
    """The kernel's (input axes, output axes) that Keras >= 3.15's EinsumDense derives from its
    equation ('ab,bcd->acd' -> ((0,), (1, 2))); None for an equation it would refuse."""
    text = re.sub(r"\s", "", str(equation)).replace("...", "0")
    for form in _EINSUM_FORMS:
        match = re.match(form, text)
        if match is None:
            continue
        input_spec, kernel_spec, output_spec = match.groups()
        inputs, outputs = [], []
        for axis, letter in enumerate(kernel_spec):
            if letter in output_spec:
                outputs.append(axis)
            elif letter in input_spec:
                inputs.append(axis)
            else:
                return None  # Keras raises: the kernel must be fully specified
        return tuple(inputs), tuple(outputs)
    return None


def projection_kernel_axes(bound_dims: int, rank: int) -> Optional[Axes]:
    """The axes of a MultiHeadAttention projection kernel of `rank` whose first `bound_dims`
    axes are contracted with the input (_build_proj_equation); None if that cannot be."""
    if not 0 < bound_dims < rank:
        return None
    return tuple(range(bound_dims)), tuple(range(bound_dims, rank))


def fans_text(fan_in: float, fan_out: float, axes: Optional[Axes] = None) -> str:
    """'fan_in=20, fan_out=24', with the axes they multiply when axes named them."""
    if axes is None:
        return "fan_in=%g, fan_out=%g" % (fan_in, fan_out)
    return "fan_in=%g over axes %s, fan_out=%g over axes %s" % (
        fan_in, list(axes[0]), fan_out, list(axes[1]))
