"""Loading result files: every bad file becomes one line naming it, never a crash.

Good files are upgraded to the current schema through named migrations and validated; rejected
ones are listed so the report can show them.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path

from initcompat.probe.schema import SCHEMA_VERSION, SchemaError, validate_result


class ReportInputError(Exception):
    """The results input as a whole is unusable (e.g. the folder does not exist)."""


@dataclass(frozen=True)
class Rejected:
    path: str
    problem: str

    def line(self) -> str:
        return f"{self.path}: {self.problem}"


@dataclass(frozen=True)
class Loaded:
    results: tuple[dict, ...]
    rejected: tuple[Rejected, ...]
    paths: tuple[str, ...]


# Deeper than any real result (about 7 levels); a limit keeps every later json.dumps and
# recursive walk of the report far from Python's recursion limit.
MAX_DEPTH = 64
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Only text with such an escape can hold a lone surrogate; other files skip the per-value
# cleaning walk (a 40-file report spent a third of its time in per-value hooks).
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a valid JSON number (NaN and Infinity are not allowed)")


def _check_depth(value, depth: int = 0) -> None:
    """SchemaError when containers nest deeper than MAX_DEPTH (scalars are not visited)."""
    if depth > MAX_DEPTH:
        raise SchemaError(f"nested deeper than {MAX_DEPTH} levels")
    children = value.values() if isinstance(value, dict) else value
    for child in children:
        if isinstance(child, (dict, list)):
            _check_depth(child, depth + 1)


def _clean(value, depth: int = 0):
    """A copy with lone surrogates (undecodable bytes escaped as \\udcXX) replaced by U+FFFD, so
    every string can be written as UTF-8; SchemaError when nested deeper than MAX_DEPTH."""
    if depth > MAX_DEPTH:
        raise SchemaError(f"nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return _LONE_SURROGATE.sub("\ufffd", value)
    if isinstance(value, dict):
        return {_clean(k, depth + 1): _clean(v, depth + 1) for k, v in value.items()}
    if isinstance(value, list):
        return [_clean(v, depth + 1) for v in value]
    return value


def display_path(path: Path | str) -> str:
    """A file name as text that can always be shown: undecodable bytes as \\xNN."""
    return os.fsencode(str(path)).decode("utf-8", "backslashreplace")


def upgrade_0_to_1(document: dict) -> dict:
    """Format 0 (pre-release): `environment` instead of `env`, no per-cell legacy flag.

    Without the flag, a cell ran under legacy Keras exactly when it is the tf_keras package's
    (format 0 had no TF_USE_LEGACY_KERAS child), so tf_keras rows line up with current results.
    """
    upgraded = dict(document)
    upgraded["env"] = upgraded.pop("environment")
    upgraded.setdefault("reason", None)
    upgraded["cells"] = [dict({"legacy_keras": cell["api_family"] == "tf_keras", "reason": None},
                              **cell)
                         for cell in upgraded.get("cells", [])]
    upgraded["schema_version"] = 1
    return upgraded


# schema_version N -> function producing version N + 1.
MIGRATIONS = {0: upgrade_0_to_1}


def upgrade(document: dict) -> dict:
    """Bring an older result up to SCHEMA_VERSION, one named migration at a time."""
    version = document.get("schema_version")
    while isinstance(version, int) and not isinstance(version, bool) and version < SCHEMA_VERSION:
        migration = MIGRATIONS.get(version)
        if migration is None:
            raise SchemaError(f"schema_version {version} is too old and has no migration")
        try:
            document = migration(document)
        except (KeyError, TypeError, AttributeError) as error:
            raise SchemaError(f"cannot upgrade from schema_version {version}: {error!r}") from None
        version = document.get("schema_version")
    return document


def parse_result(text: str) -> dict:
    """A validated current-schema result from JSON text; SchemaError/ValueError say why not."""
    if not text.strip():
        raise SchemaError("empty file")
    text = text.lstrip("\ufeff")
    document = json.loads(text, parse_constant=_reject_constant)
    try:  # a number beyond float range parses as infinity; the C encoder finds it fast
        json.dumps(document, allow_nan=False)
    except ValueError:
        raise SchemaError("a number is too large for a float (not finite)") from None
    if _MAYBE_SURROGATE.search(text):
        document = _clean(document)
    elif isinstance(document, (dict, list)):
        _check_depth(document)
    if not isinstance(document, dict):
        raise SchemaError(f"not a result: top level is {type(document).__name__}, not an object")
    if "schema_version" not in document:
        raise SchemaError("not an initcompat result (no schema_version)")
    version = document["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise SchemaError(f"schema_version {version!r} is not an integer")
    if version > SCHEMA_VERSION:
        raise SchemaError(f"schema_version {version} is newer than this initcompat understands "
                          f"({SCHEMA_VERSION}): upgrade initcompat")
    document = upgrade(document)
    validate_result(document)
    return document


def result_files(folder: Path) -> list[Path]:
    """Result JSON files under `folder` (recursively: merged CI artifacts keep their folders)."""
    return sorted(p for p in folder.rglob("*.json")
                  if p.is_file() and not p.name.endswith(".pyperf.json") and not p.name.startswith("."))


def load_results(sources: list[Path] | Path) -> Loaded:
    """Every good result under the given folders/files, and one Rejected per bad file."""
    if isinstance(sources, Path):
        sources = [sources]
    files: list[Path] = []
    for source in sources:
        if source.is_dir():
            files.extend(result_files(source))
        elif source.is_file():
            files.append(source)
        else:
            raise ReportInputError(f"{display_path(source)}: no such results folder or file")
    unique: dict[str, Path] = {}  # a file named twice (folder and file arguments) is read once
    for path in files:
        unique.setdefault(os.path.realpath(path), path)
    results: list[dict] = []
    rejected: list[Rejected] = []
    owner: dict[str, str] = {}
    for path in unique.values():
        shown = display_path(path)
        try:
            document = parse_result(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as error:
            rejected.append(Rejected(shown, f"not UTF-8 text ({error.reason} at byte {error.start})"))
            continue
        except (SchemaError, ValueError, RecursionError) as error:
            rejected.append(Rejected(shown, _one_line(error)))
            continue
        except OSError as error:
            rejected.append(Rejected(shown, f"cannot read: {error.strerror}"))
            continue
        name = document["env"]["name"]
        if name in owner:
            rejected.append(Rejected(shown, f"second result for environment {name!r} "
                                            f"(already loaded from {owner[name]}); ignored"))
            continue
        owner[name] = shown
        document["_source"] = shown
        results.append(document)
    return Loaded(tuple(results), tuple(rejected), tuple(display_path(f) for f in unique.values()))


def _one_line(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, json.JSONDecodeError):
        text = f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    elif isinstance(error, RecursionError):
        text = f"nested too deeply to read ({text})"
    return " ".join(text.split())[:500]
