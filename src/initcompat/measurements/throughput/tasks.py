"""What a throughput worker times: one task per (device, API family, layer) benchmark, built the
family's way (eager: the layer, build() and .numpy() under tf.device; graph: a fresh tf.Graph and
a Session that initializes and fetches), TensorFlow's devices or another framework's
(device_timing), and the ceilings beside them; benchmark names that are the same in every
version ("tf.keras/Dense/4096x4096/cpu"). Python 3.6-clean: stdlib, numpy, the framework.
"""

import time

from initcompat.probe import catalogue, schema


META = "initcompat_"  # prefix of the pyperf metadata this module adds


def device_label(device):
    """'/device:CPU:0' -> 'cpu', '/device:GPU:1' -> 'gpu1' (the first CPU keeps the bare name)."""
    kind, index = device["device_type"].lower(), device["name"].rsplit(":", 1)[-1]
    if kind == "cpu" and index == "0":
        return "cpu"
    return kind + index


def benchmark_name(family, class_name, spec, device):
    return "%s/%s/%s/%s" % (family, class_name, catalogue.size_label(spec), device)


def ceiling_name(ceiling, device="cpu"):
    return "%s%s/%s" % (schema.CEILING_PREFIX, ceiling, device)


def eager_builder(tf, factory, spec, device_name):
    arguments = catalogue.constructor_arguments(spec)
    shape = tuple([None] + catalogue.input_shape(spec))

    def build():
        with tf.device(device_name):
            layer = factory(**arguments)
            layer.build(shape)
            arrays = [variable.numpy() for variable in layer.weights]
        return layer, arrays

    return build


def graph_builder(tf, family, factory, spec, device_name):
    from initcompat.probe import apis
    v1 = apis.compat_v1(tf)
    shape = [None] + catalogue.input_shape(spec)

    def build():
        graph = tf.Graph()
        with graph.as_default():
            with tf.device(device_name):
                inputs = v1.placeholder(tf.float32, shape)
                family.make_layer(factory, spec, inputs, "throughput")
            variables = v1.global_variables()
            initialize = v1.variables_initializer(variables)
            with v1.Session(graph=graph) as session:
                session.run(initialize)
                arrays = session.run(variables)
        return graph, arrays

    return build


def families(tf):
    """The families of initcompat.probe.apis, plus tf_keras when it is installed."""
    from initcompat.probe import apis
    found = list(apis.families_for(tf, False))
    if apis.tf_keras_installed():
        found.append(apis.EagerKerasFamily(tf, schema.FAMILY_TF_KERAS_PACKAGE, apis.load_tf_keras, True))
    return found


class Task(object):
    def __init__(self, name, run, metadata):
        self.name = name
        self.run = run
        self.metadata = metadata


def layer_tasks(tf, layers, devices, info):
    """Every (device, family, layer) benchmark; unavailable families and aliases go to `info`."""
    from initcompat.probe import apis
    tasks = []
    for device in devices:
        seen = []  # (layer spec, factory, family name) already timed on this device
        for family in families(tf):
            try:
                family.check_available()
            except apis.FamilyUnavailable as error:
                info["skipped"][family.name] = "unavailable: %s" % error
                continue
            for spec in layers:
                kind = spec["kind"]
                class_name = catalogue.lookup(kind).class_name
                if family.spell(kind) is None:
                    continue  # e.g. tf.layers has no embedding
                try:
                    factory = family.layer_factory(kind)
                except apis.FamilyUnavailable as error:
                    info["skipped"]["%s/%s" % (family.name, class_name)] = "unavailable: %s" % error
                    continue
                same = [name for seen_spec, seen_factory, name in seen
                        if seen_spec is spec and seen_factory is factory]
                if same:
                    info["aliases"][family.name] = same[0]
                    continue
                seen.append((spec, factory, family.name))
                if family.graph_mode:
                    build = graph_builder(tf, family, factory, spec, device["name"])
                else:
                    build = eager_builder(tf, factory, spec, device["name"])
                label = device_label(device)
                tasks.append(Task(benchmark_name(family.name, class_name, spec, label), build, {
                    META + "kind": "layer", META + "family": family.name,
                    META + "layer": class_name, META + "size": catalogue.size_label(spec),
                    META + "device": label, META + "device_name": device["name"],
                    META + "mode": "graph" if family.graph_mode else "eager",
                }))
    return tasks


