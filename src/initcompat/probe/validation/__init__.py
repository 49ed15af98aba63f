"""Validation of every file kind in initcompat.probe.schema: one module per file kind, the checks
they are made of in initcompat.probe.file_checks (outside this package, so that a measurement
folder's validation can import them without running this module first), and validate() here,
which picks the kind's validator.

  result.py        the probe's NAME.json (cells, framework cells, devices, availability)
  run_files.py     the runner's NAME.install.json and NAME.outcome.json
  (throughput)     NAME.throughput.json: initcompat.measurements.throughput.validation
  (initializers)   NAME.initializers.json (and a fix run's initializer record):
                   initcompat.measurements.initializers.validation
  (seeding)        NAME.seeding.json: initcompat.measurements.seeding.validation, in the
                   measurement's own folder
  (propagation)    NAME.propagation.json: initcompat.measurements.propagation.validation
  (porting)        NAME.porting.json: initcompat.measurements.porting.validation
  fix.py           NAME.fix-KEY.json

Checked: the header of every file; the fields the report computes with (statuses, cell
identity, shapes and fans, sample moments, histogram and subsample, seeded hashes, install
pins, step statuses, throughput timings and ceilings, the tail audit's counts and
Anderson-Darling statistic), present and of their types, with sizes and counts in range. Not
checked: fields the report only shows as escaped text or passes on (configs, reprs, package
versions, logs): the fuzz test in tests/unit/test_load.py is what shows that whatever passes
here renders. A rejected file gets a message saying where. Python 3.6-clean.

The names other modules import from here (SchemaError, validate, check_fields, check_header,
validate_result, ...) stay importable from initcompat.probe.validation.
"""

from initcompat.probe import schema
from initcompat.probe.file_checks import (  # noqa: F401 (the package's public names)
    SchemaError, check_fields, check_header, check_optional_fields)
from initcompat.probe.validation.fix import validate_fix
from initcompat.measurements.initializers.validation import validate_initializers
from initcompat.measurements.porting.validation import (  # noqa: F401
    PORTING_SHAPE_SETS, validate_porting)
from initcompat.measurements.propagation.validation import validate_propagation
from initcompat.probe.validation.result import validate_result
from initcompat.probe.validation.run_files import validate_install, validate_outcome
from initcompat.measurements.seeding.validation import validate_seeding
from initcompat.measurements.throughput.validation import validate_throughput


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
