"""The Seeding section: which seeding method gives the same weights in two fresh processes, per
API family and target, in every measured version (the seeding step's NAME.seeding.json). Pure.

Per record (family x method x target) the step says reproducible (two fresh processes drew the
same float32 bytes), not reproducible, unavailable or error, whether a second application in
one process drew the same bytes, and for the methods that draw twice per application whether
the second layer or call drew the bytes of the first. This module shows that as one table per
family (rows: method x target; columns: environments), groups the bytes of reproducible
records per method across families, targets and versions (the same letter: the same sha256),
says the same in words over version ranges, and turns the differences between an environment
and the one it is compared with (the previous primary with a seeding file; a variant's
primary) into timeline events: a method that starts or stops being offered, reproducible,
raising, repeating in one process or drawing the same bytes on a second call ("seeding"), and
reproducible bytes that changed where both sides were reproducible ("seeded stream"). Bytes of a
stream that is not reproducible are noise and are never compared.

  records.py  the records keyed by family x method x target, their byte groups, the row ids
  events.py   the timeline events between the environments compared
  words.py    statuses, calls, reasons and warnings in words over version ranges
  here        the section's view: one table per family, the byte groups, the CSV rows
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from initcompat.probe import schema
from initcompat.report.describe import one_line
from initcompat.report.measured import Measured
from initcompat.measurements.seeding.section.events import seeding_events
from initcompat.measurements.seeding.section.records import (  # noqa: F401 (byte_groups re-exported)
    NOT_MEASURED, RECORD_COLUMNS, SHA_DIGITS, STATUS_CLASS, STATUS_TEXT, byte_groups, env_line,
    family_id, ordered, records_of, row_id)
from initcompat.measurements.seeding.section.words import (column_label, notes_of, status_lines,
                                                      where_drawn)


@dataclass(frozen=True)
class Seeding:
    envs: list[dict]  # the columns: measured.envs that have a seeding file, version order
    missing: list[str]  # environments that ran but have no seeding file (older than the step)
    failed: list[dict]  # {"env", "status", "reason", "log_tail"}: the step failed or was skipped
    # one table per family that some environment offers: {"family", "id", "rows": [row],
    # "never": [{"method", "target", "reason"}]}; row: {"id", "method", "target", "cells"}
    families: list[dict]
    absent: list[dict]  # families no environment offers: {"family", "reason"}
    groups: list[dict]  # per method: {"method", "letters": [{"letter", "sha256", "first_values",
    #                     "where": [{"family", "target", "range"}]}]}
    words: list[dict]  # per family: {"family", "lines": [{"method", "target", "segments"}]}
    notes: list[dict]  # per family: {"family", "items": [{"method", "target", "kind", "text",
    #                    "range"}]}: the calls, reasons and warnings, over version ranges
    events: list[dict]  # timeline events (sections/timeline.py's shape)
    table: list[dict]  # reports/seeding.csv, one row per environment x record


def _cell(record: dict | None, group: str | None) -> dict:
    if record is None:
        return {"css": "mi", "text": "", "tags": [], "title": NOT_MEASURED}
    status = record["status"]
    tags = []
    if status in (schema.SEED_REPRODUCIBLE, schema.SEED_NOT_REPRODUCIBLE):
        repeat = record.get("repeat_identical")
        if status == schema.SEED_REPRODUCIBLE and repeat is False:
            tags.append("repeat ≠")
        elif status == schema.SEED_NOT_REPRODUCIBLE and repeat is True:
            tags.append("repeat =")
        if record.get("calls_identical") is False:
            tags.append("2nd ≠")
    title = status
    if record.get("sha256"):
        title += f"; sha256 {record['sha256'][:SHA_DIGITS]}"
    if record.get("reason") and status in (schema.SEED_ERROR,):
        title += f"; {one_line(record['reason'], 200)}"
    return {"css": STATUS_CLASS.get(status, "er"),
            "text": group if group else STATUS_TEXT.get(status, status), "tags": tags,
            "title": title}


def _csv_rows(measured: Measured, groups: dict) -> list[dict]:
    rows = []
    for result, env in zip(measured.results, measured.envs):
        seeding = result.get("seeding")
        if seeding is None:
            continue
        versions = seeding.get("versions") or {}
        base = {"env": env["name"], "tf_version": result["env"]["tensorflow"]}
        if not seeding.get("records"):
            rows.append(dict(base, status=seeding.get("status"), reason=seeding.get("reason")))
            continue
        for record in seeding["records"]:
            key = (record["family"], record["method"], record["target"])
            group = groups.get((env["name"],) + key)
            if record["status"] == schema.SEED_NOT_REPRODUCIBLE:
                group = schema.SEED_NOT_REPRODUCIBLE
            keras = record.get("keras_version")
            if keras is None and record["family"] in (schema.FAMILY_KERAS,
                                                      schema.FAMILY_TF_KERAS_PACKAGE):
                keras = versions.get("keras" if record["family"] == schema.FAMILY_KERAS
                                     else "tf_keras")
            row = dict(base, keras_version=keras, backend=record.get("backend") or "tensorflow",
                       group=group)
            for column in RECORD_COLUMNS:
                if column not in row and column in record:
                    value = record[column]
                    row[column] = json.dumps(value) if isinstance(value, (list, dict)) else value
            rows.append(row)
    return rows


def build_seeding(measured: Measured) -> Seeding:
    """The section from the results' seeding files (result["seeding"], joined by the loader)."""
    envs = [env for result, env in zip(measured.results, measured.envs)
            if result.get("seeding") is not None]
    missing = [env["name"] for result, env in zip(measured.results, measured.envs)
               if result.get("seeding") is None and env["status"] == "ok"]
    by_name = {r["env"]["name"]: r for r in measured.results}
    records = {env["name"]: records_of(by_name[env["name"]]) for env in envs}
    failed = [{"env": env["name"], "status": by_name[env["name"]]["seeding"].get("status"),
               "reason": one_line(by_name[env["name"]]["seeding"].get("reason"), 600),
               "log_tail": str(by_name[env["name"]]["seeding"].get("log_tail") or "")[-3000:]}
              for env in envs if not records[env["name"]]
              or by_name[env["name"]]["seeding"].get("status") != schema.ENV_OK]
    groups = byte_groups(envs, records)
    every_key = [k for env in envs for k in records[env["name"]]]
    families_seen = ordered([k[0] for k in every_key], schema.API_FAMILIES)
    methods = ordered([k[1] for k in every_key], schema.SEED_METHODS)
    targets = ordered([k[2] for k in every_key], schema.SEED_TARGETS)
    primaries = [env for env in envs if env.get("variant_of") is None]
    labels = [env["label"] for env in primaries]
    families, absent, words, notes = [], [], [], []
    for family in families_seen:
        keys = [(family, m, t) for m in methods for t in targets
                if any((family, m, t) in records[e["name"]] for e in envs)]
        offered = [k for k in keys if any(records[e["name"]].get(k, {}).get("status")
                                          not in (None, schema.SEED_UNAVAILABLE) for e in envs)]
        if not offered:
            reasons = [records[e["name"]][k].get("reason") for e in envs for k in keys
                       if k in records[e["name"]]]
            absent.append({"family": family, "reason": one_line(next(
                (r for r in reasons if r), "unavailable"), 300)})
            continue
        rows, never = [], {}
        for key in keys:
            if key not in offered:
                never.setdefault(key[1], []).append(key[2])
                continue
            cells = [_cell(records[e["name"]].get(key), groups.get((e["name"],) + key))
                     for e in envs]
            rows.append({"id": row_id(*key), "method": key[1], "target": key[2],
                         "cells": cells})
        families.append({"family": family, "id": family_id(family),
                         "rows": rows, "never": [
                             {"method": method, "targets": ", ".join(found)
                              if len(found) < len(targets) else "both targets"}
                             for method, found in never.items()]})
        words.append({"family": family, "lines": status_lines(family, offered, records, groups,
                                                              primaries, labels)})
        notes.append({"family": family, "items": notes_of(family, keys, records, envs)})
    letters = []
    for method in methods:
        found: dict[str, dict] = {}
        for env in envs:
            for key, record in records[env["name"]].items():
                letter = groups.get((env["name"],) + key)
                if key[1] != method or letter is None:
                    continue
                entry = found.setdefault(letter, {"letter": letter,
                                                  "sha256": record["sha256"][:SHA_DIGITS],
                                                  "first_values": record.get("first_values") or [],
                                                  "where": {}})
                entry["where"].setdefault((key[0], key[2]), []).append(column_label(env))
        if found:
            every = [column_label(env) for env in envs]
            letters.append({"method": method, "letters": [
                dict(entry, where=where_drawn(entry["where"], every, targets,
                                              [env_line(env) for env in envs]))
                for entry in found.values()]})
    return Seeding(envs=envs, missing=missing, failed=failed, families=families, absent=absent,
                   groups=letters, words=words, notes=notes,
                   events=seeding_events(measured, records, groups),
                   table=_csv_rows(measured, groups))


# reports/seeding.csv (this section's table): one row per environment x seeding record.
SEEDING_COLUMNS = ["env", "tf_version", "keras_version", "backend", "family", "method", "target",
                   "status", "cross_process_identical", "repeat_identical", "sha256",
                   "first_values", "group", "warning", "calls_identical", "sha256_repeat",
                   "sha256_other_process", "seed", "initializer", "call", "reason", "error_type"]
# The report's CSV files of this section: (file name, its rows from the section, columns first).
CSV_TABLES = (("seeding.csv", lambda section: section.table, SEEDING_COLUMNS),)
