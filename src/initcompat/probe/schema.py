"""The result file format: one JSON document per environment, defined once here.

History of SCHEMA_VERSION:
  1: first format (environment, installed packages, devices, one record per cell).

Python 3.6-clean: the probe writes with these names, the report validates with them.
"""

SCHEMA_VERSION = 1

# Outcome of a whole environment (a result file).
ENV_OK = "ok"
ENV_INSTALL_FAILED = "install-failed"
ENV_IMPORT_FAILED = "import-failed"
ENV_PROBE_CRASHED = "probe-crashed"
ENV_PROBE_TIMEOUT = "probe-timeout"
ENV_SKIPPED = "skipped"
ENV_STATUSES = (ENV_OK, ENV_INSTALL_FAILED, ENV_IMPORT_FAILED, ENV_PROBE_CRASHED, ENV_PROBE_TIMEOUT,
                ENV_SKIPPED)

# Outcome of one cell (api family x layer x weight).
CELL_OK = "ok"
CELL_UNAVAILABLE = "unavailable"
CELL_ERROR = "error"
CELL_STATUSES = (CELL_OK, CELL_UNAVAILABLE, CELL_ERROR)

# API families, spelled as users write them, in the order the report shows them.
FAMILY_TF_LAYERS = "tf.layers"
FAMILY_COMPAT_V1_LAYERS = "tf.compat.v1.layers"
FAMILY_TF_KERAS = "tf.keras"
FAMILY_KERAS = "keras"
FAMILY_TF_KERAS_PACKAGE = "tf_keras"
API_FAMILIES = (FAMILY_TF_LAYERS, FAMILY_COMPAT_V1_LAYERS, FAMILY_TF_KERAS, FAMILY_KERAS,
                FAMILY_TF_KERAS_PACKAGE)

# Stable weight roles, whatever a framework version names the variable.
WEIGHT_ROLES = ("kernel", "bias", "depthwise_kernel", "pointwise_kernel", "recurrent_kernel",
                "embeddings", "gamma", "beta", "moving_mean", "moving_variance")

# Probabilities at which every sample summary stores quantiles.
QUANTILE_PROBS = (0.001, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 0.75, 0.9, 0.95, 0.975, 0.99, 0.999)
HISTOGRAM_BINS = 64

# Fields every result must carry, with the JSON types they must have.
RESULT_FIELDS = {
    "schema_version": (int,),
    "env": (dict,),
    "status": (str,),
    "reason": (str, type(None)),
    "cells": (list,),
}
ENV_FIELDS = {"name": (str,), "tensorflow": (str,), "python": (str,)}
CELL_FIELDS = {
    "api_family": (str,),
    "legacy_keras": (bool,),
    "layer": (str,),
    "layer_kind": (str,),
    "weight_role": (str,),
    "status": (str,),
    "reason": (str, type(None)),
}


class SchemaError(ValueError):
    """A document does not follow the result schema; the message says where."""


def check_fields(document, fields, where):
    """Raise SchemaError unless `document` has every field in `fields` with an allowed type."""
    if not isinstance(document, dict):
        raise SchemaError("%s: expected an object, got %s" % (where, type(document).__name__))
    for name, types in fields.items():
        if name not in document:
            raise SchemaError("%s: missing field %r" % (where, name))
        value = document[name]
        # bool is an int in Python; a schema int field must not accept true/false.
        if isinstance(value, bool) and bool not in types:
            raise SchemaError("%s: field %r has type bool" % (where, name))
        if not isinstance(value, types):
            raise SchemaError("%s: field %r has type %s, expected %s" % (
                where, name, type(value).__name__, "/".join(t.__name__ for t in types)))


NUMBER = (int, float)
OPTIONAL_NUMBER = (int, float, type(None))
OPTIONAL_TEXT = (str, type(None))
# Nested blocks of an ok cell that the report reads, with the JSON types they must have.
INITIALIZER_FIELDS = {"class_name": OPTIONAL_TEXT, "module": OPTIONAL_TEXT,
                      "config": (dict, list, str, int, float, bool, type(None))}
INITIALIZER_OPTIONAL_FIELDS = {"held_by_layer": OPTIONAL_TEXT, "resolved_by": OPTIONAL_TEXT}
# se_mean and se_std are written by every probe and read unconditionally by the change tests.
SAMPLE_FIELDS = {"n": (int,), "mean": NUMBER, "std": NUMBER, "min": NUMBER, "max": NUMBER,
                 "se_mean": NUMBER, "se_std": NUMBER}
