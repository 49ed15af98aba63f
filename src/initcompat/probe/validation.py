"""Validation of every file kind in initcompat.probe.schema.

Checked: the header of every file; the fields the report computes with (statuses, cell
identity, shapes and fans, sample moments, histogram and subsample, seeded hashes, install
pins, step statuses, throughput timings and ceilings, the tail audit's counts and
Anderson-Darling statistic), present and of their types, with sizes and counts in range. Not
checked: fields the report only shows as escaped text or passes on (configs, reprs, package
versions, logs): the fuzz test in tests/unit/test_load.py is what shows that whatever passes
here renders. A rejected file gets a message saying where. Python 3.6-clean.
"""

import math

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
RESULT_FIELDS = {"status": (str,), "reason": OPTIONAL_TEXT, "cells": (list,)}
ENV_FIELDS = {"name": (str,), "tensorflow": (str,), "python": (str,)}
CELL_FIELDS = {"api_family": (str,), "legacy_keras": (bool,), "layer": (str,),
               "layer_kind": (str,), "weight_role": (str,), "status": (str,),
               "reason": OPTIONAL_TEXT}
INITIALIZER_FIELDS = {"class_name": OPTIONAL_TEXT, "module": OPTIONAL_TEXT, "config": ANY_JSON}
INITIALIZER_OPTIONAL_FIELDS = {"held_by_layer": OPTIONAL_TEXT, "resolved_by": OPTIONAL_TEXT}
# se_mean and se_std are written by every probe and read unconditionally by the change tests.
SAMPLE_FIELDS = {"n": (int,), "mean": NUMBER, "std": NUMBER, "min": NUMBER, "max": NUMBER,
                 "se_mean": NUMBER, "se_std": NUMBER}
SAMPLE_OPTIONAL_NUMBERS = ("skewness", "excess_kurtosis", "se_skewness", "se_excess_kurtosis",
                           "builds", "first_build_max_abs_gram_offdiag")
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
# One entry of a result's `availability` (initcompat.probe.availability).
AVAILABILITY_FIELDS = {"api_family": (str,), "target": (str,), "status": (str,)}
AVAILABILITY_OPTIONAL_FIELDS = {"case": OPTIONAL_TEXT, "legacy_keras": (bool,),
                                "attempt": (int, type(None)), "error_type": OPTIONAL_TEXT,
                                "reason": OPTIONAL_TEXT, "logged": OPTIONAL_LIST}
INSTALL_OPTIONAL_FIELDS = {"exclude_newer": OPTIONAL_TEXT, "pins": OPTIONAL_LIST,
                           "resolution": OPTIONAL_TEXT, "installer": OPTIONAL_TEXT,
                           "lock": OPTIONAL_LIST, "requirements": OPTIONAL_LIST}
OUTCOME_FIELDS = {"status": (str,), "reason": OPTIONAL_TEXT, "steps": (dict,)}
STEP_FIELDS = {"status": (str,)}
# inputs, measured_at, reused: the key of what the step measured, when, and whether this run
# kept the files of an earlier one (initcompat.host.reuse)
STEP_OPTIONAL_FIELDS = {"reason": OPTIONAL_TEXT, "seconds": OPTIONAL_NUMBER,
                        "cpu_seconds": OPTIONAL_NUMBER, "log_tail": OPTIONAL_TEXT, "inputs": OPTIONAL_TEXT,
                        "measured_at": OPTIONAL_TEXT, "reused": (bool, type(None))}
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
DEVICES_OPTIONAL_FIELDS = {"devices": OPTIONAL_LIST, "drawn_on": OPTIONAL_TEXT, "how": OPTIONAL_TEXT,
                           "visible_devices": OPTIONAL_TEXT, "jax_platforms": OPTIONAL_TEXT}
DEVICE_OPTIONAL_FIELDS = {"name": OPTIONAL_TEXT, "device_type": OPTIONAL_TEXT,
                          "memory_bytes": OPTIONAL_NUMBER, "driver": OPTIONAL_TEXT,
                          "runtime": OPTIONAL_DICT}


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


def _validate_shape_and_fans(record, where):
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
    _validate_shape_and_fans(cell, where)
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


def validate_install(document):
    """The runner's NAME.install.json."""
    check_header(document, schema.KIND_INSTALL)
    check_optional_fields(document, INSTALL_OPTIONAL_FIELDS, "install")
    for index, pin in enumerate(document.get("pins") or []):
        check_fields(pin, {"spec": (str,), "reason": (str,)}, "install.pins[%d]" % index)


def validate_step(step, where):
    check_fields(step, STEP_FIELDS, where)
    if step["status"] not in schema.STEP_STATUSES:
        raise SchemaError("%s: unknown status %r" % (where, step["status"]))
    check_optional_fields(step, STEP_OPTIONAL_FIELDS, where)


