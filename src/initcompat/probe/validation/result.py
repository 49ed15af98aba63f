"""The probe's NAME.json: the environment, every cell (TF/Keras) or framework cell, the devices
and the availability attempts.
Python 3.6-clean."""

from initcompat.probe import schema
from initcompat.probe.file_checks import (ANY_JSON, LARGEST_EXACT_INTEGER, OPTIONAL_DICT,
                                          OPTIONAL_LIST, OPTIONAL_NUMBER, OPTIONAL_TEXT,
                                          SchemaError, check_count, check_fields, check_header,
                                          check_number_list, check_optional_fields,
                                          validate_sample, validate_shape_and_fans)


RESULT_FIELDS = {"status": (str,), "reason": OPTIONAL_TEXT, "cells": (list,)}
ENV_FIELDS = {"name": (str,), "tensorflow": (str,), "python": (str,)}
CELL_FIELDS = {"api_family": (str,), "legacy_keras": (bool,), "layer": (str,),
               "layer_kind": (str,), "weight_role": (str,), "status": (str,),
               "reason": OPTIONAL_TEXT}
INITIALIZER_FIELDS = {"class_name": OPTIONAL_TEXT, "module": OPTIONAL_TEXT, "config": ANY_JSON}
INITIALIZER_OPTIONAL_FIELDS = {"held_by_layer": OPTIONAL_TEXT, "resolved_by": OPTIONAL_TEXT}
SEEDED_FIELDS = {"sha256": OPTIONAL_TEXT}  # null when seeding failed (then "error" says why)
SEEDED_OPTIONAL_FIELDS = {"repeats_in_process": (bool, type(None)), "error": OPTIONAL_TEXT,
                          "seed_call": OPTIONAL_TEXT}
CELL_OPTIONAL_FIELDS = {"error_type": OPTIONAL_TEXT, "alias_of": OPTIONAL_TEXT, "shape": OPTIONAL_LIST,
                        "fan_in": OPTIONAL_NUMBER, "fan_out": OPTIONAL_NUMBER,
                        "initializer": OPTIONAL_DICT, "sample": OPTIONAL_DICT,
                        "seeded": OPTIONAL_DICT, "layer_config": OPTIONAL_DICT}
RESULT_OPTIONAL_FIELDS = {"log_tail": OPTIONAL_TEXT, "installed": OPTIONAL_DICT,
                          "devices": OPTIONAL_DICT, "platform": OPTIONAL_DICT,
                          "availability": OPTIONAL_LIST, "framework_cells": OPTIONAL_LIST,
                          "framework_versions": OPTIONAL_DICT}
ENV_OPTIONAL_FIELDS = {"framework": OPTIONAL_TEXT, "framework_version": OPTIONAL_TEXT}
# One cell of a framework session (initcompat.probe.frameworks): its layer and weight as the
# framework names them, and what an ok cell's report reads (shape, fans, sample).
FRAMEWORK_CELL_FIELDS = {"framework": (str,), "api": (str,), "layer": (str,),
                         "layer_kind": (str,), "weight_role": (str,), "status": (str,),
                         "reason": OPTIONAL_TEXT}
FRAMEWORK_CELL_OPTIONAL_FIELDS = {"weight_name": OPTIONAL_TEXT, "shape": OPTIONAL_LIST,
                                  "layout": OPTIONAL_TEXT, "fan_in": OPTIONAL_NUMBER,
                                  "fan_out": OPTIONAL_NUMBER, "fan_rule": OPTIONAL_TEXT,
                                  "initializer": OPTIONAL_DICT, "layer_config": OPTIONAL_DICT,
                                  "sample": OPTIONAL_DICT, "seeded": OPTIONAL_DICT,
                                  "error_type": OPTIONAL_TEXT}
# One entry of a result's `availability` (initcompat.probe.availability).
AVAILABILITY_FIELDS = {"api_family": (str,), "target": (str,), "status": (str,)}
AVAILABILITY_OPTIONAL_FIELDS = {"case": OPTIONAL_TEXT, "legacy_keras": (bool,),
                                "attempt": (int, type(None)), "error_type": OPTIONAL_TEXT,
                                "reason": OPTIONAL_TEXT, "logged": OPTIONAL_LIST}
DEVICES_OPTIONAL_FIELDS = {"devices": OPTIONAL_LIST, "drawn_on": OPTIONAL_TEXT, "how": OPTIONAL_TEXT,
                           "visible_devices": OPTIONAL_TEXT, "jax_platforms": OPTIONAL_TEXT}
DEVICE_OPTIONAL_FIELDS = {"name": OPTIONAL_TEXT, "device_type": OPTIONAL_TEXT,
                          "memory_bytes": OPTIONAL_NUMBER, "driver": OPTIONAL_TEXT,
                          "runtime": OPTIONAL_DICT}