SAMPLE_OPTIONAL_NUMBERS = ("skewness", "excess_kurtosis", "se_skewness", "se_excess_kurtosis",
                           "builds", "first_build_max_abs_gram_offdiag")
SEEDED_FIELDS = {"sha256": (str, type(None))}  # null when seeding failed (then "error" says why)
# Fields of a cell that the report reads when present, whatever the cell's status.
CELL_OPTIONAL_FIELDS = {"error_type": OPTIONAL_TEXT, "shape": (list, type(None)),
                        "fan_in": OPTIONAL_NUMBER, "fan_out": OPTIONAL_NUMBER,
                        "initializer": (dict, type(None)), "sample": (dict, type(None)),
                        "seeded": (dict, type(None))}
# Top-level blocks the report reads when present.
RESULT_OPTIONAL_FIELDS = {"log_tail": OPTIONAL_TEXT, "installed": (dict, type(None)),
                          "devices": (dict, type(None)), "install": (dict, type(None)),
                          "platform": (dict, type(None)), "throughput": (dict, type(None))}


def check_optional_fields(document, fields, where):
    """Like check_fields, for fields that may be absent."""
    present = dict((name, types) for name, types in fields.items() if name in document)
    check_fields(document, present, where)


def check_number_list(value, where, integers=False):
    """Raise SchemaError unless `value` is a list of numbers (ints only when `integers`)."""
    if not isinstance(value, list):
        raise SchemaError("%s: expected a list, got %s" % (where, type(value).__name__))
    allowed = (int,) if integers else NUMBER
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, allowed):
            raise SchemaError("%s[%d]: expected %s, got %s" % (
                where, index, "an integer" if integers else "a number", type(item).__name__))


def validate_sample(sample, where):
    """The sample summary of an ok cell: moments, optional statistics, histogram, subsample."""
    check_fields(sample, SAMPLE_FIELDS, where)
    check_optional_fields(sample, dict((name, OPTIONAL_NUMBER) for name in SAMPLE_OPTIONAL_NUMBERS),
                          where)
    if sample["n"] < 1:
        raise SchemaError("%s: n is %d, expected at least 1" % (where, sample["n"]))
    if sample["min"] > sample["max"]:
        raise SchemaError("%s: min %r is above max %r" % (where, sample["min"], sample["max"]))
    # A constant sample may carry a rounding-sized std; a spread one never has std 0.
    if sample["std"] < 0 or (sample["std"] == 0 and sample["min"] < sample["max"]):
        raise SchemaError("%s: std %r does not match the range [%r, %r]"
                          % (where, sample["std"], sample["min"], sample["max"]))
    for name in ("se_mean", "se_std"):
        if sample[name] < 0:
            raise SchemaError("%s: %s is negative" % (where, name))
    if "histogram" in sample:
        histogram = sample["histogram"]
        check_fields(histogram, {"edges": (list,), "counts": (list,)}, where + ".histogram")
        check_number_list(histogram["edges"], where + ".histogram.edges")
        check_number_list(histogram["counts"], where + ".histogram.counts")
        if len(histogram["edges"]) != len(histogram["counts"]) + 1:
            raise SchemaError("%s.histogram: %d edges for %d counts" % (
                where, len(histogram["edges"]), len(histogram["counts"])))
    if "quantiles" in sample and sample["quantiles"] is not None:
        quantiles = sample["quantiles"]
        check_fields(quantiles, {"probs": (list,), "values": (list,)}, where + ".quantiles")
        check_number_list(quantiles["probs"], where + ".quantiles.probs")
        check_number_list(quantiles["values"], where + ".quantiles.values")
    if "subsample" in sample and sample["subsample"] is not None:
        check_number_list(sample["subsample"], where + ".subsample")


