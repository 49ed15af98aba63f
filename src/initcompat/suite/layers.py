"""A suite's layer entries (the layers section, and the throughput section's): the kinds and the
fields each kind reads are the probe's catalogue (initcompat.probe.catalogue), whose functions
are run on the entry, so a field the catalogue reads is a field the suite must give. Host side;
stdlib only.
"""

from __future__ import annotations

import re

from initcompat.probe import catalogue
from initcompat.suite.checker import COMMENT, Checker, join, known, shown

# Layer fields the catalogue reads as text (an EinsumDense's equation and bias axes); every
# other field it reads is a positive integer or a list of them.
TEXT_FIELDS = ("equation", "bias_axes")
LAYER_OWN_FIELDS = ("kind", "id", "options", COMMENT)


class _Reading(dict):
    """A layer entry that notes which fields the catalogue's functions read."""

    def __init__(self, entry: dict) -> None:
        super().__init__(entry)
        self.read: list[str] = []
        self.optional: list[str] = []

    def __getitem__(self, key):
        self.read.append(key)
        return dict.__getitem__(self, key)

    def get(self, key, default=None):
        self.optional.append(key)
        return dict.get(self, key, default)


def _spatial_dimensions(kind: str) -> int | None:
    """2 for conv2d, separable_conv2d, conv_lstm2d...; None for a kind without a kernel grid."""
    found = re.search(r"(\d)d(?:_|$)", kind)
    return int(found.group(1)) if found else None


def check_layer(check: Checker, entry, path: str) -> None:
    """One layer entry: its kind, the fields the catalogue reads for that kind, options, id."""
    if not check.object(entry, path):
        return
    if "kind" not in entry:
        check.problem(path, "lacks 'kind'")
        return
    kind = entry["kind"]
    if not check.choice(kind, join(path, "kind"), catalogue.KINDS, "a layer kind"):
        return
    record = catalogue.KINDS[kind]
    reading = _Reading(entry)
    failure = None
    for function in (record.arguments, record.input_shape, record.size):
        try:
            function(reading)
        except KeyError as missing:
            check.problem(path, f"lacks {missing.args[0]!r}, which a {kind} layer needs")
            return
        except Exception as error:  # a field of the wrong type: said below, by field
            failure = failure or f"{type(error).__name__}: {error}"
    fields = list(dict.fromkeys(reading.read + reading.optional))
    for name in entry:
        if name not in fields and name not in LAYER_OWN_FIELDS:
            check.problem(join(path, name), f"is not a field of a {kind} layer (fields: "
                                             f"{known(set(fields) | {'id', 'options'})})")
            return
    spatial = _spatial_dimensions(kind)
    for name in fields:
        if name not in entry:
            continue  # an optional field (read with .get) left out
        where = join(path, name)
        value = entry[name]
        if name in TEXT_FIELDS:
            ok = check.text(value, where)
        elif isinstance(value, list):
            ok = check.shape(value, where,
                             spatial if name in ("kernel_size", "input_spatial") else None)
        else:
            ok = check.integer(value, where)
        if not ok:
            return
    if "id" in entry and not check.text(entry["id"], join(path, "id")):
        return
    options = entry.get("options")
    if options is not None:
        if not check.object(options, join(path, "options")):
            return
        passed = sorted(name for name in options if name.endswith("_initializer"))
        if passed:
            check.problem(join(path, "options"), f"passes initializer arguments "
                                                  f"{', '.join(passed)}; initcompat measures "
                                                  "defaults only")
            return
    if failure is not None:
        check.problem(path, f"cannot be built from these fields ({failure})")


def check_layers(check: Checker, layers, path: str, timed: bool = False) -> None:
    """A list of layer entries: the layers section's rows are named by catalogue.layer_id (a
    second row of a kind needs an id); the throughput section's benchmarks by kind and size
    (catalogue.size_label), and it may be empty (the step is then skipped)."""
    if not isinstance(layers, list) or (not layers and not timed):
        check.problem(path, f"{shown(layers)} is not a non-empty list of layers")
        return
    rows: dict[str, int] = {}
    for index, entry in enumerate(layers):
        before = len(check.found)
        check_layer(check, entry, f"{path}[{index}]")
        if len(check.found) > before:
            return
        if timed:
            row = f"{entry['kind']} {catalogue.size_label(entry)}"
            fix = "time another size"
        else:
            row = catalogue.layer_id(entry)
            fix = "give it an 'id' of its own"
        if row in rows:
            check.problem(f"{path}[{index}]", f"is a second {row!r} (as {path}[{rows[row]}]): "
                                              f"{fix}")
            return
        rows[row] = index

