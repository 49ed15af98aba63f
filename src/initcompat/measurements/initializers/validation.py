"""The initializers step's NAME.initializers.json (and a fix run's initializer record): the
namespaces, one record per namespace x initializer with its draws, the tail audit.
Python 3.6-clean."""

import math

from initcompat.probe import schema
from initcompat.probe.file_checks import (ANY_JSON, LARGEST_EXACT_INTEGER, OPTIONAL_DICT,
                                          OPTIONAL_NUMBER, OPTIONAL_TEXT, SchemaError, check_count,
                                          check_fields, check_number_list, check_optional_fields,
                                          validate_measurement, validate_sample)


AUDIT_FIELDS = {"namespace": (str,), "initializer": (str,), "how": (str,)}
AUDIT_OPTIONAL_FIELDS = {"args": OPTIONAL_DICT, "class_name": OPTIONAL_TEXT,
                         "module": OPTIONAL_TEXT, "support": OPTIONAL_TEXT, "low": OPTIONAL_NUMBER,
                         "high": OPTIONAL_NUMBER, "n": OPTIONAL_NUMBER,
                         "outside_support": OPTIONAL_NUMBER, "below": OPTIONAL_NUMBER,
                         "above": OPTIONAL_NUMBER, "at_open_end": OPTIONAL_NUMBER,
                         "min": OPTIONAL_NUMBER, "max": OPTIONAL_NUMBER, "error": OPTIONAL_TEXT,
                         # the Anderson-Darling test of the draw's first ad_n values (absent in
                         # files from before it: the report says "not measured")
                         "ad_n": OPTIONAL_NUMBER, "ad_statistic": OPTIONAL_NUMBER}
INITIALIZER_RECORD_FIELDS = {"namespace": (str,), "initializer": (str,), "how": (str,),
                             "status": (str,), "draws": (list,)}
INITIALIZER_RECORD_OPTIONAL_FIELDS = {"reason": OPTIONAL_TEXT, "error_type": OPTIONAL_TEXT,
                                      "args": OPTIONAL_DICT, "class_name": OPTIONAL_TEXT,
                                      "module": OPTIONAL_TEXT, "config": ANY_JSON,
                                      "repr": OPTIONAL_TEXT, "alias_of": OPTIONAL_TEXT,
                                      "warning": OPTIONAL_TEXT}
INITIALIZER_DRAW_FIELDS = {"shape_name": (str,), "shape": (list,), "status": (str,)}
INITIALIZER_DRAW_OPTIONAL_FIELDS = {"fan_in": OPTIONAL_NUMBER, "fan_out": OPTIONAL_NUMBER,
                                    "fan_source": OPTIONAL_TEXT, "sample": OPTIONAL_DICT,
                                    "reason": OPTIONAL_TEXT, "error_type": OPTIONAL_TEXT,
                                    "dtype": OPTIONAL_TEXT}


def _check_audit_anderson_darling(entry, where):
    """ad_n: 0 < ad_n <= n (the test's values are the draw's first ad_n); ad_statistic: A^2 is
    a finite number >= 0. Either may be absent or null (older files; a draw with NaN)."""
    ad_n, statistic = entry.get("ad_n"), entry.get("ad_statistic")
    if ad_n is not None and not (0 < ad_n <= (entry.get("n") if entry.get("n") is not None
                                              else LARGEST_EXACT_INTEGER)):
        raise SchemaError("%s: ad_n %r is outside (0, n = %r]" % (where, ad_n, entry.get("n")))
    if statistic is not None and not (math.isfinite(statistic) and statistic >= 0):
        raise SchemaError("%s: ad_statistic %r is not a finite number >= 0" % (where, statistic))
    if statistic is not None and ad_n is None:
        raise SchemaError("%s: ad_statistic without its ad_n" % where)


NAMESPACE_FIELDS = {"namespace": (str,), "status": (str,)}
NAMESPACE_OPTIONAL_FIELDS = {"reason": OPTIONAL_TEXT, "module": OPTIONAL_TEXT,
                             "alias_of": OPTIONAL_TEXT}


def validate_initializers(document):
    """The initializers step's NAME.initializers.json: the namespaces it looked for, one record
    per namespace x initializer (x arguments), each with a draw per suite shape."""
    validate_measurement(document, schema.KIND_INITIALIZERS)
    for index, entry in enumerate(document.get("namespaces") or []):
        where = "namespaces[%d]" % index
        check_fields(entry, NAMESPACE_FIELDS, where)
        check_optional_fields(entry, NAMESPACE_OPTIONAL_FIELDS, where)
        if entry["status"] not in schema.INIT_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, entry["status"]))
    for index, entry in enumerate(document.get("audit") or []):
        where = "audit[%d]" % index
        check_fields(entry, AUDIT_FIELDS, where)
        check_optional_fields(entry, AUDIT_OPTIONAL_FIELDS, where)
        for name in ("n", "outside_support", "below", "above", "at_open_end"):
            check_count(entry.get(name), "%s.%s" % (where, name))
        if entry.get("n") is not None and entry.get("outside_support") is not None and \
                entry["outside_support"] > entry["n"]:
            raise SchemaError("%s: %r outside of %r drawn" % (where, entry["outside_support"],
                                                             entry["n"]))
        _check_audit_anderson_darling(entry, where)
    design = document.get("design")
    if design is not None:
        shapes = design.get("shapes")
        if shapes is not None:
            check_fields(shapes, {}, "design.shapes")
            for name, shape in shapes.items():
                check_number_list(shape, "design.shapes.%s" % name, integers=True)
    for index, record in enumerate(document["records"]):
        validate_initializer_record(record, "records[%d]" % index)


def validate_initializer_record(record, where):
    """One initializer record (the initializers step's, or a fix run's) and its draws."""
    check_fields(record, INITIALIZER_RECORD_FIELDS, where)
    check_optional_fields(record, INITIALIZER_RECORD_OPTIONAL_FIELDS, where)
    if record["status"] not in schema.INIT_STATUSES:
        raise SchemaError("%s: unknown status %r" % (where, record["status"]))
    for draw_index, draw in enumerate(record["draws"]):
        at = "%s.draws[%d]" % (where, draw_index)
        check_fields(draw, INITIALIZER_DRAW_FIELDS, at)
        check_optional_fields(draw, INITIALIZER_DRAW_OPTIONAL_FIELDS, at)
        if draw["status"] not in schema.INIT_STATUSES:
            raise SchemaError("%s: unknown status %r" % (at, draw["status"]))
        check_number_list(draw["shape"], at + ".shape", integers=True)
        size = 1
        for dimension in draw["shape"]:
            check_count(dimension, at + ".shape")
            size *= dimension
        for name in ("fan_in", "fan_out"):
            check_count(draw.get(name), "%s.%s" % (at, name),
                        max(min(size, LARGEST_EXACT_INTEGER), 1))
        if draw["status"] == schema.INIT_OK:
            if draw.get("sample") is None:
                raise SchemaError("%s: ok draw lacks its sample" % at)
            validate_sample(draw["sample"], at + ".sample")
