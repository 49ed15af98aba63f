"""The throughput step's NAME.throughput.json: every benchmark's timings and the ceilings.
Python 3.6-clean."""

from initcompat.probe import schema
from initcompat.probe.file_checks import (NUMBER, OPTIONAL_DICT, OPTIONAL_LIST, OPTIONAL_NUMBER,
                                          OPTIONAL_TEXT, SchemaError, check_count, check_fields,
                                          check_header, check_optional_fields)


THROUGHPUT_OPTIONAL_FIELDS = {"status": OPTIONAL_TEXT, "reason": OPTIONAL_TEXT,
                              "ceilings": OPTIONAL_DICT, "benchmarks": OPTIONAL_DICT,
                              "design": OPTIONAL_DICT, "pyperf_file": OPTIONAL_TEXT,
                              "devices": OPTIONAL_LIST, "aliases": OPTIONAL_DICT,
                              "skipped": OPTIONAL_DICT, "errors": OPTIONAL_LIST,
                              "seconds": OPTIONAL_NUMBER, "gpu": (str, list, type(None)),
                              "framework": OPTIONAL_TEXT, "tensorflow": OPTIONAL_TEXT,
                              "versions": OPTIONAL_DICT, "device_names": OPTIONAL_DICT}
BENCHMARK_OPTIONAL_FIELDS = dict(
    [(name, OPTIONAL_NUMBER) for name in schema.BENCHMARK_TIME_FIELDS + schema.BENCHMARK_RATE_FIELDS
     + ("n", "params", "bytes", "stdev_s")]
    + [(name, OPTIONAL_TEXT) for name in ("family", "layer", "size", "mode", "device")])
CEILING_OPTIONAL_FIELDS = dict((name, OPTIONAL_NUMBER) for name in schema.CEILING_RATE_FIELDS + (
    "bytes", "elements", "n", "median_s"))
CEILING_OPTIONAL_FIELDS["what"] = OPTIONAL_TEXT  # a device ceiling says which call it timed


def validate_throughput_summary(block, where="throughput"):
    """A throughput summary: its status, every benchmark's timing fields and every ceiling."""
    check_optional_fields(block, THROUGHPUT_OPTIONAL_FIELDS, where)
    for name, entry in (block.get("benchmarks") or {}).items():
        at = "%s.benchmarks[%r]" % (where, name)
        check_optional_fields(entry, BENCHMARK_OPTIONAL_FIELDS, at)
        if not isinstance(entry.get("median_s"), NUMBER) or entry["median_s"] <= 0:
            raise SchemaError("%s: median_s must be a positive number" % at)
        for field in ("n", "params", "bytes"):
            check_count(entry.get(field), "%s.%s" % (at, field))
    for device, found in (block.get("ceilings") or {}).items():
        if isinstance(found, str):  # "not measured: ..."
            continue
        at = "%s.ceilings.%s" % (where, device)
        check_fields(found, {}, at)
        for name, ceiling in found.items():
            if not isinstance(ceiling, str):  # a string says why it is unavailable
                check_optional_fields(ceiling, CEILING_OPTIONAL_FIELDS, "%s.%s" % (at, name))


def validate_throughput(document):
    """The throughput step's NAME.throughput.json."""
    check_header(document, schema.KIND_THROUGHPUT)
    validate_throughput_summary(document)
