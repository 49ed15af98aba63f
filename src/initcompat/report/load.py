"""Loading result files: every bad file becomes one line naming it, never a crash.

Each file is parsed, upgraded to the current schema through named migrations and validated on
its own (initcompat.probe.validation); then the files of one environment (the probe's result,
the runner's install record and outcome, the initializers and seeding files, the throughput
summary, the pyperf file) are joined
by the environment name inside them into one result dict for the report. Rejected files are
listed so the report can show them.

Suites: every joined result's `env.suite` is the identity of the suite it measured
({"file", "sha256"}, schema.suite_identity). Files from before identities were recorded are
taken as measured with the default suite: their identity is {"file": "default.json", "sha256":
the hash of the suite the probe's result kept, "recorded": False}, so a result of another
suite still never shares a hash with them; an environment whose files keep no suite at all (a
failed install from before identities) has `env.suite` None and measured nothing to compare. A
step's file that measured another suite than its environment's result is rejected (one
environment, one suite). Comparisons stay within one suite (initcompat.report.suites).
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

from initcompat.measurements import registry
from initcompat.probe import schema
from initcompat.probe.validation import SchemaError, validate
from initcompat.report import crossed_file


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
    # attribution runs (NAME.STEP.crossed.json, report/crossed_file.py): kept apart from the
    # environments, each validated on its own
    crossed: tuple[dict, ...] = ()


# Deeper than any real result (about 7 levels); a limit keeps every later json.dumps and
# recursive walk of the report far from Python's recursion limit.
MAX_DEPTH = 64
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
# Only text with such an escape can hold a lone surrogate; other files skip the per-value
# cleaning walk (a 40-file report spent a third of its time in per-value hooks).
_MAYBE_SURROGATE = re.compile(r"\\u[dD][89abcdefABCDEF]")


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a valid JSON number (NaN and Infinity are not allowed)")


_CONTAINERS = {dict, list}
_OVERFLOW = "a number is too large for a float (not finite)"


def _check_structure(value, depth: int = 0) -> None:
    """SchemaError when containers nest deeper than MAX_DEPTH or a number overflowed to
    infinity (JSON has no infinity: a literal beyond float range parses as one). Lists of
    numbers, the bulk of a result, are checked without a Python-level loop."""
    if depth > MAX_DEPTH:
        raise SchemaError(f"nested deeper than {MAX_DEPTH} levels")
    children = list(value.values()) if isinstance(value, dict) else value
    types = set(map(type, children))
    if float in types:
        floats = children if types <= {int, float} else [c for c in children if type(c) is float]
        if any(map(math.isinf, floats)):
            raise SchemaError(_OVERFLOW)
    if types & _CONTAINERS:
        for child in children:
            if type(child) in _CONTAINERS:
                _check_structure(child, depth + 1)


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


def upgrade_1_to_2(document: dict) -> list[dict]:
    """Format 1 (one file, rewritten by the runner and the throughput step): split it into the
    files of format 2, one per writer: the result, and the install record and throughput
    summary it carried, if any."""
    env = document["env"]
    result = {key: value for key, value in document.items() if key not in ("install", "throughput")}
    result.update(schema_version=2, kind=schema.KIND_RESULT)
    parts = [result]
    if isinstance(document.get("install"), dict):
        parts.append(dict(document["install"], schema_version=2, kind=schema.KIND_INSTALL, env=env))
    if isinstance(document.get("throughput"), dict):
        parts.append(dict(document["throughput"], schema_version=2, kind=schema.KIND_THROUGHPUT,
                          env={"name": env["name"]} if isinstance(env, dict) else env))
    return parts


# schema_version N -> function producing version N + 1 (one document, or the list it splits into).
MIGRATIONS = {0: upgrade_0_to_1, 1: upgrade_1_to_2}


def upgrade(document: dict) -> list[dict]:
    """Bring an older file up to SCHEMA_VERSION, one named migration at a time."""
    pending, done = [document], []
    while pending:
        current = pending.pop()
        version = current.get("schema_version")
        if not isinstance(version, int) or isinstance(version, bool) or \
                version >= schema.SCHEMA_VERSION:
            done.append(current)
            continue
        migration = MIGRATIONS.get(version)
        if migration is None:
            raise SchemaError(f"schema_version {version} is too old and has no migration")
        try:
            upgraded = migration(current)
        except (KeyError, TypeError, AttributeError) as error:
            raise SchemaError(f"cannot upgrade from schema_version {version}: {error!r}") from None
        pending.extend(reversed(upgraded) if isinstance(upgraded, list) else [upgraded])
    return done


def parse_documents(text: str) -> list[dict]:
    """The validated current-schema documents in a file's JSON text (an old file may split into
    several); SchemaError or ValueError say why not."""
    if not text.strip():
        raise SchemaError("empty file")
    text = text.lstrip("\ufeff")
    document = json.loads(text, parse_constant=_reject_constant)
    if isinstance(document, float) and math.isinf(document):
        raise SchemaError(_OVERFLOW)
    if _MAYBE_SURROGATE.search(text):
        document = _clean(document)
    if isinstance(document, (dict, list)):
        _check_structure(document)
    if not isinstance(document, dict):
        raise SchemaError(f"not a result: top level is {type(document).__name__}, not an object")
    if "schema_version" not in document:
        raise SchemaError("not an initcompat result (no schema_version)")
    version = document["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool):
        raise SchemaError(f"schema_version {version!r} is not an integer")
    if version > schema.SCHEMA_VERSION:
        raise SchemaError(f"schema_version {version} is newer than this initcompat understands "
                          f"({schema.SCHEMA_VERSION}): upgrade initcompat")
    documents = upgrade(document)
    for part in documents:
        if part.get("kind") == crossed_file.KIND_CROSSED:
            crossed_file.validate_crossed(part)
        else:
            validate(part)
    return documents


def result_files(folder: Path) -> list[Path]:
    """Our JSON files under `folder` (recursively: merged CI artifacts keep their folders);
    pyperf's own files are found through the throughput summary that names them."""
    return sorted(p for p in folder.rglob("*.json")
                  if p.is_file() and not p.name.endswith(schema.PYPERF_SUFFIX)
                  and not p.name.startswith("."))