def validate_outcome(document):
    """The runner's NAME.outcome.json."""
    check_header(document, schema.KIND_OUTCOME)
    check_fields(document, OUTCOME_FIELDS, "outcome")
    check_fields(document["env"], ENV_FIELDS, "env")
    if document["status"] not in schema.ENV_STATUSES:
        raise SchemaError("outcome: unknown status %r" % (document["status"],))
    check_optional_fields(document, {"log_tail": OPTIONAL_TEXT}, "outcome")
    for name, step in document["steps"].items():
        validate_step(step, "outcome.steps.%s" % name)


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


MEASUREMENT_FIELDS = {"status": (str,), "reason": OPTIONAL_TEXT, "records": (list,)}
MEASUREMENT_OPTIONAL_FIELDS = {"log_tail": OPTIONAL_TEXT, "versions": OPTIONAL_DICT,
                               "timings": OPTIONAL_DICT, "namespaces": OPTIONAL_LIST,
                               "design": OPTIONAL_DICT, "audit": OPTIONAL_LIST,
                               "training": OPTIONAL_LIST, "apis": OPTIONAL_LIST}
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
SEEDING_RECORD_FIELDS = {"family": (str,), "method": (str,), "target": (str,), "status": (str,)}
SEEDING_RECORD_OPTIONAL_FIELDS = {
    "reason": OPTIONAL_TEXT, "error_type": OPTIONAL_TEXT, "call": OPTIONAL_TEXT,
    "cross_process_identical": (bool, type(None)), "repeat_identical": (bool, type(None)),
    "sha256": OPTIONAL_TEXT, "sha256_repeat": OPTIONAL_TEXT, "sha256_other_process": OPTIONAL_TEXT,
    "first_values": OPTIONAL_LIST, "warning": OPTIONAL_TEXT, "seed": OPTIONAL_NUMBER,
    "shape": OPTIONAL_LIST, "initializer": OPTIONAL_TEXT, "backend": OPTIONAL_TEXT,
    "calls_identical": (bool, type(None)), "keras_version": OPTIONAL_TEXT}


def _validate_measurement(document, kind):
    """The common body of a measurement step's file: status, reason and a list of records."""
    check_header(document, kind)
    check_fields(document, MEASUREMENT_FIELDS, kind)
    if document["status"] not in schema.ENV_STATUSES:
        raise SchemaError("%s: unknown status %r" % (kind, document["status"]))
    check_optional_fields(document, MEASUREMENT_OPTIONAL_FIELDS, kind)


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
    _validate_measurement(document, schema.KIND_INITIALIZERS)
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


def validate_seeding(document):
    """The seeding step's NAME.seeding.json: one record per family x method x target."""
    _validate_measurement(document, schema.KIND_SEEDING)
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


PROPAGATION_RECORD_FIELDS = {"api": (str,), "model": (str,), "initializer": (str,),
                             "dtype": (str,), "status": (str,), "layers": (list,)}
PROPAGATION_RECORD_OPTIONAL_FIELDS = {"reason": OPTIONAL_TEXT, "seconds": OPTIONAL_NUMBER,
                                      "logits": OPTIONAL_DICT, "loss": OPTIONAL_DICT,
                                      "rescaled": OPTIONAL_TEXT}
PROPAGATION_LAYER_FIELDS = {"index": (int,), "type": (str,), "activation": OPTIONAL_TEXT,
                            "output": (dict,), "pre_activation": (dict,)}
PROPAGATION_LAYER_OPTIONAL_FIELDS = {
    "kernel_shape": OPTIONAL_LIST, "output_shape": OPTIONAL_LIST, "fan_in": OPTIONAL_NUMBER,
    "fan_out": OPTIONAL_NUMBER, "fan_source": OPTIONAL_TEXT, "declared": OPTIONAL_DICT,
    "kernel_std": OPTIONAL_NUMBER, "kernel_mean": OPTIONAL_NUMBER, "grad_norm": OPTIONAL_NUMBER}
ACTIVATION_STATISTICS_FIELDS = {"n": (int,), "nonfinite": (int,)}
ACTIVATION_STATISTICS_OPTIONAL_FIELDS = dict(
    (name, OPTIONAL_NUMBER) for name in ("zero_fraction", "mean", "std", "second_moment",
                                         "max_abs", "min", "max", "max_gap"))
TRAINING_RECORD_FIELDS = {"api": (str,), "model": (str,), "initializer": (str,),
                          "loss_kind": (str,), "status": (str,), "loss": (list,),
                          "logit_gap": (list,), "first_nonfinite_step": (int, type(None))}
