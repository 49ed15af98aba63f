"""The suite's schema: every section checked, each problem one line with its JSON path.

The known values are the probe's own: layer kinds and the fields each kind reads come from
initcompat.probe.catalogue (initcompat.suite.layers), initializer names and the propagation
step's vocabulary from initcompat.probe.schema. Neither imports a framework (nor numpy). Pure:
`problems(document, data_folders)` returns the problems, the caller reads the file. Host side;
stdlib only.
"""

from __future__ import annotations

from pathlib import Path

from initcompat.suite.checker import LARGEST_SEED, Checker, join, shown, type_name
from initcompat.suite.layers import check_layers
from initcompat.suite.propagation import check_propagation

# The top-level numbers every probe reads, and the sections of the measurement steps (each may
# be left out: its step is then skipped and says so).
REQUIRED_NUMBERS = {"seed": 0, "sample_target": 1, "max_builds": 1, "subsample_size": 1}
STEP_SECTIONS = ("throughput", "initializers", "seeding", "propagation")


def check_throughput(check: Checker, block, path: str = "throughput") -> None:
    if not check.object(block, path) or not check.fields(
            block, path, (), ("processes", "values", "warmups", "worker_timeout",
                              "ceiling_elements", "device_ceiling_elements", "layers")):
        return
    for name, smallest in (("processes", 1), ("values", 1), ("warmups", 0),
                           ("ceiling_elements", 1), ("device_ceiling_elements", 1)):
        if name in block and not check.integer(block[name], join(path, name), smallest):
            return
    if "worker_timeout" in block and not check.positive_number(block["worker_timeout"],
                                                               join(path, "worker_timeout")):
        return
    if "layers" in block:
        check_layers(check, block["layers"], join(path, "layers"), timed=True)


def check_initializers(check: Checker, block, path: str = "initializers") -> None:
    if not check.object(block, path) or not check.fields(
            block, path, ("shapes", "seed", "subsample_size"), ("audit_size", "explicit")):
        return
    shapes = block["shapes"]
    if not check.object(shapes, join(path, "shapes")):
        return
    if not shapes:
        check.problem(join(path, "shapes"), "names no shape")
        return
    for name, shape in shapes.items():
        if not check.shape(shape, f"{path}.shapes.{name}"):
            return
    if not check.integer(block["seed"], join(path, "seed"), 0, LARGEST_SEED) or \
            not check.integer(block["subsample_size"], join(path, "subsample_size")):
        return
    if "audit_size" in block and not check.integer(block["audit_size"], join(path, "audit_size"),
                                                   0):
        return
    explicit = block.get("explicit", [])
    if not isinstance(explicit, list):
        check.problem(join(path, "explicit"), f"{shown(explicit)} is not a list")
        return
    for index, entry in enumerate(explicit):
        where = f"{path}.explicit[{index}]"
        if not check.object(entry, where) or not check.fields(entry, where, ("name",), ("args",)) \
                or not check.initializer_name(entry["name"], join(where, "name")):
            return
        if "args" in entry and not check.object(entry["args"], join(where, "args")):
            return


def check_seeding(check: Checker, block, path: str = "seeding") -> None:
    if not check.object(block, path) or not check.fields(
            block, path, ("seed", "dense", "initializer", "first_values")):
        return
    if not check.integer(block["seed"], join(path, "seed"), 0, LARGEST_SEED) or \
            not check.integer(block["first_values"], join(path, "first_values"), 0):
        return
    dense = block["dense"]
    where = join(path, "dense")
    if not check.object(dense, where) or not check.fields(dense, where, ("input_dim", "units")):
        return
    if not check.integer(dense["input_dim"], join(where, "input_dim")) or \
            not check.integer(dense["units"], join(where, "units")):
        return
    check.initializer_name(block["initializer"], join(path, "initializer"))


SECTION_CHECKS = {"throughput": check_throughput, "initializers": check_initializers,
                  "seeding": check_seeding}


def problems(document, data_folders: list[Path]) -> list[str]:
    """Every problem of a parsed suite, each 'JSON-PATH what is wrong' (empty: usable). The
    first problem of each section is reported; `data_folders` are where propagation.data may be."""
    check = Checker()
    if not isinstance(document, dict):
        return [f"the suite must be a JSON object, not {type_name(document)}"]
    if not check.fields(document, "", tuple(REQUIRED_NUMBERS) + ("layers",), STEP_SECTIONS):
        return check.found
    for name, smallest in REQUIRED_NUMBERS.items():
        if not check.integer(document[name], name, smallest,
                             LARGEST_SEED if name == "seed" else None):
            return check.found
    check_layers(check, document["layers"], "layers")
    for name in STEP_SECTIONS:
        if name not in document:
            continue
        if name == "propagation":
            check_propagation(check, document[name], data_folders)
        else:
            SECTION_CHECKS[name](check, document[name])
    return check.found