def suite_of(document: dict) -> dict | None:
    """The suite identity a file records, or for a result from before identities the default
    suite's name with the hash of the suite the result kept (recorded: False); None when the
    file says neither."""
    identity = document["env"].get("suite")
    if identity is not None:
        return identity
    if isinstance(document.get("suite"), dict):
        try:
            digest = schema.suite_hash(document["suite"])
        except (TypeError, ValueError):  # a kept suite JSON cannot encode (not from the probe)
            return None
        return {"file": schema.DEFAULT_SUITE_FILE, "sha256": digest, "recorded": False}
    return None


def other_suite_parts(parts: dict) -> dict[str, str]:
    """kind -> why, for each file of an environment that measured another suite than the
    environment's result (or, without one, its outcome): one environment, one suite."""
    main_kind = schema.KIND_RESULT if schema.KIND_RESULT in parts else schema.KIND_OUTCOME
    main = suite_of(parts[main_kind][0]) if main_kind in parts else None
    if main is None:
        return {}
    found = {}
    for kind, (document, _, _) in parts.items():
        identity = suite_of(document) if kind != main_kind else None
        if identity is not None and identity["sha256"] != main["sha256"]:
            found[kind] = (f"measured the suite {identity['file']} (sha256 "
                           f"{identity['sha256'][:12]}), not the suite of its {main_kind} file "
                           f"({main['file']}, sha256 {main['sha256'][:12]}); ignored")
    return found


def join_environment(parts: dict) -> dict:
    """One result dict for the report from an environment's files (result and/or outcome)."""
    result, source, _ = parts.get(schema.KIND_RESULT) or (None, None, None)
    outcome, outcome_source, _ = parts.get(schema.KIND_OUTCOME) or (None, None, None)
    if result is None:
        result = schema.outcome_result(outcome["env"], outcome["status"], outcome["reason"],
                                       outcome.get("log_tail"))
        source = outcome_source
    joined = dict(result)
    identity = suite_of(result) or (suite_of(outcome) if outcome is not None else None)
    joined["env"] = dict(result["env"], suite=identity)
    if outcome is not None:
        if outcome["status"] != schema.ENV_OK:  # the runner saw the failure the result cannot say
            joined.update(status=outcome["status"], reason=outcome["reason"],
                          log_tail=outcome.get("log_tail") or joined.get("log_tail"))
        elif schema.KIND_RESULT not in parts:  # the runner saw a result the folder lacks
            joined.update(status=schema.ENV_PROBE_CRASHED,
                          reason="the outcome says ok, but the probe's result file is missing")
        joined["outcome"] = {"status": outcome["status"], "steps": outcome["steps"]}
    joined["install"] = _body(parts.get(schema.KIND_INSTALL))
    steps = (outcome or {}).get("steps") or {}
    for measurement in (registry.by_name("throughput"),) + registry.steps_beside():
        step_name, kind = measurement["name"], measurement["kind"]
        # A step's file, or where it has none, what its step in the outcome says (failed,
        # skipped); None when neither exists (a result older than the step).
        joined[kind] = _body(parts.get(kind))
        step = steps.get(step_name)
        if joined[kind] is None and step and step["status"] != schema.STEP_OK:
            joined[kind] = {"status": step["status"], "reason": step.get("reason"),
                            "log_tail": step.get("log_tail")}
            if kind != schema.KIND_THROUGHPUT:
                joined[kind]["records"] = []
    files = {kind: shown for kind, (_, shown, _) in parts.items()}
    pyperf = _pyperf_path(parts.get(schema.KIND_THROUGHPUT), joined["env"]["name"])
    if pyperf is not None:
        files["pyperf"] = display_path(pyperf)
    joined["_source"] = source
    joined["_files"] = files
    return joined