def ceiling_tasks(elements, info):
    """numpy's host ceilings (initcompat.probe.ceilings), on the CPU."""
    from initcompat.probe import ceilings
    tasks = []
    for ceiling in ceilings.all_ceilings(elements):
        if ceiling.unavailable:
            info["ceilings_unavailable"][ceiling.name] = ceiling.unavailable
            continue

        def run(work=ceiling.run):
            return None, [work()]

        tasks.append(Task(ceiling_name(ceiling.name), run, {
            META + "kind": "ceiling", META + "device": "cpu", META + "elements": ceiling.elements}))
    return tasks


def device_ceiling_tasks(found, elements):
    """The framework's own ceilings on each of its devices (initcompat.probe.device_timing)."""
    tasks = []
    for device, name, work, what in found:
        def timed(work=work):
            work()
            return None, []

        tasks.append(Task(ceiling_name(name, device.label), timed, {
            META + "kind": "ceiling", META + "device": device.label,
            META + "device_name": device.name, META + "elements": elements,
            META + "bytes": 4 * elements, META + "what": what}))
    return tasks


def framework_tasks(target):
    """Every (device, layer) benchmark of a session without TensorFlow."""
    tasks = []
    for family, class_name, spec, device, build in target.builds:
        tasks.append(Task(benchmark_name(family, class_name, spec, device.label), build, {
            META + "kind": "layer", META + "family": family, META + "layer": class_name,
            META + "size": catalogue.size_label(spec), META + "device": device.label,
            META + "device_name": device.name, META + "mode": "eager"}))
    return tasks


def tensorflow_tasks(block, info):
    """Import TF, list its devices and every (device, family, layer) benchmark."""
    started = time.time()
    import tensorflow as tf
    info["import_seconds"] = round(time.time() - started, 3)
    info["tensorflow"] = tf.__version__
    info["versions"] = {"tensorflow": tf.__version__}
    from initcompat.probe import installed
    listing = installed.collect_devices(tf)
    devices = [d for d in listing["devices"] if d["device_type"] in ("CPU", "GPU")]
    info["devices"] = [device_label(d) for d in devices]
    info["device_names"] = dict((device_label(d), d["name"]) for d in devices)
    gpus = [device_label(d) for d in devices if d["device_type"] == "GPU"]
    info["gpu"] = gpus if isinstance(listing["gpu"], list) else listing["gpu"]  # or schema.NO_GPU
    return layer_tasks(tf, block["layers"], devices, info), tf.__version__


def other_framework_tasks(framework, block, info):
    """Import Keras 3 (on KERAS_BACKEND) or a framework; its devices, layers and ceilings."""
    from initcompat.probe import device_timing
    started = time.time()
    elements = int(block.get("device_ceiling_elements", 1 << 25))
    target = device_timing.target(framework, block["layers"], elements)
    info["import_seconds"] = round(time.time() - started, 3)
    info["tensorflow"] = None
    info["versions"] = target.versions
    info["devices"] = [device.label for device in target.devices]
    info["device_names"] = dict((device.label, device.name) for device in target.devices)
    gpus = [device.label for device in target.devices if device.device_type == "GPU"]
    info["gpu"] = gpus or schema.NO_GPU
    info["skipped"].update(target.skipped)
    tasks = framework_tasks(target)
    tasks += device_ceiling_tasks(target.ceilings, elements)
    version = " ".join("%s %s" % item for item in sorted(target.versions.items()))
    return tasks, version
