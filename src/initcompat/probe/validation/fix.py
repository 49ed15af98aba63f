"""A fix run's NAME.fix-KEY.json (initcompat.probe.fix_runs).
Python 3.6-clean."""

from initcompat.probe import schema
from initcompat.probe.file_checks import (NUMBER, OPTIONAL_DICT, OPTIONAL_LIST, OPTIONAL_TEXT,
                                          SchemaError, check_count, check_fields, check_header,
                                          check_optional_fields)
from initcompat.measurements.initializers.validation import validate_initializer_record
from initcompat.probe.validation.result import validate_cell


FIX_FIELDS = {"run": (dict,), "status": (str,), "reason": OPTIONAL_TEXT, "seconds": NUMBER,
              "legacy_keras": (bool,)}
FIX_OPTIONAL_FIELDS = {"cells": OPTIONAL_LIST, "record": OPTIONAL_DICT, "versions": OPTIONAL_DICT,
                       "error_type": OPTIONAL_TEXT, "log_tail": OPTIONAL_TEXT}


def validate_fix(document):
    """A fix run's NAME.fix-KEY.json (initcompat.probe.fix_runs): the run it was given, its
    status, and the probe's cells (a layer run) or an initializer record (an initializer run)."""
    check_header(document, schema.KIND_FIX)
    check_fields(document, FIX_FIELDS, schema.KIND_FIX)
    check_optional_fields(document, FIX_OPTIONAL_FIELDS, schema.KIND_FIX)
    check_fields(document["run"], {"key": (str,), "kind": (str,)}, "run")
    if document["run"]["kind"] not in schema.FIX_RUN_KINDS:
        raise SchemaError("run: unknown kind %r" % document["run"]["kind"])
    if document["status"] not in schema.CELL_STATUSES:
        raise SchemaError("%s: unknown status %r" % (schema.KIND_FIX, document["status"]))
    check_count(document["seconds"], "seconds")
    for index, cell in enumerate(document.get("cells") or []):
        validate_cell(cell, "cells[%d]" % index)
    if document.get("record") is not None:
        validate_initializer_record(document["record"], "record")