TRAINING_RECORD_OPTIONAL_FIELDS = {"reason": OPTIONAL_TEXT, "seconds": OPTIONAL_NUMBER,
                                   "optimizer": OPTIONAL_TEXT, "learning_rate": OPTIONAL_NUMBER,
                                   "batch": OPTIONAL_NUMBER, "steps": OPTIONAL_NUMBER}
# A layer of a suite model has at most this many units per axis: a fan beyond it is damage.
LARGEST_FAN = 2 ** 31


def _validate_activation_statistics(statistics, where):
    check_fields(statistics, ACTIVATION_STATISTICS_FIELDS, where)
    check_optional_fields(statistics, ACTIVATION_STATISTICS_OPTIONAL_FIELDS, where)
    check_count(statistics["n"], where + ".n")
    check_count(statistics["nonfinite"], where + ".nonfinite", statistics["n"])
    fraction = statistics.get("zero_fraction")
    if fraction is not None and not 0 <= fraction <= 1:
        raise SchemaError("%s.zero_fraction: %r is outside [0, 1]" % (where, fraction))


def _check_optional_number_list(value, where):
    """A list of numbers where null stands for a value that was not finite."""
    if not isinstance(value, list):
        raise SchemaError("%s: expected a list, got %s" % (where, type(value).__name__))
    check_number_list([v for v in value if v is not None], where)


def validate_propagation(document):
    """The propagation step's NAME.propagation.json: a record per API x model x initializer x
    dtype at initialization (a record per layer inside), and the training runs."""
    _validate_measurement(document, schema.KIND_PROPAGATION)
    for index, record in enumerate(document["records"]):
        where = "records[%d]" % index
        check_fields(record, PROPAGATION_RECORD_FIELDS, where)
        check_optional_fields(record, PROPAGATION_RECORD_OPTIONAL_FIELDS, where)
        if record["status"] not in schema.PROP_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, record["status"]))
        if record.get("logits") is not None:
            _validate_activation_statistics(record["logits"], where + ".logits")
        for position, layer in enumerate(record["layers"]):
            at = "%s.layers[%d]" % (where, position)
            check_fields(layer, PROPAGATION_LAYER_FIELDS, at)
            check_optional_fields(layer, PROPAGATION_LAYER_OPTIONAL_FIELDS, at)
            _validate_activation_statistics(layer["output"], at + ".output")
            _validate_activation_statistics(layer["pre_activation"], at + ".pre_activation")
            for name in ("fan_in", "fan_out"):
                check_count(layer.get(name), "%s.%s" % (at, name), LARGEST_FAN)
            for name in ("kernel_shape", "output_shape"):
                if layer.get(name) is not None:
                    check_number_list(layer[name], "%s.%s" % (at, name), integers=True)
    for index, record in enumerate(document.get("training") or []):
        where = "training[%d]" % index
        check_fields(record, TRAINING_RECORD_FIELDS, where)
        check_optional_fields(record, TRAINING_RECORD_OPTIONAL_FIELDS, where)
        if record["status"] not in schema.PROP_STATUSES:
            raise SchemaError("%s: unknown status %r" % (where, record["status"]))
        _check_optional_number_list(record["loss"], where + ".loss")
        _check_optional_number_list(record["logit_gap"], where + ".logit_gap")
        check_count(record["first_nonfinite_step"], where + ".first_nonfinite_step",
                    len(record["loss"]))


def validate_porting(document):
    """The porting step's NAME.porting.json: one record per source framework x weight."""
    _validate_measurement(document, schema.KIND_PORTING)
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
        _validate_shape_and_fans(record, where)
        if record.get("sample") is not None:
            validate_sample(record["sample"], where + ".sample")
        for note_index, note in enumerate(record.get("notes") or []):
            if not isinstance(note, str):
                raise SchemaError("%s.notes[%d]: expected text" % (where, note_index))


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


VALIDATORS = {
    schema.KIND_FIX: validate_fix,
    schema.KIND_PORTING: validate_porting,
    schema.KIND_RESULT: validate_result,
    schema.KIND_INSTALL: validate_install,
    schema.KIND_OUTCOME: validate_outcome,
    schema.KIND_THROUGHPUT: validate_throughput,
    schema.KIND_INITIALIZERS: validate_initializers,
    schema.KIND_SEEDING: validate_seeding,
    schema.KIND_PROPAGATION: validate_propagation,
}


def validate(document):
    """Validate a document of any kind; SchemaError says where it is wrong."""
    check_fields(document, {"kind": (str,)}, "file")
    validator = VALIDATORS.get(document["kind"])
    if validator is None:
        raise SchemaError("file: unknown kind %r (known: %s)"
                          % (document["kind"], ", ".join(sorted(VALIDATORS))))
    validator(document)
