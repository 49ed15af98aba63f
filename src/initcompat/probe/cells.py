"""Probe one API family over the suite's layers: one cell per (layer, weight role).

Per layer: two seeded builds (a fingerprint of the bytes, and whether it repeats in-process),
then draws until the suite's sample target (Family.draws: fresh layers, re-run initializers or
fresh initializer instances; the sample's draw_method says which). `sample.builds` counts those
draws. Python 3.6-clean.
"""

import math

import numpy as np

from initcompat.probe import catalogue, schema
from initcompat.probe.apis import FamilyUnavailable
from initcompat.probe.identity import compute_framework_fans
from initcompat.probe.moments import fingerprint_bytes, summarize_sample

MAX_REASON = 2000


def _cell(family, spec, spelled, role, status, reason=None, error_type=None):
    return {
        "api_family": family.name,
        "legacy_keras": bool(family.legacy_keras),
        "layer": (spelled or spec["kind"]) + _options_suffix(spec),
        "layer_kind": catalogue.layer_id(spec),
        "weight_role": role,
        "status": status,
        "reason": reason[:MAX_REASON] if reason else reason,
        "error_type": error_type,
        "graph_mode": family.graph_mode,
    }


def _options_suffix(spec):
    options = spec.get("options") or {}
    return "(%s)" % ", ".join("%s=%r" % item for item in sorted(options.items())) if options else ""


def _failed_cells(family, spec, spelled, status, error_type, message):
    roles = family.roles(spec)
    return [_cell(family, spec, spelled, role, status, message, error_type) for role in roles]


def max_abs_gram_offdiag(values):
    """Largest |off-diagonal| of the normalized Gram matrix of the 2-D view's shorter side.

    About 0 for an orthogonal initializer, about 3/sqrt(longer side) for iid draws.
    """
    array = np.asarray(values, dtype=np.float64)
    if array.ndim < 2:
        return None
    matrix = array.reshape(-1, array.shape[-1])
    if matrix.shape[0] < matrix.shape[1]:
        matrix = matrix.T
    norms = np.linalg.norm(matrix, axis=0)
    if matrix.shape[1] < 2 or np.any(norms == 0):
        return None
    unit = matrix / norms
    gram = unit.T.dot(unit)
    np.fill_diagonal(gram, 0.0)
    return float(np.abs(gram).max())


def _weights_by_role(build, kind):
    return dict((catalogue.weight_role(name, kind), (name, values)) for name, values in build.weights)


def builds_needed(sizes, target, max_builds):
    """Fresh builds needed so the largest weight reaches `target` values, capped."""
    largest = max(sizes) if sizes else 1
    return int(min(max_builds, max(1, math.ceil(float(target) / max(largest, 1)))))


def probe_layer(family, spec, suite):
    """Cells for one layer kind in one family; failures become unavailable/error cells."""
    spelled = family.spell_for(spec)
    if spelled is None:
        return _failed_cells(family, spec, None, schema.CELL_UNAVAILABLE, "NotOffered",
                             "%s offers no %s layer" % (family.name, spec["kind"]))
    try:
        family.layer_factory(spec["kind"])
    except FamilyUnavailable as missing:
        return _failed_cells(family, spec, spelled, schema.CELL_UNAVAILABLE,
                             missing.error_type, missing.message)
    seed = int(suite["seed"])
    seed_error = None
    try:
        try:
            seeded = family.build(spec, 1, seed)[0]
            repeat = family.build(spec, 1, seed)[0]
            statistics_seed = seed + 1
        except FamilyUnavailable:
            raise
        except Exception as error:
            # Seeding itself can fail (tf_keras 2.16-2.18 on Python 3.12 passes a float to
            # random.randint): a finding about seeding; the defaults are still measured unseeded.
            seed_error = "%s: %s" % (type(error).__name__, error)
            if family.unseed():
                seed_error += " (the global seed generator was reset to measure unseeded draws)"
            seeded, repeat, statistics_seed = family.build(spec, 1, None)[0], None, None
        sizes = [values.size for _, values in seeded.weights]
        count = builds_needed(sizes, suite["sample_target"], suite["max_builds"])
        first_build, draws = family.draws(spec, count, statistics_seed)
    except FamilyUnavailable as missing:
        return _failed_cells(family, spec, spelled, schema.CELL_UNAVAILABLE,
                             missing.error_type, missing.message)
    except Exception as error:
        return _failed_cells(family, spec, spelled, schema.CELL_ERROR,
                             type(error).__name__, str(error))
    seeded_roles = _weights_by_role(seeded, spec["kind"])
    repeat_roles = _weights_by_role(repeat, spec["kind"]) if repeat is not None else {}
    cells = []
    for role in family.roles(spec):
        if role not in seeded_roles or role not in draws:
            cells.append(_cell(family, spec, spelled, role, schema.CELL_ERROR,
                               "no %s weight among %s" % (role, sorted(seeded_roles)), "MissingWeight"))
            continue
        try:
            cells.append(_weight_cell(family, spec, spelled, role, suite, first_build, draws[role],
                                      seeded_roles[role], repeat_roles.get(role), seed_error))
        except Exception as error:  # one odd weight must not cost the other cells
            cells.append(_cell(family, spec, spelled, role, schema.CELL_ERROR,
                               "%s: %s" % (type(error).__name__, error), type(error).__name__))
    return cells