def validate_cell(cell, where):
    """One cell: identity fields always; what the report reads of an ok cell's measurements."""
    check_fields(cell, CELL_FIELDS, where)
    if cell["status"] not in schema.CELL_STATUSES:
        raise SchemaError("%s: unknown status %r" % (where, cell["status"]))
    if cell["api_family"] not in schema.API_FAMILIES:
        raise SchemaError("%s: unknown api_family %r" % (where, cell["api_family"]))
    if cell["weight_role"] not in schema.WEIGHT_ROLES:
        raise SchemaError("%s: unknown weight_role %r" % (where, cell["weight_role"]))
    if cell["status"] == schema.CELL_OK:
        for name in ("shape", "fan_in", "fan_out", "initializer", "sample", "seeded"):
            if name not in cell:
                raise SchemaError("%s: ok cell lacks field %r" % (where, name))
        for name in ("shape", "initializer", "sample", "seeded"):
            if cell[name] is None:
                raise SchemaError("%s: ok cell has null %r" % (where, name))
    check_optional_fields(cell, CELL_OPTIONAL_FIELDS, where)
    largest = LARGEST_EXACT_INTEGER
    if cell.get("shape") is not None:
        check_number_list(cell["shape"], where + ".shape", integers=True)
        size = 1
        for dimension in cell["shape"]:
            check_count(dimension, where + ".shape")
            size *= dimension
        largest = max(min(size, LARGEST_EXACT_INTEGER), 1)
    for name in ("fan_in", "fan_out"):  # a fan never exceeds the number of entries
        check_count(cell.get(name), "%s.%s" % (where, name), largest)
    if cell.get("initializer") is not None:
        initializer = cell["initializer"]
        check_fields(initializer, INITIALIZER_FIELDS if cell["status"] == schema.CELL_OK else {},
                     where + ".initializer")
        check_optional_fields(initializer, dict(INITIALIZER_FIELDS, **INITIALIZER_OPTIONAL_FIELDS),
                              where + ".initializer")
    if cell.get("sample") is not None:
        validate_sample(cell["sample"], where + ".sample")
    if cell.get("seeded") is not None:
        check_fields(cell["seeded"], SEEDED_FIELDS, where + ".seeded")
        check_optional_fields(cell["seeded"], SEEDED_OPTIONAL_FIELDS, where + ".seeded")


def validate_framework_cell(cell, where):
    """One framework cell: identity always; an ok cell's shape, fans and sample."""
    check_fields(cell, FRAMEWORK_CELL_FIELDS, where)
    check_optional_fields(cell, FRAMEWORK_CELL_OPTIONAL_FIELDS, where)
    if cell["status"] not in schema.PORT_STATUSES:
        raise SchemaError("%s: unknown status %r" % (where, cell["status"]))
    if cell["status"] == schema.PORT_OK:
        for name in ("shape", "sample"):
            if cell.get(name) is None:
                raise SchemaError("%s: ok cell lacks %r" % (where, name))
    validate_shape_and_fans(cell, where)
    if cell.get("sample") is not None:
        validate_sample(cell["sample"], where + ".sample")


def validate_devices(devices):
    """The devices block: `gpu` is "none found", a failure text, or a list of device names;
    each listed device an object of known field types (device_info adds memory, driver)."""
    check_optional_fields(devices, DEVICES_OPTIONAL_FIELDS, "devices")
    for index, device in enumerate(devices.get("devices") or []):
        check_fields(device, {}, "devices.devices[%d]" % index)
        check_optional_fields(device, DEVICE_OPTIONAL_FIELDS, "devices.devices[%d]" % index)
    gpu = devices.get("gpu")
    if isinstance(gpu, list):
        for index, name in enumerate(gpu):
            if not isinstance(name, str):
                raise SchemaError("devices.gpu[%d]: expected text, got %s"
                                  % (index, type(name).__name__))
    elif not isinstance(gpu, OPTIONAL_TEXT):
        raise SchemaError("devices.gpu: expected text, a list or null, got %s" % type(gpu).__name__)


def validate_result(document):
    """The probe's NAME.json of SCHEMA_VERSION."""
    check_header(document, schema.KIND_RESULT)
    check_fields(document, RESULT_FIELDS, "result")
    if document["status"] not in schema.ENV_STATUSES:
        raise SchemaError("result: unknown status %r" % (document["status"],))
    check_fields(document["env"], ENV_FIELDS, "env")
    check_optional_fields(document["env"], ENV_OPTIONAL_FIELDS, "env")
    if document["env"].get("framework") is not None and \
            document["env"]["framework"] not in schema.FRAMEWORKS:
        raise SchemaError("env: unknown framework %r" % (document["env"]["framework"],))
    check_optional_fields(document, RESULT_OPTIONAL_FIELDS, "result")
    for index, cell in enumerate(document.get("framework_cells") or []):
        validate_framework_cell(cell, "framework_cells[%d]" % index)
    if document.get("installed") is not None:
        check_optional_fields(document["installed"], {"packages": OPTIONAL_DICT}, "installed")
    if document.get("devices") is not None:
        validate_devices(document["devices"])
    for index, cell in enumerate(document["cells"]):
        validate_cell(cell, "cells[%d]" % index)
    for index, entry in enumerate(document.get("availability") or []):
        where = "availability[%d]" % index
        check_fields(entry, AVAILABILITY_FIELDS, where)
        check_optional_fields(entry, AVAILABILITY_OPTIONAL_FIELDS, where)
        if entry["status"] not in schema.CELL_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, entry["status"]))
