"""compat-data.json: what `python -m initcompat.check` needs to say which lines of a user's code
change behaviour between two environments, as one versioned JSON document published beside the
report's CSVs (the way browser-compat-data ships the data eslint-plugin-compat reads). Built from
the report's own analysis; pure apart from nothing (the report's __main__ writes the text).

Format, schema_version 1 (every list in version order; `env` fields are environment names):

- "schema_version": 1, "kind": "initcompat-compat-data", "about": one line, "environments": n.
- "envs": [{"name", "title" ("TF 2.16.2 · Keras 3.4.1, as released"), "label" ("2.16"),
  "column_label" ("TF 2.16"), "line" ("tensorflow" or the Keras line on a backend),
  "keras_release" (a Keras-line environment's Keras release, else null), "variant_of" (the
  primary's name for a variant column, else null), "status", "tensorflow", "keras", "tf_keras",
  "backend"}]: the upgrade view's environments (report/sections/upgrade.py).
- "layers": {suite layer id: {"kind": catalogue kind, "options": {argument: value}}}: the rows'
  layers ("lstm_no_forget_bias" is an LSTM with unit_forget_bias=False).
- "rows": [[api family, legacy (TF_USE_LEGACY_KERAS=1), layer id, weight role]].
- "cells": {"summaries": [summary], "by_env": {env: [[row index, summary index]]}}: what each
  weight drew with no initializer argument. A summary: {"status"} and, when "ok", "declared"
  (the initializer's label), "class", "module", "config" (without seed and dtype), "theory" (the
  declared distribution in words and numbers for the suite's shape, with its formula), "drawn"
  (named from the values alone), "fit" (consistent / inconsistent / not tested), "shape",
  "fans" ([fan_in, fan_out]), "settings" (the layer's weight-changing settings: reset_after,
  unit_forget_bias, ...), "seed_call" (the call that seeded the draw whose bytes the row events
  "seeded stream" compare); else "error" ("AttributeError: ...") and "error_type".
- "events": [{"env", "since", "kind", "text", target, and where measured "keep" (what keeps the
  older behaviour, report/keep_old.py), "settings", "of"}]: the timeline's behaviour events and
  the comparisons of one Keras release on two backends, kinds EVENT_KINDS.
  Events that compare one Keras release on two backends carry "backends": true. The target is
  "row" (a row index), "family" ([api family, legacy]: the whole family), "seeding" ([family,
  method, target]), "seeding_family" (a family of the seeding step), "initializer" ([namespace,
  how, name, arguments as sorted JSON]) or "namespace" (an initializer namespace). Which events
  lie between two environments is the upgrade view's rule (upgrade.events_between).
- "seeding": {"by_env": {env: [[family, method, target, status, byte group or null, call,
  reason or null]]}}: the seeding step (seed 1234); the same byte group letter (per method) is
  the same sha256 across families, targets and versions.
- "initializers": {"summaries": [summary], "by_env": {env: [[namespace, how, name, arguments,
  summary index]]}, "namespaces": {env: [[namespace, status, reason, alias_of]]}}: the
  initializers step (a name a namespace does not offer has no record there); a summary:
  {"status", "class", "config", "error", "draws": [{"shape", "declared", "drawn"}]}.
- "locks" (optional, issue 31): {env: {package: version}}, each environment's resolved lock
  (PEP 503 names, report/locks.py), for the packages that moved between two environments.
- "causes" (optional, issue 31): [{"older", "newer", "status", "text", "cause": [[package,
  older version, newer version]], "keep": a pin verified in the newer environment or ""}]:
  the attribution of the change older -> newer
  (report/causes.py; status "attributed", "could not isolate" or "not attributed"); such a
  step lies between two environments where an event of `newer` since `older` would.
"""

from __future__ import annotations

import ast
import json
import math

from initcompat.probe.catalogue import KINDS
from initcompat.report.describe import declared_label, one_line
from initcompat.report.initializer_records import analyse_draw, anchor, records_of
from initcompat.report.measured import Measured, cell_id, measure
from initcompat.measurements.seeding.section import byte_groups, family_id, row_id
from initcompat.report.sections.timeline import WEIGHT_SETTINGS

