"""The checks every file kind's validation (initcompat.probe.validation, and each measurement
folder's validation.py) is made of: the error, the allowed types, fields present and typed,
number lists, counts in range, the header, the suite identity, a sample summary, a shape and its
fans, and the common body of a measurement step's file. Python 3.6-clean."""

from initcompat.probe import schema


class SchemaError(ValueError):
    """A document does not follow its schema; the message says where."""


NUMBER = (int, float)
OPTIONAL_NUMBER = (int, float, type(None))
OPTIONAL_TEXT = (str, type(None))
OPTIONAL_DICT = (dict, type(None))
OPTIONAL_LIST = (list, type(None))
ANY_JSON = (dict, list, str, int, float, bool, type(None))
# Integers the report turns into exact columns (fans, counts) must fit a float's 53-bit mantissa.
LARGEST_EXACT_INTEGER = 2 ** 53
HEADER_FIELDS = {"schema_version": (int,), "kind": (str,), "env": (dict,)}
# se_mean and se_std are written by every probe and read unconditionally by the change tests.
SAMPLE_FIELDS = {"n": (int,), "mean": NUMBER, "std": NUMBER, "min": NUMBER, "max": NUMBER,
                 "se_mean": NUMBER, "se_std": NUMBER}
SAMPLE_OPTIONAL_NUMBERS = ("skewness", "excess_kurtosis", "se_skewness", "se_excess_kurtosis",
                           "builds", "first_build_max_abs_gram_offdiag")


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


def check_optional_fields(document, fields, where):
    """Like check_fields, for fields that may be absent."""
    present = dict((name, types) for name, types in fields.items() if name in document)
    check_fields(document, present, where)


def check_number_list(value, where, integers=False):
    """Raise SchemaError unless `value` is a list of numbers (ints only when `integers`)."""
    if not isinstance(value, list):
        raise SchemaError("%s: expected a list, got %s" % (where, type(value).__name__))
    allowed = (int,) if integers else NUMBER
    if set(map(type, value)) <= set(allowed):  # the common case, without a Python-level loop
        return
    for index, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, allowed):
            raise SchemaError("%s[%d]: expected %s, got %s" % (
                where, index, "an integer" if integers else "a number", type(item).__name__))


def check_count(value, where, largest=LARGEST_EXACT_INTEGER):
    """A size or count: a non-negative number below `largest` (None passes: 'not recorded')."""
    if value is not None and not 0 <= value <= largest:
        raise SchemaError("%s: %r is outside [0, %d]" % (where, value, largest))


def check_header(document, kind):
    """schema_version, kind and the env block's name, common to every file kind."""
    check_fields(document, HEADER_FIELDS, kind)
    if document["schema_version"] != schema.SCHEMA_VERSION:
        raise SchemaError("%s: schema_version %r, expected %d"
                          % (kind, document["schema_version"], schema.SCHEMA_VERSION))
    if document["kind"] != kind:
        raise SchemaError("%s: kind %r, expected %r" % (kind, document["kind"], kind))
    check_fields(document["env"], {"name": (str,)}, "env")
    if not document["env"]["name"]:
        raise SchemaError("env: empty name")
    if "suite" in document["env"]:
        validate_suite_identity(document["env"]["suite"])


SUITE_IDENTITY_FIELDS = {"file": (str,), "sha256": (str,)}
_HEX = frozenset("0123456789abcdef")


def validate_suite_identity(identity, where="env.suite"):
    """The suite a file measured (schema.suite_identity): its file name and a sha256 in hex."""
    check_fields(identity, SUITE_IDENTITY_FIELDS, where)
    digest = identity["sha256"]
    if len(digest) != 64 or not set(digest) <= _HEX:
        raise SchemaError("%s: sha256 %r is not 64 lowercase hex digits" % (where, digest[:80]))


def validate_sample(sample, where):
    """The sample summary of an ok cell: moments, optional statistics, histogram, subsample."""
    check_fields(sample, SAMPLE_FIELDS, where)
    check_optional_fields(sample, dict((name, OPTIONAL_NUMBER) for name in SAMPLE_OPTIONAL_NUMBERS),
                          where)
    if sample["n"] < 1:
        raise SchemaError("%s: n is %d, expected at least 1" % (where, sample["n"]))
    check_count(sample["n"], where + ".n")
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
    if sample.get("subsample") is not None:
        check_number_list(sample["subsample"], where + ".subsample")


def validate_shape_and_fans(record, where):
    """A shape of counts, and fans that never exceed its number of entries."""
    largest = LARGEST_EXACT_INTEGER
    if record.get("shape") is not None:
        check_number_list(record["shape"], where + ".shape", integers=True)
        size = 1
        for dimension in record["shape"]:
            check_count(dimension, where + ".shape")
            size *= dimension
        largest = max(min(size, LARGEST_EXACT_INTEGER), 1)
    for name in ("fan_in", "fan_out"):
        check_count(record.get(name), "%s.%s" % (where, name), largest)


MEASUREMENT_FIELDS = {"status": (str,), "reason": OPTIONAL_TEXT, "records": (list,)}
MEASUREMENT_OPTIONAL_FIELDS = {"log_tail": OPTIONAL_TEXT, "versions": OPTIONAL_DICT,
                               "timings": OPTIONAL_DICT, "namespaces": OPTIONAL_LIST,
                               "design": OPTIONAL_DICT, "audit": OPTIONAL_LIST,
                               "training": OPTIONAL_LIST, "apis": OPTIONAL_LIST}


def validate_measurement(document, kind):
    """The common body of a measurement step's file: status, reason and a list of records."""
    check_header(document, kind)
    check_fields(document, MEASUREMENT_FIELDS, kind)
    if document["status"] not in schema.ENV_STATUSES:
        raise SchemaError("%s: unknown status %r" % (kind, document["status"]))
    check_optional_fields(document, MEASUREMENT_OPTIONAL_FIELDS, kind)
