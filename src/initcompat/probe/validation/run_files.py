"""The runner's own files: NAME.install.json (how the environment was built) and
NAME.outcome.json (the status of every step).
Python 3.6-clean."""

from initcompat.probe import schema
from initcompat.probe.file_checks import (OPTIONAL_LIST, OPTIONAL_NUMBER, OPTIONAL_TEXT,
                                          SchemaError, check_fields, check_header,
                                          check_optional_fields)
from initcompat.probe.validation.result import ENV_FIELDS


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
