"""What the throughput step times where there is no TensorFlow: Keras 3 on JAX, PyTorch or NumPy,
and the framework sessions (PyTorch, Flax, JAX's stax), on every device the framework lists.

A device is what the framework itself lists: PyTorch's CPU and each CUDA device, JAX's devices
of its default platform and its CPU, Keras's backend's (through keras.device where this Keras
has it). Each value builds one layer with no initializer arguments the framework's own way and
fetches its weights as host numpy arrays (the same work as the TF eager builder: construct,
create the weights, materialize them), inside the framework's own device scope:
`with torch.device(d)` (PyTorch >= 2.0; older PyTorch builds on the CPU only),
`with jax.default_device(d)`, `with keras.device(d)`.

Device ceilings, beside numpy's host ceilings (initcompat.probe.ceilings) and measured in the
same worker: for every device of a framework with its own random numbers (PyTorch, JAX; Keras
on those backends uses theirs), filling a preallocated float32 buffer on the device with
uniforms from the framework's default generator (PyTorch: Tensor.uniform_, Philox on CUDA,
mt19937 on the CPU; JAX: jax.random.uniform, threefry2x32, jitted) and with a constant (the
device's memory-write rate), each synchronized (torch.cuda.synchronize, block_until_ready).
Their names are schema.CEILING_DEVICE_RNG_FLOAT32 and schema.CEILING_DEVICE_MEMORY_WRITE, and
each value's metadata says which call it timed. Python 3.6-clean: stdlib, numpy, the framework.
"""

from initcompat.probe import catalogue, schema

TIMED_FRAMEWORKS = ("keras",) + schema.FRAMEWORKS  # what --framework accepts besides tensorflow


class Device(object):
    """One device a framework lists: its label in benchmark names ("cpu", "gpu0"), its name as
    the framework prints it, its kind ("CPU"/"GPU"/...) and the scope that makes it current."""

    def __init__(self, label, name, device_type, scope, handle=None):
        self.label = label
        self.name = name
        self.device_type = device_type
        self.scope = scope  # a function returning a context manager
        self.handle = handle  # the framework's own device object (for the ceilings)


class _NoScope(object):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def _label(device_type, index, seen):
    kind = device_type.lower()
    if kind == "cpu" and "cpu" not in seen:
        return "cpu"
    return "%s%d" % (kind, index)


def torch_devices():
    """PyTorch's CPU and each CUDA device; a CUDA device only where `with torch.device` exists."""
    import torch
    scoped = hasattr(torch.device("cpu"), "__enter__")  # PyTorch >= 2.0
    found = [Device("cpu", "cpu", "CPU", (lambda: torch.device("cpu")) if scoped else _NoScope,
                    torch.device("cpu"))]
    if scoped and torch.cuda.is_available():
        for index in range(torch.cuda.device_count()):
            device = torch.device("cuda", index)
            found.append(Device("gpu%d" % index, torch.cuda.get_device_name(index), "GPU",
                                (lambda d=device: d), device))
    return found


def jax_devices():
    """JAX's devices of its default platform, then its CPU when the default is not the CPU."""
    import jax
    from initcompat.probe.device_info import JAX_GPU_PLATFORMS, jax_listed
    found, seen = [], []
    for device in jax_listed():
        kind = "GPU" if device.platform in JAX_GPU_PLATFORMS else device.platform.upper()
        label = _label(kind, getattr(device, "id", 0), seen)
        seen.append(label)
        scope = (lambda d=device: jax.default_device(d)) if hasattr(jax, "default_device") \
            else _NoScope
        found.append(Device(label, str(device), kind, scope, device))
    return found


def keras_devices(keras, backend):
    """The devices of Keras's backend, each scoped with keras.device ("cpu:0", "gpu:0")."""
    if backend == "torch":
        listed = torch_devices()
    elif backend == "jax":
        listed = jax_devices()
    else:
        return [Device("cpu", "cpu", "CPU", _NoScope)]
    scope_of = getattr(keras, "device", None)
    found = []
    for device in listed:
        if scope_of is None and device.device_type != "CPU":
            continue  # no keras.device: Keras places on its default device only
        name = "%s:%s" % ("cpu" if device.device_type == "CPU" else "gpu",
                          device.label[3:] or "0")
        found.append(Device(device.label, device.name, device.device_type,
                            (lambda n=name: scope_of(n)) if scope_of else _NoScope,
                            device.handle))
    return found


# ---------------------------------------------------------------------------- ceilings

def torch_ceilings(device, elements):
    """(name, run, what) of PyTorch's uniform fill and constant fill on `device`."""
    import torch
    buffer = torch.empty(elements, dtype=torch.float32, device=device.handle)
    buffer.fill_(0.0)
    cuda = device.device_type == "GPU"

    def synchronize():
        if cuda:
            torch.cuda.synchronize(device.handle)

    def rng():
        buffer.uniform_()
        synchronize()
        return buffer

    def write():
        buffer.fill_(1.0)
        synchronize()
        return buffer

    generator = "Philox4x32-10" if cuda else "mt19937"
    return [(schema.CEILING_DEVICE_RNG_FLOAT32, rng,
             "torch.Tensor.uniform_ of a float32 buffer on %s (%s)" % (device.name, generator)),
            (schema.CEILING_DEVICE_MEMORY_WRITE, write,
             "torch.Tensor.fill_ of a float32 buffer on %s" % device.name)]


