"""The machine's own ceilings, measured in the same worker processes as the layer timings.

Two reference rates that initializing float32 weights on the host cannot reasonably beat by much:

  memory-write   filling a large, already-touched float32 numpy array (bytes/s): the cost of
                 writing the weights once, with no random numbers at all;
  philox-float32 numpy's Philox counter-based generator drawing float32 uniforms into a
                 preallocated array (floats/s, single thread): the cost of the random numbers
                 alone with the same kind of generator TensorFlow uses. TensorFlow may use
                 several threads, so a layer can exceed this "ceiling"; the report shows the
                 fraction either way.

numpy < 1.17 has no np.random.Generator / Philox: the ceiling is then recorded as unavailable
(a string saying why), never as a failure. Both run on the host CPU only (numpy); GPU devices
get no ceiling. Python 3.6-clean; numpy only.
"""

import numpy as np

from initcompat.probe.schema import CEILING_MEMORY_WRITE as MEMORY_WRITE
from initcompat.probe.schema import CEILING_PHILOX_FLOAT32 as PHILOX_FLOAT32

DEFAULT_ELEMENTS = 1 << 25  # 32 Mi float32 = 128 MiB: far beyond any cache


def numpy_version_tuple(version=None):
    parts = []
    for piece in (version or np.__version__).split(".")[:2]:
        digits = ""
        for character in piece:
            if not character.isdigit():
                break
            digits += character
        parts.append(int(digits or 0))
    return tuple(parts)


def philox_unavailable_reason():
    """None when numpy can draw float32 with Philox into a buffer, else why not (one line)."""
    if numpy_version_tuple() < (1, 17):
        return "unavailable: numpy %s has no Philox (np.random.Generator needs numpy >= 1.17)" \
            % np.__version__
    if not hasattr(np.random, "Generator") or not hasattr(np.random, "Philox"):
        return "unavailable: numpy %s has no np.random.Generator/Philox" % np.__version__
    return None


class Ceiling(object):
    """One ceiling: `run()` does the measured work once; `bytes` and `elements` it touches."""

    def __init__(self, name, run, elements, unavailable=None):
        self.name = name
        self.run = run
        self.elements = elements
        self.bytes = elements * 4
        self.unavailable = unavailable


def memory_write(elements=DEFAULT_ELEMENTS):
    """Fill a preallocated float32 array (touched once here, so no page faults are timed)."""
    buffer = np.empty(elements, dtype=np.float32)
    buffer.fill(0.0)

    def run():
        buffer.fill(1.0)
        return buffer

    return Ceiling(MEMORY_WRITE, run, elements)


def philox_float32(elements=DEFAULT_ELEMENTS // 2):
    """Draw float32 uniforms with Philox into a preallocated array, or an unavailable Ceiling."""
    reason = philox_unavailable_reason()
    if reason is not None:
        return Ceiling(PHILOX_FLOAT32, None, elements, unavailable=reason)
    buffer = np.zeros(elements, dtype=np.float32)
    generator = np.random.Generator(np.random.Philox(1234))
    try:
        generator.random(16, dtype=np.float32, out=buffer[:16])
    except TypeError as error:  # a numpy whose random() lacks dtype/out
        return Ceiling(PHILOX_FLOAT32, None, elements,
                       unavailable="unavailable: numpy %s Generator.random(dtype, out): %s"
                       % (np.__version__, error))

    def run():
        generator.random(elements, dtype=np.float32, out=buffer)
        return buffer

    return Ceiling(PHILOX_FLOAT32, run, elements)


def all_ceilings(elements=DEFAULT_ELEMENTS):
    """Every ceiling, in a fixed order (unavailable ones included, with their reason)."""
    return [memory_write(elements), philox_float32(max(1, elements // 2))]
