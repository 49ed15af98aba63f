"""The check's data: compat-data.json (initcompat.report.compat_data, which documents the format)
read and validated, or the same document built from result files through the report's loader.

Hardened as every result file is: the schema version is checked (a newer one is refused with
what to do), every part is validated before use, and any problem is one line (DataError) naming
the file and the JSON path, never a traceback. Stdlib only at run time: the report (pandas,
scipy) is imported only for --results.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

SCHEMA_VERSION = 1  # what initcompat.report.compat_data writes (a test pins the two together)
KIND = "initcompat-compat-data"
FILE_NAME = "compat-data.json"
MAX_BYTES = 256 * 1024 * 1024
SEEDING_FIELDS = 7  # family, method, target, status, group, call, reason


# An environment without the package a family or namespace lives in (keras, tf_keras: installed
# by the user, not by TensorFlow) says nothing about that family there: not measured.
NOT_INSTALLED = re.compile(r"No module named '(keras|tf_keras)'")


def _installed(text) -> bool:
    return not (isinstance(text, str) and NOT_INSTALLED.search(text))


class DataError(ValueError):
    """Compat data that cannot be used: one line, naming the file and the problem."""


def _fail(source: str, where: str, problem: str) -> DataError:
    return DataError(f"{source}: {where}: {problem}" if where else f"{source}: {problem}")


class _Checker:
    """Type checks with the JSON path of what failed."""

    def __init__(self, source: str):
        self.source = source

    def kind(self, value, kinds, where: str, what: str):
        if not isinstance(value, kinds) or (isinstance(value, bool) and bool not in (
                kinds if isinstance(kinds, tuple) else (kinds,))):
            raise _fail(self.source, where, f"expected {what}, found {type(value).__name__}")
        return value

    def text(self, value, where: str, optional: bool = False):
        if optional and value is None:
            return value
        return self.kind(value, str, where, "a string" + (" or null" if optional else ""))

    def index(self, value, size: int, where: str) -> int:
        self.kind(value, int, where, "an index")
        if not 0 <= value < size:
            raise _fail(self.source, where, f"index {value} out of range (0..{size - 1})")
        return value


class CompatData:
    """The validated document with the lookups the check makes."""

    def __init__(self, document: dict, source: str):
        self.source = source
        self.document = document
        self.envs: list[dict] = document["envs"]
        self.env = {env["name"]: env for env in self.envs}
        self.layers: dict[str, dict] = document["layers"]
        self.rows: list[tuple] = [tuple(row) for row in document["rows"]]
        self.row_index = {row: i for i, row in enumerate(self.rows)}
        summaries = document["cells"]["summaries"]
        self._cells = {env: {row: summaries[s] for row, s in pairs
                             if _installed(summaries[s].get("error"))}
                       for env, pairs in document["cells"]["by_env"].items()}
        self.events: list[dict] = document["events"]
        self._seeding = {env: {tuple(r[:3]): dict(zip(
            ("status", "group", "call", "reason"), r[3:])) for r in rows if _installed(r[6])}
            for env, rows in document["seeding"]["by_env"].items()}
        initializers = document["initializers"]
        self._initializers = {env: {tuple(r[:4]): initializers["summaries"][r[4]] for r in rows}
                              for env, rows in initializers["by_env"].items()}
        self._namespaces = {env: {r[0]: {"status": r[1], "reason": r[2], "alias_of": r[3]}
                                  for r in rows if _installed(r[2])}
                            for env, rows in (initializers.get("namespaces") or {}).items()}
        self.families = {(row[0], row[1]) for row in self.rows}
        self.namespaces_known = {key[0] for rows in self._initializers.values() for key in rows}

    def cell(self, env: str, row: int) -> dict | None:
        return self._cells.get(env, {}).get(row)

    def row(self, family: str, legacy: bool, layer: str, role: str) -> int | None:
        return self.row_index.get((family, legacy, layer, role))

    def seeding(self, env: str) -> dict[tuple, dict]:
        return self._seeding.get(env, {})

    def initializers(self, env: str) -> dict[tuple, dict]:
        return self._initializers.get(env, {})

    def namespace(self, env: str, namespace: str) -> dict | None:
        return self._namespaces.get(env, {}).get(namespace)

    def has_family(self, env: str, family: str, legacy: bool) -> bool:
        """Whether the environment measured any weight of that family as available."""
        cells = self._cells.get(env, {})
        return any(self.rows[row][:2] == (family, legacy) and cell.get("status") == "ok"
                   for row, cell in cells.items())


def validate(document, source: str) -> CompatData:
    """The document checked part by part; DataError names the first problem."""
    check = _Checker(source)
    check.kind(document, dict, "", "a JSON object")
    version = document.get("schema_version")
    if version != SCHEMA_VERSION:
        if isinstance(version, int) and not isinstance(version, bool) and version > SCHEMA_VERSION:
            raise _fail(source, "schema_version", f"{version} is newer than this checker reads "
                        f"({SCHEMA_VERSION}): update initcompat")
        raise _fail(source, "schema_version", f"expected {SCHEMA_VERSION}, found {version!r}")
    if document.get("kind") != KIND:
        raise _fail(source, "kind", f"expected {KIND!r}, found {document.get('kind')!r}")
    envs = check.kind(document.get("envs"), list, "envs", "a list")
    names = set()
    for i, env in enumerate(envs):
        where = f"envs[{i}]"
        check.kind(env, dict, where, "an object")
        name = check.text(env.get("name"), f"{where}.name")
        if name in names:
            raise _fail(source, f"{where}.name", f"environment {name!r} twice")
        names.add(name)
        for key in ("title", "label", "column_label", "line", "status"):
            check.text(env.get(key), f"{where}.{key}")
        for key in ("variant_of", "keras_release", "tensorflow", "keras", "tf_keras", "backend"):
            check.text(env.get(key), f"{where}.{key}", optional=True)
    for i, env in enumerate(envs):
        if env.get("variant_of") is not None and env["variant_of"] not in names:
            raise _fail(source, f"envs[{i}].variant_of", f"unknown environment {env['variant_of']!r}")
    layers = check.kind(document.get("layers"), dict, "layers", "an object")
    for name, layer in layers.items():
        check.kind(layer, dict, f"layers.{name}", "an object")
        check.text(layer.get("kind"), f"layers.{name}.kind")
        check.kind(layer.get("options"), dict, f"layers.{name}.options", "an object")
    rows = check.kind(document.get("rows"), list, "rows", "a list")
    for i, row in enumerate(rows):
        where = f"rows[{i}]"
        check.kind(row, list, where, "a list")
        if len(row) != 4:
            raise _fail(source, where, f"expected 4 fields, found {len(row)}")
        check.text(row[0], f"{where}[0]")
        check.kind(row[1], bool, f"{where}[1]", "true or false")
        check.text(row[2], f"{where}[2]")
        check.text(row[3], f"{where}[3]")
    _validate_cells(check, document, names, len(rows))
    _validate_events(check, document, names, len(rows))
    _validate_seeding(check, document, names)
    _validate_initializers(check, document, names)
    return CompatData(document, source)


def _by_env(check: _Checker, block: dict, where: str, names: set) -> dict:
    by_env = check.kind(block.get("by_env"), dict, f"{where}.by_env", "an object")
    for env, rows in by_env.items():
        if env not in names:
            raise _fail(check.source, f"{where}.by_env", f"unknown environment {env!r}")
        check.kind(rows, list, f"{where}.by_env.{env}", "a list")
    return by_env


def _validate_cells(check: _Checker, document: dict, names: set, rows: int) -> None:
    cells = check.kind(document.get("cells"), dict, "cells", "an object")
    summaries = check.kind(cells.get("summaries"), list, "cells.summaries", "a list")
    for i, summary in enumerate(summaries):
        where = f"cells.summaries[{i}]"
        check.kind(summary, dict, where, "an object")
        status = check.text(summary.get("status"), f"{where}.status")
        if status == "ok":
            for key in ("declared", "class", "module", "theory", "drawn", "fit", "seed_call"):
                check.text(summary.get(key), f"{where}.{key}", optional=True)
            check.kind(summary.get("config", {}), dict, f"{where}.config", "an object")
            check.kind(summary.get("settings", {}), dict, f"{where}.settings", "an object")
            for key in ("shape", "fans"):
                if summary.get(key) is not None:
                    check.kind(summary[key], list, f"{where}.{key}", "a list")
        else:
            check.text(summary.get("error"), f"{where}.error", optional=True)
    for env, pairs in _by_env(check, cells, "cells", names).items():
        for j, pair in enumerate(pairs):
            where = f"cells.by_env.{env}[{j}]"
            check.kind(pair, list, where, "a list")
            if len(pair) != 2:
                raise _fail(check.source, where, f"expected 2 fields, found {len(pair)}")
            check.index(pair[0], rows, f"{where}[0]")
            check.index(pair[1], len(summaries), f"{where}[1]")


_TARGETS = {"row": "an index", "family": "[family, legacy]", "seeding": "[family, method, target]",
            "seeding_family": "a family", "initializer": "[namespace, how, name, arguments]",
            "namespace": "a namespace"}


def _validate_events(check: _Checker, document: dict, names: set, rows: int) -> None:
    events = check.kind(document.get("events"), list, "events", "a list")
    for i, event in enumerate(events):
        where = f"events[{i}]"
        check.kind(event, dict, where, "an object")
        for key in ("env", "kind", "text"):
            check.text(event.get(key), f"{where}.{key}")
        check.text(event.get("since"), f"{where}.since", optional=True)
        for key in ("env", "since"):
            if event.get(key) is not None and event[key] not in names:
                raise _fail(check.source, f"{where}.{key}", f"unknown environment {event[key]!r}")
        for key in ("keep", "settings"):
            check.text(event.get(key), f"{where}.{key}", optional=True)
        if "backends" in event:
            check.kind(event["backends"], bool, f"{where}.backends", "true or false")
        targets = [key for key in _TARGETS if key in event]
        if len(targets) != 1:
            raise _fail(check.source, where, "expected exactly one of " + ", ".join(_TARGETS))
        target, value = targets[0], event[targets[0]]
        if target == "row":
            check.index(value, rows, f"{where}.row")
        elif target in ("seeding_family", "namespace"):
            check.text(value, f"{where}.{target}")
        else:
            size = {"family": 2, "seeding": 3, "initializer": 4}[target]
            check.kind(value, list, f"{where}.{target}", _TARGETS[target])
            if len(value) != size:
                raise _fail(check.source, f"{where}.{target}", f"expected {_TARGETS[target]}")
            for j, part in enumerate(value):
                if target == "family" and j == 1:
                    check.kind(part, bool, f"{where}.{target}[1]", "true or false")
                else:
                    check.text(part, f"{where}.{target}[{j}]")


def _validate_seeding(check: _Checker, document: dict, names: set) -> None:
    seeding = check.kind(document.get("seeding"), dict, "seeding", "an object")
    for env, rows in _by_env(check, seeding, "seeding", names).items():
        for j, row in enumerate(rows):
            where = f"seeding.by_env.{env}[{j}]"
            check.kind(row, list, where, "a list")
            if len(row) != SEEDING_FIELDS:
                raise _fail(check.source, where, f"expected {SEEDING_FIELDS} fields, found {len(row)}")
            for k in range(4):
                check.text(row[k], f"{where}[{k}]")
            for k in range(4, SEEDING_FIELDS):
                check.text(row[k], f"{where}[{k}]", optional=True)


def _validate_initializers(check: _Checker, document: dict, names: set) -> None:
    block = check.kind(document.get("initializers"), dict, "initializers", "an object")
    summaries = check.kind(block.get("summaries"), list, "initializers.summaries", "a list")
    for i, summary in enumerate(summaries):
        where = f"initializers.summaries[{i}]"
        check.kind(summary, dict, where, "an object")
        check.text(summary.get("status"), f"{where}.status", optional=True)
        check.kind(summary.get("config", {}), dict, f"{where}.config", "an object")
        draws = check.kind(summary.get("draws", []), list, f"{where}.draws", "a list")
        for j, draw in enumerate(draws):
            check.kind(draw, dict, f"{where}.draws[{j}]", "an object")
            for key in ("declared", "drawn"):
                check.text(draw.get(key), f"{where}.draws[{j}].{key}", optional=True)
    for env, rows in _by_env(check, block, "initializers", names).items():
        for j, row in enumerate(rows):
            where = f"initializers.by_env.{env}[{j}]"
            check.kind(row, list, where, "a list")
            if len(row) != 5:
                raise _fail(check.source, where, f"expected 5 fields, found {len(row)}")
            for k in range(4):
                check.text(row[k], f"{where}[{k}]")
            check.index(row[4], len(summaries), f"{where}[4]")
    namespaces = check.kind(block.get("namespaces", {}), dict, "initializers.namespaces",
                            "an object")
    for env, rows in namespaces.items():
        if env not in names:
            raise _fail(check.source, "initializers.namespaces", f"unknown environment {env!r}")
        check.kind(rows, list, f"initializers.namespaces.{env}", "a list")
        for j, row in enumerate(rows):
            where = f"initializers.namespaces.{env}[{j}]"
            check.kind(row, list, where, "a list")
            if len(row) != 4:
                raise _fail(check.source, where, f"expected 4 fields, found {len(row)}")
            check.text(row[0], f"{where}[0]")
            for k in range(1, 4):
                check.text(row[k], f"{where}[{k}]", optional=True)


def parse(text: bytes | str, source: str) -> CompatData:
    """Bytes or text of a compat-data.json, validated."""
    try:
        document = json.loads(text)
    except RecursionError:
        raise _fail(source, "", "nested too deeply to be compat data") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise _fail(source, "", f"not JSON ({str(error).splitlines()[0][:160]})") from None
    return validate(document, source)


def load(path: Path) -> CompatData:
    """A compat-data.json file, validated."""
    try:
        if path.stat().st_size > MAX_BYTES:
            raise _fail(str(path), "", f"larger than {MAX_BYTES // (1024 * 1024)} MB")
        text = path.read_bytes()
    except OSError as error:
        raise _fail(str(path), "", error.strerror or str(error)) from None
    return parse(text, str(path))


def from_results(paths: list[Path]) -> CompatData:
    """The same document built from result files through the report's loader and analysis
    (slow: the report's statistics; for a folder of fresh results)."""
    from initcompat.report.compat_data import build_compat_data
    from initcompat.report.load import ReportInputError, load_results
    from initcompat.report.sections import build_view, load_inputs
    try:
        loaded = load_results(list(paths))
    except (ReportInputError, OSError) as error:
        raise _fail(", ".join(str(p) for p in paths), "", str(error).splitlines()[0]) from None
    if not loaded.results:
        raise _fail(", ".join(str(p) for p in paths), "", "no usable result file")
    inputs = load_inputs(loaded, list(paths))
    view = build_view(inputs)
    document = build_compat_data(inputs.results, view.timeline.events, view.upgrade.backend_events)
    return validate(json.loads(json.dumps(document)), ", ".join(str(p) for p in paths))