SCHEMA_VERSION = 1
KIND = "initcompat-compat-data"
FILE_NAME = "compat-data.json"
ABOUT = ("What each API family x layer x weight drew with no initializer argument in every "
         "measured environment, the behaviour events between versions, the seeding methods and "
         "the initializers: the data of python -m initcompat.check (initcompat.report.compat_data).")
EVENT_KINDS = ("availability", "shape", "layer default", "distribution", "seeding",
               "seeded stream", "initializer")
_QUIET = ("seed", "dtype")  # config entries that do not shape a distribution
_EVENT_FIELDS = ("keep", "settings", "of")


class _Pool:
    """Each distinct summary once: add() gives its index."""

    def __init__(self) -> None:
        self.values: list[dict] = []
        self._index: dict[str, int] = {}

    def add(self, value: dict) -> int:
        text = json.dumps(value, sort_keys=True, default=str)
        if text not in self._index:
            self._index[text] = len(self.values)
            self.values.append(value)
        return self._index[text]


def _plain(value):
    """A JSON value as it is, anything else (a tuple, an object) as plain JSON or its text."""
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # the file is strict JSON: no NaN or Infinity
    if isinstance(value, (str, int, float, bool)) or value is None:
        return value
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    if isinstance(value, dict):
        return {str(key): _plain(item) for key, item in value.items()}
    return str(value)


def _config(config) -> dict:
    return {key: _plain(value) for key, value in sorted((config or {}).items())
            if key not in _QUIET} if isinstance(config, dict) else {}


def _error(cell: dict) -> str:
    kind = cell.get("error_type") or ("error" if cell.get("status") == "error" else "unavailable")
    reason = one_line(cell.get("reason"), 200)
    return f"{kind}: {reason}" if reason else kind


def cell_summary(cell: dict, analysis) -> dict:
    """What the check says about one weight in one environment."""
    if cell.get("status") != "ok":
        return {"status": cell.get("status") or "error", "error": _error(cell),
                "error_type": cell.get("error_type") or None}
    initializer = cell.get("initializer") or {}
    settings = cell.get("layer_config") or {}
    summary = {"status": "ok", "declared": declared_label(cell),
               "class": initializer.get("class_name"), "module": initializer.get("module"),
               "config": _config(initializer.get("config")),
               "theory": _plain(analysis.theory) if analysis else None,
               "drawn": analysis.fingerprint if analysis else None,
               "fit": analysis.fit_verdict if analysis else None,
               "shape": _plain(cell.get("shape")),
               "fans": [cell.get("fan_in"), cell.get("fan_out")],
               "settings": {key: _plain(settings[key]) for key in WEIGHT_SETTINGS
                            if isinstance(settings, dict) and key in settings},
               "seed_call": (cell.get("seeded") or {}).get("seed_call")}
    return summary


def _envs(measured: Measured) -> list[dict]:
    shown = []
    for env in measured.envs:
        line = env.get("line", "tensorflow")
        shown.append({"name": env["name"], "title": env.get("title") or env["name"],
                      "label": env["label"], "column_label": env.get("column_label") or env["label"],
                      "line": line, "keras_release": env.get("keras_requested")
                      if line != "tensorflow" else None,
                      "variant_of": env.get("variant_of"), "status": env["status"],
                      "tensorflow": env.get("tensorflow"), "keras": env.get("keras"),
                      "tf_keras": env.get("tf_keras"), "backend": env.get("backend")})
    return shown


def _options(layer: str) -> dict:
    """The options a cell's layer name spells: 'LSTM(unit_forget_bias=False)' -> {...}."""
    try:
        call = ast.parse(layer, mode="eval").body
        return {word.arg: ast.literal_eval(word.value) for word in call.keywords if word.arg} \
            if isinstance(call, ast.Call) else {}
    except (SyntaxError, ValueError, TypeError):
        return {}


