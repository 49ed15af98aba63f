"""The seeding step's NAME.seeding.json: one record per family x method x target.
Python 3.6-clean."""

from initcompat.probe import schema
from initcompat.probe.file_checks import (OPTIONAL_LIST, OPTIONAL_NUMBER, OPTIONAL_TEXT,
                                          SchemaError, check_fields, check_number_list,
                                          check_optional_fields, validate_measurement)


SEEDING_RECORD_FIELDS = {"family": (str,), "method": (str,), "target": (str,), "status": (str,)}
SEEDING_RECORD_OPTIONAL_FIELDS = {
    "reason": OPTIONAL_TEXT, "error_type": OPTIONAL_TEXT, "call": OPTIONAL_TEXT,
    "cross_process_identical": (bool, type(None)), "repeat_identical": (bool, type(None)),
    "sha256": OPTIONAL_TEXT, "sha256_repeat": OPTIONAL_TEXT, "sha256_other_process": OPTIONAL_TEXT,
    "first_values": OPTIONAL_LIST, "warning": OPTIONAL_TEXT, "seed": OPTIONAL_NUMBER,
    "shape": OPTIONAL_LIST, "initializer": OPTIONAL_TEXT, "backend": OPTIONAL_TEXT,
    "calls_identical": (bool, type(None)), "keras_version": OPTIONAL_TEXT}


def validate_seeding(document):
    """The seeding step's NAME.seeding.json: one record per family x method x target."""
    validate_measurement(document, schema.KIND_SEEDING)
    for index, record in enumerate(document["records"]):
        where = "records[%d]" % index
        check_fields(record, SEEDING_RECORD_FIELDS, where)
        check_optional_fields(record, SEEDING_RECORD_OPTIONAL_FIELDS, where)
        if record["status"] not in schema.SEED_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, record["status"]))
        if record.get("first_values") is not None:
            check_number_list(record["first_values"], where + ".first_values")
        if record.get("shape") is not None:
            check_number_list(record["shape"], where + ".shape", integers=True)