def _weight_cell(family, spec, spelled, role, suite, first_build, draws, seeded, repeat,
                 seed_error=None):
    variable_name, seeded_values = seeded
    cell = _cell(family, spec, spelled, role, schema.CELL_OK)
    declared = family.declared_initializer(spec, role, first_build)
    fan_in, fan_out, fan_source = compute_framework_fans(family.fan_owner(declared),
                                                         seeded_values.shape)
    declared.pop("object", None)
    drawn, method = draws
    sample = summarize_sample(np.concatenate([np.asarray(d, dtype=np.float64).ravel()
                                              for d in drawn]),
                              suite["subsample_size"], suite["seed"])
    sample["builds"] = len(drawn)
    sample["draw_method"] = method
    sample["first_build_max_abs_gram_offdiag"] = max_abs_gram_offdiag(drawn[0])
    fingerprint = fingerprint_bytes(seeded_values)
    repeat_fingerprint = fingerprint_bytes(repeat[1]) if repeat is not None else None
    cell.update({
        "variable_name": variable_name,
        "shape": [int(d) for d in seeded_values.shape],
        "dtype": str(seeded_values.dtype),
        "fan_in": fan_in,
        "fan_out": fan_out,
        "fan_source": fan_source,
        "initializer": declared,
        "layer_config": family.layer_config(spec, first_build),
        "graph_evidence": family.graph_evidence(role),
        "sample": sample,
        "seeded": _seeded_block(family, suite, fingerprint, repeat_fingerprint, seed_error),
    })
    return cell


def _seeded_block(family, suite, fingerprint, repeat_fingerprint, seed_error):
    """The seeded-reproducibility record of a weight; when seeding failed, the error instead."""
    block = {"seed": int(suite["seed"]), "seed_call": family.seed_call(), "error": seed_error}
    if seed_error:
        block.update({"sha256": None, "first_values": [], "repeats_in_process": None})
    else:
        block.update({
            "sha256": fingerprint["sha256"],
            "first_values": fingerprint["first_values"],
            "repeats_in_process": bool(repeat_fingerprint
                                       and repeat_fingerprint["sha256"] == fingerprint["sha256"]),
        })
    return block


def failed_family_cells(family, suite, status, error_type, message):
    """One failed cell per (layer, weight) of the suite, all with the same reason."""
    cells = []
    for spec in suite["layers"]:
        cells.extend(_failed_cells(family, spec, family.spell_for(spec), status, error_type,
                                   message))
    return cells


def alias_cells(family, cells, measured_as):
    """Copies of another family's cells for the very same layer class and seeding function."""
    copies = []
    for cell in cells:
        copy = dict(cell, api_family=family.name, legacy_keras=bool(family.legacy_keras),
                    alias_of=measured_as)
        if cell.get("seeded"):
            copy["seeded"] = dict(cell["seeded"], seed_call=family.seed_call())
        copies.append(copy)
    return copies


def probe_family(family, suite, measured=None):
    """Every cell of one family: unavailable everywhere when the family itself is missing.

    `measured` ({identity: (family name, cells)}, shared across the families of one process)
    lets a family whose layer class and seeding function are the very objects another family
    already measured (tf.keras and keras from TF 2.6 on) reuse those cells, marked alias_of.
    """
    try:
        family.check_available()
    except FamilyUnavailable as missing:
        return failed_family_cells(family, suite, schema.CELL_UNAVAILABLE, missing.error_type,
                                   missing.message)
    measured = {} if measured is None else measured
    cells = []
    for spec in suite["layers"]:
        identity = family.identity(spec)
        if identity is not None and identity in measured:
            measured_as, earlier_cells = measured[identity]
            cells.extend(alias_cells(family, earlier_cells, measured_as))
            continue
        layer_cells = probe_layer(family, spec, suite)
        if identity is not None:
            measured[identity] = (family.name, layer_cells)
        cells.extend(layer_cells)
    return cells