def _layers(measured: Measured) -> dict:
    """Each row's layer id with its catalogue kind and options: from the suites the results
    keep, else from the layer ids and the layer names the cells record (results cut down)."""
    layers: dict[str, dict] = {}
    for result in measured.results:
        for spec in ((result.get("suite") or {}).get("layers") or []):
            if isinstance(spec, dict) and isinstance(spec.get("kind"), str):
                name = spec.get("id") or spec["kind"]
                layers.setdefault(str(name), {"kind": spec["kind"],
                                              "options": _plain(spec.get("options") or {})})
    class_kinds = {kind.class_name.lower(): name for name, kind in KINDS.items()}
    for (key, _), cell in measured.cells.items():
        if key[2] in layers:
            continue
        shown = str(cell.get("layer") or "")
        head = shown.split("(")[0].strip().lower()
        kind = key[2] if key[2] in KINDS else (head if head in KINDS else class_kinds.get(head))
        if kind:
            layers[key[2]] = {"kind": kind, "options": _plain(_options(shown))}
    return layers


def _seeding(measured: Measured) -> tuple[dict, dict[str, tuple]]:
    """The seeding step's records per environment, and each table row's id -> its key."""
    records = {}
    for env, result in zip(measured.envs, measured.results):
        found = {}
        for record in ((result.get("seeding") or {}).get("records") or []):
            if isinstance(record, dict):
                found.setdefault((record.get("family"), record.get("method"),
                                  record.get("target")), record)
        records[env["name"]] = found
    groups = byte_groups(measured.envs, records)
    by_env, ids = {}, {}
    for name, found in records.items():
        rows = []
        for key, record in found.items():
            ids[row_id(*key)] = key
            ids[family_id(key[0])] = (key[0],)
            rows.append([*key, record.get("status"), groups.get((name,) + key),
                         record.get("call"), one_line(record.get("reason"), 200) or None])
        if rows:
            by_env[name] = rows
    return {"by_env": by_env}, ids


def _initializers(measured: Measured) -> tuple[dict, dict[str, tuple]]:
    pool = _Pool()
    by_env, ids, namespaces = {}, {}, {}
    for env, result in zip(measured.envs, measured.results):
        offered = [[entry.get("namespace"), entry.get("status"),
                    one_line(entry.get("reason"), 200) or None, entry.get("alias_of")]
                   for entry in ((result.get("initializers") or {}).get("namespaces") or [])
                   if isinstance(entry, dict) and isinstance(entry.get("namespace"), str)]
        if offered:
            namespaces[env["name"]] = offered
        rows = []
        for key, record in records_of(result).items():
            ids[anchor(key)] = key
            ids[anchor((key[0],))] = (key[0],)
            draws = []
            for draw in record.get("draws") or []:
                if not isinstance(draw, dict):
                    continue
                try:
                    found = analyse_draw(record, draw, env["tensorflow"])
                except (TypeError, ValueError, KeyError, ZeroDivisionError):
                    continue
                draws.append({"shape": _plain(draw.get("shape")), "declared": found.declared,
                              "drawn": found.fingerprint})
            summary = {"status": record.get("status"), "class": record.get("class_name"),
                       "config": _config(record.get("config")), "draws": draws}
            if record.get("status") != "ok":
                summary["error"] = _error(record)
            rows.append([*key, pool.add(summary)])
        if rows:
            by_env[env["name"]] = rows
    return {"summaries": pool.values, "by_env": by_env, "namespaces": namespaces}, ids


def _target(event: dict, rows: dict[str, int], families: dict[str, tuple],
            seeding: dict[str, tuple], initializers: dict[str, tuple]) -> dict | None:
    """Where an event points: a row, a family, a seeding row or family, an initializer row or
    namespace; None for an event the check has no use for."""
    cell = str(event.get("cell") or "")
    if cell.startswith("c-"):
        if not event.get("layer") and event["kind"] == "availability":
            family = families.get(cell)
            return {"family": list(family)} if family else None
        return {"row": rows[cell]} if cell in rows else None
    if cell in seeding:
        key = seeding[cell]
        return {"seeding": list(key)} if len(key) == 3 else {"seeding_family": key[0]}
    if cell in initializers:
        key = initializers[cell]
        return {"initializer": list(key)} if len(key) == 4 else {"namespace": key[0]}
    return None


