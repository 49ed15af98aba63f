"""A suite (suites/default.json, or a user's own) checked on the host before anything runs.

`check_file(path)` reads and checks a suite and returns its identity (the file name and the
content hash every result records, initcompat.probe.schema.suite_identity); a bad suite is a
SuiteError whose message is one line naming the file, the JSON path and what is wrong, with the
known values. The noxfile and the runner call it before any environment is built or any result
removed; `python -m initcompat.suite check FILE...` does the same alone. Host side; stdlib and
the probe's framework-free catalogue only (no numpy, no framework).
"""

from __future__ import annotations

import json
from pathlib import Path

from initcompat.probe import schema
from initcompat.suite.check import problems

# The shipped suites folder: a suite's propagation data is looked for beside the suite, then
# here (as initcompat.measurements.propagation.probe.data_file does).
SHIPPED = Path(__file__).resolve().parents[3] / "suites"


class SuiteError(ValueError):
    """A suite is unusable; the message is one line: 'FILE: PATH what is wrong'."""


def read_suite(path: str | Path) -> dict:
    """The parsed suite; SuiteError when it cannot be read or is not JSON."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SuiteError(f"{path}: cannot read: {error.strerror}") from None
    except UnicodeDecodeError as error:
        raise SuiteError(f"{path}: not UTF-8 text ({error.reason} at byte "
                         f"{error.start})") from None
    try:
        return json.loads(text, parse_constant=_no_constant)
    except ValueError as error:
        message = error.msg if isinstance(error, json.JSONDecodeError) else str(error)
        where = (f" (line {error.lineno}, column {error.colno})"
                 if isinstance(error, json.JSONDecodeError) else "")
        raise SuiteError(f"{path}: not valid JSON: {message}{where}") from None
    except RecursionError:
        raise SuiteError(f"{path}: not valid JSON: nested too deeply") from None


def _no_constant(name: str):
    raise ValueError(f"{name} is not a JSON number")


def check_document(document, path: str | Path) -> dict:
    """The identity of a parsed suite read from `path`; SuiteError with its first problem."""
    path = Path(path)
    found = problems(document, [path.resolve().parent, SHIPPED])
    if found:
        more = f" (and {len(found) - 1} more)" if len(found) > 1 else ""
        raise SuiteError(f"{path}: {found[0]}{more}")
    return schema.suite_identity(path, document)


def check_file(path: str | Path) -> dict:
    """Read and check the suite at `path`: its identity ({"file", "sha256"}), or SuiteError."""
    return check_document(read_suite(path), path)


def load_checked(path: str | Path) -> tuple[dict, dict]:
    """(the suite, its identity) once checked; SuiteError when it is unusable."""
    document = read_suite(path)
    return document, check_document(document, path)


# Each measurement step's section of the suite: a suite without it skips the step.
STEP_SECTIONS = {"initializers": "initializers", "seeding": "seeding",
                 "propagation": "propagation"}


def section_missing(suite_document: dict, suite: str | Path, step: str) -> str | None:
    """Why `step` does not run for this suite (its section is left out), or None."""
    section = STEP_SECTIONS.get(step)
    if section is not None and section not in suite_document:
        return f"the suite {Path(suite).name} has no {section!r} section"
    return None


def measured_by(probed: dict) -> dict | None:
    """The suite identity a probe's result measured: its env block's, or for a result from
    before identities, the hash of the suite it kept (the file name unknown); None if neither."""
    env = probed.get("env") if isinstance(probed.get("env"), dict) else {}
    if isinstance(env.get("suite"), dict):
        return env["suite"]
    if isinstance(probed.get("suite"), dict):
        return {"file": "(not recorded)", "sha256": schema.suite_hash(probed["suite"])}
    return None