def jax_ceilings(device, elements):
    """(name, run, what) of jax.random.uniform and jnp.full, jitted, on `device`."""
    import jax
    import jax.numpy as jnp
    with device.scope():
        key = jax.device_put(jax.random.PRNGKey(0), device.handle)
        draw = jax.jit(lambda k: jax.random.uniform(k, (elements,), dtype=jnp.float32))
        fill = jax.jit(lambda: jnp.full((elements,), 1.0, dtype=jnp.float32))
        draw(key).block_until_ready()  # compiled outside the timed region
        fill().block_until_ready()

    def rng():
        with device.scope():
            return draw(key).block_until_ready()

    def write():
        with device.scope():
            return fill().block_until_ready()

    return [(schema.CEILING_DEVICE_RNG_FLOAT32, rng,
             "jax.random.uniform (threefry2x32), jitted, float32 on %s" % device.name),
            (schema.CEILING_DEVICE_MEMORY_WRITE, write,
             "jnp.full, jitted, float32 on %s" % device.name)]


def device_ceilings(library, devices, elements):
    """[(device, name, run, what)] for a framework library ("torch" or "jax"); [] otherwise."""
    make = {"torch": torch_ceilings, "jax": jax_ceilings}.get(library)
    found = []
    for device in devices if make else ():
        for name, run, what in make(device, elements):
            found.append((device, name, run, what))
    return found


# ---------------------------------------------------------------------------- builders

def keras_builder(keras, factory, spec, device):
    arguments = catalogue.constructor_arguments(spec)
    shape = tuple([None] + catalogue.input_shape(spec))

    def build():
        with device.scope():
            layer = factory(**arguments)
            layer.build(shape)
            arrays = [keras.ops.convert_to_numpy(weight) for weight in layer.weights]
        return layer, arrays

    return build


def framework_builder(layer, device):
    """A framework adapter's layer (initcompat.probe.adapters.torch_layers & co): build(None)
    makes the module with fresh randomness and returns {role: (name, host numpy array)}."""
    def build():
        with device.scope():
            weights = layer["build"](None)
        return None, [array for _, array in weights.values()]

    return build


class Target(object):
    """What one worker times: framework versions, devices, layer builds and device ceilings."""

    def __init__(self, versions, devices, builds, ceilings, skipped):
        self.versions = versions  # {library: version}
        self.devices = devices  # [Device]
        self.builds = builds  # [(family, class name, spec, device, build)]
        self.ceilings = ceilings  # [(device, ceiling name, run, what)]
        self.skipped = skipped  # {family/layer: why}


def keras_target(layers, elements):
    """Keras 3 on the backend KERAS_BACKEND names (the runner sets it)."""
    import keras
    from initcompat.probe import apis
    from initcompat.probe.adapters import keras_only
    backend = keras.backend.backend()
    versions = {"keras": keras.__version__, "backend": backend}
    versions.update(keras_only.backend_versions(backend))
    devices = keras_devices(keras, backend)
    family = apis.EagerKerasFamily(None, schema.FAMILY_KERAS, apis.load_standalone_keras)
    builds, skipped = [], {}
    for device in devices:
        for spec in layers:
            class_name = catalogue.lookup(spec["kind"]).class_name
            try:
                factory = family.layer_factory(spec["kind"])
            except apis.FamilyUnavailable as error:
                skipped["%s/%s" % (family.name, class_name)] = "unavailable: %s" % error
                continue
            builds.append((family.name, class_name, spec, device,
                           keras_builder(keras, factory, spec, device)))
    library = {"torch": "torch", "jax": "jax"}.get(backend)
    return Target(versions, devices, builds, device_ceilings(library, devices, elements), skipped)


def framework_target(framework, layers, elements):
    """PyTorch, Flax or stax through the framework probe's own adapters."""
    from initcompat.probe import frameworks
    module = frameworks.adapter_module(framework)
    versions = module.versions()
    library = "torch" if framework == schema.FRAMEWORK_TORCH else "jax"
    devices = torch_devices() if library == "torch" else jax_devices()
    threads = None
    if library == "torch":
        import torch
        threads = torch.get_num_threads()  # the adapter pins 1 thread for the probe's draws
    builds, skipped = [], {}
    for spec in layers:
        found = list(module.layers({spec["kind"]: spec}))  # one per API (flax.linen, flax.nnx)
        if not found:
            skipped["%s/%s" % (framework, spec["kind"])] = "no such layer in this adapter"
        for layer in found:
            if layer.get("unavailable"):
                skipped["%s/%s" % (layer["api"], layer["layer"])] = "unavailable: %s" % (
                    layer["unavailable"])
                continue
            for device in devices:
                builds.append((layer["api"], layer["layer"], spec, device,
                               framework_builder(layer, device)))
    if threads is not None:
        import torch
        torch.set_num_threads(threads)  # time with PyTorch's own default, as a user gets it
    return Target(versions, devices, builds, device_ceilings(library, devices, elements), skipped)


def target(framework, layers, elements):
    if framework == "keras":
        return keras_target(layers, elements)
    return framework_target(framework, layers, elements)

