"""The porting step's NAME.porting.json: one record per source framework x weight.
Python 3.6-clean."""

from initcompat.probe import schema
from initcompat.probe.file_checks import (OPTIONAL_DICT, OPTIONAL_LIST, OPTIONAL_NUMBER,
                                          OPTIONAL_TEXT, SchemaError, check_fields,
                                          check_optional_fields, validate_measurement,
                                          validate_sample, validate_shape_and_fans)


# One record of the porting step: a source framework's default drawn in this one by a snippet.
PORTING_RECORD_FIELDS = {"layer_kind": (str,), "weight_role": (str,), "from_framework": (str,),
                         "to_framework": (str,), "status": (str,)}
PORTING_RECORD_OPTIONAL_FIELDS = {"snippet": OPTIONAL_TEXT, "reason": OPTIONAL_TEXT,
                                  "notes": OPTIONAL_LIST, "theory": OPTIONAL_DICT,
                                  "shape": OPTIONAL_LIST, "sample": OPTIONAL_DICT,
                                  "seconds": OPTIONAL_NUMBER, "error_type": OPTIONAL_TEXT,
                                  "log_tail": OPTIONAL_TEXT, "shape_set": OPTIONAL_TEXT,
                                  "dims": OPTIONAL_DICT, "to_api": OPTIONAL_TEXT}
# A porting record's shape_set (porting_snippets.SHAPE_SETS): the suite's sizes or the second ones;
# absent in files written before the second sizes (read as the suite's).
PORTING_SHAPE_SETS = ("suite", "second")


def validate_porting(document):
    """The porting step's NAME.porting.json: one record per source framework x weight."""
    validate_measurement(document, schema.KIND_PORTING)
    check_optional_fields(document, {"framework": OPTIONAL_TEXT, "imports": OPTIONAL_TEXT,
                                     "api_imports": OPTIONAL_DICT}, schema.KIND_PORTING)
    for index, record in enumerate(document["records"]):
        where = "records[%d]" % index
        check_fields(record, PORTING_RECORD_FIELDS, where)
        check_optional_fields(record, PORTING_RECORD_OPTIONAL_FIELDS, where)
        if record["status"] not in schema.PORT_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, record["status"]))
        if record["status"] == schema.PORT_OK and record.get("sample") is None:
            raise SchemaError("%s: ok record lacks its sample" % where)
        if record.get("shape_set") not in (None,) + PORTING_SHAPE_SETS:
            raise SchemaError("%s: unknown shape_set %r" % (where, record["shape_set"]))
        validate_shape_and_fans(record, where)
        if record.get("sample") is not None:
            validate_sample(record["sample"], where + ".sample")
        for note_index, note in enumerate(record.get("notes") or []):
            if not isinstance(note, str):
                raise SchemaError("%s.notes[%d]: expected text" % (where, note_index))
