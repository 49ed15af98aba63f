"""A suite's propagation section: the models (layer types, activations, paddings), dtypes,
initializers, the shipped input each model reads and the training plan, with the vocabulary of
the probe's propagation step (initcompat.probe.schema). Host side; stdlib only.
"""

from __future__ import annotations

from pathlib import Path

from initcompat.probe import schema
from initcompat.suite.checker import LARGEST_SEED, Checker, join, shown


def check_model_layer(check: Checker, spec, path: str) -> bool:
    if not check.object(spec, path):
        return False
    if "type" not in spec:
        check.problem(path, "lacks 'type'")
        return False
    if not check.choice(spec["type"], join(path, "type"), schema.PROPAGATION_LAYER_TYPES,
                        "a model layer type"):
        return False
    kind = spec["type"]
    fields = {"conv2d": (("filters", "kernel_size"), ("padding", "activation")),
              "dense": (("units",), ("activation",)),
              "max_pool": (("pool",), ()), "flatten": ((), ())}[kind]
    if not check.fields(spec, path, ("type",) + fields[0], fields[1]):
        return False
    if kind == "conv2d" and not (
            check.integer(spec["filters"], join(path, "filters"))
            and check.shape(spec["kernel_size"], join(path, "kernel_size"), 2)):
        return False
    if kind == "conv2d" and "padding" in spec and not check.choice(
            spec["padding"], join(path, "padding"), schema.PROPAGATION_PADDINGS, "a padding"):
        return False
    if kind == "dense" and not check.integer(spec["units"], join(path, "units")):
        return False
    if kind == "max_pool" and not check.integer(spec["pool"], join(path, "pool")):
        return False
    if spec.get("activation") is not None and not check.choice(
            spec["activation"], join(path, "activation"), schema.PROPAGATION_ACTIVATIONS,
            "an activation"):
        return False
    return True


def check_model(check: Checker, model, path: str) -> bool:
    if not check.object(model, path) or not check.fields(
            model, path, ("name", "input", "scale", "input_shape", "layers"), ("batch",)):
        return False
    if not check.text(model["name"], join(path, "name")) or not check.choice(
            model["input"], join(path, "input"), schema.PROPAGATION_INPUTS, "a shipped input"):
        return False
    if not check.positive_number(model["scale"], join(path, "scale")) or \
            not check.shape(model["input_shape"], join(path, "input_shape")):
        return False
    size = 1
    for dimension in model["input_shape"]:
        size *= dimension
    if size != schema.PROPAGATION_INPUTS[model["input"]]:
        check.problem(join(path, "input_shape"),
                      f"{shown(model['input_shape'])} holds {size} values per example; "
                      f"{model['input']} has {schema.PROPAGATION_INPUTS[model['input']]}")
        return False
    if "batch" in model and not check.integer(model["batch"], join(path, "batch")):
        return False
    layers = model["layers"]
    if not isinstance(layers, list) or not layers:
        check.problem(join(path, "layers"), f"{shown(layers)} is not a non-empty list of layers")
        return False
    return all(check_model_layer(check, spec, f"{path}.layers[{index}]")
               for index, spec in enumerate(layers))


def check_propagation(check: Checker, block, data_folders: list[Path],
                      path: str = "propagation") -> None:
    if not check.object(block, path) or not check.fields(
            block, path, ("seed", "batch", "dtypes", "initializers", "models", "data"),
            ("low_precision_batch", "training")):
        return
    if not check.integer(block["seed"], join(path, "seed"), 0, LARGEST_SEED) or \
            not check.integer(block["batch"], join(path, "batch")):
        return
    if "low_precision_batch" in block and not check.integer(
            block["low_precision_batch"], join(path, "low_precision_batch")):
        return
    if not check.text(block["data"], join(path, "data")):
        return
    if not any((folder / block["data"]).is_file() for folder in data_folders):
        check.problem(join(path, "data"), f"{block['data']!r} is in none of "
                                           f"{', '.join(str(f) for f in data_folders)}")
        return
    dtypes = block["dtypes"]
    if not isinstance(dtypes, list) or not dtypes:
        check.problem(join(path, "dtypes"), f"{shown(dtypes)} is not a non-empty list")
        return
    for index, dtype in enumerate(dtypes):
        if not check.choice(dtype, f"{path}.dtypes[{index}]", schema.PROPAGATION_DTYPES, "a dtype"):
            return
    labels = []
    initializers = block["initializers"]
    if not isinstance(initializers, list) or not initializers:
        check.problem(join(path, "initializers"),
                      f"{shown(initializers)} is not a non-empty list")
        return
    for index, entry in enumerate(initializers):
        where = f"{path}.initializers[{index}]"
        if not check.object(entry, where) or not check.fields(entry, where, ("label",),
                                                              ("name", "args", "lsuv")):
            return
        if not check.text(entry["label"], join(where, "label")):
            return
        if entry["label"] in labels:
            check.problem(join(where, "label"), f"{entry['label']!r} is used twice")
            return
        labels.append(entry["label"])
        if "name" in entry and not check.initializer_name(entry["name"],
                                                           join(where, "name")):
            return
        if "args" in entry and ("name" not in entry or not check.object(entry["args"],
                                                                         join(where, "args"))):
            if "name" not in entry:
                check.problem(join(where, "args"), "needs a 'name' (the default takes no args)")
            return
        if "lsuv" in entry and not isinstance(entry["lsuv"], bool):
            check.problem(join(where, "lsuv"), f"{shown(entry['lsuv'])} is not true/false")
            return
    models = block["models"]
    if not isinstance(models, list) or not models:
        check.problem(join(path, "models"), f"{shown(models)} is not a non-empty list")
        return
    names = []
    for index, model in enumerate(models):
        if not check_model(check, model, f"{path}.models[{index}]"):
            return
        if model["name"] in names:
            check.problem(f"{path}.models[{index}].name", f"{model['name']!r} is used twice")
            return
        names.append(model["name"])
    if "training" in block:
        check_training(check, block["training"], names, labels, join(path, "training"))


def check_training(check: Checker, plan, models: list[str], labels: list[str],
                   path: str) -> None:
    if not check.object(plan, path) or not check.fields(
            plan, path, ("model", "steps", "batch", "learning_rate", "losses"),
            ("initializers", "seed")):
        return
    if not check.choice(plan["model"], join(path, "model"), models,
                        "a model of propagation.models"):
        return
    if not check.integer(plan["steps"], join(path, "steps")) or \
            not check.integer(plan["batch"], join(path, "batch")) or \
            not check.positive_number(plan["learning_rate"], join(path, "learning_rate")):
        return
    if "seed" in plan and not check.integer(plan["seed"], join(path, "seed"), 0, LARGEST_SEED):
        return
    for name, known, what in (("losses", schema.PROPAGATION_LOSSES, "a loss"),
                              ("initializers", labels, "a label of propagation.initializers")):
        if name not in plan:
            continue
        values = plan[name]
        if not isinstance(values, list) or not values:
            check.problem(join(path, name), f"{shown(values)} is not a non-empty list")
            return
        for index, value in enumerate(values):
            if not check.choice(value, f"{path}.{name}[{index}]", known, what):
                return