def validate_cell(cell, where):
    """One cell: identity fields always; what the report reads of an ok cell's measurements."""
    check_fields(cell, CELL_FIELDS, where)
    if cell["status"] not in CELL_STATUSES:
        raise SchemaError("%s: unknown status %r" % (where, cell["status"]))
    if cell["api_family"] not in API_FAMILIES:
        raise SchemaError("%s: unknown api_family %r" % (where, cell["api_family"]))
    if cell["weight_role"] not in WEIGHT_ROLES:
        raise SchemaError("%s: unknown weight_role %r" % (where, cell["weight_role"]))
    if cell["status"] == CELL_OK:
        for name in ("shape", "fan_in", "fan_out", "initializer", "sample", "seeded"):
            if name not in cell:
                raise SchemaError("%s: ok cell lacks field %r" % (where, name))
        for name in ("shape", "initializer", "sample", "seeded"):
            if cell[name] is None:
                raise SchemaError("%s: ok cell has null %r" % (where, name))
    check_optional_fields(cell, CELL_OPTIONAL_FIELDS, where)
    if cell.get("shape") is not None:
        check_number_list(cell["shape"], where + ".shape", integers=True)
    if cell.get("initializer") is not None:
        initializer = cell["initializer"]
        check_fields(initializer, INITIALIZER_FIELDS if cell["status"] == CELL_OK else {},
                     where + ".initializer")
        check_optional_fields(initializer, dict(INITIALIZER_FIELDS, **INITIALIZER_OPTIONAL_FIELDS),
                              where + ".initializer")
    if cell.get("sample") is not None:
        validate_sample(cell["sample"], where + ".sample")
    if cell.get("seeded") is not None:
        check_fields(cell["seeded"], SEEDED_FIELDS, where + ".seeded")


def validate_throughput_block(block):
    """The shape of the throughput summary the report reads (status, reason, gpu, ceilings)."""
    check_optional_fields(block, {"status": OPTIONAL_TEXT, "reason": OPTIONAL_TEXT,
                                  "ceilings": (dict, type(None))}, "throughput")
    for device, found in (block.get("ceilings") or {}).items():
        if isinstance(found, str):
            continue
        where = "throughput.ceilings.%s" % device
        check_fields(found, {}, where)
        for name, ceiling in found.items():
            if not isinstance(ceiling, str):
                check_optional_fields(ceiling, dict((key, OPTIONAL_NUMBER) for key in (
                    "bytes_per_s", "elements_per_s", "bytes", "elements", "n")),
                    "%s.%s" % (where, name))


def validate_environment_blocks(document):
    """The optional top-level blocks the report shows (installed packages, devices, install)."""
    check_optional_fields(document, RESULT_OPTIONAL_FIELDS, "result")
    if document.get("installed") is not None:
        check_optional_fields(document["installed"], {"packages": (dict, type(None))}, "installed")
    if document.get("devices") is not None:
        gpu = document["devices"].get("gpu")
        if isinstance(gpu, list):
            for index, name in enumerate(gpu):
                if not isinstance(name, str):
                    raise SchemaError("devices.gpu[%d]: expected text, got %s"
                                      % (index, type(name).__name__))
        elif not isinstance(gpu, OPTIONAL_TEXT):
            raise SchemaError("devices.gpu: expected text, a list or null, got %s"
                              % type(gpu).__name__)
    if document.get("throughput") is not None:
        validate_throughput_block(document["throughput"])
    if document.get("install") is not None:
        install = document["install"]
        check_optional_fields(install, {"exclude_newer": OPTIONAL_TEXT,
                                        "pins": (list, type(None))}, "install")
        for index, pin in enumerate(install.get("pins") or []):
            check_fields(pin, {"spec": (str,), "reason": (str,)}, "install.pins[%d]" % index)


def validate_result(document):
    """Raise SchemaError if `document` is not a valid result of SCHEMA_VERSION.

    Checks every field the report reads, with its type, so that a damaged or hand-edited file is
    rejected here with a message saying where, instead of failing later inside the report.
    """
    check_fields(document, RESULT_FIELDS, "result")
    if document["schema_version"] != SCHEMA_VERSION:
        raise SchemaError("result: schema_version %r, expected %d"
                          % (document["schema_version"], SCHEMA_VERSION))
    if document["status"] not in ENV_STATUSES:
        raise SchemaError("result: unknown status %r" % (document["status"],))
    check_fields(document["env"], ENV_FIELDS, "env")
    validate_environment_blocks(document)
    for index, cell in enumerate(document["cells"]):
        validate_cell(cell, "cells[%d]" % index)


def environment_record(name, tensorflow, python, tags=(), resolution=None):
    """The `env` block: what the matrix asked for (what was installed goes under `installed`)."""
    return {"name": name, "tensorflow": tensorflow, "python": python, "tags": list(tags),
            "resolution": resolution}


def outcome_result(env, status, reason, log_tail=None):
    """A result for an environment that produced no cells: install failed, skipped, crashed."""
    return {"schema_version": SCHEMA_VERSION, "env": env, "status": status, "reason": reason,
            "log_tail": log_tail, "cells": []}
