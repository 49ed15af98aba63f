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


def validate_result(document):
    """Raise SchemaError if `document` is not a valid result of SCHEMA_VERSION."""
    check_fields(document, RESULT_FIELDS, "result")
    if document["schema_version"] != SCHEMA_VERSION:
        raise SchemaError("result: schema_version %r, expected %d"
                          % (document["schema_version"], SCHEMA_VERSION))
    if document["status"] not in ENV_STATUSES:
        raise SchemaError("result: unknown status %r" % (document["status"],))
    check_fields(document["env"], ENV_FIELDS, "env")
    for index, cell in enumerate(document["cells"]):
        where = "cells[%d]" % index
        check_fields(cell, CELL_FIELDS, where)
        if cell["status"] not in CELL_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, cell["status"]))
        if cell["api_family"] not in API_FAMILIES:
            raise SchemaError("%s: unknown api_family %r" % (where, cell["api_family"]))
        if cell["weight_role"] not in WEIGHT_ROLES:
            raise SchemaError("%s: unknown weight_role %r" % (where, cell["weight_role"]))


def environment_record(name, tensorflow, python, tags=(), resolution=None):
    """The `env` block: what the matrix asked for (what was installed goes under `installed`)."""
    return {"name": name, "tensorflow": tensorflow, "python": python, "tags": list(tags),
            "resolution": resolution}


def outcome_result(env, status, reason, log_tail=None):
    """A result for an environment that produced no cells: install failed, skipped, crashed."""
    return {"schema_version": SCHEMA_VERSION, "env": env, "status": status, "reason": reason,
            "log_tail": log_tail, "cells": []}