def _body(part) -> dict | None:
    """A part without its file header (schema_version, kind, env)."""
    if part is None:
        return None
    return {k: v for k, v in part[0].items() if k not in ("schema_version", "kind", "env")}


def _pyperf_path(part, name: str) -> Path | None:
    """The pyperf file a throughput summary names, beside the summary (never another folder)."""
    if part is None:
        return None
    document, _, real = part
    file_name = os.path.basename(str(document.get("pyperf_file") or schema.pyperf_file_name(name)))
    candidate = Path(real).parent / file_name
    return candidate if candidate.is_file() else None


def load_results(sources: list[Path] | Path) -> Loaded:
    """Every environment under the given folders/files, joined, and one Rejected per bad file."""
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
    rejected: list[Rejected] = []
    # An environment's files are joined within the folder that holds them: files of one name
    # in two folders (two runs, two CI artifacts) are never mixed; the first folder's win.
    groups: dict[tuple[str, str], dict] = {}
    crossed: dict[tuple[str, str], str] = {}  # (name, step) of an attribution run -> its file
    crossed_documents: list[dict] = []
    for path in unique.values():
        shown = display_path(path)
        try:
            documents = parse_documents(path.read_bytes().decode("utf-8"))
        except UnicodeDecodeError as error:
            rejected.append(Rejected(shown, f"not UTF-8 text ({error.reason} at byte {error.start})"))
            continue
        except (SchemaError, ValueError, RecursionError) as error:
            rejected.append(Rejected(shown, _one_line(error)))
            continue
        except OSError as error:
            rejected.append(Rejected(shown, f"cannot read: {error.strerror}"))
            continue
        for document in documents:
            name, kind = document["env"]["name"], document["kind"]
            if kind == crossed_file.KIND_CROSSED:
                if (name, document["step"]) in crossed:
                    rejected.append(Rejected(shown, f"second crossed {document['step']} run "
                                                    f"{name!r} (already loaded from "
                                                    f"{crossed[(name, document['step'])]}); "
                                                    "ignored"))
                else:
                    crossed[(name, document["step"])] = shown
                    crossed_documents.append(document)
                continue
            parts = groups.setdefault((str(path.parent), name), {})
            if kind == schema.KIND_FIX:  # several per environment: one per fix run (its key)
                kind = (kind, str(document["run"]["key"]))
            if kind in parts:
                rejected.append(Rejected(shown, f"second {kind} for environment {name!r} "
                                                f"(already loaded from {parts[kind][1]}); ignored"))
                continue
            parts[kind] = (document, shown, str(path))
    results: list[dict] = []
    owner: dict[str, str] = {}  # environment name -> the file it was loaded from
    for (_, name), parts in groups.items():
        if schema.KIND_RESULT not in parts and schema.KIND_OUTCOME not in parts:
            for _, shown, _ in parts.values():
                rejected.append(Rejected(shown, f"no result or outcome file for environment "
                                                f"{name!r} beside it; ignored"))
            continue
        if name in owner:
            for kind, (_, shown, _) in parts.items():
                rejected.append(Rejected(shown, f"second {kind} for environment {name!r} "
                                                f"(already loaded from {owner[name]}); ignored"))
            continue
        for kind, why in other_suite_parts(parts).items():
            rejected.append(Rejected(parts.pop(kind)[1], why))
        fixes = [parts.pop(kind) for kind in sorted(k for k in parts if isinstance(k, tuple))]
        joined = join_environment(parts)
        joined[schema.KIND_FIX] = [dict(_body(part), _file=part[1]) for part in fixes]
        owner[name] = joined["_source"]
        results.append(joined)
    return Loaded(tuple(results), tuple(rejected), tuple(display_path(f) for f in unique.values()),
                  tuple(crossed_documents))


def load_or_say(sources: list[Path] | Path, prefix: str) -> Loaded | None:
    """load_results for a command line: each rejected file, or why nothing could be read, as one
    line on stderr after `prefix` ("initcompat report:"); None when the input is unusable."""
    try:
        loaded = load_results(sources)
    except ReportInputError as error:
        print(f"{prefix} {error}", file=sys.stderr)
        return None
    for rejected in loaded.rejected:
        print(f"{prefix} rejected {rejected.line()}", file=sys.stderr)
    return loaded


def _one_line(error: Exception) -> str:
    text = str(error) or type(error).__name__
    if isinstance(error, json.JSONDecodeError):
        text = f"invalid JSON: {error.msg} (line {error.lineno}, column {error.colno})"
    elif isinstance(error, RecursionError):
        text = f"nested too deeply to read ({text})"
    return " ".join(text.split())[:500]
