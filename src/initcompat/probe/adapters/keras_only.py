"""The probe for a session of the Keras axis: Keras 3 on JAX, PyTorch or NumPy, no TensorFlow.

Only the `keras` family exists there; it is built exactly as the TF sessions build it
(apis.EagerKerasFamily, with keras.utils.set_random_seed). KERAS_BACKEND must be set before
Keras is imported (the runner sets it; --keras-backend sets it when it is not). The result
records the backend and its library's version, and the devices the backend sees
(initcompat.probe.device_info: name, memory, driver; "none found" for the GPU where it sees
none). Keras draws on its backend's default device: the GPU where there is one. Python 3.6-clean (Keras 3 itself needs 3.9+).
"""

import os
import sys
import time
import traceback

from initcompat.probe import device_info, schema

BACKEND_MODULES = {"jax": ("jax", "jaxlib"), "torch": ("torch",), "numpy": ("numpy",),
                   "tensorflow": ("tensorflow",)}


def backend_versions(backend):
    """{module: version} of the backend's own libraries (imported by Keras already)."""
    versions = {}
    for name in BACKEND_MODULES.get(backend, ()):
        module = sys.modules.get(name)
        if module is None:
            try:
                module = __import__(name)
            except Exception:
                continue
        versions[name] = getattr(module, "__version__", None)
    return versions


def probe(arguments, suite, environment_block):
    """The whole result document of a Keras session (imports Keras on its backend)."""
    from initcompat.probe import installed
    if arguments.keras_backend:
        os.environ.setdefault("KERAS_BACKEND", arguments.keras_backend)
    started = time.time()
    try:
        import keras
    except KeyboardInterrupt:
        raise
    except BaseException as error:  # an import can raise anything, even SystemExit
        result = schema.outcome_result(environment_block(arguments, None), schema.ENV_IMPORT_FAILED,
                                       "%s: %s" % (type(error).__name__, error),
                                       traceback.format_exc()[-schema.TAIL_CHARS:])
        result["installed"] = {"packages": installed.collect_distributions()}
        result["platform"] = installed.collect_platform()
        return result
    backend = keras.backend.backend()
    import_seconds = time.time() - started
    sys.stderr.write("%s %s on %s in %.1f s\n" % (schema.KERAS_IMPORTED_MARKER, keras.__version__,
                                                 backend, import_seconds))
    from initcompat.probe import apis, cells as cell_probe
    probe_started = time.time()
    family = apis.EagerKerasFamily(None, schema.FAMILY_KERAS, apis.load_standalone_keras)
    cells = cell_probe.probe_family(family, suite, {})
    sys.stderr.write("%s %-20s %s (%.1f s)\n" % (
        schema.PROBE_PREFIX, family.name, "/".join(sorted(set(c["status"] for c in cells))),
        time.time() - probe_started))
    distributions = installed.collect_distributions()
    result = schema.outcome_result(environment_block(arguments, None), schema.ENV_OK, None)
    result.update({
        "cells": cells,
        "installed": {"packages": dict((name, distributions.get(name)) for name in
                                       installed.KEY_PACKAGES + ("jax", "jaxlib", "torch")
                                       if distributions.get(name)),
                      "keras_reported": keras.__version__, "backend": backend,
                      "backend_versions": backend_versions(backend)},
        "distributions": distributions,
        "platform": installed.collect_platform(),
        "devices": device_info.describe(
            backend, True,  # device_info lists "torch" and "jax"; any other backend: the CPU
            "Keras's default device for its %s backend (the GPU where the backend sees one)"
            % backend),
        "keras_versions": {"keras": keras.__version__, "tf_keras": None},
        "timings": {"import_seconds": round(import_seconds, 3),
                    "probe_seconds": round(time.time() - probe_started, 3),
                    "total_seconds": round(time.time() - started, 3)},
        "suite": suite,
        "legacy_keras_process": False,
    })
    return result