def _events(measured: Measured, events: list[dict], seeding: dict[str, tuple],
            initializers: dict[str, tuple]) -> list[dict]:
    index = {key: i for i, key in enumerate(measured.row_keys)}
    rows, families = {}, {}
    for env in measured.envs:
        for key in measured.row_keys:
            identity = cell_id(key, env["name"])
            rows[identity] = index[key]
            families.setdefault(identity, (key[0], key[1]))
    kept = []
    for event in events:
        if event.get("kind") not in EVENT_KINDS:
            continue
        target = _target(event, rows, families, seeding, initializers)
        if target is None:
            continue
        entry = {"env": event["env"], "since": event.get("since"), "kind": event["kind"],
                 "text": str(event.get("text") or ""), **target}
        entry.update({name: _plain(event[name]) for name in _EVENT_FIELDS if event.get(name)})
        kept.append(entry)
    return kept


def _measured(results: list[dict]) -> Measured:
    """measured.measure's environments, rows, cells and analyses of the TF/Keras environments,
    without the change steps and seeding groups it also computes (the events carry those)."""
    return measure([result for result in results if not result["env"].get("framework")],
                   with_changes=False)


def build_compat_data(results: list[dict], events: list[dict],
                      backend_events: list[dict] = ()) -> dict:
    """The document from the report's results (in version order, one suite: Inputs.results),
    the timeline's events (Timeline.events, annotated with what keeps the old behaviour) and the
    comparisons of one Keras release on two backends (Upgrade.backend_events)."""
    measured = _measured(results)
    pool = _Pool()
    by_env: dict[str, list] = {}
    index = {key: i for i, key in enumerate(measured.row_keys)}
    for (key, env), cell in measured.cells.items():
        if env not in {e["name"] for e in measured.envs}:
            continue
        summary = cell_summary(cell, measured.analyses.get((key, env)))
        by_env.setdefault(env, []).append([index[key], pool.add(summary)])
    seeding, seeding_ids = _seeding(measured)
    initializers, initializer_ids = _initializers(measured)
    return {"schema_version": SCHEMA_VERSION, "kind": KIND, "about": ABOUT,
            "environments": len(measured.envs), "envs": _envs(measured),
            "layers": _layers(measured),
            "rows": [[key[0], bool(key[1]), key[2], key[3]] for key in measured.row_keys],
            "cells": {"summaries": pool.values, "by_env": by_env},
            "events": _events(measured, events, seeding_ids, initializer_ids) + [
                dict(event, backends=True) for event in
                _events(measured, backend_events, seeding_ids, initializer_ids)],
            "seeding": seeding, "initializers": initializers}


def causes_data(envs: list[dict], causes) -> dict:
    """"locks" and "causes" (see the module doc) of the document's environments; each only
    where there is one (results without install records give the document as before)."""
    if causes is None:
        return {}
    names = {env["name"] for env in envs}
    found = {"locks": {name: dict(lock) for name, lock in causes.locks.items() if name in names},
             "causes": [{"older": older, "newer": newer, "status": said.status,
                         "text": said.text, "keep": said.keep,
                         "cause": [list(move) for move in said.cause]}
                        for (older, newer), said in causes.found.items()
                        if older in names and newer in names]}
    return {key: value for key, value in found.items() if value}


def compat_data_text(results: list[dict], view) -> str:
    """The file's text for the report's tables (report/__main__.py): built from the results and
    the View's timeline and upgrade events."""
    document = build_compat_data(results, view.timeline.events, view.upgrade.backend_events)
    document.update(causes_data(document["envs"], getattr(view.upgrade, "causes", None)))
    return json.dumps(document, ensure_ascii=False, sort_keys=True, separators=(",", ":"),
                      allow_nan=False) + "\n"

